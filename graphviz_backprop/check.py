"""Check a hand derivation of a backward pass, claim by claim, against the engine.

A derivation is a TOML file (the circuit and a ``[claims]`` table) or code written the way
the cs231n notes write it (the forward pass, then lines such as ``dfdq = z`` and
``dx += ...``).  Numbers are compared within a :class:`Tolerance`, formulas by symbolic
equivalence, and a wrong claim computed from another wrong one is traced back to the first
wrong step.  In code, the gradient of an input that no line assigns is reported as missing.
User text only goes through :func:`graphviz_backprop.parser.parse`; the backward lines are
interpreted over that whitelisted tree, never executed.

>>> report = check_text('''
... x = -2; y = 5; z = -4
... q = x + y
... f = q * z
... dfdq = -z
... dfdx = dfdq * 1.0
... ''', "code")
>>> [(c.name, c.status, c.line) for c in report.claims]  # no line assigns dfdy, dfdz
[('dfdq', 'wrong', 5), ('dfdx', 'inherited', 6), ('dfdy', 'missing', None), ('dfdz', 'missing', None)]
>>> report.claims[1].root_cause
(('dfdq', 5),)
"""

from __future__ import annotations

import difflib
import itertools
import math
import operator
import random
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterator

import networkx as nx
import sympy

from .backprop import Evaluation, evaluate
from .errors import EvaluationError, GbpError, InputError, LimitError, ParseError, ValuesError
from .gates import FUNCTIONS, GATES
from .graph import Circuit, _Builder, build
from .limits import MAX_INTEGER_DIGITS, symbolic_seconds, time_budget
from .notation import constant as format_number
from .notation import value_text as format_value
from .parser import parse
from .passes import backward_start, gradient_reading
from .symbolic import _not_finite, check_symbolic, symbolic_values, sympy_number
from .syntax import BinOp, Call, Expr, Name, Neg, Num, Program, Statement, is_constant, names_in
from .textfile import read_text
from .tomlfile import DERIVATION_KEYS, _finite, load_example, load_toml

__all__ = [
    "Tolerance", "ClaimResult", "NameWarning", "Report", "FolderEntry", "FolderReport",
    "check_text", "check_file", "check_folder", "format_report", "format_folder",
    "DEFAULT_ABS_TOL", "DEFAULT_REL_TOL", "SUFFIXES",
]

#: Default absolute tolerance: hand arithmetic with two decimals.
DEFAULT_ABS_TOL = 0.01
#: Default relative tolerance (1%): rounding to two decimals grows along a chain of products.
DEFAULT_REL_TOL = 0.01
#: File suffixes checked in a folder; ``.toml`` is the TOML format, the others are code.
SUFFIXES = (".toml", ".py")

#: Spot checks of formula equivalence: how many points, the seed, the relative agreement.
_SPOT_POINTS = 8
_SPOT_SEED = 231
_SPOT_RTOL = 1e-9
#: Digits of the floats a spot check works with.
_SPOT_DIGITS = 30
#: Largest magnitude, in bits, of a number that exact arithmetic makes or a spot check works
#: with: 10**±MAX_INTEGER_DIGITS.
_MAX_BITS = math.ceil(MAX_INTEGER_DIGITS * math.log2(10))
#: Longest formula text shown in the table (longer ones are in the JSON only).
_SHOWN_FORMULA = 40

OK, WRONG, INHERITED, MISSING, UNCHECKED = "ok", "wrong", "inherited", "missing", "unchecked"

#: Checking one derivation may take this many times symbolic_seconds() in all (each claim's
#: symbolic comparison may take symbolic_seconds()).
_FILE_BUDGETS = 5


# ---- tolerance -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tolerance:
    """A claimed number holds when ``|claimed - correct| <= abs + rel * |correct|``.

    A float-rounding allowance of 1e-9 relative is always added, so ``abs=0, rel=0``
    still accepts code that computes the same value in another order.

    >>> t = Tolerance()
    >>> t.allows(-0.60, -0.5898), t.allows(0.41, 0.39)
    (True, False)
    >>> str(t)
    '|claimed - correct| <= 0.01 + 1% of |correct|'
    """

    abs: float = DEFAULT_ABS_TOL
    rel: float = DEFAULT_REL_TOL

    def __post_init__(self) -> None:
        for what, value in (("absolute", self.abs), ("relative", self.rel)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not math.isfinite(value) or value < 0:
                raise InputError(f"{what} tolerance must be a number >= 0, not {value!r}")

    def allows(self, given: float, expected: float) -> bool:
        """True when ``given`` is within the tolerance of ``expected``."""
        slack = self.abs + self.rel * abs(expected) + 1e-9 * max(1.0, abs(expected))
        return abs(given - expected) <= slack

    def __str__(self) -> str:
        return (f"|claimed - correct| <= {format_number(self.abs)}"
                f" + {format_number(self.rel * 100)}% of |correct|")

    def to_dict(self) -> dict[str, Any]:
        return {"abs": self.abs, "rel": self.rel, "rule": str(self)}


# ---- results -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClaimResult:
    """One claim: what was claimed, what is correct, and where an error comes from.

    ``status`` is ``ok``, ``wrong`` (a first wrong step: every input it uses is right),
    ``inherited`` (wrong only because it uses a wrong claim), ``missing`` (code only: the
    gradient of an input that no line assigns; ``given`` is None) or ``unchecked`` (too
    complex to check symbolically within the time budget; ``note`` says why, and
    ``expected`` is None when even the correct formula could not be worked out);
    ``root_cause`` lists the first wrong steps, as ``(name, line)``, an error comes from
    (itself for ``wrong``).  Values are floats, or sympy formulas when the circuit has no
    input values.
    """

    claim: str
    name: str
    given: Any
    expected: Any
    status: str
    line: int | None
    formula: str | None = None
    expected_formula: str | None = None
    root_cause: tuple[tuple[str, int | None], ...] = ()
    note: str | None = None
    source: str | None = None
    nodes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == OK

    def to_dict(self) -> dict[str, Any]:
        """The claim as in ``gbp check --json``."""
        return {
            "claim": self.claim,
            "name": self.name,
            "given": _jsonable(self.given),
            "expected": _jsonable(self.expected),
            "ok": self.ok,
            "status": self.status,
            "line": self.line,
            "formula": self.formula,
            "expected_formula": self.expected_formula,
            "root_cause": None if self.status in (OK, MISSING, UNCHECKED) else [
                {"name": name, "line": line} for name, line in self.root_cause],
            "note": self.note,
            "source": self.source,
            "nodes": list(self.nodes),
        }


@dataclass(frozen=True)
class NameWarning:
    """A name of a backward pass written as code that looks like a gradient (it starts with
    d) but names no node of the circuit, and that no later line uses: a misspelt claim
    (``dzz`` for ``dz``).  It makes the report not OK."""

    name: str
    line: int | None
    message: str
    suggestion: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "line": self.line, "message": self.message,
                "suggestion": self.suggestion}

    def __str__(self) -> str:
        return (f"line {self.line}: " if self.line else "") + self.message


@dataclass(frozen=True)
class Report:
    """Every claim of one derivation, checked.

    In the code format ``claims`` also holds a ``missing`` row for every input whose
    gradient no line assigns; ``not_claimed`` names those gradients in both formats (in
    TOML they are only a note).  ``warnings`` are names that look like gradients but name
    no node.  The report is OK when every claim holds (none is wrong, missing or too complex
    to check) and there is no warning.
    """

    file: str
    format: str
    tolerance: Tolerance
    claims: tuple[ClaimResult, ...]
    output: str
    output_value: Any
    symbolic: bool
    evaluation: Evaluation | None = field(default=None, repr=False, compare=False)
    not_claimed: tuple[str, ...] = ()
    warnings: tuple[NameWarning, ...] = ()

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.claims) and not self.warnings

    def marks(self) -> dict[str, str]:
        """Node id -> ``wrong`` or ``inherited``, for drawing the circuit with its errors."""
        marks: dict[str, str] = {}
        for claim in self.wrong:
            # the wire a claim is about: the node's own, or for d a / d b the wire from b
            node = claim.nodes[0] if claim.nodes else None
            if node is not None and marks.get(node) != WRONG:
                marks[node] = claim.status
        return marks

    def summary(self) -> str:
        """One line for a picture's caption: which claims are wrong, and where from."""
        n = len(self.made)
        if self.ok:
            return f"All {n} claims hold."
        if not self.wrong:
            return f"{_held(self, 'All {} claims hold')}, but {_incomplete(self)}."
        roots = ", ".join(f"{c.name} (line {c.line})" if c.line else c.name for c in self.roots)
        inherited = [c.name for c in self.claims if c.status == INHERITED]
        text = f"{len(self.wrong)} of {n} claims wrong; first wrong: {roots}"
        text += f"; inherit the error: {', '.join(inherited)}" if inherited else ""
        return text + (f"; {_incomplete(self)}" if _incomplete(self) else "")

    @property
    def made(self) -> list[ClaimResult]:
        """The claims the derivation makes (every row but the missing ones)."""
        return [c for c in self.claims if c.status != MISSING]

    @property
    def wrong(self) -> list[ClaimResult]:
        """The wrong claims: first wrong steps and those that inherit an error."""
        return [c for c in self.claims if c.status in (WRONG, INHERITED)]

    @property
    def unchecked(self) -> list[ClaimResult]:
        """The claims too complex to check symbolically within the time budget."""
        return [c for c in self.claims if c.status == UNCHECKED]

    @property
    def missing(self) -> list[ClaimResult]:
        """The gradients of inputs that no line assigns (code only)."""
        return [c for c in self.claims if c.status == MISSING]

    @property
    def roots(self) -> list[ClaimResult]:
        """The first wrong steps, by line."""
        return sorted((c for c in self.claims if c.status == WRONG),
                      key=lambda c: (c.line is None, c.line or 0))

    @property
    def first_wrong(self) -> ClaimResult | None:
        roots = self.roots
        return roots[0] if roots else None

    def to_dict(self) -> dict[str, Any]:
        """The report as in ``gbp check --json``."""
        first = self.first_wrong
        return {
            "file": self.file,
            "format": self.format,
            "ok": self.ok,
            "tolerance": self.tolerance.to_dict(),
            "symbolic": self.symbolic,
            "output": {"name": self.output, "value": _jsonable(self.output_value)},
            "claims": [c.to_dict() for c in self.claims],
            "wrong": len(self.wrong),
            "first_wrong": None if first is None else {
                "claim": first.claim, "name": first.name, "line": first.line},
            "not_claimed": list(self.not_claimed),
            "warnings": [w.to_dict() for w in self.warnings],
        }


