"""The one table of gates: each gate's label, forward rule and local derivatives, in one row.

A gate has one or two input wires.  A binary operation with one constant operand
(``x*2``, ``1+x``, ``x**2``) is a one-input gate that carries the constant ``c``; its label
shows it (``*2``, ``+1``, ``x²``).  A row is written with keywords; its rules take the
gate's inputs (and ``c``, for a gate with a constant) as arguments:

* ``label``: the text drawn in the gate's circle (for a gate with a constant, a function of
  ``c`` and of the letter that stands for the input: ``1/x``, ``x²``);
* ``forward``: the value in float64;
* ``local``: the local gradients in float64, d out / d input, one per input wire;
* ``formula`` and ``derivative``: the same as sympy formulas (symbolic mode, references);
* ``text``: the operation written out in captions (``{0} · {1}``, ``{c}`` the constant);
* ``function``: the name a source calls it by (``exp``), and ``aliases``: other spellings
  (``np.maximum``); ``sympy_name``: the sympy function it is read from (the Python API);
* ``domain``: why the gate is undefined at its inputs (None where it is defined);
* ``kink``: whether the inputs are a non-differentiable point (the gradient follows PyTorch);
* ``expand``: for a composite gate, the same function written with primitive gates in
  terms of ``x`` (``--expand``);
* ``local_text``: ``derivative`` as text, exactly as sympy prints it, from the inputs' names
  (and the constant as formulas show it, ``gate_rules.shown_constant``), so tables and
  captions need no sympy; None where only sympy can write it.

Everything else is derived from the table: the functions a source may call and every list
of them in messages and help, the composite gates, the sympy names.  Adding a gate is adding
one row (docs/adding-a-gate.md).

>>> GATES["mul"].local_at((3.0, -4.0))
(-4.0, 3.0)
>>> GATES["mul_c"].label_text(-1.0), GATES["exp"].label_text()
('*-1', 'exp')
>>> COMPOSITES
('tanh', 'sigmoid', 'leaky_relu', 'elu', 'softplus')
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import array_rules
from .errors import EvaluationError
from .gate_rules import (
    LEAK,
    below,
    division,
    integer_text,
    logistic,
    max_piece,
    number_text,
    piece,
    pow_domain,
    power_label,
    power_rule,
    reciprocal_rule,
    shown_constant,
    signed,
    softplus,
    sympy_sigmoid,
    tie,
)
from .lazy import lazy_import
from .mathtext import superscript
from .notation import constant

if TYPE_CHECKING:
    import sympy
else:
    sympy = lazy_import("sympy")  # only symbolic work reads it: numbers need none of it

__all__ = ["Gate", "GATES", "FUNCTIONS", "ALIASES", "SYMPY_NAMES", "COMPOSITES", "add_gate"]


def __getattr__(name: str) -> Any:
    """``gates.sigmoid``: the sympy function, made when first asked for."""
    if name == "sigmoid":
        return sympy_sigmoid()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Gate:
    """One row of the gate table (see the module docstring)."""

    key: str
    label: str | Callable[[float, str], str]
    forward: Callable[..., float]
    local: Callable[..., tuple[float, ...]]
    formula: Callable[..., Any]
    derivative: Callable[..., tuple[Any, ...]]
    text: str
    arity: int = 1
    constant: bool = False
    function: str | None = None
    aliases: tuple[str, ...] = ()
    sympy_name: str | None = None
    domain: Callable[..., str | None] | None = None
    kink: Callable[..., bool] | None = None
    expand: str | None = None
    local_text: Callable[..., tuple[str, ...] | None] | None = None
    #: a gate on whole vectors and matrices (``@``, ``sum``, ``softmax``): ``shape`` gives
    #: its output's shape from its inputs' (or raises ``array_rules.ShapeError``), and
    #: ``forward`` and ``local`` take numpy arrays and the constant (None if it has none);
    #: ``local`` gives ``arrays.Local`` products.  Other gates apply entry by entry.
    array: bool = False
    shape: Callable[..., tuple[int, ...]] | None = None

    def _args(self, xs: Sequence[Any], c: Any) -> tuple[Any, ...]:
        return (*xs, c) if self.constant else tuple(xs)

    def label_text(self, c: float | None = None, letter: str = "x") -> str:
        """What is drawn in the gate's circle; ``letter`` stands for the input in labels
        such as ``1/x`` and ``x²`` (a letter the circuit does not use)."""
        if isinstance(self.label, str):
            return self.label
        if self.array:
            return self.label(c, letter)  # type: ignore[arg-type]
        if c is None:
            raise ValueError(f"gate '{self.key}' is drawn with its constant")
        return self.label(c, letter)

    def checked_forward(self, xs: Sequence[float], c: float | None = None) -> float:
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
        args = self._args(xs, c)
        problem = self.domain(*args) if self.domain else None
        if problem is None:
            try:
                out = self.forward(*args)
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

    def local_at(self, xs: Sequence[float], c: float | None = None) -> tuple[float, ...]:
        """The local gradients in float64, one per input wire."""
        return self.local(*self._args(xs, c))

    def kink_at(self, xs: Sequence[float], c: float | None = None) -> bool:
        """Whether the inputs are a non-differentiable point of the gate."""
        return bool(self.kink and self.kink(*self._args(xs, c)))

    def sympy_formula(self, xs: Sequence[Any], c: Any = None) -> Any:
        """The gate's output as a sympy formula of its inputs (``c`` a sympy number)."""
        return self.formula(*self._args(xs, c))

    def sympy_derivative(self, xs: Sequence[Any], c: Any = None) -> tuple[Any, ...]:
        """The local gradients as sympy formulas, one per input wire."""
        return self.derivative(*self._args(xs, c))

    def apply_text(self, args: Sequence[str], c: float | None = None) -> str:
        """The operation written out, for captions; negative operands get parentheses.

        >>> GATES["mul"].apply_text(["3.00", "-4.00"])
        '3.00 · (-4.00)'
        >>> GATES["exp"].apply_text(["-1.00"]), GATES["add_c"].apply_text(["0.37"], 1.0)
        ('exp(-1.00)', '0.37 + 1')
        >>> GATES["cross_entropy"].apply_text(["S"], (0, 1, 1, 0))  # class indices of a batch
        'cross_entropy(S, k)'
        """
        def bare(i: int) -> bool:  # a leading operand needs no parentheses, except in a power
            return f"({{{i}}})" in self.text or (i == 0 and self.text.startswith("{0} "))

        def inner(i: int, a: str) -> str:  # no doubled parentheses: log((1 - p)) is log(1 - p)
            if f"({{{i}}})" in self.text and a.startswith("(") and a.endswith(")"):
                return a[1:-1]
            return a

        shown = [inner(i, a) if bare(i) or not a.startswith("-") else f"({a})"
                 for i, a in enumerate(args)]
        if c is None or "{c}" not in self.text:  # class indices, an axis: not written here
            return self.text.format(*shown, c="")
        shown_c = constant(c)
        text = self.text
        if "^{c}" in text and c == int(c) and abs(c) < 1000:
            text = text.replace("^{c}", superscript(int(c)))  # x², not x^2
        elif c < 0 and "({c})" not in text:
            shown_c = f"({shown_c})"
        return text.format(*shown, c=shown_c)

    def local_texts(self, names: Sequence[str], c: float | None = None
                    ) -> tuple[str, ...] | None:
        """The local gradients as text from the inputs' names, without sympy; None where only
        sympy can write them (see ``local_text``).

        >>> GATES["mul"].local_texts(["q", "z"]), GATES["pow_c"].local_texts(["x"], 3.0)
        (('z', 'q'), ('3*x**2',))
        """
        if self.local_text is None:
            return None
        return self.local_text(*self._args(names, shown_constant(c)))


