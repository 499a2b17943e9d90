"""Vectorized backward code: numpy's operations on vectors and matrices by the engine's own
rules, 0/1 masks such as ``(Z > 0)``, and expressions written back as code for messages.

A value is a float or a read-only float64 array (``arrays``), exactly as in the engine; an
operation goes through the gate table lifted entry by entry (``entrywise``), so numpy's
broadcasting and shapes hold, and a shape that does not fit names the student's own
expression: ``dq.dot(x.T): dq has 2 entries but x.T is 3×2 (...)``.

>>> from graphviz_backprop.parser import parse
>>> code_text(parse("dW = np.outer(dq, x) + W.T.dot(dq) * (x > 0)", masks=True).statements[0].value)
'np.outer(dq, x) + W.T.dot(dq) * (x > 0)'
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .. import entrywise
from ..array_rules import ShapeError, broadcast_shape
from ..arrays import MAX_ARRAY_WORK, as_array, frozen, is_array, scalar_or_array, shape_of
from ..errors import EvaluationError, LimitError, ParseError, ValuesError
from ..gates import FUNCTIONS, GATES, Gate
from ..lazy import lazy_import
from ..notation import constant
from ..syntax import Array, BinOp, Call, Expr, Name, Neg, Num, call_in
from ..whitelist import MASKS

if TYPE_CHECKING:
    import numpy as np
    import sympy
else:
    np = lazy_import("numpy")
    sympy = lazy_import("sympy")

__all__ = ["MASK_FUNCTIONS", "MAX_CHECK_WORK", "Work", "ShapeMismatchError", "array_op",
           "array_call", "mask", "literal", "negated", "code_text", "mask_in", "cut"]

#: numpy's names for the comparisons a mask is written with, and each one's test.
MASK_FUNCTIONS: dict[str, Callable[[Any, Any], Any]] = {
    "greater": operator.gt, "greater_equal": operator.ge,
    "less": operator.lt, "less_equal": operator.le}
assert set(MASK_FUNCTIONS) == set(MASKS.values())

_SYMBOL = {"greater": ">", "greater_equal": ">=", "less": "<", "less_equal": "<="}

#: The gate of the table that does a binary operation of backward code on arrays.
_GATE_OF = {"+": "add", "-": "sub", "*": "mul", "/": "div", "@": "matmul"}

#: Longest piece of code a message quotes.
_QUOTED = 60


def cut(text: str, longest: int = _QUOTED) -> str:
    """Code quoted in a message, cut short: ``np.outer(dq, x) + ...``."""
    return text if len(text) <= longest else text[:longest - 3] + "..."


def _where(e: Expr) -> str:
    return f"(line {e.line}, column {e.col})"


#: Most entry operations on vectors and matrices one derivation's check may do (its backward
#: lines, run again for each wrong claim, and the fixes tried): five circuits' worth.
MAX_CHECK_WORK = 5 * MAX_ARRAY_WORK


class Work:
    """The entry operations a check does on vectors and matrices (``entrywise.cost``), refused
    past :data:`MAX_CHECK_WORK`, so that a check is bounded without a clock as well."""

    def __init__(self) -> None:
        self.done = 0

    def count(self, e: Expr, xs: tuple[Any, ...], out: Any) -> None:
        if not (is_array(out) or any(is_array(x) for x in xs)):
            return
        matmul = (isinstance(e, BinOp) and e.op == "@") or (
            isinstance(e, Call) and e.func == "matmul")
        self.done += entrywise.cost(GATES["matmul" if matmul else "add"], xs, out)
        if self.done > MAX_CHECK_WORK:
            raise LimitError(f"checking this derivation's vectors and matrices needs more than"
                             f" {MAX_CHECK_WORK:,} entry operations; that is the limit",
                             e.line, e.col)


class ShapeMismatchError(EvaluationError):
    """Shapes that do not fit in an expression of backward code: ``problem`` says how, and the
    message adds where (a fix may go in between)."""

    def __init__(self, problem: str, where: str):
        self.problem = problem
        self.where = where
        super().__init__(f"{problem} {where}")


def _named(template: str, operands: Sequence[Expr]) -> str:
    """A message of the array rules with the inputs ``{0}``, ``{1}`` written as code."""
    for i, part in enumerate(operands):
        template = template.replace(f"{{{i}}}", cut(code_text(part), 30))
    return template


#: Gates worked out by numpy at once (the same float64 arithmetic as entry by entry); a
#: result that is not finite everywhere is worked out again entry by entry, for the error.
_AT_ONCE: dict[str, Callable[..., Any]] = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv,
    "max": lambda a, b: np.maximum(a, b), "min": lambda a, b: np.minimum(a, b),
    "pow_c": lambda a, c: np.power(a, c)}


def _at_once(gate: Gate, xs: tuple[Any, ...], c: Any) -> Any:
    """An entrywise gate by numpy, or None where an entry is not finite."""
    entrywise.out_shape(gate, xs, c)  # the shapes fit, and the result is not too large
    args = [np.asarray(x, dtype=float) for x in xs] + ([] if c is None else [c])
    with np.errstate(all="ignore"):
        out = np.asarray(_AT_ONCE[gate.key](*args), dtype=float)
    return frozen(out) if np.all(np.isfinite(out)) else None


def _apply(gate: Gate, xs: tuple[Any, ...], c: Any, e: Expr, operands: Sequence[Expr]) -> Any:
    """A gate of the table on values of which one at least is an array, checked: a shape that
    does not fit, a result too large or an entry out of the gate's domain names ``e``."""
    try:
        if gate.key in _AT_ONCE:
            out = _at_once(gate, xs, c)
            if out is not None:
                return out
        return entrywise.forward(gate, xs, c)
    except ShapeError as err:
        text = str(err)
        whole = cut(code_text(e))
        if text.startswith("{0} @ {1}: "):
            text = text[len("{0} @ {1}: "):]
        raise ShapeMismatchError(f"{whole}: {_named(text, operands)}", _where(e)) from None
    except LimitError as err:
        raise LimitError(f"{cut(code_text(e))}: {_named(err.message, operands)}",
                         e.line, e.col) from None
    except EvaluationError as err:
        raise EvaluationError(f"{cut(code_text(e))}: {err} {_where(e)}") from None


