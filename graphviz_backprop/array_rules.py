"""The rules of the gates that work on whole vectors and matrices, for the gate table.

Each gate has a ``shape`` rule (the output's shape from the inputs', or a :class:`ShapeError`
whose message names the inputs ``{0}``, ``{1}``, filled in with the wire names by the
engine), a ``forward`` rule in numpy, and a ``local`` rule: one :class:`arrays.Local` per
input wire, the vector-Jacobian product with how it is written in captions.

Conventions are numpy's: a 1-D array is neither a row nor a column; ``a @ b`` of two
vectors is their dot product, of a matrix and a vector a vector.  The rules written in
captions treat a vector as a column, as the lecture does (``dW = dq · xᵀ``).

>>> from graphviz_backprop.arrays import as_array
>>> W, x = as_array("W", [[0.1, 0.5], [-0.3, 0.8]]), as_array("x", [0.2, 0.4])
>>> matmul_forward(W, x).round(12).tolist()
[0.22, 0.26]
>>> dW, dx = matmul_local(W, x, None)
>>> g = as_array("g", [0.44, 0.52])
>>> (g * dW).round(12).tolist(), (g * dx).round(12).tolist(), dW.rule, dx.rule
([[0.088, 0.176], [0.104, 0.208]], [-0.112, 0.636], '{g} · {1}ᵀ', '{0}ᵀ · {g}')
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .arrays import Local, check_entries, scalar_or_array, shape_of, shape_text, size_text
from .errors import EvaluationError
from .lazy import lazy_import

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_import("numpy")

__all__ = ["ShapeError", "broadcast_shape", "jacobian_of"]


class ShapeError(ValueError):
    """Shapes that do not fit; the message names the inputs ``{0}``, ``{1}``."""


Shape = tuple[int, ...]


def _phrase(shape: Shape) -> str:
    if len(shape) == 1:
        return f"has {shape[0]} entr{'y' if shape[0] == 1 else 'ies'}"
    return f"is {shape_text(shape)}"


def jacobian_of(vjp: Callable[[Any], Any], out_shape: Shape, in_shape: Shape) -> Any:
    """The Jacobian from a vector-Jacobian product, one output entry at a time: row i is the
    gradient of output entry i (numerator layout), flattened."""
    n_out, n_in = math.prod(out_shape), math.prod(in_shape)
    rows = np.zeros((n_out, n_in))
    for i in range(n_out):
        unit = np.zeros(n_out)
        unit[i] = 1.0
        g = unit.reshape(out_shape) if out_shape else 1.0
        rows[i] = np.ravel(np.asarray(vjp(g), dtype=float)) * np.ones(n_in)
    return rows


def _local(vjp: Callable[[Any], Any], out: Shape, inp: Shape, rule: str,
           summed: bool = False) -> Local:
    return Local(vjp, lambda: jacobian_of(vjp, out, inp), rule, summed)


# ---- broadcasting (the elementwise gates lifted to arrays) ---------------------------------

_VERBS = {"add": "added", "sub": "subtracted", "mul": "multiplied", "div": "divided",
          "pow": "raised to a power", "max": "compared", "min": "compared"}


def broadcast_shape(key: str, a: Shape, b: Shape) -> Shape:
    """The shape of an elementwise operation on two inputs, by numpy's broadcasting rule."""
    try:
        shape = tuple(np.broadcast_shapes(a, b))
    except ValueError:
        verb = _VERBS.get(key, "combined")
        raise ShapeError(
            f"shapes {shape_text(a)} and {shape_text(b)} cannot be {verb} ({{0}} is"
            f" {size_text(a)}, {{1}} {size_text(b)}; numpy broadcasting matches shapes from"
            " the right, where each length must be equal or 1)") from None
    check_entries(shape, "this elementwise result")
    return shape


# ---- @ (matmul, dot) ----------------------------------------------------------------------

def matmul_shape(a: Shape, b: Shape, c: Any = None) -> Shape:
    if not a or not b:
        which = "{0}" if not a else "{1}"
        raise ShapeError(f"{{0}} @ {{1}}: {which} is a scalar; @ multiplies vectors and"
                         " matrices (use * to multiply by a scalar)")
    inner_a, inner_b = a[-1], b[0]
    if inner_a != inner_b:
        if len(a) == 2 and len(b) == 1:
            why = f"{{0}}'s {a[1]} columns must match {{1}}"
        elif len(a) == 2:
            why = f"{{0}}'s {a[1]} columns must match {{1}}'s {b[0]} rows"
        elif len(b) == 2:
            why = f"{{0}}'s {a[0]} entries must match {{1}}'s {b[0]} rows"
        else:
            why = "a dot product needs two vectors of one length"
        raise ShapeError(f"{{0}} @ {{1}}: {{0}} {_phrase(a)} but {{1}} {_phrase(b)} ({why})")
    shape = a[:-1] + b[1:]
    check_entries(shape, "{0} @ {1}")
    return shape


def matmul_forward(a: Any, b: Any, c: Any = None) -> Any:
    return scalar_or_array(np.matmul(a, b))


