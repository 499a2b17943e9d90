"""Formulas written as mathematics, not Python: ``x²``, ``−1/x²``, ``σ(x)(1 − σ(x))``,
``1 − tanh²(n)``, ``3x²``, for captions, tables and pictures.

The formulas come from the engine in a small Python-like notation (the gate table's text,
or sympy's printing of it); they are read with Python's ``ast`` parser, which only builds a
tree, and written anew.  Names may be renamed on the way (a node id becomes the name a
picture shows).  A text that cannot be read is returned as it is.

>>> math_text("-1/x**2"), math_text("(1 - sigmoid(n))*sigmoid(n)"), math_text("3*b**2")
('−1/x²', 'σ(n)(1 − σ(n))', '3b²')
>>> math_text("1 - tanh(n3)**2", {"n3": "a₁"}), math_text("(1 if x > 0, else 0)")
('1 − tanh²(a₁)', '1 if x > 0, else 0')
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

__all__ = ["math_text", "superscript", "subscript", "MINUS"]

#: The minus sign of mathematics (not the hyphen).
MINUS = "\u2212"
_FUNCTIONS = {"sigmoid": "σ", "Abs": "abs", "Max": "max", "Min": "min"}
_RELATIONS = (" >= ", " <= ", " > ", " < ", " = ")
#: Binding strength: a sum, a product, a negation, a power, an atom.
_SUM, _PRODUCT, _NEGATION, _POWER, _ATOM = range(1, 6)


_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def superscript(k: int) -> str:
    """A whole number as an exponent: ``²``, ``⁻¹``."""
    return str(k).translate(_SUPERSCRIPTS)


def subscript(k: int) -> str:
    """A whole number as an index: ``₁``, ``₁₂``."""
    return str(k).translate(_SUBSCRIPTS)


def math_text(text: str, names: Mapping[str, str] | None = None) -> str:
    """A formula of the engine's notation as mathematics (see the module docstring)."""
    try:
        float(text)
    except ValueError:
        pass
    else:
        return text  # a number is written as the numbers on the wires are
    try:
        return _Writer(names or {}).formula(text.strip())
    except (SyntaxError, ValueError, KeyError, RecursionError, MemoryError):
        return text