def array_op(op: str, a: Any, b: Any, e: BinOp) -> Any:
    """``a op b`` in float64 where an operand is an array (or the operator is ``@``)."""
    if op != "**":
        return _apply(GATES[_GATE_OF[op]], (a, b), None, e, (e.left, e.right))
    if not is_array(b):  # x**2: a power with a constant exponent, as in a circuit
        return _apply(GATES["pow_c"], (a,), b, e, (e.left,))
    if not is_array(a):
        return _apply(GATES["rpow_c"], (b,), a, e, (e.right,))
    return _apply(GATES["pow"], (a, b), None, e, (e.left, e.right))


def array_call(e: Call, args: tuple[Any, ...]) -> Any:
    """A known function where an argument is an array, or a function of arrays (``np.sum``,
    ``.dot``, ``np.outer``, ``.T``, ``w[0]``...), in float64."""
    if e.func == "cross_entropy":
        raise ParseError("cross_entropy(...) is a loss of the forward pass; a backward line"
                         " writes its gradient (softmax(s) minus the one-hot k)", e.line, e.col)
    return _apply(GATES[FUNCTIONS[e.func]], args, e.c, e, e.args)


def mask(e: Call, args: tuple[Any, ...], symbolic: bool = False) -> Any:
    """``(a > b)`` as numpy computes it and a product reads it: 1.0 where it holds, else 0.0
    (entry by entry, with broadcasting); in symbolic mode a step function, as the engine
    writes relu's derivative: ``a > b`` is ``Heaviside(a - b, 0)`` (0 where a = b), and
    ``a >= b`` is ``Heaviside(a - b, 1)``."""
    test = MASK_FUNCTIONS[e.func]
    a, b = args
    if symbolic:
        if e.func.startswith("less"):
            a, b = b, a
        return sympy.Heaviside(a - b, 1 if e.func.endswith("equal") else 0)
    if not (is_array(a) or is_array(b)):
        return 1.0 if test(a, b) else 0.0
    try:
        broadcast_shape("max", shape_of(a), shape_of(b))
    except ShapeError as err:
        raise ShapeMismatchError(f"{cut(code_text(e))}: {_named(str(err), e.args)}",
                            _where(e)) from None
    return frozen(np.asarray(test(np.asarray(a), np.asarray(b)), dtype=float))


def literal(e: Array, symbolic: bool) -> Any:
    """A vector or matrix written out in a backward line (``db = [0.1, -0.2]``)."""
    if symbolic:
        raise EvaluationError(f"a vector or matrix needs numbers: give the inputs values"
                              f" {_where(e)}")
    try:
        return as_array("the list", e.values)
    except ValuesError as err:
        raise ParseError(str(err), e.line, e.col) from None


