"""Formulas as mathematics: every gate's local gradient reads as a formula on a slide."""

from __future__ import annotations

import pytest

from graphviz_backprop.gates import GATES
from graphviz_backprop.graph import build
from graphviz_backprop.mathtext import math_text
from graphviz_backprop.parser import parse
from graphviz_backprop.tracing import trace


@pytest.mark.parametrize(("text", "shown"), [
    ("-1/x**2", "−1/x²"),
    ("3*b**2", "3b²"),
    ("1 - tanh(n)**2", "1 − tanh²(n)"),
    ("(1 - sigmoid(n))*sigmoid(n)", "σ(n)(1 − σ(n))"),
    ("x*(-1)", "−x"),
    ("exp(-x)", "exp(−x)"),
    ("1/(2*sqrt(x))", "1/(2√x)"),
    ("(1 if x > 0, else 0)", "1 if x > 0, else 0"),
    ("x - (y - z)", "x − (y − z)"),
    ("(x + 1)**2", "(x + 1)²"),
    ("-0.25", "-0.25"),  # a number is written as the wires write numbers
])
def test_formulas_are_written_as_mathematics(text, shown):
    assert math_text(text) == shown


def test_unreadable_text_comes_back_as_it_is():
    for text in ["Piecewise((1, x > 0), (0, True))", "x +", "(" * 500 + "x" + ")" * 500]:
        assert math_text(text) == text


@pytest.mark.parametrize("key", sorted(k for k, g in GATES.items() if g.local_text))
def test_every_gate_local_gradient_reads_without_python_operators(key):
    gate = GATES[key]
    names = ("p", "q")[:gate.arity]
    texts = gate.local_texts(names, 3.0 if gate.constant else None)
    for text in texts or ():
        shown = math_text(text)
        assert "**" not in shown and "*" not in shown, (key, text, shown)


def test_local_gradients_use_the_wire_names_never_a_placeholder():
    # an input called x: the formula of the reciprocal still names its own wire
    t = trace("1/(x + 1)", x=1.0)
    captions = [f.caption for f in t.frames if f.kind == "backward"]
    assert "local gradient ∂f/∂a₁ = −1/a₁²" in captions[0]


def test_rebound_names_get_an_index_and_the_output_keeps_its_name():
    c = build(parse("c = a + b\nc = c * 2\nc = c + a\n"))
    assert [c.wire_names[n] for n in c.order] == ["a", "b", "c₁", "c₂", "c"]


def test_automatic_names_avoid_the_circuits_letters():
    c = build(parse("a*b + c"))
    assert c.wire_names[c.gates[0]] == "h₁"
