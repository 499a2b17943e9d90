"""The example library (``expressions/*.toml``): every file evaluates, and its gradients agree
with independent references: for a circuit of scalars, ``sympy.diff`` of the whole expression
and central finite differences; for one on vectors and matrices (which sympy cannot
differentiate through), central finite differences on every entry and a computation of its
own (exact fractions where the numbers are exact decimals; tests/test_autograd.py adds
PyTorch's autograd when it is installed); ``gbp examples`` lists it."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy

import graphviz_backprop as gb
from graphviz_backprop.arrays import all_finite, is_array
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

#: The lecture's matrix form and cs231n's vectorized examples (issue 14): vectors and matrices
#: on the wires. Every other example is a circuit of scalars (a test holds it), checked
#: against sympy.diff below; these are checked entry by entry in the second half of the file.
MATRIX_FORM = {
    "cs231n-vectorized", "dense-batch", "logistic-regression-vector", "softmax-classifier",
    "mlp-2-layer", "sgd-step",
}
SCALAR = sorted(set(NAMES) - MATRIX_FORM)
ARRAYS = sorted(MATRIX_FORM)

#: Central differences with this step agree with the exact gradient to about h**2 * f'''
#: (1e-10 here) plus rounding, eps * |f| / h (about 1e-10): far inside the tolerance.
H = 1e-5
FD_TOL = dict(rel=1e-6, abs=1e-8)
EXACT_TOL = dict(rel=1e-12, abs=1e-14)

by_example = pytest.mark.parametrize("name", NAMES)
by_scalar_example = pytest.mark.parametrize("name", SCALAR)
by_array_example = pytest.mark.parametrize("name", ARRAYS)


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
    assert set(NAMES) >= LECTURE | MATRIX_FORM


@by_example
def test_only_the_matrix_form_examples_hold_vectors_or_matrices(name):
    """So that every other example goes through the sympy check."""
    t = gb.trace(name)
    holds_arrays = any(is_array(v) for v in t.evaluation.values.values())
    assert holds_arrays == (name in MATRIX_FORM)


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
    assert all(all_finite(g) for g in t.gradients.values())
    assert not any(t.evaluation.flags.values()), "values must sit away from kinks"


@by_scalar_example
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


@by_scalar_example
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
    assert expanded.gradients.keys() == t.gradients.keys()
    for input_name, grad in t.gradients.items():
        assert np.shape(expanded.gradients[input_name]) == np.shape(grad)
        assert expanded.gradients[input_name] == pytest.approx(grad, rel=1e-9, abs=1e-12)


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


# ---- vectors and matrices: every entry -----------------------------------------------------

def _with_entry(value, index, step):
    """``value`` (a float or an array) with one entry moved by ``step``."""
    if not is_array(value):
        return value + step
    moved = np.array(value)
    moved[index] += step
    return moved


@by_array_example
def test_every_entry_of_every_gradient_equals_central_finite_differences(name):
    t = gb.trace(name)
    circuit, point = t.circuit, t.inputs
    entries = 0
    for input_name, grad in t.gradients.items():
        value = point[input_name]
        assert np.shape(grad) == np.shape(value), input_name
        numeric = np.zeros(np.shape(value))
        for index in np.ndindex(*np.shape(value)):
            h = H * max(1.0, abs(float(np.asarray(value)[index])))
            up = gb.evaluate(circuit, {**point, input_name: _with_entry(value, index, h)})
            down = gb.evaluate(circuit, {**point, input_name: _with_entry(value, index, -h)})
            numeric[index] = (up.output - down.output) / (2 * h)
            entries += 1
        assert np.asarray(grad) == pytest.approx(numeric, **FD_TOL), input_name
    assert entries == sum(max(1, np.size(v)) for v in point.values())


# Exact references: the examples whose numbers are exact decimals, computed again with
# fractions by the rules of the matrix form written out entry by entry (dW = dq xᵀ,
# dx = Wᵀ dq, a bias's gradient summed over the rows of a batch).

def _exact(value):
    """An input's value as fractions of its decimal digits (0.1 is exactly 1/10)."""
    if isinstance(value, list) or is_array(value):
        return [_exact(v) for v in list(value)]
    return Fraction(repr(float(value)))


