"""A laid-out circuit wrapped onto rows so that it fills a 16:9 slide: Positions -> Positions.

A left-to-right drawing is cut at gaps between its columns into bands, and the bands are
stacked, the first on top.  A wire that crosses a cut keeps its route inside each band; between
bands it runs right from the end of its band, down, left along the gap under it, down
again and into the next band where it left the first, every straight piece a cubic Bézier.
Each crossing wire has its own lane, in the order the wires cross the cut, so that lanes
never cross one another.  Nodes and wires inside a band keep their places relative to
each other, so every frame laid out at the same positions still shares one layout.

Two nodes 90 points apart, cut between them: b goes under a, and the wire from a runs
right, down, left and right again into b.

>>> sizes = {"a": (10.0, 10.0), "b": (10.0, 10.0)}
>>> flat = Positions({"a": "5,5", "b": "95,5"}, {("a", "b"): "10,5 40,5 60,5 90,5"},
...                  "0,0,100,10", None, sizes)
>>> placed = wrap(flat, [50.0])
>>> placed.nodes["a"], placed.nodes["b"], placed.bb
('17,39', '57,5', '0,0,74,44')
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from .layout import Positions

__all__ = ["SLIDE", "fit_slide", "wrap", "aspect", "size_of", "slide_scale", "cuts_of"]

#: A 16:9 Beamer slide's text width and height (points): 160 mm wide at \linewidth.
SLIDE = (453.0, 255.0)
#: Points between two wires side by side in a lane, and between a band and its first lane.
LANE, CLEAR = 9.0, 12.0
#: Most rows a picture is wrapped onto; a search tries at most this many sets of cuts per row.
MAX_ROWS, MAX_TRIES = 6, 4000

Point = tuple[float, float]
Segment = tuple[Point, Point, Point, Point]


def _point(text: str) -> Point:
    x, y = text.split(",")[:2]
    return float(x), float(y)


def _number(v: float) -> str:
    """A coordinate as Graphviz writes one: to a hundredth of a point, no trailing zeros."""
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _text(p: Point) -> str:
    return f"{_number(p[0])},{_number(p[1])}"


def size_of(placed: Positions) -> tuple[float, float]:
    """The picture's width and height (points), from its bounding box."""
    x0, y0, x1, y1 = (float(v) for v in placed.bb.split(","))
    return x1 - x0, y1 - y0


def aspect(placed: Positions) -> float:
    """Width over height of the picture."""
    width, height = size_of(placed)
    return width / height


def slide_scale(width: float, height: float) -> float:
    """How much a picture of this size (points) is scaled to fit the text area of a slide."""
    return min(SLIDE[0] / width, SLIDE[1] / height)


@dataclass(frozen=True)
class _Spline:
    """An edge's route: the tip of its arrowhead (if any) and its cubic Bézier pieces."""

    end: Point | None
    segments: list[Segment]

    @classmethod
    def read(cls, pos: str) -> _Spline:
        end, points = None, []
        for part in pos.split(";")[0].split():
            if part.startswith("e,"):
                end = _point(part[2:])
            elif not part.startswith("s,"):
                points.append(_point(part))
        segments = [(points[i], points[i + 1], points[i + 2], points[i + 3])
                    for i in range(0, len(points) - 3, 3)]
        return cls(end, segments)


def _mix(p: Point, q: Point, t: float) -> Point:
    return p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t


def _split(seg: Segment, t: float) -> tuple[Segment, Segment]:
    """A cubic Bézier in two at ``t`` (de Casteljau)."""
    p0, p1, p2, p3 = seg
    a, b, c = _mix(p0, p1, t), _mix(p1, p2, t), _mix(p2, p3, t)
    d, e = _mix(a, b, t), _mix(b, c, t)
    m = _mix(d, e, t)
    return (p0, a, d, m), (m, e, c, p3)


def _at_x(seg: Segment, x: float) -> float:
    """The parameter where a piece that runs across ``x`` meets it (bisection)."""
    lo, hi = 0.0, 1.0
    left = seg[0][0] < x
    for _ in range(40):
        mid = (lo + hi) / 2
        if (_split(seg, mid)[0][3][0] < x) == left:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _pieces(segments: list[Segment], cuts: Sequence[float]) -> list[tuple[int, list[Segment]]]:
    """An edge's route cut where it crosses each cut: (band, pieces) for each band it visits."""
    if not segments:
        return []
    band = bisect.bisect_right(cuts, segments[0][0][0])
    pieces: list[tuple[int, list[Segment]]] = [(band, [])]
    for seg in segments:
        while True:
            there = bisect.bisect_right(cuts, seg[3][0])
            if there <= band:
                pieces[-1][1].append(seg)
                break
            first, seg = _split(seg, _at_x(seg, cuts[band]))
            pieces[-1][1].append(first)
            band += 1
            pieces.append((band, []))
    return pieces


