"""Backward code interpreted over the whitelisted tree, never executed: float64 through
the gate table's checked arithmetic, or sympy formulas kept small; without recursion, so
that deep formulas cannot exhaust the stack.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Any

import sympy

from ..arrays import is_array
from ..entrywise import on_arrays
from ..errors import EvaluationError, LimitError, ParseError
from ..gates import FUNCTIONS, GATES
from ..limits import MAX_INTEGER_DIGITS
from ..symbolic import sympy_number
from ..syntax import Array, BinOp, Call, Expr, Name, Neg, Num, Statement
from .answers import Forward
from .compare import MAX_BITS, bit_size, spot_value
from .names import unknown_name
from .vectorized import MASK_FUNCTIONS, Work, array_call, array_op, literal, mask, negated


@dataclass
class Step:
    """One backward statement as run: its value and which bindings it read."""

    index: int
    statement: Statement
    value: Any
    reads: tuple[tuple[str, int | None], ...]
    previous: int | None

    @property
    def target(self) -> str:
        return self.statement.target  # type: ignore[return-value]

    @property
    def accumulates(self) -> bool:
        """Reads its own previous binding (``dx += ...``, ``dx = dx + ...``)."""
        return self.previous is not None and (self.target, self.previous) in self.reads


@dataclass(frozen=True)
class _Scope:
    """What one statement sees: the backward names' values and bindings; what it reads."""

    env: dict[str, Any]
    bound: dict[str, int]
    reads: list[tuple[str, int | None]]


def _fail(problem: str, e: Expr) -> EvaluationError:
    return EvaluationError(f"{problem} (line {e.line}, column {e.col})")


#: The operators of the whitelisted tree, for floats and for sympy formulas alike.
_OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
              "**": operator.pow}


#: The gate of the table that does a binary operation of backward code in float64.
_GATE_OF = {"+": "add", "-": "sub", "*": "mul", "/": "div"}


def numeric_op(op: str, a: float, b: float, e: Expr) -> float:
    """``a op b`` in float64, with the gate table's checked arithmetic (the engine's own): a
    power is a gate with a constant exponent, as ``x**2`` is in a circuit; on vectors and
    matrices, entry by entry with numpy's broadcasting (:mod:`.vectorized`)."""
    if op == "@" or is_array(a) or is_array(b):
        assert isinstance(e, BinOp)
        return array_op(op, a, b, e)
    try:
        if op == "**":
            return GATES["pow_c"].checked_forward((a,), b)
        return GATES[_GATE_OF[op]].checked_forward((a, b))
    except EvaluationError as err:
        problem = str(err)
        raise _fail(f"the {problem}" if problem.startswith("result") else problem, e) from None


def _power_digits(base: Any, exponent: Any) -> float:
    """About how many digits exact arithmetic writes for ``base ** exponent``, or 0.

    sympy works out a rational power of a number exactly (``2**10**10``), also inside a
    product or a root (``(2*x)**10**10``, ``sqrt(2)**10**10``): the estimate is the exponent
    times the digits of the largest number in the base.

    >>> x = sympy.Symbol("x", real=True)
    >>> round(_power_digits(sympy.Integer(10), sympy.Integer(10**10)))
    10000000000
    >>> _power_digits(x + 1, sympy.Integer(10**10)), _power_digits(sympy.Integer(2), x)
    (0, 0)
    """
    if not isinstance(exponent, sympy.Rational) or exponent == 0:
        return 0
    numbers = [abs(n) for n in base.atoms(sympy.Rational) if abs(n) != 1 and n != 0]
    if not numbers:
        return 0
    digits = max(max(math.log10(n.p), math.log10(n.q)) for n in numbers)
    return 10 ** min(math.log10(abs(exponent.p)) - math.log10(exponent.q) + math.log10(digits),
                     300)


def _symbolic_op(op: str, a: Any, b: Any, e: Expr) -> Any:
    if op == "@":
        raise _fail("@ multiplies vectors and matrices, which need numbers: give the inputs"
                    " values", e)
    if op == "**":
        digits = _power_digits(a, b)
        if digits > MAX_INTEGER_DIGITS:
            shown = f"{digits:,.0f}" if digits < 1e15 else f"10**{math.log10(digits):.0f}"
            raise LimitError(f"exact arithmetic: this power would be a number of about {shown}"
                             f" digits; the limit is {MAX_INTEGER_DIGITS:,}", e.line, e.col)
    return _finite_formula(_OPERATORS[op](a, b), e, "the result")


def _finite_formula(r: Any, e: Expr, what: str) -> Any:
    """A formula of the symbolic backward pass, checked: finite for some input, and, if it
    is a constant, a real number of at most MAX_INTEGER_DIGITS digits (so that exact
    arithmetic on it stays small)."""
    if r.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise _fail(f"{what} is not a finite number", e)
    if not r.is_number:
        return r
    if r.is_Rational:
        if bit_size(r) > MAX_BITS:
            raise LimitError(f"exact arithmetic: {what} is a number of more than"
                             f" {MAX_INTEGER_DIGITS:,} digits", e.line, e.col)
        return r
    value = spot_value(r, {})
    if value is None:
        raise _fail(f"{what} is not a finite number of at most {MAX_INTEGER_DIGITS:,} digits", e)
    if abs(value.imag) > 1e-12 * max(1.0, abs(value.real)):
        raise _fail(f"{what} is not a real number", e)
    return r


def _parts(e: Expr) -> tuple[Expr, ...]:
    """The operands of an operation of the whitelisted tree."""
    if isinstance(e, Neg):
        return (e.operand,)
    if isinstance(e, BinOp):
        return (e.left, e.right)
    assert isinstance(e, Call), e
    return e.args


