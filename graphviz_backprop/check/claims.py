"""A derivation written as TOML: the circuit (``expression``/``program``, ``[at]``) and a
``[claims]`` table, each claim compared with the correct answer, a wrong gradient claim
traced back to the first wrong step downstream of it.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import Any

import networkx as nx

from ..arrays import as_array, is_array, shape_of
from ..errors import EvaluationError, InputError, LimitError, ParseError, ValuesError
from ..parser import parse
from ..passes import gradient_reading
from ..tomlfile import DERIVATION_KEYS, finite_number, load_example, load_toml
from .answers import Forward, backprop_from
from .budget import Clock, TooComplexError
from .compare import Compare, as_sympy, equivalent
from .names import ClaimError, Key, source_line, unknown_name
from .results import INHERITED, OK, UNCHECKED, WRONG, ClaimResult, Report, Tolerance, cut_short
from .shapes import advice, jacobian_problem

#: Longest claim of a TOML derivation (a name, dX, "dA/dB"), in characters.
_LONGEST_CLAIM = 200


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
_LONG_NUMBER = re.compile(r"[+-]?\d[\d_]{4000,}")


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


def _number(value: Any) -> Any:
    """A claimed value for the backward pass: a float, or a vector or matrix as it is."""
    return value if is_array(value) else float(value)


class TomlCheck:
    """Checks a derivation written as TOML: a circuit and a ``[claims]`` table."""

    def __init__(self, text: str, tolerance: Tolerance):
        self.clock = Clock()
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
            if isinstance(value, list):  # a vector or matrix
                try:
                    at[name] = as_array(f"[at]: value of '{name}'", value)
                except ValuesError as err:
                    raise ValuesError(f"{err} (line {line})") from None
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValuesError(f"[at]: value of '{name}' is not a finite number: {value!r}"
                                  f" (line {line})")
            try:
                at[name] = finite_number(value, f"[at]: value of '{name}'")
            except ValuesError as err:
                raise ValuesError(f"{err} (line {line})") from None
        claims = data.get("claims")
        if not isinstance(claims, dict) or not claims:
            raise ParseError("no claims: add a [claims] table, as in \"df/dx\" = -4",
                             self.lines.get("claims"))
        for claim in claims:
            if len(claim) > _LONGEST_CLAIM:
                raise ParseError(f"claim {cut_short(claim)} is {len(claim):,} characters long; a"
                                 f" claim is a name or a gradient of at most {_LONGEST_CLAIM}",
                                 self.claim_lines.get(claim))
        self.claims = claims
        try:
            program = parse(body)
        except ParseError as err:
            raise _moved(err, first, where) from None
        try:
            self.forward = Forward(program.statements, body, at)
        except ValuesError as err:
            raise ValuesError(f"{err} (line {self.lines.get('at', self.lines.get(where))})") \
                from None
        except ParseError as err:
            raise _moved(err, first, where) from None
        except EvaluationError as err:
            raise EvaluationError(f"in '{where}' (line {self.lines.get(where)}): {err}") from None
        self.compare = Compare(self.forward, tolerance)

    def _key(self, claim: str, line: int | None) -> Key:
        fw = self.forward
        slash = _SLASH.fullmatch(claim)
        try:
            if slash:
                key = fw.key(("local", *slash.groups()))
                problem = jacobian_problem(fw, key)
                if problem:
                    raise ClaimError(problem)
                return key
            name = claim.strip()
            if name.isidentifier():
                if name in fw.names:
                    return fw.key(("value", name))
                reading = gradient_reading(name, set(fw.names))
                if reading is not None:
                    key = fw.key(reading)
                    problem = jacobian_problem(fw, key)
                    if problem:
                        raise ClaimError(problem)
                    return key
                if len(name) > 1 and name.startswith("d"):
                    raise ClaimError(fw.no_node(name, set(self.claims))[0])
                raise ClaimError(unknown_name(name, fw.names, ": not a name, dX or dA/dB"))
        except ClaimError as err:
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

    def _one(self, claim: str, key: Key, value: Any, line: int | None,
             symbolic: bool) -> ClaimResult:
        fw = self.forward
        mini = None  # the circuit of a claimed formula with names
        if isinstance(value, str):
            try:
                given, mini = fw.formula(value)
            except ClaimError as err:
                raise ParseError(f"claim '{claim}': {err}", line) from None
            except ParseError as err:
                raise ParseError(f"claim '{claim}': formula {cut_short(value)}: {err.message}"
                                 + (f" (column {err.col})" if err.col else ""), line) from None
            if not mini.inputs:  # a number
                mini = None
        elif isinstance(value, list):  # a vector or matrix, checked entry by entry
            try:
                given = as_array(f"claim '{claim}'", value)
            except ValuesError as err:
                raise ValuesError(f"{err} (line {line})") from None
        elif isinstance(value, bool) or not isinstance(value, (int, float)) \
                or (isinstance(value, float) and not math.isfinite(value)):
            raise ParseError(f"claim '{claim}': the value must be a number or a formula in quotes,"
                             f" not {value!r}", line)
        else:
            try:
                given = finite_number(value, f"claim '{claim}'")
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
                        raise TooComplexError("its formula is nested too deeply")
                    given = given_formula
        except ClaimError as err:
            raise ParseError(f"claim '{claim}': {err}", line) from None
        except TooComplexError as err:
            if expected is not None and not symbolic and not self.tolerance.allows(given,
                                                                                   expected):
                good, note = False, None  # wrong at the point, whatever its formula
            else:
                good, note = None, f"too complex to check symbolically ({err})"
                given = value if symbolic and mini is not None else given
        if good is False and (is_array(given) or is_array(expected)):
            note = advice(claim, key, given, expected, fw, self.tolerance) or note
        shown = expected_formula if expected_formula is not None else \
            expected if symbolic else None
        return ClaimResult(
            claim=key.label(fw.output), name=claim, given=given, expected=expected,
            status=UNCHECKED if good is None else OK if good else WRONG, line=line,
            formula=None if mini is None else value,
            expected_formula=None if shown is None else str(shown),
            root_cause=((claim, line),) if good is False else (), note=note,
            nodes=fw.nodes(key), source=source_line(self.text, line))

    def _compare(self, given: Any, given_formula: Any, expected: Any,
                 expected_formula: Any) -> tuple[bool, str | None]:
        """Whether a claim holds, and a note: a formula must be the same formula, and at a
        point it must have the right value too; in symbolic mode a number is checked only
        where the correct value is a number."""
        fw = self.forward
        if given_formula is not None:
            same_formula = equivalent(given_formula, expected_formula, fw.point)
            if fw.symbolic:
                return same_formula, None
            close = self.tolerance.allows(given, expected)
            if close and not same_formula:
                return False, "the right value at this point, but not the same formula"
            return same_formula and close, None
        if fw.symbolic:
            if as_sympy(expected).is_number:
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
        overrides = {node: _number(rs[0].given) for node, rs in at_node.items()
                     if shape_of(rs[0].given) == shape_of(fw.evaluation.values[node])}
        _, arrived = backprop_from(c, fw.evaluation, c.output, overrides)
        position = {n: i for i, n in enumerate(c.order)}
        final: dict[str, ClaimResult] = {r.name: r for r in rows}
        for node in sorted(at_node, key=lambda n: -position[n]):  # downstream first
            downstream = nx.descendants(c.graph, node)
            bad = [final[r.name] for n in downstream for r in at_node.get(n, [])
                   if final[r.name].status in (WRONG, INHERITED)]
            for r in at_node[node]:
                if r.status != WRONG or not bad \
                        or not self.tolerance.allows(_number(r.given), arrived[node]):
                    continue
                causes: dict[tuple[str, int | None], None] = {}
                for b in bad:
                    for cause in b.root_cause:
                        causes.setdefault(cause)
                final[r.name] = replace(r, status=INHERITED, root_cause=tuple(causes),
                                        note=r.note)
        return [final[r.name] for r in rows]
