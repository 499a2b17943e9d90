"""Counting what makes a circuit picture hard to follow, from a ``dot -Tjson`` layout.

Shared by ``benchmarks/crossings.py`` (which publishes the counts) and
``tests/test_layout.py`` (which holds the small circuits to zero crossings); it needs only
the standard library, so both import it as it is.

A *wire* is every visible edge of the drawing, the pieces through a label node or a branch
point included.  Two wires *cross* when they share no node and their splines intersect;
each such pair is counted once, however often the two meet.  A wire *loops back* when its
spline runs right to left (against the drawing's direction) by more than
:data:`BACK_TOLERANCE` points, and *dips* when it runs further up or down than its two ends
by more than :data:`DIP_TOLERANCE` points (down and back up to its gate, say).  Splines are
Graphviz's ``pos`` strings, ``[e,x,y ][s,x,y ]x,y x,y ...`` (a cubic B-spline of 3n + 1
control points, plus the tips of arrowheads), sampled finely into straight segments.

>>> w = wires({"objects": [{"_gvid": 0, "name": "a"}, {"_gvid": 1, "name": "b"},
...                        {"_gvid": 2, "name": "c"}, {"_gvid": 3, "name": "d"}],
...            "edges": [{"tail": 0, "head": 1, "pos": "0,0 3,3 6,6 9,9"},
...                      {"tail": 2, "head": 3, "pos": "0,9 3,6 6,3 9,0"}]})
>>> crossings(w), loops(w), dips(w)
(1, 0, 0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Wire", "BACK_TOLERANCE", "wires", "ends", "crossings", "crossing_pairs", "loops",
           "looping", "back_travel", "dips", "dipping", "overshoot", "spline_points"]

#: Points a wire may run right to left before it counts as looping back (a spline entering
#: a port from a steep angle bulges back by a point or two).
BACK_TOLERANCE = 4.0
#: Points a wire may run beyond its ends, up or down, before it counts as dipping.
DIP_TOLERANCE = 4.0

#: Straight pieces each cubic piece of a spline is sampled into.
STEPS = 24

Point = tuple[float, float]


@dataclass(frozen=True)
class Wire:
    """One visible edge: its two nodes and its spline sampled into a polyline."""

    tail: str
    head: str
    points: tuple[Point, ...]

    @property
    def box(self) -> tuple[float, float, float, float]:
        xs = [p[0] for p in self.points]
        ys = [p[1] for p in self.points]
        return min(xs), min(ys), max(xs), max(ys)


def _point(text: str) -> Point:
    x, y = text.split(",")[:2]
    return float(x), float(y)


def spline_points(pos: str, steps: int = STEPS) -> list[Point]:
    """A ``pos`` spline as a polyline: its start tip, the sampled B-spline, its end tip.

    >>> spline_points("e,10,0 0,0 1,0 2,0 3,0", steps=3)
    [(0.0, 0.0), (1.0, 0.0), (2.0, 0.0), (3.0, 0.0), (10.0, 0.0)]
    """
    start = end = None
    controls: list[Point] = []
    for part in pos.split(";")[0].split():  # several splines (rare): the first one
        if part.startswith("e,"):
            end = _point(part[2:])
        elif part.startswith("s,"):
            start = _point(part[2:])
        else:
            controls.append(_point(part))
    points: list[Point] = [start] if start else []
    if controls:
        points.append(controls[0])
    for i in range(0, len(controls) - 3, 3):
        p0, p1, p2, p3 = controls[i:i + 4]
        for k in range(1, steps + 1):
            t = k / steps
            u = 1 - t
            a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
            points.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                           a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    if end:
        points.append(end)
    return points


def wires(layout: dict[str, Any]) -> list[Wire]:
    """The visible edges of a ``dot -Tjson`` layout (invisible helpers left out)."""
    names = {o["_gvid"]: o["name"] for o in layout.get("objects", [])}
    found = []
    for e in layout.get("edges", []):
        if "pos" not in e or "invis" in e.get("style", ""):
            continue
        found.append(Wire(names[e["tail"]], names[e["head"]], tuple(spline_points(e["pos"]))))
    return found


def ends(ws: Sequence[Wire]) -> dict[tuple[str, str], Point]:
    """Where each wire (tail, head) ends: at its head, the tip of its arrow if it has one."""
    return {(w.tail, w.head): w.points[-1] for w in ws}


def _cross(p: Point, q: Point, r: Point, s: Point) -> bool:
    """Whether segments pq and rs intersect (touching counts)."""
    def orient(a: Point, b: Point, c: Point) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    d1, d2 = orient(r, s, p), orient(r, s, q)
    d3, d4 = orient(p, q, r), orient(p, q, s)
    if ((d1 > 0 > d2) or (d1 < 0 < d2)) and ((d3 > 0 > d4) or (d3 < 0 < d4)):
        return True

    def on(a: Point, b: Point, c: Point) -> bool:
        return (min(a[0], b[0]) <= c[0] <= max(a[0], b[0])
                and min(a[1], b[1]) <= c[1] <= max(a[1], b[1]))

    return ((d1 == 0 and on(r, s, p)) or (d2 == 0 and on(r, s, q))
            or (d3 == 0 and on(p, q, r)) or (d4 == 0 and on(p, q, s)))


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _meet(a: Wire, b: Wire) -> bool:
    if not _overlap(a.box, b.box):
        return False
    segs_b = [(b.points[i], b.points[i + 1]) for i in range(len(b.points) - 1)]
    boxes_b = [(min(p[0], q[0]), min(p[1], q[1]), max(p[0], q[0]), max(p[1], q[1]))
               for p, q in segs_b]
    for i in range(len(a.points) - 1):
        p, q = a.points[i], a.points[i + 1]
        box = (min(p[0], q[0]), min(p[1], q[1]), max(p[0], q[0]), max(p[1], q[1]))
        if not _overlap(box, b.box):
            continue
        for (r, s), box_b in zip(segs_b, boxes_b):
            if _overlap(box, box_b) and _cross(p, q, r, s):
                return True
    return False


def crossing_pairs(ws: Sequence[Wire]) -> list[tuple[Wire, Wire]]:
    """Every pair of wires that share no node and whose splines meet, each pair once."""
    pairs = []
    for i, a in enumerate(ws):
        for b in ws[i + 1:]:
            if {a.tail, a.head} & {b.tail, b.head}:
                continue
            if _meet(a, b):
                pairs.append((a, b))
    return pairs


def crossings(ws: Sequence[Wire]) -> int:
    """How many pairs of wires cross (see :func:`crossing_pairs`)."""
    return len(crossing_pairs(ws))


def back_travel(w: Wire) -> float:
    """How far (points) the wire runs right to left at most, from its rightmost point so far."""
    far, worst = float("-inf"), 0.0
    for x, _ in w.points:
        far = max(far, x)
        worst = max(worst, far - x)
    return worst


def looping(ws: Sequence[Wire], tolerance: float = BACK_TOLERANCE) -> list[Wire]:
    """The wires that loop back: right to left by more than ``tolerance`` points."""
    return [w for w in ws if back_travel(w) > tolerance]


def loops(ws: Sequence[Wire], tolerance: float = BACK_TOLERANCE) -> int:
    """How many wires loop back (see :func:`looping`)."""
    return len(looping(ws, tolerance))


def overshoot(w: Wire) -> float:
    """How far (points) the wire runs above or below the span between its two ends."""
    ys = [p[1] for p in w.points]
    return (max(ys) - min(ys)) - abs(ys[-1] - ys[0])


def dipping(ws: Sequence[Wire], tolerance: float = DIP_TOLERANCE) -> list[Wire]:
    """The wires that run up or down beyond their ends by more than ``tolerance`` points."""
    return [w for w in ws if overshoot(w) > tolerance]


def dips(ws: Sequence[Wire], tolerance: float = DIP_TOLERANCE) -> int:
    """How many wires dip (see :func:`dipping`)."""
    return len(dipping(ws, tolerance))
