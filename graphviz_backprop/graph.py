"""Syntax tree -> a networkx graph of gates, mirroring the source as written.

Node ids are ``n0, n1, ...`` in evaluation order (operands before the operation, left to
right), so output is reproducible.  Each wire is an edge whose ``port`` is the position of
the operand; a gate that uses one node twice (``x*x``) has two edges from it.

>>> c = build(parse("1/(1+exp(-(w0*x0+w1*x1+w2)))"))
>>> [c.label(n) for n in c.gates]
['*', '*', '+', '+', '*-1', 'exp', '+1', '1/x']
>>> list(c.inputs)
['w0', 'x0', 'w1', 'x1', 'w2']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from .arrays import as_array, is_array
from .errors import EvaluationError, LimitError, ParseError, ValuesError
from .gates import FUNCTIONS, GATES, Gate
from .lazy import lazy_import
from .mathtext import subscript
from .notation import constant
from .parser import parse
from .syntax import Array, BinOp, Call, Expr, Name, Neg, Num, Program, is_constant, names_in

if TYPE_CHECKING:
    import networkx as nx
else:
    nx = lazy_import("networkx")

__all__ = ["Circuit", "build", "name_bindings", "MAX_NODES"]

#: Most nodes a circuit may have (evaluation works up to here; drawing has a lower limit).
MAX_NODES = 50_000

_BINARY = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow", "@": "matmul"}
#: (operator, constant on the left?) -> (one-input gate, how the constant is stored)
_WITH_CONSTANT = {
    ("+", False): ("add_c", 1), ("+", True): ("add_c", 1),
    ("-", False): ("add_c", -1), ("-", True): ("rsub_c", 1),
    ("*", False): ("mul_c", 1), ("*", True): ("mul_c", 1),
    ("/", False): ("div_c", 1), ("/", True): ("rdiv_c", 1),
    ("**", False): ("pow_c", 1), ("**", True): ("rpow_c", 1),
    ("max", False): ("max_c", 1), ("max", True): ("cmax", 1),
    ("min", False): ("min_c", 1), ("min", True): ("cmin", 1),
}

Operand = float | str  # a folded constant, or a node id
#: Letters for the automatic names of unnamed wires, in order of preference.
_AUTOMATIC = ("a", "h", "u", "v", "k", "m", "p", "r", "s", "t")


@dataclass
class Circuit:
    """A gate graph with its output, its inputs (name -> node id) and the values it binds.

    ``graph`` is a ``networkx.MultiDiGraph``; node attributes are ``kind`` (``input``,
    ``const`` or ``gate``), ``name``, ``gate`` (a key of ``GATES``), ``c`` (the gate's
    constant), ``value`` (of a constant node) and ``line``/``col`` in the source.
    """

    graph: nx.MultiDiGraph
    output: str
    inputs: dict[str, str]
    given: dict[str, Any]
    source: str
    expanded: bool = False

    @cached_property
    def order(self) -> list[str]:
        """Node ids in evaluation order."""
        return list(self.graph.nodes)

    @cached_property
    def gates(self) -> list[str]:
        """Gate node ids in evaluation order."""
        return [n for n in self.order if self.graph.nodes[n]["kind"] == "gate"]

    @cached_property
    def operands(self) -> dict[str, tuple[str, ...]]:
        """Each node's input node ids, by port."""
        result: dict[str, tuple[str, ...]] = {}
        for n in self.order:
            wires = sorted((d["port"], u) for u, _, d in self.graph.in_edges(n, data=True))
            result[n] = tuple(u for _, u in wires)
        return result

    def gate_of(self, node: str) -> Gate:
        """The gate table entry of a gate node."""
        key = self.graph.nodes[node].get("gate")
        if not key:
            raise KeyError(f"{node} is not a gate")
        return GATES[key]

    def gate(self, node: str) -> Gate | None:
        """The gate table entry of a node (None for inputs and constants)."""
        key = self.graph.nodes[node].get("gate")
        return GATES[key] if key else None

    def label(self, node: str) -> str:
        """What is drawn for a node: the gate label, or the input's name or constant."""
        attrs = self.graph.nodes[node]
        if attrs["kind"] == "gate":
            return GATES[attrs["gate"]].label_text(attrs["c"], self.free_letter)
        if attrs["kind"] == "const":
            return constant(attrs["value"])
        return attrs["name"]

    def name(self, node: str) -> str | None:
        """The name the source gives a node, or None."""
        return self.graph.nodes[node]["name"]

    def where(self, node: str) -> str:
        """A node as an error names it: ``node n3 'q' (line 2, column 5)``."""
        attrs = self.graph.nodes[node]
        name = f" '{attrs['name']}'" if attrs["name"] else ""
        return f"node {node}{name} (line {attrs['line']}, column {attrs['col']})"

    @cached_property
    def consumers(self) -> dict[str, tuple[tuple[str, int], ...]]:
        """The wires out of each node, as (gate, port): a node with more than one has a
        branch point, and its gradient is the sum of its branches'."""
        found: dict[str, list[tuple[str, int]]] = {n: [] for n in self.order}
        for node in self.order:
            for port, arg in enumerate(self.operands[node]):
                found[arg].append((node, port))
        return {n: tuple(wires) for n, wires in found.items()}

    def fans_out(self, node: str) -> bool:
        """Whether a node feeds more than one wire."""
        return len(self.consumers[node]) > 1

    @cached_property
    def names(self) -> frozenset[str]:
        """Every name the source gives a node (computed once: captions ask it per gate)."""
        return frozenset(filter(None, (self.graph.nodes[n]["name"] for n in self.order)))

    @cached_property
    def free_letter(self) -> str:
        """The letter gate labels use for "the input" (``1/x``, ``x²``): ``x``, unless a
        wire of the circuit is called x.

        >>> build(parse("exp(x0 + a)")).free_letter, build(parse("exp(x + u)")).free_letter
        ('x', 'v')
        """
        return next((letter for letter in ("x", "u", "v", "t", "s") if letter not in self.names),
                    "input")

    @cached_property
    def wire_names(self) -> dict[str, str]:
        """What every node is called in pictures, captions and tables.

        A named node keeps its name; a name bound more than once (``c += 1``) gets an index
        per binding (``c₁``, ``c₂``), except the output's last one; the unnamed output is
        :attr:`output_name`; other unnamed gates get short automatic names (``a₁``, ``a₂``,
        ...) with a letter no name of the circuit starts with; a constant is its number.

        >>> c = build(parse("c = a + b; c = c * 2; d = exp(c) + 1; d = d / c"))
        >>> [c.wire_names[n] for n in c.order]
        ['a', 'b', 'c₁', 'c₂', 'h₁', 'd₁', 'd']
        """
        counts: dict[str, int] = {}
        for n in self.order:
            name = self.graph.nodes[n]["name"]
            if name:
                counts[name] = counts.get(name, 0) + 1
        starts = {name[0] for name in counts}
        letter = next((x for x in _AUTOMATIC if x not in starts), "n")
        seen: dict[str, int] = {}
        unnamed = 0
        result = {}
        for n in self.order:
            attrs = self.graph.nodes[n]
            name = attrs["name"]
            if attrs["kind"] == "const":
                result[n] = constant(attrs["value"])
            elif name and counts[name] > 1 and n != self.output:
                seen[name] = seen.get(name, 0) + 1
                result[n] = name + subscript(seen[name])
            elif name:
                result[n] = name
            elif n == self.output:
                result[n] = self.output_name
            else:
                unnamed += 1
                result[n] = letter + subscript(unnamed)
        return result

    @cached_property
    def output_name(self) -> str:
        """The output's name, or ``f`` (``out`` where ``f`` is taken) for an unnamed one."""
        own = self.name(self.output)
        if own:
            return own
        return next(c for c in ("f", "out", "L", "y_out") if c not in self.names)


