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
import re
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import RenderError
from .themes import THEMES, Theme

__all__ = ["Page", "deck_bytes", "SLIDE", "PICTURE_AREA", "png_size", "fitted", "slide_text",
           "shown_scale", "sharp_dpi", "larger", "MAX_DPI", "MIN_DPI"]

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
#: The highest and lowest resolutions a deck's pictures are drawn at: a picture the slide
#: shows larger than its size is drawn finer, one it shows smaller coarser, so that every
#: picture has the pixels per inch asked for as the slide shows it, and no more.
MAX_DPI, MIN_DPI = 600, 10
#: Text sizes (points) tried from the largest down: the caption, the slide title, the title
#: slide's title and subtitle; and a rough width of an average character as a share of the
#: size (Helvetica-like fonts), to keep a long text inside its box.
_CAPTION_SIZES = (22, 20, 18, 16, 14, 12, 11, 10)
_TITLE_SIZES = (26, 24, 22, 20, 18, 16)
_FRONT_SIZES = (40, 36, 32, 28, 24)
_SUBTITLE_SIZES = (22, 20, 18, 16)
_CHAR_WIDTH = 0.55
_MORE = " … (the whole caption is in the notes)"
#: A minus sign of a number in slide text: the typographic minus, which no line breaks after
#: (an ASCII hyphen may end a line, leaving "-" alone and the number on the next).
_SIGN = re.compile(r"(?<![\w)\]₀-₉])-(?=\.?\d)")


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels of a PNG, from its header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise RenderError("a frame for the deck is not a PNG picture")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def shown_scale(width: float, height: float) -> float:
    """How many times its size the deck shows a picture of ``width`` x ``height`` points (as
    large as the picture area allows)."""
    return min(PICTURE_AREA.width / EMU * 72 / width, PICTURE_AREA.height / EMU * 72 / height)


def sharp_dpi(width: float, height: float, dpi: float) -> float:
    """The resolution to draw a picture of ``width`` x ``height`` points at so that the deck
    shows it at ``dpi`` pixels per inch (within ``MIN_DPI`` and ``MAX_DPI``): finer for a
    small drawing, coarser for a large one.

    >>> sharp_dpi(400, 200, 192), sharp_dpi(2000, 300, 192)  # shown 1.7 times larger; 0.45
    (324.9, 85.9)
    """
    return round(max(MIN_DPI, min(MAX_DPI, dpi * shown_scale(width, height))), 1)


def larger(sizes: Mapping[str, tuple[float, float]]) -> str:
    """Of the drawings of a circuit by ``fit`` (their sizes in points), the one for its
    slides: ``none``, the drawing as it is, on one row and with every label, when the slide
    shows it at its size or larger; else the one wrapped for a slide if that shows it at
    least 1.2 times as large (its text as large: the sigmoid neuron's, twice).

    >>> larger({"none": (1317, 267), "slide": (379, 240)})  # the sigmoid neuron
    'slide'
    >>> larger({"none": (451, 163), "slide": (229, 128)})  # cs231n's (x+y)*z: one row
    'none'
    """
    if len(sizes) == 1:
        return next(iter(sizes))
    none, slide = shown_scale(*sizes["none"]), shown_scale(*sizes["slide"])
    return "slide" if none < 1 and slide >= 1.2 * none else "none"


