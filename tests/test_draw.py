"""Layout geometry: every node in the same place in every frame, however the frames are drawn;
what the last frame shows.  Where the inputs stand: test_layout.py."""

from __future__ import annotations

import pytest
from support import geometry, graphviz_mark, texts

from graphviz_backprop import trace
from graphviz_backprop.render import render_naive

pytestmark = graphviz_mark()


@pytest.mark.parametrize("source", ["cs231n-simple", "sigmoid-neuron", "x*x + tanh(x*y)"])
def test_svg_frames_keep_every_node_in_place(source):
    t = trace(source, **({"x": 0.5, "y": 2} if "tanh" in source else {}))
    frames = t.render("svg")
    assert len(frames) == len(t.frames)
    first = geometry(frames[0])
    assert len(first[1]) > len(t.circuit.gates)
    for svg in frames[1:]:
        assert geometry(svg) == first


def test_frames_laid_out_separately_by_dot_are_stable_too():
    """Each frame's own DOT lays out the same, so the DOT sources are safe to render one by one."""
    t = trace("sigmoid-neuron")
    plan, lay = t._plan()
    naive = render_naive(t.evaluation, plan[:: len(plan) // 5], "svg", lay).frames
    first = geometry(naive[0])
    for svg in naive[1:]:
        assert geometry(svg) == first


def test_last_svg_frame_of_the_sigmoid_neuron_shows_the_figure_numbers():
    t = trace("sigmoid-neuron")
    shown = texts(t.render("svg", frames=[-1])[0])
    for number in ["0.731", "1.37", "0.368", "-0.534", "-0.197", "0.393", "-0.393", "-0.590",
                   "0.197", "1.00"]:
        assert number in shown, number
    for name in ["w0", "x0", "w1", "x1", "w2", "exp", "1/x", "*-1", "+1"]:
        assert name in shown, name