def _held(report: Report, all_hold: str) -> str:
    """How many claims hold, when none is wrong: ``all_hold`` (``All {} claims hold``), or
    ``2 of 3 claims hold`` when some are too complex to check."""
    n = len(report.made)
    if not n:
        return "Nothing is claimed"
    unchecked = len(report.unchecked)
    return f"{n - unchecked} of {n} claims hold" if unchecked else all_hold.format(n)


def _incomplete(report: Report) -> str:
    """What besides wrong claims makes a report not OK: claims too complex to check,
    missing gradients, stray names."""
    parts = []
    if report.unchecked:
        names = ", ".join(f"{c.name} (line {c.line})" if c.line else c.name
                          for c in report.unchecked)
        parts.append(f"{names} {'is' if len(report.unchecked) == 1 else 'are'} too complex to"
                     " check symbolically")
    missing = [c.name for c in report.missing]
    if missing:
        parts.append(f"{len(missing)} input gradient{'s are' if len(missing) > 1 else ' is'}"
                     f" missing ({', '.join(missing)})")
    if report.warnings:
        names = ", ".join(f"{w.name} (line {w.line})" if w.line else w.name
                          for w in report.warnings)
        parts.append(f"{names} name{'s' if len(report.warnings) == 1 else ''} no node of the"
                     " circuit")
    return " and ".join(parts)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, sympy.Basic) and value.is_Number:
        number = float(value)
        return number if math.isfinite(number) else _huge_text(value)
    return str(value)


def _huge_text(value: sympy.Number) -> str:
    """A number of exact arithmetic beyond float64, as text: ``1.74787e+954``."""
    return str(sympy.Float(value, 6))


# ---- names in the source -------------------------------------------------------------------------

def _unknown(name: str, names: list[str], what: str) -> str:
    """``unknown name 'w' in the claim (did you mean 'w0'? names: w0, x0, ...)``."""
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown name '{name}'{what} ({hint}names: {_names_text(names)})"


#: Longest claim of a TOML derivation (a name, dX, "dA/dB"), in characters.
_LONGEST_CLAIM = 200
#: Most names a message lists (a forward pass may have thousands), and most warnings that
#: suggest the nearest gradient name (each compares the name with every candidate).
_LISTED_NAMES = 20
_SUGGESTIONS = 100


def _names_text(names: list[str]) -> str:
    """``x, y, z``, or the first :data:`_LISTED_NAMES` names and how many more there are."""
    shown = ", ".join(names[:_LISTED_NAMES])
    more = len(names) - _LISTED_NAMES
    return shown + (f", ... ({more:,} more)" if more > 0 else "")


@dataclass(frozen=True)
class _Key:
    """What a claim is about: a forward value, d output / d a, or d a / d b."""

    kind: str
    a: str
    b: str | None = None

    def label(self, output: str) -> str:
        if self.kind == "value":
            return self.a
        if self.kind == "grad":
            return f"d{output}/d{self.a}"
        return f"d{self.a}/d{self.b}"


class _Problem(Exception):
    """A claim that cannot be read; the caller adds where it is."""


# ---- the time budget of symbolic work ----------------------------------------------------------

class _TooComplex(Exception):
    """A claim whose symbolic comparison is over its time budget or a size limit; the
    message says why, as the claim's note ends: ``more than 4 s``."""


#: Errors of a symbolic comparison too large for sympy (its stack, memory, or numbers).
_TOO_LARGE = (LimitError, RecursionError, MemoryError, OverflowError)


class _Clock:
    """The wall-clock budget of one derivation's symbolic work (see :func:`time_budget`).

    Each claim's comparison may take :func:`symbolic_seconds`; over it, the claim is too
    complex to check, not wrong.  All the work on the derivation together (from reading it)
    may take :data:`_FILE_BUDGETS` times that; over it, the derivation is an error.  The
    budgets of one derivation follow one another and never nest (an outer one would govern).
    """

    def __init__(self) -> None:
        self.seconds = symbolic_seconds()
        self.total = self.seconds * _FILE_BUDGETS
        self.deadline = time.monotonic() + self.total
        self.symbolic = False  # whether any of the work was symbolic

    def over(self, where: str = "") -> LimitError:
        advice = "; give values for the inputs, or claim numbers instead of formulas" \
            if self.symbolic else ""
        return LimitError(f"checking this derivation takes too long (more than"
                          f" {self.total:g} s in all{where}){advice}")

    def left(self) -> float:
        """Seconds left for the derivation; a :class:`LimitError` when none are."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise self.over()
        return left

    @contextmanager
    def claim(self, symbolic: bool = True) -> Iterator[None]:
        """One claim's comparison: over its budget or a size limit (``symbolic``: it does
        symbolic work), :class:`_TooComplex`."""
        left = self.left()
        if not symbolic:
            yield
            return
        self.symbolic = True
        seconds = min(self.seconds, left)
        expired = f"more than {seconds:g} s"
        try:
            with time_budget(seconds, expired):
                yield
        except _TOO_LARGE as err:
            if isinstance(err, LimitError) and err.message is expired:
                if seconds < self.seconds:  # the derivation's time ran out, not the claim's
                    raise self.over() from None
                raise _TooComplex(expired) from None
            raise _TooComplex("its formulas are too large to work out") from None

    @contextmanager
    def part(self, symbolic: bool, where: Callable[[], str] | None = None) -> Iterator[None]:
        """Work on the whole derivation (``symbolic`` or not); ``where()`` says where it was,
        when it runs out."""
        self.symbolic = self.symbolic or symbolic
        expired = f"over {self.total:g} s"
        try:
            with time_budget(self.left(), expired):
                yield
        except LimitError as err:
            if err.message is not expired:
                raise
            raise self.over(where() if where else "") from None


# ---- the forward pass: circuit, values, and the true answers -------------------------------------

def _backprop(circuit: Circuit, ev: Evaluation, start: str,
              overrides: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Gradients of node ``start`` w.r.t. every node, from the evaluation's local gradients.

    ``overrides`` replaces the gradient at some nodes before it flows on; the second dict
    holds each node's gradient as it arrived, before any override.
    """
    zero, one = (sympy.S.Zero, sympy.S.One) if ev.symbolic else (0.0, 1.0)
    grads: dict[str, Any] = dict.fromkeys(circuit.order, zero)
    grads[start] = one
    arrived: dict[str, Any] = {}
    for node in reversed(circuit.order):
        arrived[node] = grads[node]
        if overrides and node in overrides:
            grads[node] = overrides[node]
        if circuit.graph.nodes[node]["kind"] != "gate" or grads[node] == zero:
            continue
        for arg, d in zip(circuit.operands[node], ev.local[node]):
            grads[arg] = grads[arg] + grads[node] * d
    return grads, arrived