def _matmul(a, b):
    """a @ b for lists of fractions: a matrix or vector times a matrix or vector."""
    rows = a if isinstance(a[0], list) else [a]
    cols = b if isinstance(b[0], list) else [[v] for v in b]
    out = [[sum(r[k] * cols[k][j] for k in range(len(cols))) for j in range(len(cols[0]))]
           for r in rows]
    out = out if isinstance(b[0], list) else [row[0] for row in out]
    return out if isinstance(a[0], list) else out[0]


def _transpose(m):
    return [list(col) for col in zip(*m)]


def _outer(a, b):
    return [[u * v for v in b] for u in a]


def _column_sums(m):
    return [sum(col) for col in zip(*m)]


def _text(value) -> str:
    """Fractions written as the descriptions write them: [[2, 1], [3, 1]], 0.116."""
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    return f"{float(value):g}"


def _approx(exact):
    return pytest.approx(np.array(exact, dtype=float), rel=1e-14, abs=1e-15)


def test_cs231n_vectorized_against_the_issue_and_exact_fractions():
    t = gb.trace("cs231n-vectorized")
    W, x = _exact(t.inputs["W"]), _exact(t.inputs["x"])
    q = _matmul(W, x)
    f = sum(v * v for v in q)
    dq = [2 * v for v in q]
    dW, dx = _outer(dq, x), _matmul(_transpose(W), dq)
    F = Fraction
    assert q == [F("0.22"), F("0.26")] and f == F("0.116") and dq == [F("0.44"), F("0.52")]
    assert dW == [[F("0.088"), F("0.176")], [F("0.104"), F("0.208")]]
    assert dx == [F("-0.112"), F("0.636")]
    assert t.value == pytest.approx(float(f), rel=1e-15)
    assert t.gradients["W"] == _approx(dW) and t.gradients["x"] == _approx(dx)
    q_node = next(n for n in t.circuit.order if t.circuit.name(n) == "q")
    assert t.evaluation.grads[q_node] == _approx(dq)
    for shown in (q, f, dq, dW, dx):
        assert _text(shown) in " ".join(BY_NAME["cs231n-vectorized"].description.split())


def test_dense_batch_against_the_issue_and_exact_fractions():
    t = gb.trace("dense-batch")
    X, W, b = (_exact(t.inputs[n]) for n in ("X", "W", "b"))
    Z = [[s + c for s, c in zip(row, b)] for row in _matmul(X, W)]
    f = sum(max(0, z) for row in Z for z in row)
    dZ = [[Fraction(z > 0) for z in row] for row in Z]
    dW, dX, db = _matmul(_transpose(X), dZ), _matmul(dZ, _transpose(W)), _column_sums(dZ)
    assert f == Fraction("8.5")
    assert dW == [[2, 1], [3, 1], [2, 3]] and db == [2, 1]
    assert dX == [[Fraction("0.5"), 1, Fraction("-0.5")], [Fraction("-0.5"), Fraction("1.5"),
                                                           Fraction("1.5")]]
    assert t.value == pytest.approx(float(f), rel=1e-15)
    for input_name, exact in (("X", dX), ("W", dW), ("b", db)):
        assert t.gradients[input_name] == _approx(exact), input_name
    described = " ".join(BY_NAME["dense-batch"].description.split())
    for shown in (f, dW, dX, db):
        assert _text(shown) in described


#: The learning rate of the step that sgd-step describes (x ← x − lr · dx).
SGD_LR = Fraction("0.1")


def test_sgd_step_lowers_the_loss_to_the_exact_number_it_describes():
    t = gb.trace("sgd-step")
    X, y, w, b = (_exact(t.inputs[n]) for n in ("X", "y", "w", "b"))

    def errors(w, b):
        return [p + b - target for p, target in zip(_matmul(X, w), y)]

    e = errors(w, b)
    loss = sum(v * v for v in e) / len(e)
    de = [2 * v / len(e) for v in e]
    dw, db = _matmul(_transpose(X), de), sum(de)
    dX, dy = _outer(de, w), [-v for v in de]
    assert t.value == pytest.approx(float(loss), rel=1e-15)
    for input_name, exact in (("X", dX), ("y", dy), ("w", dw), ("b", db)):
        assert t.gradients[input_name] == _approx(exact), input_name
    # one step of gradient descent on the parameters w and b, exactly ...
    w2 = [v - SGD_LR * g for v, g in zip(w, dw)]
    b2 = b - SGD_LR * db
    e2 = errors(w2, b2)
    loss2 = sum(v * v for v in e2) / len(e2)
    assert loss2 < loss
    # ... and with the engine's own gradients
    moved = gb.evaluate(t.circuit, {**t.inputs, "w": t.inputs["w"] - float(SGD_LR) * t.gradients["w"],
                                    "b": t.inputs["b"] - float(SGD_LR) * t.gradients["b"]})
    assert moved.output == pytest.approx(float(loss2), rel=1e-14)
    described = " ".join(BY_NAME["sgd-step"].description.split())
    for shown in (e, loss, dw, db, w2, b2, e2, loss2, SGD_LR):
        assert _text(shown) in described


