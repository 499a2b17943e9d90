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
>>> parse("sigmod(x)")
Traceback (most recent call last):
...
graphviz_backprop.errors.ParseError: unknown function 'sigmod' (did you mean 'sigmoid'? known: abs, cos, elu, exp, leaky_relu, log, max, min, relu, sigmoid, sin, softplus, sqrt, tanh) (line 1, column 1)
"""

from __future__ import annotations

import ast
import difflib
import math
import re
import textwrap
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Collection, Union

from .errors import InputError, LimitError, ParseError
from .gates import FUNCTIONS, GATES
from .lazy import lazy_import
from .limits import MAX_ARGUMENTS

if TYPE_CHECKING:
    import sympy
else:
    sympy = lazy_import("sympy")  # only for a sympy expression given to the Python API

__all__ = [
    "Num", "Name", "Call", "BinOp", "Neg", "Expr", "Statement", "Program",
    "parse", "parse_sympy", "is_constant",
    "names_in", "gradient_reading", "backward_start", "forward_part", "backward_lines",
    "MAX_SOURCE_CHARS", "MAX_DEPTH", "MAX_NUMBER_CHARS", "RESERVED",
]

#: Longest source text accepted, in characters.
MAX_SOURCE_CHARS = 100_000
#: Deepest nesting of one statement's syntax tree (parentheses, operators, calls).
MAX_DEPTH = 200
#: Longest number literal, in characters.
MAX_NUMBER_CHARS = 100


# ---- the syntax tree ------------------------------------------------------------------------

@dataclass(frozen=True)
class Num:
    """A number literal (or a named constant such as ``math.pi``)."""

    value: float
    line: int
    col: int


@dataclass(frozen=True)
class Name:
    """A variable."""

    id: str
    line: int
    col: int


@dataclass(frozen=True)
class Call:
    """A call of a known function (``FUNCTIONS``); max and min are always binary here."""

    func: str
    args: tuple["Expr", ...]
    line: int
    col: int


@dataclass(frozen=True)
class BinOp:
    """``left op right`` with op one of ``+ - * / **``."""

    op: str
    left: "Expr"
    right: "Expr"
    line: int
    col: int


@dataclass(frozen=True)
class Neg:
    """Unary minus."""

    operand: "Expr"
    line: int
    col: int


Expr = Union[Num, Name, Call, BinOp, Neg]


@dataclass(frozen=True)
class Statement:
    """``target = value``; ``target`` is None for a final bare expression."""

    target: str | None
    value: Expr
    line: int
    col: int


@dataclass(frozen=True)
class Program:
    """A parsed source: its statements in order, and the text they came from."""

    statements: tuple[Statement, ...]
    source: str


# ---- whitelists ---------------------------------------------------------------------------------

#: Module prefixes accepted in calls (``math.exp``, ``np.exp``, ``torch.tanh``).
MODULES = ("math", "np", "numpy", "torch")
#: Other spellings of the known functions.
ALIASES = {"maximum": "max", "minimum": "min", "fabs": "abs", "expit": "sigmoid"}
#: Named constants, reachable only through a module prefix (``math.pi``).
CONSTANTS = {"pi": math.pi, "e": math.e}
#: Names that cannot be bound or used as variables.
RESERVED = frozenset(FUNCTIONS) | frozenset(MODULES) | {"Value"}

_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_OPERATOR_TEXT = {
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^",
}

#: What each kind of Python syntax is called in an error message.
_FORBIDDEN = {
    ast.Lambda: "lambda expressions are not allowed", ast.List: "list literals are not allowed (name each number: w0, w1, w2 = 2, -3, -3)", ast.Tuple: "tuples are not allowed",
    ast.Dict: "dict literals are not allowed", ast.Set: "set literals are not allowed", ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed", ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "generator expressions are not allowed", ast.IfExp: "conditional expressions are not allowed",
    ast.Compare: "comparisons are not allowed", ast.BoolOp: "'and' / 'or' is not allowed", ast.Subscript: "indexing is not allowed",
    ast.Slice: "slices are not allowed", ast.JoinedStr: "f-strings are not allowed", ast.FormattedValue: "f-strings are not allowed",
    ast.Await: "await is not allowed", ast.Yield: "yield is not allowed", ast.YieldFrom: "yield is not allowed", ast.NamedExpr: "':=' is not allowed",
    ast.Starred: "'*' unpacking is not allowed", ast.Attribute: "attribute access is not allowed",
    ast.Import: "import statements are not allowed (math.exp and np.exp work without one)",
    ast.ImportFrom: "import statements are not allowed (math.exp and np.exp work without one)",
    ast.FunctionDef: "function definitions are not allowed", ast.AsyncFunctionDef: "function definitions are not allowed",
    ast.ClassDef: "class definitions are not allowed", ast.Return: "return is not allowed", ast.Delete: "del is not allowed",
    ast.For: "loops are not allowed", ast.AsyncFor: "loops are not allowed", ast.While: "loops are not allowed", ast.If: "if statements are not allowed",
    ast.With: "with statements are not allowed", ast.AsyncWith: "with statements are not allowed", ast.Raise: "raise is not allowed",
    ast.Try: "try statements are not allowed", ast.Assert: "assert is not allowed", ast.Global: "global is not allowed", ast.Nonlocal: "nonlocal is not allowed",
    ast.Pass: "pass is not allowed", ast.Break: "break is not allowed", ast.Continue: "continue is not allowed", ast.AnnAssign: "annotations are not allowed",
}

#: Characters that look like operators, with what to type instead.
_LOOKALIKES = {
    "\u2212": "-", "\u2013": "-", "\u2014": "-", "\u00d7": "*", "\u00b7": "*", "\u22c5": "*",
    "\u2217": "*", "\u00f7": "/", "\u2215": "/", "\u00b2": "**2", "\u00b3": "**3",
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": "a space",
}


def _known_functions() -> str:
    return ", ".join(sorted(FUNCTIONS))


def _unknown_function(name: str, line: int, col: int) -> ParseError:
    close = difflib.get_close_matches(name.split(".")[-1], sorted(FUNCTIONS), n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return ParseError(f"unknown function '{name}' ({hint}known: {_known_functions()})", line, col)


# ---- the text before the parser ------------------------------------------------------------------

def _check_characters(text: str) -> None:
    """Reject NUL bytes, control characters and non-ASCII outside comments, with where."""
    for lineno, line in enumerate(text.split("\n"), start=1):
        code = line.split("#", 1)[0]
        for col, ch in enumerate(code, start=1):
            if " " <= ch <= "~" or ch in "\t\r\f":
                continue
            if ch == "\0":
                raise ParseError("NUL byte in the source", lineno, col)
            name = unicodedata.name(ch, "a control character")
            if ch in _LOOKALIKES:
                raise ParseError(
                    f"character U+{ord(ch):04X} ({name}) is not allowed; type {_LOOKALIKES[ch]}"
                    " instead", lineno, col)
            kind = "invisible character" if not ch.isprintable() or ch.isspace() else "character"
            raise ParseError(
                f"{kind} U+{ord(ch):04X} ({name}) is not allowed; names and operators are plain"
                " ASCII", lineno, col)


def _syntax_error(err: SyntaxError, text: str) -> ParseError:
    line, col = err.lineno or 1, err.offset or 1
    msg = err.msg or "invalid syntax"
    src = text.split("\n")[line - 1] if 0 < line <= text.count("\n") + 1 else ""
    if re.search(r"\d[A-Za-z_]", src[max(col - 3, 0):]) and "literal" in msg:
        msg += " (write 2*x for a product)"
    if "nested parentheses" in msg:
        return LimitError(f"too many nested parentheses; the limit is {MAX_DEPTH}", line, col)
    if "integer string conversion" in msg:  # Python's own limit on digits, hit before ours
        return LimitError(
            f"number literal is too long; the limit is {MAX_NUMBER_CHARS} characters", line, col)
    return ParseError(f"syntax error: {msg}", line, col)


def _depth(tree: ast.AST) -> int:
    """Depth of a syntax tree, without recursion."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        if d <= MAX_DEPTH + 1:
            stack.extend((child, d + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _common_indent(text: str, dedented: str) -> int:
    """How many characters ``textwrap.dedent`` took from the start of every line."""
    for original, plain in zip(text.splitlines(), dedented.splitlines()):
        if plain.strip():
            return len(original) - len(plain)
    return 0


def _python_tree(text: str) -> ast.Module:
    if not isinstance(text, str):
        raise InputError(f"source must be text, not {type(text).__name__}")
    if len(text) > MAX_SOURCE_CHARS:
        raise LimitError(
            f"source is {len(text):,} characters long; the limit is {MAX_SOURCE_CHARS:,}")
    _check_characters(text)
    # Code pasted from inside a function is indented as a whole: read it dedented, and
    # count columns in the text as given.
    dedented = textwrap.dedent(text)
    indent = _common_indent(text, dedented)
    try:
        tree = ast.parse(dedented, mode="exec")
    except SyntaxError as err:
        if indent and err.offset:
            err.offset += indent
        raise _syntax_error(err, text) from None
    except (RecursionError, MemoryError):
        raise LimitError(
            f"source is nested too deeply; the limit is {MAX_DEPTH} levels"
            " (split long expressions into assignments)") from None
    except ValueError as err:  # NUL bytes on some Python versions
        raise ParseError(f"cannot read the source: {err}") from None
    if indent:
        for node in ast.walk(tree):
            if hasattr(node, "col_offset"):
                node.col_offset += indent
                if getattr(node, "end_col_offset", None) is not None:
                    node.end_col_offset += indent
    if not tree.body:
        raise ParseError("empty source: nothing to evaluate")
    for stmt in tree.body:
        if _depth(stmt) > MAX_DEPTH + 1:
            raise LimitError(
                f"statement is nested more than {MAX_DEPTH} levels deep"
                " (split long expressions into assignments)", stmt.lineno, stmt.col_offset + 1)
    return tree


# ---- Python syntax tree -> our syntax tree ------------------------------------------------------

def _where(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1


def _forbidden(node: ast.AST) -> ParseError:
    what = _FORBIDDEN.get(type(node), f"'{type(node).__name__}' is not allowed")
    return ParseError(what, *_where(node))


def _constant(node: ast.Constant, source: str) -> Expr:
    line, col = _where(node)
    value = node.value
    if isinstance(value, str):
        raise ParseError("strings are not allowed", line, col)
    if isinstance(value, complex):
        raise ParseError("complex numbers are not allowed", line, col)
    if type(value) not in (int, float):
        raise ParseError(f"'{value!r}' is not allowed; only numbers", line, col)
    width = (node.end_col_offset or 0) - node.col_offset if node.end_lineno == node.lineno else 0
    if width > MAX_NUMBER_CHARS:
        raise LimitError(
            f"number literal is {width} characters long; the limit is {MAX_NUMBER_CHARS}", line, col)
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ParseError("number is too large for float64 (the largest is about 1.8e308)", line, col)
    return Num(number, line, col)


def _name(node: ast.Name, source: str) -> Expr:
    line, col = _where(node)
    if node.id in FUNCTIONS:
        raise ParseError(f"'{node.id}' is a function; call it as {node.id}(...)", line, col)
    if node.id in RESERVED:
        raise ParseError(f"'{node.id}' cannot be used as a variable", line, col)
    return Name(node.id, line, col)


def _binop(node: ast.BinOp, source: str) -> Expr:
    line, col = _where(node)
    op = _OPERATORS.get(type(node.op))
    if op is None:
        text = _OPERATOR_TEXT.get(type(node.op), type(node.op).__name__)
        hint = "; use ** for powers (x**2)" if text == "^" else " (supported: + - * / **)"
        raise ParseError(f"operator '{text}' is not supported{hint}", line, col)
    return BinOp(op, _expr(node.left, source), _expr(node.right, source), line, col)


def _unaryop(node: ast.UnaryOp, source: str) -> Expr:
    line, col = _where(node)
    if isinstance(node.op, ast.USub):
        return Neg(_expr(node.operand, source), line, col)
    if isinstance(node.op, ast.UAdd):
        return _expr(node.operand, source)
    text = {ast.Not: "not", ast.Invert: "~"}.get(type(node.op), "?")
    raise ParseError(f"operator '{text}' is not supported (supported: + - * / **)", line, col)


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    parts.append(node.id if isinstance(node, ast.Name) else "(...)")
    return ".".join(reversed(parts))


def _attribute(node: ast.Attribute, source: str) -> Expr:
    line, col = _where(node)
    if isinstance(node.value, ast.Name) and node.value.id in MODULES and node.attr in CONSTANTS:
        return Num(CONSTANTS[node.attr], line, col)
    raise ParseError(f"attribute access '{_dotted(node)}' is not allowed", line, col)


def _function_name(node: ast.Call) -> tuple[str, tuple[ast.AST, ...]]:
    """The known function a call names, and its argument nodes (a method's object first)."""
    line, col = _where(node)
    func = node.func
    if isinstance(func, ast.Name):
        if func.id in FUNCTIONS or func.id == "Value":
            return func.id, tuple(node.args)
        raise _unknown_function(func.id, line, col)
    if isinstance(func, ast.Attribute):
        attr = ALIASES.get(func.attr, func.attr)
        if isinstance(func.value, ast.Name) and func.value.id in MODULES:
            if attr in FUNCTIONS:
                return attr, tuple(node.args)
            raise _unknown_function(_dotted(func), line, col)
        if attr in FUNCTIONS and GATES[attr].arity == 1:
            if node.args:
                raise ParseError(f"method .{func.attr}() takes no arguments, as in x.{func.attr}()",
                                 line, col)
            return attr, (func.value,)  # micrograd style: (a + b).relu()
        raise ParseError(
            f"method call '.{func.attr}()' is not allowed (allowed: "
            + ", ".join(f".{f}()" for f in sorted(FUNCTIONS) if GATES[f].arity == 1) + ")",
            line, col)
    raise ParseError("only the known functions can be called", line, col)


def _call(node: ast.Call, source: str) -> Expr:
    line, col = _where(node)
    name, arg_nodes = _function_name(node)
    keywords = node.keywords
    if name == "Value":  # micrograd's Value(2.0, label='x1'): the label is only for its plots
        keywords = [k for k in keywords if not (k.arg == "label" and isinstance(
            k.value, ast.Constant) and isinstance(k.value.value, str))]
    if keywords:
        raise ParseError(f"{name}() takes no keyword arguments", line, col)
    args = tuple(_expr(a, source) for a in arg_nodes)
    if name == "Value":
        if len(args) != 1 or not is_constant(args[0]):
            raise ParseError("Value(...) takes one number, as in Value(-4.0)", line, col)
        return args[0]
    if GATES[name].arity == 1:
        if len(args) != 1:
            raise ParseError(f"{name}() takes 1 argument ({len(args)} given)", line, col)
        return Call(name, args, line, col)
    if len(args) < 2:
        raise ParseError(f"{name}() takes at least 2 arguments ({len(args)} given)", line, col)
    if len(args) > MAX_ARGUMENTS:
        raise LimitError(f"{name}() of {len(args)} arguments; the limit is {MAX_ARGUMENTS}"
                         f" (take it in steps: m = {name}(...), then {name}(m, ...))", line, col)
    result = Call(name, args[:2], line, col)
    for extra in args[2:]:  # max(a, b, c) is max(max(a, b), c), as Python evaluates it
        result = Call(name, (result, extra), line, col)
    return result


_HANDLERS: dict[type, Callable[..., Expr]] = {
    ast.Constant: _constant,
    ast.Name: _name,
    ast.BinOp: _binop,
    ast.UnaryOp: _unaryop,
    ast.Call: _call,
    ast.Attribute: _attribute,
}


def _expr(node: ast.AST, source: str) -> Expr:
    handler = _HANDLERS.get(type(node))
    if handler is None:
        raise _forbidden(node)
    return handler(node, source)


def _target(node: ast.AST) -> str:
    if not isinstance(node, ast.Name):
        what = "several names" if isinstance(node, (ast.Tuple, ast.List)) else "this"
        raise ParseError(f"cannot assign to {what}; assign to one name, as in q = x + y",
                         *_where(node))
    if node.id in RESERVED:
        raise ParseError(f"cannot assign to '{node.id}': it is a reserved name", *_where(node))
    return node.id


def _names_used(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _statements(node: ast.stmt, source: str, last: bool) -> list[Statement]:
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
        return [Statement(n, _expr(v, source), *_where(t))
                for n, t, v in zip(names, targets, values)]
    return [_statement(node, source, last)]


def _statement(node: ast.stmt, source: str, last: bool) -> Statement:
    line, col = _where(node)
    if isinstance(node, ast.Assign):
        if len(node.targets) != 1:
            raise ParseError("chained assignment (a = b = ...) is not allowed", line, col)
        return Statement(_target(node.targets[0]), _expr(node.value, source), line, col)
    if isinstance(node, ast.AugAssign):
        target = _target(node.target)
        op = _OPERATORS.get(type(node.op))
        if op is None:
            raise ParseError("only += -= *= /= **= are allowed", line, col)
        value = BinOp(op, Name(target, line, col), _expr(node.value, source), line, col)
        return Statement(target, value, line, col)
    if isinstance(node, ast.Expr):
        if not last:
            raise ParseError("this expression's value is not used; assign it to a name"
                             " (only the last line may be a bare expression)", line, col)
        return Statement(None, _expr(node.value, source), line, col)
    raise _forbidden(node)


#: Imports that pasted code needs and this reader does not: skipped (nothing is imported).
HARMLESS_IMPORTS = {"math", "numpy", "torch", "micrograd", "micrograd.engine"}


def _ignored(node: ast.stmt) -> bool:
    """Lines of pasted code that only show, label, import or start things: ``print(...)``,
    ``g.backward()``, ``x.label = 'x'``, ``import numpy as np``, ``from micrograd.engine
    import Value``.  They are skipped whole, their arguments unread (never run).
    """
    if isinstance(node, ast.Import):
        return all(a.name in HARMLESS_IMPORTS and (a.asname or a.name) in MODULES
                   for a in node.names)
    if isinstance(node, ast.ImportFrom):
        return (node.module in HARMLESS_IMPORTS and node.level == 0
                and all(a.name == "Value" and a.asname is None for a in node.names))
    if (isinstance(node, ast.Assign) and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Attribute) and node.targets[0].attr == "label"
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
        return True
    if not isinstance(node, ast.Expr) or not isinstance(node.value, ast.Call):
        return False
    func = node.value.func
    if isinstance(func, ast.Name) and func.id == "print":
        return True
    return (isinstance(func, ast.Attribute) and func.attr in ("backward", "zero_grad")
            and not node.value.args and not node.value.keywords)


def parse(text: str) -> Program:
    """Parse an expression or a program of assignments into a :class:`Program`.

    Raises :class:`ParseError` (or :class:`LimitError`) for anything outside the whitelist.
    ``print(...)`` lines, ``.backward()`` calls, labels and the imports of math, numpy,
    torch and micrograd in pasted code are skipped (see :func:`_ignored`).
    """
    if isinstance(text, str):
        # Python ends a line at \r\n, \r or \n: so does everything here, so that a lone
        # \r after a comment cannot hide the next line from the character check
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    tree = _python_tree(text)
    body = [s for s in tree.body if not _ignored(s)]
    if not body:
        raise ParseError("nothing to evaluate: the source only prints")
    statements = tuple(st for i, s in enumerate(body)
                       for st in _statements(s, text, i == len(body) - 1))
    return Program(statements, text)


def is_constant(expr: Expr) -> bool:
    """True when an expression contains no variable (so it folds to a number)."""
    stack = [expr]
    while stack:
        e = stack.pop()
        if isinstance(e, Name):
            return False
        if isinstance(e, BinOp):
            stack += [e.left, e.right]
        elif isinstance(e, Neg):
            stack.append(e.operand)
        elif isinstance(e, Call):
            stack += list(e.args)
    return True


# ---- a sympy expression -> our syntax tree (the Python API) -------------------------------------

_SYMPY_FUNCTIONS = {
    "exp": "exp", "log": "log", "sin": "sin", "cos": "cos", "tanh": "tanh", "Abs": "abs",
    "sigmoid": "sigmoid", "Max": "max", "Min": "min",
}


def _fold(op: str, items: list[Expr]) -> Expr:
    result = items[0]
    for item in items[1:]:
        result = BinOp(op, result, item, 1, 1)
    return result


def _from_sympy(expr: sympy.Basic) -> Expr:
    if isinstance(expr, sympy.Symbol):
        if expr.name in RESERVED or not expr.name.isidentifier() or not expr.name.isascii():
            raise InputError(f"sympy symbol '{expr.name}' cannot be used as a variable name")
        return Name(expr.name, 1, 1)
    if expr.is_Number or expr.is_NumberSymbol:
        value = float(expr)
        if not math.isfinite(value):
            raise InputError(f"sympy number {expr} is not a finite real number")
        return Num(value, 1, 1)
    if isinstance(expr, sympy.Add):
        terms = list(expr.as_ordered_terms())
        result = _from_sympy(terms[0])
        for term in terms[1:]:
            coeff, rest = term.as_coeff_Mul()
            if coeff == -1:
                result = BinOp("-", result, _from_sympy(rest), 1, 1)
            else:
                result = BinOp("+", result, _from_sympy(term), 1, 1)
        return result
    if isinstance(expr, sympy.Mul):
        coeff, rest = expr.as_coeff_Mul()
        if coeff == -1:
            return Neg(_from_sympy(rest), 1, 1)
        return _fold("*", [_from_sympy(a) for a in expr.as_ordered_factors()])
    if isinstance(expr, sympy.Pow):
        base, exponent = expr.as_base_exp()
        if exponent == -1:
            return BinOp("/", Num(1.0, 1, 1), _from_sympy(base), 1, 1)
        if exponent == sympy.S.Half:
            return Call("sqrt", (_from_sympy(base),), 1, 1)
        return BinOp("**", _from_sympy(base), _from_sympy(exponent), 1, 1)
    if isinstance(expr, (sympy.Function, sympy.Max, sympy.Min)):  # Max, Min are no Functions
        name = _SYMPY_FUNCTIONS.get(type(expr).__name__)
        if name is None:
            raise InputError(f"sympy function '{type(expr).__name__}' is not supported"
                             f" (known: {_known_functions()})")
        args = [_from_sympy(a) for a in expr.args]
        if GATES[name].arity == 1:
            return Call(name, (args[0],), 1, 1)
        result = Call(name, tuple(args[:2]), 1, 1)
        for extra in args[2:]:
            result = Call(name, (result, extra), 1, 1)
        return result
    raise InputError(f"sympy object {type(expr).__name__} is not supported")


def parse_sympy(expr: sympy.Basic) -> Program:
    """Turn a sympy expression into a :class:`Program` (sympy's own argument order).

    >>> x, y = sympy.symbols("x y")
    >>> parse_sympy(x * y).statements[0].value.op
    '*'
    """
    if not isinstance(expr, sympy.Basic):
        raise InputError(f"expected a sympy expression, not {type(expr).__name__}")
    return Program((Statement(None, _from_sympy(expr), 1, 1),), str(expr))


# ---- the forward part of a derivation -----------------------------------------------------------
#
# Code written the cs231n way is a forward pass followed by a backward pass (``dx = ...``).
# ``gbp check`` checks the backward pass against the forward one; ``gbp eval``, ``gbp render``
# and ``trace`` draw the forward pass only.  Both find where the backward pass starts with
# :func:`backward_start`.

def names_in(expr: Expr) -> list[str]:
    """Variable names an expression reads, in order of first use.

    >>> names_in(parse("(x + y) * exp(-x) + z").statements[0].value)
    ['x', 'y', 'z']
    """
    found: dict[str, None] = {}
    stack = [expr]
    while stack:
        e = stack.pop()
        if isinstance(e, Name):
            found.setdefault(e.id)
        elif isinstance(e, BinOp):
            stack += [e.right, e.left]
        elif isinstance(e, Neg):
            stack.append(e.operand)
        elif isinstance(e, Call):
            stack += list(reversed(e.args))
    return list(found)


def gradient_reading(name: str, names: Collection[str]) -> tuple[str, ...] | None:
    """How a name reads as a gradient: ``("grad", X)`` for dX, ``("local", A, B)`` for dAdB.

    ``names`` are the names of the forward pass.  A name of the forward pass is a value,
    never a gradient; the one-name reading dX wins over dAdB; among dAdB readings the
    shortest A wins.  ``d`` alone, ``dot`` or ``delta`` are no gradients unless ``ot`` or
    ``elta`` are names.

    >>> gradient_reading("dfdq", {"f", "q", "z"}), gradient_reading("dq", {"q"})
    (('local', 'f', 'q'), ('grad', 'q'))
    >>> gradient_reading("dx", {"x", "dx"}) is None, gradient_reading("dot", {"w0", "x0"})
    (True, None)
    """
    if name in names or not name.startswith("d") or len(name) < 2:
        return None
    rest = name[1:]
    if rest in names:
        return ("grad", rest)
    for i in range(1, len(rest) - 1):
        if rest[i] == "d" and rest[:i] in names and rest[i + 1:] in names:
            return ("local", rest[:i], rest[i + 1:])
    return None


_BACKWARD_MARKER = re.compile(r"\s*#\s*(backward|backprop)", re.IGNORECASE)


def _backward_marker(program: Program) -> tuple[int, int] | None:
    """(index of the first statement after it, line) of a ``# backward`` comment, or None."""
    statements = program.statements
    if not statements:
        return None
    for number, line in enumerate(program.source.split("\n"), start=1):
        if number > statements[0].line and _BACKWARD_MARKER.match(line):
            after = [i for i, st in enumerate(statements) if st.line > number]
            return (after[0], number) if after else None
    return None


def backward_start(program: Program) -> int | None:
    r"""Index of the first statement of the backward pass, or None when there is none.

    A whole-line comment starting with ``# backward`` or ``# backprop`` after the first
    statement marks it explicitly (the cs231n notes write ``# backprop f = num * invden``);
    otherwise it is the first statement that assigns a gradient name (:func:`gradient_reading`)
    of the names seen so far.  This is the one rule ``gbp check`` and :func:`forward_part` use.

    >>> backward_start(parse("x = 2; y = 3\nf = x * y\ndx = y"))
    3
    >>> backward_start(parse("x = 2; dx = 3\nf = x * dx\n# backward pass\nddx = x"))
    3
    >>> backward_start(parse("a = 2; b = 3\nd = a * b\ndot = d + a")) is None
    True
    """
    marked = _backward_marker(program)
    if marked is not None:
        return marked[0]
    seen: set[str] = set()
    for i, st in enumerate(program.statements):
        if st.target and gradient_reading(st.target, seen) is not None:
            return i
        seen.update(names_in(st.value))
        if st.target:
            seen.add(st.target)
    return None


def _backward_part(program: Program) -> tuple[int, int, int, int] | None:
    """(first statement, first line, last line, first line not kept in the forward text) of
    the backward pass :func:`forward_part` drops."""
    k = backward_start(program)
    if not k:
        return None
    statements = program.statements
    assigned = [st.target for st in statements[k:] if st.target]
    if not assigned or len(assigned[-1]) < 2 or not assigned[-1].startswith("d"):
        return None  # a program that goes on computing values, as in dx = 0.1; f = g(x + dx)
    marked = _backward_marker(program)
    first = marked[1] if marked is not None and marked[0] == k else statements[k].line
    cut = max(first, statements[k - 1].line + 1)  # a line shared with the forward pass stays
    lines = program.source.split("\n")
    last = max((n for n, text in enumerate(lines, start=1) if text.split("#", 1)[0].strip()),
               default=statements[-1].line)
    return k, first, max(last, statements[-1].line, first), cut


def forward_part(program: Program) -> Program:
    r"""The program without its backward pass: what ``gbp eval``, ``gbp render`` and ``trace``
    draw from a derivation written as code.

    The backward pass starts where :func:`backward_start` says (the rule of ``gbp check``),
    and is left out only when its last assignment looks like a gradient too (a name of two
    or more characters starting with d, such as ``dy`` or a misspelt ``dzz``).  So a program
    that goes on computing after a variable named like a gradient (``x = 2; dx = 0.1``, then
    ``f = (x + dx)**2``) is read whole.  The source text of the result ends before the
    backward pass; line numbers stay those of the full text.

    >>> code = "x = -2; y = 5; z = -4\nq = x + y\nf = q * z\ndq = z\ndx = dq\n"
    >>> [st.target for st in forward_part(parse(code)).statements]
    ['x', 'y', 'z', 'q', 'f']
    >>> len(forward_part(parse("x = 2; dx = 0.1\nf = (x + dx)**2")).statements)
    3
    """
    part = _backward_part(program)
    if part is None:
        return program
    k, _, _, cut = part
    text = "\n".join(program.source.split("\n")[:cut - 1]) + "\n"
    return Program(program.statements[:k], text)


def backward_lines(program: Program) -> tuple[int, int] | None:
    r"""The lines (first, last) that :func:`forward_part` leaves out, or None.

    >>> backward_lines(parse("x = 2; y = 3\nf = x * y\n# backward\ndx = y\ndy = x\n"))
    (3, 5)
    """
    part = _backward_part(program)
    return None if part is None else part[1:3]


