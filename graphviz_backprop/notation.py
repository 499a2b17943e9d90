"""How numbers are written: one rule for tables, frames, captions, reports and the API.

A number that shows as zero has no sign (``0.00``, never ``-0.00``): a zero has no sign on
paper.  Floats are written with a fixed number of decimals where a drawing asks for them,
else with 6 significant digits; the exact numbers of symbolic mode and formulas as sympy
writes them; a gate's constant as it was typed.

>>> value_text(-0.001, 2), value_text(0.7310585786300049), value_text(-0.5, 2)
('0.00', '0.731059', '-0.50')
>>> constant(2.0), constant(-1.0), constant(0.01), constant(1 / 3)
('2', '-1', '0.01', '0.3333')
"""

from __future__ import annotations

from typing import Any

__all__ = ["number", "value_text", "constant"]


def number(value: float, decimals: int | None = None) -> str:
    """A float with ``decimals`` places, else 6 significant digits; a zero has no sign."""
    text = format(value, f".{decimals}f") if decimals is not None else format(value, ".6g")
    if text.startswith("-") and float(text) == 0:
        return text[1:]
    return text


def value_text(value: Any, decimals: int | None = None) -> str:
    """A value or gradient as text: a number (:func:`number`), or, in symbolic mode, a
    formula or exact number as sympy writes it (``z``, ``1/2``)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number(float(value), decimals)
    return str(value)


def constant(c: float) -> str:
    """A constant as drawn on a gate: ``2`` not ``2.0``, ``0.01`` as typed, and a long
    decimal such as 1/3 or e to 4 significant digits (the gate keeps the exact value)."""
    if c == int(c) and abs(c) < 1e15:
        return str(int(c))
    text = repr(float(c))
    return text if len(text.lstrip("-")) <= 7 else format(c, ".4g")
