"""The gate table: each row's text of its local gradients is exactly what sympy prints.

``Gate.local_text`` writes a local gradient from the inputs' names without sympy, so that
``gbp eval`` with numbers never imports it; sympy's own printing of ``Gate.derivative`` is
the reference, for names that sort before and after each other and for every kind of
constant (whole, negative, a short decimal, a long one, huge, tiny).
"""

from __future__ import annotations

import pytest

from graphviz_backprop.symbolic import sympy_formula_texts
from graphviz_backprop.gates import GATES

NAMES = ["x", "q", "n2", "n10", "w0", "x0", "z", "a", "A", "Z", "zz_1", "sign", "E", "I", "pi",
         "oo", "nan", "S", "N"]
CONSTANTS = [0.0, 1.0, -1.0, 2.0, -2.0, 3.0, -3.0, 10.0, -10.0, 0.5, -0.5, 0.01, 0.1, 2.5,
             -0.25, -7.5, 1 / 3, -1 / 3, 1e-5, 1e15, 1e20, 1e300, 1e-300, 123456.0]
WITH_CONSTANT = [k for k, g in GATES.items() if g.arity == 1 and g.label(2.0) != g.label(3.0)]


def _cases(key: str) -> list[tuple[tuple[str, ...], float | None]]:
    gate = GATES[key]
    if gate.arity == 2:
        return [((a, b), None) for a in NAMES for b in NAMES]
    constants = CONSTANTS if key in WITH_CONSTANT else [None]
    cases = [((name,), c) for name in NAMES for c in constants]
    if key == "div_c":
        cases = [case for case in cases if case[1] != 0]
    if key == "rpow_c":
        cases = [case for case in cases if case[1] > 0]
    return cases


@pytest.mark.parametrize("key", sorted(k for k, g in GATES.items() if g.local_text))
def test_local_text_is_what_sympy_prints(key):
    written = 0
    for names, c in _cases(key):
        text = GATES[key].local_texts(names, c)
        if text is not None:
            assert text == sympy_formula_texts(key, c, names), (names, c)
            written += 1
    assert written  # the row is used: it writes the formulas of some of the cases itself


def test_most_gates_write_their_own_formulas():
    # the gates of the lecture's circuits all do: eval of them needs no sympy
    for key in ("add", "mul", "mul_c", "add_c", "exp", "rdiv_c", "sigmoid", "tanh", "relu",
                "cmax", "pow_c", "log"):
        assert GATES[key].local_text is not None, key
    assert GATES["pow_c"].local_texts(["x"], 0.5) is None  # 1/(2*sqrt(x)): sympy writes it
