"""Names in a derivation: claim keys (``q``, ``df/dq``, ``dfdq``, ``dq/dx``) as :class:`Key`,
messages for a name that names nothing (with a suggestion), and a source line's text.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass


def unknown_name(name: str, names: list[str], what: str) -> str:
    """``unknown name 'w' in the claim (did you mean 'w0'? names: w0, x0, ...)``."""
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown name '{name}'{what} ({hint}names: {names_text(names)})"


#: Most names a message lists (a forward pass may have thousands), and most warnings that
#: suggest the nearest gradient name (each compares the name with every candidate).
_LISTED_NAMES = 20


def names_text(names: list[str]) -> str:
    """``x, y, z``, or the first :data:`_LISTED_NAMES` names and how many more there are."""
    shown = ", ".join(names[:_LISTED_NAMES])
    more = len(names) - _LISTED_NAMES
    return shown + (f", ... ({more:,} more)" if more > 0 else "")


@dataclass(frozen=True)
class Key:
    """What a claim is about: a forward value, d output / d a, or d a / d b."""

    kind: str
    a: str
    b: str | None = None

    def label(self, output: str) -> str:
        if self.kind == "value":
            return self.a
        if self.kind == "grad":
            return f"d{output}/d{self.a}"
        return f"d{self.a}/d{self.b}"


class ClaimError(Exception):
    """A claim that cannot be read; the caller adds where it is."""


def source_line(text: str, line: int | None) -> str | None:
    lines = text.split("\n")
    if line is None or not 0 < line <= len(lines):
        return None
    return lines[line - 1].split("#", 1)[0].strip() or None