_TABLE: list[Gate] = [
    # ---- two variable inputs -------------------------------------------------------------
    Gate(key="add", arity=2, label="+", text="{0} + {1}",
         forward=lambda a, b: a + b, local=lambda a, b: (1.0, 1.0),
         formula=lambda a, b: a + b, derivative=lambda a, b: (sympy.S.One, sympy.S.One),
         local_text=lambda a, b: ("1", "1")),
    Gate(key="sub", arity=2, label="−", text="{0} - {1}",
         forward=lambda a, b: a - b, local=lambda a, b: (1.0, -1.0),
         formula=lambda a, b: a - b, derivative=lambda a, b: (sympy.S.One, sympy.S.NegativeOne),
         local_text=lambda a, b: ("1", "-1")),
    Gate(key="mul", arity=2, label="*", text="{0} · {1}",
         forward=lambda a, b: a * b, local=lambda a, b: (b, a),
         formula=lambda a, b: a * b, derivative=lambda a, b: (b, a),
         local_text=lambda a, b: (b, a)),
    Gate(key="div", arity=2, label="/", text="{0} / {1}",
         forward=lambda a, b: a / b, local=lambda a, b: (1.0 / b, -a / b ** 2),
         formula=lambda a, b: a / b, derivative=lambda a, b: (1 / b, -a / b**2),
         domain=lambda a, b: division(b),
         local_text=lambda a, b: None if a == b else (f"1/{b}", f"-{a}/{b}**2")),
    Gate(key="pow", arity=2, label="^", text="{0}^{1}",
         forward=lambda a, b: a ** b,
         local=lambda a, b: (b * a ** (b - 1), a ** b * math.log(a)),
         formula=lambda a, b: a**b,
         derivative=lambda a, b: (b * a ** (b - 1), a**b * sympy.log(a)),
         domain=lambda a, b: None if a > 0
         else "a power with a variable exponent needs a positive base"),
    Gate(key="max", arity=2, label="max", text="max({0}, {1})", function="max",
         aliases=("maximum",), sympy_name="Max",
         forward=max, local=tie,
         formula=lambda a, b: sympy.Max(a, b),
         derivative=lambda a, b: (max_piece(a, b), max_piece(b, a)),
         kink=lambda a, b: a == b),
    Gate(key="min", arity=2, label="min", text="min({0}, {1})", function="min",
         aliases=("minimum",), sympy_name="Min",
         forward=min, local=lambda a, b: tie(b, a),
         formula=lambda a, b: sympy.Min(a, b),
         derivative=lambda a, b: (max_piece(b, a), max_piece(a, b)),
         kink=lambda a, b: a == b),
    # ---- one variable input and a constant c ------------------------------------------------
    Gate(key="add_c", constant=True, label=lambda c, x: signed("+", c), text="{0} + {c}",
         forward=lambda x, c: x + c, local=lambda x, c: (1.0,),
         formula=lambda x, c: x + c, derivative=lambda x, c: (sympy.S.One,),
         local_text=lambda x, c: ("1",)),
    Gate(key="rsub_c", constant=True, label=lambda c, x: f"{constant(c)}−{x}", text="{c} - {0}",
         forward=lambda x, c: c - x, local=lambda x, c: (-1.0,),
         formula=lambda x, c: c - x, derivative=lambda x, c: (sympy.S.NegativeOne,),
         local_text=lambda x, c: ("-1",)),
    Gate(key="mul_c", constant=True, label=lambda c, x: signed("*", c), text="{0} · {c}",
         forward=lambda x, c: x * c, local=lambda x, c: (c,),
         formula=lambda x, c: x * c, derivative=lambda x, c: (c,),
         local_text=lambda x, c: (number_text(c),)),
    Gate(key="div_c", constant=True, label=lambda c, x: signed("/", c), text="{0} / {c}",
         forward=lambda x, c: x / c, local=lambda x, c: (1.0 / c,),
         formula=lambda x, c: x / c, derivative=lambda x, c: (1 / c,),
         local_text=lambda x, c: (number_text(1 / c),)),
    Gate(key="rdiv_c", constant=True, label=lambda c, x: f"{constant(c)}/{x}", text="{c} / {0}",
         forward=lambda x, c: c / x, local=lambda x, c: (-c / x ** 2,),
         formula=lambda x, c: c / x, derivative=lambda x, c: (-c / x**2,),
         domain=lambda x, c: division(x),
         local_text=lambda x, c: integer_text(c, lambda k: reciprocal_rule(x, k))),
    Gate(key="pow_c", constant=True, label=lambda c, x: power_label(x, c), text="{0}^{c}",
         forward=lambda x, c: x ** c, local=lambda x, c: (c * x ** (c - 1),),
         formula=lambda x, c: x**c, derivative=lambda x, c: (c * x ** (c - 1),),
         domain=pow_domain,
         local_text=lambda x, c: integer_text(c, lambda k: power_rule(x, k))),
    Gate(key="rpow_c", constant=True, label=lambda c, x: f"{constant(c)}^{x}", text="{c}^{0}",
         forward=lambda x, c: c ** x, local=lambda x, c: (c ** x * math.log(c),),
         formula=lambda x, c: c**x, derivative=lambda x, c: (c**x * sympy.log(c),),
         domain=lambda x, c: None if c > 0
         else "a power with a variable exponent needs a positive base",
         local_text=lambda x, c: integer_text(
             c, lambda k: f"{k}**{x}*log({k})" if k > 1 else None)),
    Gate(key="max_c", constant=True, label=lambda c, x: f"max({x},{constant(c)})",
         text="max({0}, {c})",
         forward=max, local=lambda x, c: tie(x, c)[:1],
         formula=lambda x, c: sympy.Max(x, c), derivative=lambda x, c: (max_piece(x, c),),
         kink=lambda x, c: x == c,
         local_text=lambda x, c: integer_text(c, lambda k: piece(x, str(k)))),
    Gate(key="cmax", constant=True, label=lambda c, x: f"max({constant(c)},{x})",
         text="max({c}, {0})",
         forward=lambda x, c: max(c, x), local=lambda x, c: tie(x, c)[:1],
         formula=lambda x, c: sympy.Max(c, x), derivative=lambda x, c: (max_piece(x, c),),
         kink=lambda x, c: x == c,
         local_text=lambda x, c: integer_text(c, lambda k: piece(x, str(k)))),
    Gate(key="min_c", constant=True, label=lambda c, x: f"min({x},{constant(c)})",
         text="min({0}, {c})",
         forward=min, local=lambda x, c: tie(c, x)[:1],
         formula=lambda x, c: sympy.Min(x, c), derivative=lambda x, c: (max_piece(c, x),),
         kink=lambda x, c: x == c,
         local_text=lambda x, c: integer_text(c, lambda k: below(x, k))),
    Gate(key="cmin", constant=True, label=lambda c, x: f"min({constant(c)},{x})",
         text="min({c}, {0})",
         forward=lambda x, c: min(c, x), local=lambda x, c: tie(c, x)[:1],
         formula=lambda x, c: sympy.Min(c, x), derivative=lambda x, c: (max_piece(c, x),),
         kink=lambda x, c: x == c,
         local_text=lambda x, c: integer_text(c, lambda k: below(x, k))),
    # ---- functions of one input ---------------------------------------------------------------
    Gate(key="exp", label="exp", text="exp({0})", function="exp", sympy_name="exp",
         forward=math.exp, local=lambda x: (math.exp(x),),
         formula=lambda x: sympy.exp(x), derivative=lambda x: (sympy.exp(x),),
         local_text=lambda x: (f"exp({x})",)),
    Gate(key="log", label="log", text="log({0})", function="log", sympy_name="log",
         forward=math.log, local=lambda x: (1.0 / x,),
         formula=lambda x: sympy.log(x), derivative=lambda x: (1 / x,),
         domain=lambda x: None if x > 0 else "log of a non-positive number",
         local_text=lambda x: (f"1/{x}",)),
    Gate(key="sqrt", label="sqrt", text="sqrt({0})", function="sqrt",
         forward=math.sqrt, local=lambda x: (0.5 / math.sqrt(x) if x else math.inf,),
         formula=lambda x: sympy.sqrt(x), derivative=lambda x: (1 / (2 * sympy.sqrt(x)),),
         domain=lambda x: None if x >= 0 else "square root of a negative number",
         local_text=lambda x: (f"1/(2*sqrt({x}))",)),
    Gate(key="abs", label="abs", text="|{0}|", function="abs", aliases=("fabs",),
         sympy_name="Abs",
         forward=abs, local=lambda x: (float((x > 0) - (x < 0)),),
         formula=lambda x: sympy.Abs(x), derivative=lambda x: (sympy.sign(x),),
         kink=lambda x: x == 0,
         local_text=lambda x: (f"sign({x})",)),
    Gate(key="sin", label="sin", text="sin({0})", function="sin", sympy_name="sin",
         forward=math.sin, local=lambda x: (math.cos(x),),
         formula=lambda x: sympy.sin(x), derivative=lambda x: (sympy.cos(x),),
         local_text=lambda x: (f"cos({x})",)),
    Gate(key="cos", label="cos", text="cos({0})", function="cos", sympy_name="cos",
         forward=math.cos, local=lambda x: (-math.sin(x),),
         formula=lambda x: sympy.cos(x), derivative=lambda x: (-sympy.sin(x),),
         local_text=lambda x: (f"-sin({x})",)),
    Gate(key="tanh", label="tanh", text="tanh({0})", function="tanh", sympy_name="tanh",
         forward=math.tanh, local=lambda x: (1.0 - math.tanh(x) * math.tanh(x),),
         formula=lambda x: sympy.tanh(x), derivative=lambda x: (1 - sympy.tanh(x) ** 2,),
         expand="t = exp(2*x); (t - 1)/(t + 1)",
         local_text=lambda x: (f"1 - tanh({x})**2",)),
    Gate(key="sigmoid", label="σ", text="σ({0})", function="sigmoid", aliases=("expit",),
         sympy_name="sigmoid",
         forward=logistic, local=lambda x: ((1.0 - logistic(x)) * logistic(x),),
         formula=lambda x: sympy_sigmoid()(x),
         derivative=lambda x: ((1 - sympy_sigmoid()(x)) * sympy_sigmoid()(x),),
         expand="1/(1 + exp(-x))",
         local_text=lambda x: (f"(1 - sigmoid({x}))*sigmoid({x})",)),
    Gate(key="relu", label="relu", text="relu({0})", function="relu",
         forward=lambda x: max(0.0, x), local=lambda x: (1.0 if x > 0 else 0.0,),
         formula=lambda x: sympy.Max(0, x), derivative=lambda x: (sympy.Heaviside(x, 0),),
         kink=lambda x: x == 0,
         local_text=lambda x: (f"(1 if {x} > 0, else 0)",)),
    Gate(key="leaky_relu", label="leaky relu", text="leaky_relu({0})", function="leaky_relu",
         forward=lambda x: x if x > 0 else LEAK * x, local=lambda x: (1.0 if x > 0 else LEAK,),
         formula=lambda x: sympy.Max(sympy.Rational(1, 100) * x, x),
         derivative=lambda x: (sympy.Piecewise((1, x > 0), (sympy.Rational(1, 100), True)),),
         kink=lambda x: x == 0,
         expand="max(0.01*x, x)",
         local_text=lambda x: (f"(1 if {x} > 0, else 1/100)",)),
    Gate(key="elu", label="elu", text="elu({0})", function="elu",
         forward=lambda x: x if x > 0 else math.expm1(x),
         local=lambda x: (1.0 if x > 0 else math.exp(x),),
         formula=lambda x: sympy.Piecewise((x, x > 0), (sympy.exp(x) - 1, True)),
         derivative=lambda x: (sympy.Piecewise((1, x > 0), (sympy.exp(x), True)),),
         expand="max(x, 0) + min(exp(x) - 1, 0)",
         local_text=lambda x: (f"(1 if {x} > 0, else exp({x}))",)),
    Gate(key="softplus", label="softplus", text="softplus({0})", function="softplus",
         forward=softplus, local=lambda x: (logistic(x),),
         formula=lambda x: sympy.log(1 + sympy.exp(x)),
         derivative=lambda x: (sympy_sigmoid()(x),),
         expand="log(1 + exp(x))",
         local_text=lambda x: (f"sigmoid({x})",)),
]