def matmul_local(a: Any, b: Any, c: Any) -> tuple[Local, Local]:
    """d(a @ b): for a matrix a, da = g · bᵀ (an outer product when b is a vector) and
    db = aᵀ · g; for a vector a, the same with a as a row."""
    out = shape_of(matmul_forward(a, b))
    if a.ndim == 2 and b.ndim == 2:
        return (_local(lambda g: np.asarray(g) @ b.T, out, a.shape, "{g} · {1}ᵀ"),
                _local(lambda g: a.T @ np.asarray(g), out, b.shape, "{0}ᵀ · {g}"))
    if a.ndim == 2:  # matrix @ vector
        return (_local(lambda g: np.outer(g, b), out, a.shape, "{g} · {1}ᵀ"),
                _local(lambda g: a.T @ np.asarray(g), out, b.shape, "{0}ᵀ · {g}"))
    if b.ndim == 2:  # vector @ matrix
        return (_local(lambda g: b @ np.asarray(g), out, a.shape, "{1} · {g}"),
                _local(lambda g: np.outer(a, g), out, b.shape, "{0} · {g}ᵀ"))
    return (_local(lambda g: g * b, out, a.shape, "{g} · {1}"),
            _local(lambda g: g * a, out, b.shape, "{g} · {0}"))


# ---- outer ---------------------------------------------------------------------------------

def outer_shape(a: Shape, b: Shape, c: Any = None) -> Shape:
    if len(a) != 1 or len(b) != 1:
        raise ShapeError("outer({0}, {1}) takes two vectors ({0} is "
                         f"{size_text(a)}, {{1}} {size_text(b)})")
    check_entries((a[0], b[0]), "outer({0}, {1})")
    return (a[0], b[0])


def outer_forward(a: Any, b: Any, c: Any = None) -> Any:
    return scalar_or_array(np.outer(a, b))


def outer_local(a: Any, b: Any, c: Any) -> tuple[Local, Local]:
    out = (a.shape[0], b.shape[0])
    return (_local(lambda g: np.asarray(g) @ b, out, a.shape, "{g} · {1}"),
            _local(lambda g: np.asarray(g).T @ a, out, b.shape, "{g}ᵀ · {0}"))


# ---- transpose -----------------------------------------------------------------------------

def transpose_shape(a: Shape, c: Any = None) -> Shape:
    return tuple(reversed(a))


def transpose_forward(a: Any, c: Any = None) -> Any:
    return scalar_or_array(np.transpose(a))


def transpose_local(a: Any, c: Any) -> tuple[Local]:
    return (_local(lambda g: np.transpose(g), tuple(reversed(a.shape)), a.shape, "{g}ᵀ"),)


# ---- reductions ----------------------------------------------------------------------------

def _axis_shape(a: Shape, axis: int | None, name: str) -> Shape:
    if not a:
        raise ShapeError(f"{name}({{0}}): {{0}} is a scalar already")
    if axis is None:
        return ()
    if not -len(a) <= axis < len(a):
        raise ShapeError(f"{name}({{0}}, axis={axis}): {{0}} is {size_text(a)}, which has"
                         f" {'only axis 0' if len(a) == 1 else 'axes 0 and 1'}")
    return a[:axis % len(a)] + a[axis % len(a) + 1:]


def _spread(g: Any, shape: Shape, axis: int | None) -> Any:
    """An upstream gradient copied back over the axis a reduction removed."""
    g = np.asarray(g, dtype=float)
    if axis is not None:
        g = np.expand_dims(g, axis % len(shape))
    return np.broadcast_to(g, shape)


def sum_shape(a: Shape, axis: int | None = None) -> Shape:
    return _axis_shape(a, axis, "sum")


def sum_forward(a: Any, axis: int | None = None) -> Any:
    return scalar_or_array(np.sum(a, axis=axis))


def sum_local(a: Any, axis: int | None) -> tuple[Local]:
    out = sum_shape(a.shape, axis)
    return (_local(lambda g: _spread(g, a.shape, axis), out, a.shape,
                   "{g} copied to every entry" if axis is None
                   else f"{{g}} copied along axis {axis}"),)


def mean_shape(a: Shape, axis: int | None = None) -> Shape:
    return _axis_shape(a, axis, "mean")


def mean_forward(a: Any, axis: int | None = None) -> Any:
    return scalar_or_array(np.mean(a, axis=axis))


def mean_local(a: Any, axis: int | None) -> tuple[Local]:
    out = mean_shape(a.shape, axis)
    n = a.size if axis is None else a.shape[axis]
    return (_local(lambda g: _spread(g, a.shape, axis) / n, out, a.shape,
                   f"{{g}} / {n} to every entry" if axis is None
                   else f"{{g}} / {n} along axis {axis}"),)


def norm_shape(a: Shape, c: Any = None) -> Shape:
    if not a:
        raise ShapeError("norm({0}): {0} is a scalar; norm takes a vector or a matrix")
    return ()


def norm_forward(a: Any, c: Any = None) -> float:
    return float(np.sqrt(np.sum(np.square(a))))