def _samples(seg: Segment, steps: int = 8) -> list[Point]:
    return [_split(seg, k / steps)[0][3] if k < steps else seg[3] for k in range(steps + 1)]


def _forward(segments: list[Segment], cut: float) -> bool:
    """Whether a route crosses ``cut`` only left to right, once (a wire can be rerouted)."""
    xs = [p[0] for seg in segments for p in _samples(seg)]
    sides = [x >= cut for x in xs]
    return sum(a != b for a, b in itertools.pairwise(sides)) <= 1 and sides[0] <= sides[-1]


class _Drawing:
    """A layout read once: node boxes, routes, and what stands in each stretch of x."""

    def __init__(self, placed: Positions):
        self.placed = placed
        self.nodes = {n: _point(p) for n, p in placed.nodes.items()}
        self.routes = {e: _Spline.read(pos) for e, pos in placed.edges.items()}
        self.boxes = {n: (x - placed.sizes.get(n, (0, 0))[0] / 2,
                          y - placed.sizes.get(n, (0, 0))[1] / 2,
                          x + placed.sizes.get(n, (0, 0))[0] / 2,
                          y + placed.sizes.get(n, (0, 0))[1] / 2)
                      for n, (x, y) in self.nodes.items()}
        # what each part of the picture covers: node boxes and the wires' sampled points
        self.marks: list[tuple[float, float, float, float]] = list(self.boxes.values())
        for route in self.routes.values():
            for seg in route.segments:
                self.marks += [(x, y, x, y) for x, y in _samples(seg)]

    def gaps(self) -> list[float]:
        """Where a cut may go: the middle of every stretch of x that no node or arrowhead
        stands in, and that every wire crosses at most once, left to right."""
        spans = [(b[0], b[2]) for b in self.boxes.values()]
        spans += [(min(r.segments[-1][3][0], r.end[0]), max(r.segments[-1][3][0], r.end[0]))
                  for r in self.routes.values() if r.end and r.segments]
        spans.sort()
        found, reach = [], spans[0][1]
        for x0, x1 in spans[1:]:
            if x0 > reach + 1:
                cut = (reach + x0) / 2
                if all(_forward(r.segments, cut) for r in self.routes.values() if r.segments):
                    found.append(cut)
            reach = max(reach, x1)
        return found

    def crossing(self, cut: float) -> list[tuple[str, str]]:
        """The wires that cross ``cut``."""
        return [e for e, r in self.routes.items() if r.segments
                and min(s[0][0] for s in r.segments) < cut < max(s[3][0] for s in r.segments)]


def _extent(marks: list[tuple[float, float, float, float]], x0: float, x1: float
            ) -> tuple[float, float]:
    """Lowest and highest y of what stands between ``x0`` and ``x1`` (by its centre)."""
    ys = [(m[1], m[3]) for m in marks if x0 <= (m[0] + m[2]) / 2 < x1]
    return (min(y for y, _ in ys), max(y for _, y in ys)) if ys else (0.0, 0.0)


def wrap(placed: Positions, cuts: Sequence[float]) -> Positions:
    """``placed`` cut at ``cuts`` (x, points, in gaps between columns) into bands, stacked."""
    if not cuts:
        return placed
    d = _Drawing(placed)
    cuts = sorted(cuts)
    x_lo = min(m[0] for m in d.marks)
    x_hi = max(m[2] for m in d.marks)
    bounds = [x_lo, *cuts, x_hi + 1]
    pieces = {e: _pieces(r.segments, cuts) for e, r in d.routes.items()}
    # every wire crossing each cut, top first, and where it crosses
    lanes: list[list[tuple[tuple[str, str], float]]] = [[] for _ in cuts]
    for e, parts in pieces.items():
        for band, part in parts[:-1]:
            lanes[band].append((e, part[-1][3][1]))
    for row in lanes:
        row.sort(key=lambda item: -item[1])
    most = max((len(row) for row in lanes), default=0)
    left = CLEAR + max(most - 1, 0) * LANE  # room for the lanes left of every band
    # each band's shift: its left bound to x = left, stacked top down, gaps sized to lanes
    shifts: list[Point] = []
    tops: list[float] = []
    top = 0.0
    for i, (x0, x1) in enumerate(itertools.pairwise(bounds)):
        low, high = _extent(d.marks, x0, x1)
        if i:
            top -= 2 * CLEAR + max(len(lanes[i - 1]) - 1, 0) * LANE
        shifts.append((left - x0, top - high))
        tops.append(top)
        top -= high - low

    def band_of(x: float) -> int:
        return bisect.bisect_right(cuts, x)

    def moved(p: Point, band: int) -> Point:
        return p[0] + shifts[band][0], p[1] + shifts[band][1]

    nodes = {n: moved(p, band_of(p[0])) for n, p in d.nodes.items()}
    routes: dict[tuple[str, str], tuple[Point | None, list[Point]]] = {}
    for e, parts in pieces.items():
        points: list[Point] = []
        for k, (b, part) in enumerate(parts):
            if not points:
                points.append(moved(part[0][0], b))
            for seg in part:
                points += [moved(p, b) for p in seg[1:]]
            if k < len(parts) - 1:
                order = [edge for edge, _ in lanes[b]].index(e)
                right = bounds[b + 1] + shifts[b][0] + CLEAR + (len(lanes[b]) - 1 - order) * LANE
                gap_y = tops[b + 1] + CLEAR + order * LANE  # the top wire in the lowest lane
                back = left - CLEAR - order * LANE
                points += _lane(points[-1], moved(parts[k + 1][1][0][0], b + 1), right, gap_y,
                                back)
        route = d.routes[e]
        end = moved(route.end, band_of(route.end[0])) if route.end else None
        routes[e] = (end, points)
    return _placed(placed, d, nodes, routes)


