"""Forward and backward passes: values, the point, symbolic mode, kinks, non-finite results."""

from __future__ import annotations

import math

import pytest
import sympy
from support import MICROGRAD

import graphviz_backprop as gb
from graphviz_backprop.backprop import KINK, evaluate
from graphviz_backprop.errors import EvaluationError, LimitError, ValuesError
from graphviz_backprop.graph import build
from graphviz_backprop.parser import parse
from graphviz_backprop.symbolic import MAX_SYMBOLIC_SIZE


def test_micrograd_example_from_the_issue():
    t = gb.trace(MICROGRAD)
    a, b = -4.0, 2.0
    # by hand: c = 2(a+b)+1 = -3; d = 3(ab+b^3) + relu(a+b) = 0; e = c-d = -3; f = 9
    c, d = 2 * (a + b) + 1, 3 * (a * b + b**3) + max(0.0, a + b)
    e = c - d
    f = e**2
    assert (c, d, e, f) == (-3.0, 0.0, -3.0, 9.0)
    assert t.value == pytest.approx(f / 2 + 10 / f, rel=1e-15)
    dg_de = (0.5 - 10 / f**2) * 2 * e
    # de/da = dc/da - dd/da = 2 - 3b (relu is off: a + b < 0); de/db = 2 - 3(a + 3b^2)
    assert t.gradients == pytest.approx(
        {"a": dg_de * (2 - 3 * b), "b": dg_de * (2 - 3 * (a + 3 * b**2))}, rel=1e-12)
    assert t.inputs == {"a": -4.0, "b": 2.0}
    assert t.circuit.output_name == "g"
    named = [t.circuit.name(n) for n in t.circuit.gates if t.circuit.name(n)]
    assert named == ["c", "d", "c", "d", "e", "f", "g", "g"]


def test_micrograd_example_against_finite_differences():
    t = gb.trace(MICROGRAD)
    for name, value in t.inputs.items():
        h = 1e-6
        up = gb.trace(MICROGRAD, {name: value + h}).value
        down = gb.trace(MICROGRAD, {name: value - h}).value
        assert t.gradients[name] == pytest.approx((up - down) / (2 * h), rel=1e-6)


def test_math_and_np_prefixes_mean_the_functions():
    plain = gb.trace("exp(x) + tanh(x) * log(y)", x=0.3, y=2.0)
    for text in ["math.exp(x) + np.tanh(x) * math.log(y)", "np.exp(x) + math.tanh(x) * np.log(y)"]:
        t = gb.trace(text, x=0.3, y=2.0)
        assert t.value == plain.value
        assert t.gradients == plain.gradients


# ---- the point ---------------------------------------------------------------------------------

def test_values_from_source_are_overridden_by_at_and_keywords():
    t = gb.trace("x = -2; y = 5\nf = x * y", {"x": 3}, y=4)
    assert t.inputs == {"x": 3.0, "y": 4.0}
    assert t.value == 12.0


def test_values_accept_sympy_and_integer_numbers():
    t = gb.trace("x * y", x=sympy.Rational(1, 2), y=3)
    assert t.inputs == {"x": 0.5, "y": 3.0}
    assert all(type(v) is float for v in t.inputs.values())


@pytest.mark.parametrize(("text", "at", "missing"), [
    pytest.param("x + y", {"x": 1}, "missing value for y", id="one-missing"),
    pytest.param("x + y*z", {"y": 1}, "missing values for x, z", id="two-missing"),
    pytest.param("x = 1\nf = x * y", {}, "missing value for y", id="program-binds-some"),
])
def test_some_but_not_all_values_is_an_error_naming_the_missing(text, at, missing):
    with pytest.raises(ValuesError) as info:
        gb.trace(text, at)
    assert missing in str(info.value)
    assert "(inputs: " in str(info.value)