def _array_gate(key: str, label: str | Callable[[Any, str], str], text: str, arity: int = 1,
                function: str | None = None, aliases: tuple[str, ...] = (),
                local_text: Callable[..., tuple[str, ...] | None] | None = None) -> Gate:
    """A row for a gate on whole arrays, with its rules from ``array_rules``."""
    return Gate(key=key, arity=arity, label=label, text=text, function=function,
                aliases=aliases, array=True,
                shape=getattr(array_rules, f"{key}_shape"),
                forward=getattr(array_rules, f"{key}_forward"),
                local=getattr(array_rules, f"{key}_local"),
                formula=array_rules.no_formula, derivative=array_rules.no_formula,
                local_text=local_text)


_TABLE += [
    # ---- vectors and matrices (numpy semantics; see array_rules.py) ------------------------
    _array_gate("matmul", "@", "{0} @ {1}", arity=2, function="matmul", aliases=("dot",),
                local_text=lambda a, b: (f"g @ {b}.T", f"{a}.T @ g")),
    _array_gate("outer", "outer", "outer({0}, {1})", arity=2, function="outer",
                local_text=lambda a, b: (f"g @ {b}", f"g.T @ {a}")),
    _array_gate("transpose", "ᵀ", "{0}ᵀ", function="transpose",
                local_text=lambda a: ("g.T",)),
    _array_gate("sum", array_rules.axis_label("sum"), "sum({0})", function="sum",
                local_text=lambda a: ("g copied to every entry",)),
    _array_gate("mean", array_rules.axis_label("mean"), "mean({0})", function="mean",
                local_text=lambda a: ("g / n to every entry",)),
    _array_gate("norm", "‖·‖", "‖{0}‖", function="norm",
                local_text=lambda a: (f"g * {a} / norm({a})",)),
    _array_gate("softmax", "softmax", "softmax({0})", function="softmax",
                local_text=lambda a: ("(diag(p) - p p.T) @ g",)),
    _array_gate("cross_entropy", array_rules.class_label, "cross_entropy({0}, k)",
                function="cross_entropy", local_text=lambda a: ("g * (p - onehot(k))",)),
    _array_gate("index", lambda c, x: f"[{', '.join(map(str, c))}]", "{0}[i]",
                local_text=lambda a: ("g at the index, 0 elsewhere",)),
]

#: Every gate, by key.
GATES: dict[str, Gate] = {}
#: The functions a source may call: name -> gate key.
FUNCTIONS: dict[str, str] = {}
#: Other spellings of the functions (``np.maximum``): spelling -> name.
ALIASES: dict[str, str] = {}
#: The sympy functions read by the Python API: sympy class name -> function name.
SYMPY_NAMES: dict[str, str] = {}


def add_gate(gate: Gate) -> None:
    """Add a row to the table; everything derived from the table follows."""
    global COMPOSITES
    GATES[gate.key] = gate
    if gate.function:
        FUNCTIONS[gate.function] = gate.key
        ALIASES.update(dict.fromkeys(gate.aliases, gate.function))
        if gate.sympy_name:
            SYMPY_NAMES[gate.sympy_name] = gate.function
    COMPOSITES = tuple(g.function for g in GATES.values() if g.expand and g.function)


#: The composite gates, which ``--expand`` lowers into primitive ones.
COMPOSITES: tuple[str, ...] = ()
for _gate in _TABLE:
    add_gate(_gate)
