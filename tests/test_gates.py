"""The gate table: each row's text of its local gradients is exactly what sympy prints.

``Gate.local_text`` writes a local gradient from the inputs' names without sympy, so that
``gbp eval`` with numbers never imports it; sympy's own printing of ``Gate.derivative`` is
the reference, for names that sort before and after each other and for every kind of
constant (whole, negative, a short decimal, a long one, huge, tiny).
"""

from __future__ import annotations

import pytest

from graphviz_backprop.gates import GATES
from graphviz_backprop.symbolic import sympy_formula_texts

NAMES = ["x", "q", "n2", "n10", "w0", "x0", "z", "a", "A", "Z", "zz_1", "sign", "E", "I", "pi",
         "oo", "nan", "S", "N"]
CONSTANTS = [0.0, 1.0, -1.0, 2.0, -2.0, 3.0, -3.0, 10.0, -10.0, 0.5, -0.5, 0.01, 0.1, 2.5,
             -0.25, -7.5, 1 / 3, -1 / 3, 1e-5, 1e15, 1e20, 1e300, 1e-300, 123456.0]
WITH_CONSTANT = [k for k, g in GATES.items() if g.constant]


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


# the gates on whole arrays have no sympy formulas: tests/test_arrays.py checks their rules
@pytest.mark.parametrize("key", sorted(k for k, g in GATES.items() if g.local_text and not g.array))
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


# ---- every row of the table, walked: everything else follows from the row -----------------

import math  # noqa: E402

import sympy  # noqa: E402

import graphviz_backprop as gb  # noqa: E402
from graphviz_backprop import gates  # noqa: E402
from graphviz_backprop.errors import ParseError  # noqa: E402

POINTS = {1: [(0.7,), (-0.3,), (1.9,)], 2: [(0.7, 1.3), (1.9, -0.4), (-0.6, 0.8)]}


def _symbols(gate):
    return sympy.symbols("a b" if gate.arity == 2 else "x", real=True, seq=True)


def _points(gate):
    points = POINTS[gate.arity]
    if gate.key in ("log", "sqrt", "pow", "pow_c"):  # a positive base
        points = [tuple(abs(v) for v in p) for p in points]
    return points


@pytest.mark.parametrize("key", [k for k, g in GATES.items() if not g.array])
def test_a_rows_rules_agree_with_each_other(key):
    """forward and formula give the same value; local, derivative and a central finite
    difference the same local gradients; the label and the caption text are written."""
    gate = GATES[key]
    c = 1.5 if gate.constant else None
    symbols = _symbols(gate)
    formula = gate.sympy_formula(symbols, None if c is None else sympy.Rational(3, 2))
    derivative = gate.sympy_derivative(symbols, None if c is None else sympy.Rational(3, 2))
    assert gate.label_text(c) and gate.apply_text(["u"] * gate.arity, c)
    for point in _points(gate):
        at = dict(zip(symbols, point))
        value = gate.checked_forward(point, c)
        assert float(formula.subs(at).rewrite(sympy.exp)) == pytest.approx(value, rel=1e-12)
        local = gate.local_at(point, c)
        h = 1e-6
        for i, d in enumerate(derivative):
            assert float(d.subs(at).rewrite(sympy.exp)) == pytest.approx(local[i], rel=1e-9)
            up, down = list(point), list(point)
            up[i] += h
            down[i] -= h
            slope = (gate.checked_forward(up, c) - gate.checked_forward(down, c)) / (2 * h)
            assert slope == pytest.approx(local[i], rel=1e-5, abs=1e-7)


@pytest.mark.parametrize("name", sorted(f for f, k in gates.FUNCTIONS.items()
                                         if not GATES[k].array))
def test_a_function_row_is_all_a_source_needs(name):
    """Its name, its other spellings and its sympy function are read; every message that
    lists the functions lists it; a composite one expands to the same numbers."""
    gate = GATES[gates.FUNCTIONS[name]]
    call = f"{name}(x)" if gate.arity == 1 else f"{name}(x, y)"
    at = {"x": 0.7} if gate.arity == 1 else {"x": 0.7, "y": 0.2}
    t = gb.trace(call, at)
    assert t.circuit.label(t.circuit.gates[-1]) == gate.label_text()
    for alias in gate.aliases:
        spelled = gb.trace(f"np.{alias}(x, y)" if gate.arity == 2 else f"np.{alias}(x)", at)
        assert spelled.value == t.value
    with pytest.raises(ParseError, match=f"known: .*\\b{name}\\b"):
        gb.parse("no_such_function(x)")
    if gate.sympy_name:
        x, y = sympy.symbols("x y", real=True)
        function = gates.sigmoid if gate.sympy_name == "sigmoid" else \
            getattr(sympy, gate.sympy_name)
        assert gb.trace(function(x) if gate.arity == 1 else function(x, y),
                        at).value == pytest.approx(t.value)
    if gate.expand:
        assert name in gates.COMPOSITES
        lowered = gb.trace(call, at, expand=True)
        assert lowered.value == pytest.approx(t.value, rel=1e-12)
        assert lowered.gradients["x"] == pytest.approx(t.gradients["x"], rel=1e-9)


@pytest.fixture
def scratch_table():
    """The table as it is, restored after the test."""
    saved = [dict(d) for d in (gates.GATES, gates.FUNCTIONS, gates.ALIASES, gates.SYMPY_NAMES)]
    composites = gates.COMPOSITES
    yield
    for table, before in zip((gates.GATES, gates.FUNCTIONS, gates.ALIASES, gates.SYMPY_NAMES),
                             saved):
        table.clear()
        table.update(before)
    gates.COMPOSITES = composites


def test_adding_a_gate_is_one_row(scratch_table, capsys):
    """The row of docs/adding-a-gate.md, and nothing else: the parser reads it, the engine
    evaluates it, its local gradient is written, the command line draws it."""
    from graphviz_backprop.cli import main

    gates.add_gate(gates.Gate(
        key="atan", label="atan", text="atan({0})", function="atan", aliases=("arctan",),
        sympy_name="atan",
        forward=math.atan, local=lambda x: (1.0 / (1.0 + x * x),),
        formula=lambda x: sympy.atan(x), derivative=lambda x: (1 / (1 + x**2),)))
    t = gb.trace("np.arctan(2*x)", x=0.5)
    assert t.value == math.atan(1.0)
    assert t.gradients["x"] == pytest.approx(2 / (1 + 1.0))
    assert gb.trace(sympy.atan(sympy.Symbol("x")), x=0.5).value == math.atan(0.5)
    assert main(["eval", "atan(x)", "--at", "x=1"]) == 0
    out = capsys.readouterr().out
    assert "atan" in out and "1/(x² + 1) = 0.5" in out
    with pytest.raises(ParseError, match=r"known: .*\batan\b"):
        gb.parse("atn(x)")
