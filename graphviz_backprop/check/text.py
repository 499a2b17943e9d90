"""A report as text: the table of claims, the one-sentence summary (also, brief, as a
picture's caption), and a folder's table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import sympy

from ..notation import value_text as format_value
from .results import (
    INHERITED,
    MISSING,
    OK,
    SHOWN_FORMULA,
    UNCHECKED,
    WRONG,
    ClaimResult,
    FolderReport,
    Report,
    huge_text,
    shown_formula,
)


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


def _value_text(value: Any) -> str:
    if isinstance(value, (int, float)):
        return format_value(float(value))
    if isinstance(value, sympy.Basic) and value.is_Number and not math.isfinite(float(value)):
        return huge_text(value)
    return format_value(value)


def _claimed_text(c: ClaimResult) -> str:
    if c.status == MISSING:
        return "-"
    if c.formula is not None:
        formula = c.formula if len(c.formula) <= SHOWN_FORMULA \
            else c.formula[:SHOWN_FORMULA - 3] + "..."
        if isinstance(c.given, float):
            return f"{formula} = {_value_text(c.given)}"
        return formula
    return _value_text(c.given)


def _correct_text(c: ClaimResult) -> str:
    if c.expected is None:  # too complex to work out
        return "-"
    shown = shown_formula(c.expected_formula)
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


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
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
    out.append(summary(report))
    return "\n".join(out)


def summary(report: Report, brief: bool = False) -> str:
    """One sentence: all right, or how many claims are wrong and where the first wrong step
    is (with the claimed and the correct value; ``brief``: only where, for a caption)."""
    n = len(report.made)
    claims = f"claim{'s' if n != 1 else ''}"
    if report.ok:
        return f"All {n} {claims} hold."
    if not report.wrong:
        return f"{_held(report, 'All {} ' + claims + ' hold')}, but {_incomplete(report)}."
    wrong, roots = report.wrong, report.roots
    inherited = [c.name for c in wrong if c.status == INHERITED]
    if brief:
        where = ", ".join(f"{c.name} (line {c.line})" if c.line else c.name for c in roots)
        text = f"{len(wrong)} of {n} claims wrong; first wrong: {where}"
        text += f"; inherit the error: {', '.join(inherited)}" if inherited else ""
        return text + (f"; {_incomplete(report)}" if _incomplete(report) else "")
    first = roots[0]
    at = f"line {first.line}: " if first.line else ""
    text = (f"{len(wrong)} of {n} claims wrong. First wrong step: {at}{first.source or first.name}"
            f" (claimed {_claimed_text(first)}, correct {_correct_text(first)})")
    if first.note:
        text += f": {first.note}"
    if len(roots) > 1:
        others = ", ".join(f"{r.name} (line {r.line})" if r.line else r.name for r in roots[1:])
        text += f"; also wrong on its own: {others}"
    if inherited:
        text += f"; {', '.join(inherited)} inherit{'s' if len(inherited) == 1 else ''} the error"
    if _incomplete(report):
        text += f". Also, {_incomplete(report)}"
    return text if text.endswith("?") else text + "."


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
