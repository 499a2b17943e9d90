"""Where every node of a circuit's drawing stands: its rank (left to right) and its row
(top to bottom), worked out once per circuit so that every frame has the same layout.

The drawing of a circuit is a layered graph, its wires running left to right.  Each node n
of the circuit has a wire: n -> v_n (its label: value above, gradient below), then either
v_n -> the gate it feeds, or, when n feeds several gates, v_n -> j_n (the branch point) ->
one branch label b_n_<gate>_<port> per gate -> that gate.  The output's wire ends at "out".

Ranks: a gate as early as its operands allow; a label right after its node, a branch point
right after that, a branch label right before its gate; an input as late as its first gate
allows, so that it stands beside the gates it serves.  Rows: few crossings, by the usual
sweeps of a layered drawing (each rank sorted by the mean place of its neighbours, then
neighbours swapped while that helps), from a start in which every gate's operands are
stacked in source order, and from a few random starts; a gate's first operand above its
second, required for -, / and ** and preferred elsewhere.  Where wires still cross, an input
that fans out may start further right, inside the branches of another wire (x2 between the
branches of x1, so that the two fans do not cross): whatever crosses least wins.  ``dot``
is then told the ranks and the rows (see ``draw.py``): it only places the nodes and routes
the wires.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .graph import Circuit

__all__ = ["Arrangement", "arrange", "wires_of", "trunk_of", "junction_of", "branch_of", "OUT",
           "ORDERED"]

def trunk_of(n: str) -> str:
    """The label node of ``n``'s wire."""
    return f"v_{n}"


def junction_of(n: str) -> str:
    """The branch point of ``n``'s wire (``n`` feeds several gates)."""
    return f"j_{n}"


def branch_of(n: str, gate: str, port: int) -> str:
    """The label node of the branch of ``n``'s wire into operand ``port`` of ``gate``."""
    return f"b_{n}_{gate}_{port}"


#: The node that ends the output's wire (its name).
OUT = "out"

#: Gates whose operands may not be swapped: the first is always drawn above the second.
ORDERED = frozenset({"sub", "div", "pow"})

#: Most nodes (bends of long wires included) of a drawing whose rows are optimised; a larger
#: drawing keeps the rows of its start.
MAX_ORDERED_NODES = 4000
#: Most gates of a circuit in which inputs are moved and random starts tried against
#: crossings (each try arranges the rows again).
MAX_SEARCH_GATES = 40
#: The weight of a -, / or ** drawn upside down, against 1 for a crossing.
REQUIRED = 1000.0

#: The cost of a drawing (see :meth:`_Layers.cost`); nothing wrong at all:
Cost = tuple[int, int, float]
NONE: Cost = (0, 0, 0.0)

#: Random starts tried besides the depth-first one while wires cross.
RESTARTS = 8
#: Sweeps without a better drawing after which a start is given up.
STALE = 1
#: How many of the next branch points to its right an input may move into.
NESTS = 2


def wires_of(c: Circuit) -> list[tuple[str, str]]:
    """Every visible edge of a circuit's drawing, (tail, head), in drawing order."""
    edges = []
    for n in c.order:
        consumers = c.consumers[n]
        trunk = trunk_of(n)
        edges.append((n, trunk))
        if n == c.output:
            edges.append((trunk, OUT))
        if len(consumers) == 1:
            edges.append((trunk, consumers[0][0]))
        elif consumers:
            edges.append((trunk, junction_of(n)))
            for gate, port in consumers:
                edges.append((junction_of(n), branch_of(n, gate, port)))
                edges.append((branch_of(n, gate, port), gate))
    return edges