class _Forward:
    """The forward pass of a derivation: its circuit, its names, and the correct answers.

    Names rebound in the forward pass (``c = c + 1``) mean their last binding; inside a
    local gradient dA/dB, B means the binding that A's (last) definition reads.
    """

    def __init__(self, statements: tuple[Statement, ...], source: str,
                 at: dict[str, float] | None = None):
        self.statements = statements
        self.source = source
        self.circuit = build(Program(statements, source))
        self.evaluation = evaluate(self.circuit, at)
        self.symbolic = self.evaluation.symbolic
        last = statements[-1].target if statements else None
        self.output = last or self.circuit.output_name
        names: dict[str, None] = {}
        for st in statements:
            for n in names_in(st.value):
                names.setdefault(n)
            if st.target:
                names.setdefault(st.target)
        names.setdefault(self.output)
        self.names = list(names)
        self._nodes: dict[tuple[str, int | None], str] = {}
        self._sym: Evaluation | None = None
        self._sym_failed = False
        self.shape = _Shape()
        self._limits: tuple[int, int] | None = None

    # -- where names live -----------------------------------------------------------------------

    def last_binding(self, name: str) -> int | None:
        """Index of the statement that binds ``name`` last (None for a pure input)."""
        return self._last.get(name)

    @cached_property
    def _name_set(self) -> frozenset[str]:
        return frozenset(self.names)

    @cached_property
    def _last(self) -> dict[str, int]:
        return {st.target: i for i, st in enumerate(self.statements) if st.target}

    @cached_property
    def _bindings(self) -> dict[str, list[tuple[int, str]]]:
        """Each name's nodes in the forward pass, in order, with the index of the statement
        that makes it so (a name first read as an input is bound by the statement that reads
        it).  The builder itself resolves the names, statement by statement, exactly as it
        builds the circuit, so node ids are the circuit's; done once, it keeps a derivation
        of thousands of lines linear."""
        builder = _Builder(self.source, expand=False)
        bindings: dict[str, list[tuple[int, str]]] = {}
        for i, st in enumerate(self.statements):
            builder.program(Program((st,), self.source))
            for name in dict.fromkeys([*names_in(st.value), *([st.target] if st.target else [])]):
                node = builder.env[name]
                if name not in bindings or bindings[name][-1][1] != node:
                    bindings.setdefault(name, []).append((i, node))
        return bindings

    def node_of(self, name: str, before: int | None = None) -> str:
        """The node a name means at the end of the forward pass, or just before a statement
        (what the builder resolves it to at that point)."""
        key = (name, before)
        if key in self._nodes:
            return self._nodes[key]
        end = len(self.statements) if before is None else before
        nodes = [node for i, node in self._bindings.get(name, ()) if i < end]
        if nodes:
            node = nodes[-1]
        elif name in self.circuit.inputs:
            node = self.circuit.inputs[name]
        elif name == self.output and before is None:
            node = self.circuit.output
        else:
            raise KeyError(name)
        self._nodes[key] = node
        return node

    @property
    def sym(self) -> Evaluation:
        """The symbolic evaluation (every value and gradient a formula of the inputs).

        Raises :class:`_TooComplex` once it has failed: each claim would try again.
        """
        if self._sym is None:
            if self._sym_failed:
                raise _TooComplex("the circuit's formulas take too long or are too large to"
                                  " work out")
            try:
                self._sym = (self.evaluation if self.symbolic
                             else evaluate(replace(self.circuit, given={})))
            except BaseException:  # the clock's too, which is no Exception
                self._sym_failed = True
                raise
        return self._sym

    @property
    def formula_limits(self) -> tuple[int, int]:
        """How deep a formula of the symbolic backward pass may be, and how deep max/min may
        nest in it (:data:`_MAX_FORMULA_DEPTH`, :data:`_MAX_MINMAX_NESTING`), or a little
        more than the symbolic forward pass's own formulas."""
        if self._limits is None:
            ev = self.evaluation
            shapes = [self.shape(f) for f in (*ev.values.values(), *ev.grads.values(),
                                              *(d for ds in ev.local.values() for d in ds))
                      ] if self.symbolic else []
            self._limits = (max([_MAX_FORMULA_DEPTH, *(d + 10 for d, _ in shapes)]),
                            max([_MAX_MINMAX_NESTING, *(n + 2 for _, n in shapes)]))
        return self._limits

    def value(self, name: str, before: int | None = None, symbolic: bool = False) -> Any:
        node = self.node_of(name, before)
        return (self.sym if symbolic else self.evaluation).values[node]

    @property
    def point(self) -> dict[str, float] | None:
        """The inputs' values (None in symbolic mode)."""
        if self.symbolic:
            return None
        return {n: self.evaluation.values[node] for n, node in self.circuit.inputs.items()}

    # -- claims -----------------------------------------------------------------------------------

    def key(self, reading: tuple[str, ...]) -> _Key:
        """A claim key from a reading (``("value", q)``, ``("grad", x)``, ``("local", q, x)``).

        Raises :class:`_Problem` for a local gradient between names that are not connected.
        """
        kind, *names = reading
        for n in names:
            if n not in self.names:
                raise _Problem(_unknown(n, self.names, " in the claim"))
        if kind != "local":
            return _Key(kind, names[0])
        a, b = names
        if a == self.output:
            return _Key("grad", b)
        node_a = self.node_of(a)
        idx = self.last_binding(a)
        if a == b:  # 1, unless A's definition reads an earlier binding of itself (c = c * c)
            return _Key("local", a, b)
        if idx is None or is_constant(self.statements[idx].value):
            raise _Problem(f"{a} is an input: it depends on no other value, so d{a}/d{b} does"
                           f" not exist")
        if b in names_in(self.statements[idx].value):
            return _Key("local", a, b)
        try:
            node_b = self.node_of(b, idx)
        except KeyError:
            node_b = None
        if node_b is None or not nx.has_path(self.circuit.graph, node_b, node_a):
            raise _Problem(f"{a} does not depend on {b}, so d{a}/d{b} is not a wire of the"
                           f" circuit")
        return _Key("local", a, b)

    def expected(self, key: _Key, symbolic: bool) -> Any:
        """The correct value (float) or formula (sympy, in the inputs) of a claim."""
        ev = self.sym if symbolic else self.evaluation
        if key.kind == "value":
            return self.value(key.a, symbolic=symbolic)
        if key.kind == "grad":
            return ev.grads[self.node_of(key.a)]
        idx = self.last_binding(key.a)
        definition = None if idx is None else self.statements[idx].value
        if definition is None or key.b not in names_in(definition):
            if key.a == key.b:
                return sympy.S.One if symbolic else 1.0
        assert idx is not None and definition is not None  # checked by key()
        if key.b in names_in(definition):
            return self._partial(definition, key.b, idx, symbolic)
        grads, _ = _backprop(self.circuit, ev, self.node_of(key.a))
        return grads[self.node_of(key.b, idx)]

    def nodes(self, key: _Key) -> tuple[str, ...]:
        """The circuit nodes a claim is about (ids as in ``gbp eval --json``): the node of a
        value or gradient; for d a / d b, the node of b (as a's definition reads it) and of a."""
        if key.kind != "local":
            return (self.node_of(key.a),)
        idx = self.last_binding(key.a)
        return (self.node_of(key.b, idx if key.a != key.b else None), self.node_of(key.a))

    def _partial(self, definition: Expr, b: str, idx: int, symbolic: bool) -> Any:
        """d definition / d b, the other names of the definition held fixed (a local gradient)."""
        mini = build(Program((Statement(None, definition, 1, 1),), self.source))
        if symbolic:
            d = evaluate(mini).grads[mini.inputs[b]]
            return d.xreplace({sympy.Symbol(n, real=True): self.value(n, idx, symbolic=True)
                               for n in mini.inputs})
        at = {n: self.value(n, idx) for n in mini.inputs}
        return evaluate(mini, at).grads[mini.inputs[b]]

    def formula(self, text: str) -> tuple[Any, Circuit]:
        """A claimed formula, read: its value at the point (None in symbolic mode, unless it
        has no names) and its circuit.

        Raises :class:`_Problem` (or the parser's error) when it cannot be read.
        """
        program = parse(text)
        if len(program.statements) != 1 or program.statements[0].target is not None:
            raise _Problem("a formula is one expression, not an assignment or several lines")
        try:
            mini = build(program)
        except RecursionError:  # max(...) of many arguments, nested in one another
            raise _Problem("the formula is nested too deeply to work with") from None
        for n in mini.inputs:
            if n not in self.names:
                raise _Problem(_unknown(n, self.names, " in the formula"))
        if not mini.inputs:
            return float(mini.graph.nodes[mini.output]["value"]), mini
        if self.symbolic:
            return None, mini
        try:
            value = evaluate(mini, {n: self.value(n) for n in mini.inputs}).output
        except EvaluationError as err:
            raise _Problem(f"the formula cannot be evaluated at the point: {err}") from None
        return value, mini

    def formula_expr(self, mini: Circuit) -> sympy.Expr:
        """A claimed formula (its circuit) as sympy, in the inputs: symbolic work, refused
        with a :class:`LimitError` when the formulas would be too large to work out.

        Raises :class:`_Problem` when it is not a finite number for any input.
        """
        check_symbolic(mini)
        formula = symbolic_values(mini)[mini.output].xreplace(
            {sympy.Symbol(n, real=True): self.value(n, symbolic=True) for n in mini.inputs})
        why = _not_finite(formula)
        if why:
            raise _Problem(f"the formula is not a finite number for any input ({why})")
        return formula

    # -- what is not claimed ----------------------------------------------------------------------

    def gradient_name(self, name: str, long: bool = False) -> str:
        """How code writes d output / d name: ``dx`` (``long``: ``dfdx`` first), else
        ``dfdx`` (when ``dx`` is a name of the forward pass), else ``df/dx``."""
        names = set(self.names)
        candidates = [f"d{name}", f"d{self.output}d{name}"]
        for candidate in reversed(candidates) if long else candidates:
            reading = gradient_reading(candidate, names)
            try:
                if reading is not None and self.key(reading) == _Key("grad", name):
                    return candidate
            except _Problem:
                continue
        return f"d{self.output}/d{name}"

    def unclaimed_inputs(self, keys: Any) -> list[str]:
        """The inputs the output depends on whose gradient none of ``keys`` is about.

        An input rebound later (``x = 2`` then ``x = x * 3``) is left out: ``dx`` means the
        gradient of the last ``x``.
        """
        claimed = {self.node_of(k.a) for k in keys if k.kind == "grad"}
        graph, output = self.circuit.graph, self.circuit.output
        return [name for name, node in self.circuit.inputs.items()
                if node not in claimed and self.node_of(name) == node
                and nx.has_path(graph, node, output)]

    def no_node(self, name: str, taken: set[str] | None = None,
                suggest: bool = True) -> tuple[str, str | None]:
        """Why ``dzz`` is no gradient, and the nearest gradient name (preferring those not in
        ``taken``): ``("no node 'zz'; did you mean dz?", "dz")``; only why, if not
        ``suggest``."""
        rest = name[1:]
        absent = rest
        names = self._name_set
        candidates = [f"d{n}" for n in self.names if f"d{n}" not in names]
        a = next((rest[:i] for i in range(1, len(rest) - 1)
                  if rest[i] == "d" and rest[:i] in names), None)
        if a is not None:  # dAdB with an unknown B
            absent = rest[len(a) + 1:]
            candidates += [f"d{a}d{n}" for n in self.names if n != a]
        if not suggest:
            return f"no node '{absent}'", None
        free = [c for c in candidates if c not in (taken or set())]
        close = (difflib.get_close_matches(name, free, n=1)
                 or difflib.get_close_matches(name, candidates, n=1))
        if close:
            return f"no node '{absent}'; did you mean {close[0]}?", close[0]
        return f"no node '{absent}' (names: {_names_text(self.names)})", None

    def contributions(self, name: str) -> list[float]:
        """Gradient flowing into ``name``'s node along each of its outgoing wires (numeric)."""
        node = self.node_of(name)
        ev = self.evaluation
        return [ev.grads[v] * ev.local[v][d["port"]]
                for _, v, d in self.circuit.graph.out_edges(node, data=True)]


