"""The sympy side of the engine: formulas of values and local gradients, and the bounds on
symbolic work.

sympy is imported on first use only (numbers need none of it).  Before it runs, a circuit's
symbolic formulas are estimated and refused when they would be too large or too slow to
work out (:func:`check_symbolic`); the work then runs under a wall-clock budget
(:func:`symbolic_budget`), and formulas that are not finite for any input are errors naming
the gate (:func:`check_formulas`).  Formulas are printed as a student reads them
(:func:`sympy_formula_texts`, the reference the gate table's own text is tested against).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

from .errors import EvaluationError, LimitError
from .gates import GATES
from .graph import Circuit
from .lazy import lazy_import
from .limits import symbolic_seconds, time_budget

if TYPE_CHECKING:
    import sympy
else:
    sympy = lazy_import("sympy")

__all__ = ["MAX_SYMBOLIC_SIZE", "MAX_SYMBOLIC_DEPTH", "sympy_number", "symbolic_values",
           "symbolic_local", "symbolic_size", "check_symbolic", "symbolic_budget",
           "check_formulas", "sympy_formula_texts", "measure_tree", "not_finite"]


#: Largest formula symbolic mode writes out, counted as the nodes of its expression tree
#: (operations, symbols and numbers).  A name used twice is written out twice, so a short
#: program can describe a formula far too long to print (``x = sin(x)*cos(x)`` ten times);
#: such a circuit needs values.  Before sympy builds anything, a quick estimate
#: (:func:`symbolic_size`) must stay under 100 times this.
MAX_SYMBOLIC_SIZE = 20_000


def symbolic_values(circuit: Circuit) -> dict[str, sympy.Expr]:
    """Every node's value as a sympy expression of the input symbols (real-valued)."""
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
            constant = None if c is None else sympy_number(c)
            values[node] = circuit.gate_of(node).sympy_formula(xs, constant)
    return values


def symbolic_local(circuit: Circuit, values: Mapping[str, Any], node: str) -> tuple[Any, ...]:
    """A gate's local gradients as formulas of the input symbols, one per input wire."""
    c = circuit.graph.nodes[node]["c"]
    xs = [values[a] for a in circuit.operands[node]]
    constant = None if c is None else sympy_number(c)
    return circuit.gate_of(node).sympy_derivative(xs, constant)


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


#: Gates whose formulas are pieces (sympy's Piecewise, Max, Min), and how deep each family
#: may nest in symbolic mode: every level multiplies the pieces of a gradient.
_PIECEWISE = {"elu": "piecewise", "leaky_relu": "piecewise", "max": "max", "min": "max",
              "max_c": "max", "cmax": "max", "min_c": "max", "cmin": "max"}


_NESTING = {"piecewise": 3, "max": 12}


#: Longest chain of gates symbolic mode writes out.
MAX_SYMBOLIC_DEPTH = 100


def _input_names(circuit: Circuit, most: int = 20) -> str:
    """The inputs a message asks values for: the first ``most`` of them, then how many more."""
    names = list(circuit.inputs)
    shown = ", ".join(names[:most]) or "none"
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def check_symbolic(circuit: Circuit) -> None:
    """Refuse, before sympy runs, a circuit whose symbolic formulas would be too large or
    too slow to work out: an estimate of their size, the longest chain of gates, and how
    deep piecewise gates nest (elu, leaky_relu; max, min)."""
    if symbolic_size(circuit) > 100 * MAX_SYMBOLIC_SIZE:
        raise _too_long(circuit)
    g = circuit.graph.nodes
    depth: dict[str, int] = {}
    nesting: dict[str, dict[str, int]] = {}
    names = _input_names(circuit)
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
                    f" {circuit.where(node)}, and their formulas grow too fast to write"
                    f" out; give values for the inputs ({names}) with --at")
        nesting[node] = levels
        if depth[node] > MAX_SYMBOLIC_DEPTH:
            raise LimitError(
                f"symbolic mode: a chain of more than {MAX_SYMBOLIC_DEPTH} gates (up to"
                f" {circuit.where(node)}) is too long to write out as formulas; give"
                f" values for the inputs ({names}) with --at")


@contextmanager
def symbolic_budget(circuit: Circuit) -> Iterator[None]:
    """Symbolic work on ``circuit`` under the wall-clock budget (see ``limits.py``)."""
    sympy.Basic  # noqa: B018 - import sympy before the clock starts
    seconds = symbolic_seconds()
    names = _input_names(circuit)
    with time_budget(seconds, f"symbolic formulas of this circuit take too long to work out"
                              f" (more than {seconds:g} s); give values for the inputs"
                              f" ({names}) with --at"):
        yield


def not_finite(expr: Any) -> str | None:
    """Why a formula is not a finite number for any input, or None."""
    if not isinstance(expr, sympy.Basic):
        return None
    if expr.has(sympy.S.ComplexInfinity, sympy.S.Infinity, sympy.S.NegativeInfinity):
        return "infinite, as 1/0 or log(0)"
    if expr.has(sympy.S.NaN):
        return "undefined, as 0/0"
    return None


