"""``fit="slide"`` (``--fit slide``): compact labels, a long circuit wrapped onto rows that
fills a 16:9 slide better, one layout for every frame, every number still shown, no new
crossings, and every output format."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from support import benchmark_module, geometry, graphviz_mark, run, texts

from graphviz_backprop import trace
from graphviz_backprop.dot import _read_positions
from graphviz_backprop.draw import Drawing, to_digraph
from graphviz_backprop.layout import Positions
from graphviz_backprop.notation import DIGITS, value_text
from graphviz_backprop.slide import SLIDE, fit_slide, size_of, slide_scale, wrap
from graphviz_backprop.tracing import Style

pytestmark = graphviz_mark()

wires = benchmark_module("wires")

LECTURES = ["cs231n-simple", "sigmoid-neuron", "cs231n-staged", "mlp-2-2-1",
            "two-logistic-regressions", "micrograd-readme"]
SLIDE_ASPECT = SLIDE[0] / SLIDE[1]


def _size(svg: bytes) -> tuple[float, float]:
    width, height = re.search(rb'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
    return float(width), float(height)


def _unwrapped_and_wrapped(name: str) -> tuple[Positions, Positions, list]:
    """The slide layout of ``name``'s last frame before and after wrapping, and its edges."""
    t = trace(name)
    plan, lay = t._plan(Style(fit="slide"))
    scene = Drawing(t.evaluation, lay).scene(plan[-1])
    flat = _read_positions(to_digraph(scene).source.encode())
    return flat, fit_slide(flat), list(scene.edges)


def _wires(placed: Positions, edges: list) -> list:
    """The visible wires at ``placed``, as the crossing benchmark reads a layout."""
    names = sorted(placed.nodes)
    ids = {n: i for i, n in enumerate(names)}
    layout = {"objects": [{"_gvid": i, "name": n} for n, i in ids.items()],
              "edges": [{"tail": ids[a], "head": ids[b], "pos": placed.edges[(a, b)],
                         "style": dict(attrs).get("style", "")}
                        for a, b, attrs in edges if (a, b) in placed.edges]}
    return wires.wires(layout)


def test_the_api_and_the_cli_take_fit(tmp_path):
    t = trace("sigmoid-neuron")
    assert t.make_frames(fit="slide")[-1].layout.fit == "slide"
    assert t.render("svg", frames=[-1], fit="slide")[0].startswith(b"<?xml")
    with pytest.raises(ValueError, match="fit must be one of none, slide, not 'tv'"):
        t.render("svg", frames=[-1], fit="tv")
    out = tmp_path / "n.svg"
    run(CliRunner(), "render", "sigmoid-neuron", "--fit", "slide", "--final", "-o", str(out))
    assert _size(out.read_bytes()) == _size(t.render("svg", frames=[-1], fit="slide")[0])


def test_a_fit_that_does_not_exist_is_a_one_line_usage_error(tmp_path):
    result = run(CliRunner(), "render", "sigmoid-neuron", "--fit", "tv", "--final", "-o",
                 str(tmp_path / "n.svg"), code=2)
    assert "Invalid value for '--fit': 'tv' is not one of 'none', 'slide'" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "n.svg").exists()


def test_every_frame_on_a_slide_shares_one_layout():
    t = trace("sigmoid-neuron")
    frames = t.render("svg", fit="slide")
    first = geometry(frames[0])
    assert len(first[1]) > len(t.circuit.gates)
    assert all(geometry(svg) == first for svg in frames[1:])
    # and it is wrapped: the output f stands lower than the first input
    assert _size(frames[-1]) != _size(t.render("svg", frames=[-1])[0])


def test_micrograd_on_a_slide_is_nearer_16_9_and_larger():
    t = trace("micrograd-readme")
    wide = _size(t.render("svg", frames=[-1])[0])
    slide = _size(t.render("svg", frames=[-1], fit="slide")[0])
    assert abs(slide[0] / slide[1] - SLIDE_ASPECT) < abs(wide[0] / wide[1] - SLIDE_ASPECT)
    assert slide_scale(*slide) > 2 * slide_scale(*wide)


