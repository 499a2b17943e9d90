"""The step sequence: what each frame reveals, and its caption.

1. the bare circuit; 2. the input values; 3. forward, one frame per gate; 4. the output's
gradient 1; 5. backward, one frame per gate in reverse order, with the chain rule spelled
out; 6. everything.  A :class:`Step` only says what is revealed; drawing is ``draw.py``'s.

>>> from graphviz_backprop.tracing import trace
>>> t = trace("x = -2; y = 5; z = -4; q = x + y; f = q * z")
>>> [s.kind for s in steps(t.evaluation)]
['circuit', 'inputs', 'forward', 'forward', 'seed', 'backward', 'backward', 'final']
>>> steps(t.evaluation)[6].caption
'Backward through +: ∂f/∂x = ∂f/∂q · ∂q/∂x = -4.00 · 1 = -4.00; ∂f/∂y = ...'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from itertools import islice
from typing import Any, Literal

from .arrays import Local, is_array, shape_of, size_text
from .arraytext import ENTRYWISE, rounded, rule_text, short_literals, summed_over
from .backprop import Evaluation
from .formulas import local_math
from .notation import DIGITS, MAX_SHOWN_ENTRIES, value_text

__all__ = ["Step", "Revealed", "steps", "exercise", "PHASES",
           "EXERCISES"]

Phase = Literal["forward", "backward", "both"]
PHASES = ("forward", "backward", "both")
#: Most entries of an entrywise product whose factors a caption writes out.
_PRODUCT_ENTRIES = 8
#: Exercise sheets: the gradient slots empty (values shown), or every slot but the inputs'.
EXERCISES = ("gradients", "both")


def _paren(text: str) -> str:
    """Wrap a negative number or a compound formula in parentheses inside a product."""
    if text.startswith("["):  # a vector or matrix
        return text
    if text.startswith("-") or any(op in text for op in " +-*/"):
        return f"({text})"
    return text


def _with_data(text: str, data: Any) -> str:
    """An array gate's formula with its data in place of ``i`` or ``k``: ``w[1]``,
    ``cross_entropy(s, 2)``."""
    if data is None:
        return text
    shown = ", ".join(map(str, data)) if isinstance(data, tuple) else str(data)
    return text.replace("[i]", f"[{shown}]").replace(", k)", f", [{shown}])" if isinstance(
        data, tuple) else f", {shown})")


class Revealed(Set):
    """The first ``count`` nodes of an order shared by every step: what a step reveals.

    Steps reveal one more node at a time, so what a step shows is always a prefix of one
    order.  Keeping the prefix's length instead of a copy of the nodes keeps the frame plan
    linear in the size of the circuit.

    >>> shown = Revealed(["n0", "n1", "n2"], 2)
    >>> "n1" in shown, "n2" in shown, sorted(shown), len(shown)
    (True, False, ['n0', 'n1'], 2)
    """

    __slots__ = ("_order", "_rank", "_count")

    def __init__(self, order: Sequence[str], count: int, rank: Mapping[str, int] | None = None):
        self._order = order
        self._rank = rank if rank is not None else {n: i for i, n in enumerate(order)}
        self._count = count

    def prefix(self, count: int) -> Revealed:
        """The first ``count`` nodes of the same order (sharing it)."""
        return Revealed(self._order, count, self._rank)

    def __contains__(self, node: object) -> bool:
        rank = self._rank.get(node)  # type: ignore[call-overload]
        return rank is not None and rank < self._count

    def __iter__(self) -> Iterator[str]:
        return islice(self._order, self._count)

    def __len__(self) -> int:
        return self._count

    @classmethod
    def _from_iterable(cls, it: Iterable[str]) -> frozenset[str]:  # type: ignore[override]
        return frozenset(it)  # the result of -, &, |: an ordinary set

    def __hash__(self) -> int:
        return self._hash()

    def __repr__(self) -> str:
        return f"Revealed({list(self)!r})"


@dataclass(frozen=True)
class Step:
    """One frame's content: which values and gradients are revealed, and the caption.

    * ``computed``: nodes whose forward value is shown;
    * ``backed``: gates whose backward step is done (gradients on their input wires shown);
    * ``seeded``: the output's gradient (1) is shown;
    * ``current``: the highlighted gate; ``show_local``: its local gradients are shown.
    """

    index: int
    kind: str
    caption: str
    computed: Set[str]
    backed: Set[str]
    seeded: bool
    current: str | None = None
    show_local: bool = False


class _Captions:
    """Caption text for one evaluation, with numbers at ``decimals`` (else 3 significant
    figures).  Every wire goes by its name in the pictures (``Circuit.wire_names``)."""

    def __init__(self, ev: Evaluation, decimals: int | None):
        self.ev = ev
        self.c = ev.circuit
        self.decimals = decimals
        self.names = self.c.wire_names
        self.f = self.names[self.c.output]
        #: wires out of a node whose gate's backward step is still to come (fan-out only)
        self._pending: dict[str, int] = {}

    def num(self, value: Any) -> str:
        return value_text(value, self.decimals, DIGITS)

    def result(self, value: Any) -> str:
        """`` = value``, or for a vector or matrix too large to write out, its size."""
        if is_array(value) and value.size > MAX_SHOWN_ENTRIES:
            return f" ({size_text(value)})"
        return f" = {self.num(value)}"

    def rounded(self, value: Any) -> Any:
        """A value as the caption writes it (every entry rounded)."""
        return rounded(value, self.decimals, DIGITS)

    def equals(self, shown: Any, value: Any) -> str:
        """``=`` when the rounded numbers of a caption give its rounded result, else ``≈``."""
        return "=" if self.num(shown) == self.num(value) else "≈"

    def local(self, value: Any) -> str:
        """A local gradient: exact small integers as such (``1``, ``-1``), else like values."""
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e6:
            return str(int(value))
        return self.num(value)

    def circuit(self) -> str:
        """The lines of the source that make the circuit (no imports, prints or comments)."""
        lines = self.c.source.splitlines()
        used = sorted({self.c.graph.nodes[n]["line"] for n in self.c.order})
        shown = [_statement(lines, i) for i in used if 0 < i <= len(lines)]
        text = "; ".join(dict.fromkeys(line for line in shown if line))
        if not self.ev.symbolic and any(is_array(v) for v in self.ev.values.values()):
            text = short_literals(text, MAX_SHOWN_ENTRIES)
        return "The circuit: " + text

    def inputs(self) -> str:
        if self.ev.symbolic:
            return f"Inputs: {', '.join(self.c.inputs)} (symbolic: the wires carry formulas)"
        values = [self.ev.values[n] for n in self.c.inputs.values()]
        shown = self._join([f"{self.names[n]}{self.result(v)}"
                            for n, v in zip(self.c.inputs.values(), values)], values)
        return f"Inputs: {shown}" if shown else "No inputs: the circuit is constant"

    def forward(self, node: str) -> str:
        gate = self.c.gate_of(node)
        c = self.c.graph.nodes[node]["c"]
        args = self.c.operands[node]
        result = self.num(self.ev.values[node])
        head = f"Forward through {self.c.label(node)}: {self.names[node]} = "
        if gate.array:  # its setting is data (an index, a class), not a constant operand
            formula = _with_data(gate.apply_text([self.names[a] for a in args]), c)
        else:
            formula = gate.apply_text([self.names[a] for a in args], c)
        if self.ev.symbolic:
            return f"{head}{formula} = {result}"
        if gate.array or any(is_array(self.ev.values[a]) for a in args):
            return f"{head}{formula}{self.result(self.ev.values[node])}"
        shown = [self.num(self.ev.values[a]) for a in args]
        try:  # the rounded inputs shown must give the result shown
            again = gate.checked_forward(tuple(float(v) for v in shown), c)
        except (ArithmeticError, ValueError):
            again = self.ev.values[node]
        sign = self.equals(again, self.ev.values[node])
        return f"{head}{formula} = {gate.apply_text(shown, c)} {sign} {result}"

    def seed(self) -> str:
        one = "1" if self.ev.symbolic else self.num(1.0)
        return f"Backward starts at the output: ∂{self.f}/∂{self.f} = {one}"

    def backward(self, node: str) -> str:
        """The chain rule on each input wire of a gate, with numbers, and the local
        gradient's formula.

        Called once per gate, in backward order (a node's branches are summed in the
        caption of its last one)."""
        own, f = self.names[node], self.f
        upstream = self.ev.grads[node]
        parts = []
        for port, arg in enumerate(self.c.operands[node]):
            local = self.ev.local[node][port]
            name = self.names[arg]
            if isinstance(local, Local):
                parts.append(self._array_part(node, port, local))
                continue
            if self.ev.symbolic:
                numbers = self.num(upstream * local)
            else:
                up, loc = self.num(upstream), self.local(local)
                sign = self.equals(float(up) * float(loc), upstream * local)
                numbers = f"{up} · {_paren(loc)} {sign} {self.num(upstream * local)}"
            adds = "+=" if self.c.fans_out(arg) else "="
            rule = "" if node == self.c.output else f" ∂{f}/∂{own} · ∂{own}/∂{name} ="
            parts.append(f"∂{f}/∂{name} {adds}{rule} {numbers}")
        if not self.ev.symbolic and not any(isinstance(v, Local) for v in self.ev.local[node]):
            parts.append(self._formulas(node))
        operands = self.c.operands[node]
        for arg in dict.fromkeys(operands):
            parts.append(self._branch_sum(arg, operands.count(arg)))
        return f"Backward through {self.c.label(node)}: " + "; ".join(p for p in parts if p)

    def _formulas(self, node: str) -> str:
        """``local gradient ∂a₂/∂a₁ = exp(a₁)``, where the formula says more than a number
        or the other input's name does."""
        args = self.c.operands[node]
        formulas = local_math(self.c, node)
        names = {self.names[a] for a in args}
        if all(not any(ch.isalpha() for ch in t) or t in names for t in formulas):
            return ""
        own = self.names[node]
        shown = ", ".join(f"∂{own}/∂{self.names[a]} = {t}" for a, t in zip(args, formulas))
        return f"local gradient{'s' if len(args) > 1 else ''} {shown}"

    def _branch_sum(self, arg: str, wires_here: int) -> str:
        """For a node that feeds several gates: the sum, once its last branch is known."""
        consumers = self.c.consumers[arg]
        if len(consumers) < 2:
            return ""
        pending = self._pending.get(arg, len(consumers)) - wires_here
        self._pending[arg] = pending
        name = self.names[arg]
        if pending:
            return f"{name} branches: more gradient to add"
        total = self.ev.grads[arg]
        if is_array(total) and total.size > MAX_SHOWN_ENTRIES:
            return (f"branches add: ∂{self.f}/∂{name} is the sum of its {len(consumers)}"
                    f" branches ({size_text(total)})")
        terms = [self.ev.grads[g] * self.ev.local[g][p] for g, p in consumers]
        shown = " + ".join(_paren(self.num(t)) for t in terms)
        sign = "=" if self.ev.symbolic else self.equals(
            sum(self.rounded(t) for t in terms), total)
        return f"branches add: ∂{self.f}/∂{name} = {shown} {sign} {self.num(total)}"

    @staticmethod
    def _join(parts: list[str], values: list[Any]) -> str:
        """Items of a list, apart by ``; `` when one is a vector or matrix (its own commas)."""
        return ("; " if any(is_array(v) for v in values) else ", ").join(parts)

    def _array_part(self, node: str, port: int, local: Local) -> str:
        """The chain rule on one input wire of a gate on arrays: the gate's rule with the
        circuit's names (``∂f/∂W = ∂f/∂q · xᵀ``), the numbers of an entrywise product, and
        the gradient; a sum over what broadcasting stretched is said."""
        args, f = self.c.operands[node], self.f
        arg, upstream = args[port], self.ev.grads[node]
        g = "1" if node == self.c.output else f"∂{f}/∂{self.names[node]}"
        formula = local_math(self.c, node)[port] if local.rule == ENTRYWISE else ""
        rule = rule_text(local, g, [self.names[a] for a in args], formula)
        gradient = upstream * local
        if local.summed:
            out = shape_of(self.ev.values[node])
            rule = f"{rule} summed over {summed_over(shape_of(self.ev.values[arg]), out)}"
        elif local.rule == ENTRYWISE and formula not in ("1", "-1", "−1") and \
                is_array(gradient) and gradient.size <= _PRODUCT_ENTRIES:
            diagonal = local.vjp(1.0 + 0 * gradient)  # the local derivative of each entry
            product = self.rounded(upstream) * self.rounded(diagonal)
            sign = self.equals(product, gradient)
            up = self.num(upstream) if g != "1" else ""
            shown = f"{up} ⊙ {self.num(diagonal)}" if up else self.num(diagonal)
            rule = f"{rule} = {shown}"
            adds = "+=" if self.c.fans_out(arg) else "="
            return f"∂{f}/∂{self.names[arg]} {adds} {rule} {sign} {self.num(gradient)}"
        adds = "+=" if self.c.fans_out(arg) else "="
        return f"∂{f}/∂{self.names[arg]} {adds} {rule}{self.result(gradient)}"

    def final(self) -> str:
        values = [self.ev.grads[n] for n in self.c.inputs.values()]
        grads = self._join([f"∂{self.f}/∂{self.names[n]}{self.result(v)}"
                            for n, v in zip(self.c.inputs.values(), values)], values)
        return f"Done: {self.f} = {self.num(self.ev.output)}" + (f"; {grads}" if grads else "")


