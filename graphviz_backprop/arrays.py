"""Vectors and matrices: values of 1 or 2 dimensions with numpy's semantics, their shapes
as the pictures and errors write them, and the local gradient of a gate on them.

A scalar stays a Python float everywhere; an array is a read-only float64 ``numpy.ndarray``
of 1 or 2 dimensions (numpy is imported on first use, so scalar work never pays for it).

The local gradient of a gate on arrays is a :class:`Local`: it multiplies an upstream
gradient from the left (``g * local``, the vector-Jacobian product, as the backward pass
writes it for scalars) and can show itself as a Jacobian (numerator layout: row i is the
gradient of output entry i).

>>> x = as_array("x", [0.2, 0.4])
>>> shape_text(x), shape_text(as_array("W", [[0.1, 0.5], [-0.3, 0.8]]))
('2', '2×2')
>>> try:
...     as_array("W", [[1, 2], [3]])
... except ValuesError as err:
...     print(err)
W: rows of different lengths (2 and 1): a matrix needs rows of one length
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .errors import LimitError, ValuesError
from .lazy import lazy_import

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_import("numpy")

__all__ = ["MAX_ENTRIES", "MAX_ARRAY_WORK", "is_array", "as_array", "frozen", "scalar_or_array",
           "shape_of", "shape_text", "size_text", "all_finite", "Local", "unbroadcast",
           "check_entries", "to_lists"]

#: Most entries of one vector or matrix (an input's value or any result).
MAX_ENTRIES = 100_000
#: Most entry operations one evaluation may do over all its gates (an entrywise gate costs
#: one per entry; a matrix product one per entry of its result plus one per 1,000
#: multiplications): a few seconds of work at most.
MAX_ARRAY_WORK = 1_000_000


def is_array(value: Any) -> bool:
    """Whether a value is a vector or matrix (not a scalar)."""
    return type(value).__name__ == "ndarray" and getattr(value, "ndim", 0) > 0


def frozen(array: Any) -> Any:
    """A read-only float64 copy-free view of a numpy result."""
    array = np.asarray(array, dtype=float)
    array.setflags(write=False)
    return array


def scalar_or_array(value: Any) -> Any:
    """A numpy result as the engine keeps it: a 0-d result as a float, else a frozen array."""
    if isinstance(value, float) and not is_array(value):
        return float(value)
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return float(arr)
    return frozen(arr)


def shape_of(value: Any) -> tuple[int, ...]:
    """A value's shape: ``()`` for a scalar."""
    return tuple(value.shape) if is_array(value) else ()


def shape_text(value_or_shape: Any) -> str:
    """A shape as written in pictures and messages: ``2×3`` for a matrix, ``2`` for a vector
    (numpy's 1-D array is neither a row nor a column), ``scalar`` for a scalar."""
    shape = value_or_shape if isinstance(value_or_shape, tuple) else shape_of(value_or_shape)
    if not shape:
        return "scalar"
    return "×".join(str(n) for n in shape)


def size_text(value_or_shape: Any) -> str:
    """A shape as a phrase: ``a 2-vector``, ``a 2×3 matrix``, ``a scalar``."""
    shape = value_or_shape if isinstance(value_or_shape, tuple) else shape_of(value_or_shape)
    if not shape:
        return "a scalar"
    if len(shape) == 1:
        return f"a {shape[0]}-vector"
    return f"a {shape_text(shape)} matrix"


def check_entries(shape: Sequence[int], what: str) -> None:
    """Refuse a result of more than :data:`MAX_ENTRIES` entries before it is computed."""
    if math.prod(shape) > MAX_ENTRIES:
        raise LimitError(f"{what} would have {shape_text(tuple(shape))} ="
                         f" {math.prod(shape):,} entries; the limit is {MAX_ENTRIES:,}")