class Interpreter:
    """Runs backward statements over the whitelisted tree: numbers, names, + - * / **,
    unary minus and the gate table's functions.  Nothing is executed, and nothing recurses:
    a folded max(...) of 100 arguments is a chain of 99 calls, and such chains may nest."""

    def __init__(self, forward: Forward):
        self.forward = forward
        self.symbolic = forward.symbolic
        self.op = _symbolic_op if self.symbolic else numeric_op
        self._forward_values: dict[str, Any] = {}
        self.statement: Statement | None = None  # the one being worked out
        self.env: dict[str, Any] = {}  # the backward names' values before it
        self.work = Work()  # on vectors and matrices, over every run

    def forward_value(self, name: str) -> Any:
        if name not in self._forward_values:
            self._forward_values[name] = self.forward.value(name, symbolic=self.symbolic)
        return self._forward_values[name]

    def run(self, statements: tuple[Statement, ...],
            overrides: dict[str, Any] | None = None) -> list[Step]:
        """Run the statements; ``overrides`` replaces a name's value after its last binding."""
        last = {st.target: i for i, st in enumerate(statements)}
        bound: dict[str, int] = {}
        env: dict[str, Any] = {}
        self.env = env
        steps: list[Step] = []
        for i, st in enumerate(statements):
            self.statement = st
            reads: list[tuple[str, int | None]] = []
            try:
                value = self.expr(st.value, _Scope(env, bound, reads))
                if self.symbolic:
                    self._check_depth(value, st)
            except RecursionError:  # in sympy, on a formula deeper than its stack allows
                raise self._too_deep(st) from None
            target = st.target
            assert target is not None  # backward code is assignments (passes.backward_start)
            steps.append(Step(i, st, value, tuple(reads), bound.get(target)))
            bound[target] = i
            env[target] = value
            if overrides and target in overrides and last[target] == i:
                env[target] = overrides[target]
        return steps

    def value_in(self, e: Expr, env: dict[str, Any]) -> Any:
        """The value of an expression where the backward names have the values of ``env``."""
        return self.expr(e, _Scope(dict(env), dict.fromkeys(env, 0), []))

    def _check_depth(self, value: Any, st: Statement) -> None:
        """Refuse a formula much deeper than the forward pass's (it could not be printed)."""
        if self.forward.shape(value)[0] > self.forward.formula_limits[0]:
            raise self._too_deep(st)

    def _inputs(self) -> str:
        return ", ".join(self.forward.circuit.inputs) or "none"

    def _too_deep(self, st: Statement) -> LimitError:
        return LimitError(f"symbolic mode: the formula of {st.target} is nested too deeply to"
                          f" work with; give values for the inputs ({self._inputs()})",
                          st.line, st.col)

    def expr(self, e: Expr, scope: _Scope) -> Any:
        """The value of an expression, worked out with a stack of its own."""
        values: list[Any] = []
        stack: list[tuple[Expr, bool]] = [(e, False)]
        while stack:
            node, ready = stack.pop()
            if isinstance(node, Num):
                values.append(sympy_number(node.value) if self.symbolic else node.value)
            elif isinstance(node, Name):
                values.append(self._name(node, scope))
            elif isinstance(node, Array):
                values.append(literal(node, self.symbolic))
            elif not ready:
                stack.append((node, True))
                stack.extend((part, False) for part in reversed(_parts(node)))
            else:
                count = len(_parts(node))
                args = tuple(values[len(values) - count:])
                del values[len(values) - count:]
                if isinstance(node, Neg):
                    value = negated(args[0])
                elif isinstance(node, BinOp):
                    value = self.op(node.op, args[0], args[1], node)
                else:
                    assert isinstance(node, Call), node
                    value = self.call(node, args)
                self.work.count(node, args, value)
                values.append(value)
        return values[0]

    def _name(self, e: Name, scope: _Scope) -> Any:
        if e.id in scope.bound:
            scope.reads.append((e.id, scope.bound[e.id]))
            return scope.env[e.id]
        if e.id in self.forward.names:
            scope.reads.append((e.id, None))
            return self.forward_value(e.id)
        known = self.forward.names + [n for n in scope.bound if n not in self.forward.names]
        raise ParseError(unknown_name(e.id, known, ": not a name of the forward pass, nor"
                                  " assigned on an earlier line"), e.line, e.col)

    def call(self, e: Call, args: tuple[Any, ...]) -> Any:
        if e.func in MASK_FUNCTIONS:
            return mask(e, args, self.symbolic)
        gate = GATES[FUNCTIONS[e.func]]
        if self.symbolic and gate.array:
            raise _fail(f"{e.func}() works on vectors and matrices, which need numbers: give"
                        " the inputs values", e)
        if not self.symbolic and on_arrays(gate, args):
            return array_call(e, args)
        if self.symbolic:
            limit = self.forward.formula_limits[1]
            if e.func in ("max", "min") and \
                    1 + sum(self.forward.shape(a)[1] for a in args) > limit:
                raise LimitError(f"symbolic mode: max/min nest more than {limit} deep"
                                 " here, and their formulas grow too fast to work out; give"
                                 f" values for the inputs ({self._inputs()})", e.line, e.col)
            r = gate.sympy_formula(args)
            if r.has(sympy.zoo, sympy.nan):
                raise _fail(f"{e.func}() is not defined here", e)
            return _finite_formula(r, e, f"the result of {e.func}()")
        try:
            return gate.checked_forward(args, None)
        except EvaluationError as err:
            raise _fail(f"{e.func}(): {err}", e) from None
