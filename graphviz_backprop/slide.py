"""How many rows a long circuit is wrapped onto so that it shows largest on a 16:9 slide.

The cutting and stacking is ``bands.py``; here: the slide's size, how large a picture shows
on it, and the cuts that make a picture show largest.

>>> round(slide_scale(906, 255), 2)   # twice as wide as a slide's text: shown at half size
0.5
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence

from .bands import CLEAR, LANE, Picture, caption_space, extent, wrap
from .layout import Positions

__all__ = ["SLIDE", "fit_slide", "wrap", "size_of", "slide_scale", "cuts_of"]

#: A 16:9 Beamer slide's text width and height (points): 160 mm wide at \linewidth.
SLIDE = (453.0, 255.0)
#: Most rows a picture is wrapped onto; a search tries at most this many sets of cuts per row.
MAX_ROWS, MAX_TRIES = 6, 4000


def size_of(placed: Positions) -> tuple[float, float]:
    """The picture's width and height (points), from its bounding box."""
    x0, y0, x1, y1 = (float(v) for v in placed.bb.split(","))
    return x1 - x0, y1 - y0


def slide_scale(width: float, height: float) -> float:
    """How much a picture of this size (points) is scaled to fit the text area of a slide."""
    return min(SLIDE[0] / width, SLIDE[1] / height)


def _estimate(d: Picture, gaps: list[float], crossings: list[int],
              bins: list[tuple[float, float]], chosen: Sequence[int]) -> float:
    """How large a wrap at ``gaps[i] for i in chosen`` would show on a slide (its scale),
    from the extent of what stands between each two gaps and the lanes each cut needs."""
    edges = [-1, *chosen, len(gaps)]
    x_lo, x_hi = min(m[0] for m in d.marks), max(m[2] for m in d.marks)
    xs = [x_lo, *(gaps[i] for i in chosen), x_hi]
    most = max((crossings[i] for i in chosen), default=0)
    width = height = 0.0
    for k, (a, b) in enumerate(itertools.pairwise(edges)):
        spans = bins[a + 1:b + 1]
        height += max(h for _, h in spans) - min(lo for lo, _ in spans)
        right = CLEAR + crossings[chosen[k]] * LANE if k < len(chosen) else 0.0
        width = max(width, xs[k + 1] - xs[k] + right)
        if k:
            height += 2 * CLEAR + max(crossings[chosen[k - 1]] - 1, 0) * LANE
    width += CLEAR + most * LANE if chosen else 0.0
    if d.placed.label_size:
        width = max(width, d.placed.label_size[0])
        height += d.placed.label_size[1] + caption_space(d.placed, d)
    return slide_scale(width, height)


def cuts_of(placed: Positions, rows: int) -> list[float] | None:
    """Where to cut ``placed`` into ``rows`` bands so that it shows largest on a slide (a
    wire crossing few cuts breaks a tie), or None if it has too few gaps."""
    d = Picture(placed)
    gaps = d.gaps()
    if rows < 2 or len(gaps) < rows - 1:
        return None
    crossings = [len(d.crossing(g)) for g in gaps]
    bounds = [-math.inf, *gaps, math.inf]
    bins = [extent(d.marks, a, b) for a, b in itertools.pairwise(bounds)]
    x_lo, x_hi = min(m[0] for m in d.marks), max(m[2] for m in d.marks)
    if math.comb(len(gaps), rows - 1) <= MAX_TRIES:
        tries = list(itertools.combinations(range(len(gaps)), rows - 1))
    else:  # too many: the gaps nearest to equal widths
        share = (x_hi - x_lo) / rows
        tries = [tuple(sorted({max(0, bisect.bisect(gaps, x_lo + k * share) - 1)
                               for k in range(1, rows)}))]

    def even(t: tuple[int, ...]) -> bool:  # no band under 40% of an even share
        xs = [x_lo, *(gaps[i] for i in t), x_hi]
        return len(t) == rows - 1 and min(b - a for a, b in itertools.pairwise(xs)) \
            >= 0.4 * (x_hi - x_lo) / rows

    scored = [(_estimate(d, gaps, crossings, bins, t), -sum(crossings[i] for i in t), t)
              for t in tries if even(t)]
    if not scored:
        return None
    best = max(s for s, _, _ in scored)
    _, _, chosen = max((c, -s, t) for s, c, t in scored if s >= 0.98 * best)
    return [gaps[i] for i in chosen]


def fit_slide(placed: Positions, rows: int | None = None) -> Positions:
    """``placed`` wrapped onto the number of rows (``rows``, or the best from 1 up to
    :data:`MAX_ROWS`) that shows it largest on a 16:9 slide; a second row must win by 5%."""
    if rows is not None:
        cuts = cuts_of(placed, rows)
        return placed if cuts is None else wrap(placed, cuts)
    best, scale = placed, slide_scale(*size_of(placed))
    for k in range(2, MAX_ROWS + 1):
        cuts = cuts_of(placed, k)
        if cuts is None:
            break
        wrapped = wrap(placed, cuts)
        shown = slide_scale(*size_of(wrapped))
        if shown > scale * 1.05:
            best, scale = wrapped, shown
    return best
