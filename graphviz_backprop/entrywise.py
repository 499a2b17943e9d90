"""Gates on vectors and matrices: the array gates' own rules, and every other gate of the
table applied entry by entry (numpy broadcasting, a scalar rule per entry, so a 1-entry
vector gives exactly its scalar twin's numbers).

The local gradient of an entrywise gate is diagonal: its product with an upstream gradient
is ``g ⊙ f′(x)``, summed over the axes broadcasting stretched (a bias added to every row of
a batch gets the sum of the rows' gradients).

>>> from graphviz_backprop.arrays import as_array
>>> from graphviz_backprop.gates import GATES
>>> X = as_array("X", [[1.0, -2.0], [3.0, 4.0]]); b = as_array("b", [0.5, -0.5])
>>> forward(GATES["add"], (X, b)).tolist()
[[1.5, -2.5], [3.5, 3.5]]
>>> _, db = local(GATES["add"], (X, b))
>>> (as_array("g", [[1, 2], [3, 4]]) * db).tolist(), db.summed
([4.0, 6.0], True)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .array_rules import ShapeError, broadcast_shape, jacobian_of
from .arrays import Local, frozen, is_array, shape_of, unbroadcast
from .errors import EvaluationError
from .gates import Gate
from .lazy import lazy_import

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_import("numpy")

__all__ = ["on_arrays", "out_shape", "forward", "local", "kink", "cost", "ShapeError"]


def on_arrays(gate: Gate, xs: Sequence[Any]) -> bool:
    """Whether a gate works on arrays here: an array gate, or any input an array."""
    return gate.array or any(is_array(x) for x in xs)


def out_shape(gate: Gate, xs: Sequence[Any], c: Any = None) -> tuple[int, ...]:
    """The output's shape, or a :class:`ShapeError` naming the inputs ``{0}``, ``{1}``."""
    shapes = [shape_of(x) for x in xs]
    if gate.array:
        assert gate.shape is not None
        return gate.shape(*shapes, c)
    if len(shapes) == 2:
        return broadcast_shape(gate.key, shapes[0], shapes[1])
    return shapes[0]


def _entry(index: tuple[int, ...]) -> str:
    return "[" + ", ".join(map(str, index)) + "]"


def _per_entry(rule: Any, xs: Sequence[Any], shape: tuple[int, ...], nout: int) -> Any:
    """A scalar rule over the broadcast entries; an error names the first entry it fails at."""
    arrays = [np.broadcast_to(np.asarray(x, dtype=float), shape) for x in xs]
    try:
        out = np.frompyfunc(rule, len(arrays), nout)(*arrays)
    except (EvaluationError, ArithmeticError, ValueError):
        for index in np.ndindex(*shape):
            try:
                rule(*(float(a[index]) for a in arrays))
            except EvaluationError as err:
                raise EvaluationError(f"{err} at entry {_entry(index)}") from None
            except (ArithmeticError, ValueError):
                raise EvaluationError(f"not defined at entry {_entry(index)}") from None
        raise
    if nout == 1:
        return np.asarray(out, dtype=float).reshape(shape)
    return tuple(np.asarray(o, dtype=float).reshape(shape) for o in out)


def forward(gate: Gate, xs: Sequence[Any], c: Any = None) -> Any:
    """The gate's output on arrays (after :func:`out_shape` has accepted the shapes)."""
    shape = out_shape(gate, xs, c)
    if gate.array:
        return gate.forward(*xs, c)
    return frozen(_per_entry(lambda *v: gate.checked_forward(v, c), xs, shape, 1))


def local(gate: Gate, xs: Sequence[Any], c: Any = None) -> tuple[Local, ...]:
    """One :class:`Local` per input wire."""
    if gate.array:
        try:
            return tuple(gate.local(*xs, c))  # type: ignore[arg-type]
        except ArithmeticError as err:
            raise EvaluationError(f"local gradient: {err}") from None
    shape = out_shape(gate, xs, c)
    if gate.arity == 1:
        parts = _per_entry(lambda *v: gate.local_at(v, c)[0], xs, shape, 1)
    else:
        parts = _per_entry(lambda *v: tuple(gate.local_at(v, c)), xs, shape, gate.arity)
    parts = parts if isinstance(parts, tuple) else (parts,)
    if not all(np.all(np.isfinite(p)) for p in parts):
        bad = next(i for p in parts for i in np.ndindex(*shape) if not np.isfinite(p[i]))
        raise EvaluationError(f"local gradient is not finite at entry {_entry(bad)}")
    result = []
    for x, part in zip(xs, parts):
        target = shape_of(x)
        diagonal = frozen(part)

        def vjp(g: Any, diagonal: Any = diagonal, target: tuple[int, ...] = target) -> Any:
            return unbroadcast(np.asarray(g, dtype=float) * diagonal, target)

        def jacobian(vjp: Any = vjp, target: tuple[int, ...] = target) -> Any:
            return jacobian_of(vjp, shape, target)

        result.append(Local(vjp, jacobian, "{g} ⊙ {local}", summed=target != shape))
    return tuple(result)


def kink(gate: Gate, xs: Sequence[Any], c: Any = None) -> bool:
    """Whether any entry is at a non-differentiable point of the gate."""
    if gate.array or gate.kink is None:
        return False
    shape = out_shape(gate, xs, c)
    hits = _per_entry(lambda *v: bool(gate.kink_at(v, c)), xs, shape, 1)
    return bool(np.any(hits))


def cost(gate: Gate, xs: Sequence[Any], out: Any) -> int:
    """The work a gate on arrays does, in entry operations (``arrays.MAX_ARRAY_WORK``)."""
    entries = max([int(np.size(out)), *(int(np.size(x)) for x in xs)])
    if gate.key == "matmul":  # each entry of the result is a sum of this many products
        entries += int(np.size(out)) * np.shape(xs[0])[-1] // 1000
    return entries

