"""Forward and backward passes over a circuit, node by node; pure functions.

Numbers are float64.  With no input values at all the passes are symbolic (sympy), so
``(x+y)*z`` gives ``df/dx = z``.

>>> from graphviz_backprop.parser import parse
>>> from graphviz_backprop.graph import build
>>> ev = evaluate(build(parse("(x+y)*z")), {"x": -2, "y": 5, "z": -4})
>>> ev.gradients
{'x': -4.0, 'y': -4.0, 'z': 3.0}
>>> evaluate(build(parse("(x+y)*z"))).gradients
{'x': z, 'y': z, 'z': x + y}
"""

from __future__ import annotations

import difflib
import math
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from .errors import EvaluationError, LimitError, ValuesError
from .gates import GATES, format_number, sympy_number
from .graph import Circuit
from .lazy import lazy_import
from .limits import symbolic_seconds, time_budget

if TYPE_CHECKING:
    import sympy
else:
    sympy = lazy_import("sympy")  # symbolic mode and formula text only

__all__ = [
    "Evaluation", "evaluate", "resolve_values", "symbolic_values", "local_formulas",
    "format_value", "symbolic_size", "sympy_formula_texts", "check_symbolic",
    "symbolic_budget", "KINK", "MAX_SYMBOLIC_SIZE", "MAX_SYMBOLIC_DEPTH",
]

#: Flag on a node evaluated at a non-differentiable point (the gradient follows PyTorch).
KINK = "kink"

#: Largest formula symbolic mode writes out, counted as the nodes of its expression tree
#: (operations, symbols and numbers).  A name used twice is written out twice, so a short
#: program can describe a formula far too long to print (``x = sin(x)*cos(x)`` ten times);
#: such a circuit needs values.  Before sympy builds anything, a quick estimate
#: (:func:`symbolic_size`) must stay under 100 times this.
MAX_SYMBOLIC_SIZE = 20_000


@dataclass(frozen=True)
class Evaluation:
    """Every node's value and gradient, and each gate's local gradients (by input wire).

    Values are floats, or sympy expressions when ``at`` is None (symbolic mode).
    """

    circuit: Circuit
    at: dict[str, float] | None
    values: dict[str, Any]
    grads: dict[str, Any]
    local: dict[str, tuple[Any, ...]]
    flags: dict[str, tuple[str, ...]]

    @property
    def symbolic(self) -> bool:
        return self.at is None

    @property
    def output(self) -> Any:
        """The output's value."""
        return self.values[self.circuit.output]

    @property
    def gradients(self) -> dict[str, Any]:
        """d output / d input, by input name, in the inputs' order."""
        return {name: self.grads[node] for name, node in self.circuit.inputs.items()}


def _number(name: str, value: Any) -> float:
    if isinstance(value, (bool, str, bytes)):  # float() would take True and "1.5"
        raise ValuesError(f"value of '{name}' is not a number: {value!r}")
    if not isinstance(value, (int, float)):
        try:
            value = float(value)  # sympy numbers, numpy scalars, Fractions
        except (TypeError, ValueError):
            raise ValuesError(f"value of '{name}' is not a number: {value!r}") from None
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ValuesError(f"value of '{name}' is not a finite number: {value!r}")
    return number


