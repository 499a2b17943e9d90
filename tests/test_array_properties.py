"""Property: any scalar expression, applied to vectors and matrices entry by entry with
numpy broadcasting, gives at every entry the scalar circuit's numbers, and gradients that sum
the scalar gradients over the entries each input was broadcast to (a 2×3 matrix ``a``, a
3-vector ``b`` broadcast over the rows, a scalar ``c`` over everything)."""

from __future__ import annotations

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import (  # noqa: E402
    assume,
    given,
    settings,
)
from hypothesis import strategies as st  # noqa: E402
from test_properties import EXAMPLES, EXPRESSIONS, PROFILE, _near_kink  # noqa: E402

from graphviz_backprop import GbpError, trace  # noqa: E402

ENTRY = st.floats(-2.0, 2.0, allow_nan=False).filter(lambda v: abs(v) > 1e-3)
A = st.lists(st.lists(ENTRY, min_size=3, max_size=3), min_size=2, max_size=2)
B = st.lists(ENTRY, min_size=3, max_size=3)


@settings(PROFILE, max_examples=max(10, EXAMPLES // 5))  # seven traces per example
@given(EXPRESSIONS, A, B, ENTRY)
def test_entrywise_circuits_agree_with_their_scalar_twins(text, a, b, c):
    source = f"f = sum(0 * a + ({text}))"  # 0 * a: the result is 2×3 even without a
    try:
        whole = trace(source, a=a, b=b, c=c)
        twins = [[trace(f"f = 0 * a + ({text})", a=a[i][j], b=b[j], c=c)
                  for j in range(3)] for i in range(2)]
    except GbpError:
        assume(False)  # a point outside a domain, in either form
        return
    assume(not any(_near_kink(t.evaluation) for row in twins for t in row))
    assert whole.value == pytest.approx(sum(t.value for row in twins for t in row),
                                        rel=1e-12, abs=1e-12)
    grads = whole.gradients
    da = np.array([[t.gradients["a"] for t in row] for row in twins])
    assert grads["a"] == pytest.approx(da, rel=1e-12, abs=1e-12)
    if "b" in grads:
        db = np.array([sum(twins[i][j].gradients.get("b", 0.0) for i in range(2))
                       for j in range(3)])
        assert grads["b"] == pytest.approx(db, rel=1e-12, abs=1e-12)
        assert np.shape(grads["b"]) == (3,)
    if "c" in grads:
        dc = sum(t.gradients.get("c", 0.0) for row in twins for t in row)
        assert grads["c"] == pytest.approx(dc, rel=1e-12, abs=1e-12)
        assert isinstance(grads["c"], float)
