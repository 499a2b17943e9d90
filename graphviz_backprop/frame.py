"""One frame of a trace: its caption, its drawing, and ways to show or save it."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from . import output
from . import render as _render
from .backprop import Evaluation
from .draw import draw
from .errors import GbpError, RenderError
from .frames import Step
from .layout import Layout
from .style import Style

if TYPE_CHECKING:
    import graphviz

__all__ = ["Frame", "Drawn"]


class Drawn(Protocol):
    """What a frame belongs to (a ``tracing.Trace``): an evaluation that renders frames."""

    @property
    def evaluation(self) -> Evaluation: ...

    def _render(self, style: Style, format: str, dpi: float = 96,
                frames: list[int] | None = None) -> list[bytes]: ...


@dataclass(frozen=True)
class Frame:
    """One frame of a trace: its caption, its drawing, and ways to show or save it."""

    trace: Drawn
    step: Step
    layout: Layout
    style: Style

    @property
    def index(self) -> int:
        return self.step.index

    @property
    def kind(self) -> str:
        """``circuit``, ``inputs``, ``forward``, ``seed``, ``backward`` or ``final``; after
        it, ``update`` and ``after`` for a step of gradient descent."""
        return self.step.kind

    @property
    def caption(self) -> str:
        return self.step.caption

    @property
    def dot(self) -> graphviz.Digraph:
        """The frame as a ``graphviz.Digraph`` (it lays out the same as every other frame)."""
        return draw(self.trace.evaluation, self.step, self.layout)

    def render(self, format: str = "svg", dpi: float = 96) -> bytes:
        """This frame as SVG, PNG, PDF or DOT bytes."""
        return self.trace._render(self.style, format, dpi, [self.index])[0]

    def save(self, path: str | Path, dpi: float = 96) -> Path:
        """Write this frame; the format follows the extension (.svg, .png, .pdf, .dot)."""
        path = Path(path)
        fmt = _render.EXTENSIONS.get(path.suffix.lower())
        if fmt not in _render.PICTURE_FORMATS:
            raise RenderError(f"cannot tell the format of '{path}': use .svg, .png, .pdf or"
                              " .dot")
        return output.write_file(path, self.render(fmt, dpi))

    def _repr_svg_(self) -> str | None:
        """The picture in a notebook; an error (Graphviz missing) as one line on stderr."""
        try:
            return self.render("svg").decode("utf-8")
        except GbpError as err:
            print(f"Error: {err}", file=sys.stderr)
            return None

    def __repr__(self) -> str:
        return f"<Frame {self.index} {self.kind}: {self.caption}>"
