"""The one table of gates: each gate's label, forward rule and local derivatives.

A gate has one or two input wires.  A binary operation with one constant operand
(``x*2``, ``1+x``, ``x**2``) is a one-input gate that carries the constant ``c``;
its label shows it (``*2``, ``+1``, ``**2``).

Every entry keeps together:

* ``label``: the text drawn inside the gate circle, given the constant;
* ``forward``: the float64 rule, ``forward(xs, c) -> float``;
* ``local``: the float64 local gradients, ``local(xs, c, out) -> (d out / d x_i, ...)``;
* ``formula``: the output as a sympy expression of the inputs (symbolic mode, references);
* ``derivative``: the local gradients as sympy expressions (for display);
* ``domain``: says why the gate is undefined at ``xs`` (or ``None`` where it is defined);
* ``kink``: whether ``xs`` is a non-differentiable point (the gradient follows PyTorch there);
* ``expand``: for composite gates, the same function written with primitive gates in the
  tool's own language, in terms of ``x`` (used by ``--expand``);
* ``text``: the operation written out in captions (``{0} · {1}``);
* ``local_text``: ``derivative`` as text, exactly as sympy prints it, from the inputs' names
  and the constant as formulas show it (:func:`shown_constant`), so tables and captions need
  no sympy; ``None`` (or a row without it) where only sympy can write it.

Adding a gate means adding one entry to ``GATES`` (and a row to the tests).

>>> GATES["mul"].local((3.0, -4.0), None, -12.0)
(-4.0, 3.0)
>>> GATES["mul_c"].label(-1)
'*-1'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .errors import EvaluationError
from .lazy import lazy_import
from .notation import constant

if TYPE_CHECKING:
    import sympy
else:
    sympy = lazy_import("sympy")  # only symbolic work reads it: numbers need none of it

__all__ = ["Gate", "GATES", "FUNCTIONS", "shown_constant", "sigmoid"]

Floats = Sequence[float]


@lru_cache(maxsize=None)
def _sigmoid_function() -> Any:
    """The logistic function as a sympy function, so formulas read ``sigmoid(x)``; made on
    first use (it needs sympy)."""

    class sigmoid(sympy.Function):
        """The logistic function as a sympy function, so formulas read ``sigmoid(x)``."""

        @classmethod
        def eval(cls, x):  # noqa: D102 - sympy hook
            if x.is_Number:
                return 1 / (1 + sympy.exp(-x))
            return None

        def fdiff(self, argindex: int = 1):  # noqa: D102 - sympy hook
            s = sigmoid(self.args[0])
            return s * (1 - s)

        def _eval_rewrite_as_exp(self, x, **kwargs):
            return 1 / (1 + sympy.exp(-x))

        def _eval_evalf(self, prec):
            return self.rewrite(sympy.exp)._eval_evalf(prec)

    return sigmoid


def __getattr__(name: str) -> Any:
    """``gates.sigmoid``, the sympy function, made when first asked for."""
    if name == "sigmoid":
        return _sigmoid_function()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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


def _number_text(v: Fraction | float) -> str:
    """A number as sympy prints it in a formula: ``-1/4`` exactly, a float to 4 digits."""
    return str(v) if isinstance(v, Fraction) else format(v, ".4g")


def _integer_text(c: Fraction | float | None,
                  text: Callable[[int], str | None]) -> tuple[str, ...] | None:
    """``(text(k),)`` for a whole-number constant k; None (sympy writes it) otherwise."""
    if not isinstance(c, Fraction) or c.denominator != 1:
        return None
    written = text(int(c))
    return None if written is None else (written,)


def _power_rule(x: str, k: int) -> str:
    """d/dx x**k as sympy prints it: ``2*x``, ``3*x**2``, ``-1/x**2``."""
    if k in (0, 1):
        return str(k)
    if k > 0:
        return f"2*{x}" if k == 2 else f"{k}*{x}**{k - 1}"
    return f"{k}/{x}**{1 - k}"


def _reciprocal_rule(x: str, k: int) -> str:
    """d/dx k/x as sympy prints it: ``-2/x**2``, ``x**(-2)`` for k = -1."""
    if k == 0:
        return "0"
    return f"{x}**(-2)" if k == -1 else f"{-k}/{x}**2"


def _piece(a: str, b: str) -> str:
    """The local gradient of max(a, b) with respect to a, as printed (see ``_max_piece``)."""
    return f"(1 if {a} > {b}, 1/2 if {a} = {b}, else 0)"


def _below(x: str, k: int) -> str:
    """The local gradient of min(x, k), as sympy prints it (the number goes right)."""
    return f"(1 if {x} < {k}, 1/2 if {x} = {k}, else 0)"


@dataclass(frozen=True)
class Gate:
    """One row of the gate table (see the module docstring)."""

    key: str
    arity: int
    label: Callable[[float | None], str]
    forward: Callable[[Floats, float | None], float]
    local: Callable[[Floats, float | None, float], tuple[float, ...]]
    formula: Callable[..., sympy.Expr]
    derivative: Callable[..., tuple[sympy.Expr, ...]]
    domain: Callable[[Floats, float | None], str | None] = lambda xs, c: None
    kink: Callable[[Floats, float | None], bool] = lambda xs, c: False
    expand: str | None = None
    text: str = ""
    local_text: Callable[[Sequence[str], Any], tuple[str, ...] | None] | None = None

    def checked_forward(self, xs: Floats, c: float | None = None) -> float:
        """``forward`` as a finite real float64, or an :class:`EvaluationError` saying why not.

        >>> GATES["log"].checked_forward((-2.0,))
        Traceback (most recent call last):
        ...
        graphviz_backprop.errors.EvaluationError: log of a non-positive number
        >>> GATES["exp"].checked_forward((1000.0,))
        Traceback (most recent call last):
        ...
        graphviz_backprop.errors.EvaluationError: result overflows float64
        """
        problem = self.domain(xs, c)
        if problem is None:
            try:
                out = self.forward(xs, c)
            except OverflowError:
                problem = "result overflows float64"
            except (ValueError, ZeroDivisionError):
                problem = "result is not defined"
            else:
                if isinstance(out, complex):
                    problem = "result is not a real number"
                elif math.isnan(out):
                    problem = "result is not a number"
                elif math.isinf(out):
                    problem = "result overflows float64"
                else:
                    return float(out)
        raise EvaluationError(problem)

    def apply_text(self, args: Sequence[str], c: float | None = None) -> str:
        """The operation written out, for captions; negative operands get parentheses.

        >>> GATES["mul"].apply_text(["3.00", "-4.00"])
        '3.00 · (-4.00)'
        >>> GATES["exp"].apply_text(["-1.00"]), GATES["add_c"].apply_text(["0.37"], 1.0)
        ('exp(-1.00)', '0.37 + 1')
        """
        def bare(i: int) -> bool:  # a leading operand needs no parentheses, except in a power
            return f"({{{i}}})" in self.text or (i == 0 and self.text.startswith("{0} "))

        def inner(i: int, a: str) -> str:  # no doubled parentheses: log((1 - p)) is log(1 - p)
            if f"({{{i}}})" in self.text and a.startswith("(") and a.endswith(")"):
                return a[1:-1]
            return a

        shown = [inner(i, a) if bare(i) or not a.startswith("-") else f"({a})"
                 for i, a in enumerate(args)]
        shown_c = "" if c is None else constant(c)
        if c is not None and c < 0 and "({c})" not in self.text:
            shown_c = f"({shown_c})"
        return self.text.format(*shown, c=shown_c)


    def local_texts(self, names: Sequence[str], c: float | None = None
                    ) -> tuple[str, ...] | None:
        """The local gradients as text from the inputs' names, without sympy; None where only
        sympy can write them (see ``local_text``).

        >>> GATES["mul"].local_texts(["q", "z"]), GATES["pow_c"].local_texts(["x"], 3.0)
        (('z', 'q'), ('3*x**2',))
        """
        if self.local_text is None:
            return None
        return self.local_text(names, shown_constant(c))


def _signed(op: str, c: float) -> str:
    """``+1`` / ``-1`` for an added constant, keeping the sign readable."""
    if op == "+":
        return f"+{constant(c)}" if c >= 0 else f"-{constant(-c)}"
    return f"{op}{constant(c)}"


def _tie(a: float, b: float) -> tuple[float, float]:
    """Local gradients of max(a, b): the larger side takes all, a tie splits in half."""
    if a > b:
        return (1.0, 0.0)
    if b > a:
        return (0.0, 1.0)
    return (0.5, 0.5)


def _max_piece(a, b):
    return sympy.Piecewise((1, a > b), (sympy.S.Half, sympy.Eq(a, b)), (0, True))


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(x: float) -> float:
    return x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))


def _pow_domain(x: float, c: float) -> str | None:
    if x == 0 and c < 0:
        return "division by zero"
    if x < 0 and c != int(c):
        return "a negative number to a fractional power is not real"
    return None


def _zero(x: float) -> str | None:
    return "division by zero" if x == 0 else None


_LEAK = 0.01

_TABLE: list[Gate] = [
    # ---- two variable inputs -------------------------------------------------------------
    Gate("add", 2, lambda c: "+",
         lambda xs, c: xs[0] + xs[1],
         lambda xs, c, out: (1.0, 1.0),
         lambda a, b, c: a + b,
         lambda a, b, c: (sympy.S.One, sympy.S.One),
         text="{0} + {1}",
         local_text=lambda n, c: ("1", "1")),
    Gate("sub", 2, lambda c: "-",
         lambda xs, c: xs[0] - xs[1],
         lambda xs, c, out: (1.0, -1.0),
         lambda a, b, c: a - b,
         lambda a, b, c: (sympy.S.One, sympy.S.NegativeOne),
         text="{0} - {1}",
         local_text=lambda n, c: ("1", "-1")),
    Gate("mul", 2, lambda c: "*",
         lambda xs, c: xs[0] * xs[1],
         lambda xs, c, out: (xs[1], xs[0]),
         lambda a, b, c: a * b,
         lambda a, b, c: (b, a),
         text="{0} · {1}",
         local_text=lambda n, c: (n[1], n[0])),
    Gate("div", 2, lambda c: "/",
         lambda xs, c: xs[0] / xs[1],
         lambda xs, c, out: (1.0 / xs[1], -xs[0] / xs[1] ** 2),
         lambda a, b, c: a / b,
         lambda a, b, c: (1 / b, -a / b**2),
         domain=lambda xs, c: _zero(xs[1]),
         text="{0} / {1}",
         local_text=lambda n, c: None if n[0] == n[1] else (f"1/{n[1]}", f"-{n[0]}/{n[1]}**2")),
    Gate("pow", 2, lambda c: "**",
         lambda xs, c: xs[0] ** xs[1],
         lambda xs, c, out: (xs[1] * xs[0] ** (xs[1] - 1), out * math.log(xs[0])),
         lambda a, b, c: a**b,
         lambda a, b, c: (b * a ** (b - 1), a**b * sympy.log(a)),
         domain=lambda xs, c: None if xs[0] > 0
         else "a power with a variable exponent needs a positive base",
         text="{0}^{1}"),
    Gate("max", 2, lambda c: "max",
         lambda xs, c: max(xs[0], xs[1]),
         lambda xs, c, out: _tie(xs[0], xs[1]),
         lambda a, b, c: sympy.Max(a, b),
         lambda a, b, c: (_max_piece(a, b), _max_piece(b, a)),
         kink=lambda xs, c: xs[0] == xs[1],
         text="max({0}, {1})"),
    Gate("min", 2, lambda c: "min",
         lambda xs, c: min(xs[0], xs[1]),
         lambda xs, c, out: _tie(xs[1], xs[0]),
         lambda a, b, c: sympy.Min(a, b),
         lambda a, b, c: (_max_piece(b, a), _max_piece(a, b)),
         kink=lambda xs, c: xs[0] == xs[1],
         text="min({0}, {1})"),
    # ---- one variable input and a constant c ------------------------------------------------
    Gate("add_c", 1, lambda c: _signed("+", c),
         lambda xs, c: xs[0] + c,
         lambda xs, c, out: (1.0,),
         lambda x, c: x + c,
         lambda x, c: (sympy.S.One,),
         text="{0} + {c}",
         local_text=lambda n, c: ("1",)),
    Gate("rsub_c", 1, lambda c: f"{constant(c)}-x",
         lambda xs, c: c - xs[0],
         lambda xs, c, out: (-1.0,),
         lambda x, c: c - x,
         lambda x, c: (sympy.S.NegativeOne,),
         text="{c} - {0}",
         local_text=lambda n, c: ("-1",)),
    Gate("mul_c", 1, lambda c: _signed("*", c),
         lambda xs, c: xs[0] * c,
         lambda xs, c, out: (c,),
         lambda x, c: x * c,
         lambda x, c: (c,),
         text="{0} · {c}",
         local_text=lambda n, c: (_number_text(c),)),
    Gate("div_c", 1, lambda c: _signed("/", c),
         lambda xs, c: xs[0] / c,
         lambda xs, c, out: (1.0 / c,),
         lambda x, c: x / c,
         lambda x, c: (1 / c,),
         text="{0} / {c}",
         local_text=lambda n, c: (_number_text(1 / c),)),
    Gate("rdiv_c", 1, lambda c: f"{constant(c)}/x",
         lambda xs, c: c / xs[0],
         lambda xs, c, out: (-c / xs[0] ** 2,),
         lambda x, c: c / x,
         lambda x, c: (-c / x**2,),
         domain=lambda xs, c: _zero(xs[0]),
         text="{c} / {0}",
         local_text=lambda n, c: _integer_text(c, lambda k: _reciprocal_rule(n[0], k))),
    Gate("pow_c", 1, lambda c: f"**{constant(c)}",
         lambda xs, c: xs[0] ** c,
         lambda xs, c, out: (c * xs[0] ** (c - 1),),
         lambda x, c: x**c,
         lambda x, c: (c * x ** (c - 1),),
         domain=lambda xs, c: _pow_domain(xs[0], c),
         text="{0}^{c}",
         local_text=lambda n, c: _integer_text(c, lambda k: _power_rule(n[0], k))),
    Gate("rpow_c", 1, lambda c: f"{constant(c)}**x",
         lambda xs, c: c ** xs[0],
         lambda xs, c, out: (out * math.log(c),),
         lambda x, c: c**x,
         lambda x, c: (c**x * sympy.log(c),),
         domain=lambda xs, c: None if c > 0
         else "a power with a variable exponent needs a positive base",
         text="{c}^{0}",
         local_text=lambda n, c: _integer_text(c, lambda k: f"{k}**{n[0]}*log({k})" if k > 1 else None)),
    Gate("max_c", 1, lambda c: f"max(x,{constant(c)})",
         lambda xs, c: max(xs[0], c),
         lambda xs, c, out: _tie(xs[0], c)[:1],
         lambda x, c: sympy.Max(x, c),
         lambda x, c: (_max_piece(x, c),),
         kink=lambda xs, c: xs[0] == c,
         text="max({0}, {c})",
         local_text=lambda n, c: _integer_text(c, lambda k: _piece(n[0], str(k)))),
    Gate("cmax", 1, lambda c: f"max({constant(c)},x)",
         lambda xs, c: max(c, xs[0]),
         lambda xs, c, out: _tie(xs[0], c)[:1],
         lambda x, c: sympy.Max(c, x),
         lambda x, c: (_max_piece(x, c),),
         kink=lambda xs, c: xs[0] == c,
         text="max({c}, {0})",
         local_text=lambda n, c: _integer_text(c, lambda k: _piece(n[0], str(k)))),
    Gate("min_c", 1, lambda c: f"min(x,{constant(c)})",
         lambda xs, c: min(xs[0], c),
         lambda xs, c, out: _tie(c, xs[0])[:1],
         lambda x, c: sympy.Min(x, c),
         lambda x, c: (_max_piece(c, x),),
         kink=lambda xs, c: xs[0] == c,
         text="min({0}, {c})",
         local_text=lambda n, c: _integer_text(c, lambda k: _below(n[0], k))),
    Gate("cmin", 1, lambda c: f"min({constant(c)},x)",
         lambda xs, c: min(c, xs[0]),
         lambda xs, c, out: _tie(c, xs[0])[:1],
         lambda x, c: sympy.Min(c, x),
         lambda x, c: (_max_piece(c, x),),
         kink=lambda xs, c: xs[0] == c,
         text="min({c}, {0})",
         local_text=lambda n, c: _integer_text(c, lambda k: _below(n[0], k))),
    # ---- functions of one input ---------------------------------------------------------------
    Gate("exp", 1, lambda c: "exp",
         lambda xs, c: math.exp(xs[0]),
         lambda xs, c, out: (out,),
         lambda x, c: sympy.exp(x),
         lambda x, c: (sympy.exp(x),),
         text="exp({0})",
         local_text=lambda n, c: (f"exp({n[0]})",)),
    Gate("log", 1, lambda c: "log",
         lambda xs, c: math.log(xs[0]),
         lambda xs, c, out: (1.0 / xs[0],),
         lambda x, c: sympy.log(x),
         lambda x, c: (1 / x,),
         domain=lambda xs, c: None if xs[0] > 0 else "log of a non-positive number",
         text="log({0})",
         local_text=lambda n, c: (f"1/{n[0]}",)),
    Gate("sqrt", 1, lambda c: "sqrt",
         lambda xs, c: math.sqrt(xs[0]),
         lambda xs, c, out: (0.5 / out if out else math.inf,),
         lambda x, c: sympy.sqrt(x),
         lambda x, c: (1 / (2 * sympy.sqrt(x)),),
         domain=lambda xs, c: None if xs[0] >= 0 else "square root of a negative number",
         text="sqrt({0})",
         local_text=lambda n, c: (f"1/(2*sqrt({n[0]}))",)),
    Gate("abs", 1, lambda c: "abs",
         lambda xs, c: abs(xs[0]),
         lambda xs, c, out: (float((xs[0] > 0) - (xs[0] < 0)),),
         lambda x, c: sympy.Abs(x),
         lambda x, c: (sympy.sign(x),),
         kink=lambda xs, c: xs[0] == 0,
         text="|{0}|",
         local_text=lambda n, c: (f"sign({n[0]})",)),
    Gate("sin", 1, lambda c: "sin",
         lambda xs, c: math.sin(xs[0]),
         lambda xs, c, out: (math.cos(xs[0]),),
         lambda x, c: sympy.sin(x),
         lambda x, c: (sympy.cos(x),),
         text="sin({0})",
         local_text=lambda n, c: (f"cos({n[0]})",)),
    Gate("cos", 1, lambda c: "cos",
         lambda xs, c: math.cos(xs[0]),
         lambda xs, c, out: (-math.sin(xs[0]),),
         lambda x, c: sympy.cos(x),
         lambda x, c: (-sympy.sin(x),),
         text="cos({0})",
         local_text=lambda n, c: (f"-sin({n[0]})",)),
    Gate("tanh", 1, lambda c: "tanh",
         lambda xs, c: math.tanh(xs[0]),
         lambda xs, c, out: (1.0 - out * out,),
         lambda x, c: sympy.tanh(x),
         lambda x, c: (1 - sympy.tanh(x) ** 2,),
         expand="t = exp(2*x); (t - 1)/(t + 1)",
         text="tanh({0})",
         local_text=lambda n, c: (f"1 - tanh({n[0]})**2",)),
    Gate("sigmoid", 1, lambda c: "σ",
         lambda xs, c: _sigmoid(xs[0]),
         lambda xs, c, out: ((1.0 - out) * out,),
         lambda x, c: _sigmoid_function()(x),
         lambda x, c: ((1 - _sigmoid_function()(x)) * _sigmoid_function()(x),),
         expand="1/(1 + exp(-x))",
         text="σ({0})",
         local_text=lambda n, c: (f"(1 - sigmoid({n[0]}))*sigmoid({n[0]})",)),
    Gate("relu", 1, lambda c: "relu",
         lambda xs, c: max(0.0, xs[0]),
         lambda xs, c, out: (1.0 if xs[0] > 0 else 0.0,),
         lambda x, c: sympy.Max(0, x),
         lambda x, c: (sympy.Heaviside(x, 0),),
         kink=lambda xs, c: xs[0] == 0,
         text="relu({0})",
         local_text=lambda n, c: (f"(1 if {n[0]} > 0, else 0)",)),
    Gate("leaky_relu", 1, lambda c: "leaky relu",
         lambda xs, c: xs[0] if xs[0] > 0 else _LEAK * xs[0],
         lambda xs, c, out: (1.0 if xs[0] > 0 else _LEAK,),
         lambda x, c: sympy.Max(sympy.Rational(1, 100) * x, x),
         lambda x, c: (sympy.Piecewise((1, x > 0), (sympy.Rational(1, 100), True)),),
         kink=lambda xs, c: xs[0] == 0,
         expand="max(0.01*x, x)",
         text="leaky_relu({0})",
         local_text=lambda n, c: (f"(1 if {n[0]} > 0, else 1/100)",)),
    Gate("elu", 1, lambda c: "elu",
         lambda xs, c: xs[0] if xs[0] > 0 else math.expm1(xs[0]),
         lambda xs, c, out: (1.0 if xs[0] > 0 else math.exp(xs[0]),),
         lambda x, c: sympy.Piecewise((x, x > 0), (sympy.exp(x) - 1, True)),
         lambda x, c: (sympy.Piecewise((1, x > 0), (sympy.exp(x), True)),),
         expand="max(x, 0) + min(exp(x) - 1, 0)",
         text="elu({0})",
         local_text=lambda n, c: (f"(1 if {n[0]} > 0, else exp({n[0]}))",)),
    Gate("softplus", 1, lambda c: "softplus",
         lambda xs, c: _softplus(xs[0]),
         lambda xs, c, out: (_sigmoid(xs[0]),),
         lambda x, c: sympy.log(1 + sympy.exp(x)),
         lambda x, c: (_sigmoid_function()(x),),
         expand="log(1 + exp(x))",
         text="softplus({0})",
         local_text=lambda n, c: (f"sigmoid({n[0]})",)),
]

GATES: dict[str, Gate] = {g.key: g for g in _TABLE}

#: Function name in the source -> gate key (binary max/min are handled with their constant forms).
FUNCTIONS: dict[str, str] = {
    name: name
    for name in ("exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu",
                 "leaky_relu", "elu", "softplus", "max", "min")
}
