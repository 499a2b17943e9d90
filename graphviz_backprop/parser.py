"""Source text -> a small syntax tree, against a whitelist; user text is never executed.

The text is read with Python's own ``ast`` parser (which only builds a tree) and every
node is checked against a whitelist: numbers, names, ``+ - * / **``, unary ``-`` and calls
of the known functions.  Anything else is a :class:`ParseError` naming what is not allowed
and where.

>>> prog = parse("q = x + y; f = q * z")
>>> [s.target for s in prog.statements]
['q', 'f']
>>> prog.statements[1].value
BinOp(op='*', left=Name(id='q', line=1, col=16), right=Name(id='z', line=1, col=20), line=1, col=16)
>>> try:
...     parse("sigmod(x)")
... except ParseError as err:
...     print(err)
unknown function 'sigmod' (did you mean 'sigmoid'? known: abs, cos, ...) (line 1, column 1)
"""

from __future__ import annotations

import ast
import contextvars
import math
import re
from collections.abc import Callable

from .errors import LimitError, ParseError
from .gates import FUNCTIONS, GATES
from .latex import looks_like_latex, parse_latex
from .limits import MAX_ARGUMENTS
from .rawtext import MAX_DEPTH, MAX_NUMBER_CHARS, python_tree
from .syntax import (
    Array,
    BinOp,
    Call,
    Expr,
    Name,
    Neg,
    Num,
    Program,
    Statement,
    depth_of,
    is_constant,
)
from .whitelist import (
    ALIASES,
    CONSTANTS,
    FORBIDDEN,
    MASKS,
    MODULES,
    OPERATOR_TEXT,
    OPERATORS,
    ignored,
    reserved,
    unknown_function,
)

__all__ = ["parse"]


