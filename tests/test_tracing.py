"""The Python API's files: a frame saved and shown, a trace's GIF, frames and picture."""

from __future__ import annotations

from support import graphviz_mark

from graphviz_backprop import trace

pytestmark = graphviz_mark()


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