def steps(ev: Evaluation, phase: str = "both", decimals: int | None = None) -> list[Step]:
    """The frames of an evaluation, in order (``phase`` limits them to one pass)."""
    if phase not in PHASES:
        raise ValueError(f"phase must be one of {', '.join(PHASES)}, not {phase!r}")
    c = ev.circuit
    cap = _Captions(ev, decimals)
    leaves = [n for n in c.order if c.graph.nodes[n]["kind"] != "gate"]
    # what the steps reveal is a prefix of one of two orders (see Revealed)
    computed = Revealed(leaves + c.gates, 0)
    backed = Revealed(c.gates[::-1], 0)
    everything, none_backed = computed.prefix(len(c.order)), backed
    out: list[tuple[str, str, Set[str], Set[str], bool, str | None, bool]] = []

    if phase in ("forward", "both"):
        out.append(("circuit", cap.circuit(), computed, none_backed, False, None, False))
        out.append(("inputs", cap.inputs(), computed.prefix(len(leaves)), none_backed, False,
                    None, False))
        for i, gate in enumerate(c.gates, start=len(leaves) + 1):
            out.append(("forward", cap.forward(gate), computed.prefix(i), none_backed, False,
                        gate, False))
    if phase in ("backward", "both"):
        out.append(("seed", cap.seed(), everything, none_backed, True, None, False))
        for i, gate in enumerate(reversed(c.gates), start=1):
            out.append(("backward", cap.backward(gate), everything, backed.prefix(i), True,
                        gate, True))
    out.append(("final", cap.final(), everything, backed.prefix(len(c.gates)), True, None,
                False))
    return [Step(i, *row) for i, row in enumerate(out)]