def _where(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1


def _forbidden(node: ast.AST) -> ParseError:
    what = FORBIDDEN.get(type(node), f"'{type(node).__name__}' is not allowed")
    return ParseError(what, *_where(node))


def _constant(node: ast.Constant) -> Expr:
    line, col = _where(node)
    value = node.value
    if isinstance(value, str):
        raise ParseError("strings are not allowed", line, col)
    if isinstance(value, complex):
        raise ParseError("complex numbers are not allowed", line, col)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParseError(f"'{value!r}' is not allowed; only numbers", line, col)
    width = (node.end_col_offset or 0) - node.col_offset if node.end_lineno == node.lineno else 0
    if width > MAX_NUMBER_CHARS:
        raise LimitError(
            f"number literal is {width} characters long; the limit is {MAX_NUMBER_CHARS}",
            line, col)
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ParseError("number is too large for float64 (the largest is about 1.8e308)",
                         line, col)
    return Num(number, line, col)


def _name(node: ast.Name) -> Expr:
    line, col = _where(node)
    if node.id in FUNCTIONS:
        raise ParseError(f"'{node.id}' is a function; call it as {node.id}(...)", line, col)
    if reserved(node.id):
        raise ParseError(f"'{node.id}' cannot be used as a variable", line, col)
    return Name(node.id, line, col)


def _binop(node: ast.BinOp) -> Expr:
    line, col = _where(node)
    op = OPERATORS.get(type(node.op))
    if op is None:
        text = OPERATOR_TEXT.get(type(node.op), type(node.op).__name__)
        hint = "; use ** for powers (x**2)" if text == "^" else " (supported: + - * / ** @)"
        raise ParseError(f"operator '{text}' is not supported{hint}", line, col)
    return BinOp(op, _expr(node.left), _expr(node.right), line, col)


def _unaryop(node: ast.UnaryOp) -> Expr:
    line, col = _where(node)
    if isinstance(node.op, ast.USub):
        return Neg(_expr(node.operand), line, col)
    if isinstance(node.op, ast.UAdd):
        return _expr(node.operand)
    text = {ast.Not: "not", ast.Invert: "~"}.get(type(node.op), "?")
    raise ParseError(f"operator '{text}' is not supported (supported: + - * / ** @)", line, col)


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    parts.append(node.id if isinstance(node, ast.Name) else "(...)")
    return ".".join(reversed(parts))


def _attribute(node: ast.Attribute) -> Expr:
    line, col = _where(node)
    if isinstance(node.value, ast.Name) and node.value.id in MODULES and node.attr in CONSTANTS:
        return Num(CONSTANTS[node.attr], line, col)
    if node.attr == "T" and not (isinstance(node.value, ast.Name) and node.value.id in MODULES):
        return Call("transpose", (_expr(node.value),), line, col)
    raise ParseError(f"attribute access '{_dotted(node)}' is not allowed", line, col)


def _function_name(node: ast.Call) -> tuple[str, tuple[ast.AST, ...]]:
    """The known function a call names, and its argument nodes (a method's object first)."""
    line, col = _where(node)
    func = node.func
    if isinstance(func, ast.Name):
        if func.id in FUNCTIONS or func.id == "Value":
            return func.id, tuple(node.args)
        raise unknown_function(func.id, line, col)
    if isinstance(func, ast.Attribute):
        attr = ALIASES.get(func.attr, func.attr)
        if (attr == "norm" and isinstance(func.value, ast.Attribute)
                and func.value.attr == "linalg" and isinstance(func.value.value, ast.Name)
                and func.value.value.id in MODULES):
            return attr, tuple(node.args)  # np.linalg.norm(q)
        if isinstance(func.value, ast.Name) and func.value.id in MODULES:
            if attr in FUNCTIONS:
                return attr, tuple(node.args)
            raise unknown_function(_dotted(func), line, col)
        if attr == "matmul" and func.attr == "dot":  # a.dot(b)
            if len(node.args) != 1:
                raise ParseError("method .dot() takes one argument, as in W.dot(x)", line, col)
            return attr, (func.value, node.args[0])
        if attr in FUNCTIONS and GATES[FUNCTIONS[attr]].arity == 1:
            if node.args:
                raise ParseError(f"method .{func.attr}() takes no arguments, as in x.{func.attr}()",
                                 line, col)
            return attr, (func.value,)  # micrograd style: (a + b).relu()
        raise ParseError(
            f"method call '.{func.attr}()' is not allowed (allowed: "
            + ", ".join(f".{f}()" for f in sorted(FUNCTIONS)
                        if GATES[FUNCTIONS[f]].arity == 1) + ")",
            line, col)
    raise ParseError("only the known functions can be called", line, col)


def _call(node: ast.Call) -> Expr:
    line, col = _where(node)
    name, arg_nodes = _function_name(node)
    keywords = node.keywords
    if name == "Value":  # micrograd's Value(2.0, label='x1'): the label is only for its plots
        keywords = [k for k in keywords if not (k.arg == "label" and isinstance(
            k.value, ast.Constant) and isinstance(k.value.value, str))]
    setting: int | tuple[int, ...] | None = None
    if name in _AXIS_FUNCTIONS:
        setting, keywords = _axis(name, keywords, line, col)
        if len(arg_nodes) == 2 and setting is None:  # np.sum(x, 0)
            setting = _whole(arg_nodes[1], f"the axis of {name}()")
            arg_nodes = arg_nodes[:1]
    if keywords:
        raise ParseError(f"{name}() takes no keyword arguments", line, col)
    if name == "cross_entropy":
        return _cross_entropy(arg_nodes, line, col)
    args = tuple(_expr(a) for a in arg_nodes)
    if name in _EXACTLY_TWO:
        if len(args) != 2:
            raise ParseError(f"{name}() takes 2 arguments ({len(args)} given)", line, col)
        return Call(name, args, line, col)
    if name == "Value":
        if len(args) != 1 or not is_constant(args[0]):
            raise ParseError("Value(...) takes one number, as in Value(-4.0)", line, col)
        return args[0]
    if GATES[FUNCTIONS[name]].arity == 1:
        if len(args) != 1:
            raise ParseError(f"{name}() takes 1 argument ({len(args)} given)", line, col)
        return Call(name, args, line, col, setting)
    if len(args) < 2:
        raise ParseError(f"{name}() takes at least 2 arguments ({len(args)} given)", line, col)
    if len(args) > MAX_ARGUMENTS:
        raise LimitError(f"{name}() of {len(args)} arguments; the limit is {MAX_ARGUMENTS}"
                         f" (take it in steps: m = {name}(...), then {name}(m, ...))", line, col)
    result = Call(name, args[:2], line, col)
    for extra in args[2:]:  # max(a, b, c) is max(max(a, b), c), as Python evaluates it
        result = Call(name, (result, extra), line, col)
    if len(args) > 2 and depth_of(result) > MAX_DEPTH:
        raise LimitError(f"{name}() of many arguments, nested: taken two at a time, as the"
                         f" circuit draws it, it is {depth_of(result)} levels deep; the limit is"
                         f" {MAX_DEPTH} (take it in steps: m = {name}(...), then {name}(m, ...))",
                         line, col)
    return result


#: Functions that take an ``axis`` (a keyword, or a second argument as numpy allows).
_AXIS_FUNCTIONS = ("sum", "mean")
#: Functions of exactly two array arguments.
_EXACTLY_TWO = ("matmul", "outer")


def _whole(node: ast.AST, what: str) -> int:
    """A whole-number literal (possibly negative), as an axis or an index is written."""
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        sign, node = -1, node.operand
    if (isinstance(node, ast.Constant) and isinstance(node.value, int)
            and not isinstance(node.value, bool) and node.value < 1_000_000):
        return sign * node.value
    raise ParseError(f"{what} must be a whole number written out, such as 0 or 1", *_where(node))


def _axis(name: str, keywords: list[ast.keyword], line: int, col: int
          ) -> tuple[int | None, list[ast.keyword]]:
    axis = None
    rest = []
    for k in keywords:
        if k.arg == "axis":
            axis = _whole(k.value, f"the axis of {name}()")
            if axis not in (0, 1, -1):
                raise ParseError(f"{name}(..., axis={axis}): vectors and matrices have axis 0"
                                 " (down the rows) and axis 1 (along a row)", line, col)
        else:
            rest.append(k)
    return axis, rest


def _cross_entropy(arg_nodes: tuple[ast.AST, ...], line: int, col: int) -> Expr:
    """``cross_entropy(s, k)``: the scores s (a wire) and the class index k (data: a whole
    number, a list of them for a batch, or a name bound to one)."""
    if len(arg_nodes) != 2:
        raise ParseError("cross_entropy(s, k) takes the scores s and the index k of the"
                         f" correct class ({len(arg_nodes)} arguments given)", line, col)
    scores, k = arg_nodes
    what = "the class index k of cross_entropy(s, k)"
    if isinstance(k, ast.Name):  # bound to a number by the program: the builder reads it
        return Call("cross_entropy", (_expr(scores), _name(k)), line, col)
    if isinstance(k, ast.List):
        classes = tuple(_whole(e, what) for e in k.elts)
        if not classes:
            raise ParseError(f"{what}: an empty list", line, col)
        return Call("cross_entropy", (_expr(scores),), line, col, classes)
    return Call("cross_entropy", (_expr(scores),), line, col, _whole(k, what))


def _subscript(node: ast.Subscript) -> Expr:
    """``w[0]``, ``W[1, 0]``, ``W[1][0]``: an entry (or a row) of a vector or matrix."""
    line, col = _where(node)
    index = node.slice
    items = index.elts if isinstance(index, ast.Tuple) else [index]
    if any(isinstance(i, ast.Slice) for i in items):
        raise ParseError("slices are not allowed; index with whole numbers, as in w[0] or"
                         " W[1, 0]", line, col)
    whole = tuple(_whole(i, "an index") for i in items)
    if isinstance(node.value, ast.Subscript):  # W[1][0] is W[1, 0]
        inner = _subscript(node.value)
        if isinstance(inner, Call) and inner.func == "index" and isinstance(inner.c, tuple):
            return Call("index", inner.args, line, col, inner.c + whole)
    return Call("index", (_expr(node.value),), line, col, whole)


_READ_MASKS = contextvars.ContextVar("masks", default=False)  # Z > 0 read? set by each parse()


def _compare(node: ast.Compare) -> Expr:
    """``Z > 0`` as numpy's ``greater(Z, 0)``, a 0/1 mask: only when masks are read."""
    mask = MASKS.get(type(node.ops[0])) if len(node.ops) == 1 else None
    if mask is None or not _READ_MASKS.get():
        raise _forbidden(node) if not _READ_MASKS.get() else ParseError(
            "a mask compares two values with one of > >= < <=, as in (Z > 0)", *_where(node))
    return Call(mask, (_expr(node.left), _expr(node.comparators[0])), *_where(node))


def _list(node: ast.List) -> Expr:
    raise ParseError("a list is a value: bind it to a name of its own, as in x = [0.2, 0.4],"
                     " then use the name", *_where(node))


def _entry(node: ast.AST) -> float:
    value = _expr(node)
    if not isinstance(value, Num):
        if isinstance(value, Neg) and isinstance(value.operand, Num):
            return -value.operand.value
        raise ParseError("an entry of a vector or matrix must be a number", *_where(node))
    return value.value


def _array(node: ast.AST) -> Array | None:
    """A list literal (or ``np.array([...])``) bound to a name, or None if it is not one."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("array", "asarray", "tensor")
            and isinstance(node.func.value, ast.Name) and node.func.value.id in MODULES
            and len(node.args) == 1 and isinstance(node.args[0], ast.List)):
        node = node.args[0]
    if not isinstance(node, ast.List):
        return None
    line, col = _where(node)
    if not node.elts:
        raise ParseError("an empty list has no entries", line, col)
    if all(isinstance(e, ast.List) for e in node.elts):
        if any(isinstance(v, ast.List) for e in node.elts for v in e.elts):  # type: ignore[attr-defined]
            raise ParseError("3 or more dimensions: only vectors and matrices (1 or 2"
                             " dimensions) are supported", line, col)
        rows = tuple(tuple(_entry(v) for v in e.elts) for e in node.elts)  # type: ignore[attr-defined]
        lengths = sorted({len(r) for r in rows})
        if len(lengths) > 1:
            raise ParseError(f"rows of different lengths ({lengths[0]} and {lengths[-1]}): a"
                             " matrix needs rows of one length", line, col)
        if lengths[0] == 0:
            raise ParseError("an empty row has no entries", line, col)
        return Array(rows, line, col)
    if any(isinstance(e, ast.List) for e in node.elts):
        raise ParseError("a mix of numbers and rows: write every row as a list", line, col)
    return Array(tuple(_entry(e) for e in node.elts), line, col)


_HANDLERS: dict[type, Callable[..., Expr]] = {
    ast.Constant: _constant,
    ast.Name: _name,
    ast.BinOp: _binop,
    ast.UnaryOp: _unaryop,
    ast.Call: _call,
    ast.Attribute: _attribute,
    ast.Subscript: _subscript,
    ast.List: _list,
    ast.Compare: _compare,
}


def _expr(node: ast.AST) -> Expr:
    handler = _HANDLERS.get(type(node))
    if handler is None:
        raise _forbidden(node)
    return handler(node)


def _target(node: ast.AST) -> str:
    if not isinstance(node, ast.Name):  # dZ[Z <= 0] = 0 is how cs231n code zeroes entries
        what = {ast.Tuple: "several names", ast.List: "several names",
                ast.Subscript: "entries"}.get(type(node), "this")
        example = "dZ = dA * (Z > 0)" if what == "entries" else "q = x + y"
        raise ParseError(f"cannot assign to {what}; assign to one name, as in {example}",
                         *_where(node))
    if reserved(node.id):
        raise ParseError(f"cannot assign to '{node.id}': it is a reserved name", *_where(node))
    return node.id


def _names_used(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _statements(node: ast.stmt, last: bool) -> list[Statement]:
    """One Python statement as statements of ours: ``a, b = 1, 2`` is two of them."""
    line, col = _where(node)
    if (isinstance(node, ast.Assign) and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Tuple) and isinstance(node.value, ast.Tuple)):
        targets, values = node.targets[0].elts, node.value.elts
        if len(targets) != len(values):
            raise ParseError(f"{len(targets)} names but {len(values)} values", line, col)
        names = [_target(t) for t in targets]
        if len(set(names)) != len(names) or _names_used(node.value) & set(names):
            raise ParseError("assign these one by one (a name is both assigned and read)",
                             line, col)
        return [Statement(n, _expr(v), *_where(t))
                for n, t, v in zip(names, targets, values)]
    return [_statement(node, last)]


def _statement(node: ast.stmt, last: bool) -> Statement:
    line, col = _where(node)
    if isinstance(node, ast.Assign):
        if len(node.targets) != 1:
            raise ParseError("chained assignment (a = b = ...) is not allowed", line, col)
        array = _array(node.value)
        return Statement(_target(node.targets[0]), array or _expr(node.value), line, col)
    if isinstance(node, ast.AugAssign):
        target = _target(node.target)
        op = OPERATORS.get(type(node.op))
        if op is None:
            raise ParseError("only += -= *= /= **= are allowed", line, col)
        value = BinOp(op, Name(target, line, col), _expr(node.value), line, col)
        return Statement(target, value, line, col)
    if isinstance(node, ast.Expr):
        if not last:
            raise ParseError("this expression's value is not used; assign it to a name"
                             " (only the last line may be a bare expression)", line, col)
        return Statement(None, _expr(node.value), line, col)
    raise _forbidden(node)


def parse(text: str, *, masks: bool = False) -> Program:
    """Parse an expression or a program of assignments into a :class:`Program`.

    Raises :class:`ParseError` (or :class:`LimitError`) for anything outside the whitelist.
    ``print(...)`` lines, ``.backward()`` calls, labels and the imports of math, numpy,
    torch and micrograd in pasted code are skipped (see :func:`ignored`).  ``masks``: ``Z > 0``
    is numpy's ``greater(Z, 0)`` (:data:`MASKS`), for the backward code ``gbp check`` reads.
    """
    if isinstance(text, str):
        # Python ends a line at \r\n, \r or \n: so does everything here, so that a lone
        # \r after a comment cannot hide the next line from the character check
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if looks_like_latex(text):
            return parse_latex(text)
    try:
        tree = python_tree(text)
    except ParseError as err:  # w_0 x_0 + w_1 x_1: LaTeX without a command, if it reads so
        if type(err) is ParseError and err.message.startswith("syntax error") \
                and re.search(r"[\^{}]|_\d", text):
            try:
                return parse_latex(text)
            except ParseError:
                pass
        raise
    body = [s for s in tree.body if not ignored(s)]
    if not body:
        raise ParseError("nothing to evaluate: the source only prints")
    _READ_MASKS.set(masks)
    statements = tuple(st for i, s in enumerate(body)
                       for st in _statements(s, i == len(body) - 1))
    return Program(statements, text)