def resolve_values(circuit: Circuit, at: Mapping[str, Any] | None = None) -> dict[str, float] | None:
    """The point to evaluate at: the source's own values, overridden by ``at``.

    Returns None (symbolic mode) when no input has a value; otherwise every input
    needs one.  Unknown names are refused with the list of inputs.
    """
    names = list(circuit.inputs)
    point = dict(circuit.given)
    for name, value in (at or {}).items():
        if name not in circuit.inputs:
            close = difflib.get_close_matches(name, names, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            if any(circuit.name(n) == name for n in circuit.order):
                hint = f"'{name}' is computed, not an input; "
            expected = ", ".join(names) if names else "none"
            raise ValuesError(f"unknown input '{name}' ({hint}inputs: {expected})")
        point[name] = _number(name, value)
    if not point and names:  # a circuit without inputs (a constant) is simply a number
        return None
    missing = [n for n in names if n not in point]
    if missing:
        hints = {"e": "; for Euler's number write exp(x) or math.e",
                 "pi": "; for π write math.pi"}
        hint = "".join(hints.get(n, "") for n in missing)
        raise ValuesError(
            f"missing value{'s' if len(missing) > 1 else ''} for {', '.join(missing)}"
            f" (inputs: {', '.join(names)}{hint})")
    return {n: point[n] for n in names}


def _where(circuit: Circuit, node: str) -> str:
    attrs = circuit.graph.nodes[node]
    name = f" '{attrs['name']}'" if attrs["name"] else ""
    return f"node {node}{name} (line {attrs['line']}, column {attrs['col']})"


def _inputs_text(xs: tuple[float, ...]) -> str:
    return ", ".join(format(x, ".6g") for x in xs)


def _forward_gate(circuit: Circuit, node: str, xs: tuple[float, ...]) -> float:
    try:
        return circuit.gate(node).checked_forward(xs, circuit.graph.nodes[node]["c"])
    except EvaluationError as err:
        raise EvaluationError(f"{err}: gate '{circuit.label(node)}' at {_where(circuit, node)}"
                              f" with input {_inputs_text(xs)}") from None


def _local_gate(circuit: Circuit, node: str, xs: tuple[float, ...], out: float) -> tuple[float, ...]:
    gate = circuit.gate(node)
    c = circuit.graph.nodes[node]["c"]
    try:
        local = tuple(float(v) for v in gate.local(xs, c, out))
    except (OverflowError, ValueError, ZeroDivisionError, TypeError):
        local = (math.nan,)
    if not all(math.isfinite(v) for v in local):
        raise EvaluationError(
            f"local gradient is not finite: gate '{circuit.label(node)}' at"
            f" {_where(circuit, node)} with input {_inputs_text(xs)}")
    return local


def _numeric(circuit: Circuit, at: dict[str, float]) -> Evaluation:
    g = circuit.graph.nodes
    operands = circuit.operands
    values: dict[str, float] = {}
    for node in circuit.order:
        kind = g[node]["kind"]
        if kind == "input":
            values[node] = at[g[node]["name"]]
        elif kind == "const":
            values[node] = g[node]["value"]
        else:
            values[node] = _forward_gate(circuit, node, tuple(values[a] for a in operands[node]))

    grads = dict.fromkeys(circuit.order, 0.0)
    grads[circuit.output] = 1.0
    local: dict[str, tuple[float, ...]] = {}
    flags: dict[str, tuple[str, ...]] = {}
    for node in reversed(circuit.order):
        # every wire out of `node` starts at a later node, so its gradient is complete here
        if not math.isfinite(grads[node]):
            raise EvaluationError(
                f"gradient is not a finite number (it overflows float64) at {_where(circuit, node)}")
        if g[node]["kind"] != "gate":
            continue
        xs = tuple(values[a] for a in operands[node])
        local[node] = _local_gate(circuit, node, xs, values[node])
        if circuit.gate(node).kink(xs, g[node]["c"]):
            flags[node] = (KINK,)
        upstream = grads[node]
        for arg, d in zip(operands[node], local[node]):
            grads[arg] += upstream * d
    return Evaluation(circuit, at, values, grads, local, flags)


def symbolic_values(circuit: Circuit) -> "dict[str, sympy.Expr]":
    """Every node's value as a sympy expression of the input symbols (real-valued)."""
    cached = circuit._cache.get("symbolic")
    if cached is not None:
        return cached
    g = circuit.graph.nodes
    values: dict[str, sympy.Expr] = {}
    for node in circuit.order:
        kind = g[node]["kind"]
        if kind == "input":
            values[node] = sympy.Symbol(g[node]["name"], real=True)
        elif kind == "const":
            values[node] = sympy_number(g[node]["value"])
        else:
            c = g[node]["c"]
            xs = [values[a] for a in circuit.operands[node]]
            values[node] = circuit.gate(node).formula(*xs, None if c is None else sympy_number(c))
    circuit._cache["symbolic"] = values
    return values


def _symbolic(circuit: Circuit) -> Evaluation:
    g = circuit.graph.nodes
    values = symbolic_values(circuit)
    grads: dict[str, Any] = dict.fromkeys(circuit.order, sympy.S.Zero)
    grads[circuit.output] = sympy.S.One
    local: dict[str, tuple[Any, ...]] = {}
    for node in reversed(circuit.order):
        if g[node]["kind"] != "gate":
            continue
        c = g[node]["c"]
        xs = [values[a] for a in circuit.operands[node]]
        local[node] = circuit.gate(node).derivative(*xs, None if c is None else sympy_number(c))
        for arg, d in zip(circuit.operands[node], local[node]):
            grads[arg] = grads[arg] + grads[node] * d
    return Evaluation(circuit, None, values, grads, local, {})


def symbolic_size(circuit: Circuit) -> int:
    """A quick estimate of the largest value or gradient formula written out, before sympy.

    A formula is a tree: a node used twice appears twice.  A value's size is one plus its
    operands' sizes; a local gradient is taken as twice its operands' sizes (``σ(1-σ)``);
    a gradient sums, over the wires out of a node, upstream gradient times local gradient.
    It grows like the real size and is usually larger (sympy simplifies ``x*x`` to ``x**2``).

    >>> from graphviz_backprop.parser import parse
    >>> from graphviz_backprop.graph import build
    >>> symbolic_size(build(parse("(x+y)*z")))
    21
    """
    operands = circuit.operands
    size: dict[str, int] = {}
    for node in circuit.order:
        size[node] = 1 + sum(size[a] for a in operands[node])
    grad = dict.fromkeys(circuit.order, 0)
    grad[circuit.output] = 1
    for node in reversed(circuit.order):
        local = 2 * sum(size[a] for a in operands[node]) + 3
        for arg in operands[node]:
            grad[arg] += grad[node] + local + 1
    return max(max(size.values()), max(grad.values()))


def evaluate(circuit: Circuit, at: Mapping[str, Any] | None = None) -> Evaluation:
    """Run the forward and backward passes at the source's values overridden by ``at``.

    Symbolic when no input has a value.  Raises :class:`ValuesError` for missing or unknown
    values, :class:`EvaluationError` where a value or gradient is not a finite real, and
    :class:`LimitError` where a symbolic formula would be too long to write out.
    """
    point = resolve_values(circuit, at)
    if point is None:
        check_symbolic(circuit)
        with symbolic_budget(circuit):
            ev = _symbolic(circuit)
            local = (d for ds in ev.local.values() for d in ds)
            formulas = [*ev.values.values(), *ev.grads.values(), *local]
            if _written_size(formulas) > MAX_SYMBOLIC_SIZE:
                raise _too_long(circuit)
            _check_finite(ev)
        return ev
    return _numeric(circuit, point)


#: Gates whose formulas are pieces (sympy's Piecewise, Max, Min), and how deep each family
#: may nest in symbolic mode: every level multiplies the pieces of a gradient.
_PIECEWISE = {"elu": "piecewise", "leaky_relu": "piecewise", "max": "max", "min": "max",
              "max_c": "max", "cmax": "max", "min_c": "max", "cmin": "max"}
_NESTING = {"piecewise": 3, "max": 12}
#: Longest chain of gates symbolic mode writes out.
MAX_SYMBOLIC_DEPTH = 100


def check_symbolic(circuit: Circuit) -> None:
    """Refuse, before sympy runs, a circuit whose symbolic formulas would be too large or
    too slow to work out: an estimate of their size, the longest chain of gates, and how
    deep piecewise gates nest (elu, leaky_relu; max, min)."""
    if symbolic_size(circuit) > 100 * MAX_SYMBOLIC_SIZE:
        raise _too_long(circuit)
    g = circuit.graph.nodes
    depth: dict[str, int] = {}
    nesting: dict[str, dict[str, int]] = {}
    names = ", ".join(circuit.inputs) or "none"
    for node in circuit.order:
        operands = circuit.operands[node]
        depth[node] = 1 + max((depth[a] for a in operands), default=-1)
        levels = {family: max((nesting[a].get(family, 0) for a in operands), default=0)
                  for family in _NESTING}
        family = _PIECEWISE.get(g[node].get("gate") or "")
        if family:
            levels[family] += 1
            if levels[family] > _NESTING[family]:
                what = "elu/leaky_relu" if family == "piecewise" else "max/min"
                raise LimitError(
                    f"symbolic mode: {what} gates nest more than {_NESTING[family]} deep at"
                    f" {_where(circuit, node)}, and their formulas grow too fast to write"
                    f" out; give values for the inputs ({names}) with --at")
        nesting[node] = levels
        if depth[node] > MAX_SYMBOLIC_DEPTH:
            raise LimitError(
                f"symbolic mode: a chain of more than {MAX_SYMBOLIC_DEPTH} gates (up to"
                f" {_where(circuit, node)}) is too long to write out as formulas; give"
                f" values for the inputs ({names}) with --at")


@contextmanager
def symbolic_budget(circuit: Circuit) -> Iterator[None]:
    """Symbolic work on ``circuit`` under the wall-clock budget (see ``limits.py``)."""
    sympy.Basic  # noqa: B018 - import sympy before the clock starts
    seconds = symbolic_seconds()
    names = ", ".join(circuit.inputs) or "none"
    with time_budget(seconds, f"symbolic formulas of this circuit take too long to work out"
                              f" (more than {seconds:g} s); give values for the inputs"
                              f" ({names}) with --at"):
        yield


def _not_finite(expr: Any) -> str | None:
    """Why a formula is not a finite number for any input, or None."""
    if not isinstance(expr, sympy.Basic):
        return None
    if expr.has(sympy.S.ComplexInfinity, sympy.S.Infinity, sympy.S.NegativeInfinity):
        return "infinite, as 1/0 or log(0)"
    if expr.has(sympy.S.NaN):
        return "undefined, as 0/0"
    return None


def _check_finite(ev: Evaluation) -> None:
    """Symbolic formulas that are not finite for any input (``1/(x - x)``) are errors naming
    the gate, as in numeric mode."""
    c = ev.circuit
    for node in c.order:
        why = _not_finite(ev.values[node])
        if why:
            raise EvaluationError(f"result is not a finite number for any input ({why}):"
                                  f" gate '{c.label(node)}' at {_where(c, node)}")
    for node in reversed(c.order):
        for value in (*ev.local.get(node, ()), ev.grads[node]):
            why = _not_finite(value)
            if why:
                raise EvaluationError(f"gradient is not a finite number for any input ({why}):"
                                      f" gate '{c.label(node)}' at {_where(c, node)}")


def _too_long(circuit: Circuit) -> LimitError:
    names = ", ".join(circuit.inputs) or "none"
    return LimitError(
        f"symbolic formulas of this circuit are too long to write out (the limit is"
        f" {MAX_SYMBOLIC_SIZE:,} terms); give values for the inputs ({names}) with --at")


def _written_size(formulas: list[Any]) -> int:
    """The size of the largest formula written out as a tree (shared parts counted each time)."""
    memo: dict[Any, int] = {}  # sympy expressions are hashable; equal ones have equal sizes
    largest = 0
    for root in formulas:
        stack = [(root, False)]
        while stack:
            expr, ready = stack.pop()
            if expr in memo:
                continue
            args = getattr(expr, "args", ())
            if ready:
                memo[expr] = 1 + sum(memo[a] for a in args)
            else:
                stack.append((expr, True))
                stack.extend((a, False) for a in args if a not in memo)
        largest = max(largest, memo[root])
    return largest


@lru_cache(maxsize=None)
def _printer() -> Any:
    """The printer of formulas as a student reads them: no ``Piecewise``, ``Heaviside`` or
    16-digit floats (made on first use: it needs sympy).

    >>> x, y = sympy.symbols("x y", real=True)
    >>> _printer().doprint(sympy.Heaviside(x, 0))
    '(1 if x > 0, else 0)'
    >>> _printer().doprint(GATES["max"].derivative(x, y, None)[0])
    '(1 if x > y, 1/2 if x = y, else 0)'
    """
    from sympy.printing.str import StrPrinter

    class Printer(StrPrinter):
        def _print_Heaviside(self, expr: Any) -> str:
            arg, at_zero = expr.args[0], (expr.args[1] if len(expr.args) > 1 else sympy.S.Half)
            if at_zero == 0:
                return f"(1 if {self._print(arg)} > 0, else 0)"
            return f"(1 if {self._print(arg)} >= 0, else 0)" if at_zero == 1 else \
                f"(1 if {self._print(arg)} > 0, {self._print(at_zero)} if {self._print(arg)} = 0, else 0)"

        def _print_Piecewise(self, expr: Any) -> str:
            parts = [self._print(value) if cond is sympy.true else
                     f"{self._print(value)} if {self._print(cond)}" for value, cond in expr.args]
            if expr.args and expr.args[-1][1] is sympy.true:
                parts[-1] = f"else {parts[-1]}"
            return "(" + ", ".join(parts) + ")"

        def _print_Equality(self, expr: Any) -> str:
            return f"{self._print(expr.lhs)} = {self._print(expr.rhs)}"

        def _print_Float(self, expr: Any) -> str:
            return format(float(expr), ".4g")

    return Printer()


def sympy_formula_texts(key: str, c: float | None, names: tuple[str, ...]) -> tuple[str, ...]:
    """A gate's local gradients as sympy prints them (the reference for ``Gate.local_text``)."""
    gate = GATES[key]
    symbols = [sympy.Symbol(n, real=True) for n in names]
    constant = None if c is None else (sympy_number(c) if len(repr(c)) <= 8 else sympy.Float(c))
    printer = _printer()
    return tuple(printer.doprint(d) for d in gate.derivative(*symbols, constant))


@lru_cache(maxsize=4096)
def _formula_texts(key: str, c: float | None, names: tuple[str, ...]) -> tuple[str, ...]:
    texts = GATES[key].local_texts(names, c)
    return texts if texts is not None else sympy_formula_texts(key, c, names)


def free_letter(circuit: Circuit) -> str:
    """A letter for "the input" of a one-input gate: ``x``, as in the gate labels ``1/x``
    and ``1-x``, unless a wire of the circuit is called x.

    >>> from graphviz_backprop.graph import build
    >>> from graphviz_backprop.parser import parse
    >>> free_letter(build(parse("exp(x0 + a)"))), free_letter(build(parse("exp(x + u)")))
    ('x', 'v')
    """
    return next((letter for letter in ("x", "u", "v", "t", "s") if letter not in circuit.names),
                "input")


def local_formulas(circuit: Circuit, node: str, placeholder: str | None = None
                   ) -> tuple[str, ...]:
    """A gate's local gradients as formulas, one per input wire.

    The formulas name each input as the source does (``q*z`` gives ``z`` and ``q``); an
    unnamed input is ``x`` for a one-input gate (``1/x`` gives ``-1/x**2``; ``u`` where the
    circuit has a wire called x, or ``placeholder``) and its node id
    for a two-input one (``n2``, as in the table and the JSON).
    """
    gate = circuit.gate(node)
    if gate is None:
        return ()
    operands = circuit.operands[node]
    if gate.arity == 1:
        names: tuple[str, ...] = (circuit.name(operands[0]) or placeholder or free_letter(circuit),)
    else:
        names = tuple(circuit.name(a) or a for a in operands)
    return _formula_texts(gate.key, circuit.graph.nodes[node]["c"], names)


def format_value(value: Any, decimals: int | None = None) -> str:
    """A value as text: a float with ``decimals`` (or 6 significant digits), or a formula.

    >>> format_value(-0.0), format_value(0.7310585786300049), format_value(-0.5, 2)
    ('0', '0.731059', '-0.50')
    """
    if isinstance(value, float):
        value = value + 0.0  # no "-0": a zero has no sign on paper
        return format(value, f".{decimals}f") if decimals is not None else format(value, ".6g")
    if type(value).__module__.startswith("sympy.") and value.is_Number:
        return format_number(float(value)) if decimals is None else format(float(value), f".{decimals}f")
    return str(value)
