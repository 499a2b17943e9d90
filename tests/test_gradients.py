"""Every input gradient against two independent references.

(a) ``sympy.diff`` of the whole expression: the formula comes from the circuit
    (``symbolic_values``), is rewritten with ``exp`` (so the custom ``sigmoid`` function's own
    derivative is not what is tested), then differentiated and evaluated at the point;
(b) central finite differences of the forward pass.

Each point is away from kinks and domain edges.  Rows with composite gates (sigmoid, tanh,
softplus, elu, leaky_relu) are also run with ``expand=True``.
"""

from __future__ import annotations

import math
import re

import pytest
import sympy
from support import CS231N_CODE, MICROGRAD

import graphviz_backprop as gb
from graphviz_backprop.backprop import evaluate
from graphviz_backprop.gates import FUNCTIONS, GATES
from graphviz_backprop.symbolic import symbolic_values

XY = {"x": 0.7, "y": -1.3}
POS = {"x": 1.7, "y": 2.3}

# (id, source, values); sources that bind their own inputs take {}
CASES = [
    # ---- operators, both operands variable ----
    ("add", "x + y", XY),
    ("sub", "x - y", XY),
    ("mul", "x * y", XY),
    ("div", "x / y", XY),
    ("pow-both-variable", "x ** y", POS),
    ("unary-minus", "-x", XY),
    ("unary-minus-of-sum", "-(x + y) * x", XY),
    # ---- a constant on either side of each binary operator ----
    ("const-plus-x", "3 + x", XY),
    ("x-plus-const", "x + 3", XY),
    ("const-minus-x", "3 - x", XY),
    ("x-minus-const", "x - 3", XY),
    ("const-times-x", "3 * x", XY),
    ("x-times-const", "x * 3", XY),
    ("const-over-x", "3 / x", XY),
    ("x-over-const", "x / 3", XY),
    ("const-pow-x", "3 ** x", XY),
    ("x-pow-const", "x ** 3", XY),
    ("x-pow-fraction", "x ** 2.5", POS),
    ("x-pow-negative", "x ** -2", XY),
    ("folded-constant", "x * (2 + 3) - 2**-1", XY),
    # ---- every function ----
    ("exp", "exp(x)", XY),
    ("log", "log(x)", POS),
    ("sqrt", "sqrt(x)", POS),
    ("abs-negative", "abs(y)", XY),
    ("abs-positive", "abs(x)", XY),
    ("tanh", "tanh(x)", XY),
    ("sigmoid", "sigmoid(y)", XY),
    ("relu-positive", "relu(x)", XY),
    ("relu-negative", "relu(y) + x", XY),
    ("leaky-relu-negative", "leaky_relu(y)", XY),
    ("leaky-relu-positive", "leaky_relu(x)", XY),
    ("elu-negative", "elu(y)", XY),
    ("elu-positive", "elu(x)", XY),
    ("softplus", "softplus(y)", XY),
    ("max", "max(x, y)", XY),
    ("min", "min(x, y)", XY),
    ("max-three", "max(x, y, x*y)", XY),
    ("sin", "sin(x)", XY),
    ("cos", "cos(x)", XY),
    ("max-const-right", "max(x, 0)", XY),
    ("max-const-left", "max(0, y) + max(2, x)", XY),
    ("min-const-right", "min(x, 1)", XY),
    ("min-const-left", "min(-5, y) + min(0, x)", XY),
    # ---- shapes of circuits ----
    ("square-as-product", "x * x", XY),
    ("self-difference", "x - x + y", XY),
    ("self-quotient", "x / x * y", XY),
    ("shared-subexpression", "q = x + y\nf = q * q + sin(q)", XY),
    ("rebinding", "c = x * y\nc = c + c + 1\nc += 1 + c", XY),
    ("augmented-all", "c = x\nc += y\nc -= x*y\nc *= x\nc /= y\nc **= 2", XY),
    ("sigmoid-neuron", "1/(1+exp(-(w0*x0+w1*x1+w2)))",
     {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}),
    ("sigmoid-neuron-fused", "sigmoid(w0*x0+w1*x1+w2)",
     {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}),
    ("cs231n-code", CS231N_CODE, {}),
    ("micrograd-readme", MICROGRAD, {}),
    ("math-and-np-prefixes", "math.exp(x) * np.tanh(y) + numpy.log(x*x) + math.pi", XY),
    ("np-aliases", "np.maximum(x, y) + np.minimum(x, y) + math.fabs(y)", XY),
    ("micrograd-methods", "(x*y).relu() + x.tanh() * y.exp() + (x - y).relu()", XY),
    ("gaussian", "exp(-x**2 / 2)", XY),
    ("logistic-loss", "log(sigmoid(x*y)) + log(1 - sigmoid(y))", XY),
    ("norm", "sqrt(x*x + y*y)", XY),
    ("mixed", "abs(x - y) * cos(x * y) + softplus(x) - elu(y) * tanh(x + y)", XY),
    ("leaky-and-relu", "leaky_relu(x * y) + relu(x - y) * leaky_relu(x)", XY),
    ("value-program", "x = Value(2.0)\ny = Value(-3.0)\nz = x*y + x.relu() + (y*x).sigmoid()\nz", {}),
]