@pytest.mark.parametrize(("at", "phrase"), [
    pytest.param({"x": 1, "yy": 2}, "unknown input 'yy' (did you mean 'y'? inputs: x, y)", id="typo"),
    pytest.param({"x": 1, "y": 1, "w": 2}, "unknown input 'w' (inputs: x, y)", id="unrelated"),
    pytest.param({"q": 2}, "'q' is computed, not an input", id="computed-name"),
])
def test_unknown_names_are_an_error_listing_the_inputs(at, phrase):
    with pytest.raises(ValuesError) as info:
        gb.trace("q = x + y\nq", at)
    assert phrase in str(info.value)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, "abc", "1.5", None, True, 10**400],
                         ids=["nan", "inf", "-inf", "text", "numeric-text", "None", "True", "10**400"])
def test_values_must_be_finite_numbers(value):
    with pytest.raises(ValuesError, match="value of 'x' is not a"):
        gb.trace("x + 1", x=value)


# ---- symbolic mode -------------------------------------------------------------------------------

def test_symbolic_mode_without_values():
    t = gb.trace("(x+y)*z")
    x, y, z = (sympy.Symbol(n, real=True) for n in "xyz")
    assert t.symbolic
    assert t.gradients == {"x": z, "y": z, "z": x + y}
    assert sympy.simplify(t.value - (x + y) * z) == 0
    data = t.to_dict()
    assert data["symbolic"] is True
    assert data["gradients"] == {"x": "z", "y": "z", "z": "x + y"}


def test_symbolic_local_gradients_are_formulas():
    t = gb.trace("1/x")
    (gate,) = t.circuit.gates
    x = sympy.Symbol("x", real=True)
    assert t.evaluation.local[gate] == (-1 / x**2,)
    assert t.gradients["x"] == -1 / x**2


def test_symbolic_mode_refuses_formulas_too_long_to_write_out():
    text = "\n".join(f"x{i + 1} = sin(x{i})*cos(x{i})" for i in range(40))
    with pytest.raises(LimitError, match="too long to write out") as info:
        gb.trace(text)
    assert f"{MAX_SYMBOLIC_SIZE:,}" in str(info.value)
    assert "x0" in str(info.value)
    # with values it is an ordinary numeric evaluation
    assert math.isfinite(gb.trace(text, x0=0.3).gradients["x0"])


# ---- kinks: PyTorch's conventions ----------------------------------------------------------------

KINKS = [
    pytest.param("relu(x)", {"x": 0.0}, {"x": 0.0}, id="relu-at-0"),
    pytest.param("x.relu()", {"x": 0.0}, {"x": 0.0}, id="relu-method-at-0"),
    pytest.param("abs(x)", {"x": 0.0}, {"x": 0.0}, id="abs-at-0"),
    pytest.param("leaky_relu(x)", {"x": 0.0}, {"x": 0.01}, id="leaky-relu-at-0"),
    pytest.param("max(x, y)", {"x": 2.0, "y": 2.0}, {"x": 0.5, "y": 0.5}, id="max-tie"),
    pytest.param("min(x, y)", {"x": 2.0, "y": 2.0}, {"x": 0.5, "y": 0.5}, id="min-tie"),
    pytest.param("max(x, 0)", {"x": 0.0}, {"x": 0.5}, id="max-tie-with-constant"),
    pytest.param("max(0, x)", {"x": 0.0}, {"x": 0.5}, id="constant-max-tie"),
    pytest.param("min(x, 1)", {"x": 1.0}, {"x": 0.5}, id="min-tie-with-constant"),
    pytest.param("min(1, x)", {"x": 1.0}, {"x": 0.5}, id="constant-min-tie"),
    pytest.param("max(x, x)", {"x": 3.0}, {"x": 1.0}, id="max-of-one-node-twice"),
]


@pytest.mark.parametrize(("text", "at", "gradients"), KINKS)
def test_kinks_follow_pytorch_and_are_flagged(text, at, gradients):
    t = gb.trace(text, at)
    assert t.gradients == gradients
    flagged = [n for n in t.circuit.order if t.evaluation.flags.get(n)]
    assert flagged == [t.circuit.output]
    assert t.evaluation.flags[t.circuit.output] == (KINK,)
    record = t.to_dict()["nodes"][-1]
    assert record["flags"] == ["kink"]