class _Writer:
    def __init__(self, names: Mapping[str, str]):
        self.names = names

    def formula(self, text: str) -> str:
        if text.startswith("(") and text.endswith(")") and " if " in text:
            return ", ".join(self.piece(p) for p in _split_top(text[1:-1]))
        return self.expr(text)

    def piece(self, text: str) -> str:
        if text.startswith("else "):
            return "else " + self.expr(text[5:])
        value, condition = text.split(" if ", 1)
        return f"{self.expr(value)} if {self.condition(condition)}"

    def condition(self, text: str) -> str:
        for relation in _RELATIONS:
            if relation in text:
                left, right = text.split(relation, 1)
                shown = {" >= ": " ≥ ", " <= ": " ≤ "}.get(relation, relation)
                return f"{self.expr(left)}{shown}{self.expr(right)}"
        return self.expr(text)

    def expr(self, text: str) -> str:
        return self.write(ast.parse(text, mode="eval").body)[0]

    def write(self, node: ast.AST) -> tuple[str, int]:
        """The text of a node, and how strongly it binds (to parenthesize it inside others)."""
        if isinstance(node, ast.Name):
            return self.names.get(node.id, node.id), _ATOM
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return repr(node.value) if isinstance(node.value, float) else str(node.value), _ATOM
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            text, strength = self.write(node.operand)
            return MINUS + _wrap(text, strength, _POWER), _NEGATION
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self.call(node.func.id, node.args), _ATOM
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        raise ValueError(f"cannot write {ast.dump(node)}")

    def call(self, name: str, args: list[ast.expr], power: str = "") -> str:
        inner = ", ".join(self.write(a)[0] for a in args)
        if name == "sqrt" and not power:
            text, strength = self.write(args[0])
            return "√" + (text if strength == _ATOM else f"({text})")
        return f"{_FUNCTIONS.get(name, name)}{power}({inner})"

    def binop(self, node: ast.BinOp) -> tuple[str, int]:
        op = node.op
        if isinstance(op, (ast.Add, ast.Sub)):
            left, _ = self.write(node.left)
            right, strength = self.write(node.right)
            if isinstance(op, ast.Sub):
                return f"{left} {MINUS} {_wrap(right, strength, _PRODUCT)}", _SUM
            if right.startswith(MINUS):  # a + (−b) is a − b
                return f"{left} {MINUS} {right[1:]}", _SUM
            return f"{left} + {right}", _SUM
        if isinstance(op, ast.Mult):
            return self.product(node), _PRODUCT
        if isinstance(op, ast.Div):
            left, left_strength = self.write(node.left)
            right, right_strength = self.write(node.right)
            if left.startswith(MINUS):
                body = _wrap(left[1:], left_strength, _PRODUCT)
                return f"{MINUS}{body}/{_wrap(right, right_strength, _POWER)}", _NEGATION
            return (f"{_wrap(left, left_strength, _PRODUCT)}/"
                    f"{_wrap(right, right_strength, _POWER)}"), _PRODUCT
        if isinstance(op, ast.Pow):
            return self.power(node.left, node.right), _POWER
        raise ValueError(f"cannot write {ast.dump(node)}")

    def power(self, base: ast.expr, exponent: ast.expr) -> str:
        whole = _whole(exponent)
        if whole is not None and isinstance(base, ast.Call) and isinstance(base.func, ast.Name) \
                and base.func.id != "sqrt":  # tanh(x)**2 is tanh²(x)
            return self.call(base.func.id, base.args, superscript(whole))
        text, strength = self.write(base)
        text = _wrap(text, strength, _POWER + 1)
        if whole is not None:
            return text + superscript(whole)
        shown, exp_strength = self.write(exponent)
        return f"{text}^{_wrap(shown, exp_strength, _ATOM)}"

    def product(self, node: ast.BinOp) -> str:
        factors: list[ast.expr] = []
        _flatten(node, factors)
        written, negative = [], False
        for factor in factors:  # the signs of the factors go in front: x·(−1) is −x
            text, strength = self.write(factor)
            if strength == _NEGATION and text.startswith(MINUS):
                negative = not negative
                if isinstance(factor, ast.UnaryOp):
                    text, strength = self.write(factor.operand)
                else:  # −a/b
                    text, strength = text[1:], _PRODUCT
            written.append((text, strength))
        if len(written) > 1:  # a factor 1 says nothing
            written = [w for w in written if w[0] != "1"] or written[:1]
        sign = MINUS if negative else ""
        # numbers first, then names, calls and powers, then sums in parentheses
        order = sorted(range(len(written)), key=lambda i: (
            0 if written[i][1] == _ATOM and _is_number(written[i][0])
            else 2 if written[i][1] < _PRODUCT else 1, i))
        text, after_number = "", False
        for i in order:
            part, strength = written[i]
            part = _wrap(part, strength, _PRODUCT + 1)
            # 2x, 3(x + 1) and x(y + 1) need no dot; x0·exp(y) and 2·3 do
            if text and not (part.startswith("(") or (after_number and not _is_number(part))):
                text += "·"
            text += part
            after_number = strength == _ATOM and _is_number(part)
        return sign + text


def _wrap(text: str, strength: int, needed: int) -> str:
    return f"({text})" if strength < needed else text


def _is_number(text: str) -> bool:
    return bool(text) and (text[0].isdigit() or text[0] == ".")


def _whole(node: ast.expr) -> int | None:
    """A whole-number exponent (``2``, ``-1``), or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _whole(node.operand)
        return None if inner is None else -inner
    return None


def _flatten(node: ast.expr, into: list[ast.expr]) -> None:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        _flatten(node.left, into)
        _flatten(node.right, into)
    else:
        into.append(node)


def _split_top(text: str) -> list[str]:
    """Split at ``, `` outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and text.startswith(", ", i):
            parts.append(text[start:i])
            start = i + 2
    parts.append(text[start:])
    return parts