# ---- comparing ---------------------------------------------------------------------------------

def _sym(value: Any) -> sympy.Basic:
    """An internal number or formula as a sympy object (never parses text)."""
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"not a number or formula: {value!r}")
    return sympy.Integer(value) if isinstance(value, int) else sympy.Float(value)


class _OutOfRange(Exception):
    """A number a spot check does not work with: not finite, or beyond 10**±1000."""


def _bits(number: sympy.Number) -> int:
    """How far a number is from 1, in bits (the size of its binary exponent); 0 for zero.

    >>> _bits(sympy.Integer(2) ** 100), _bits(sympy.Rational(1, 1024)), _bits(sympy.Float(1e-300))
    (101, 11, 996)
    """
    if number.is_Float:
        _, mantissa, exponent, size = number._mpf_
        if not mantissa:
            if exponent:  # inf or nan
                raise _OutOfRange
            return 0
        return abs(exponent + size)
    if number.is_Rational:
        return max(abs(number.p).bit_length(), number.q.bit_length())
    raise _OutOfRange  # oo, nan


def _in_range(value: Any) -> Any:
    """``value`` if every number in it is finite and within 10**±1000 (:data:`_MAX_BITS`)."""
    if isinstance(value, sympy.Expr):
        if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            raise _OutOfRange
        for number in (value,) if value.is_Number else value.atoms(sympy.Number):
            if _bits(number) > _MAX_BITS:
                raise _OutOfRange
    return value


def _spot_value(expr: sympy.Basic, point: dict[sympy.Symbol, sympy.Float]) -> complex | None:
    """``expr`` with its symbols at ``point``, worked out part by part in floats of
    :data:`_SPOT_DIGITS` digits; None where a part is not a finite number or is beyond
    10**±1000 (:data:`_MAX_BITS`).

    Working bottom-up bounds the work: sympy, given the whole formula, would work out
    ``exp(exp(exp(exp(x))))`` to a number whose exponent alone has millions of digits.  A
    shared part is worked out once, and no part of the formula is walked recursively.

    >>> x = sympy.Symbol("x", real=True)
    >>> _spot_value(x**2 + 1, {x: sympy.Float(3, 30)})
    (10+0j)
    >>> _spot_value(sympy.exp(sympy.exp(sympy.exp(sympy.exp(x)))), {x: sympy.Float(3, 30)}) is None
    True
    """
    memo: dict[Any, Any] = {}
    stack: list[tuple[Any, bool]] = [(expr, False)]
    try:
        while stack:
            node, ready = stack.pop()
            if node in memo:
                continue
            if node in point:
                memo[node] = point[node]
            elif not node.args:  # a number, a constant such as pi, true or false
                memo[node] = _in_range(node.evalf(_SPOT_DIGITS) if node.is_NumberSymbol else node)
            elif not ready:
                stack.append((node, True))
                stack.extend((arg, False) for arg in node.args if arg not in memo)
            else:
                value = node.func(*(memo[arg] for arg in node.args))
                if isinstance(value, sympy.Expr) and not value.is_Number:
                    value = value.evalf(_SPOT_DIGITS)  # its parts are numbers in range
                memo[node] = _in_range(value)
        return complex(memo[expr])
    except (_OutOfRange, TypeError, ValueError, ZeroDivisionError, OverflowError,
            AttributeError, MemoryError, RecursionError):
        return None


def _eval_at(expr: sympy.Expr, point: dict[sympy.Symbol, float]) -> float | None:
    """A formula's value at a point, or None where it is not a finite real number (or a part
    of it is beyond 10**±1000)."""
    value = _spot_value(_sym(expr), {s: sympy.Float(v, _SPOT_DIGITS) for s, v in point.items()})
    if value is None or not math.isfinite(value.real) \
            or abs(value.imag) > 1e-12 * max(1.0, abs(value.real)):
        return None
    return value.real


def _spot_points(symbols: list[sympy.Symbol], center: dict[str, float] | None) -> list[dict]:
    """Seeded random points: near ``center`` (same branch of max/relu/abs), else spread out."""
    rng = random.Random(_SPOT_SEED)
    points = []
    for i in range(_SPOT_POINTS):
        point = {}
        for s in symbols:
            c = center.get(s.name) if center else None
            if c is not None:
                point[s] = c * (1 + rng.uniform(-0.1, 0.1)) + rng.uniform(-0.01, 0.01)
            else:
                sign = 1 if i % 2 == 0 else rng.choice((1, -1))
                point[s] = sign * rng.uniform(0.3, 2.0)
        points.append(point)
    return points


#: The largest difference of two formulas sympy.simplify is asked about: its operations, and
#: its degree as a polynomial once multiplied out (simplify multiplies out, and did so to
#: (x + 1)**10**6 for gigabytes within the time budget).
_SIMPLIFY_OPS = 500
_SIMPLIFY_DEGREE = 64


def _degree(expr: sympy.Basic) -> float:
    """The degree a formula would have multiplied out, counting each function as a variable.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> _degree(x**2 * (1 - x)**3), _degree(((x + y + 1)**32 + 1)**32), _degree(sympy.exp(x**3))
    (5, 1024, 3)
    """
    memo: dict[Any, float] = {}
    stack = [(expr, False)]
    while stack:
        node, ready = stack.pop()
        if node in memo:
            continue
        if not node.args:
            memo[node] = 1 if node.is_Symbol else 0
        elif not ready:
            stack.append((node, True))
            stack.extend((arg, False) for arg in node.args if arg not in memo)
        elif node.is_Pow and node.exp.is_Rational:
            memo[node] = abs(node.exp) * memo[node.base]
        elif node.is_Mul:
            memo[node] = sum(memo[arg] for arg in node.args)
        else:
            memo[node] = max(memo[arg] for arg in node.args)
    return memo[expr]


def _equivalent(a: Any, b: Any, center: dict[str, float] | None) -> bool:
    """Same formula: agreement at seeded random points near the point, else simplify(a-b) == 0
    (a :class:`LimitError` when the difference is too large for simplify).

    >>> x, z = sympy.symbols("x z", real=True)
    >>> _equivalent(1 * z, z, None), _equivalent((x + 1)**2, x**2 + 2*x + 1, {"x": 3.0})
    (True, True)
    >>> _equivalent(-z, z, {"z": -4.0})
    False
    """
    a, b = _sym(a), _sym(b)
    diff = a - b
    if diff == 0:
        return True
    symbols = sorted(a.free_symbols | b.free_symbols, key=lambda s: s.name)
    agree = 0
    for point in _spot_points(symbols, center):
        va, vb = _eval_at(a, point), _eval_at(b, point)
        if va is None or vb is None:
            continue
        if abs(va - vb) > _SPOT_RTOL * max(1.0, abs(va), abs(vb)):
            return False
        agree += 1
    if agree >= 3:
        return True
    if _degree(diff) > _SIMPLIFY_DEGREE or sympy.count_ops(diff) > _SIMPLIFY_OPS:
        raise LimitError("too large for sympy.simplify")  # the caller: too complex to check
    try:  # too few points where both are defined: ask sympy
        return bool(sympy.simplify(diff) == 0)
    except (RecursionError, MemoryError, OverflowError):
        raise  # too large for sympy: not shown equal, nor different (the caller says so)
    except Exception:  # noqa: BLE001 - sympy may fail in many ways; then they are not shown equal
        return False


