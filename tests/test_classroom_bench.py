"""benchmarks/classroom_speed.py without the clock: its baselines are what each format is made
of (the deck's pictures at the deck's own resolution, the stepper page)."""

from __future__ import annotations

import io

from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from support import benchmark_module, graphviz_mark

import graphviz_backprop as gb

pytestmark = graphviz_mark()

classroom_speed = benchmark_module("classroom_speed")


def test_the_deck_baseline_draws_at_the_resolution_the_deck_chose(tmp_path):
    fit, dpi = classroom_speed.deck_drawing("sigmoid-neuron")
    assert fit == "slide" and dpi > 192  # the neuron wrapped for a slide is shown larger than its size
    deck = Presentation(str(gb.trace("sigmoid-neuron").save_pptx(tmp_path / "n.pptx")))
    picture = next(s for s in deck.slides[1].shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE)
    png = gb.trace("sigmoid-neuron").render("png", dpi=dpi, frames=[0], captions=False,
                                            fit="slide")[0]
    assert Image.open(io.BytesIO(png)).size == Image.open(io.BytesIO(picture.image.blob)).size


def test_the_notebook_command_writes_what_a_cell_shows(tmp_path):
    out = tmp_path / "cell.html"
    exec(classroom_speed.notebook_script("cs231n-simple", out), {})
    assert out.read_text(encoding="utf-8") == gb.trace("cs231n-simple")._repr_html_()
