"""Vectors and matrices: the lecture's matrix form, against exact fractions, central finite
differences on every entry, and the scalar twins of each circuit."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import graphviz_backprop as gb
from graphviz_backprop.errors import InputError, ParseError
from graphviz_backprop.gates import FUNCTIONS, GATES

VECTORIZED = "W = [[0.1, 0.5], [-0.3, 0.8]]; x = [0.2, 0.4]; q = W @ x; f = sum(q**2)"
BATCH = ("X = [[1, 2, -1], [1, 1, 3]]; W = [[0.5, -1], [1, 0.5], [-0.5, 2]];"
         " b = [0.1, -0.2]; f = np.sum(np.maximum(0, X @ W + b))")


def _fractions(rows):
    return [[Fraction(str(v)) for v in row] for row in rows]


def test_cs231n_vectorized_example_against_exact_fractions():
    W = _fractions([[0.1, 0.5], [-0.3, 0.8]])
    x = [Fraction("0.2"), Fraction("0.4")]
    q = [sum(W[i][j] * x[j] for j in range(2)) for i in range(2)]
    f = sum(v * v for v in q)
    dq = [2 * v for v in q]
    dW = [[dq[i] * x[j] for j in range(2)] for i in range(2)]
    dx = [sum(W[i][j] * dq[i] for i in range(2)) for j in range(2)]
    assert f == Fraction("0.116") and q == [Fraction("0.22"), Fraction("0.26")]
    t = gb.trace(VECTORIZED)
    assert t.value == pytest.approx(float(f), rel=1e-15)
    node = t.circuit.inputs
    q_node = next(n for n in t.circuit.order if t.circuit.name(n) == "q")
    assert t.evaluation.values[q_node] == pytest.approx([float(v) for v in q], rel=1e-15)
    assert t.evaluation.grads[q_node] == pytest.approx([float(v) for v in dq], rel=1e-15)
    assert t.gradients["W"] == pytest.approx(np.array([[float(v) for v in r] for r in dW]),
                                             rel=1e-14)
    assert t.gradients["x"] == pytest.approx([float(v) for v in dx], rel=1e-14)
    assert t.gradients["W"].shape == (2, 2) and t.gradients["x"].shape == (2,)
    assert set(node) == {"W", "x"}
    assert t.gradients["x"] == pytest.approx([-0.112, 0.636], abs=1e-15)
    assert t.gradients["W"] == pytest.approx(np.array([[0.088, 0.176], [0.104, 0.208]]),
                                             abs=1e-15)


@pytest.mark.parametrize("last", ["f = q @ q", "f = np.linalg.norm(q)**2", "f = q.dot(q)",
                                  "f = np.dot(q, q)", "f = np.sum(q * q)", "f = (q**2).sum()"])
def test_other_ways_to_write_the_same_loss(last):
    t = gb.trace(VECTORIZED.replace("f = sum(q**2)", last))
    reference = gb.trace(VECTORIZED)
    assert t.value == pytest.approx(0.116, rel=1e-14)
    for name in ("W", "x"):
        assert t.gradients[name] == pytest.approx(reference.gradients[name], rel=1e-13)


def test_batch_with_a_broadcast_bias():
    t = gb.trace(BATCH)
    assert t.value == pytest.approx(8.5, rel=1e-15)
    assert t.gradients["W"].tolist() == [[2, 1], [3, 1], [2, 3]]
    assert t.gradients["b"].tolist() == [2, 1]
    assert t.gradients["X"].tolist() == [[0.5, 1, -0.5], [-0.5, 1.5, 1.5]]


def test_one_entry_vectors_agree_with_the_scalar_sigmoid_neuron():
    vector = gb.trace("w = [2, -3]; x = [-1, -2]; b = -3; p = sigmoid(w @ x + b)")
    scalar = gb.trace("sigmoid-neuron")
    assert vector.value == pytest.approx(0.7310585786, abs=1e-10)
    assert vector.value == pytest.approx(scalar.value, abs=1e-12)
    s = scalar.gradients
    assert vector.gradients["w"] == pytest.approx([s["w0"], s["w1"]], abs=1e-12)
    assert vector.gradients["x"] == pytest.approx([s["x0"], s["x1"]], abs=1e-12)
    assert vector.gradients["b"] == pytest.approx(s["w2"], abs=1e-12)
    assert isinstance(vector.gradients["b"], float)
    assert vector.gradients["w"] == pytest.approx([-0.196612, -0.393224], abs=1e-6)
    assert vector.gradients["x"] == pytest.approx([0.393224, -0.589836], abs=1e-6)


def test_the_cs231n_notes_list_style():
    t = gb.trace("w = [2, -3, -3]; x = [-1, -2]\n"
                 "f = 1 / (1 + math.exp(-(w[0]*x[0] + w[1]*x[1] + w[2])))")
    scalar = gb.trace("sigmoid-neuron")
    s = scalar.gradients
    assert t.value == pytest.approx(scalar.value, abs=1e-15)
    assert t.gradients["w"] == pytest.approx([s["w0"], s["w1"], s["w2"]], abs=1e-15)
    assert t.gradients["x"] == pytest.approx([s["x0"], s["x1"]], abs=1e-15)


# ---- central finite differences on every entry ---------------------------------------------

CIRCUITS = {
    "vectorized": VECTORIZED,
    "batch": BATCH.replace("np.maximum(0, X @ W + b)", "np.maximum(0, X @ W + b)**2"),
    "dense-tanh": "W = [[0.2, -0.4, 0.1], [0.7, 0.3, -0.5]]; x = [1.0, -2.0, 0.5];"
                  " b = [0.1, 0.2]; h = np.tanh(W @ x + b); f = np.mean(h * h)",
    "logistic": "w = [0.5, -1.5, 2.0]; x = [1.0, 0.3, -0.7]; b = 0.1;"
                " p = sigmoid(w @ x + b); L = -log(p)",
    "softmax-ce": "W = [[0.2, -0.5], [1.5, 1.3], [0.0, 0.25]]; x = [0.6, -1.1];"
                  " s = W @ x; L = cross_entropy(s, 2)",
    "softmax-index": "s = [1.0, 2.0, 0.5]; p = softmax(s); L = -log(p[1])",
    "batch-ce": "X = [[1.0, 2.0], [0.5, -1.0], [-0.3, 0.8]]; W = [[0.1, -0.2, 0.3],"
                " [0.4, 0.1, -0.6]]; L = cross_entropy(X @ W, [0, 2, 1])",
    "mlp": "X = [[0.1, 0.2, -0.3], [0.5, -0.1, 0.4]]; W1 = [[0.1, 0.3], [-0.2, 0.5],"
           " [0.7, -0.4]]; b1 = [0.01, -0.02]; W2 = [0.3, -0.6]; b2 = 0.05;"
           " h = relu(X @ W1 + b1); y = h @ W2 + b2; L = mean((y - 1)**2)",
    "transpose-axis": "A = [[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]]; B = np.transpose(A.T).T @ A;"
                      " f = sum(np.sum(B, axis=0) * np.mean(A, axis=1).sum())",
    "outer-fanout": "a = [1.0, -2.0]; b = [0.5, 0.25, 3.0]; M = np.outer(a, b);"
                    " f = sum(M * M) + a @ a",
    "norm-divide": "v = [3.0, -4.0]; u = v / np.linalg.norm(v); f = u[0] * 2 + u[1]",
    "scalar-times-matrix": "s = 1.5; W = [[1.0, 2.0], [3.0, -1.0]]; f = sum(exp(s * W) / 10)",
}


def _numerical_gradients(source, trace, h=1e-6):
    found = {}
    for name, value in trace.inputs.items():
        base = np.array(value, dtype=float)
        grad = np.zeros(base.shape)
        for index in np.ndindex(*base.shape):
            up, down = base.copy(), base.copy()
            up[index] += h
            down[index] -= h
            at = {n: v for n, v in trace.inputs.items()}
            at[name] = up.tolist() if base.ndim else float(up)
            f_up = gb.trace(source, **at).value
            at[name] = down.tolist() if base.ndim else float(down)
            f_down = gb.trace(source, **at).value
            grad[index] = (f_up - f_down) / (2 * h)
        found[name] = grad
    return found


@pytest.mark.parametrize("source", list(CIRCUITS.values()), ids=list(CIRCUITS))
def test_gradients_match_central_finite_differences_on_every_entry(source):
    t = gb.trace(source)
    numerical = _numerical_gradients(source, t)
    for name, grad in t.gradients.items():
        assert np.shape(grad) == np.shape(t.inputs[name]), name
        assert np.asarray(grad) == pytest.approx(numerical[name], rel=1e-6, abs=1e-7), name


def test_every_array_function_is_covered_here():
    sources = " ".join(CIRCUITS.values())
    for function, key in FUNCTIONS.items():
        if GATES[key].array and function not in ("matmul",):
            assert function in sources, function
    assert "@" in sources and "[1]" in sources


def test_fan_out_adds_and_softmax_is_stable():
    t = gb.trace("s = [1000.0, 1001.0, 999.0]; L = cross_entropy(s, 0)")
    assert t.value == pytest.approx(1.40760596444438, rel=1e-12)
    p = gb.trace("s = [1000.0, 1001.0, 999.0]; p = softmax(s); f = p[1]").value
    assert p == pytest.approx(0.6652409557748219, rel=1e-12)


def test_relu_at_zero_has_gradient_zero():
    t = gb.trace("z = [0.0, 1.0, -1.0]; f = sum(relu(z))")
    assert t.gradients["z"].tolist() == [0.0, 1.0, 0.0]


def test_values_on_the_command_line_and_in_the_api():
    t = gb.trace(VECTORIZED, x=[1.0, 0.0])
    assert t.gradients["W"] == pytest.approx(np.array([[0.2, 0.0], [-0.6, 0.0]]))
    t = gb.trace("f = sum(W @ x)", W=np.array([[1.0, 2.0]]), x=(3.0, 4.0))
    assert t.value == 11.0


# ---- errors: one line, naming the shapes -----------------------------------------------------

@pytest.mark.parametrize(("source", "message"), [
    ("W = [[1, 2, 3], [4, 5, 6]]; x = [1, 2]; f = sum(W @ x)",
     "W @ x: W is 2×3 but x has 2 entries (W's 3 columns must match x) (line 1, column"),
    ("a = [1, 2]; b = [1, 2, 3]; f = sum(a + b)",
     "shapes 2 and 3 cannot be added"),
    ("W = [[1, 2], [3]]; f = sum(W)", "rows of different lengths"),
    ("W = [[[1]]]; f = sum(W)", "3 or more dimensions"),
    ("x = [1, 2]; f = x * 2", "the output f is a 2-vector; backpropagation starts from a"
                              " scalar: end with sum(...), mean(...) or a loss"),
    ("f = sum(W @ x)", "vectors and matrices need numbers"),
    ("x = [1, 2]; f = x[2]", "index 2 is out of range"),
    ("x = [1, 2]; f = sum(x[0:1])", "slices are not allowed"),
    ("x = [1, 2]; f = sum(x, axis=1)", "which has only axis 0"),
    ("s = [1, 2]; L = cross_entropy(s, 3)", "class 3 does not exist"),
    ("x = [1, 2]; f = sum(x @ 2)", "@ multiplies vectors and matrices"),
    ("f = sum([1, 2])", "a list is a value"),
    ("x = [1, 'a']", "strings are not allowed"),
    ("x = [1, 2]; f = sum(log(x - 1))", "log of a non-positive number at entry [0]"),
])
def test_errors_name_the_shapes(source, message):
    with pytest.raises(InputError) as info:
        gb.trace(source)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_too_many_entries_is_refused_before_it_is_computed():
    with pytest.raises(InputError, match=r"outer\(a, a\) would have 1000×1000 = 1,000,000 entries; the limit is 100,000 \(line 1"):
        gb.trace("a = [" + ", ".join(["1"] * 1000) + "]; f = sum(np.outer(a, a) @ np.outer(a, a))")


def test_parse_forms():
    p = gb.trace("A = np.array([[1.0, 2.0], [3.0, 4.0]]); f = np.sum(np.transpose(A) @ A.T)")
    assert p.value == pytest.approx(float(np.sum(np.array([[1, 3], [2, 4]]) @ np.array(
        [[1, 3], [2, 4]]))))
    with pytest.raises(ParseError, match="a mix of numbers and rows"):
        gb.trace("x = [1, [2]]; f = sum(x)")


def test_the_work_of_one_evaluation_is_bounded():
    source = "a = [1]\n" + "\n".join("a = tanh(a)" for _ in range(12)) + "\nf = sum(a)"
    with pytest.raises(InputError, match="entry operations"):
        gb.trace(source, a=[0.5] * 100_000)
    assert gb.trace(source, a=[0.5] * 1000).value > 0
