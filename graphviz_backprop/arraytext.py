"""How a gradient through a gate on vectors and matrices is written, with the circuit's names.

A gate on arrays keeps how its vector-Jacobian product is written (``Local.rule``: ``{g}``
the upstream gradient, ``{0}`` and ``{1}`` the inputs, ``{local}`` the scalar local
derivative of an entrywise gate); here that is filled in with the names the pictures show,
and a gradient that broadcasting summed says over what.

>>> from graphviz_backprop.arrays import Local
>>> dW = Local(lambda g: g, lambda: None, "{g} · {1}ᵀ")
>>> rule_text(dW, "∂f/∂q", ["W", "x"])
'∂f/∂q · xᵀ'
>>> dz = Local(lambda g: g, lambda: None, "{g} ⊙ {local}")
>>> rule_text(dz, "∂f/∂s", ["z"], "σ(z)(1 − σ(z))"), rule_text(dz, "1", ["z"], "2z")
('∂f/∂s ⊙ σ(z)(1 − σ(z))', '2z')
>>> short_literals("W = [[1, 2], [3, 4]]; x = [1, 2, 3]", 3)
'W = […]; x = [1, 2, 3]'
>>> summed_over((2,), (3, 2)), summed_over((), (2,)), summed_over((3, 1), (3, 2))
('the rows', 'all entries', 'the columns')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .arrays import Local, is_array
from .notation import number

__all__ = ["ENTRYWISE", "rule_text", "summed_over", "factor", "rounded", "short_literals"]

#: The rule of every entrywise gate on arrays: the upstream gradient times the local
#: derivative, entry by entry.
ENTRYWISE = "{g} ⊙ {local}"


def factor(text: str) -> str:
    """A formula as a factor of a product: in parentheses if it is negative, or a sum, a
    difference or a case distinction at its top level (``1 − σ(z)``), as written otherwise."""
    if text.startswith(("-", "−")):
        return f"({text})"
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch in "([") - (ch in ")]")
        if depth == 0 and (ch == "," or (ch in "+−-" and i > 0 and text[i - 1] == " ")
                           or text.startswith("if ", i)):
            return f"({text})"
    return text


def _enclosed(text: str) -> bool:
    """Whether one pair of parentheses encloses all of ``text``."""
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            return i == len(text) - 1 and i > 0
    return False


def rule_text(local: Local, g: str, names: Sequence[str], formula: str = "") -> str:
    """``local.rule`` with the upstream gradient ``g`` and the inputs' ``names`` filled in;
    ``formula`` is the local derivative of an entrywise gate (a factor of 1 is left out).
    ``g="1"``, the output's own gradient, is left out of a product."""
    rule = local.rule
    if rule == ENTRYWISE:
        rule = {"1": "{g}", "-1": "−{g}", "−1": "−{g}"}.get(formula,
                                                            "{g} ⊙ " + factor(formula))
    if g == "1":
        for product in ("{g} · ", "{g} ⊙ "):
            if rule.startswith(product):
                rule = rule[len(product):]
        rule = {"{g}": "1", "−{g}": "−1"}.get(rule, rule)
        if _enclosed(rule):
            rule = rule[1:-1]  # (p − onehot(k)) alone
    text = rule.replace("{g}", g)
    for i, name in enumerate(names):
        text = text.replace(f"{{{i}}}", name)
    return text


def summed_over(shape: tuple[int, ...], out: tuple[int, ...]) -> str:
    """What broadcasting summed a gradient over, from an input's shape and the output's."""
    if not shape or len(out) == len(shape) == 1 or shape == (1, 1):
        return "all entries"
    rows = len(shape) == 1 or (shape[0] == 1 and out[0] != 1)
    columns = len(shape) == 2 and shape[1] == 1 and out[1] != 1
    if rows and columns:
        return "all entries"
    return "the columns" if columns else "the rows"


def rounded(value: Any, decimals: int | None, digits: int | None) -> Any:
    """A value as a picture writes it, read back: a float, or an array of them."""
    if is_array(value):
        import numpy as np

        flat = [float(number(v, decimals, digits)) for v in value.ravel().tolist()]
        return np.array(flat).reshape(value.shape)
    return float(number(float(value), decimals, digits))


def short_literals(text: str, most: int) -> str:
    """Source text with each list literal of more than ``most`` numbers written ``[…]``
    (a matrix of r rows and c columns has r·c − 1 commas)."""
    out, depth, start, at = [], 0, 0, 0
    for i, ch in enumerate(text):
        if ch == "[":
            depth += 1
            if depth == 1:
                start = i
        elif ch == "]" and depth:
            depth -= 1
            if depth == 0 and text.count(",", start, i) + 1 > most:
                out += [text[at:start], "[…]"]
                at = i + 1
    return "".join(out) + text[at:]
