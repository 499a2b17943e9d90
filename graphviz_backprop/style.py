"""How a trace's frames are drawn: the options every drawing method takes, checked once.

>>> Style.of(theme="dark", matrix_limit=3, jacobian=True).matrix_limit
3
>>> Style(matrix_limit=0)
Traceback (most recent call last):
...
ValueError: matrix_limit must be a whole number from 1 to 12 (the most rows or columns ...
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .frames import EXERCISES, PHASES
from .layout import FITS, MATRIX_LIMIT
from .themes import Theme, make_theme
from .tomlfile import check_plain_text

__all__ = ["Style", "MATRIX_LIMITS"]

#: The range of ``matrix_limit``.
MATRIX_LIMITS = (1, 12)


@dataclass(frozen=True)
class Style:
    """How a trace's frames are drawn: the pass (``phase``), the ``decimals`` of numbers,
    the ``theme``, a worksheet instead (``exercise``), whether captions are drawn, and the
    ``title`` above them (None: the trace's own; False: none; a text: that text), and what the
    picture is drawn to ``fit`` (``"none"``, or ``"slide"``: 16:9, see ``slide.py``).

    For vectors and matrices: ``matrix_limit``, the most rows or columns a wire draws as a
    matrix (a larger one shows its shape), and ``jacobian``, whether a backward frame shows
    the current gate's local Jacobian under each of its input wires (see ``matrices.py``).
    """

    phase: str = "both"
    decimals: int | None = None
    theme: Theme = field(default_factory=make_theme)
    exercise: str | None = None
    captions: bool = True
    title: str | bool | None = None
    fit: str = "none"
    matrix_limit: int = MATRIX_LIMIT
    jacobian: bool = False

    def __post_init__(self) -> None:
        if self.phase not in PHASES:
            raise ValueError(f"phase must be one of {', '.join(PHASES)}, not {self.phase!r}")
        if self.decimals is not None and (not isinstance(self.decimals, int)
                                          or not 0 <= self.decimals <= 12):
            raise ValueError("decimals must be None (3 significant figures) or a whole number"
                             f" from 0 to 12, not {self.decimals!r}")
        if self.exercise is not None and self.exercise not in EXERCISES:
            raise ValueError(f"exercise must be one of {', '.join(EXERCISES)}, not"
                             f" {self.exercise!r}")
        if self.title is True or not isinstance(self.title, (str, bool, type(None))):
            raise ValueError(f"title must be a text, False or None, not {self.title!r}")
        if isinstance(self.title, str):
            check_plain_text("the title", self.title)
        if self.fit not in FITS:
            raise ValueError(f"fit must be one of {', '.join(FITS)}, not {self.fit!r}")
        low, high = MATRIX_LIMITS
        if (not isinstance(self.matrix_limit, int) or isinstance(self.matrix_limit, bool)
                or not low <= self.matrix_limit <= high):
            raise ValueError(f"matrix_limit must be a whole number from {low} to {high} (the"
                             " most rows or columns a wire draws as a matrix), not"
                             f" {self.matrix_limit!r}")
        if not isinstance(self.jacobian, bool):
            raise ValueError(f"jacobian must be True or False, not {self.jacobian!r}")

    @classmethod
    def of(cls, phase: str = "both", decimals: int | None = None, theme: str | Theme = "cs231n",
           font: str | None = None, font_size: float | None = None,
           exercise: str | None = None, captions: bool = True,
           title: str | bool | None = None, fit: str = "none",
           matrix_limit: int = MATRIX_LIMIT, jacobian: bool = False) -> Style:
        """A style from the arguments every drawing method takes."""
        return cls(phase, decimals, make_theme(theme, font, font_size), exercise, captions,
                   title, fit, matrix_limit, jacobian)
