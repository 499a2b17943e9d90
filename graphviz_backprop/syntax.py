"""The small syntax tree every source becomes: numbers, names, calls, binary operations,
negation; statements and programs.  Plain data, built by ``parser.py`` (and
``fromsympy.py``), read by ``graph.py`` and ``check``.

>>> names_in(BinOp("*", Name("q", 1, 1), Call("exp", (Name("x", 1, 5),), 1, 5), 1, 1))
['q', 'x']
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

__all__ = ["Num", "Name", "Call", "Array", "BinOp", "Neg", "Expr", "Statement", "Program",
           "is_constant", "names_in", "depth_of", "call_in"]


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
    """A call of a known function (``FUNCTIONS``); max and min are always binary here.

    ``c`` is a whole-number setting that is data, not a wire: the ``axis`` of a sum or a mean,
    the class index of a cross-entropy, the index of ``w[0]`` (a tuple); None if there is none.
    """

    func: str
    args: tuple[Expr, ...]
    line: int
    col: int
    c: int | tuple[int, ...] | None = None


@dataclass(frozen=True)
class Array:
    """A vector or matrix literal, the value an input is bound to (``x = [0.2, 0.4]``):
    the rows as tuples of floats."""

    values: tuple[float, ...] | tuple[tuple[float, ...], ...]
    line: int
    col: int


@dataclass(frozen=True)
class BinOp:
    """``left op right`` with op one of ``+ - * / **``."""

    op: str
    left: Expr
    right: Expr
    line: int
    col: int


@dataclass(frozen=True)
class Neg:
    """Unary minus."""

    operand: Expr
    line: int
    col: int


Expr = Num | Name | Call | BinOp | Neg | Array


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


def depth_of(expr: Expr) -> int:
    """How many levels deep an expression is (a name or a number is 1), without recursion.

    >>> from graphviz_backprop.parser import parse
    >>> depth_of(parse("max(a, b, c) + 1").statements[0].value)  # max(max(a, b), c) + 1
    4
    """
    deepest, stack = 0, [(expr, 1)]
    while stack:
        e, d = stack.pop()
        deepest = max(deepest, d)
        if isinstance(e, BinOp):
            stack += [(e.left, d + 1), (e.right, d + 1)]
        elif isinstance(e, Neg):
            stack.append((e.operand, d + 1))
        elif isinstance(e, Call):
            stack += [(a, d + 1) for a in e.args]
    return deepest


def names_in(expr: Expr) -> list[str]:
    """Variable names an expression reads, in order of first use.

    >>> from graphviz_backprop.parser import parse
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


def call_in(expr: Expr, funcs: Collection[str]) -> Call | None:
    """The first call of one of ``funcs`` in an expression (as read left to right), or None.

    >>> from graphviz_backprop.parser import parse
    >>> call_in(parse("dA * (Z > 0)", masks=True).statements[0].value, {"greater"}).func
    'greater'
    """
    stack = [expr]
    while stack:
        e = stack.pop()
        if isinstance(e, Call):
            if e.func in funcs:
                return e
            stack += list(reversed(e.args))
        elif isinstance(e, BinOp):
            stack += [e.right, e.left]
        elif isinstance(e, Neg):
            stack.append(e.operand)
    return None
