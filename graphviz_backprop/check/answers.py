"""The forward pass of a derivation and the correct answers: the engine's circuit, its
evaluation and backward pass (with a student's claims as overrides), the node each claim is
about, and a claim's correct value or formula.
"""

from __future__ import annotations

import difflib
from dataclasses import replace
from functools import cached_property
from typing import Any

import networkx as nx
import sympy

from ..arrays import is_array
from ..backprop import Evaluation, backward, evaluate
from ..errors import EvaluationError
from ..graph import Circuit, build, name_bindings
from ..parser import parse
from ..passes import gradient_reading
from ..symbolic import check_symbolic, measure_tree, not_finite, symbolic_values
from ..syntax import Expr, Program, Statement, is_constant, names_in
from .budget import TooComplexError
from .names import ClaimError, Key, names_text, unknown_name


def backprop_from(circuit: Circuit, ev: Evaluation, start: str,
              overrides: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The engine's backward pass from node ``start``, over the evaluation's local gradients
    (``overrides``: a student's claimed gradients, see :func:`..backprop.backward`)."""
    zero, one = (sympy.S.Zero, sympy.S.One) if ev.symbolic else (0.0, 1.0)
    return backward(circuit, ev.local.__getitem__, zero, one, start=start, overrides=overrides)


class Forward:
    """The forward pass of a derivation: its circuit, its names, and the correct answers.

    Names rebound in the forward pass (``c = c + 1``) mean their last binding; inside a
    local gradient dA/dB, B means the binding that A's (last) definition reads.
    """

    def __init__(self, statements: tuple[Statement, ...], source: str,
                 at: dict[str, float] | None = None):
        self.statements = statements
        self.source = source
        self.circuit = build(Program(statements, source))
        self.evaluation = evaluate(self.circuit, at)
        self.symbolic = self.evaluation.symbolic
        last = statements[-1].target if statements else None
        self.output = last or self.circuit.output_name
        names: dict[str, None] = {}
        for st in statements:
            for n in names_in(st.value):
                names.setdefault(n)
            if st.target:
                names.setdefault(st.target)
        names.setdefault(self.output)
        self.names = list(names)
        self._nodes: dict[tuple[str, int | None], str] = {}
        self._sym: Evaluation | None = None
        self._sym_failed = False
        self.shape = _Shape()
        self._limits: tuple[int, int] | None = None

    # -- where names live -----------------------------------------------------------------------

    def last_binding(self, name: str) -> int | None:
        """Index of the statement that binds ``name`` last (None for a pure input)."""
        return self._last.get(name)

    @cached_property
    def _name_set(self) -> frozenset[str]:
        return frozenset(self.names)

    @cached_property
    def _last(self) -> dict[str, int]:
        return {st.target: i for i, st in enumerate(self.statements) if st.target}

    @cached_property
    def _bindings(self) -> dict[str, list[tuple[int, str]]]:
        """Each name's nodes in the forward pass, in order, with the index of the statement
        that makes it so (a name first read as an input is bound by the statement that reads
        it).  The builder itself resolves the names, statement by statement, exactly as it
        builds the circuit, so node ids are the circuit's; done once, it keeps a derivation
        of thousands of lines linear."""
        return name_bindings(Program(self.statements, self.source))

    def node_of(self, name: str, before: int | None = None) -> str:
        """The node a name means at the end of the forward pass, or just before a statement
        (what the builder resolves it to at that point)."""
        key = (name, before)
        if key in self._nodes:
            return self._nodes[key]
        end = len(self.statements) if before is None else before
        nodes = [node for i, node in self._bindings.get(name, ()) if i < end]
        if nodes:
            node = nodes[-1]
        elif name in self.circuit.inputs:
            node = self.circuit.inputs[name]
        elif name == self.output and before is None:
            node = self.circuit.output
        else:
            raise KeyError(name)
        self._nodes[key] = node
        return node

    @property
    def sym(self) -> Evaluation:
        """The symbolic evaluation (every value and gradient a formula of the inputs).

        Raises :class:`TooComplexError` once it has failed: each claim would try again.
        """
        if self._sym is None:
            if self._sym_failed:
                raise TooComplexError("the circuit's formulas take too long or are too large to"
                                  " work out")
            try:
                self._sym = (self.evaluation if self.symbolic
                             else evaluate(replace(self.circuit, given={})))
            except BaseException:  # the clock's too, which is no Exception
                self._sym_failed = True
                raise
        return self._sym

    @property
    def formula_limits(self) -> tuple[int, int]:
        """How deep a formula of the symbolic backward pass may be, and how deep max/min may
        nest in it (:data:`_MAX_FORMULA_DEPTH`, :data:`_MAX_MINMAX_NESTING`), or a little
        more than the symbolic forward pass's own formulas."""
        if self._limits is None:
            ev = self.evaluation
            shapes = [self.shape(f) for f in (*ev.values.values(), *ev.grads.values(),
                                              *(d for ds in ev.local.values() for d in ds))
                      ] if self.symbolic else []
            self._limits = (max([_MAX_FORMULA_DEPTH, *(d + 10 for d, _ in shapes)]),
                            max([_MAX_MINMAX_NESTING, *(n + 2 for _, n in shapes)]))
        return self._limits

    def value(self, name: str, before: int | None = None, symbolic: bool = False) -> Any:
        node = self.node_of(name, before)
        return (self.sym if symbolic else self.evaluation).values[node]

    @property
    def point(self) -> dict[str, float] | None:
        """The inputs' values (None in symbolic mode)."""
        if self.symbolic:
            return None
        return {n: self.evaluation.values[node] for n, node in self.circuit.inputs.items()}

    # -- claims -----------------------------------------------------------------------------------

    def key(self, reading: tuple[str, ...]) -> Key:
        """A claim key from a reading (``("value", q)``, ``("grad", x)``, ``("local", q, x)``).

        Raises :class:`ClaimError` for a local gradient between names that are not connected.
        """
        kind, *names = reading
        for n in names:
            if n not in self.names:
                raise ClaimError(unknown_name(n, self.names, " in the claim"))
        if kind != "local":
            return Key(kind, names[0])
        a, b = names
        if a == self.output:
            return Key("grad", b)
        node_a = self.node_of(a)
        idx = self.last_binding(a)
        if a == b:  # 1, unless A's definition reads an earlier binding of itself (c = c * c)
            return Key("local", a, b)
        if idx is None or is_constant(self.statements[idx].value):
            raise ClaimError(f"{a} is an input: it depends on no other value, so d{a}/d{b} does"
                           f" not exist")
        if b in names_in(self.statements[idx].value):
            return Key("local", a, b)
        try:
            node_b = self.node_of(b, idx)
        except KeyError:
            node_b = None
        if node_b is None or not nx.has_path(self.circuit.graph, node_b, node_a):
            raise ClaimError(f"{a} does not depend on {b}, so d{a}/d{b} is not a wire of the"
                           f" circuit")
        return Key("local", a, b)

    def expected(self, key: Key, symbolic: bool) -> Any:
        """The correct value (float) or formula (sympy, in the inputs) of a claim."""
        ev = self.sym if symbolic else self.evaluation
        if key.kind == "value":
            return self.value(key.a, symbolic=symbolic)
        if key.kind == "grad":
            return ev.grads[self.node_of(key.a)]
        idx = self.last_binding(key.a)
        definition = None if idx is None else self.statements[idx].value
        if (definition is None or key.b not in names_in(definition)) and key.a == key.b:
            return sympy.S.One if symbolic else 1.0
        assert idx is not None and definition is not None  # checked by key()
        assert key.b is not None  # a local gradient names both ends
        if key.b in names_in(definition):
            return self._partial(definition, key.b, idx, symbolic)
        grads, _ = backprop_from(self.circuit, ev, self.node_of(key.a))
        return grads[self.node_of(key.b, idx)]

    def nodes(self, key: Key) -> tuple[str, ...]:
        """The circuit nodes a claim is about (ids as in ``gbp eval --json``): the node of a
        value or gradient; for d a / d b, the node of b (as a's definition reads it) and of a."""
        if key.kind != "local":
            return (self.node_of(key.a),)
        assert key.b is not None  # a local gradient names both ends
        idx = self.last_binding(key.a)
        return (self.node_of(key.b, idx if key.a != key.b else None), self.node_of(key.a))

    def _partial(self, definition: Expr, b: str, idx: int, symbolic: bool) -> Any:
        """d definition / d b, the other names of the definition held fixed (a local gradient)."""
        mini = build(Program((Statement(None, definition, 1, 1),), self.source))
        if symbolic:
            d = evaluate(mini).grads[mini.inputs[b]]
            return d.xreplace({sympy.Symbol(n, real=True): self.value(n, idx, symbolic=True)
                               for n in mini.inputs})
        at = {n: self.value(n, idx) for n in mini.inputs}
        return evaluate(mini, at).grads[mini.inputs[b]]

    def formula(self, text: str) -> tuple[Any, Circuit]:
        """A claimed formula, read: its value at the point (None in symbolic mode, unless it
        has no names) and its circuit.

        Raises :class:`ClaimError` (or the parser's error) when it cannot be read.
        """
        program = parse(text)
        if len(program.statements) != 1 or program.statements[0].target is not None:
            raise ClaimError("a formula is one expression, not an assignment or several lines")
        try:
            mini = build(program)
        except RecursionError:  # max(...) of many arguments, nested in one another
            raise ClaimError("the formula is nested too deeply to work with") from None
        for n in mini.inputs:
            if n not in self.names:
                raise ClaimError(unknown_name(n, self.names, " in the formula"))
            if not self.symbolic and is_array(self.value(n)):
                raise ClaimError(f"a formula of vectors or matrices ({n} is one) is not checked;"
                                 " claim the value as numbers, such as [0.44, 0.52]")
        if not mini.inputs:
            return float(mini.graph.nodes[mini.output]["value"]), mini
        if self.symbolic:
            return None, mini
        try:
            value = evaluate(mini, {n: self.value(n) for n in mini.inputs}).output
        except EvaluationError as err:
            raise ClaimError(f"the formula cannot be evaluated at the point: {err}") from None
        return value, mini

    def formula_expr(self, mini: Circuit) -> sympy.Expr:
        """A claimed formula (its circuit) as sympy, in the inputs: symbolic work, refused
        with a :class:`LimitError` when the formulas would be too large to work out.

        Raises :class:`ClaimError` when it is not a finite number for any input.
        """
        check_symbolic(mini)
        formula = symbolic_values(mini)[mini.output].xreplace(
            {sympy.Symbol(n, real=True): self.value(n, symbolic=True) for n in mini.inputs})
        why = not_finite(formula)
        if why:
            raise ClaimError(f"the formula is not a finite number for any input ({why})")
        return formula

    # -- what is not claimed ----------------------------------------------------------------------

    def gradient_name(self, name: str, long: bool = False) -> str:
        """How code writes d output / d name: ``dx`` (``long``: ``dfdx`` first), else
        ``dfdx`` (when ``dx`` is a name of the forward pass), else ``df/dx``."""
        names = set(self.names)
        candidates = [f"d{name}", f"d{self.output}d{name}"]
        for candidate in reversed(candidates) if long else candidates:
            reading = gradient_reading(candidate, names)
            try:
                if reading is not None and self.key(reading) == Key("grad", name):
                    return candidate
            except ClaimError:
                continue
        return f"d{self.output}/d{name}"

    def unclaimed_inputs(self, keys: Any) -> list[str]:
        """The inputs the output depends on whose gradient none of ``keys`` is about.

        An input rebound later (``x = 2`` then ``x = x * 3``) is left out: ``dx`` means the
        gradient of the last ``x``.
        """
        claimed = {self.node_of(k.a) for k in keys if k.kind == "grad"}
        graph, output = self.circuit.graph, self.circuit.output
        return [name for name, node in self.circuit.inputs.items()
                if node not in claimed and self.node_of(name) == node
                and nx.has_path(graph, node, output)]

    def no_node(self, name: str, taken: set[str] | None = None,
                suggest: bool = True) -> tuple[str, str | None]:
        """Why ``dzz`` is no gradient, and the nearest gradient name (preferring those not in
        ``taken``): ``("no node 'zz'; did you mean dz?", "dz")``; only why, if not
        ``suggest``."""
        rest = name[1:]
        absent = rest
        names = self._name_set
        candidates = [f"d{n}" for n in self.names if f"d{n}" not in names]
        a = next((rest[:i] for i in range(1, len(rest) - 1)
                  if rest[i] == "d" and rest[:i] in names), None)
        if a is not None:  # dAdB with an unknown B
            absent = rest[len(a) + 1:]
            candidates += [f"d{a}d{n}" for n in self.names if n != a]
        if not suggest:
            return f"no node '{absent}'", None
        free = [c for c in candidates if c not in (taken or set())]
        close = (difflib.get_close_matches(name, free, n=1)
                 or difflib.get_close_matches(name, candidates, n=1))
        if close:
            return f"no node '{absent}'; did you mean {close[0]}?", close[0]
        return f"no node '{absent}' (names: {names_text(self.names)})", None

    def contributions(self, name: str) -> list[float]:
        """Gradient flowing into ``name``'s node along each of its outgoing wires (numeric)."""
        node = self.node_of(name)
        ev = self.evaluation
        return [ev.grads[v] * ev.local[v][d["port"]]
                for _, v, d in self.circuit.graph.out_edges(node, data=True)]


#: How deep formulas of the symbolic backward pass may get, unless the forward pass's own go
#: deeper: parts nested in parts (sympy prints and compares formulas recursively), and max/min
#: nested in max/min (sympy compares every two arguments of a max: 100 take minutes).  The
#: second is the forward pass's limit in symbolic mode (evaluate.check_symbolic).
_MAX_FORMULA_DEPTH = 150


_MAX_MINMAX_NESTING = 12


class _Shape:
    """How deep sympy formulas are: parts nested in parts, and max/min nested in max/min
    (``Max(a, b, c)`` counts 2, as the ``max(max(a, b), c)`` it comes from).  Each part is
    measured once, without recursion."""

    def __init__(self) -> None:
        self._memo: dict[Any, tuple[int, int]] = {}

    def __call__(self, expr: Any) -> tuple[int, int]:
        """``(depth, max/min nesting)`` of a formula."""
        return measure_tree(expr, self._part, self._memo)

    @staticmethod
    def _part(node: Any, inner: list[tuple[int, int]]) -> tuple[int, int]:
        depth = 1 + max((d for d, _ in inner), default=0)
        nesting = max((n for _, n in inner), default=0)
        if isinstance(node, (sympy.Max, sympy.Min)):
            nesting += len(node.args) - 1
        return depth, nesting
