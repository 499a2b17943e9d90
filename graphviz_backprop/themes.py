"""Colours and fonts of a drawing: plain data, shared by the drawing, the stepper and the CLI.

>>> make_theme("print", font_size=14).grad_italic, make_theme(font="Times").font
(True, 'Times')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from .errors import InputError

__all__ = ["Theme", "THEMES", "make_theme", "FONT_SIZES"]


@dataclass(frozen=True)
class Theme:
    """Colours and fonts of a drawing: data, in one place.

    ``grad_italic`` draws gradients (and local gradients) in italics, values upright, so the
    two differ by more than colour (and by position: values above the wire, gradients below).
    Colours and styles never change a size, so every theme lays a circuit out identically;
    only ``font`` and ``font_size`` do (the sizes are computed from them, see
    :func:`layout_for`).
    """

    name: str = "cs231n"
    font: str = "Helvetica"
    value_color: str = "#1a7f37"
    grad_color: str = "#cf222e"
    local_color: str = "#0550ae"
    name_color: str = "#000000"
    wire_color: str = "#000000"
    gate_fill: str = "#ffffff"
    gate_line: str = "#000000"
    gate_text: str = "#000000"
    forward_highlight: str = "#fff3a3"
    backward_highlight: str = "#ffd8d3"
    background: str = "#ffffff"
    caption_color: str = "#24292f"
    mark_wrong: str = "#ffb8b8"
    mark_inherited: str = "#ffe7a8"
    font_size: float = 12.0
    grad_italic: bool = False


#: The themes, by name (``--theme``).  ``cs231n`` is the default.
THEMES: dict[str, Theme] = {
    # the lecture's look: green values above the wire, red gradients below
    "cs231n": Theme(),
    # light text on a dark background, for dark slide decks
    "dark": Theme(
        name="dark", value_color="#7ee787", grad_color="#ff7b72", local_color="#79c0ff",
        name_color="#e6edf3", wire_color="#c9d1d9", gate_fill="#2d333b", gate_line="#c9d1d9",
        gate_text="#e6edf3", forward_highlight="#6b5800", backward_highlight="#7d2a24",
        background="#1b1f24", caption_color="#e6edf3", mark_wrong="#8e1519",
        mark_inherited="#6b4b00"),
    # black and grey only, for a black-and-white printer; gradients in italics
    "print": Theme(
        name="print", value_color="#000000", grad_color="#4d4d4d", local_color="#6e6e6e",
        forward_highlight="#ebebeb", backward_highlight="#d0d0d0", caption_color="#000000",
        mark_wrong="#b3b3b3", mark_inherited="#e0e0e0", grad_italic=True),
    # the Okabe-Ito hues (blue values, vermillion gradients, bluish green local gradients),
    # told apart under the common colour-vision deficiencies, the last two darkened to reach
    # a 4.5:1 contrast on white as text; gradients in italics
    "colorblind": Theme(
        name="colorblind", value_color="#0072b2", grad_color="#c04f00", local_color="#007a5a",
        forward_highlight="#cce8f7", backward_highlight="#f8dcc6", mark_wrong="#e69f00",
        mark_inherited="#f0e442", grad_italic=True),
}

_FONT = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}")
FONT_SIZES = (6.0, 48.0)


def make_theme(theme: str | Theme = "cs231n", font: str | None = None,
               font_size: float | None = None) -> Theme:
    """A theme by name (or as given), with its font and font size changed if asked.

    >>> make_theme("neon")
    Traceback (most recent call last):
    ...
    graphviz_backprop.errors.InputError: unknown theme 'neon' (known: cs231n, dark, ...)
    """
    if isinstance(theme, str):
        if theme not in THEMES:
            raise InputError(f"unknown theme {theme!r} (known: {', '.join(THEMES)})")
        theme = THEMES[theme]
    changes: dict[str, Any] = {}
    if font is not None:
        if not _FONT.fullmatch(font):
            raise InputError(f"font {font!r} is not a font name (letters, digits, spaces,"
                             " '.', '_' and '-'; e.g. Helvetica, 'DejaVu Sans')")
        changes["font"] = font
    if font_size is not None:
        low, high = FONT_SIZES
        if not low <= font_size <= high:
            raise InputError(f"font size {font_size:g} is out of range ({low:g} to {high:g})")
        changes["font_size"] = float(font_size)
    return replace(theme, **changes) if changes else theme
