"""Faults around the engine: Graphviz crashing or hanging, unwritable outputs, Ctrl-C,
circuits too large to draw.  Every one ends in one ``Error:`` line and no partial file."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from support import graphviz_mark

import graphviz_backprop as gb
from graphviz_backprop.cli import main
from graphviz_backprop.cli.render import MAX_RENDER_GATES


def fake_graphviz(folder: Path, script: str) -> None:
    """Put fake ``dot`` and ``neato`` programs first on PATH."""
    folder.mkdir()
    for name in ("dot", "neato"):
        path = folder / name
        path.write_text("#!/bin/sh\n" + script + "\n")
        path.chmod(path.stat().st_mode | stat.S_IEXEC)


def run(capsys, *args: str) -> tuple[int, list[str]]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, (captured.out + captured.err).strip().splitlines()


def test_graphviz_crash_shows_the_start_of_its_stderr(tmp_path, monkeypatch, capsys):
    fake_graphviz(tmp_path / "bin", "echo 'Error: something broke inside' >&2; exit 3")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    out = tmp_path / "out"
    out.mkdir()
    code, lines = run(capsys, "render", "sigmoid-neuron", "-o", str(out / "n.gif"))
    assert code == 1
    assert lines == ["Error: Graphviz 'dot' failed (exit 3): Error: something broke inside"]
    assert list(out.iterdir()) == []


def test_graphviz_hang_is_stopped_by_the_timeout(tmp_path):
    # A fake Graphviz that would hang for ten minutes; gbp must stop it after 0.5 s.  gbp runs
    # as its own process, so a broken timeout is caught by the generous bound on that process
    # (no healthy run comes near it) instead of hanging the suite.
    fake_graphviz(tmp_path / "bin", "exec sleep 600")
    env = dict(os.environ, PATH=f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}",
               GBP_GRAPHVIZ_TIMEOUT="0.5")
    out = tmp_path / "out"
    out.mkdir()
    done = subprocess.run([sys.executable, "-m", "graphviz_backprop", "render", "cs231n-simple",
                           "-o", f"{out}/"], env=env, capture_output=True, text=True,
                          timeout=300)
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert done.returncode == 1
    assert len(lines) == 1 and "took longer than 0.5 s" in lines[0]
    assert "GBP_GRAPHVIZ_TIMEOUT" in lines[0]
    assert list(out.iterdir()) == []


@graphviz_mark()
def test_disk_full_names_the_path_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    import graphviz_backprop.output as output

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output.os, "replace", full)
    code, lines = run(capsys, "render", "cs231n-simple", "--final", "-o", str(tmp_path / "f.svg"))
    assert code == 1
    assert lines == [f"Error: cannot write '{tmp_path / 'f.svg'}': No space left on device"]
    assert list(tmp_path.iterdir()) == []


@graphviz_mark()
@pytest.mark.parametrize(
    "target, message",
    [
        ("missing/f.svg", "directory '{tmp}/missing' does not exist"),
        ("a-file/f.svg", "'{tmp}/a-file' is not a directory"),
    ],
    ids=["missing-folder", "file-as-folder"],
)
def test_unusable_output_folder(tmp_path, capsys, target, message):
    (tmp_path / "a-file").write_text("not a folder")
    code, lines = run(capsys, "render", "cs231n-simple", "--final", "-o", str(tmp_path / target))
    assert code == 1
    assert len(lines) == 1 and message.format(tmp=tmp_path) in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


@graphviz_mark()
def test_frames_into_a_file_instead_of_a_folder(tmp_path, capsys):
    (tmp_path / "frames").write_text("a file")
    code, lines = run(capsys, "render", "cs231n-simple", "-o", f"{tmp_path / 'frames'}/")
    assert code == 1
    assert len(lines) == 1 and "it is not a directory" in lines[0]


@graphviz_mark()
def test_ctrl_c_while_writing_a_gif_leaves_no_file_and_exits_130(tmp_path, monkeypatch, capsys):
    import graphviz_backprop.raster as raster

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(raster, "gif_bytes", interrupted)
    code, lines = run(capsys, "render", "sigmoid-neuron", "-o", str(tmp_path / "n.gif"))
    assert code == 130
    assert lines == ["Error: interrupted; no output was written"]
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_during_the_write_removes_the_temporary_file(tmp_path, monkeypatch):
    import graphviz_backprop.output as output

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(output.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        output.write_file(tmp_path / "x.svg", b"<svg/>")
    assert list(tmp_path.iterdir()) == []


def big_program(gates: int) -> str:
    lines = ["x = 0.5"]
    lines += [f"x = x * 1.0001 + {i % 7}" for i in range(gates // 2 + 1)]
    return "\n".join(lines)


def test_a_circuit_too_large_to_animate_is_refused_but_evaluates(tmp_path, capsys):
    source = tmp_path / "big.py"
    source.write_text(big_program(MAX_RENDER_GATES + 10))
    code, lines = run(capsys, "render", str(source), "-o", str(tmp_path / "big.gif"))
    assert code == 2
    assert len(lines) == 1
    assert f"animations are limited to {MAX_RENDER_GATES:,}" in lines[0]
    assert "gbp eval" in lines[0] and "--final" in lines[0]
    assert not (tmp_path / "big.gif").exists()
    code, lines = run(capsys, "eval", str(source), "--json")
    assert code == 0


def test_eval_works_far_beyond_the_drawing_limit(tmp_path):
    # 10,002 gates: evaluated, and every number right.  How long it takes is measured by
    # benchmarks/scaling.py, not here; the bound on the process only catches a hang.
    source = tmp_path / "bigger.py"
    source.write_text(big_program(10_000))
    done = subprocess.run([sys.executable, "-m", "graphviz_backprop", "eval", str(source),
                           "--json"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    x, lines = 0.5, 10_000 // 2 + 1
    for i in range(lines):
        x = x * 1.0001 + i % 7
    assert result["output"]["value"] == x
    assert result["gradients"]["x"] == pytest.approx(1.0001 ** lines, rel=1e-12)
    assert sum(node["kind"] == "gate" for node in result["nodes"]) == 2 * lines


@graphviz_mark()
def test_a_huge_animation_is_drawn_coarser_not_with_unbounded_memory(tmp_path, monkeypatch):
    from PIL import Image

    import graphviz_backprop.raster as raster

    monkeypatch.setattr(raster, "MAX_GIF_PIXELS", 3_000_000)
    terms = "+".join(f"w{i}*x{i}" for i in range(8))
    t = gb.trace(terms, **{f"w{i}": i / 4 for i in range(8)}, **{f"x{i}": 1 - i / 8 for i in range(8)})
    path = t.save_gif(tmp_path / "sum.gif", dpi=300)
    with Image.open(path) as gif:
        pixels = gif.size[0] * gif.size[1] * gif.n_frames
        assert gif.n_frames == len(t.frames)
    assert 2_000_000 < pixels <= 3_000_000 * 1.15  # the margins are outside the layout's box
