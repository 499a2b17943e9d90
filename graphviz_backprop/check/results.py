"""What a check finds, as records: the :class:`Tolerance` numbers are held to, each claim's
verdict (:class:`ClaimResult`), a derivation's :class:`Report` and a folder's
:class:`FolderReport`, and how a formula is cut short for a table or a message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import sympy

from ..arrays import is_array, shape_of
from ..backprop import Evaluation
from ..errors import InputError
from ..notation import constant as format_number

#: Default absolute tolerance: hand arithmetic with two decimals.
DEFAULT_ABS_TOL = 0.01


#: Default relative tolerance (1%): rounding to two decimals grows along a chain of products.
DEFAULT_REL_TOL = 0.01


#: Longest formula text shown in the table (longer ones are in the JSON only).
SHOWN_FORMULA = 40


OK, WRONG, INHERITED, MISSING, UNCHECKED = "ok", "wrong", "inherited", "missing", "unchecked"


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

    A vector or matrix holds when it has the correct shape and every entry holds.
    """

    abs: float = DEFAULT_ABS_TOL
    rel: float = DEFAULT_REL_TOL

    def __post_init__(self) -> None:
        for what, value in (("absolute", self.abs), ("relative", self.rel)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not math.isfinite(value) or value < 0:
                raise InputError(f"{what} tolerance must be a number >= 0, not {value!r}")

    def allows(self, given: Any, expected: Any) -> bool:
        """True when ``given`` is within the tolerance of ``expected`` (numbers, or arrays of
        one shape, entry by entry)."""
        if is_array(given) or is_array(expected):
            if shape_of(given) != shape_of(expected):
                return False
            slack = self.abs + self.rel * abs(expected) + 1e-9 * abs(expected).clip(1.0)
            return bool((abs(given - expected) <= slack).all())
        slack = self.abs + self.rel * abs(expected) + 1e-9 * max(1.0, abs(expected))
        return abs(given - expected) <= slack

    def __str__(self) -> str:
        return (f"|claimed - correct| <= {format_number(self.abs)}"
                f" + {format_number(self.rel * 100)}% of |correct|")

    def to_dict(self) -> dict[str, Any]:
        return {"abs": self.abs, "rel": self.rel, "rule": str(self)}


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


def _jsonable(value: Any) -> Any:
    if is_array(value):
        return value.tolist()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, sympy.Basic) and value.is_Number:
        number = float(value)
        return number if math.isfinite(number) else huge_text(value)
    return str(value)


def huge_text(value: sympy.Number) -> str:
    """A number of exact arithmetic beyond float64, as text: ``1.74787e+954``."""
    return str(sympy.Float(value, 6))


def cut_short(text: str) -> str:
    """A claimed formula in an error message, cut short: ``'max(x*0, x*1, ...'``."""
    return repr(text if len(text) <= 2 * SHOWN_FORMULA else text[:2 * SHOWN_FORMULA - 3] + "...")


def shown_formula(expr: Any) -> str | None:
    """A formula short enough for the table, else None."""
    if expr is None:
        return None
    text = str(expr)
    return text if len(text) <= SHOWN_FORMULA else None


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