def _brief(text: str) -> str:
    """A claimed formula in an error message, cut short: ``'max(x*0, x*1, ...'``."""
    return repr(text if len(text) <= 2 * _SHOWN_FORMULA else text[:2 * _SHOWN_FORMULA - 3] + "...")


def _shown(expr: Any) -> str | None:
    """A formula short enough for the table, else None."""
    if expr is None:
        return None
    text = str(expr)
    return text if len(text) <= _SHOWN_FORMULA else None


class _Compare:
    """Equality of a claim and the truth: within the tolerance, or the same formula."""

    def __init__(self, forward: _Forward, tolerance: Tolerance):
        self.forward = forward
        self.tolerance = tolerance

    def same(self, given: Any, expected: Any) -> bool:
        if self.forward.symbolic:
            return _equivalent(given, expected, None)
        return self.tolerance.allows(float(given), float(expected))


# ---- code: the backward pass, interpreted --------------------------------------------------------

@dataclass
class _Step:
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


def _numeric_op(op: str, a: float, b: float, e: Expr) -> float:
    try:
        r = _OPERATORS[op](a, b)
    except ZeroDivisionError:
        raise _fail("division by zero", e) from None
    except OverflowError:
        raise _fail("the result overflows float64", e) from None
    if isinstance(r, complex):
        raise _fail("the result is not a real number", e)
    if not math.isfinite(r):
        raise _fail("the result is not a finite number", e)
    return float(r)


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
        if _bits(r) > _MAX_BITS:
            raise LimitError(f"exact arithmetic: {what} is a number of more than"
                             f" {MAX_INTEGER_DIGITS:,} digits", e.line, e.col)
        return r
    value = _spot_value(r, {})
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
    return e.args  # type: ignore[attr-defined]


#: How deep formulas of the symbolic backward pass may get, unless the forward pass's own go
#: deeper: parts nested in parts (sympy prints and compares formulas recursively), and max/min
#: nested in max/min (sympy compares every two arguments of a max: 100 take minutes).  The
#: second is the forward pass's limit in symbolic mode (evaluate.check_symbolic).
_MAX_FORMULA_DEPTH = 150
_MAX_MINMAX_NESTING = 12


class _Shape:
    """How deep sympy formulas are: parts nested in parts, and max/min nested in max/min
    (``Max(a, b, c)`` counts 2, as the ``max(max(a, b), c)`` it comes from).  Each part is
    measured once, without recursion."""

    def __init__(self) -> None:
        self._memo: dict[Any, tuple[int, int]] = {}

    def __call__(self, expr: Any) -> tuple[int, int]:
        """``(depth, max/min nesting)`` of a formula."""
        memo = self._memo
        stack = [(expr, False)]
        while stack:
            node, ready = stack.pop()
            if node in memo:
                continue
            args = getattr(node, "args", ())
            if ready or not args:
                inner = [memo[a] for a in args]
                depth = 1 + max((d for d, _ in inner), default=0)
                nesting = max((n for _, n in inner), default=0)
                if isinstance(node, (sympy.Max, sympy.Min)):
                    nesting += len(args) - 1
                memo[node] = (depth, nesting)
            else:
                stack.append((node, True))
                stack.extend((a, False) for a in args if a not in memo)
        return memo[expr]


class _Interpreter:
    """Runs backward statements over the whitelisted tree: numbers, names, + - * / **,
    unary minus and the gate table's functions.  Nothing is executed, and nothing recurses:
    a folded max(...) of 100 arguments is a chain of 99 calls, and such chains may nest."""

    def __init__(self, forward: _Forward):
        self.forward = forward
        self.symbolic = forward.symbolic
        self.op = _symbolic_op if self.symbolic else _numeric_op
        self._forward_values: dict[str, Any] = {}
        self.statement: Statement | None = None  # the one being worked out

    def forward_value(self, name: str) -> Any:
        if name not in self._forward_values:
            self._forward_values[name] = self.forward.value(name, symbolic=self.symbolic)
        return self._forward_values[name]

    def run(self, statements: tuple[Statement, ...],
            overrides: dict[str, Any] | None = None) -> list[_Step]:
        """Run the statements; ``overrides`` replaces a name's value after its last binding."""
        last = {st.target: i for i, st in enumerate(statements)}
        bound: dict[str, int] = {}
        env: dict[str, Any] = {}
        steps: list[_Step] = []
        for i, st in enumerate(statements):
            self.statement = st
            reads: list[tuple[str, int | None]] = []
            try:
                value = self.expr(st.value, _Scope(env, bound, reads))
                if self.symbolic:
                    self._check_depth(value, st)
            except RecursionError:  # in sympy, on a formula deeper than its stack allows
                raise self._too_deep(st) from None
            steps.append(_Step(i, st, value, tuple(reads), bound.get(st.target)))
            bound[st.target] = i  # type: ignore[index]
            env[st.target] = value  # type: ignore[index]
            if overrides and st.target in overrides and last[st.target] == i:
                env[st.target] = overrides[st.target]  # type: ignore[index]
        return steps

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
            elif not ready:
                stack.append((node, True))
                stack.extend((part, False) for part in reversed(_parts(node)))
            elif isinstance(node, Neg):
                values[-1] = -values[-1]
            elif isinstance(node, BinOp):
                right = values.pop()
                values[-1] = self.op(node.op, values[-1], right, node)
            else:
                count = len(node.args)  # type: ignore[attr-defined]
                args = tuple(values[-count:])
                del values[-count:]
                values.append(self.call(node, args))  # type: ignore[arg-type]
        return values[0]

    def _name(self, e: Name, scope: _Scope) -> Any:
        if e.id in scope.bound:
            scope.reads.append((e.id, scope.bound[e.id]))
            return scope.env[e.id]
        if e.id in self.forward.names:
            scope.reads.append((e.id, None))
            return self.forward_value(e.id)
        known = self.forward.names + [n for n in scope.bound if n not in self.forward.names]
        raise ParseError(_unknown(e.id, known, ": not a name of the forward pass, nor"
                                  " assigned on an earlier line"), e.line, e.col)

    def call(self, e: Call, args: tuple[Any, ...]) -> Any:
        gate = GATES[FUNCTIONS[e.func]]
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


def _source_line(text: str, line: int | None) -> str | None:
    lines = text.split("\n")
    if line is None or not 0 < line <= len(lines):
        return None
    return lines[line - 1].split("#", 1)[0].strip() or None


