"""Comparing a claim with the correct answer: numbers within the tolerance, formulas by
exact arithmetic where that is small and by spot checks at random points (30-digit floats,
skipping points where a part is not finite).
"""

from __future__ import annotations

import math
import random
from typing import Any

import sympy

from ..arrays import is_array
from ..errors import LimitError
from ..limits import MAX_INTEGER_DIGITS
from .answers import Forward
from .results import Tolerance

#: Spot checks of formula equivalence: how many points, the seed, the relative agreement.
_SPOT_POINTS = 8


_SPOT_SEED = 231


_SPOT_RTOL = 1e-9


#: Digits of the floats a spot check works with.
_SPOT_DIGITS = 30


#: Largest magnitude, in bits, of a number that exact arithmetic makes or a spot check works
#: with: 10**±MAX_INTEGER_DIGITS.
MAX_BITS = math.ceil(MAX_INTEGER_DIGITS * math.log2(10))


def as_sympy(value: Any) -> sympy.Basic:
    """An internal number or formula as a sympy object (never parses text)."""
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"not a number or formula: {value!r}")
    return sympy.Integer(value) if isinstance(value, int) else sympy.Float(value)


class OutOfRangeError(Exception):
    """A number a spot check does not work with: not finite, or beyond 10**±1000."""


def bit_size(number: sympy.Number) -> int:
    """How far a number is from 1, in bits (the size of its binary exponent); 0 for zero.

    >>> small = sympy.Float(1e-300)
    >>> bit_size(sympy.Integer(2) ** 100), bit_size(sympy.Rational(1, 1024)), bit_size(small)
    (101, 11, 996)
    """
    if number.is_Float:
        _, mantissa, exponent, size = number._mpf_
        if not mantissa:
            if exponent:  # inf or nan
                raise OutOfRangeError
            return 0
        return abs(exponent + size)
    if number.is_Rational:
        return max(abs(number.p).bit_length(), number.q.bit_length())
    raise OutOfRangeError  # oo, nan


def _in_range(value: Any) -> Any:
    """``value`` if every number in it is finite and within 10**±1000 (:data:`MAX_BITS`)."""
    if isinstance(value, sympy.Expr):
        if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            raise OutOfRangeError
        for number in (value,) if value.is_Number else value.atoms(sympy.Number):
            if bit_size(number) > MAX_BITS:
                raise OutOfRangeError
    return value


def spot_value(expr: sympy.Basic, point: dict[sympy.Symbol, sympy.Float]) -> complex | None:
    """``expr`` with its symbols at ``point``, worked out part by part in floats of
    :data:`_SPOT_DIGITS` digits; None where a part is not a finite number or is beyond
    10**±1000 (:data:`MAX_BITS`).

    Working bottom-up bounds the work: sympy, given the whole formula, would work out
    ``exp(exp(exp(exp(x))))`` to a number whose exponent alone has millions of digits.  A
    shared part is worked out once, and no part of the formula is walked recursively.

    >>> x = sympy.Symbol("x", real=True)
    >>> spot_value(x**2 + 1, {x: sympy.Float(3, 30)})
    (10+0j)
    >>> spot_value(sympy.exp(sympy.exp(sympy.exp(sympy.exp(x)))), {x: sympy.Float(3, 30)}) is None
    True
    """
    memo: dict[Any, Any] = {}
    stack: list[tuple[Any, bool]] = [(expr, False)]
    try:
        while stack:
            node, ready = stack.pop()
            if node in memo:
                continue
            if node in point:
                memo[node] = point[node]
            elif not node.args:  # a number, a constant such as pi, true or false
                memo[node] = _in_range(node.evalf(_SPOT_DIGITS) if node.is_NumberSymbol else node)
            elif not ready:
                stack.append((node, True))
                stack.extend((arg, False) for arg in node.args if arg not in memo)
            else:
                value = node.func(*(memo[arg] for arg in node.args))
                if isinstance(value, sympy.Expr) and not value.is_Number:
                    value = value.evalf(_SPOT_DIGITS)  # its parts are numbers in range
                memo[node] = _in_range(value)
        return complex(memo[expr])
    except (OutOfRangeError, TypeError, ValueError, ZeroDivisionError, OverflowError,
            AttributeError, MemoryError, RecursionError):
        return None