class _Builder:
    """Builds one circuit; ``expr`` returns a float for a folded constant, else a node id."""

    def __init__(self, source: str, expand: bool):
        self.graph = nx.MultiDiGraph()
        self.expand = expand
        self.env: dict[str, str] = {}
        self.inputs: dict[str, str] = {}
        self.given: dict[str, Any] = {}
        self.source = source
        #: inputs read as data (a class index), not as wires: dropped from the circuit
        self.data: set[str] = set()

    # -- nodes ---------------------------------------------------------------------------------

    def _add(self, line: int, col: int, **attrs: Any) -> str:
        if len(self.graph) >= MAX_NODES:
            raise LimitError(f"circuit has more than {MAX_NODES:,} nodes; that is the limit")
        node = f"n{len(self.graph)}"
        attrs.setdefault("name", None)
        attrs.setdefault("gate", None)
        attrs.setdefault("c", None)
        self.graph.add_node(node, line=line, col=col, **attrs)
        return node

    def input(self, name: str, line: int, col: int) -> str:
        node = self._add(line, col, kind="input", name=name)
        self.inputs[name] = node
        self.env[name] = node
        return node

    def gate(self, key: str, args: tuple[str, ...], line: int, col: int,
             c: float | None = None) -> str:
        gate = GATES[key]
        if gate.expand and self.expand:
            return self._expand(gate, args[0])
        node = self._add(line, col, kind="gate", gate=key, c=c)
        for port, arg in enumerate(args):
            self.graph.add_edge(arg, node, port=port)
        return node

    def _expand(self, gate: Gate, arg: str) -> str:
        """Lower a composite gate into primitive gates, from its recipe in the table."""
        saved = self.env
        self.env = {"x": arg}
        try:
            result: Operand = arg
            for st in _recipe(gate.expand).statements:
                result = self.expr(st.value)
                if st.target:
                    assert isinstance(result, str)  # every line of a recipe uses x
                    self.env[st.target] = result
        finally:
            self.env = saved
        assert isinstance(result, str)  # recipes always depend on x, so this is a node
        return result

    # -- expressions ---------------------------------------------------------------------------

    def expr(self, e: Expr) -> Operand:
        return _HANDLERS[type(e)](self, e)

    def _num(self, e: Num) -> Operand:
        return e.value

    def _name(self, e: Name) -> Operand:
        node = self.env.get(e.id)
        return node if node is not None else self.input(e.id, e.line, e.col)

    def _neg(self, e: Neg) -> Operand:
        x = self.expr(e.operand)
        if isinstance(x, float):
            return _fold(GATES["mul_c"], (x,), -1.0, e)
        return self.gate("mul_c", (x,), e.line, e.col, c=-1.0)

    def _binop(self, e: BinOp) -> Operand:
        return self._combine(e.op, _BINARY[e.op], self.expr(e.left), self.expr(e.right), e)

    def _call(self, e: Call) -> Operand:
        key = FUNCTIONS.get(e.func, e.func)
        c: Any = e.c
        if key == "cross_entropy" and len(e.args) == 2:
            c = self._class_index(e.args[1])
            e = Call(e.func, e.args[:1], e.line, e.col, c)
        args = tuple(self.expr(a) for a in e.args)
        if GATES[key].array:
            if any(isinstance(a, float) for a in args):
                raise ParseError(f"{e.func}() takes vectors and matrices, not a number",
                                 e.line, e.col)
            return self.gate(key, tuple(str(a) for a in args), e.line, e.col, c=c)
        if len(args) == 1:
            (arg,) = args
            if isinstance(arg, float):
                return _fold(GATES[key], (arg,), None, e)
            return self.gate(key, (arg,), e.line, e.col)
        return self._combine(e.func, key, args[0], args[1], e)

    def _class_index(self, e: Expr) -> int | tuple[int, ...]:
        """The class index of ``cross_entropy(s, k)`` when k is a name bound to a whole number
        (or a list of them): data, so it is no wire of the circuit."""
        assert isinstance(e, Name)
        value = self.given.get(e.id)
        numbers: list[Any] = value.tolist() if is_array(value) else [value]  # type: ignore[union-attr]
        if (value is None or self.env.get(e.id) != self.inputs.get(e.id) or (is_array(value)
                and value.ndim != 1) or not all(isinstance(v, float) and v.is_integer()
                                               for v in numbers)):
            raise ParseError(f"the class index {e.id} of cross_entropy(s, {e.id}) must be bound"
                             f" to a whole number (or a list of them), as in {e.id} = 2",
                             e.line, e.col)
        self.data.add(e.id)
        whole = tuple(int(v) for v in numbers)
        return whole if is_array(value) else whole[0]

    def _combine(self, op: str, key: str, a: Operand, b: Operand, e: Expr) -> Operand:
        """A binary operation: fold two constants, or make a one- or two-input gate."""
        if key == "matmul" and (isinstance(a, float) or isinstance(b, float)):
            raise ParseError("@ multiplies vectors and matrices; multiply by a number with *",
                             e.line, e.col)
        if isinstance(a, float) and isinstance(b, float):
            if key == "pow":  # a constant power of a constant: any real base will do
                return _fold(GATES["pow_c"], (a,), b, e)
            return _fold(GATES[key], (a, b), None, e)
        if isinstance(a, float):
            assert isinstance(b, str)
            one_key, sign = _WITH_CONSTANT[(op, True)]
            return self.gate(one_key, (b,), e.line, e.col, c=sign * a)
        if isinstance(b, float):
            one_key, sign = _WITH_CONSTANT[(op, False)]
            return self.gate(one_key, (a,), e.line, e.col, c=sign * b)
        return self.gate(key, (a, b), e.line, e.col)

    # -- statements ----------------------------------------------------------------------------

    def program(self, program: Program) -> Operand:
        result: Operand = 0.0
        for st in program.statements:
            if isinstance(st.value, Array):
                if st.target is None:
                    raise ParseError("a list is a value: bind it to a name, as in"
                                     " x = [0.2, 0.4]", st.line, st.col)
                try:
                    array = as_array(st.target, st.value.values)
                except ValuesError as err:
                    raise ParseError(str(err), st.line, st.col) from None
                result = self.bind_input(st.target, array, st.line, st.col)
                continue
            if st.target is not None and is_constant(st.value):
                value = self.expr(st.value)
                assert isinstance(value, float)  # an expression without a name folds
                result = self.bind_input(st.target, value, st.line, st.col)
                continue
            result = self.expr(st.value)
            if st.target is None:
                continue
            if isinstance(result, float):  # unreachable: constants were handled above
                raise ParseError("internal: constant assignment", st.line, st.col)
            attrs = self.graph.nodes[result]
            if attrs["kind"] == "gate" and attrs["name"] is None:
                attrs["name"] = st.target
            self.env[st.target] = result
        return result

    def bind_input(self, name: str, value: Any, line: int, col: int) -> str:
        if name in self.inputs:
            raise ParseError(
                f"'{name}' is already an input; bind a name to a number only once", line, col)
        node = self.input(name, line, col)
        self.given[name] = value
        return node