class _CodeCheck:
    """Checks a derivation written as code."""

    def __init__(self, text: str, tolerance: Tolerance):
        self.clock = _Clock()
        self.text = text
        self.tolerance = tolerance
        program = parse(text)
        statements = program.statements
        k = backward_start(program)
        if k is None:
            raise ParseError(
                "no backward pass: no line assigns a gradient name such as dx or dfdx (dX is"
                " d output / d X and dAdB is d A / d B, for names X, A, B of the forward pass)")
        self.forward = _Forward(statements[:k], text)
        self.backward = statements[k:]
        self.compare = _Compare(self.forward, tolerance)
        self.keys: dict[str, _Key] = {}
        for st in self.backward:
            if st.target is None:
                raise ParseError("a bare expression in the backward pass; assign it to a"
                                 " gradient name such as dx", st.line, st.col)
            if st.target in self.forward.names:
                raise ParseError(
                    f"'{st.target}' is a value of the forward pass, which ends at line"
                    f" {statements[k - 1].line}; the backward pass assigns gradients (dX, dAdB)"
                    " and helper names", st.line, st.col)
            reading = gradient_reading(st.target, set(self.forward.names))
            if reading is not None and st.target not in self.keys:
                try:
                    self.keys[st.target] = self.forward.key(reading)
                except _Problem as err:
                    raise ParseError(f"'{st.target}': {err}", st.line, st.col) from None
        self.interpreter = _Interpreter(self.forward)

    def run(self) -> Report:
        steps = self._run()
        last = {s.target: s.index for s in steps}
        first = {}
        for s in steps:
            first.setdefault(s.target, s.index)
        names = sorted(self.keys, key=lambda n: last[n])  # dependency order
        symbolic = self.forward.symbolic
        given = {n: steps[last[n]].value for n in names}
        expected: dict[str, Any] = dict.fromkeys(names)
        ok: dict[str, bool | None] = {}  # None: too complex to check
        notes: dict[str, str | None] = dict.fromkeys(names)
        for n in names:
            try:
                with self.clock.claim(symbolic):
                    expected[n] = self.forward.expected(self.keys[n], symbolic)
                    ok[n] = self.compare.same(given[n], expected[n])
            except _TooComplex as err:
                ok[n], notes[n] = None, f"too complex to check symbolically ({err})"
        deps = self._dependencies(steps, last)

        status: dict[str, str] = {}
        roots: dict[str, tuple[tuple[str, int | None], ...]] = {}
        lines: dict[str, int] = {}
        wrong = [n for n in names if ok[n] is False]
        for n in names:
            lines[n] = steps[last[n]].statement.line
            if ok[n] is not False:
                status[n] = OK if ok[n] else UNCHECKED
                continue
            bad_inputs = [d for d in deps[n] if ok[d] is False]
            rerun = self._run({w: expected[w] for w in wrong if w != n}) if bad_inputs else steps
            corrected = rerun[last[n]].value
            if bad_inputs and self._same(corrected, expected[n]):
                status[n] = INHERITED
                inherited: dict[tuple[str, int | None], None] = {}
                for d in bad_inputs:
                    for r in roots[d]:
                        inherited.setdefault(r)
                roots[n] = tuple(inherited)
                continue
            status[n] = WRONG
            lines[n], notes[n] = self._locate(n, rerun, expected[n])
            if bad_inputs:
                also = ", ".join(bad_inputs)
                notes[n] = (notes[n] + "; " if notes[n] else "") + f"also uses wrong {also}"
            roots[n] = ((n, lines[n]),)

        label = self.forward.output
        results = []
        for n in sorted(names, key=lambda n: (lines[n], first[n])):
            key = self.keys[n]
            results.append(ClaimResult(
                claim=key.label(label), name=n, given=given[n], expected=expected[n],
                status=status[n], line=lines[n],
                expected_formula=str(expected[n]) if symbolic and expected[n] is not None
                else None,
                root_cause=roots.get(n, ()), note=notes[n],
                source=_source_line(self.text, lines[n]), nodes=self.forward.nodes(key)))
        not_claimed = []
        # missing gradients are named as the derivation names its gradients: dx or dfdx
        styles = [n == f"d{label}d{k.a}" for n, k in self.keys.items() if k.kind == "grad"]
        long = sum(styles) > len(styles) - sum(styles)
        for name in self.forward.unclaimed_inputs(self.keys.values()):
            key = _Key("grad", name)
            correct = self.forward.expected(key, symbolic)
            gradient = self.forward.gradient_name(name, long)
            not_claimed.append(gradient)
            results.append(ClaimResult(
                claim=key.label(label), name=gradient, given=None, expected=correct,
                status=MISSING, line=None, expected_formula=str(correct) if symbolic else None,
                note=f"no line assigns {gradient}", nodes=self.forward.nodes(key)))
        return Report("<text>", "code", self.tolerance, tuple(results), label,
                      self.forward.evaluation.output, symbolic, self.forward.evaluation,
                      not_claimed=tuple(not_claimed), warnings=self._warnings(steps))

    def _run(self, overrides: dict[str, Any] | None = None) -> list[_Step]:
        """The backward pass, run within the derivation's time budget."""
        with self.clock.part(self.forward.symbolic, self._where):
            return self.interpreter.run(self.backward, overrides)

    def _where(self) -> str:
        statement = self.interpreter.statement
        return f", at line {statement.line}" if statement else ""

    def _same(self, given: Any, expected: Any) -> bool:
        """Whether two values agree, within the budget of a claim (False when too complex)."""
        try:
            with self.clock.claim(self.forward.symbolic):
                return self.compare.same(given, expected)
        except _TooComplex:
            return False

    def _warnings(self, steps: list[_Step]) -> tuple[NameWarning, ...]:
        """Names that start with d, name no node, and that no later line uses (``dzz``)."""
        used = {name for s in steps for name, idx in s.reads
                if idx is not None and name != s.target}
        found: dict[str, NameWarning] = {}
        taken = set(self.keys)
        for s in steps:
            t = s.target
            if t in self.keys or t in found or t in used or len(t) < 2 or not t.startswith("d"):
                continue
            text, suggestion = self.forward.no_node(t, taken, len(found) < _SUGGESTIONS)
            found[t] = NameWarning(t, s.statement.line, f"{t}: {text}", suggestion)
        return tuple(found.values())

    def _dependencies(self, steps: list[_Step], last: dict[str, int]) -> dict[str, list[str]]:
        """For each claim, the other claims whose final value it reads (through helpers)."""
        reads_of: list[dict[str, None]] = []
        for s in steps:
            found: dict[str, None] = {}
            for name, idx in s.reads:
                if idx is None:
                    continue
                if name in self.keys and idx == last[name] and name != s.target:
                    found.setdefault(name)
                else:  # a helper, its own earlier value, or another claim midway
                    found.update(reads_of[idx])
            reads_of.append(found)
        return {n: [d for d in reads_of[last[n]] if d != n] for n in self.keys}

    def _locate(self, name: str, steps: list[_Step], expected: Any) -> tuple[int, str | None]:
        """The line of a first wrong step, and a hint; ``steps`` ran with correct inputs."""
        chain = [s for s in steps if s.target == name]
        fresh = [s for s in chain if not s.accumulates]
        start = fresh[-1] if fresh else chain[0]
        if start is not chain[0] and start.previous is not None:  # an earlier value thrown away
            discarded = steps[start.previous]
            if self._same(chain[-1].value + discarded.value, expected):
                return start.statement.line, (
                    f"replaces the value of {name} from line {discarded.statement.line};"
                    " a value used more than once sums its gradients: use +=")
        effective = chain[chain.index(start):]
        key = self.keys[name]
        if self.forward.symbolic or key.kind != "grad":
            return effective[-1].statement.line, None
        remaining = self.forward.contributions(key.a)
        wires = len(remaining)
        before = 0.0
        for s in effective:
            term = s.value - (before if s is not start else 0.0)
            before = s.value
            match = _subset_matching(term, remaining, self.tolerance)
            if match is None:
                return s.statement.line, None
            remaining = [c for i, c in enumerate(remaining) if i not in match]
        if remaining and wires > 1:
            used = wires - len(remaining)
            return effective[-1].statement.line, (
                f"{key.a} feeds {wires} wires, and these lines add up the gradient of"
                f" {used}: add the missing {'ones' if len(remaining) > 1 else 'one'} with +=")
        return effective[-1].statement.line, None


def _subset_matching(term: float, parts: list[float],
                     tolerance: Tolerance) -> tuple[int, ...] | None:
    """Indices of some of ``parts`` that add up to ``term`` (none for a zero term), or None.

    >>> t = Tolerance()
    >>> _subset_matching(5.0, [2.0, 3.0, 9.0], t), _subset_matching(0.0, [2.0], t)
    ((0, 1), ())
    """
    if tolerance.allows(term, 0.0):
        return ()
    largest = len(parts) if len(parts) <= 12 else 1
    for size in range(1, largest + 1):
        for combo in itertools.combinations(range(len(parts)), size):
            if tolerance.allows(term, sum(parts[i] for i in combo)):
                return combo
    return None


# ---- TOML ---------------------------------------------------------------------------------------

_TOML_KEYS = DERIVATION_KEYS
_SLASH = re.compile(r"\s*d\s*([A-Za-z_]\w*)\s*/\s*d\s*([A-Za-z_]\w*)\s*")
_KEY_LINE = re.compile(r"""\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""")
_TABLE_LINE = re.compile(r"\s*\[\s*([A-Za-z0-9_-]+)\s*\]")


def _toml_lines(text: str) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Line of each top-level key (and table header), and of each key of each table."""
    top: dict[str, int] = {}
    tables: dict[str, dict[str, int]] = {}
    table = None
    in_string = False
    for number, line in enumerate(text.split("\n"), start=1):
        if in_string:
            in_string = line.count('"""') % 2 == 0 and line.count("'''") % 2 == 0
            continue
        header = _TABLE_LINE.match(line)
        if header:
            table = header.group(1)
            top.setdefault(table, number)
            tables.setdefault(table, {})
            continue
        key = _KEY_LINE.match(line)
        if key:
            name = next(g for g in key.groups() if g is not None)
            (top if table is None else tables[table]).setdefault(name, number)
        if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
            in_string = True
    return top, tables


def _value_name(table: str, key: str) -> str:
    """How an error names a value of a derivation: ``claim 'df/dx'``, ``[at]: value of 'x'``."""
    if table == "claims":
        return f"claim '{key}'"
    return f"[{table}]: value of '{key}'" if table else f"value of '{key}'"


#: A whole number too long for Python to read (tomllib refuses it with a bare ValueError).
_LONG_NUMBER = re.compile(r"[+-]?\d[\d_]{%d,}" % 4000)


def _load_toml(text: str) -> dict[str, Any]:
    """The TOML data of a derivation, screened (:func:`~graphviz_backprop.source.load_toml`);
    a number too long to read is named by its key and line."""
    try:
        return load_toml(text)
    except LimitError as err:
        found = _LONG_NUMBER.search(text)
        if found is None or not str(err).startswith("a number"):
            raise
        line = text.count("\n", 0, found.start()) + 1
        top, tables = _toml_lines(text)
        named = [_value_name(table, key) for table, keys in (("", top), *tables.items())
                 for key, number in keys.items() if number == line]
        what = named[0] if named else "a number"
        digits = sum(ch.isdigit() for ch in found.group())
        raise ValuesError(f"{what} is too large for float64 (a number of {digits:,} digits)"
                          f" (line {line})") from None
    except InputError as err:  # not valid TOML, with a hint for an unquoted df/dx
        raise ParseError(str(err)) from None


def _first_line_of_value(text: str, line: int | None) -> int | None:
    """The file line of a string value's first line (after a ``\"\"\"`` and a newline)."""
    if line is None:
        return None
    source = text.split("\n")[line - 1]
    after = source.split("=", 1)[1].strip() if "=" in source else ""
    return line + 1 if after in ('"""', "'''") else line


def _moved(err: ParseError, first: int | None, key: str) -> ParseError:
    """A parse error in an embedded program, with the file's line number."""
    if first is None or err.line is None:
        return ParseError(f"in '{key}': {err}")
    return ParseError(f"in '{key}': {err.message}", first + err.line - 1, err.col)