def norm_local(a: Any, c: Any) -> tuple[Local]:
    n = norm_forward(a)
    if n == 0:
        raise ArithmeticError("the norm of a zero vector has no gradient")
    return (_local(lambda g: g * a / n, (), a.shape, "{g} · {0} / ‖{0}‖"),)


# ---- softmax and cross-entropy -------------------------------------------------------------

def _probabilities(s: Any) -> Any:
    """softmax along the last axis, computed stably (the largest score subtracted first)."""
    e = np.exp(s - np.max(s, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def softmax_shape(a: Shape, c: Any = None) -> Shape:
    if not a:
        raise ShapeError("softmax({0}): {0} is a scalar; softmax takes a vector of scores"
                         " (or a matrix: one row of scores per example)")
    return a


def softmax_forward(s: Any, c: Any = None) -> Any:
    return scalar_or_array(_probabilities(s))


def softmax_local(s: Any, c: Any) -> tuple[Local]:
    p = _probabilities(s)

    def vjp(g: Any) -> Any:  # (diag(p) - p pᵀ) g, row by row
        g = np.asarray(g, dtype=float)
        return p * (g - np.sum(g * p, axis=-1, keepdims=True))

    return (_local(vjp, s.shape, s.shape, "(diag(p) − p pᵀ) · {g}"),)


def _classes(k: Any) -> tuple[int, ...]:
    return k if isinstance(k, tuple) else (k,)


def cross_entropy_shape(a: Shape, k: Any) -> Shape:
    ks = _classes(k)
    if len(a) == 1:
        if isinstance(k, tuple):
            raise ShapeError(f"cross_entropy({{0}}, k): {{0}} is one row of scores"
                             f" ({size_text(a)}), so k is one class index, a whole number")
    elif len(a) == 2:
        if len(ks) != a[0]:
            raise ShapeError(f"cross_entropy({{0}}, k): {{0}} has {a[0]} rows of scores but k"
                             f" has {len(ks)} class indices (one per row)")
    else:
        raise ShapeError("cross_entropy({0}, k): {0} is a scalar; it takes a vector of scores"
                         " (or a matrix: one row per example, with a list of class indices)")
    for i in ks:
        if not 0 <= i < a[-1]:
            raise ShapeError(f"cross_entropy({{0}}, {i}): class {i} does not exist; {{0}} has"
                             f" {a[-1]} classes (0 to {a[-1] - 1})")
    return ()


def cross_entropy_forward(s: Any, k: Any) -> float:
    """The loss −log softmax(s)[k] (mean over rows for a batch), as log-sum-exp − s[k]."""
    ks = _classes(k)
    rows = np.atleast_2d(s)
    top = np.max(rows, axis=1, keepdims=True)
    lse = np.log(np.sum(np.exp(rows - top), axis=1)) + top[:, 0]
    return float(np.mean(lse - rows[np.arange(len(ks)), list(ks)]))


def cross_entropy_local(s: Any, k: Any) -> tuple[Local]:
    ks = _classes(k)
    rows = np.atleast_2d(s)
    d = _probabilities(rows)
    d[np.arange(len(ks)), list(ks)] -= 1.0
    d = (d / len(ks)).reshape(s.shape)
    rule = "{g} · (p − onehot(k))" if s.ndim == 1 else f"{{g}} · (p − onehot(k)) / {len(ks)}"
    return (_local(lambda g: g * d, (), s.shape, rule),)


# ---- indexing ------------------------------------------------------------------------------

def index_shape(a: Shape, index: tuple[int, ...]) -> Shape:
    if len(index) > len(a):
        raise ShapeError(f"{{0}}[{', '.join(map(str, index))}]: {{0}} is {size_text(a)},"
                         f" which takes {len(a) or 'no'} ind{'ex' if len(a) == 1 else 'ices'}")
    for axis, (i, n) in enumerate(zip(index, a)):
        if not -n <= i < n:
            where = "" if len(a) == 1 else f" along axis {axis}"
            raise ShapeError(f"{{0}}[{', '.join(map(str, index))}]: index {i} is out of range"
                             f"{where}; {{0}} is {size_text(a)} (indices 0 to {n - 1})")
    return a[len(index):]


def index_forward(a: Any, index: tuple[int, ...]) -> Any:
    return scalar_or_array(a[index])


def index_local(a: Any, index: tuple[int, ...]) -> tuple[Local]:
    def vjp(g: Any) -> Any:
        d = np.zeros(a.shape)
        d[index] = g
        return d

    where = ", ".join(map(str, index))
    return (_local(vjp, a.shape[len(index):], a.shape, f"{{g}} at [{where}], 0 elsewhere"),)


# ---- what the table needs besides the rules ------------------------------------------------

def no_formula(*args: Any) -> Any:
    raise EvaluationError("vectors and matrices need numbers: give every input a value"
                          " (symbolic mode works with scalars)")


def axis_label(name: str) -> Callable[[Any, str], str]:
    return lambda c, x: name if c is None else f"{name} axis {c}"


def class_label(k: Any, x: str) -> str:
    return "CE" if isinstance(k, tuple) else f"CE k={k}"