def _lane(exit_: Point, entry: Point, right: float, gap_y: float, back: float) -> list[Point]:
    """The way from the right end of a band to the left end of the next, in one lane: right
    to x = ``right``, down to ``gap_y``, left to ``back``, down, right into the next band;
    as the control points of straight Bézier pieces."""
    corners = [(right, exit_[1]), (right, gap_y), (back, gap_y), (back, entry[1]), entry]
    points: list[Point] = []
    at = exit_
    for corner in corners:
        points += [_mix(at, corner, 1 / 3), _mix(at, corner, 2 / 3), corner]
        at = corner
    return points


def _placed(placed: Positions, d: _Drawing, nodes: dict[str, Point],
            routes: dict[tuple[str, str], tuple[Point | None, list[Point]]]) -> Positions:
    """Positions from moved nodes and routes: the caption centred under them, the bounding
    box around everything, its lower left corner at 0,0."""
    xs, ys = [], []
    for n, (x, y) in nodes.items():
        w, h = placed.sizes.get(n, (0.0, 0.0))
        xs += [x - w / 2, x + w / 2]
        ys += [y - h / 2, y + h / 2]
    for end, points in routes.values():
        for x, y in points + ([end] if end else []):
            xs.append(x)
            ys.append(y)
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    lp = None
    if placed.lp and placed.label_size:
        lw, lh = placed.label_size
        space = _caption_space(placed, d)
        lp = ((x0 + x1) / 2, y0 - space - lh / 2)
        x0, x1, y0 = min(x0, lp[0] - lw / 2), max(x1, lp[0] + lw / 2), lp[1] - lh / 2

    def shift(p: Point) -> Point:
        return p[0] - x0, p[1] - y0

    def spline(end: Point | None, points: list[Point]) -> str:
        tip = f"e,{_text(shift(end))} " if end else ""
        return tip + " ".join(_text(shift(p)) for p in points)

    return Positions({n: _text(shift(p)) for n, p in nodes.items()},
                     {e: spline(*r) for e, r in routes.items()},
                     f"0,0,{_number(x1 - x0)},{_number(y1 - y0)}",
                     _text(shift(lp)) if lp else None, dict(placed.sizes), placed.label_size)


def _caption_space(placed: Positions, d: _Drawing) -> float:
    """Points between the circuit and the caption under it, as the layout left them."""
    if not (placed.lp and placed.label_size):
        return 0.0
    top = _point(placed.lp)[1] + placed.label_size[1] / 2
    return max(0.0, min(m[1] for m in d.marks) - top)


def _estimate(d: _Drawing, gaps: list[float], crossings: list[int],
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
        height += d.placed.label_size[1] + _caption_space(d.placed, d)
    return slide_scale(width, height)


def cuts_of(placed: Positions, rows: int) -> list[float] | None:
    """Where to cut ``placed`` into ``rows`` bands so that it shows largest on a slide (a
    wire crossing few cuts breaks a tie), or None if it has too few gaps."""
    d = _Drawing(placed)
    gaps = d.gaps()
    if rows < 2 or len(gaps) < rows - 1:
        return None
    crossings = [len(d.crossing(g)) for g in gaps]
    bounds = [-math.inf, *gaps, math.inf]
    bins = [_extent(d.marks, a, b) for a, b in itertools.pairwise(bounds)]
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
        if slide_scale(*size_of(wrapped)) > scale * 1.05:
            best, scale = wrapped, slide_scale(*size_of(wrapped))
    return best
