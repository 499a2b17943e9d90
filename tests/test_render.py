"""``gbp render``: SVG/PNG/GIF/DOT files, single pictures, phases and usage errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from support import SVG, graphviz_mark, texts

from graphviz_backprop.cli import cli
from graphviz_backprop.dot import run_graphviz

pytestmark = graphviz_mark()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner, *args):
    return runner.invoke(cli, list(args), catch_exceptions=False)


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
    assert "-12.0" in texts((folder / "frame-007.svg").read_bytes())


def test_rendering_into_a_folder_of_another_circuit_replaces_its_frames(runner, tmp_path):
    folder = tmp_path / "frames"
    (folder).mkdir()
    (folder / "notes.txt").write_text("mine")
    (folder / "frame-000.png").write_bytes(b"another kind: kept")
    invoke(runner, "render", "sigmoid-neuron", "-o", f"{folder}/")
    assert len(list(folder.glob("frame-*.svg"))) == 20
    result = invoke(runner, "render", "(x+y)*z", "--at", "x=-2,y=5,z=-4", "-o", f"{folder}/")
    assert result.exit_code == 0, result.output
    assert "removed 12 older frames of an earlier render" in result.output
    assert sorted(p.name for p in folder.glob("frame-*.svg")) == [
        f"frame-{i:03d}.svg" for i in range(8)]
    assert all("-12.0" in texts(p.read_bytes()) for p in [folder / "frame-007.svg"])
    assert (folder / "notes.txt").read_text() == "mine"
    assert (folder / "frame-000.png").read_bytes() == b"another kind: kept"


@pytest.mark.parametrize(("args", "title"), [
    ([], "A 2D neuron with a sigmoid activation"),
    (["--title", "Lecture 4: one neuron"], "Lecture 4: one neuron"),
    (["--no-title"], None),
])
def test_title_of_the_frames(runner, tmp_path, args, title):
    out = tmp_path / "final.svg"
    invoke(runner, "render", "sigmoid-neuron", "--final", *args, "-o", str(out))
    shown = texts(out.read_bytes())
    assert (title in shown) if title else not any("neuron" in t for t in shown)
    assert any(t.startswith("Done:") for t in shown)


@pytest.mark.parametrize(("args", "message"), [
    (["--title", "a", "--no-title"], "give --title or --no-title, not both"),
    (["--title", "bad\x1b[31m"], "--title holds the control character U+001B"),
    (["--title", "x" * 201], "--title is 201 characters long; the limit is 200"),
])
def test_bad_titles_are_refused(runner, tmp_path, args, message):
    result = runner.invoke(cli, ["render", "sigmoid-neuron", "--final", *args, "-o",
                                 str(tmp_path / "f.svg")])
    assert result.exit_code == 2 and message in result.output
    assert not list(tmp_path.iterdir())


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