class _TomlCheck:
    """Checks a derivation written as TOML: a circuit and a ``[claims]`` table."""

    def __init__(self, text: str, tolerance: Tolerance):
        self.clock = _Clock()
        self.text = text
        self.tolerance = tolerance
        data = _load_toml(text)
        self.lines, tables = _toml_lines(text)
        self.claim_lines = tables.get("claims", {})
        unknown = sorted(set(data) - set(_TOML_KEYS))
        if unknown:
            raise ParseError(f"unknown key '{unknown[0]}' (known: {', '.join(_TOML_KEYS)})",
                             self.lines.get(unknown[0]))
        given = [k for k in ("expression", "program", "example") if k in data]
        if len(given) != 1:
            raise ParseError("give the circuit as one of 'expression' (with [at]), 'program' or"
                             f" 'example', not {' and '.join(given) or 'none'}")
        where = given[0]
        if not isinstance(data[where], str):
            raise ParseError(f"'{where}' must be a string", self.lines.get(where))
        at: dict[str, float] = {}
        if where == "example":
            try:
                example = load_example(data["example"])
            except InputError as err:
                raise InputError(f"{err} (line {self.lines.get('example')})") from None
            body, at, first = example.text, dict(example.at), None
        else:
            body, first = data[where], _first_line_of_value(text, self.lines.get(where))
        table = data.get("at", {})
        if not isinstance(table, dict):
            raise ParseError("[at] must be a table of name = number", self.lines.get("at"))
        for name, value in table.items():
            line = tables.get("at", {}).get(name, self.lines.get("at"))
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValuesError(f"[at]: value of '{name}' is not a finite number: {value!r}"
                                  f" (line {line})")
            try:
                at[name] = _finite(value, f"[at]: value of '{name}'")
            except ValuesError as err:
                raise ValuesError(f"{err} (line {line})") from None
        claims = data.get("claims")
        if not isinstance(claims, dict) or not claims:
            raise ParseError("no claims: add a [claims] table, as in \"df/dx\" = -4",
                             self.lines.get("claims"))
        for claim in claims:
            if len(claim) > _LONGEST_CLAIM:
                raise ParseError(f"claim {_brief(claim)} is {len(claim):,} characters long; a"
                                 f" claim is a name or a gradient of at most {_LONGEST_CLAIM}",
                                 self.claim_lines.get(claim))
        self.claims = claims
        try:
            program = parse(body)
        except ParseError as err:
            raise _moved(err, first, where) from None
        try:
            self.forward = _Forward(program.statements, body, at)
        except ValuesError as err:
            raise ValuesError(f"{err} (line {self.lines.get('at', self.lines.get(where))})") \
                from None
        except ParseError as err:
            raise _moved(err, first, where) from None
        except EvaluationError as err:
            raise EvaluationError(f"in '{where}' (line {self.lines.get(where)}): {err}") from None
        self.compare = _Compare(self.forward, tolerance)

    def _key(self, claim: str, line: int | None) -> _Key:
        fw = self.forward
        slash = _SLASH.fullmatch(claim)
        try:
            if slash:
                return fw.key(("local", *slash.groups()))
            name = claim.strip()
            if name.isidentifier():
                if name in fw.names:
                    return fw.key(("value", name))
                reading = gradient_reading(name, set(fw.names))
                if reading is not None:
                    return fw.key(reading)
                if len(name) > 1 and name.startswith("d"):
                    raise _Problem(fw.no_node(name, set(self.claims))[0])
                raise _Problem(_unknown(name, fw.names, ": not a name, dX or dA/dB"))
        except _Problem as err:
            raise ParseError(f"claim '{claim}': {err}", line) from None
        raise ParseError(f"claim '{claim}' is not a name (q), a gradient (\"df/dq\" or dq) or a"
                         " local gradient (\"dq/dx\")", line)

    def run(self) -> Report:
        fw = self.forward
        symbolic = fw.symbolic
        rows = []
        for claim, value in self.claims.items():
            line = self.claim_lines.get(claim)
            key = self._key(claim, line)
            rows.append(self._one(claim, key, value, line, symbolic))
        if not symbolic:
            rows = self._inheritance(rows)
        keys = [self._key(r.name, r.line) for r in rows]
        not_claimed = tuple(fw.gradient_name(n) for n in fw.unclaimed_inputs(keys))
        return Report("<text>", "toml", self.tolerance, tuple(rows), fw.output,
                      fw.evaluation.output, symbolic, fw.evaluation, not_claimed=not_claimed)

    def _one(self, claim: str, key: _Key, value: Any, line: int | None,
             symbolic: bool) -> ClaimResult:
        fw = self.forward
        mini = None  # the circuit of a claimed formula with names
        if isinstance(value, str):
            try:
                given, mini = fw.formula(value)
            except _Problem as err:
                raise ParseError(f"claim '{claim}': {err}", line) from None
            except ParseError as err:
                raise ParseError(f"claim '{claim}': formula {_brief(value)}: {err.message}"
                                 + (f" (column {err.col})" if err.col else ""), line) from None
            if not mini.inputs:  # a number
                mini = None
        elif isinstance(value, bool) or not isinstance(value, (int, float)) \
                or isinstance(value, float) and not math.isfinite(value):
            raise ParseError(f"claim '{claim}': the value must be a number or a formula in quotes,"
                             f" not {value!r}", line)
        else:
            try:
                given = _finite(value, f"claim '{claim}'")
            except ValuesError as err:
                raise ValuesError(f"{err} (line {line})") from None
        expected = None if symbolic else fw.expected(key, False)
        given_formula = expected_formula = None
        try:
            with self.clock.claim(symbolic or mini is not None):
                if symbolic:
                    expected = fw.expected(key, True)
                if mini is not None:
                    given_formula = fw.formula_expr(mini)
                    expected_formula = fw.expected(key, True)
                good, note = self._compare(given, given_formula, expected,
                                           expected_formula)
                if symbolic and mini is not None:
                    if fw.shape(given_formula)[0] > fw.formula_limits[0]:
                        raise _TooComplex("its formula is nested too deeply")
                    given = given_formula
        except _Problem as err:
            raise ParseError(f"claim '{claim}': {err}", line) from None
        except _TooComplex as err:
            if not symbolic and not self.tolerance.allows(given, expected):
                good, note = False, None  # wrong at the point, whatever its formula
            else:
                good, note = None, f"too complex to check symbolically ({err})"
                given = value if symbolic and mini is not None else given
        shown = expected_formula if expected_formula is not None else \
            expected if symbolic else None
        return ClaimResult(
            claim=key.label(fw.output), name=claim, given=given, expected=expected,
            status=UNCHECKED if good is None else OK if good else WRONG, line=line,
            formula=None if mini is None else value,
            expected_formula=None if shown is None else str(shown),
            root_cause=((claim, line),) if good is False else (), note=note,
            nodes=fw.nodes(key), source=_source_line(self.text, line))

    def _compare(self, given: Any, given_formula: Any, expected: Any,
                 expected_formula: Any) -> tuple[bool, str | None]:
        """Whether a claim holds, and a note: a formula must be the same formula, and at a
        point it must have the right value too; in symbolic mode a number is checked only
        where the correct value is a number."""
        fw = self.forward
        if given_formula is not None:
            same_formula = _equivalent(given_formula, expected_formula, fw.point)
            if fw.symbolic:
                return same_formula, None
            close = self.tolerance.allows(given, expected)
            if close and not same_formula:
                return False, "the right value at this point, but not the same formula"
            return same_formula and close, None
        if fw.symbolic:
            if _sym(expected).is_number:
                return self.tolerance.allows(given, float(expected)), None
            return False, "the correct value is a formula; give [at] values to check numbers"
        return self.tolerance.allows(given, expected), None

    def _inheritance(self, rows: list[ClaimResult]) -> list[ClaimResult]:
        """Mark wrong gradients that follow, by the chain rule, from your wrong ones downstream."""
        fw = self.forward
        c = fw.circuit
        keys = {r.name: self._key(r.name, r.line) for r in rows}
        at_node: dict[str, list[ClaimResult]] = {}
        for r in rows:
            if keys[r.name].kind == "grad":
                at_node.setdefault(fw.node_of(keys[r.name].a), []).append(r)
        overrides = {node: float(rs[0].given) for node, rs in at_node.items()}
        _, arrived = _backprop(c, fw.evaluation, c.output, overrides)
        position = {n: i for i, n in enumerate(c.order)}
        final: dict[str, ClaimResult] = {r.name: r for r in rows}
        for node in sorted(at_node, key=lambda n: -position[n]):  # downstream first
            downstream = nx.descendants(c.graph, node)
            bad = [final[r.name] for n in downstream for r in at_node.get(n, [])
                   if final[r.name].status in (WRONG, INHERITED)]
            for r in at_node[node]:
                if r.status != WRONG or not bad \
                        or not self.tolerance.allows(float(r.given), arrived[node]):
                    continue
                causes: dict[tuple[str, int | None], None] = {}
                for b in bad:
                    for cause in b.root_cause:
                        causes.setdefault(cause)
                final[r.name] = replace(r, status=INHERITED, root_cause=tuple(causes),
                                        note=r.note)
        return [final[r.name] for r in rows]


