"""The small rules the gate table's rows are written with (``gates.py``): ties of max and
min, a sigmoid and softplus that never overflow, where a gate is undefined, and how sympy
writes a local gradient (so that the table can write it without sympy).

>>> tie(2.0, 1.0), tie(1.0, 1.0)
((1.0, 0.0), (0.5, 0.5))
>>> power_rule("x", 3), reciprocal_rule("x", 2), piece("a", "b")
('3*x**2', '-2/x**2', '(1 if a > b, 1/2 if a = b, else 0)')
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING, Any

from .lazy import lazy_import
from .mathtext import superscript
from .notation import constant

if TYPE_CHECKING:
    import sympy
else:
    sympy = lazy_import("sympy")

__all__ = ["LEAK", "signed", "tie", "max_piece", "logistic", "softplus", "pow_domain",
           "division", "shown_constant", "number_text", "integer_text", "power_rule",
           "reciprocal_rule", "piece", "below", "power_label", "sympy_sigmoid"]

#: The slope of leaky_relu below zero.
LEAK = 0.01


# ---- numbers ------------------------------------------------------------------------------

def signed(op: str, c: float) -> str:
    """A label with a constant: ``+1`` / ``-1`` for an added constant, ``*2``, ``/2``."""
    if op == "+":
        return f"+{constant(c)}" if c >= 0 else f"-{constant(-c)}"
    return f"{op}{constant(c)}"


def power_label(x: str, c: float) -> str:
    """The label of a power with a constant exponent: ``x²``, ``x⁻¹``, ``x^0.5``."""
    if c == int(c) and abs(c) < 1000:
        return f"{x}{superscript(int(c))}"
    return f"{x}^{constant(c)}"


def tie(a: float, b: float) -> tuple[float, float]:
    """Local gradients of max(a, b): the larger side takes all, a tie splits in half."""
    if a > b:
        return (1.0, 0.0)
    if b > a:
        return (0.0, 1.0)
    return (0.5, 0.5)


def max_piece(a: Any, b: Any) -> Any:
    """The local gradient of max(a, b) with respect to a, as a sympy formula."""
    return sympy.Piecewise((1, a > b), (sympy.S.Half, sympy.Eq(a, b)), (0, True))


def logistic(x: float) -> float:
    """The logistic function, without overflow for large negative x."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def softplus(x: float) -> float:
    """log(1 + exp(x)), without overflow for large x."""
    return x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))


def pow_domain(x: float, c: float) -> str | None:
    """Why x**c is undefined, or None."""
    if x == 0 and c < 0:
        return "division by zero"
    if x < 0 and c != int(c):
        return "a negative number to a fractional power is not real"
    return None


def division(x: float) -> str | None:
    """Why dividing by x is undefined, or None."""
    return "division by zero" if x == 0 else None


# ---- local gradients as sympy writes them -------------------------------------------------

def shown_constant(c: float | None) -> Fraction | float | None:
    """A gate's constant as its local-gradient formula shows it: exact when it is short as
    typed (``0.01`` is 1/100), else the float itself (1/3 is written to 4 digits).

    >>> shown_constant(0.01), shown_constant(2.0), shown_constant(1 / 3)
    (Fraction(1, 100), Fraction(2, 1), 0.3333333333333333)
    """
    if c is None:
        return None
    if len(repr(c)) > 8:
        return c
    if c == int(c) and abs(c) < 1e15:
        return Fraction(int(c))
    return Fraction(repr(float(c)))


def number_text(v: Fraction | float) -> str:
    """A number as sympy prints it in a formula: ``-1/4`` exactly, a float to 4 digits."""
    return str(v) if isinstance(v, Fraction) else format(v, ".4g")


def integer_text(c: Fraction | float | None,
                 text: Callable[[int], str | None]) -> tuple[str, ...] | None:
    """``(text(k),)`` for a whole-number constant k; None (sympy writes it) otherwise."""
    if not isinstance(c, Fraction) or c.denominator != 1:
        return None
    written = text(int(c))
    return None if written is None else (written,)


def power_rule(x: str, k: int) -> str:
    """d/dx x**k as sympy prints it: ``2*x``, ``3*x**2``, ``-1/x**2``."""
    if k in (0, 1):
        return str(k)
    if k > 0:
        return f"2*{x}" if k == 2 else f"{k}*{x}**{k - 1}"
    return f"{k}/{x}**{1 - k}"


def reciprocal_rule(x: str, k: int) -> str:
    """d/dx k/x as sympy prints it: ``-2/x**2``, ``x**(-2)`` for k = -1."""
    if k == 0:
        return "0"
    return f"{x}**(-2)" if k == -1 else f"{-k}/{x}**2"


def piece(a: str, b: str) -> str:
    """The local gradient of max(a, b) with respect to a, as printed (see :func:`max_piece`)."""
    return f"(1 if {a} > {b}, 1/2 if {a} = {b}, else 0)"


def below(x: str, k: int) -> str:
    """The local gradient of min(x, k), as sympy prints it (the number goes right)."""
    return f"(1 if {x} < {k}, 1/2 if {x} = {k}, else 0)"


@cache
def sympy_sigmoid() -> Any:
    """The logistic function as a sympy function, so formulas read ``sigmoid(x)``; made on
    first use (it needs sympy)."""

    class sigmoid(sympy.Function):  # noqa: N801 - named as formulas print it
        """The logistic function as a sympy function, so formulas read ``sigmoid(x)``."""

        @classmethod
        def eval(cls, x):
            if x.is_Number:
                return 1 / (1 + sympy.exp(-x))
            return None

        def fdiff(self, argindex: int = 1) -> Any:
            s = sigmoid(self.args[0])
            return s * (1 - s)

        def _eval_rewrite_as_exp(self, x, **kwargs):
            return 1 / (1 + sympy.exp(-x))

        def _eval_evalf(self, prec):
            return self.rewrite(sympy.exp)._eval_evalf(prec)

    return sigmoid
