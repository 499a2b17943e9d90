"""The Python entry point: trace a source into a circuit with values and gradients.

>>> t = trace("(x+y)*z", x=-2, y=5, z=-4)
>>> t.value, t.gradients
(-12.0, {'x': -4.0, 'y': -4.0, 'z': 3.0})
>>> t.to_dict()["nodes"][2]["op"]
'+'
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

import sympy

from .evaluate import Evaluation, evaluate, format_value, local_formulas
from .graph import Circuit, build
from .parse import parse, parse_sympy
from .source import Source, resolve

__all__ = ["Trace", "trace"]


def _jsonable(value: Any, symbolic: bool) -> Any:
    return str(value) if symbolic else value


@dataclass(frozen=True)
class Trace:
    """A traced circuit: the graph, its evaluation, and where it came from."""

    circuit: Circuit
    evaluation: Evaluation
    title: str | None = None

    @property
    def symbolic(self) -> bool:
        """True when no input had a value (values and gradients are sympy formulas)."""
        return self.evaluation.symbolic

    @property
    def value(self) -> Any:
        """The output's value."""
        return self.evaluation.output

    @property
    def gradients(self) -> dict[str, Any]:
        """d output / d input for every input, by name."""
        return self.evaluation.gradients

    @property
    def inputs(self) -> dict[str, Any]:
        """Every input's value, by name."""
        return {name: self.evaluation.values[node] for name, node in self.circuit.inputs.items()}

    def node_records(self) -> list[dict[str, Any]]:
        """One record per node in evaluation order (the ``nodes`` of the JSON output)."""
        c, ev = self.circuit, self.evaluation
        records = []
        for node in c.order:
            attrs = c.graph.nodes[node]
            is_gate = attrs["kind"] == "gate"
            records.append({
                "id": node,
                "name": attrs["name"],
                "kind": attrs["kind"],
                "op": c.label(node) if is_gate else None,
                "inputs": list(c.operands[node]),
                "value": _jsonable(ev.values[node], self.symbolic),
                "grad": _jsonable(ev.grads[node], self.symbolic),
                "local_gradients": list(local_formulas(c, node)),
                "local_values": [_jsonable(v, self.symbolic) for v in ev.local.get(node, ())],
                "flags": list(ev.flags.get(node, ())),
            })
        return records

    def to_dict(self) -> dict[str, Any]:
        """The JSON output contract of ``gbp eval --json``."""
        sym = self.symbolic
        return {
            "title": self.title,
            "symbolic": sym,
            "output": {"name": self.circuit.output_name, "value": _jsonable(self.value, sym)},
            "inputs": {k: _jsonable(v, sym) for k, v in self.inputs.items()},
            "gradients": {k: _jsonable(v, sym) for k, v in self.gradients.items()},
            "nodes": self.node_records(),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def format_value(self, value: Any, decimals: int | None = None) -> str:
        """A value or gradient of this trace as display text."""
        return format_value(value, decimals)


def trace(
    source: str | sympy.Basic,
    /,
    at: Mapping[str, Any] | None = None,
    *,
    expand: bool | None = None,
    **values: Any,
) -> Trace:
    """Parse, build and evaluate a source.

    ``source`` is an expression or program text, a path to a file, the name of a bundled
    example (``"sigmoid-neuron"``) or a sympy expression.  Values come from the source
    itself, then ``at``, then keyword arguments; with none at all the trace is symbolic.
    ``expand=True`` lowers composite gates (sigmoid, tanh, ...) into primitive ones.
    """
    if isinstance(source, sympy.Basic):
        resolved = Source(str(source))
        program = parse_sympy(source)
    else:
        resolved = resolve(source)
        program = parse(resolved.text)
    if expand is None:
        expand = bool(resolved.example and resolved.example.expand)
    circuit = build(program, expand=expand)
    point = dict(resolved.at)
    point.update(at or {})
    point.update(values)
    return Trace(circuit, evaluate(circuit, point), resolved.title)