def check_formulas(circuit: Circuit, values: Mapping[str, Any], grads: Mapping[str, Any],
                   local: Mapping[str, tuple[Any, ...]]) -> None:
    """Refuse formulas too long to write out, and formulas that are not finite for any input
    (``1/(x - x)``): errors naming the gate, as in numeric mode."""
    formulas = [*values.values(), *grads.values(), *(d for ds in local.values() for d in ds)]
    if _written_size(formulas) > MAX_SYMBOLIC_SIZE:
        raise _too_long(circuit)
    for node in circuit.order:
        why = not_finite(values[node])
        if why:
            raise EvaluationError(f"result is not a finite number for any input ({why}):"
                                  f" gate '{circuit.label(node)}' at {circuit.where(node)}")
    for node in reversed(circuit.order):
        for value in (*local.get(node, ()), grads[node]):
            why = not_finite(value)
            if why:
                raise EvaluationError(f"gradient is not a finite number for any input ({why}):"
                                      f" gate '{circuit.label(node)}' at {circuit.where(node)}")


def _too_long(circuit: Circuit) -> LimitError:
    names = _input_names(circuit)
    return LimitError(
        f"symbolic formulas of this circuit are too long to write out (the limit is"
        f" {MAX_SYMBOLIC_SIZE:,} terms); give values for the inputs ({names}) with --at")


def measure_tree(expr: Any, measure: Callable[[Any, list[Any]], Any],
                 memo: dict[Any, Any]) -> Any:
    """``measure(part, [the measures of its args])`` of a sympy formula, each part measured
    once (``memo``, shared between calls: sympy expressions are hashable, and equal ones
    measure the same), children before parents, without recursion.

    >>> x = sympy.Symbol("x")
    >>> measure_tree(sympy.exp(x) + x, lambda part, inner: 1 + sum(inner), {})  # x twice
    4
    """
    stack = [(expr, False)]
    while stack:
        node, ready = stack.pop()
        if node in memo:
            continue
        args = getattr(node, "args", ())
        if ready or not args:
            memo[node] = measure(node, [memo[a] for a in args])
        else:
            stack.append((node, True))
            stack.extend((a, False) for a in args if a not in memo)
    return memo[expr]


def _written_size(formulas: list[Any]) -> int:
    """The size of the largest formula written out as a tree (shared parts counted each time)."""
    memo: dict[Any, int] = {}
    return max((measure_tree(root, lambda part, inner: 1 + sum(inner), memo)
                for root in formulas), default=0)


@cache
def _printer() -> Any:
    """The printer of formulas as a student reads them: no ``Piecewise``, ``Heaviside`` or
    16-digit floats (made on first use: it needs sympy).

    >>> x, y = sympy.symbols("x y", real=True)
    >>> _printer().doprint(sympy.Heaviside(x, 0))
    '(1 if x > 0, else 0)'
    >>> _printer().doprint(GATES["max"].sympy_derivative((x, y))[0])
    '(1 if x > y, 1/2 if x = y, else 0)'
    """
    from sympy.printing.str import StrPrinter

    class Printer(StrPrinter):
        def _print_Heaviside(self, expr: Any) -> str:  # noqa: N802 - sympy's name
            arg, at_zero = expr.args[0], (expr.args[1] if len(expr.args) > 1 else sympy.S.Half)
            if at_zero == 0:
                return f"(1 if {self._print(arg)} > 0, else 0)"
            x = self._print(arg)
            if at_zero == 1:
                return f"(1 if {x} >= 0, else 0)"
            return f"(1 if {x} > 0, {self._print(at_zero)} if {x} = 0, else 0)"

        def _print_Piecewise(self, expr: Any) -> str:  # noqa: N802 - sympy's name
            parts = [self._print(value) if cond is sympy.true else
                     f"{self._print(value)} if {self._print(cond)}" for value, cond in expr.args]
            if expr.args and expr.args[-1][1] is sympy.true:
                parts[-1] = f"else {parts[-1]}"
            return "(" + ", ".join(parts) + ")"

        def _print_Equality(self, expr: Any) -> str:  # noqa: N802 - sympy's name
            return f"{self._print(expr.lhs)} = {self._print(expr.rhs)}"

        def _print_Float(self, expr: Any) -> str:  # noqa: N802 - sympy's name
            return format(float(expr), ".4g")

    return Printer()


def sympy_formula_texts(key: str, c: float | None, names: tuple[str, ...]) -> tuple[str, ...]:
    """A gate's local gradients as sympy prints them (the reference for ``Gate.local_text``)."""
    gate = GATES[key]
    symbols = [sympy.Symbol(n, real=True) for n in names]
    constant = None if c is None else (sympy_number(c) if len(repr(c)) <= 8 else sympy.Float(c))
    printer = _printer()
    return tuple(printer.doprint(d) for d in gate.sympy_derivative(symbols, constant))


def sympy_number(c: float) -> sympy.Expr:
    """An exact sympy number for a constant: ``0.01`` becomes ``1/100``."""
    if c == int(c) and abs(c) < 1e15:
        return sympy.Integer(int(c))
    return sympy.Rational(repr(float(c)))
