"""The forward and backward passes over a circuit, node by node; pure functions.

One forward pass per kind of arithmetic (float64, or sympy formulas when no input has a
value) and one backward pass for both: the gradient of every node, upstream gradient times
local gradient summed over the wires out of it.  ``gbp check`` runs the same backward pass
with a student's claims in place of some gradients (``overrides``).

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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import entrywise
from .array_rules import ShapeError
from .arrays import MAX_ARRAY_WORK, all_finite, as_array, frozen, is_array, size_text
from .errors import EvaluationError, LimitError, ValuesError
from .graph import Circuit
from .lazy import lazy_import
from .symbolic import (
    check_formulas,
    check_symbolic,
    symbolic_budget,
    symbolic_local,
    symbolic_values,
)

if TYPE_CHECKING:
    import numpy as np
    import sympy
else:
    np = lazy_import("numpy")  # vectors and matrices only
    sympy = lazy_import("sympy")  # symbolic mode only

__all__ = ["Evaluation", "evaluate", "backward", "resolve_values", "KINK"]

#: Flag on a node evaluated at a non-differentiable point (the gradient follows PyTorch).
KINK = "kink"


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


def _number(name: str, value: Any) -> Any:
    if isinstance(value, (list, tuple)) or is_array(value):
        return as_array(name, value)
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


def resolve_values(circuit: Circuit, at: Mapping[str, Any] | None = None
                   ) -> dict[str, float] | None:
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


def _inputs_text(xs: tuple[Any, ...]) -> str:
    return ", ".join(format(x, ".6g") if not is_array(x) else size_text(x) for x in xs)


def _shapes_error(circuit: Circuit, node: str, err: ShapeError) -> EvaluationError:
    names = [circuit.wire_names[a] for a in circuit.operands[node]]
    attrs = circuit.graph.nodes[node]
    return EvaluationError(f"{str(err).format(*names)} (line {attrs['line']},"
                           f" column {attrs['col']})")


def _forward_gate(circuit: Circuit, node: str, xs: tuple[Any, ...]) -> Any:
    gate = circuit.gate_of(node)
    c = circuit.graph.nodes[node]["c"]
    try:
        if entrywise.on_arrays(gate, xs):
            return entrywise.forward(gate, xs, c)
        return gate.checked_forward(xs, c)
    except ShapeError as err:
        raise _shapes_error(circuit, node, err) from None
    except LimitError as err:  # a result too large, refused before it is computed
        names = [circuit.wire_names[a] for a in circuit.operands[node]]
        attrs = circuit.graph.nodes[node]
        raise LimitError(err.message.format(*names), attrs["line"], attrs["col"]) from None
    except EvaluationError as err:
        raise EvaluationError(f"{err}: gate '{circuit.label(node)}' at {circuit.where(node)}"
                              f" with input {_inputs_text(xs)}") from None


def _local_gate(circuit: Circuit, node: str, xs: tuple[Any, ...]) -> tuple[Any, ...]:
    gate = circuit.gate_of(node)
    c = circuit.graph.nodes[node]["c"]
    if entrywise.on_arrays(gate, xs):
        try:
            return entrywise.local(gate, xs, c)
        except EvaluationError as err:
            raise EvaluationError(f"{err}: gate '{circuit.label(node)}' at"
                                  f" {circuit.where(node)}") from None
    try:
        local = tuple(float(v) for v in gate.local_at(xs, c))
    except (OverflowError, ValueError, ZeroDivisionError, TypeError):
        local = (math.nan,)
    if not all(math.isfinite(v) for v in local):
        raise EvaluationError(
            f"local gradient is not finite: gate '{circuit.label(node)}' at"
            f" {circuit.where(node)} with input {_inputs_text(xs)}")
    return local


def _kink(circuit: Circuit, node: str, xs: tuple[Any, ...]) -> bool:
    gate = circuit.gate_of(node)
    c = circuit.graph.nodes[node]["c"]
    if entrywise.on_arrays(gate, xs):
        return entrywise.kink(gate, xs, c)
    return gate.kink_at(xs, c)


def backward(circuit: Circuit, local: Callable[[str], tuple[Any, ...]], zero: Any, one: Any,
             *, start: str | None = None, overrides: Mapping[str, Any] | None = None,
             check: Callable[[str, Any], None] | None = None
             ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The backward pass: every node's gradient d ``start`` / d node (``start`` is the
    output unless given), in any arithmetic (``zero`` and ``one`` of it).

    ``local(node)`` gives a gate's local gradients, one per input wire, asked in backward
    order; ``check(node, gradient)`` may refuse a gradient once it is complete.
    ``overrides`` replaces the gradient of some nodes before it flows on (a student's
    claims); the second dict holds each node's gradient as it arrived, before that.
    """
    g = circuit.graph.nodes
    operands = circuit.operands
    grads = dict.fromkeys(circuit.order, zero)
    grads[circuit.output if start is None else start] = one
    arrived: dict[str, Any] = {}
    for node in reversed(circuit.order):
        # every wire out of `node` starts at a later node, so its gradient is complete here
        arrived[node] = grads[node]
        if check is not None:
            check(node, grads[node])
        if overrides and node in overrides:
            grads[node] = overrides[node]
        if g[node]["kind"] != "gate":
            continue
        upstream = grads[node]
        for arg, d in zip(operands[node], local(node)):
            grads[arg] = grads[arg] + upstream * d
    return grads, arrived