def _statement(lines: list[str], number: int) -> str:
    """The statement that starts on line ``number`` (from 1), on one line: a list or a call
    written over several lines is joined (its comments left out).

    >>> _statement(["W = [[1, 2],  # row 0", "     [3, 4]]", "f = 1"], 1)
    'W = [[1, 2], [3, 4]]'
    """
    parts, depth = [], 0
    for line in lines[number - 1:]:
        code = line.split("#")[0].strip()
        parts.append(code)
        depth += sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")
        if depth <= 0:
            break
    return " ".join(part for part in parts if part)


def exercise(ev: Evaluation, mode: str = "gradients") -> Step:
    """A worksheet: the circuit with every gradient slot empty, for students to fill in.

    ``mode="gradients"`` shows every value; ``mode="both"`` shows only the inputs' values
    (the data of the exercise) and leaves the other values empty too.  Nothing is
    highlighted and the caption names no number.  The answer key is the last step of
    :func:`steps`.

    >>> from graphviz_backprop.tracing import trace
    >>> sheet = exercise(trace("cs231n-simple").evaluation)
    >>> sheet.kind, sheet.seeded, sorted(sheet.backed), sheet.caption
    ('exercise', False, [], 'Exercise: write the gradient ∂f/∂… under every wire')
    """
    if mode not in EXERCISES:
        raise ValueError(f"exercise must be one of {', '.join(EXERCISES)}, not {mode!r}")
    c = ev.circuit
    f = c.wire_names[c.output]
    if mode == "gradients":
        shown = frozenset(c.order)
        caption = f"Exercise: write the gradient ∂{f}/∂… under every wire"
    else:
        shown = frozenset(n for n in c.order if c.graph.nodes[n]["kind"] != "gate")
        caption = (f"Exercise: write the value above every wire, forward, then the gradient"
                   f" ∂{f}/∂… under it, backward")
    return Step(0, "exercise", caption, shown, frozenset(), False)
