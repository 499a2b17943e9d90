"""Frames put together from a few drawings (compose.py) equal the frames Graphviz draws one by
one: the SVG text, and the raster frames pixel for pixel."""

from __future__ import annotations

import re

import pytest
from support import graphviz_mark

from graphviz_backprop import trace

pytestmark = graphviz_mark()


@pytest.mark.parametrize("source", ["sigmoid-neuron", "x*x + x*y", "(x+y)*z"],
                         ids=["sigmoid-neuron", "fan-out", "symbolic"])
def test_composed_svg_frames_equal_frames_drawn_one_by_one(source):
    """The fast path puts frames together from a few drawings; it must give the same SVG."""
    from graphviz_backprop.dot import draw_all
    from graphviz_backprop.draw import scene, to_digraph

    t = trace(source, **({"x": 3, "y": 2} if "x*x" in source else {}))
    plan, lay = t._plan()
    placed = t._positions().result()
    composed = t.render("svg")
    one_by_one = draw_all([to_digraph(scene(t.evaluation, s, lay), placed).source for s in plan],
                           "svg", 96, None)

    def normal(svg: bytes) -> bytes:  # ids of edges and graphs are numbered per process
        return re.sub(rb'<g id="[^"]*(edge|graph)(\d+)"', rb'<g id="\1\2"', svg)

    assert [normal(a) for a in composed] == [normal(b) for b in one_by_one]


@pytest.mark.parametrize("source", ["sigmoid-neuron", "x*x + x*y"], ids=["sigmoid-neuron", "fan-out"])
@pytest.mark.parametrize("dpi", [72, 150])
def test_raster_frames_put_together_equal_frames_drawn_one_by_one(source, dpi):
    """The GIF's frames are put together from a few pictures; pixel for pixel, they are what
    Graphviz draws of each frame by itself."""
    from PIL import ImageChops

    from graphviz_backprop.dot import draw_all
    from graphviz_backprop.draw import scene, to_digraph
    from graphviz_backprop.raster import decode
    from graphviz_backprop.render import raster_pieces

    t = trace(source, **({"x": 3, "y": 2} if "x*x" in source else {}))
    plan, lay = t._plan()
    placed = t._positions().result()
    pieces = raster_pieces(t.evaluation, plan, lay, dpi, placed=placed)
    assert len(pieces.sheets) < len(plan) / 2  # a few pictures, not one per frame
    composed = pieces.frames()
    one_by_one = decode(draw_all([to_digraph(scene(t.evaluation, s, lay), placed).source
                                   for s in plan], "png", dpi, None))
    assert len(composed) == len(one_by_one) == len(plan)
    for k, (a, b) in enumerate(zip(composed, one_by_one)):
        assert a.size == b.size, k
        assert ImageChops.difference(a.convert("RGBA"), b.convert("RGBA")).getbbox() is None, k