def negated(value: Any) -> Any:
    """``-value``, an array kept as the engine keeps it."""
    return scalar_or_array(-value) if is_array(value) else -value


def mask_in(e: Expr) -> Call | None:
    """The first mask (``Z > 0``) in an expression, or None."""
    return call_in(e, MASK_FUNCTIONS)


# ---- expressions written back as code ----------------------------------------------------------

#: How tightly each form binds, as Python reads it: a comparison, + -, * / @, unary minus,
#: a power, and a name, call or attribute.
_LOOSEST, _SUM, _PRODUCT, _UNARY, _POWER, _ATOM = range(6)

_PRECEDENCE = {"+": _SUM, "-": _SUM, "*": _PRODUCT, "/": _PRODUCT, "@": _PRODUCT,
               "**": _POWER}

_NUMPY = ("exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "outer", "sum", "mean")

#: Longest text of one part while writing an expression (a longer one is cut short).
_LONGEST_PART = 200


def _wrap(text: str, level: int, needed: int) -> str:
    return f"({text})" if level < needed else text


def _call_text(e: Call, parts: list[tuple[str, int]]) -> tuple[str, int]:
    texts = [t for t, _ in parts]
    if e.func in MASK_FUNCTIONS:
        return (f"{_wrap(parts[0][0], parts[0][1], _SUM)} {_SYMBOL[e.func]}"
                f" {_wrap(parts[1][0], parts[1][1], _SUM)}", _LOOSEST)
    if e.func == "transpose":
        return f"{_wrap(texts[0], parts[0][1], _ATOM)}.T", _ATOM
    if e.func == "matmul":
        return f"{_wrap(texts[0], parts[0][1], _ATOM)}.dot({texts[1]})", _ATOM
    if e.func == "index":
        index = e.c if isinstance(e.c, tuple) else (e.c,)
        return f"{_wrap(texts[0], parts[0][1], _ATOM)}[{', '.join(map(str, index))}]", _ATOM
    name = {"max": "np.maximum", "min": "np.minimum", "norm": "np.linalg.norm"}.get(
        e.func, f"np.{e.func}" if e.func in _NUMPY else e.func)
    axis = f", axis={e.c}" if e.func in ("sum", "mean") and e.c is not None else ""
    return f"{name}({', '.join(texts)}{axis})", _ATOM


def code_text(e: Expr) -> str:
    """An expression written as numpy code (``W.T.dot(dq)``, ``np.sum(dZ, axis=0)``),
    without recursion; ``a.dot(b)``, ``np.dot(a, b)`` and ``np.matmul(a, b)`` are all
    written ``a.dot(b)``, as the cs231n notes write them."""
    values: list[tuple[str, int]] = []  # each part's text and how tightly it binds
    stack: list[tuple[Expr, bool]] = [(e, False)]
    while stack:
        node, ready = stack.pop()
        if isinstance(node, Num):
            values.append((constant(node.value), _ATOM if node.value >= 0 else _UNARY))
            continue
        if isinstance(node, Name):
            values.append((node.id, _ATOM))
            continue
        if isinstance(node, Array):
            rows = [list(r) if isinstance(r, tuple) else r for r in node.values]
            values.append((cut(str(rows), 40), _ATOM))
            continue
        kids: tuple[Expr, ...] = (node.operand,) if isinstance(node, Neg) else \
            (node.left, node.right) if isinstance(node, BinOp) else node.args
        if not ready:
            stack.append((node, True))
            stack.extend((k, False) for k in reversed(kids))
            continue
        parts = values[len(values) - len(kids):]
        del values[len(values) - len(kids):]
        if isinstance(node, Neg):
            text, level = f"-{_wrap(parts[0][0], parts[0][1], _UNARY)}", _UNARY
        elif isinstance(node, BinOp):
            level = _PRECEDENCE[node.op]
            right = level + (0 if node.op == "**" else 1)  # a ** b ** c; a - (b - c)
            left = level + (1 if node.op == "**" else 0)
            op = "**" if node.op == "**" else f" {node.op} "  # q**2, as code writes it
            text = (f"{_wrap(parts[0][0], parts[0][1], left)}{op}"
                    f"{_wrap(parts[1][0], parts[1][1], right)}")
        else:
            text, level = _call_text(node, parts)
        values.append((cut(text, _LONGEST_PART), level))
    return values[0][0]