def test_logistic_regression_vector_is_the_scalar_example_with_vectors():
    """The same numbers as logistic-regression, whose gradients sympy.diff checks."""
    vector, scalar = gb.trace("logistic-regression-vector"), gb.trace("logistic-regression")
    s = scalar.gradients
    assert vector.inputs["w"].tolist() == [scalar.inputs["w1"], scalar.inputs["w2"]]
    assert vector.inputs["x"].tolist() == [scalar.inputs["x1"], scalar.inputs["x2"]]
    assert vector.value == pytest.approx(scalar.value, rel=1e-15)
    assert vector.gradients["w"] == pytest.approx([s["w1"], s["w2"]], rel=1e-15)
    assert vector.gradients["x"] == pytest.approx([s["x1"], s["x2"]], rel=1e-15)
    assert vector.gradients["b"] == pytest.approx(s["b"], rel=1e-15)
    assert vector.gradients["y"] == pytest.approx(s["y"], rel=1e-15)
    assert isinstance(vector.gradients["b"], float)


def test_softmax_classifier_has_the_scores_of_softmax_cross_entropy():
    """Its scores are those of the notes' figure: the loss and the scores' gradient are the
    scalar example's (checked by sympy.diff); W's and x's follow by dW = ds xᵀ, dx = Wᵀ ds."""
    t, scalar = gb.trace("softmax-classifier"), gb.trace("softmax-cross-entropy")
    s_node = next(n for n in t.circuit.order if t.circuit.name(n) == "s")
    assert t.evaluation.values[s_node] == pytest.approx([-2.85, 0.86, 0.28], rel=1e-14)
    ds = np.array([scalar.gradients[n] for n in ("s1", "s2", "s3")])
    assert t.value == pytest.approx(scalar.value, rel=1e-13)
    assert t.evaluation.grads[s_node] == pytest.approx(ds, rel=1e-12)
    assert t.gradients["b"] == pytest.approx(ds, rel=1e-12)
    assert t.gradients["W"] == pytest.approx(np.outer(ds, t.inputs["x"]), rel=1e-12)
    assert t.gradients["x"] == pytest.approx(t.inputs["W"].T @ ds, rel=1e-12)


def test_mlp_2_layer_against_the_cs231n_case_study_backward_pass():
    """The backward pass as the cs231n case study writes it in numpy, line by line."""
    t = gb.trace("mlp-2-layer")
    X, W1, b1, W2, b2 = (np.array(t.inputs[n]) for n in ("X", "W1", "b1", "W2", "b2"))
    k = [0, 1, 1, 0]
    assert X.shape == (4, 3) and W1.shape == (3, 8) and W2.shape == (8, 2)
    Z = X @ W1 + b1
    hidden = np.maximum(0, Z)
    scores = hidden @ W2 + b2
    probs = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)
    loss = np.mean(-np.log(probs[range(4), k]))
    dscores = probs.copy()
    dscores[range(4), k] -= 1
    dscores /= 4
    dW2, db2 = hidden.T @ dscores, np.sum(dscores, axis=0)
    dhidden = dscores @ W2.T
    dhidden[hidden <= 0] = 0
    dW1, db1, dX = X.T @ dhidden, np.sum(dhidden, axis=0), dhidden @ W1.T
    assert np.min(np.abs(Z)) > 0.04, "the hidden units stay away from ReLU's kink"
    assert np.count_nonzero(Z > 0) == 15 and np.all(np.any(Z > 0, axis=0))
    assert t.value == pytest.approx(loss, rel=1e-13) and f"L = {loss:.3f}" in \
        " ".join(BY_NAME["mlp-2-layer"].description.split())
    for input_name, grad in (("X", dX), ("W1", dW1), ("b1", db1), ("W2", dW2), ("b2", db2)):
        assert t.gradients[input_name] == pytest.approx(grad, rel=1e-12, abs=1e-15), input_name