@pytest.mark.parametrize("name", ["sigmoid-neuron", "mlp-2-2-1", "micrograd-readme"])
def test_every_value_gradient_and_name_is_still_shown(name):
    t = trace(name)
    shown = set(texts(t.render("svg", frames=[-1], fit="slide")[0]))
    ev, c = t.evaluation, t.circuit
    numbers = {value_text(v, None, DIGITS) for v in [*ev.values.values(), *ev.grads.values()]}
    numbers |= {value_text(ev.grads[n] * v, None, DIGITS)
                for n, locals_ in ev.local.items() for v in locals_}
    names = {c.wire_names[n] for n in c.order}
    assert numbers - shown == set()
    assert names - shown == set()


@pytest.mark.parametrize("name", LECTURES)
def test_wrapping_adds_no_crossing(name):
    flat, wrapped, edges = _unwrapped_and_wrapped(name)
    assert set(wrapped.nodes) == set(flat.nodes) and set(wrapped.edges) == set(flat.edges)
    assert wires.crossings(_wires(wrapped, edges)) <= wires.crossings(_wires(flat, edges))


def _ends(placed: Positions, edges: list) -> dict:
    """Where each wire starts and ends, from its tail's and its head's centre."""
    def centre(n: str) -> tuple[float, float]:
        x, y = placed.nodes[n].split(",")
        return float(x), float(y)

    return {(w.tail, w.head): tuple(p[i] - centre(n)[i]
                                    for p, n in ((w.points[0], w.tail), (w.points[-1], w.head))
                                    for i in (0, 1))
            for w in _wires(placed, edges)}


def test_micrograd_is_wrapped_and_every_wire_still_joins_its_two_nodes():
    flat, wrapped, edges = _unwrapped_and_wrapped("micrograd-readme")
    assert slide_scale(*size_of(wrapped)) > 1.5 * slide_scale(*size_of(flat))
    before, after = _ends(flat, edges), _ends(wrapped, edges)
    assert set(after) == set(before)
    for wire, ends in after.items():
        assert ends == pytest.approx(before[wire], abs=0.02), wire


def test_a_small_circuit_is_not_wrapped():
    flat, wrapped, _ = _unwrapped_and_wrapped("cs231n-simple")
    assert wrapped == flat


def test_a_cut_puts_the_second_band_under_the_first_and_routes_the_wire_round():
    sizes = {"a": (10.0, 10.0), "b": (10.0, 10.0)}
    flat = Positions({"a": "5,5", "b": "95,5"}, {("a", "b"): "e,100,5 10,5 40,5 60,5 90,5"},
                     "0,0,100,10", None, sizes)
    placed = wrap(flat, [50.0])
    (ax, ay), (bx, by) = (map(float, placed.nodes[n].split(",")) for n in "ab")
    assert by < ay and bx - ax == 40  # under it, as far from the cut as before
    route = wires.spline_points(placed.edges[("a", "b")], steps=1)
    xs, ys = [p[0] for p in route], [p[1] for p in route]
    assert max(xs) > bx and min(xs) < ax - 5 and min(ys) == pytest.approx(by)
    assert route[-1] == (bx + 5, by)  # the arrow's tip at b, moved with b
    assert wrap(flat, []) == flat


@pytest.mark.parametrize("fmt", ["gif", "png", "pdf", "html"])
def test_every_output_format_draws_a_slide(tmp_path, fmt):
    t = trace("sigmoid-neuron")
    path = tmp_path / f"n.{fmt}"
    if fmt == "gif":
        t.save_gif(path, fit="slide")
    elif fmt == "png":
        t.save(path, fit="slide")
    elif fmt == "pdf":
        t.save_pdf(path, frames=[0, -1], fit="slide")
    else:
        t.save_html(path, fit="slide")
    data = path.read_bytes()
    assert len(data) > 1000
    if fmt == "png":
        from PIL import Image

        with Image.open(path) as image:
            width, height = image.size
        assert width / height < 2.5  # wrapped (the wide drawing is about 3.7)


def test_positions_of_a_slide_are_json_safe():
    """The wrapped positions are plain Graphviz text, as ``dot -Tjson`` gives them."""
    _, wrapped, _ = _unwrapped_and_wrapped("sigmoid-neuron")
    json.dumps([wrapped.nodes, list(wrapped.edges.values()), wrapped.bb, wrapped.lp])
    assert all(re.fullmatch(r"-?[\d.]+,-?[\d.]+", p) for p in wrapped.nodes.values())
