"""The cs231n circuits against the notes' numbers (tests/data/cs231n_reference.toml), to 1e-12."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

import graphviz_backprop as gb
from graphviz_backprop.cli import cli
from graphviz_backprop.formulas import local_formulas

with open(Path(__file__).parent / "data" / "cs231n_reference.toml", "rb") as _handle:
    REFERENCE = tomllib.load(_handle)
SIMPLE = REFERENCE["simple"]
NEURON = REFERENCE["sigmoid_neuron"]


def close(expected):
    """Equal to 1e-12, relative or absolute."""
    return pytest.approx(expected, rel=1e-12, abs=1e-12)


def gate_labels(t: gb.Trace) -> list[str]:
    return [t.circuit.label(n) for n in t.circuit.gates]


def gate_values(t: gb.Trace) -> list[float]:
    return [t.evaluation.values[n] for n in t.circuit.gates]


def gate_grads(t: gb.Trace) -> list[float]:
    return [t.evaluation.grads[n] for n in t.circuit.gates]


# ---- the simple circuit: f = (x + y) z ---------------------------------------------------------

SIMPLE_SOURCES = [
    pytest.param(SIMPLE["expression"], SIMPLE["at"], id="expression"),
    pytest.param(SIMPLE["program"], {}, id="program-as-published"),
    pytest.param("cs231n-simple", {}, id="example-by-name"),
]


@pytest.mark.parametrize(("source", "at"), SIMPLE_SOURCES)
def test_simple_circuit_gates_values_and_gradients(source, at):
    t = gb.trace(source, at)
    assert gate_labels(t) == SIMPLE["gates"]
    assert t.inputs == SIMPLE["at"]
    # the + gate is q, the * gate is f, as the notes call them
    assert gate_values(t) == [SIMPLE["values"]["q"], SIMPLE["values"]["f"]]
    assert gate_grads(t) == [SIMPLE["gradients"]["q"], SIMPLE["gradients"]["f"]]
    assert t.value == SIMPLE["values"]["f"]
    assert t.gradients == {k: SIMPLE["gradients"][k] for k in ("x", "y", "z")}


def test_simple_program_names_its_gates_q_and_f():
    t = gb.trace(SIMPLE["program"])
    named = {t.circuit.name(n): n for n in t.circuit.gates}
    assert list(named) == ["q", "f"]
    assert t.circuit.output_name == "f"
    for name, node in named.items():
        assert t.evaluation.values[node] == SIMPLE["values"][name]
        assert t.evaluation.grads[node] == SIMPLE["gradients"][name]


def test_simple_local_gradients_add_passes_multiply_swaps():
    t = gb.trace(SIMPLE["expression"], SIMPLE["at"])
    add, mul = t.circuit.gates
    assert t.evaluation.local[add] == (1.0, 1.0)
    assert t.evaluation.local[mul] == (-4.0, 3.0)  # d(q z)/dq = z, d(q z)/dz = q


# ---- the sigmoid neuron -----------------------------------------------------------------------

NEURON_SOURCES = [
    pytest.param(NEURON["expression"], NEURON["at"], False, id="expression"),
    pytest.param("sigmoid-neuron", {}, False, id="example-by-name"),
    pytest.param("sigmoid(w0*x0+w1*x1+w2)", NEURON["at"], True, id="sigmoid-expanded"),
    pytest.param(NEURON["expression"], NEURON["at"], True, id="expression-expand-is-a-no-op"),
]


@pytest.mark.parametrize(("source", "at", "expand"), NEURON_SOURCES)
def test_sigmoid_neuron_every_gate(source, at, expand):
    t = gb.trace(source, at, expand=expand)
    assert gate_labels(t) == NEURON["gates"]
    assert t.inputs == NEURON["at"]
    assert list(t.inputs) == ["w0", "x0", "w1", "x1", "w2"]
    assert gate_values(t) == close(NEURON["gate_values"])
    assert gate_grads(t) == close(NEURON["gate_gradients"])
    assert t.value == close(NEURON["gate_values"][-1])
    assert t.gradients == close(NEURON["gradients"])


def test_sigmoid_neuron_exact_where_exactness_holds():
    """The products and sums of small integers are exact in float64."""
    t = gb.trace(NEURON["expression"], NEURON["at"])
    assert gate_values(t)[:5] == NEURON["gate_values"][:5]
    assert gate_grads(t)[-1] == 1.0


def test_sigmoid_neuron_local_gradients():
    t = gb.trace(NEURON["expression"], NEURON["at"])
    c, ev = t.circuit, t.evaluation
    mul0, mul1, add0, add1, neg, exp, plus1, inv = c.gates
    assert ev.local[mul0] == (-1.0, 2.0)  # w0*x0: (x0, w0)
    assert ev.local[mul1] == (-2.0, -3.0)
    assert ev.local[add0] == ev.local[add1] == (1.0, 1.0)
    assert ev.local[neg] == (-1.0,)
    assert ev.local[exp] == close((NEURON["gate_values"][5],))  # d exp(x)/dx = exp(x)
    assert ev.local[plus1] == (1.0,)
    assert ev.local[inv] == close((-1 / NEURON["gate_values"][6] ** 2,))
    assert local_formulas(c, inv) == ("-1/x**2",)
    assert local_formulas(c, exp) == ("exp(x)",)


def test_sigmoid_fused_is_one_gate_with_the_lecture_local_gradient():
    t = gb.trace("sigmoid(w0*x0+w1*x1+w2)", NEURON["at"])
    assert gate_labels(t) == ["*", "*", "+", "+", "σ"]
    sigma = t.circuit.gates[-1]
    out = NEURON["gate_values"][-1]  # 0.73
    assert t.evaluation.values[sigma] == close(out)
    assert t.evaluation.local[sigma] == close(((1 - out) * out,))
    assert t.evaluation.grads[t.circuit.gates[-2]] == close(0.19661193324148188)
    assert t.gradients == close(NEURON["gradients"])
    assert local_formulas(t.circuit, sigma) == ("(1 - sigmoid(x))*sigmoid(x)",)


def test_cli_expand_gives_the_cs231n_gates(runner):
    fused = runner.invoke(cli, ["eval", "sigmoid(w0*x0+w1*x1+w2)", "--at",
                                "w0=2,x0=-1,w1=-3,x1=-2,w2=-3", "--json"])
    expanded = runner.invoke(cli, ["eval", "sigmoid(w0*x0+w1*x1+w2)", "--at",
                                   "w0=2,x0=-1,w1=-3,x1=-2,w2=-3", "--expand", "--json"])
    assert fused.exit_code == expanded.exit_code == 0, (fused.output, expanded.output)
    fused_ops = [n["op"] for n in json.loads(fused.output)["nodes"] if n["kind"] == "gate"]
    expanded_data = json.loads(expanded.output)
    expanded_ops = [n["op"] for n in expanded_data["nodes"] if n["kind"] == "gate"]
    assert fused_ops == ["*", "*", "+", "+", "σ"]
    assert expanded_ops == NEURON["gates"]
    assert expanded_data["gradients"] == close(NEURON["gradients"])


@pytest.mark.parametrize("name", ["cs231n-simple", "sigmoid-neuron"])
def test_bundled_examples_cite_the_notes(name):
    example = gb.load_example(name)
    assert "cs231n.github.io/optimization-2" in example.source
    assert example.title and example.description
