"""The step sequence and the drawing of each step (no Graphviz program needed)."""

from __future__ import annotations

import itertools
import re

import pytest

from graphviz_backprop import trace
from graphviz_backprop.draw import draw
from graphviz_backprop.frames import steps
from graphviz_backprop.layout import layout_for, wrap_caption
from graphviz_backprop.notation import value_text


def fmt(value, decimals=2):
    """A number as the frames write it (2 decimals by default)."""
    return value_text(value, decimals)

CS231N_PROGRAM = "x = -2; y = 5; z = -4\nq = x + y\nf = q * z\n"


def kinds(t, phase="both"):
    return [s.kind for s in steps(t.evaluation, phase)]


@pytest.mark.parametrize(
    "source, expected",
    [
        ("cs231n-simple", ["circuit", "inputs"] + ["forward"] * 2 + ["seed"] + ["backward"] * 2
         + ["final"]),
        ("sigmoid-neuron", ["circuit", "inputs"] + ["forward"] * 8 + ["seed"] + ["backward"] * 8
         + ["final"]),
    ],
    ids=["simple", "sigmoid-neuron"],
)
def test_frame_sequence_of_the_lecture_circuits(source, expected):
    assert kinds(trace(source)) == expected


def test_forward_frames_follow_evaluation_order_and_backward_the_reverse():
    t = trace("sigmoid-neuron")
    plan = steps(t.evaluation)
    forward = [s.current for s in plan if s.kind == "forward"]
    backward = [s.current for s in plan if s.kind == "backward"]
    assert forward == t.circuit.gates
    assert backward == list(reversed(t.circuit.gates))
    labels = [t.circuit.label(g) for g in forward]
    assert labels == ["*", "*", "+", "+", "*-1", "exp", "+1", "1/x"]


def test_values_are_revealed_gate_by_gate():
    t = trace("sigmoid-neuron")
    plan = steps(t.evaluation)
    assert plan[0].computed == frozenset()
    assert plan[1].computed == frozenset(t.circuit.inputs.values())
    for before, after in itertools.pairwise(plan[1:10]):
        assert len(after.computed - before.computed) == 1
        assert after.current in after.computed - before.computed
    assert not any(s.seeded for s in plan[:10])
    assert all(s.seeded for s in plan[10:])


@pytest.mark.parametrize(
    "phase, count",
    [("forward", 2 + 8 + 1), ("backward", 1 + 8 + 1), ("both", 20)],
)
def test_phase_limits_the_sequence(phase, count):
    t = trace("sigmoid-neuron")
    assert len(steps(t.evaluation, phase)) == count
    assert kinds(t, phase)[-1] == "final"


def test_unknown_phase_is_refused():
    with pytest.raises(ValueError, match="phase must be one of"):
        steps(trace("cs231n-simple").evaluation, "sideways")


def test_backward_caption_spells_out_the_chain_rule():
    t = trace(CS231N_PROGRAM)
    captions = [s.caption for s in steps(t.evaluation) if s.kind == "backward"]
    # at the output gate the upstream gradient is ∂f/∂f = 1
    assert "∂f/∂q = 1.00 · (-4) = -4.00" in captions[0]
    assert "∂f/∂z = 1.00 · 3 = 3.00" in captions[0]
    assert "∂f/∂x = ∂f/∂q · ∂q/∂x = -4.00 · 1 = -4.00" in captions[1]
    assert "∂f/∂y = ∂f/∂q · ∂q/∂y = -4.00 · 1 = -4.00" in captions[1]


def test_captions_never_show_wrong_arithmetic():
    t = trace("sigmoid-neuron")
    checked = 0
    for step in steps(t.evaluation):
        for equation in re.findall(r"(-?\d+\.\d\d) · \(?(-?\d+(?:\.\d\d)?)\)? = (-?\d+\.\d\d)",
                                   step.caption):
            a, b, c = map(float, equation)
            assert fmt(a * b) == fmt(c), (step.caption, equation)
            checked += 1
    assert checked >= 10


def test_forward_caption_shows_the_operation_with_numbers():
    t = trace(CS231N_PROGRAM)
    captions = [s.caption for s in steps(t.evaluation) if s.kind == "forward"]
    assert captions == [
        "Forward through +: q = x + y = -2.00 + 5.00 = 3.00",
        "Forward through *: f = q · z = 3.00 · (-4.00) = -12.00",
    ]


def test_sigmoid_neuron_backward_captions_carry_the_reference_numbers():
    t = trace("sigmoid-neuron")
    captions = [s.caption for s in steps(t.evaluation) if s.kind == "backward"]
    assert "1.00 · (-0.53) = -0.53" in captions[0] and "-1/x**2" in captions[0]
    assert "(-0.53) · 0.37 = -0.20" in captions[2] or "-0.53 · 0.37 = -0.20" in captions[2]
    # an unnamed gate goes by what it computes; rounded factors that do not give the
    # rounded product are marked ≈, so no caption shows wrong arithmetic
    assert "∂f/∂w0 = ∂f/∂(w0 · x0) · ∂(w0 · x0)/∂w0 = 0.20 · (-1) = -0.20" in captions[-1]
    assert "∂f/∂x0 = ∂f/∂(w0 · x0) · ∂(w0 · x0)/∂x0 = 0.20 · 2 ≈ 0.39" in captions[-1]


