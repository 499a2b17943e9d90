"""Sizes fixed once for every frame of a circuit, from the widest text any frame will show,
so that revealing a number never moves the drawing; and where a layout put everything.

>>> wrap_caption("a = 1; b = 2", 8)
['a = 1', 'b = 2']
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .arrange import Arrangement, arrange
from .backprop import Evaluation
from .frames import Step
from .matrices import Box, boxes, has_arrays
from .notation import DIGITS, value_text
from .themes import THEMES, Theme

__all__ = ["FITS", "MATRIX_LIMIT", "Layout", "Positions", "layout_for", "wrap_caption",
           "text_width"]

#: What a picture is drawn to fit: nothing (as wide as the circuit is long), or a 16:9 slide
#: (compact labels and spacing, long circuits wrapped onto rows: see ``slide.py``).
FITS = ("none", "slide")
#: The most rows or columns a wire draws as a matrix, by default; a larger one shows its shape.
MATRIX_LIMIT = 4


_CHAR_WIDTH = 0.62  # of the font size: a safe average for digits and letters in Helvetica


_CAPTION_CHARS = 104
#: Characters a caption line holds on a slide: as wide as a circuit wrapped onto rows.
_SLIDE_CAPTION_CHARS = 64


def text_width(text: str, size: float) -> float:
    return max(1, len(text)) * size * _CHAR_WIDTH


def _words(part: str) -> list[str]:
    """Split at spaces outside parentheses, so a formula is never broken in two."""
    words, depth, start = [], 0, 0
    for i, ch in enumerate(part):
        depth += (ch == "(") - (ch == ")")
        if ch == " " and depth <= 0:
            words.append(part[start:i])
            start = i + 1
    words.append(part[start:])
    return [w for w in words if w]


def wrap_caption(caption: str, width: int = _CAPTION_CHARS) -> list[str]:
    """Break a caption into lines at ``; `` where it can, else at spaces between formulas.

    >>> wrap_caption("a = 1; b = 2", 8)
    ['a = 1', 'b = 2']
    >>> wrap_caption("upstream · local = 0.38 · (1 - sigmoid(x)) = 0.09", 30)
    ['upstream · local = 0.38 ·', '(1 - sigmoid(x)) = 0.09']
    """
    lines: list[str] = []
    for part in caption.split("; "):
        if lines and len(lines[-1]) + 2 + len(part) <= width:
            lines[-1] += "; " + part
            continue
        line = ""
        for piece in _pieces(part, width):
            if line and len(line) + 1 + len(piece) > width:
                lines.append(line)
                line = piece
            else:
                line = f"{line} {piece}" if line else piece
        lines.append(line)
    return lines


def _pieces(part: str, width: int) -> list[str]:
    """A long part in pieces: its ``, ``-separated items (each ending in a comma but the
    last), and an item longer than a line in its words."""
    items = part.split(", ")
    pieces: list[str] = []
    for i, item in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if len(item) < width:
            pieces.append(item + comma)
        else:
            words = _words(item)
            pieces.extend([*words[:-1], words[-1] + comma])
    return pieces


@dataclass(frozen=True)
class Layout:
    """Sizes fixed for every frame of one evaluation (points), the texts to draw, and where
    every node stands (``arrangement``, the same for every frame)."""

    decimals: int | None
    theme: Theme
    slot_width: float
    row_height: float
    small_height: float
    caption_width: float
    caption_lines: int
    gate_widths: dict[str, float]
    arrangement: Arrangement
    title: str | None = None
    captions: bool = True  # False: no title or caption under the circuit (the HTML stepper)
    fit: str = "none"  # "slide": compact labels (name beside the value, no local gradient)
    name_width: float = 0.0  # "slide": the width of the name beside a named wire's value
    caption_chars: int = _CAPTION_CHARS  # characters in a line of the caption
    #: a circuit with vectors or matrices: every wire label's own sizes (see matrices.py)
    boxes: dict[str, Box] = field(default_factory=dict)


def _numbers(ev: Evaluation, decimals: int | None) -> list[str]:
    """Every value and gradient a wire shows (a branch's gradient included); a vector's or
    matrix's entries are sized on their own (see matrices.py)."""
    if has_arrays(ev):
        return ["0"]
    texts = [value_text(v, decimals, DIGITS) for v in ev.values.values()]
    texts += [value_text(v, decimals, DIGITS) for v in ev.grads.values()]
    for node, locals_ in ev.local.items():
        texts += [value_text(ev.grads[node] * v, decimals, DIGITS) for v in locals_]
    return texts


def _all_texts(ev: Evaluation, decimals: int | None) -> list[str]:
    texts = _numbers(ev, decimals)
    if has_arrays(ev):
        return texts
    for locals_ in ev.local.values():
        texts += [f"local {value_text(v, decimals, DIGITS)}" for v in locals_]
    texts += list(ev.circuit.wire_names.values())
    return texts


def layout_for(ev: Evaluation, steps_: list[Step], decimals: int | None = None,
               theme: Theme | None = None, title: str | None = None,
               captions: bool = True, fit: str = "none", matrix_limit: int = MATRIX_LIMIT,
               jacobian: bool = False) -> Layout:
    """Fix every size once, from the widest text any frame will show.

    ``title`` (of an example or a file) is drawn in bold above every caption;
    ``captions=False`` leaves both out (a page around the drawing shows them instead);
    ``fit="slide"`` sizes compact labels: a value column from the numbers alone and a name
    column beside it, smaller gates, and shorter caption lines.  A circuit with vectors or
    matrices sizes each wire label on its own (``boxes``): a matrix of at most
    ``matrix_limit`` rows and columns entry by entry, with ``jacobian`` a slot for the local
    Jacobian under every gradient.
    """
    if fit not in FITS:
        raise ValueError(f"fit must be one of {', '.join(FITS)}, not {fit!r}")
    theme = theme or THEMES["cs231n"]
    size = theme.font_size
    compact = fit == "slide"
    texts = _numbers(ev, decimals) if compact else _all_texts(ev, decimals)
    slot = max(text_width(t, size) for t in texts) + (3 if compact else 6)
    c = ev.circuit
    shown = [c.wire_names[n] for n in c.gates if n != c.output]  # names drawn on wires
    name_width = (max(text_width(t, size - 1) for t in shown) + 4
                  if compact and shown else 0.0)
    chars = _SLIDE_CAPTION_CHARS if compact else _CAPTION_CHARS
    lines = [line for s in steps_ for line in wrap_caption(s.caption, chars)]
    caption_lines = max(len(wrap_caption(s.caption, chars)) for s in steps_)
    if title:
        lines.append(title + "xx")  # bold is wider
    caption_width = max(text_width(line, size) for line in lines) + 12
    least, room = (0.4, 8) if compact else (0.5, 16)
    gate_widths = {
        n: max(least, (text_width(c.label(n), size + 2) + room) / 72) for n in c.gates
    }
    row = size * (1.2 if compact else 1.35)
    wires = boxes(ev, decimals, theme, matrix_limit, jacobian, compact) if has_arrays(ev) else {}
    return Layout(decimals, theme, slot, row, size * 1.2, caption_width, caption_lines,
                  gate_widths, arrange(c), title, captions, fit, name_width, chars, wires)


@dataclass(frozen=True)
class Positions:
    """A finished layout (points): node and edge positions, the bounding box, the caption's
    position; the nodes' sizes and the caption's (points), where a raster frame is put
    together from pieces (see ``render.py``)."""

    nodes: dict[str, str]
    edges: dict[tuple[str, str], str]
    bb: str
    lp: str | None
    sizes: dict[str, tuple[float, float]] = field(default_factory=dict)
    label_size: tuple[float, float] | None = None
