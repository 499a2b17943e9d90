"""How numbers are written: one rule for tables, frames, captions, reports and the API.

A number that shows as zero has no sign (``0.00``, never ``-0.00``): a zero has no sign on
paper.  Drawings write floats with 3 significant figures, so that no number that is not
zero shows as 0.00 (or with a fixed number of decimals, when asked); tables with 6
significant digits; the exact numbers and formulas of symbolic mode as mathematics
(``mathtext``); a gate's constant as it was typed.

>>> value_text(-0.001, 2), value_text(0.7310585786300049), value_text(-0.5, 2)
('0.00', '0.731059', '-0.50')
>>> [value_text(v, digits=3) for v in (0.7310585786300049, -4.0, 0.00097, 24.7041, 645.577)]
['0.731', '-4.00', '0.000970', '24.7', '646']
>>> [value_text(v, digits=3) for v in (0.99999, -9.9996, 99.96)]
['1.00', '-10.0', '100']
>>> constant(2.0), constant(-1.0), constant(0.01), constant(1 / 3)
('2', '-1', '0.01', '0.3333')
"""

from __future__ import annotations

import math
from typing import Any

from .arrays import is_array, shape_text
from .mathtext import math_text

__all__ = ["DIGITS", "number", "value_text", "constant"]


#: Significant figures of the numbers a drawing writes, by default.
DIGITS = 3


def number(value: float, decimals: int | None = None, digits: int | None = None) -> str:
    """A float with ``decimals`` places, else with ``digits`` significant figures (trailing
    zeros kept, never fewer than the whole part), else 6 significant digits (the shortest
    way); a zero has no sign."""
    if decimals is not None:
        text = format(value, f".{decimals}f")
    elif digits is not None and value != 0 and math.isfinite(value):
        magnitude = math.floor(math.log10(abs(value)))
        if abs(float(format(value, f".{digits - 1}e"))) >= 10.0 ** (magnitude + 1):
            magnitude += 1  # 0.99996 rounds to 1.00, not 1.000
        if magnitude < -4:  # tiny: in exponent form rather than a row of zeros
            text = format(value, f".{digits - 1}e")
        else:
            text = format(value, f".{max(0, digits - 1 - magnitude)}f")
    else:
        text = format(value, ".6g")
    if text.startswith("-") and float(text) == 0:
        return text[1:]
    return text


#: Most entries a vector or matrix is written out with in text; a larger one is its shape.
MAX_SHOWN_ENTRIES = 16


def value_text(value: Any, decimals: int | None = None, digits: int | None = None) -> str:
    """A value or gradient as text: a number (:func:`number`), a vector or matrix as nested
    brackets (``[0.220, 0.260]``; only its shape, ``10×3073``, when it has more than
    :data:`MAX_SHOWN_ENTRIES` entries), or, in symbolic mode, a formula or exact number as
    mathematics (``z``, ``1/2``, ``3x²``).

    >>> import numpy as np
    >>> value_text(np.array([[0.1, -0.5], [0.25, 2.0]]), digits=2)
    '[[0.10, -0.50], [0.25, 2.0]]'
    >>> value_text(np.zeros((10, 3073)))
    '10×3073'
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number(float(value), decimals, digits)
    if is_array(value):
        if value.size > MAX_SHOWN_ENTRIES:
            return shape_text(value)
        rows = value.tolist()
        if value.ndim == 1:
            return "[" + ", ".join(number(v, decimals, digits) for v in rows) + "]"
        return "[" + ", ".join("[" + ", ".join(number(v, decimals, digits) for v in row) + "]"
                               for row in rows) + "]"
    return math_text(str(value))


def constant(c: float) -> str:
    """A constant as drawn on a gate: ``2`` not ``2.0``, ``0.01`` as typed, and a long
    decimal such as 1/3 or e to 4 significant digits (the gate keeps the exact value)."""
    if c == int(c) and abs(c) < 1e15:
        return str(int(c))
    text = repr(float(c))
    return text if len(text.lstrip("-")) <= 7 else format(c, ".4g")
