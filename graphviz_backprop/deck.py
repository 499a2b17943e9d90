"""PNG frames -> a 16:9 PowerPoint deck, one slide per step (python-pptx).

PowerPoint, Keynote, Google Slides and LibreOffice Impress all open ``.pptx``.  Each slide
holds the slide title (the circuit's title, as real title text), the frame as a picture,
and under it the frame's caption as editable text; the caption is also the slide's speaker
notes, with the step's number and kind.  Every frame has the same size (see ``draw.py``),
so the picture sits at the same place and scale on every slide: stepping through the
slides animates the circuit, as the GIF does.  The pictures are PNGs at a high resolution
(by default 192 dpi, twice a screen's), drawn without their caption, which the slide
writes as text.  A title slide comes first unless asked otherwise; ``theme`` colours the
slides like the drawing (a dark background for the dark theme).

Building the deck runs nothing and writes nothing (``output.py`` does); python-pptx is
imported only here, when a deck is made.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .errors import RenderError
from .themes import THEMES, Theme

__all__ = ["deck_bytes", "SLIDE", "PICTURE_AREA", "png_size", "caption_points", "sharp_dpi",
           "MAX_DPI"]

#: English Metric Units per inch, as in every Office file.
EMU = 914400


@dataclass(frozen=True)
class Box:
    """A rectangle on a slide, in EMU."""

    left: int
    top: int
    width: int
    height: int


def _inches(left: float, top: float, width: float, height: float) -> Box:
    return Box(*(round(v * EMU) for v in (left, top, width, height)))


#: The slide: 13 1/3 x 7 1/2 inches, PowerPoint's 16:9.
SLIDE = Box(0, 0, 12192000, 6858000)
_TITLE = _inches(0.45, 0.25, 12.43, 0.75)
#: Where the picture goes: scaled to fit, centred, the same on every slide.
PICTURE_AREA = _inches(0.45, 1.1, 12.43, 4.7)
_CAPTION = _inches(0.45, 5.9, 12.43, 1.15)
_COUNTER = _inches(10.88, 7.05, 2.0, 0.35)
_SUBTITLE = _inches(1.0, 4.0, 11.333, 1.6)
_TITLE_PAGE = _inches(1.0, 2.2, 11.333, 1.6)
#: The highest resolution a deck's pictures are drawn at (as ``gbp render --dpi``).
MAX_DPI = 600
#: Caption sizes tried from the largest down, and a rough width of an average character as
#: a share of the size (Helvetica-like fonts), to keep a long caption inside its box.
_CAPTION_SIZES = (22, 20, 18, 16, 14, 12)
_CHAR_WIDTH = 0.52


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels of a PNG, from its header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise RenderError("a frame for the deck is not a PNG picture")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def sharp_dpi(width: float, height: float, dpi: float) -> float:
    """The resolution to draw a picture of ``width`` x ``height`` points at so that the deck,
    which shows it as large as the picture area allows, shows it at least as sharp as
    ``dpi`` (at most ``MAX_DPI``).

    >>> sharp_dpi(400, 200, 192), sharp_dpi(2000, 300, 192)  # enlarged 1.7 times; shrunk
    (324.9, 192)
    """
    grow = min(PICTURE_AREA.width / EMU * 72 / width, PICTURE_AREA.height / EMU * 72 / height)
    return round(min(MAX_DPI, dpi * grow), 1) if grow > 1 else dpi


def _fit(width: int, height: int, area: Box) -> Box:
    """The largest box of the picture's proportions inside ``area``, centred."""
    scale = min(area.width / width, area.height / height)
    w, h = round(width * scale), round(height * scale)
    return Box(area.left + (area.width - w) // 2, area.top + (area.height - h) // 2, w, h)


def caption_points(text: str, box: Box = _CAPTION) -> int:
    """The largest caption size (points) at which ``text`` fits in ``box``, by an estimate
    of its wrapped lines (12 at the least).

    >>> caption_points("Forward through +: 3.00"), caption_points("x" * 1000)
    (22, 12)
    """
    width_pt, height_pt = box.width / EMU * 72, box.height / EMU * 72
    for size in _CAPTION_SIZES:
        per_line = max(1, int(width_pt / (size * _CHAR_WIDTH)))
        lines = sum(-(-max(1, len(part)) // per_line) for part in text.split("\n"))
        if lines * size * 1.25 <= height_pt:
            return size
    return _CAPTION_SIZES[-1]


def _rgb(color: str) -> Any:
    from pptx.dml.color import RGBColor

    digits = color.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return RGBColor.from_string(digits[:6].upper())


def _text(shape: Any, text: str, size: float, color: str, font: str, *, bold: bool = False,
          align: str = "left") -> None:
    """Put ``text`` into a shape's text frame as one paragraph of one style."""
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN

    frame = shape.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.TOP
    frame.clear()
    paragraph = frame.paragraphs[0]
    paragraph.alignment = {"left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER,
                           "right": PP_ALIGN.RIGHT}[align]
    run = paragraph.add_run()
    run.text = text
    run.font.size = _points(size)
    run.font.bold = bold
    run.font.name = font
    run.font.color.rgb = _rgb(color)


def _points(size: float) -> Any:
    from pptx.util import Pt

    return Pt(size)


def _place(shape: Any, box: Box) -> None:
    shape.left, shape.top, shape.width, shape.height = box.left, box.top, box.width, box.height


def _background(slide: Any, theme: Theme) -> None:
    fill = slide.background.fill
    fill.solid()
    fill.fore_color.rgb = _rgb(theme.background)


def deck_bytes(pictures: Sequence[bytes], captions: Sequence[str], kinds: Sequence[str],
               title: str, theme: Theme | None = None, *, title_slide: bool = True,
               subtitle: str | None = None) -> bytes:
    """The deck of PNG ``pictures`` (one per step, all of one size), each with its caption
    and kind (``forward``, ``backward`` ...), as the bytes of a ``.pptx`` file."""
    if not pictures or not len(pictures) == len(captions) == len(kinds):
        raise ValueError(f"need a picture, and one caption and kind per picture:"
                         f" {len(pictures)} pictures, {len(captions)} captions,"
                         f" {len(kinds)} kinds")
    try:
        from pptx import Presentation
        from pptx.util import Emu
    except ImportError:  # a dependency; only a broken installation lacks it
        raise RenderError("writing .pptx needs python-pptx (pip install python-pptx)"
                          ) from None
    theme = theme or THEMES["cs231n"]
    deck = Presentation()
    deck.slide_width, deck.slide_height = Emu(SLIDE.width), Emu(SLIDE.height)
    deck.core_properties.title = title
    deck.core_properties.subject = "backpropagation, step by step"
    deck.core_properties.author = "graphviz-backprop"
    layouts = deck.slide_layouts
    ink, font = theme.caption_color, theme.font
    if title_slide:
        first = deck.slides.add_slide(layouts[0])  # "Title Slide": a title and a subtitle
        _background(first, theme)
        _place(first.shapes.title, _TITLE_PAGE)
        _text(first.shapes.title, title, 40, ink, font, bold=True, align="center")
        below = first.placeholders[1]
        _place(below, _SUBTITLE)
        _text(below, subtitle if subtitle is not None else
              f"Backpropagation step by step: {len(pictures)} steps, forward values above"
              " the wires, gradients below", 22, ink, font, align="center")
    box = _fit(*png_size(pictures[0]), PICTURE_AREA)
    last = len(pictures) - 1
    for k, (png, caption, kind) in enumerate(zip(pictures, captions, kinds)):
        if png_size(png) != png_size(pictures[0]):
            raise RenderError("the frames for the deck differ in size")
        slide = deck.slides.add_slide(layouts[5])  # "Title Only"
        _background(slide, theme)
        _place(slide.shapes.title, _TITLE)
        _text(slide.shapes.title, title, 26, ink, font, bold=True)
        slide.shapes.add_picture(io.BytesIO(png), box.left, box.top, box.width, box.height)
        words = slide.shapes.add_textbox(_CAPTION.left, _CAPTION.top, _CAPTION.width,
                                         _CAPTION.height)
        words.name = "Caption"
        _text(words, caption, caption_points(caption), ink, font)
        counter = slide.shapes.add_textbox(_COUNTER.left, _COUNTER.top, _COUNTER.width,
                                           _COUNTER.height)
        counter.name = "Step"
        _text(counter, f"step {k} / {last}", 12, ink, font, align="right")
        slide.notes_slide.notes_text_frame.text = f"Step {k} of {last} ({kind}). {caption}"
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