IDS = [c[0] for c in CASES]
COMPOSITE = {key for key, g in gb.GATES.items() if g.expand}


def _calls(source: str) -> set[str]:
    """The functions a source calls, as f(...) or as a method .f()."""
    return set(re.findall(r"\b(\w+)\(", source))


def _trace(source: str, at: dict, expand: bool = False) -> gb.Trace:
    """Trace at the row's point (a pool of values: only the inputs the source has are given)."""
    inputs = gb.build(gb.parse(source)).inputs
    t = gb.trace(source, {k: v for k, v in at.items() if k in inputs}, expand=expand)
    assert not t.symbolic
    return t


def _sympy_gradients(t: gb.Trace) -> dict[str, float]:
    """d output / d input by sympy.diff of the whole formula, with every function as exp."""
    formula = symbolic_values(t.circuit)[t.circuit.output].rewrite(sympy.exp)
    symbols = {s.name: s for s in formula.free_symbols}
    point = {symbols[n]: sympy.Float(v, 30) for n, v in t.inputs.items() if n in symbols}
    grads = {}
    for name in t.inputs:
        if name not in symbols:  # an input the output does not depend on
            grads[name] = 0.0
            continue
        value = complex(sympy.diff(formula, symbols[name]).subs(point).evalf(30))
        # sin and cos rewritten with exp are complex exponentials: the imaginary part is noise
        assert abs(value.imag) <= 1e-20 * max(1.0, abs(value.real)), value
        grads[name] = value.real
    return grads


def _finite_differences(t: gb.Trace) -> dict[str, float]:
    """Central differences of the forward pass, h = 1e-6 (relative for large values)."""
    point = dict(t.inputs)
    grads = {}
    for name, value in point.items():
        h = 1e-6 * max(1.0, abs(value))
        up = evaluate(t.circuit, {**point, name: value + h}).output
        down = evaluate(t.circuit, {**point, name: value - h}).output
        grads[name] = (up - down) / (2 * h)
    return grads


def test_the_table_covers_every_function_and_operator():
    sources = " ".join(c[1] for c in CASES)
    called = set().union(*(_calls(c[1]) for c in CASES))
    for function in FUNCTIONS:  # the array functions: tests/test_arrays.py
        assert function in called or GATES[FUNCTIONS[function]].array, function
    for operator in ["+", "-", "*", "/", "**", "+=", "-=", "*=", "/=", "**="]:
        assert f" {operator} " in sources, operator
    assert len(CASES) >= 30


@pytest.mark.parametrize(("source", "at"), [c[1:] for c in CASES], ids=IDS)
def test_gradients_match_sympy_diff(source, at):
    t = _trace(source, at)
    expected = _sympy_gradients(t)
    assert t.gradients == pytest.approx(expected, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(("source", "at"), [c[1:] for c in CASES], ids=IDS)
def test_gradients_match_finite_differences(source, at):
    t = _trace(source, at)
    assert t.gradients == pytest.approx(_finite_differences(t), rel=1e-5, abs=1e-6)


@pytest.mark.parametrize(("source", "at"), [c[1:] for c in CASES], ids=IDS)
def test_no_flags_away_from_kinks(source, at):
    assert not any(_trace(source, at).evaluation.flags.values())


EXPANDABLE = [c for c in CASES if _calls(c[1]) & COMPOSITE]


@pytest.mark.parametrize(("source", "at"), [c[1:] for c in EXPANDABLE],
                         ids=[c[0] for c in EXPANDABLE])
def test_expanded_gradients_agree(source, at):
    fused = _trace(source, at)
    expanded = _trace(source, at, expand=True)
    labels = {expanded.circuit.gate(n).key for n in expanded.circuit.gates}
    assert not labels & COMPOSITE, "expand=True left a composite gate"
    assert {fused.circuit.gate(n).key for n in fused.circuit.gates} & COMPOSITE
    assert expanded.value == pytest.approx(fused.value, rel=1e-12, abs=1e-12)
    assert expanded.gradients == pytest.approx(fused.gradients, rel=1e-9, abs=1e-12)
    assert expanded.gradients == pytest.approx(_sympy_gradients(expanded), rel=1e-9, abs=1e-12)
    assert expanded.gradients == pytest.approx(_finite_differences(expanded), rel=1e-5, abs=1e-6)


def test_expandable_rows_cover_every_composite_gate():
    assert set().union(*(_calls(c[1]) for c in EXPANDABLE)) >= COMPOSITE


def test_points_are_finite_and_away_from_domain_edges():
    for _, source, at in CASES:
        t = _trace(source, at)
        assert math.isfinite(t.value)
