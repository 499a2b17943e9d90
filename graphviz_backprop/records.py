"""An evaluation as data: one record per node, and the object ``gbp eval --json`` prints.

Numbers stay numbers; a vector or matrix is nested lists (rows of a matrix), with its
``shape`` beside it (``[]`` for a scalar); in symbolic mode every value and gradient is
formula text.

>>> from graphviz_backprop.tracing import trace
>>> t = trace("W = [[0.1, 0.5], [-0.3, 0.8]]; x = [0.2, 0.4]; q = W @ x; f = sum(q**2)")
>>> data = evaluation_dict(t.evaluation)
>>> round(data["output"]["value"], 12), data["inputs"]["x"], data["nodes"][2]["shape"]
(0.116, [0.2, 0.4], [2])
"""

from __future__ import annotations

from typing import Any

from .arrays import is_array, shape_of, to_lists
from .backprop import Evaluation
from .formulas import local_formulas

__all__ = ["json_value", "node_records", "evaluation_dict"]


def json_value(value: Any, symbolic: bool = False) -> Any:
    """A value or gradient for JSON: a float, nested lists of floats, or (symbolic) text.

    An array gate's local gradient (a Jacobian, an :class:`arrays.Local`) is ``None``: its
    rule is in ``local_gradients``.
    """
    if symbolic:
        return str(value)
    if is_array(value):
        return to_lists(value)
    if isinstance(value, (int, float)):
        return float(value)
    return None


def node_records(ev: Evaluation) -> list[dict[str, Any]]:
    """One record per node in evaluation order (the ``nodes`` of the JSON output)."""
    c, sym = ev.circuit, ev.symbolic
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
            "shape": list(shape_of(ev.values[node])),
            "value": json_value(ev.values[node], sym),
            "grad": json_value(ev.grads[node], sym),
            "local_gradients": list(local_formulas(c, node)),
            "local_values": [json_value(v, sym) for v in ev.local.get(node, ())],
            "flags": list(ev.flags.get(node, ())),
        })
    return records


def evaluation_dict(ev: Evaluation, title: str | None = None) -> dict[str, Any]:
    """The JSON object of ``gbp eval --json`` (without the ``sgd`` key, which a step adds)."""
    sym = ev.symbolic
    c = ev.circuit
    inputs = {name: ev.values[node] for name, node in c.inputs.items()}
    return {
        "title": title,
        "symbolic": sym,
        "output": {"name": c.output_name, "value": json_value(ev.output, sym)},
        "inputs": {k: json_value(v, sym) for k, v in inputs.items()},
        "gradients": {k: json_value(v, sym) for k, v in ev.gradients.items()},
        "nodes": node_records(ev),
    }