def _ranks(c: Circuit, pinned: Mapping[str, int]) -> dict[str, int]:
    """The rank of every node; ``pinned`` inputs stand at the rank it gives them, the others
    as late as they can."""
    def length(n: str) -> int:  # ranks from n to a gate it feeds: via a label, or a branch too
        return 4 if len(c.consumers[n]) > 1 else 2

    rank: dict[str, int] = {}
    for n in c.order:  # operands come before the gates that use them
        operands = c.operands[n]
        rank[n] = max((rank[a] + length(a) for a in operands), default=pinned.get(n, 0))
    for n in reversed(c.order):
        if not c.operands[n] and c.consumers[n] and n not in pinned:
            rank[n] = min(rank[g] for g, _ in c.consumers[n]) - length(n)
    ranks = dict(rank)
    for n in c.order:
        ranks[trunk_of(n)] = rank[n] + 1
        if len(c.consumers[n]) > 1:
            ranks[junction_of(n)] = rank[n] + 2
            for gate, port in c.consumers[n]:
                ranks[branch_of(n, gate, port)] = rank[gate] - 1
    ranks[OUT] = rank[c.output] + 2
    return ranks


class _Layers:
    """A layered graph on integers: each node's name ("" for a bend of a long wire), rank
    and wire (the circuit node whose wire it is part of), its neighbours one rank before and
    one after (or, without bends, wherever they are), the rows, and each two-operand gate's
    (first, second, weight): what drawing the second operand above the first costs."""

    def __init__(self, c: Circuit, ranks: dict[str, int], wires: list[tuple[str, str]],
                 bends: bool = True):
        ids = {n: i for i, n in enumerate(ranks)}
        self.names = list(ranks)
        self.rank = list(ranks.values())
        self.wire = [_wire(n) for n in ranks]
        self.up: list[list[int]] = [[] for _ in ranks]
        self.down: list[list[int]] = [[] for _ in ranks]
        last: dict[tuple[str, str], int] = {}  # the node one rank before a wire's head
        for tail, head in wires:
            prev = ids[tail]
            for r in range(ranks[tail] + 1, ranks[head]) if bends else ():
                bend = len(self.names)
                self.names.append("")
                self.rank.append(r)
                self.wire.append(self.wire[prev])
                self.up.append([prev])
                self.down.append([])
                self.down[prev].append(bend)
                prev = bend
            self.down[prev].append(ids[head])
            self.up[ids[head]].append(prev)
            last[(tail, head)] = prev
        self.pairs: list[tuple[int, int, float]] = []
        two = [g for g in c.gates if len(c.operands[g]) == 2]
        soft = 1 / (len(two) + 1)  # all preferences together weigh less than one crossing
        for g in two:
            first, second = (last[(_label_before(c, a, g, port), g)]
                             for port, a in enumerate(c.operands[g]))
            self.up[ids[g]] = [first, second]  # so the start stacks operands in source order
            required = c.graph.nodes[g]["gate"] in ORDERED
            self.pairs.append((first, second, REQUIRED if required else soft))
        self.order_cost: dict[tuple[int, int], float] = {}  # (upper, lower) -> cost
        for a, b, w in self.pairs:
            self.order_cost[(b, a)] = self.order_cost.get((b, a), 0.0) + w
        self.out = ids[OUT]
        self.rows = self.start()
        self.pos = [0] * len(self.names)
        self.place()
        self.first = self.pos[:]  # places in the start: ties go the way of source order

    def start(self, rng: random.Random | None = None) -> list[list[int]]:
        """Rows in the order a depth-first walk from the output back meets the nodes, first
        operands first (with ``rng``, in a random order at each gate)."""
        rows: list[list[int]] = [[] for _ in range(max(self.rank) + 1)]
        seen = [False] * len(self.names)
        for root in [self.out, *range(len(self.names))]:  # then inputs nothing uses
            stack = [root]
            while stack:
                n = stack.pop()
                if seen[n]:
                    continue
                seen[n] = True
                rows[self.rank[n]].append(n)
                after = self.up[n][::-1]
                if rng is not None:
                    rng.shuffle(after)
                stack.extend(after)
        return rows

    def place(self) -> None:
        for row in self.rows:
            for i, n in enumerate(row):
                self.pos[n] = i

    def crossings(self) -> int:
        """Crossings between neighbouring ranks: inversions of the wires' lower ends."""
        pos, down = self.pos, self.down
        total = 0
        for row in self.rows:
            below: list[int] = []  # lower ends of the wires from nodes further down
            for n in reversed(row):
                ends = sorted(pos[w] for w in down[n])
                for x in ends:
                    total += bisect.bisect_left(below, x)
                for x in ends:
                    bisect.insort(below, x)
        return total

    def cost(self) -> Cost:
        """Operands of -, / and ** upside down, crossings, and the weight of other operands
        upside down: less is better, in that order."""
        pos = self.pos
        upside_down = [w for a, b, w in self.pairs if pos[a] > pos[b]]
        required = sum(1 for w in upside_down if w == REQUIRED)
        return required, self.crossings(), sum(w for w in upside_down if w != REQUIRED)

    def sweep(self, downwards: bool) -> None:
        """Sort each rank by the mean place of its neighbours in the rank before (of those in
        the rank after where it has none)."""
        rows = self.rows if downwards else self.rows[::-1]
        nbrs, other = (self.up, self.down) if downwards else (self.down, self.up)
        pos = self.pos
        for row in rows[1:]:
            keys: dict[int, tuple[float, int]] = {}
            for i, n in enumerate(row):
                near = nbrs[n] or other[n]
                keys[n] = (sum(pos[m] for m in near) / len(near) if near else i, self.first[n])
            row.sort(key=keys.__getitem__)
            for i, n in enumerate(row):
                pos[n] = i

    def transpose(self) -> None:
        """Swap neighbours in a rank while that removes crossings or puts operands in order."""
        pos, up, down, order = self.pos, self.up, self.down, self.order_cost
        for _ in range(20):
            improved = False
            for row in self.rows:
                for i in range(len(row) - 1):
                    a, b = row[i], row[i + 1]
                    keep = order.get((a, b), 0.0)
                    swap = order.get((b, a), 0.0)
                    for nbrs in (up, down):
                        for x in nbrs[a]:
                            px = pos[x]
                            for y in nbrs[b]:
                                if px > pos[y]:
                                    keep += 1
                                elif px < pos[y]:
                                    swap += 1
                    if swap < keep - 1e-9:
                        row[i], row[i + 1] = b, a
                        pos[a], pos[b] = i + 1, i
                        improved = True
            if not improved:
                return

    def optimise(self) -> tuple[Cost, list[list[int]]]:
        """Sweeps down and up, each followed by swaps, from the current rows: the best cost
        and rows found."""
        self.transpose()
        best, best_rows = self.cost(), [row[:] for row in self.rows]
        stale = 0
        for k in range(24):
            if best == NONE or stale >= STALE:
                break
            self.sweep(downwards=k % 2 == 0)
            self.transpose()
            cost = self.cost()
            if cost < best:
                best, best_rows, stale = cost, [row[:] for row in self.rows], 0
            else:
                stale += 1
        return best, best_rows


