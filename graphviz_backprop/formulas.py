"""A gate's local gradients written as formulas, with the circuit's own names.

The gate table writes most of them itself (``Gate.local_text``); the few it cannot are
printed by sympy (``symbolic.sympy_formula_texts``).  :func:`local_formulas` gives them in
the engine's notation (the JSON); :func:`local_math` as mathematics with the names the
pictures show (captions and tables).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from .gates import GATES
from .graph import Circuit
from .mathtext import math_text
from .symbolic import sympy_formula_texts

__all__ = ["local_formulas", "local_math", "local_rules"]


@lru_cache(maxsize=4096)
def _formula_texts(key: str, c: float | None, names: tuple[str, ...]) -> tuple[str, ...]:
    texts = GATES[key].local_texts(names, c)
    return texts if texts is not None else sympy_formula_texts(key, c, names)


def local_formulas(circuit: Circuit, node: str) -> tuple[str, ...]:
    """A gate's local gradients as formulas in the engine's notation, one per input wire.

    The formulas name each input as the source does (``q*z`` gives ``z`` and ``q``); an
    unnamed input is ``x`` for a one-input gate (``1/x`` gives ``-1/x**2``; another letter
    where the circuit has a wire called x) and its node id for a two-input one (``n2``, as
    in the table and the JSON).
    """
    gate = circuit.gate(node)
    if gate is None:
        return ()
    operands = circuit.operands[node]
    if gate.arity == 1:
        names: tuple[str, ...] = (circuit.name(operands[0]) or circuit.free_letter,)
    else:
        names = tuple(circuit.name(a) or a for a in operands)
    return _formula_texts(gate.key, circuit.graph.nodes[node]["c"], names)


def local_math(circuit: Circuit, node: str) -> tuple[str, ...]:
    """A gate's local gradients as mathematics, with every input called by its wire name.

    >>> from graphviz_backprop.graph import build
    >>> from graphviz_backprop.parser import parse
    >>> c = build(parse("1/(1 + exp(-x))"))
    >>> [local_math(c, n) for n in c.gates]
    [('-1',), ('exp(a₁)',), ('1',), ('−1/a₃²',)]
    """
    gate = circuit.gate(node)
    if gate is None:
        return ()
    operands = circuit.operands[node]
    texts = _formula_texts(gate.key, circuit.graph.nodes[node]["c"], operands)
    names = {a: circuit.wire_names[a] for a in operands}
    return tuple(math_text(t, names) for t in texts)


_PLACES = re.compile(r"\{(g|local|\d)\}")


def _fill(rule: str, parts: dict[str, str]) -> str:
    return _PLACES.sub(lambda m: parts.get(m.group(1), m.group()), rule)


def local_rules(circuit: Circuit, node: str, local: Sequence[Any], g: str = "g"
                ) -> tuple[str, ...]:
    """How each input wire of a gate gets its gradient, with the circuit's names: the rule
    of an array gate's local gradient (an :class:`arrays.Local`) with ``g`` for the upstream
    gradient, or the formula of a scalar local gradient (:func:`local_math`).

    >>> from graphviz_backprop.tracing import trace
    >>> t = trace("W = [[0.1, 0.5], [-0.3, 0.8]]; x = [0.2, 0.4]; q = W @ x; f = sum(q**2)")
    >>> [local_rules(t.circuit, n, t.evaluation.local[n]) for n in t.circuit.gates]
    [('g · xᵀ', 'Wᵀ · g'), ('g ⊙ 2q',), ('g copied to every entry',)]
    """
    formulas = local_math(circuit, node)
    names = [circuit.wire_names[a] for a in circuit.operands[node]]
    rules = []
    for port, (formula, value) in enumerate(zip(formulas, local)):
        rule = getattr(value, "rule", None)
        if rule is None:
            rules.append(formula)
            continue
        scalar = f"({formula})" if re.search(r"[\s+\-−/·]", formula) else formula
        parts = {"g": g, "local": scalar, **{str(i): n for i, n in enumerate(names)}}
        text = _fill(rule, parts)
        if getattr(value, "summed", False):
            text += f", summed to the shape of {names[port]}"
        rules.append(text)
    return tuple(rules)
