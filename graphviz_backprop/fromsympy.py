"""A sympy expression -> the syntax tree (the Python API: ``trace(sympy_expr)``).

Sympy's own argument order is kept; only the known functions are accepted.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .errors import InputError
from .gates import FUNCTIONS, GATES, SYMPY_NAMES
from .lazy import lazy_import
from .syntax import BinOp, Call, Expr, Name, Neg, Num, Program, Statement
from .whitelist import known_functions, reserved

if TYPE_CHECKING:
    import sympy
else:
    sympy = lazy_import("sympy")

__all__ = ["parse_sympy"]


def _fold(op: str, items: list[Expr]) -> Expr:
    result = items[0]
    for item in items[1:]:
        result = BinOp(op, result, item, 1, 1)
    return result


def _from_sympy(expr: sympy.Basic) -> Expr:
    if isinstance(expr, sympy.Symbol):
        if reserved(expr.name) or not expr.name.isidentifier() or not expr.name.isascii():
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
        name = SYMPY_NAMES.get(type(expr).__name__)
        if name is None:
            raise InputError(f"sympy function '{type(expr).__name__}' is not supported"
                             f" (known: {known_functions()})")
        args = [_from_sympy(a) for a in expr.args]
        if GATES[FUNCTIONS[name]].arity == 1:
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
