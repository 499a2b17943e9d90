"""What a wrong vector or matrix is told: its shape against the correct one, a simple change
that would make it right (its transpose, its sum over the rows), and in code a fix of the
student's own expression, offered only once it is worked out and gives the correct value.

>>> from graphviz_backprop.arrays import as_array
>>> W = as_array("W", [[0.1, 0.5, 0.2], [-0.3, 0.8, 0.4]])
>>> shape_note("dW", "W", W.T, W), shape_note("dW", "W", 0.5, W)
('dW has shape 3×2 but W is 2×3', 'dW is a scalar but W is 2×3')
>>> value_hint(W.T, W, Tolerance())
'its transpose is right'
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ..arrays import Local, is_array, shape_of, shape_text, size_text
from ..errors import GbpError
from ..lazy import lazy_import
from ..notation import MAX_SHOWN_ENTRIES, value_text
from ..syntax import BinOp, Call, Expr
from .answers import Forward
from .names import Key
from .results import Tolerance
from .vectorized import code_text, cut

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_import("numpy")

__all__ = ["shape_note", "value_hint", "jacobian_problem", "advice", "fixes", "vector_dot"]


def _is(shape: tuple[int, ...]) -> str:
    """``is 2×3``, ``is a 2-vector``, ``is a scalar``."""
    return f"is {shape_text(shape)}" if len(shape) == 2 else f"is {size_text(shape)}"


def shape_note(name: str, subject: str, given: Any, expected: Any) -> str | None:
    """``dW has shape 3×2 but W is 2×3`` (None when the shapes agree)."""
    if shape_of(given) == shape_of(expected):
        return None
    has = "is a scalar" if not is_array(given) else f"has shape {shape_text(given)}"
    return f"{name} {has} but {subject} {_is(shape_of(expected))}"


def _changes(given: Any, expected: Any) -> Iterator[tuple[str, Any]]:
    """Simple changes of a wrong vector or matrix, each with how a note says it is right."""
    if not is_array(given):
        if is_array(expected):  # dr = 1 for the gradient of sum(r)
            yield "every entry is right, but a gradient has the shape of its value", \
                given + 0 * expected
        return
    if is_array(expected) and given.size == expected.size and given.shape != expected.shape:
        yield "its entries are right", given.reshape(expected.shape)  # a column for a vector
    if given.ndim == 2:
        yield "its transpose is right", given.T
        yield "its sum over the rows (axis 0) is right", given.sum(axis=0)
        yield "its sum along each row (axis 1) is right", given.sum(axis=1)
    yield "the sum of its entries is right", float(given.sum())


def value_hint(given: Any, expected: Any, tolerance: Tolerance) -> str | None:
    """Which simple change of a wrong vector or matrix makes it right, if one does."""
    for text, changed in _changes(given, expected):
        if tolerance.allows(changed, expected):
            return text
    return None


def _entries_note(given: Any, expected: Any, tolerance: Tolerance) -> str | None:
    """For a matrix too large to show: how many entries are off, and the first one."""
    if not is_array(given) or shape_of(given) != shape_of(expected) \
            or given.size <= MAX_SHOWN_ENTRIES:
        return None
    slack = tolerance.abs + tolerance.rel * abs(expected) + 1e-9 * abs(expected).clip(1.0)
    off = abs(given - expected) > slack
    if not off.any():
        return None
    first = tuple(int(i) for i in np.argwhere(off)[0])
    where = ", ".join(map(str, first))
    return (f"{int(off.sum()):,} of {given.size:,} entries are off; the first, [{where}], is"
            f" {value_text(float(given[first]))} (correct {value_text(float(expected[first]))})")


def _broadcast_reason(forward: Forward, key: Key, subject: str, given: Any,
                      expected: Any) -> str | None:
    """``b is added to every row, so its gradient is the sum over the rows``: when the
    claimed matrix has rows and the correct gradient is a vector broadcast over them."""
    if key.kind == "value" or not is_array(given) or given.ndim != 2 \
            or len(shape_of(expected)) != 1:
        return None
    node = forward.nodes(key)[0]
    ev, circuit = forward.evaluation, forward.circuit
    for _, v, data in circuit.graph.out_edges(node, data=True):
        local = ev.local.get(v, ())
        wire = local[data["port"]] if data["port"] < len(local) else None
        if isinstance(wire, Local) and wire.summed and len(shape_of(ev.values[v])) == 2:
            how = {"add": "added to", "sub": "subtracted from"}.get(
                circuit.gate_of(v).key, "broadcast over")
            return f"{subject} is {how} every row, so its gradient is the sum over the rows"
    return None


def jacobian_problem(forward: Forward, key: Key) -> str | None:
    """Why a local gradient dA/dB is not checked when A is a vector or matrix (a Jacobian)."""
    if key.kind != "local" or forward.symbolic or not is_array(forward.value(key.a)):
        return None
    value = forward.value(key.a)
    return (f"{key.a} is {size_text(value)}, so d{key.a}/d{key.b} is a Jacobian, which is not"
            f" checked; claim the gradient of the output instead (d{key.b})")


def advice(name: str, key: Key, given: Any, expected: Any, forward: Forward,
           tolerance: Tolerance, found: list[str] | None = None,
           why: str | None = None) -> str | None:
    """The note of a wrong vector or matrix: its shape against the correct one; a fix that
    works (``found``: code, from :func:`fixes`), else a simple change that makes it right;
    ``why`` it went wrong (:func:`vector_dot`); why a bias's gradient is a sum; for a large
    matrix, the first entry that is off."""
    subject = key.b if key.kind == "local" else key.a
    assert subject is not None
    shown = f"the claimed {name}" if key.kind == "value" else name
    head = shape_note(shown, subject, given, expected)
    if forward.symbolic:  # the correct value is a formula
        return head
    fix = f"did you mean {' or '.join(found)}?" if found else \
        value_hint(given, expected, tolerance)
    text = f"{head}: {fix}" if head and fix else head or fix
    for more in (why, _broadcast_reason(forward, key, subject, given, expected),
                 _entries_note(given, expected, tolerance)):
        if more:
            text = f"{text}{' ' if text.endswith('?') else '; '}{more}" if text else more
    return text


# ---- fixes of the student's expression, worked out ---------------------------------------------

def _operands(e: Expr) -> tuple[Expr, Expr] | None:
    """The two operands of a product ``a @ b``, ``a.dot(b)``, ``a * b``, ``np.outer(a, b)``."""
    if isinstance(e, BinOp) and e.op in ("@", "*"):
        return e.left, e.right
    if isinstance(e, Call) and e.func in ("matmul", "outer"):
        return e.args[0], e.args[1]
    return None


def vector_dot(e: Expr, evaluate: Callable[[Expr], Any]) -> str | None:
    """Why ``dq.dot(x.T)`` is a number when dq and x are vectors (numpy's 1-D arrays)."""
    pair = _operands(e)
    if pair is None or (isinstance(e, Call) and e.func == "outer") \
            or (isinstance(e, BinOp) and e.op == "*"):
        return None
    try:
        values = [evaluate(x) for x in pair]
    except (GbpError, ArithmeticError, ValueError):
        return None
    if not all(is_array(v) and v.ndim == 1 for v in values):
        return None
    text = f"{cut(code_text(e))} of two vectors is their dot product, a number"
    flipped = [code_text(x) for x in pair if isinstance(x, Call) and x.func == "transpose"]
    if flipped:
        text += (f" ({cut(flipped[0], 30)} is the same vector: numpy's 1-D arrays are neither"
                 " rows nor columns)")
    return text


def _transpose(e: Expr) -> Expr:
    if isinstance(e, Call) and e.func == "transpose":
        return e.args[0]
    return Call("transpose", (e,), e.line, e.col)


def _plain(e: Expr) -> Expr:
    """``x`` for ``x.T`` (outer products take vectors as they are)."""
    return e.args[0] if isinstance(e, Call) and e.func == "transpose" else e


def _products(e: Expr) -> list[Expr]:
    """Other products of the same two operands: the order swapped, a transpose moved, an
    outer product instead of a dot product (and the other way round)."""
    pair = _operands(e)
    if pair is None:
        return []
    a, b = pair

    def dot(x: Expr, y: Expr) -> Expr:
        if isinstance(e, BinOp) and e.op == "@":
            return BinOp("@", x, y, e.line, e.col)
        return Call("matmul", (x, y), e.line, e.col)

    def outer(x: Expr, y: Expr) -> Expr:
        return Call("outer", (_plain(x), _plain(y)), e.line, e.col)

    t = _transpose
    return [dot(t(a), b), dot(a, t(b)), dot(b, a), dot(t(b), a), dot(b, t(a)),
            dot(t(a), t(b)), outer(a, b), outer(b, a)]


def _candidates(e: Expr) -> list[Expr]:
    """Fixes to try, the smallest changes first; the expression itself is not one."""
    found = _products(e)
    found += [Call("sum", (e,), e.line, e.col, 0), Call("sum", (e,), e.line, e.col, 1),
              _transpose(e), Call("sum", (e,), e.line, e.col)]
    return found


#: Most fixes a note offers.
_MOST_FIXES = 2


def fixes(e: Expr, evaluate: Callable[[Expr], Any], expected: Any,
          tolerance: Tolerance) -> list[str]:
    """Changes of ``e`` (as code) that give ``expected``, worked out with ``evaluate``; a
    change that cannot be worked out (shapes that do not fit) is no fix."""
    original = code_text(e)
    found: list[str] = []
    for candidate in _candidates(e):
        try:
            value = evaluate(candidate)
        except (GbpError, ArithmeticError, ValueError):
            continue
        text = code_text(candidate)
        if tolerance.allows(value, expected) and text != original and text not in found:
            found.append(cut(text))
            if len(found) == _MOST_FIXES:
                break
    return found