def _eval_at(expr: sympy.Expr, point: dict[sympy.Symbol, float]) -> float | None:
    """A formula's value at a point, or None where it is not a finite real number (or a part
    of it is beyond 10**±1000)."""
    value = spot_value(as_sympy(expr), {s: sympy.Float(v, _SPOT_DIGITS) for s, v in point.items()})
    if value is None or not math.isfinite(value.real) \
            or abs(value.imag) > 1e-12 * max(1.0, abs(value.real)):
        return None
    return value.real


def _spot_points(symbols: list[sympy.Symbol], center: dict[str, float] | None) -> list[dict]:
    """Seeded random points: near ``center`` (same branch of max/relu/abs), else spread out."""
    rng = random.Random(_SPOT_SEED)
    points = []
    for i in range(_SPOT_POINTS):
        point = {}
        for s in symbols:
            c = center.get(s.name) if center else None
            if c is not None:
                point[s] = c * (1 + rng.uniform(-0.1, 0.1)) + rng.uniform(-0.01, 0.01)
            else:
                sign = 1 if i % 2 == 0 else rng.choice((1, -1))
                point[s] = sign * rng.uniform(0.3, 2.0)
        points.append(point)
    return points


#: The largest difference of two formulas sympy.simplify is asked about: its operations, and
#: its degree as a polynomial once multiplied out (simplify multiplies out, and did so to
#: (x + 1)**10**6 for gigabytes within the time budget).
_SIMPLIFY_OPS = 500


_SIMPLIFY_DEGREE = 64


def _degree(expr: sympy.Basic) -> float:
    """The degree a formula would have multiplied out, counting each function as a variable.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> _degree(x**2 * (1 - x)**3), _degree(((x + y + 1)**32 + 1)**32), _degree(sympy.exp(x**3))
    (5, 1024, 3)
    """
    memo: dict[Any, float] = {}
    stack = [(expr, False)]
    while stack:
        node, ready = stack.pop()
        if node in memo:
            continue
        if not node.args:
            memo[node] = 1 if node.is_Symbol else 0
        elif not ready:
            stack.append((node, True))
            stack.extend((arg, False) for arg in node.args if arg not in memo)
        elif node.is_Pow and node.exp.is_Rational:
            memo[node] = abs(node.exp) * memo[node.base]
        elif node.is_Mul:
            memo[node] = sum(memo[arg] for arg in node.args)
        else:
            memo[node] = max(memo[arg] for arg in node.args)
    return memo[expr]


def equivalent(a: Any, b: Any, center: dict[str, float] | None) -> bool:
    """Same formula: agreement at seeded random points near the point, else simplify(a-b) == 0
    (a :class:`LimitError` when the difference is too large for simplify).

    >>> x, z = sympy.symbols("x z", real=True)
    >>> equivalent(1 * z, z, None), equivalent((x + 1)**2, x**2 + 2*x + 1, {"x": 3.0})
    (True, True)
    >>> equivalent(-z, z, {"z": -4.0})
    False
    """
    a, b = as_sympy(a), as_sympy(b)
    diff = a - b
    if diff == 0:
        return True
    symbols = sorted(a.free_symbols | b.free_symbols, key=lambda s: s.name)
    agree = 0
    for point in _spot_points(symbols, center):
        va, vb = _eval_at(a, point), _eval_at(b, point)
        if va is None or vb is None:
            continue
        if abs(va - vb) > _SPOT_RTOL * max(1.0, abs(va), abs(vb)):
            return False
        agree += 1
    if agree >= 3:
        return True
    if _degree(diff) > _SIMPLIFY_DEGREE or sympy.count_ops(diff) > _SIMPLIFY_OPS:
        raise LimitError("too large for sympy.simplify")  # the caller: too complex to check
    try:  # too few points where both are defined: ask sympy
        return bool(sympy.simplify(diff) == 0)
    except (RecursionError, MemoryError, OverflowError):
        raise  # too large for sympy: not shown equal, nor different (the caller says so)
    except Exception:
        return False


class Compare:
    """Equality of a claim and the truth: within the tolerance, or the same formula."""

    def __init__(self, forward: Forward, tolerance: Tolerance):
        self.forward = forward
        self.tolerance = tolerance

    def same(self, given: Any, expected: Any) -> bool:
        if self.forward.symbolic:
            return equivalent(given, expected, None)
        if is_array(given) or is_array(expected):
            return self.tolerance.allows(given, expected)
        return self.tolerance.allows(float(given), float(expected))