def _numeric(circuit: Circuit, at: dict[str, float]) -> Evaluation:
    g = circuit.graph.nodes
    operands = circuit.operands
    values: dict[str, Any] = {}
    work = 0
    for node in circuit.order:
        kind = g[node]["kind"]
        if kind == "input":
            values[node] = at[g[node]["name"]]
        elif kind == "const":
            values[node] = g[node]["value"]
        else:
            xs = tuple(values[a] for a in operands[node])
            values[node] = _forward_gate(circuit, node, xs)
            if is_array(values[node]) or any(is_array(x) for x in xs):
                work += entrywise.cost(circuit.gate_of(node), xs, values[node])
                if work > MAX_ARRAY_WORK:
                    raise LimitError(
                        f"the circuit's vectors and matrices need more than {MAX_ARRAY_WORK:,}"
                        f" entry operations (at {circuit.where(node)}); that is the limit")
    local: dict[str, tuple[float, ...]] = {}
    flags: dict[str, tuple[str, ...]] = {}

    def local_of(node: str) -> tuple[float, ...]:
        xs = tuple(values[a] for a in operands[node])
        local[node] = _local_gate(circuit, node, xs)
        if _kink(circuit, node, xs):
            flags[node] = (KINK,)
        return local[node]

    output = values[circuit.output]
    if is_array(output):
        name = circuit.wire_names[circuit.output]
        raise EvaluationError(
            f"the output {name} is {size_text(output)}; backpropagation starts from a scalar:"
            " end with sum(...), mean(...) or a loss")

    def finite(node: str, grad: Any) -> None:
        if not all_finite(grad):
            raise EvaluationError(
                f"gradient is not a finite number (it overflows float64) at {circuit.where(node)}")

    grads, _ = backward(circuit, local_of, 0.0, 1.0, check=finite)
    for node, value in values.items():  # a wire nothing reads: a zero of its own shape
        if is_array(value) and not is_array(grads[node]):
            grads[node] = frozen(np.zeros(value.shape))
    return Evaluation(circuit, at, values, grads, local, flags)


def _symbolic(circuit: Circuit) -> Evaluation:
    check_symbolic(circuit)
    with symbolic_budget(circuit):
        values = symbolic_values(circuit)
        local: dict[str, tuple[Any, ...]] = {}

        def local_of(node: str) -> tuple[Any, ...]:
            local[node] = symbolic_local(circuit, values, node)
            return local[node]

        grads, _ = backward(circuit, local_of, sympy.S.Zero, sympy.S.One)
        check_formulas(circuit, values, grads, local)
    return Evaluation(circuit, None, values, grads, local, {})


def evaluate(circuit: Circuit, at: Mapping[str, Any] | None = None) -> Evaluation:
    """Run the forward and backward passes at the source's values overridden by ``at``.

    Symbolic when no input has a value.  Raises :class:`ValuesError` for missing or unknown
    values, :class:`EvaluationError` where a value or gradient is not a finite real, and
    :class:`LimitError` where symbolic formulas would be too long or too slow to work out.
    """
    point = resolve_values(circuit, at)
    return _symbolic(circuit) if point is None else _numeric(circuit, point)