_HANDLERS: dict[type, Callable[[_Builder, Any], Operand]] = {
    Num: _Builder._num, Name: _Builder._name, Neg: _Builder._neg,
    BinOp: _Builder._binop, Call: _Builder._call,
}


def _fold(gate: Gate, xs: tuple[float, ...], c: float | None, e: Expr) -> float:
    """Evaluate an operation on constants in float64, refusing overflow and non-real results."""
    try:
        return gate.checked_forward(xs, c)
    except EvaluationError as err:
        raise ParseError(f"constant expression: {err}", e.line, e.col) from None


@cache
def _recipe(text: str) -> Program:
    return parse(text)


def name_bindings(program: Program) -> dict[str, list[tuple[int, str]]]:
    """Each name's nodes as the program goes, in order, with the index of the statement that
    makes it so (a name first read as an input is bound by the statement that reads it):
    the builder resolves the names statement by statement exactly as :func:`build` does, so
    node ids are the circuit's (``gbp check`` finds what a claim's name means this way).

    >>> name_bindings(parse("c = a + b; c = c * 2"))
    {'a': [(0, 'n0')], 'b': [(0, 'n1')], 'c': [(0, 'n2'), (1, 'n3')]}
    """
    builder = _Builder(program.source, expand=False)
    bindings: dict[str, list[tuple[int, str]]] = {}
    for i, st in enumerate(program.statements):
        builder.program(Program((st,), program.source))
        for name in dict.fromkeys([*names_in(st.value), *([st.target] if st.target else [])]):
            node = builder.env[name]
            if name not in bindings or bindings[name][-1][1] != node:
                bindings.setdefault(name, []).append((i, node))
    return bindings


def build(program: Program, *, expand: bool = False) -> Circuit:
    """Build the gate graph of a parsed program.

    With ``expand=True`` composite gates (``gates.COMPOSITES``: those with a recipe) are
    lowered into primitive gates, so ``sigmoid(a)`` becomes ``*-1, exp, +1, 1/x``.
    """
    builder = _Builder(program.source, expand)
    result = builder.program(program)
    for name in builder.data:  # a class index read as data: no wire
        node = builder.inputs[name]
        if not builder.graph.out_degree(node) and node != result:
            builder.graph.remove_node(node)
            del builder.inputs[name]
            del builder.given[name]
    if isinstance(result, float):
        last = program.statements[-1]
        result = builder._add(last.line, last.col, kind="const", value=result)
    return Circuit(builder.graph, result, builder.inputs, builder.given, program.source, expand)
