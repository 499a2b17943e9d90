"""The project's one small error hierarchy; each class subclasses the nearest builtin."""

from __future__ import annotations

__all__ = [
    "GbpError",
    "InputError",
    "ParseError",
    "LimitError",
    "ValuesError",
    "EvaluationError",
    "RenderError",
    "GraphvizNotFoundError",
]


class GbpError(Exception):
    """Base of every error this package raises on purpose.

    ``exit_code`` is what the command line exits with: 2 for bad input, 1 otherwise.
    """

    exit_code = 1


class InputError(GbpError, ValueError):
    """The user's input cannot be used (source text, values, files)."""

    exit_code = 2


class ParseError(InputError):
    """The source text is not a whitelisted expression or program.

    >>> str(ParseError("strings are not allowed", line=1, col=5))
    'strings are not allowed (line 1, column 5)'
    """

    def __init__(self, message: str, line: int | None = None, col: int | None = None):
        self.message = message
        self.line = line
        self.col = col
        super().__init__(message)

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        where = f"line {self.line}" if self.col is None else f"line {self.line}, column {self.col}"
        return f"{self.message} ({where})"


class LimitError(ParseError):
    """The input exceeds one of the documented size limits."""


class ValuesError(InputError):
    """Input values are missing, unknown, duplicated or not numbers."""


class EvaluationError(InputError, ArithmeticError):
    """A value or gradient is not a finite real number at the given point."""


class RenderError(GbpError, RuntimeError):
    """Drawing or writing the frames failed."""


class GraphvizNotFoundError(RenderError, FileNotFoundError):
    """The Graphviz ``dot`` program is not installed or not on PATH."""