def _wire(name: str) -> str:
    """The circuit node whose wire a node of the drawing is part of."""
    if name.startswith(("v_", "j_")):
        return name[2:]
    if name.startswith("b_"):
        return name.split("_")[1]
    return name


def _label_before(c: Circuit, n: str, gate: str, port: int) -> str:
    """The label node from which ``n``'s wire enters operand ``port`` of ``gate``."""
    return branch_of(n, gate, port) if len(c.consumers[n]) > 1 else trunk_of(n)


@dataclass(frozen=True)
class Arrangement:
    """Where every node of a drawing goes: its rank, and each rank's nodes top to bottom
    (bends of long wires left out).  What the layered graph counts: ``misordered`` gates
    whose operands must not be swapped, drawn upside down, ``crossings``, and ``disorder``,
    the weight of other gates' operands upside down (None, 0, 0: not counted, a large
    drawing).  ``pinned`` holds the inputs that stand at a given rank (one moved right into
    another's branches, and that other)."""

    ranks: dict[str, int]
    rows: tuple[tuple[str, ...], ...]
    misordered: int
    crossings: int | None
    disorder: float
    pinned: dict[str, int]

    @property
    def score(self) -> tuple[int, int, float, int]:
        """Less is better: -, / or ** upside down, crossings, other operands upside down,
        then the drawing's length."""
        return self.misordered, self.crossings or 0, self.disorder, max(self.ranks.values())