@pytest.mark.parametrize(("text", "at"), [
    pytest.param("relu(x)", {"x": 1e-300}, id="relu-just-above-0"),
    pytest.param("abs(x)", {"x": -1e-300}, id="abs-just-below-0"),
    pytest.param("max(x, y)", {"x": 1.0, "y": 1.0 + 2**-52}, id="max-near-tie"),
])
def test_no_flag_off_the_kink(text, at):
    t = gb.trace(text, at)
    assert not any(t.evaluation.flags.values())


@pytest.mark.parametrize(("text", "fused", "expanded", "flagged"), [
    pytest.param("leaky_relu(x)", 0.01, 0.5 * 0.01 + 0.5 * 1, ["max"], id="leaky-relu-is-a-max-tie"),
    pytest.param("elu(x)", 1.0, 1.0, ["max(u,0)", "min(u,0)"], id="elu-ties-add-up"),
    pytest.param("relu(x)", 0.0, 0.0, ["relu"], id="relu-is-primitive"),
])
def test_kinks_of_expanded_gates(text, fused, expanded, flagged):
    assert gb.trace(text, x=0.0).gradients == {"x": fused}
    t = gb.trace(text, x=0.0, expand=True)
    assert t.gradients == {"x": pytest.approx(expanded, rel=1e-15)}
    assert [t.circuit.label(n) for n in t.circuit.order if t.evaluation.flags.get(n)] == flagged


def test_relu_and_max_with_zero_differ_at_zero():
    assert gb.trace("relu(x)", x=0.0).gradients == {"x": 0.0}
    assert gb.trace("max(0, x)", x=0.0).gradients == {"x": 0.5}


def test_only_the_node_at_the_kink_is_flagged():
    t = gb.trace("relu(x) * relu(y) + abs(x - y)", x=0.0, y=2.0)
    flagged = [t.circuit.label(n) for n in t.circuit.order if t.evaluation.flags.get(n)]
    assert flagged == ["relu"]
    assert t.gradients == {"x": 0.0 + -1.0, "y": 0.0 + 1.0}


# ---- values that are not finite reals ------------------------------------------------------------

@pytest.mark.parametrize(("text", "at", "phrase"), [
    pytest.param("1/x", {"x": 0}, "division by zero: gate '1/u' at node n1", id="reciprocal-of-0"),
    pytest.param("x/y", {"x": 1, "y": 0}, "division by zero: gate '/' at node n2", id="divide-by-0"),
    pytest.param("log(x)", {"x": 0}, "log of a non-positive number: gate 'log'", id="log-0"),
    pytest.param("sqrt(x)", {"x": -1}, "square root of a negative number", id="sqrt-negative"),
    pytest.param("exp(x)", {"x": 1000}, "result overflows float64: gate 'exp'", id="exp-overflow"),
    pytest.param("x**0.5", {"x": -1}, "not real", id="fractional-power-of-negative"),
    pytest.param("x**y", {"x": -1, "y": 2}, "needs a positive base", id="variable-power"),
    pytest.param("x*y", {"x": 1e200, "y": 1e200}, "result overflows float64: gate '*'", id="product-overflow"),
    pytest.param("sqrt(x)", {"x": 0}, "local gradient is not finite: gate 'sqrt'", id="sqrt-slope-at-0"),
])
def test_non_finite_values_name_the_node_and_operation(text, at, phrase):
    with pytest.raises(EvaluationError) as info:
        gb.trace(text, at)
    assert phrase in str(info.value)


def test_gradient_overflow_is_an_error_naming_the_node():
    text = "x = 0\n" + "x += x\n" * 1100
    with pytest.raises(EvaluationError, match="gradient is not a finite number") as info:
        gb.trace(text)
    assert "'x'" in str(info.value)


def test_evaluate_is_pure():
    c = build(parse("x*y"))
    first = evaluate(c, {"x": 2, "y": 3})
    second = evaluate(c, {"x": 5, "y": 7})
    assert first.output == 6.0 and second.output == 35.0
    assert evaluate(c, {"x": 2, "y": 3}).grads == first.grads
