"""Frames -> SVG, PNG, PDF and DOT, in the fewest Graphviz runs.

One ``dot`` layout serves every frame (every frame has the same geometry, see ``draw.py``);
SVG and GIF frames are put together from a few drawings (``compose.py``); PNG and PDF frames
are drawn one by one at the shared positions, one ``neato -n2`` process per core
(``dot.py``).  Files are written by ``output.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from . import raster
from .backprop import Evaluation
from .compose import composable, compose_svg, raster_pieces_of
from .dot import draw_all, run_graphviz
from .dot import placed as placed_positions
from .draw import Drawing, draw, to_digraph
from .errors import RenderError
from .frames import Step
from .layout import Layout, Positions, layout_for

__all__ = ["FORMATS", "PICTURE_FORMATS", "ALL_IN_ONE", "EXTENSIONS", "Rendered", "render",
           "raster_pieces", "picture", "render_naive"]

#: Output formats: frames as files (svg, png, dot, pdf), or all frames in one file (gif, the
#: animation; pdf, one frame per page; html, the stepper; pptx, a slide per frame).
FORMATS = ("svg", "png", "gif", "dot", "pdf", "html", "pptx")
#: Formats of one picture: a frame, as a file of its own.
PICTURE_FORMATS = ("svg", "png", "pdf", "dot")
#: Formats whose one file holds every frame: the animation, a page per frame, the stepper,
#: the deck.
ALL_IN_ONE = ("gif", "pdf", "html", "pptx")
#: File name endings, and the format each means.
EXTENSIONS = {".svg": "svg", ".png": "png", ".gif": "gif", ".dot": "dot", ".gv": "dot",
              ".pdf": "pdf", ".html": "html", ".htm": "html", ".pptx": "pptx"}


@dataclass(frozen=True)
class Rendered:
    """The frames of one evaluation as bytes, in one format."""

    format: str
    frames: list[bytes]


def render(ev: Evaluation, steps: Sequence[Step], fmt: str = "svg", lay: Layout | None = None,
           dpi: float = 96, timeout: float | None = None,
           placed: Positions | Future[Positions] | None = None,
           marks: Mapping[str, str] | None = None) -> Rendered:
    """Render ``steps`` of ``ev`` in ``fmt`` (svg, png, pdf or dot): one layout for all frames.

    ``placed`` reuses positions from an earlier :func:`positions` call of the same layout;
    ``marks`` colours wires (see :func:`draw.scene`).  SVG frames are composed from a few
    drawings (see :func:`_compose_svg`); PNG and PDF frames (one single-page PDF each, vector
    text) are drawn one by one at the positions.
    """
    if fmt not in ("svg", "png", "pdf", "dot"):
        raise RenderError(f"cannot render frames as '{fmt}' (choose svg, png, pdf or dot)")
    lay = lay or layout_for(ev, list(steps))
    drawing = Drawing(ev, lay, marks)
    scenes = [drawing.scene(s) for s in steps]
    if fmt == "dot":
        return Rendered(fmt, [to_digraph(sc).source.encode() for sc in scenes])
    placed = placed_positions(placed, ev, lay, steps[-1])
    if fmt == "svg" and len(scenes) > 2:
        return Rendered(fmt, compose_svg(scenes, placed, timeout))
    return Rendered(fmt, draw_all([to_digraph(sc, placed).source for sc in scenes], fmt, dpi,
                                   timeout))


def raster_pieces(ev: Evaluation, steps: Sequence[Step], lay: Layout | None = None,
                  dpi: float = 96, timeout: float | None = None,
                  placed: Positions | Future[Positions] | None = None) -> raster.Pieces:
    """What the raster frames of ``steps`` are put together from (for the GIF, see
    :func:`write_gif`): a few pictures by Graphviz, at one layout."""
    lay = lay or layout_for(ev, list(steps))
    drawing = Drawing(ev, lay)
    scenes = [drawing.scene(s) for s in steps]
    placed = placed_positions(placed, ev, lay, steps[-1])
    if composable(scenes):
        return raster_pieces_of(scenes, placed, dpi, timeout)
    return raster.Pieces.whole(raster.decode(draw_all(
        [to_digraph(sc, placed).source for sc in scenes], "png", dpi, timeout)))


# ---- composing SVG frames ------------------------------------------------------------------------
#
# Frames differ only in which state each node is in (a slot revealed, a gate highlighted) and
# in the caption.  So Graphviz draws a few "sheets" that hold every state of every node at the
# shared positions, plus each caption on an otherwise empty graph of the same size, and each
# frame is put together from those pieces: the text Graphviz wrote, never positioned by hand.


# ---- composing raster frames (see raster.py) ---------------------------------------------------
#
# The same sheets as for SVG, rasterised, and each caption on a small picture of its own; the
# frames are put together from their pixels.  At given positions Graphviz sizes a picture to
# what it holds, so every piece is pinned to an extent that makes it land on whole pixels of
# the frame (draw.to_digraph's ``extent``).


def picture(ev: Evaluation, step: Step, fmt: str, marks: Mapping[str, str] | None = None,
            title: str | None = None, dpi: float = 96) -> bytes:
    """One picture of one step (any caption), with ``marks`` on wires: ``gbp check --render``."""
    lay = layout_for(ev, [step], title=title)
    return render(ev, [step], fmt, lay, dpi, marks=marks).frames[0]


def render_naive(ev: Evaluation, steps: Sequence[Step], fmt: str = "svg",
                 lay: Layout | None = None, timeout: float | None = None) -> Rendered:
    """The slow reference: a full ``dot`` layout of every frame (benchmarks and tests)."""
    lay = lay or layout_for(ev, list(steps))
    return Rendered(fmt, [run_graphviz(["dot", f"-T{fmt}"], draw(ev, s, lay).source.encode(),
                                       timeout) for s in steps])


# ---- files ----------------------------------------------------------------------------------


