"""The example library (``expressions/*.toml``): every file evaluates, and its gradients agree
with two independent references, ``sympy.diff`` of the whole expression and central finite
differences; ``gbp examples`` lists it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import sympy

import graphviz_backprop as gb
from graphviz_backprop.cli import cli
from graphviz_backprop.gates import sigmoid
from graphviz_backprop.symbolic import symbolic_values

EXAMPLES = gb.list_examples()
BY_NAME = {e.name: e for e in EXAMPLES}
NAMES = sorted(BY_NAME)

#: What the lecture shows (issue 6); the library may hold more.
LECTURE = {
    "cs231n-simple", "sigmoid-neuron", "sigmoid-neuron-fused", "logistic-regression",
    "two-logistic-regressions", "sigmoid", "tanh", "relu", "leaky-relu", "elu", "softplus",
    "softmax-cross-entropy", "mse-linear",
}

#: Central differences with this step agree with the exact gradient to about h**2 * f'''
#: (1e-10 here) plus rounding, eps * |f| / h (about 1e-10): far inside the tolerance.
H = 1e-5
FD_TOL = dict(rel=1e-6, abs=1e-8)
EXACT_TOL = dict(rel=1e-12, abs=1e-14)

by_example = pytest.mark.parametrize("name", NAMES)


def _whole_expression(circuit: gb.Circuit) -> sympy.Expr:
    """The output as one sympy formula of the inputs, the custom sigmoid written out."""
    expr = symbolic_values(circuit)[circuit.output]
    return expr.replace(sigmoid, lambda x: 1 / (1 + sympy.exp(-x)))


def _at(expr: sympy.Expr, point: dict[str, float]) -> float:
    subs = {s: sympy.Float(point[s.name], 30) for s in expr.free_symbols}
    value = complex(expr.subs(subs).evalf(30))
    assert value.imag == 0, (expr, value)
    return value.real


def test_the_library_holds_the_lecture():
    assert set(NAMES) >= LECTURE


@by_example
def test_file_name_is_the_example_name(name):
    example = BY_NAME[name]
    assert Path(example.path).stem == example.name
    assert gb.load_example(name) == example


@by_example
def test_every_file_says_what_it_is_and_where_it_comes_from(name):
    example = BY_NAME[name]
    for field in ("title", "description", "source"):
        assert getattr(example, field).strip(), field
    # the teaching material it comes from: the lecture, the cs231n notes, micrograd
    assert any(where in example.source for where in ("lecture", "cs231n", "micrograd"))
    assert "\n" not in example.title


@by_example
def test_evaluates_at_its_values_away_from_kinks(name):
    t = gb.trace(name)
    assert not t.symbolic
    # every input has a value: in [at], or bound in the program (x1 = 1), never both
    given = set(t.circuit.given)
    assert set(t.inputs) == set(BY_NAME[name].at) | given, "every input has a value"
    assert not set(BY_NAME[name].at) & given, "a value is given twice"
    assert math.isfinite(t.value)
    assert all(math.isfinite(g) for g in t.gradients.values())
    assert not any(t.evaluation.flags.values()), "values must sit away from kinks"


@by_example
def test_gradients_equal_sympy_diff_of_the_whole_expression(name):
    t = gb.trace(name)
    expr = _whole_expression(t.circuit)
    assert not expr.has(sigmoid)
    symbols = {s.name: s for s in expr.free_symbols}
    point = t.inputs
    assert t.value == pytest.approx(_at(expr, point), **EXACT_TOL)
    for input_name, grad in t.gradients.items():
        symbol = symbols.get(input_name)
        exact = 0.0 if symbol is None else _at(sympy.diff(expr, symbol), point)
        assert grad == pytest.approx(exact, **EXACT_TOL), input_name


@by_example
def test_gradients_equal_central_finite_differences(name):
    t = gb.trace(name)
    circuit, point = t.circuit, t.inputs

    def f(**change: float) -> float:
        return gb.evaluate(circuit, {**point, **change}).output

    for input_name, grad in t.gradients.items():
        x = point[input_name]
        h = H * max(1.0, abs(x))
        numeric = (f(**{input_name: x + h}) - f(**{input_name: x - h})) / (2 * h)
        assert grad == pytest.approx(numeric, **FD_TOL), input_name


@by_example
def test_expanding_composite_gates_keeps_the_numbers(name):
    t, expanded = gb.trace(name, expand=False), gb.trace(name, expand=True)
    assert expanded.value == pytest.approx(t.value, rel=1e-12, abs=1e-15)
    assert expanded.gradients == pytest.approx(t.gradients, rel=1e-9, abs=1e-12)


def test_gbp_examples_lists_every_example_with_its_title(runner):
    result = runner.invoke(cli, ["examples"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == len(EXAMPLES)
    rows = [line.split(None, 1) for line in lines]
    assert [r[0] for r in rows] == NAMES
    assert {r[0]: r[1] for r in rows} == {e.name: e.title for e in EXAMPLES}
    titles_start = {line.index(r[1]) for line, r in zip(lines, rows)}
    assert len(titles_start) == 1, "titles are aligned in one column"


def test_gbp_examples_json(runner):
    result = runner.invoke(cli, ["examples", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [e["name"] for e in data] == NAMES
    for entry in data:
        example = BY_NAME[entry["name"]]
        assert entry == {"name": example.name, "title": example.title,
                         "description": example.description, "source": example.source}
