"""A laid-out circuit cut into bands of columns, stacked top to bottom: Positions -> Positions.

A left-to-right drawing is cut at gaps between its columns into bands, and the bands are
stacked, the first on top.  A wire that crosses a cut keeps its route inside each band; between
bands it runs right from the end of its band, down, left along the gap under it, down again
and right into the next band at the height where it crossed the cut, every straight piece a
cubic Bézier.  Each crossing wire has its own lane, in the order the wires cross the cut, so
that lanes never cross one another.  Nodes and wires inside a band keep their places
relative to each other, so every frame laid out at the same positions still shares one
layout.  How many bands, and where to cut: ``slide.py``.

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
from collections.abc import Sequence
from dataclasses import dataclass

from .layout import Positions

__all__ = ["LANE", "CLEAR", "Picture", "wrap", "extent", "caption_space"]

#: Points between two wires side by side in a lane, and between a band and its first lane.
LANE, CLEAR = 9.0, 12.0

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


class Picture:
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
        """Where a cut may go: in every stretch of x that no node or arrowhead stands in,
        where the wires crossing it are furthest apart (so that two wires never meet where
        they turn into their lanes), if every wire crosses it at most once, left to right."""
        spans = [(b[0], b[2]) for b in self.boxes.values()]
        spans += [(min(r.segments[-1][3][0], r.end[0]), max(r.segments[-1][3][0], r.end[0]))
                  for r in self.routes.values() if r.end and r.segments]
        spans.sort()
        found, reach = [], spans[0][1]
        for x0, x1 in spans[1:]:
            if x0 > reach + 1:
                cut = max((reach + (x0 - reach) * k / 8 for k in (4, 3, 5, 2, 6, 1, 7)),
                          key=self._spread)
                if all(_forward(r.segments, cut) for r in self.routes.values() if r.segments):
                    found.append(cut)
            reach = max(reach, x1)
        return found

    def _spread(self, x: float) -> float:
        """How far apart the wires crossing ``x`` are there: the least distance (points)
        between two of them, up to two lanes' width (apart enough: nearer the middle wins)."""
        ys = sorted(_y_at(self.routes[e].segments, x) for e in self.crossing(x))
        return min([2 * LANE, *(b - a for a, b in itertools.pairwise(ys))])

    def crossing(self, cut: float) -> list[tuple[str, str]]:
        """The wires that cross ``cut``."""
        return [e for e, r in self.routes.items() if r.segments
                and min(s[0][0] for s in r.segments) < cut < max(s[3][0] for s in r.segments)]


def _y_at(segments: list[Segment], x: float) -> float:
    """Where a route that crosses ``x`` crosses it (its first crossing)."""
    for seg in segments:
        if min(seg[0][0], seg[3][0]) <= x <= max(seg[0][0], seg[3][0]):
            return _split(seg, _at_x(seg, x))[0][3][1]
    return segments[-1][3][1]


def extent(marks: list[tuple[float, float, float, float]], x0: float, x1: float
            ) -> tuple[float, float]:
    """Lowest and highest y of what stands between ``x0`` and ``x1`` (by its centre)."""
    ys = [(m[1], m[3]) for m in marks if x0 <= (m[0] + m[2]) / 2 < x1]
    return (min(y for y, _ in ys), max(y for _, y in ys)) if ys else (0.0, 0.0)


def wrap(placed: Positions, cuts: Sequence[float]) -> Positions:
    """``placed`` cut at ``cuts`` (x, points, in gaps between columns) into bands, stacked."""
    if not cuts:
        return placed
    d = Picture(placed)
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
        low, high = extent(d.marks, x0, x1)
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


def _placed(placed: Positions, d: Picture, nodes: dict[str, Point],
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
        space = caption_space(placed, d)
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


def caption_space(placed: Positions, d: Picture) -> float:
    """Points between the circuit and the caption under it, as the layout left them."""
    if not (placed.lp and placed.label_size):
        return 0.0
    top = _point(placed.lp)[1] + placed.label_size[1] / 2
    return max(0.0, min(m[1] for m in d.marks) - top)
