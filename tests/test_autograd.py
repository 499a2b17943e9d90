"""The examples on vectors and matrices against PyTorch's autograd, a third reference beside
finite differences and exact fractions (tests/test_examples.py).

PyTorch is a test-only extra (``pip install -e '.[autograd]'``; a CPU build is enough), never
a dependency of the package: without it these tests are skipped.  Each example is written
again here as torch code, the way a student would write it, in float64.
"""

from __future__ import annotations

import numpy as np
import pytest

import graphviz_backprop as gb

torch = pytest.importorskip("torch")
F = pytest.importorskip("torch.nn.functional")


def _bce(p, y):
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p))


#: Each example of the matrix form as a torch function of its inputs, by name.
MODELS = {
    "cs231n-vectorized": lambda W, x: torch.sum((W @ x) ** 2),
    "dense-batch": lambda X, W, b: torch.sum(torch.clamp(X @ W + b, min=0)),
    "logistic-regression-vector": lambda w, x, b, y: _bce(torch.sigmoid(w @ x + b), y),
    "softmax-classifier": lambda W, x, b: F.cross_entropy((W @ x + b)[None, :],
                                                          torch.tensor([2])),
    "mlp-2-layer": lambda X, W1, b1, W2, b2: F.cross_entropy(
        torch.relu(X @ W1 + b1) @ W2 + b2, torch.tensor([0, 1, 1, 0])),
    "sgd-step": lambda X, y, w, b: torch.mean((X @ w + b - y) ** 2),
}


def test_every_example_on_arrays_has_a_torch_twin():
    names = {e.name for e in gb.list_examples()
             if any(np.ndim(v) for v in gb.trace(e.name).inputs.values())}
    assert names == set(MODELS)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_gradients_equal_torch_autograd(name):
    t = gb.trace(name)
    tensors = {n: torch.tensor(np.asarray(v, dtype=float), dtype=torch.float64,
                               requires_grad=True) for n, v in t.inputs.items()}
    loss = MODELS[name](**tensors)
    loss.backward()
    assert t.value == pytest.approx(loss.item(), rel=1e-13)
    for input_name, grad in t.gradients.items():
        expected = tensors[input_name].grad.numpy()
        assert np.shape(grad) == expected.shape, input_name
        assert np.asarray(grad) == pytest.approx(expected, rel=1e-12, abs=1e-15), input_name