def test_fan_out_caption_adds_the_branches():
    t = trace("x*x + x*y", x=3, y=2)
    captions = [s.caption for s in steps(t.evaluation) if s.kind == "backward"]
    # x feeds three wires; its gradient is complete at the last of them
    assert "more gradient to add" in " ".join(captions[:-1])
    assert "branches add: ∂f/∂x = 3.00 + 3.00 + 2.00 = 8.00" in captions[-1]
    assert t.gradients["x"] == pytest.approx(8.0)


def test_symbolic_frames_carry_formulas():
    t = trace("(x+y)*z")
    plan = steps(t.evaluation)
    assert plan[-1].caption == "Done: f = z*(x + y); ∂f/∂x = z, ∂f/∂y = z, ∂f/∂z = x + y"
    source = draw(t.evaluation, plan[-1]).source
    assert "z*(x + y)" in source and ">x + y<" in source


@pytest.mark.parametrize(
    "value, decimals, text",
    [(0.7310585786300049, 2, "0.73"), (0.7310585786300049, 4, "0.7311"), (-0.001, 2, "0.00"),
     (-12.0, 0, "-12"), (1.0, 2, "1.00")],
)
def test_fmt(value, decimals, text):
    assert fmt(value, decimals) == text


FINAL_NUMBERS = ["0.73", "1.37", "0.37", "-0.53", "-0.20", "0.39", "-0.39", "-0.59", "0.20",
                 "1.00"]


def _shown_numbers(source: str) -> set[str]:
    return set(re.findall(r">(-?\d+\.\d+)</FONT>", source))


def test_last_frame_of_the_sigmoid_neuron_shows_every_value_and_gradient():
    t = trace("sigmoid-neuron")
    plan = steps(t.evaluation)
    shown = _shown_numbers(draw(t.evaluation, plan[-1]).source)
    for number in FINAL_NUMBERS:
        assert number in shown, number


def test_first_frame_shows_no_numbers_and_the_input_names():
    t = trace("sigmoid-neuron")
    source = draw(t.evaluation, steps(t.evaluation)[0]).source
    assert _shown_numbers(source) == set()
    for name in ["w0", "x0", "w1", "x1", "w2"]:
        assert re.search(rf"\b{name}\b", source)


def test_decimals_change_the_numbers_on_the_wires():
    t = trace("sigmoid-neuron")
    plan = steps(t.evaluation, decimals=3)
    source = draw(t.evaluation, plan[-1], layout_for(t.evaluation, plan, 3)).source
    assert "0.731" in source and "-0.197" in source and "0.73<" not in source


def test_every_frame_has_the_same_nodes_edges_and_sizes():
    """Geometry is fixed by sizes and structure; only the text inside slots changes."""
    t = trace("x*x + sigmoid(x*y)", x=0.5, y=-2)
    plan = steps(t.evaluation)
    lay = layout_for(t.evaluation, plan)

    def skeleton(source: str) -> list[str]:
        # drop label contents and colours: what is left decides the layout
        source = re.sub(r"label=<.*?>(?= |\]|$)", "label=<>", source, flags=re.S)
        source = re.sub(r'(fillcolor|penwidth)="?[^" \]]+"?', "", source)
        return source.splitlines()

    first = skeleton(draw(t.evaluation, plan[0], lay).source)
    for s in plan[1:]:
        assert skeleton(draw(t.evaluation, s, lay).source) == first
    widths = re.findall(r'WIDTH="(\d+)"', draw(t.evaluation, plan[3], lay).source)
    assert widths == re.findall(r'WIDTH="(\d+)"', draw(t.evaluation, plan[-1], lay).source)


def test_current_gate_is_highlighted_and_local_gradients_shown_only_then():
    t = trace("sigmoid-neuron")
    plan = steps(t.evaluation)
    lay = layout_for(t.evaluation, plan)
    backward = next(s for s in plan if s.kind == "backward")
    source = draw(t.evaluation, backward, lay).source
    assert lay.theme.backward_highlight in source
    assert "local -0.53" in source
    final = draw(t.evaluation, plan[-1], lay).source
    assert lay.theme.backward_highlight not in final and "local " not in final


def test_user_text_is_escaped_in_titles():
    title = 'Quotes "q" \\ back <b>not bold</b> & amp'
    t = trace("cs231n-simple")
    plan = steps(t.evaluation)
    lay = layout_for(t.evaluation, plan, title=title)
    source = draw(t.evaluation, plan[0], lay).source
    assert "&lt;b&gt;not bold&lt;/b&gt;" in source
    assert "&quot;q&quot;" in source
    assert "<b>not bold" not in source


def test_wrap_caption_breaks_at_semicolons():
    caption = "; ".join(["a" * 60, "b" * 60])
    assert wrap_caption(caption, 96) == ["a" * 60, "b" * 60]
    assert wrap_caption("short; text", 96) == ["short; text"]


def test_trace_frames_api():
    t = trace("(x+y)*z", x=-2, y=5, z=-4)
    assert t.gradients == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert len(t.frames) == 8
    frame = t.frames[5]
    assert frame.kind == "backward" and frame.index == 5
    assert "Backward through *" in frame.caption
    assert "digraph" in frame.dot.source
    assert repr(frame).startswith("<Frame 5 backward")
    assert [f.kind for f in t.make_frames(phase="forward")][-1] == "final"
    with pytest.raises(ValueError, match="decimals"):
        t.make_frames(decimals=-1)
