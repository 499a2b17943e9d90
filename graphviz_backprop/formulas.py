"""A gate's local gradients written as formulas, with the circuit's own names.

The gate table writes most of them itself (``Gate.local_text``); the few it cannot are
printed by sympy (``symbolic.sympy_formula_texts``).
"""

from __future__ import annotations

from functools import lru_cache

from .gates import GATES
from .graph import Circuit
from .symbolic import sympy_formula_texts

__all__ = ["local_formulas", "free_letter"]


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
