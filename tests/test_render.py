"""Rendering with Graphviz: SVG/PNG/GIF/DOT files, layout stability, and faults."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from graphviz_backprop import trace
from graphviz_backprop.cli import cli
from graphviz_backprop.errors import GraphvizNotFoundError
from graphviz_backprop.dot import run_graphviz
from graphviz_backprop.render import render_naive
from support import graphviz_mark

pytestmark = graphviz_mark()

SVG = "{http://www.w3.org/2000/svg}"


def geometry(svg: bytes) -> tuple[str, dict[str, tuple]]:
    """The viewBox and, per node, the coordinates of its shapes (not its text)."""
    root = ET.fromstring(svg)
    shapes = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != "node":
            continue
        title = group.find(f"{SVG}title").text
        coords = []
        for shape in group:
            if shape.tag == f"{SVG}ellipse":
                coords.append(("ellipse", shape.get("cx"), shape.get("cy"), shape.get("rx")))
            elif shape.tag == f"{SVG}polygon":
                coords.append(("polygon", shape.get("points")))
        shapes[title] = tuple(coords)
    return root.get("viewBox"), shapes


def texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return [t.text for t in root.iter(f"{SVG}text") if t.text]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner, *args):
    return runner.invoke(cli, list(args), catch_exceptions=False)


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
    for number in ["0.73", "1.37", "0.37", "-0.53", "-0.20", "0.39", "-0.39", "-0.59", "0.20",
                   "1.00"]:
        assert number in shown, number
    for name in ["w0", "x0", "w1", "x1", "w2", "exp", "1/x", "*-1", "+1"]:
        assert name in shown, name


def test_inputs_stand_in_one_column_in_source_order():
    t = trace("sigmoid-neuron")
    root = ET.fromstring(t.render("svg", frames=[0])[0])
    places = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "node":
            text = group.find(f"{SVG}text")
            if text is not None:
                places[text.text] = (float(text.get("x")), float(text.get("y")))
    xs = [places[n][0] for n in ["w0", "x0", "w1", "x1", "w2"]]
    ys = [places[n][1] for n in ["w0", "x0", "w1", "x1", "w2"]]
    assert max(xs) - min(xs) < 5
    assert ys == sorted(ys)  # SVG y grows downwards: w0 at the top


def test_render_gif(runner, tmp_path):
    from PIL import Image

    out = tmp_path / "neuron.gif"
    result = invoke(runner, "render", "sigmoid-neuron", "-o", str(out), "--delay", "500")
    assert result.exit_code == 0, result.output
    assert "20 frames" in result.output
    with Image.open(out) as gif:
        assert gif.n_frames == 20
        assert gif.info.get("loop") == 0
        durations, sizes = [], set()
        for i in range(gif.n_frames):
            gif.seek(i)
            durations.append(gif.info["duration"])
            sizes.add(gif.size)
    assert durations[0] == 500 and durations[-1] > 500
    assert len(sizes) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["neuron.gif"]


def test_render_svg_frames_into_a_folder(runner, tmp_path):
    folder = tmp_path / "frames"
    result = invoke(runner, "render", "(x+y)*z", "--at", "x=-2,y=5,z=-4", "-o", f"{folder}/")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"frame-{i:03d}.svg" for i in range(8)]
    for path in folder.iterdir():
        ET.parse(path)  # well-formed
    assert "-12.00" in texts((folder / "frame-007.svg").read_bytes())


def test_render_png_frames(runner, tmp_path):
    result = invoke(runner, "render", "cs231n-simple", "--format", "png", "-o", str(tmp_path / "p"))
    assert result.exit_code == 0, result.output
    pngs = sorted((tmp_path / "p").iterdir())
    assert len(pngs) == 8
    from PIL import Image

    sizes = {Image.open(p).size for p in pngs}
    assert len(sizes) == 1
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in pngs)


def test_render_dot_sources(runner, tmp_path):
    result = invoke(runner, "render", "sigmoid-neuron", "--format", "dot", "-o", str(tmp_path / "d"))
    assert result.exit_code == 0, result.output
    sources = sorted((tmp_path / "d").iterdir())
    assert len(sources) == 20
    text = sources[-1].read_text()
    assert text.startswith("digraph") and "0.73" in text
    # each source is one graph that Graphviz reads back
    layout = run_graphviz(["dot", "-Tjson"], sources[3].read_bytes())
    assert layout.count(b'"name": "circuit"') == 1


@pytest.mark.parametrize(
    "args, check",
    [
        (["--final"], lambda t: "Done: f = 0.73" in " ".join(t)),
        (["--frame", "0"], lambda t: "0.73" not in t and "w0" in t),
        (["--frame", "-1"], lambda t: "1.00" in t),
        (["--final", "--decimals", "4"], lambda t: "0.7311" in t and "-0.1966" in t),
    ],
    ids=["final", "frame-0", "frame-last", "decimals"],
)
def test_single_picture(runner, tmp_path, args, check):
    out = tmp_path / "one.svg"
    result = invoke(runner, "render", "sigmoid-neuron", *args, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert check(texts(out.read_bytes()))


def test_single_png_picture(runner, tmp_path):
    out = tmp_path / "one.png"
    result = invoke(runner, "render", "sigmoid-neuron", "--frame", "5", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\x89PNG")


def test_phase_forward(runner, tmp_path):
    result = invoke(runner, "render", "sigmoid-neuron", "--phase", "forward", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    frames = sorted(tmp_path.iterdir())
    assert len(frames) == 11
    assert not any("Backward" in " ".join(texts(p.read_bytes())) for p in frames)


@pytest.mark.parametrize(
    "args, message",
    [
        (["-o", "x.svg"], "holds one picture"),
        (["--frame", "99", "-o", "x.svg"], "out of range"),
        (["--final", "--frame", "1", "-o", "x.svg"], "not both"),
        (["-o", "x.bmp"], "cannot tell the format"),
        (["--format", "png", "-o", "x.svg", "--final"], "does not match"),
    ],
)
def test_render_usage_errors(runner, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["render", "sigmoid-neuron", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


def test_titles_with_quotes_backslashes_and_brackets_render_literally(runner, tmp_path):
    title = 'Quotes "double" \\ back\\slash <b>not bold</b> & more'
    path = tmp_path / "weird.toml"
    path.write_text(
        "name = 'weird'\n"
        f"title = '{title}'\n"
        "description = 'a <description>'\nsource = 'test \"quotes\"'\n"
        "expression = '(x+y)*z'\n[at]\nx = 1\ny = 2\nz = 3\n")
    out = tmp_path / "weird.svg"
    result = invoke(runner, "render", str(path), "--final", "-o", str(out))
    assert result.exit_code == 0, result.output
    svg = out.read_bytes()
    root = ET.fromstring(svg)
    assert len([g for g in root.iter(f"{SVG}g") if g.get("class") == "graph"]) == 1
    assert title in texts(svg)


def test_missing_graphviz_is_a_clear_error_and_eval_still_works(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")
    out = tmp_path / "n.gif"
    result = runner.invoke(cli, ["render", "sigmoid-neuron", "-o", str(out)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: Graphviz 'dot' was not found")
    assert "apt-get install graphviz" in lines[0]
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(GraphvizNotFoundError):
        trace("cs231n-simple").render("svg")
    result = runner.invoke(cli, ["eval", "sigmoid-neuron", "--json"])
    assert result.exit_code == 0 and '"gradients"' in result.output


def test_graphviz_failure_carries_its_stderr():
    from graphviz_backprop.errors import RenderError

    with pytest.raises(RenderError, match=r"failed \(exit \d+\): .*syntax error"):
        run_graphviz(["dot", "-Tsvg"], b"digraph { a -> }")


def test_frame_api_saves_and_shows(tmp_path):
    t = trace("(x+y)*z", x=-2, y=5, z=-4)
    frame = t.frames[5]
    svg = frame._repr_svg_()
    assert "<svg" in svg and "Backward through" in svg
    assert frame.save(tmp_path / "f.png").read_bytes().startswith(b"\x89PNG")
    assert frame.save(tmp_path / "f.dot").read_text().startswith("digraph")
    gif = t.save_gif(tmp_path / "t.gif", delay=200)
    assert gif.stat().st_size > 1000
    written = t.save_frames(tmp_path / "svg", format="svg")
    assert [p.name for p in written] == [f"frame-{i:03d}.svg" for i in range(8)]
    assert t.save(tmp_path / "final.svg").exists()


def test_output_appears_whole_with_normal_permissions(tmp_path):
    t = trace("cs231n-simple")
    old = os.umask(0o022)
    try:
        path = t.save(tmp_path / "final.svg")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644  # as any other file, not a private temp file
    assert [p.name for p in tmp_path.iterdir()] == ["final.svg"]


def test_write_into_missing_directory_is_an_error(tmp_path):
    from graphviz_backprop.errors import RenderError

    t = trace("cs231n-simple")
    with pytest.raises(RenderError, match="does not exist"):
        t.save(tmp_path / "nowhere" / "final.svg")


@pytest.mark.parametrize("source", ["sigmoid-neuron", "x*x + x*y", "(x+y)*z"],
                         ids=["sigmoid-neuron", "fan-out", "symbolic"])
def test_composed_svg_frames_equal_frames_drawn_one_by_one(source):
    """The fast path puts frames together from a few drawings; it must give the same SVG."""
    from graphviz_backprop.draw import scene, to_digraph
    from graphviz_backprop.dot import draw_all

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

    from graphviz_backprop.draw import scene, to_digraph
    from graphviz_backprop.raster import decode
    from graphviz_backprop.dot import draw_all
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