def _arranged(c: Circuit, pinned: dict[str, int], wires: list[tuple[str, str]],
              restarts: int) -> Arrangement:
    """The ranks with ``pinned`` inputs, and the best rows of ``restarts`` + 1 starts."""
    ranks = _ranks(c, pinned)
    bends = sum(ranks[head] - ranks[tail] - 1 for tail, head in wires)
    if len(ranks) + bends > MAX_ORDERED_NODES:
        plain = _Layers(c, ranks, wires, bends=False)
        return Arrangement(ranks, tuple(tuple(plain.names[n] for n in row) for row in plain.rows),
                           0, None, 0.0, pinned)
    layers = _Layers(c, ranks, wires)
    best, rows = layers.optimise()
    rng = random.Random(231)  # the same rows on every run
    for _ in range(restarts):
        if best == NONE:  # nothing to improve
            break
        layers.rows = layers.start(rng)
        layers.place()
        cost, tried = layers.optimise()
        if cost < best:
            best, rows = cost, tried
    # upside down: the same crossings, every operand pair the other way round
    layers.rows = [row[::-1] for row in rows]
    layers.place()
    flipped = layers.cost()
    if flipped < best:
        best, rows = flipped, layers.rows
    named = tuple(tuple(layers.names[n] for n in row if layers.names[n]) for row in rows)
    return Arrangement(ranks, named, *best, pinned)


def arrange(c: Circuit) -> Arrangement:
    """Ranks and rows of a circuit's drawing (see the module docstring).

    (x + y) z: x (n0) above y (n1) at the left, z (n3) beside the + (n2), both feeding *:

    >>> from graphviz_backprop.tracing import trace
    >>> a = arrange(trace("(x+y)*z").circuit)
    >>> a.rows[:3], a.crossings
    ((('n0', 'n1'), ('v_n0', 'v_n1'), ('n2', 'n3')), 0)
    """
    wires = wires_of(c)
    if len(c.gates) > MAX_SEARCH_GATES:
        return _arranged(c, {}, wires, 0)
    return _nested(c, wires)


def _nested(c: Circuit, wires: list[tuple[str, str]]) -> Arrangement:
    """The best arrangement found by moving inputs that fan out into the branches of other
    wires, one at a time, while that removes crossings: the input right after the other
    wire's branch point (the other wire, an input's, pinned where it stood)."""
    best = _arranged(c, {}, wires, RESTARTS)
    fanning = [n for n in c.order if len(c.consumers[n]) > 1]
    for _ in range(3):
        if best.score[:2] == (0, 0):
            break
        tries = []
        for inner in fanning:
            if c.operands[inner]:
                continue
            outers = sorted((best.ranks[junction_of(n)], n) for n in fanning if n != inner
                            and best.ranks[junction_of(n)] >= best.ranks[inner])
            for rank, outer in outers[:NESTS]:
                pins = {**best.pinned, inner: rank + 1}
                if not c.operands[outer]:
                    pins[outer] = best.ranks[outer]
                tries.append(pins)
        winner = min((_arranged(c, pins, wires, RESTARTS) for pins in tries),
                     key=lambda a: a.score, default=None)
        if winner is None or winner.score >= best.score:
            break
        best = winner
    return best