def _fit(width: int, height: int, area: Box) -> Box:
    """The largest box of the picture's proportions inside ``area``, centred."""
    scale = min(area.width / width, area.height / height)
    w, h = round(width * scale), round(height * scale)
    return Box(area.left + (area.width - w) // 2, area.top + (area.height - h) // 2, w, h)


def fitted(text: str, box: Box, sizes: Sequence[int], more: str = "…") -> tuple[int, str]:
    """The largest of ``sizes`` (points) at which ``text`` fits in ``box``, by an estimate of
    its wrapped lines, and the text; at the smallest size, a text too long for the box is
    cut at a word and ends with ``more``.

    >>> fitted("Forward through +: 3.00", _CAPTION, _CAPTION_SIZES)
    (22, 'Forward through +: 3.00')
    >>> size, text = fitted("x = 1.00; " * 200, _CAPTION, _CAPTION_SIZES, _MORE)
    >>> size, len(text) < 2000, text.endswith("in the notes)")
    (10, True, True)
    """
    # the box less the insets a text box keeps around its text (0.1 and 0.05 inches)
    width_pt, height_pt = box.width / EMU * 72 - 14.4, box.height / EMU * 72 - 7.2
    for size in sizes:
        per_line = max(1, int(width_pt / (size * _CHAR_WIDTH)))
        lines = sum(-(-max(1, len(part)) // per_line) for part in text.split("\n"))
        if lines * size * 1.2 <= height_pt:
            return size, text
    size = sizes[-1]
    room = max(1, int(width_pt / (size * _CHAR_WIDTH))) * max(1, int(height_pt / (size * 1.2)))
    cut = text[:max(0, room - len(more))]
    cut = cut[:cut.rfind(" ")] if " " in cut else cut
    return size, cut.rstrip(" ;,") + more


def slide_text(caption: str) -> str:
    """A caption as a slide writes it: each number's minus sign the typographic one.

    >>> slide_text("∂f/∂a₁ = 1.00 · (-4) = -4.00; [[-0.5, 2 - 1]]; a₁-1")
    '∂f/∂a₁ = 1.00 · (−4) = −4.00; [[−0.5, 2 - 1]]; a₁-1'
    """
    return _SIGN.sub("\u2212", caption)


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


@dataclass(frozen=True)
class Page:
    """One step's slide: its picture (PNG), its caption, its kind (``forward``, ``backward``
    ...) and its number among all the steps of the trace (``gbp render --frame K``)."""

    picture: bytes
    caption: str
    kind: str
    number: int


def _subtitle(pages: Sequence[Page]) -> str:
    if any(p.kind == "exercise" for p in pages):
        return "An exercise: the circuit with the numbers left for you to write"
    count = f"{len(pages)} step{'s' if len(pages) > 1 else ''}"
    return (f"Backpropagation step by step: {count}, forward values above the wires,"
            " gradients below")


def deck_bytes(pages: Sequence[Page], last: int, title: str, theme: Theme | None = None, *,
               title_slide: bool = True, subtitle: str | None = None) -> bytes:
    """The deck of ``pages`` (their pictures all of one size), steps of a trace whose last
    step is number ``last``, as the bytes of a ``.pptx`` file."""
    if not pages:
        raise ValueError("a deck needs a page")
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
        size, text = fitted(title, _TITLE_PAGE, _FRONT_SIZES)
        _text(first.shapes.title, text, size, ink, font, bold=True, align="center")
        below = first.placeholders[1]
        _place(below, _SUBTITLE)
        size, text = fitted(_subtitle(pages) if subtitle is None else subtitle, _SUBTITLE,
                            _SUBTITLE_SIZES)
        _text(below, text, size, ink, font, align="center")
    pixels = png_size(pages[0].picture)
    box = _fit(*pixels, PICTURE_AREA)
    heading = fitted(title, _TITLE, _TITLE_SIZES)
    for page in pages:
        if png_size(page.picture) != pixels:
            raise RenderError("the frames for the deck differ in size")
        slide = deck.slides.add_slide(layouts[5])  # "Title Only"
        _background(slide, theme)
        _place(slide.shapes.title, _TITLE)
        _text(slide.shapes.title, heading[1], heading[0], ink, font, bold=True)
        slide.shapes.add_picture(io.BytesIO(page.picture), box.left, box.top, box.width,
                                 box.height)
        words = slide.shapes.add_textbox(_CAPTION.left, _CAPTION.top, _CAPTION.width,
                                         _CAPTION.height)
        words.name = "Caption"
        points, caption = fitted(slide_text(page.caption), _CAPTION, _CAPTION_SIZES, _MORE)
        _text(words, caption, points, ink, font)
        counter = slide.shapes.add_textbox(_COUNTER.left, _COUNTER.top, _COUNTER.width,
                                           _COUNTER.height)
        counter.name = "Step"
        _text(counter, f"step {page.number} / {last}", 12, ink, font, align="right")
        slide.notes_slide.notes_text_frame.text = (
            f"Step {page.number} of {last} ({page.kind}). {page.caption}")
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