# ---- entry points -----------------------------------------------------------------------------

def check_text(text: str, format: str = "code", *, tolerance: Tolerance | None = None,
               file: str = "<text>") -> Report:
    """Check a derivation given as text; ``format`` is ``"code"`` or ``"toml"``.

    Raises a :class:`~graphviz_backprop.errors.InputError` (exit code 2) when the derivation
    cannot be read; the message names the line.
    """
    tolerance = tolerance or Tolerance()
    if format not in ("code", "toml"):
        raise InputError(f"unknown derivation format '{format}' (known: code, toml)")
    try:
        report = (_TomlCheck if format == "toml" else _CodeCheck)(text, tolerance).run()
    except RecursionError:  # the engine's, on a tree deeper than its stack allows
        raise LimitError("the derivation is nested too deeply to work with (a max(...) of many"
                         " arguments nested in another?); split long expressions into"
                         " assignments") from None
    return replace(report, file=file)


def check_file(path: str | Path, *, tolerance: Tolerance | None = None) -> Report:
    """Check one derivation file: ``.toml`` is the TOML format, anything else is code."""
    path = Path(path)
    text = read_text(path)
    return check_text(text, "toml" if path.suffix == ".toml" else "code",
                      tolerance=tolerance, file=path.name)


@dataclass(frozen=True)
class FolderEntry:
    """One file of a folder: its report, or why it could not be read."""

    file: str
    report: Report | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        r = self.report
        first = r.first_wrong if r else None
        return {
            "file": self.file,
            "ok": bool(r and r.ok),
            "error": self.error,
            "claims": len(r.made) if r else None,
            "wrong": len(r.wrong) if r else None,
            "first_wrong": None if first is None else {
                "claim": first.claim, "name": first.name, "line": first.line},
            "not_claimed": list(r.not_claimed) if r else None,
            "warnings": len(r.warnings) if r else None,
            "unchecked": len(r.unchecked) if r else None,
            "report": r.to_dict() if r else None,
        }


@dataclass(frozen=True)
class FolderReport:
    """Every derivation of a folder, checked.

    ``exit_code`` is 0 when every file reads and every claim holds, 2 when no file could be
    read, and 1 otherwise (a wrong claim, or some files unreadable).
    """

    folder: str
    tolerance: Tolerance
    entries: tuple[FolderEntry, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(e.report is not None and e.report.ok for e in self.entries)

    @property
    def exit_code(self) -> int:
        if self.ok:
            return 0
        if all(e.report is None for e in self.entries):
            return 2
        return 1

    def to_dict(self) -> dict[str, Any]:
        return {"folder": self.folder, "ok": self.ok, "tolerance": self.tolerance.to_dict(),
                "files": [e.to_dict() for e in self.entries]}


def check_folder(path: str | Path, *, tolerance: Tolerance | None = None) -> FolderReport:
    """Check every ``.toml`` and ``.py`` file of a folder (not its subfolders), by name.

    Anything else with such a name (a pipe, a socket, a broken link) is a row that says why
    it cannot be read; it is never opened in a way that waits.
    """
    folder = Path(path)
    tolerance = tolerance or Tolerance()
    try:
        files = sorted(p for p in folder.iterdir()
                       if p.suffix in SUFFIXES and not p.name.startswith(".") and not p.is_dir())
    except OSError as err:
        raise InputError(f"cannot read the folder '{folder}': {err.strerror or err}") from None
    if not files:
        raise InputError(f"no derivations in '{folder}': no {' or '.join(SUFFIXES)} files")
    entries = []
    for p in files:
        try:
            entries.append(FolderEntry(p.name, check_file(p, tolerance=tolerance)))
        except GbpError as err:
            entries.append(FolderEntry(p.name, error=" ".join(str(err).split())))
    return FolderReport(str(folder), tolerance, tuple(entries))


# ---- text output ------------------------------------------------------------------------------

def _value_text(value: Any) -> str:
    if isinstance(value, (int, float)):
        return format_value(float(value))
    if isinstance(value, sympy.Basic) and value.is_Number and not math.isfinite(float(value)):
        return _huge_text(value)
    return format_value(value)


def _claimed_text(c: ClaimResult) -> str:
    if c.status == MISSING:
        return "-"
    if c.formula is not None:
        formula = c.formula if len(c.formula) <= _SHOWN_FORMULA \
            else c.formula[:_SHOWN_FORMULA - 3] + "..."
        if isinstance(c.given, float):
            return f"{formula} = {_value_text(c.given)}"
        return formula
    return _value_text(c.given)


def _correct_text(c: ClaimResult) -> str:
    if c.expected is None:  # too complex to work out
        return "-"
    shown = _shown(c.expected_formula)
    value = _value_text(c.expected)
    if c.formula is not None and shown and shown != value and isinstance(c.expected, float):
        return f"{shown} = {value}"
    return value


def _note_text(c: ClaimResult) -> str:
    if c.status == WRONG:
        text = "first wrong step"
    elif c.status == INHERITED:
        text = "inherits from " + ", ".join(
            f"{n} (line {line})" if line else n for n, line in c.root_cause)
    else:
        text = ""
    if c.note:
        text = f"{text}: {c.note}" if text else c.note
    return text


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in [header, *rows]]


def _claim_column(c: ClaimResult) -> str:
    return c.name if c.name.replace(" ", "") == c.claim else f"{c.name} ({c.claim})"


_RESULT = {OK: "ok", WRONG: "WRONG", INHERITED: "WRONG", MISSING: "MISSING",
           UNCHECKED: "UNCHECKED"}


def format_report(report: Report) -> str:
    """A report as a table a person reads: one line per claim (and per missing gradient),
    the names that name no node, then a summary."""
    shown_output = _value_text(report.output_value)
    n, missing = len(report.made), len(report.missing)
    head = (f"{report.file}: {n} claim{'s' if n != 1 else ''}"
            + (f", {missing} missing" if missing else "")
            + f", output {report.output} = {shown_output}")
    out = [head, "tolerance: " + (
        "formulas must be equivalent (no input values)" if report.symbolic
        else str(report.tolerance)), ""]
    rows = [(str(c.line) if c.line else "-", _claim_column(c), _RESULT[c.status],
             _claimed_text(c), _correct_text(c), _note_text(c)) for c in report.claims]
    out += _table(("line", "claim", "result", "claimed", "correct", "note"), rows)
    if report.not_claimed and report.format == "toml":
        out.append(f"note: not claimed: {', '.join(report.not_claimed)}")
    out += [f"warning: {w}" for w in report.warnings]
    out.append("")
    out.append(summary_line(report))
    return "\n".join(out)


def summary_line(report: Report) -> str:
    """One sentence: all right, or how many are wrong and where the first wrong step is."""
    n = len(report.made)
    if report.ok:
        return f"All {n} claim{'s' if n != 1 else ''} hold."
    if not report.wrong:
        return f"{_held(report, 'All {} claim' + ('s' if n != 1 else '') + ' hold')}, but" \
            f" {_incomplete(report)}."
    wrong, roots = report.wrong, report.roots
    first = roots[0]
    where = f"line {first.line}: " if first.line else ""
    what = first.source or first.name
    text = (f"{len(wrong)} of {n} claims wrong. First wrong step: {where}{what}"
            f" (claimed {_claimed_text(first)}, correct {_correct_text(first)})")
    if first.note:
        text += f": {first.note}"
    if len(roots) > 1:
        others = ", ".join(f"{r.name} (line {r.line})" if r.line else r.name for r in roots[1:])
        text += f"; also wrong on its own: {others}"
    inherited = [c.name for c in wrong if c.status == INHERITED]
    if inherited:
        text += f"; {', '.join(inherited)} inherit{'s' if len(inherited) == 1 else ''} the error"
    if _incomplete(report):
        text += f". Also, {_incomplete(report)}"
    return text + "."


def format_folder(folder: FolderReport) -> str:
    """A folder's reports as one table: file, claims, wrong, first wrong step."""
    rows = []
    for e in folder.entries:
        if e.report is None:
            rows.append((e.file, "-", "-", f"unreadable: {e.error}"))
            continue
        r = e.report
        first = r.first_wrong
        step = "-" if first is None else (
            f"{first.name} (line {first.line})" if first.line else first.name)
        if first is None and not r.ok:
            parts = [f"unchecked: {', '.join(c.name for c in r.unchecked)}"] if r.unchecked \
                else []
            parts += [f"missing: {', '.join(c.name for c in r.missing)}"] if r.missing else []
            parts += [f"no node: {', '.join(w.name for w in r.warnings)}"] if r.warnings else []
            step = "; ".join(parts)
        rows.append((e.file, str(len(r.made)), str(len(r.wrong)), step))
    out = _table(("file", "claims", "wrong", "first wrong step"), rows)
    readable = [e.report for e in folder.entries if e.report is not None]
    good = sum(1 for r in readable if r.ok)
    bad = sum(1 for r in readable if r.wrong)
    incomplete = len(readable) - good - bad
    unreadable = len(folder.entries) - len(readable)
    out.append("")
    out.append(f"{len(folder.entries)} files: {good} all right, {bad} with wrong claims,"
               + (f" {incomplete} incomplete," if incomplete else "")
               + f" {unreadable} unreadable; tolerance {folder.tolerance}")
    return "\n".join(out)
