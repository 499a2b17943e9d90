"""The step sequence and the drawing of each step (no Graphviz program needed)."""

from __future__ import annotations

import itertools
import re

import pytest
from support import fmt

from graphviz_backprop import trace
from graphviz_backprop.draw import draw
from graphviz_backprop.frames import steps
from graphviz_backprop.layout import layout_for, wrap_caption

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


NUMBER = r"\(?(-?\d+(?:\.\d+)?(?:e-?\d+)?)\)?"


@pytest.mark.parametrize("source", ["sigmoid-neuron", "micrograd-readme", "karpathy-neuron",
                                    "mlp-2-2-1", "logistic-regression"])
@pytest.mark.parametrize("decimals", [None, 2])
def test_captions_never_show_wrong_arithmetic(source, decimals):
    """Each product and sum a caption shows gives the result it shows when a student
    redoes it with the numbers shown; where rounding makes them differ, the caption says ≈."""
    t = trace(source)
    checked = 0
    for step in steps(t.evaluation, decimals=decimals):
        for a, b, sign, c in re.findall(rf"{NUMBER} · {NUMBER} ([=≈]) {NUMBER}", step.caption):
            if sign == "=":
                assert fmt(float(a) * float(b), decimals) == c, (step.caption, a, b, c)
            checked += 1
        for terms, sign, total in re.findall(rf"branches add: \S+ = ([^;=≈]+) ([=≈]) {NUMBER}",
                                             step.caption):
            if sign == "=":
                shown = sum(float(x) for x in re.findall(NUMBER, terms))
                assert fmt(shown, decimals) == total, (step.caption, terms, total)
            checked += 1
    assert checked >= 10


def test_no_nonzero_number_shows_as_zero():
    t = trace("micrograd-readme")
    for step in steps(t.evaluation):
        for number in re.findall(r"(?<![\w.])-?\d+\.\d+(?:e-?\d+)?", step.caption):
            assert float(number) != 0 or number == "0", (step.caption, number)


def test_forward_caption_shows_the_operation_with_numbers():
    t = trace(CS231N_PROGRAM)
    captions = [s.caption for s in steps(t.evaluation) if s.kind == "forward"]
    assert captions == [
        "Forward through +: q = x + y = -2.00 + 5.00 = 3.00",
        "Forward through *: f = q · z = 3.00 · (-4.00) = -12.0",
    ]


def test_sigmoid_neuron_backward_captions_carry_the_reference_numbers():
    t = trace("sigmoid-neuron")
    captions = [s.caption for s in steps(t.evaluation) if s.kind == "backward"]
    # every caption names the gradient it computes and the local gradient's formula, in
    # the names the picture shows: unnamed wires are a₁, a₂, ...
    assert captions[0] == ("Backward through 1/x: ∂f/∂a₇ = 1.00 · (-0.534) = -0.534;"
                           " local gradient ∂f/∂a₇ = −1/a₇²")
    assert "∂f/∂a₅ = ∂f/∂a₆ · ∂a₆/∂a₅ = -0.534 · 0.368 = -0.197" in captions[2]
    assert "local gradient ∂a₆/∂a₅ = exp(a₅)" in captions[2]
    # rounded factors that do not give the rounded product are marked ≈
    assert "∂f/∂w0 = ∂f/∂a₁ · ∂a₁/∂w0 = 0.197 · (-1) = -0.197" in captions[-1]
    assert "∂f/∂x0 = ∂f/∂a₁ · ∂a₁/∂x0 = 0.197 · 2 ≈ 0.393" in captions[-1]


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
    assert plan[-1].caption == "Done: f = z(x + y); ∂f/∂x = z, ∂f/∂y = z, ∂f/∂z = x + y"
    source = draw(t.evaluation, plan[-1]).source
    assert "z(x + y)" in source and ">x + y<" in source


@pytest.mark.parametrize(
    "value, decimals, text",
    [(0.7310585786300049, 2, "0.73"), (0.7310585786300049, 4, "0.7311"), (-0.001, 2, "0.00"),
     (-12.0, 0, "-12"), (1.0, 2, "1.00")],
)
def test_fmt(value, decimals, text):
    assert fmt(value, decimals) == text


FINAL_NUMBERS = ["0.731", "1.37", "0.368", "-0.534", "-0.197", "0.393", "-0.393", "-0.590",
                 "0.197", "1.00"]


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


def test_the_circuit_caption_joins_a_literal_written_over_several_lines():
    caption = trace("mlp-2-layer").frames[0].caption
    assert ",;" not in caption and "],;" not in caption
    assert "W2 = [[0.3, -0.2], [-0.4, 0.5], [0.2, 0.1]," in caption
    assert caption.endswith("L = cross_entropy(S, [0, 1, 1, 0])")