def _number(name: str, value: Any) -> float:
    if isinstance(value, (bool, str, bytes)) or (not isinstance(value, (int, float)) and not (
            type(value).__module__.startswith(("numpy", "sympy", "fractions")))):
        raise ValuesError(f"{name}: an entry is not a number: {str(value)[:40]!r}")
    try:
        number = float(value)
    except (OverflowError, TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise ValuesError(f"{name}: an entry is not a finite number: {str(value)[:40]!r}")
    return number


def as_array(name: str, value: Any) -> Any:
    """A vector or matrix from nested lists (or tuples, or a numpy array), checked: 1 or 2
    dimensions, rows of one length, finite numbers, at most :data:`MAX_ENTRIES` entries."""
    if type(value).__name__ == "ndarray":
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        raise ValuesError(f"{name}: not a list of numbers")
    if not value:
        raise ValuesError(f"{name}: an empty list has no entries")
    if all(isinstance(row, (list, tuple)) for row in value):
        lengths = [len(row) for row in value]
        if any(isinstance(v, (list, tuple)) for row in value for v in row):
            raise ValuesError(f"{name}: 3 or more dimensions; only vectors and matrices"
                              " (1 or 2 dimensions) are supported")
        if len(set(lengths)) > 1:
            other = next(n for n in lengths if n != lengths[0])
            raise ValuesError(f"{name}: rows of different lengths ({lengths[0]} and {other}):"
                              " a matrix needs rows of one length")
        if lengths[0] == 0:
            raise ValuesError(f"{name}: an empty row has no entries")
        check_entries((len(value), lengths[0]), name)
        rows = [[_number(name, v) for v in row] for row in value]
        return frozen(np.array(rows, dtype=float))
    if any(isinstance(v, (list, tuple)) for v in value):
        raise ValuesError(f"{name}: a mix of numbers and rows; write every row as a list")
    check_entries((len(value),), name)
    return frozen(np.array([_number(name, v) for v in value], dtype=float))


def all_finite(value: Any) -> bool:
    """Whether a scalar or every entry of an array is a finite number."""
    if is_array(value):
        return bool(np.all(np.isfinite(value)))
    try:
        return math.isfinite(value)
    except TypeError:  # a sympy formula: checked elsewhere
        return True


def to_lists(value: Any) -> Any:
    """A value for JSON: nested lists for an array, the value itself otherwise."""
    return value.tolist() if is_array(value) else value


def unbroadcast(grad: Any, shape: tuple[int, ...]) -> Any:
    """A gradient summed over the axes broadcasting added or stretched, back to ``shape``:
    a bias added to every row of a batch gets the sum of the rows' gradients."""
    grad = np.asarray(grad, dtype=float)
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return scalar_or_array(np.broadcast_to(grad, shape) if grad.shape != shape else grad)


class Local:
    """The local gradient of one input wire of a gate on arrays.

    ``vjp(g)`` is the vector-Jacobian product (the gradient this wire gets from the upstream
    gradient ``g``, in the input's shape); ``jacobian()`` the Jacobian itself (output entries
    by input entries, numerator layout), for the pictures; ``rule`` how the product is
    written (``{g} · {1}ᵀ``: ``{g}`` the upstream gradient, ``{0}``, ``{1}`` the inputs).
    """

    __slots__ = ("vjp", "jacobian", "rule", "summed")
    #: numpy leaves ``array * local`` to :meth:`__rmul__` (not entry by entry)
    __array_ufunc__ = None

    def __init__(self, vjp: Callable[[Any], Any], jacobian: Callable[[], Any], rule: str,
                 summed: bool = False):
        self.vjp = vjp
        self.jacobian = jacobian
        self.rule = rule
        #: whether broadcasting summed the gradient over axes (a bias over a batch)
        self.summed = summed

    def __rmul__(self, upstream: Any) -> Any:
        return scalar_or_array(self.vjp(upstream))

    def __repr__(self) -> str:
        return f"Local({self.rule!r})"
