"""A derivation written as code (the cs231n notes' style): the forward lines make the
circuit, each backward line is a claim, interpreted and compared; a gradient of an input
that no line assigns is missing, a name like ``dzz`` that names no node a warning.
"""

from __future__ import annotations

import itertools
from typing import Any

from ..arrays import is_array, shape_of
from ..errors import GbpError, ParseError
from ..parser import parse
from ..passes import backward_start, gradient_reading, without_updates
from ..syntax import names_in
from .answers import Forward
from .budget import Clock, TooComplexError
from .compare import Compare
from .interpret import Interpreter, Step
from .names import ClaimError, Key, source_line
from .results import (
    INHERITED,
    MISSING,
    OK,
    UNCHECKED,
    WRONG,
    ClaimResult,
    NameWarning,
    Report,
    Tolerance,
)
from .shapes import advice, fixes, jacobian_problem, shape_note, vector_dot
from .vectorized import ShapeMismatchError, mask_in

_SUGGESTIONS = 100


#: Most wrong vectors and matrices whose fixes are worked out (each tries a dozen).
_ADVISED = 20


class CodeCheck:
    """Checks a derivation written as code."""

    def __init__(self, text: str, tolerance: Tolerance):
        self.clock = Clock()
        self.text = text
        self.tolerance = tolerance
        # a step of gradient descent at the end (W -= lr * dW) is no claim: not checked
        program = without_updates(parse(text, masks=True))
        statements = program.statements
        k = backward_start(program)
        if k is None:
            raise ParseError(
                "no backward pass: no line assigns a gradient name such as dx or dfdx (dX is"
                " d output / d X and dAdB is d A / d B, for names X, A, B of the forward pass)")
        for st in statements[:k]:
            found = mask_in(st.value)
            if found is not None:
                raise ParseError("comparisons are not allowed in the forward pass (a mask such"
                                 " as (Z > 0) is for the backward lines)", found.line, found.col)
        self.forward = Forward(statements[:k], text)
        self.backward = statements[k:]
        self.compare = Compare(self.forward, tolerance)
        self.keys: dict[str, Key] = {}
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
                except ClaimError as err:
                    raise ParseError(f"'{st.target}': {err}", st.line, st.col) from None
                problem = jacobian_problem(self.forward, self.keys[st.target])
                if problem:
                    raise ParseError(f"'{st.target}': {problem}", st.line, st.col)
        self.interpreter = Interpreter(self.forward)
        self._advised = 0

    def run(self) -> Report:
        try:
            steps = self._run()
        except ShapeMismatchError as err:  # in the student's own expression
            hint = self._failure_hint()
            if not hint:
                raise
            raise ShapeMismatchError(f"{err.problem}; {hint}", err.where) from None
        last = {s.target: s.index for s in steps}
        first: dict[str, int] = {}
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
            except TooComplexError as err:
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
            overrides = {w: expected[w] for w in wrong if w != n} if bad_inputs else {}
            rerun = self._run(overrides) if bad_inputs else steps
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
            if is_array(corrected) or is_array(expected[n]):
                more = self._advice(n, rerun, overrides, expected[n])
                notes[n] = f"{more}; {notes[n]}" if more and notes[n] else more or notes[n]
            if bad_inputs:
                also = ", ".join(bad_inputs)
                note = notes[n]
                notes[n] = (f"{note}; " if note else "") + f"also uses wrong {also}"
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
                source=source_line(self.text, lines[n]), nodes=self.forward.nodes(key)))
        not_claimed = []
        # missing gradients are named as the derivation names its gradients: dx or dfdx
        styles = [n == f"d{label}d{k.a}" for n, k in self.keys.items() if k.kind == "grad"]
        long = sum(styles) > len(styles) - sum(styles)
        for name in self.forward.unclaimed_inputs(self.keys.values()):
            key = Key("grad", name)
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

    def _run(self, overrides: dict[str, Any] | None = None) -> list[Step]:
        """The backward pass, run within the derivation's time budget."""
        with self.clock.part(self.forward.symbolic, self._where):
            return self.interpreter.run(self.backward, overrides)

    def _advice(self, name: str, steps: list[Step], overrides: dict[str, Any],
                expected: Any) -> str | None:
        """The note of a wrong vector or matrix (:func:`.shapes.advice`), with fixes of a
        claim assigned on one line worked out where that line is, with correct inputs."""
        chain = [s for s in steps if s.target == name]
        final = chain[-1]
        found = why = None
        if len(chain) == 1 and self._advised < _ADVISED:
            self._advised += 1
            env = {s.target: s.value for s in steps[:final.index]}
            last = {s.target: s.index for s in steps}
            env.update({k: v for k, v in overrides.items() if last[k] < final.index})

            def evaluate(e: Any) -> Any:
                return self.interpreter.value_in(e, env)

            with self.clock.part(False, self._where):
                found = fixes(final.statement.value, evaluate, expected, self.tolerance)
                if not is_array(final.value):
                    why = vector_dot(final.statement.value, evaluate)
        return advice(name, self.keys[name], final.value, expected, self.forward,
                      self.tolerance, found, why)

    def _failure_hint(self) -> str | None:
        """Why a line's shapes do not fit: a wrong claim it reads (when the line works with
        the correct values of the claims before it), or a fix of a claim's one line."""
        st = self.interpreter.statement
        if st is None or self.forward.symbolic:
            return None
        index = self.backward.index(st)
        last = {s.target: i for i, s in enumerate(self.backward)}
        env = dict(self.interpreter.env)
        wrong: list[tuple[str, str]] = []  # name, what is wrong with it
        for name in dict.fromkeys(names_in(st.value)):
            if name in env and name in self.keys and last[name] < index:
                correct = self.forward.expected(self.keys[name], False)
                if not self.compare.same(env[name], correct):
                    key = self.keys[name]
                    subject = key.b if key.kind == "local" else key.a
                    note = shape_note(name, str(subject), env[name], correct)
                    wrong.append((name, f"{note or f'{name} is wrong'}"
                                        f" (line {self.backward[last[name]].line})"))
                env[name] = correct
        with self.clock.part(False, self._where):
            if wrong:
                try:
                    self.interpreter.value_in(st.value, env)
                except GbpError:
                    return None
                return (f"{'; '.join(n for _, n in wrong)}: with the correct"
                        f" {', '.join(w for w, _ in wrong)} this line works")
            if st.target not in self.keys or sum(s.target == st.target
                                                 for s in self.backward) != 1:
                return None
            expected = self.forward.expected(self.keys[st.target], False)
            found = fixes(st.value, lambda e: self.interpreter.value_in(e, env), expected,
                          self.tolerance)
        return f"did you mean {' or '.join(found)}?" if found else None

    def _where(self) -> str:
        statement = self.interpreter.statement
        return f", at line {statement.line}" if statement else ""

    def _same(self, given: Any, expected: Any) -> bool:
        """Whether two values agree, within the budget of a claim (False when too complex)."""
        try:
            with self.clock.claim(self.forward.symbolic):
                return self.compare.same(given, expected)
        except TooComplexError:
            return False

    def _warnings(self, steps: list[Step]) -> tuple[NameWarning, ...]:
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

    def _dependencies(self, steps: list[Step], last: dict[str, int]) -> dict[str, list[str]]:
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

    def _locate(self, name: str, steps: list[Step], expected: Any) -> tuple[int, str | None]:
        """The line of a first wrong step, and a hint; ``steps`` ran with correct inputs."""
        chain = [s for s in steps if s.target == name]
        fresh = [s for s in chain if not s.accumulates]
        start = fresh[-1] if fresh else chain[0]
        if start is not chain[0] and start.previous is not None:  # an earlier value thrown away
            discarded = steps[start.previous]
            if shape_of(chain[-1].value) == shape_of(discarded.value) \
                    and self._same(chain[-1].value + discarded.value, expected):
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
            if s is not start and shape_of(s.value) != shape_of(before):
                return s.statement.line, None  # dx = dx.T: no sum of terms
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


def _subset_matching(term: Any, parts: list[Any],
                     tolerance: Tolerance) -> tuple[int, ...] | None:
    """Indices of some of ``parts`` (numbers, or vectors or matrices) that add up to ``term``
    (none for a zero term), or None.

    >>> t = Tolerance()
    >>> _subset_matching(5.0, [2.0, 3.0, 9.0], t), _subset_matching(0.0, [2.0], t)
    ((0, 1), ())
    """
    if tolerance.allows(term, 0.0 * term):
        return ()
    # every group of up to 12 wires, unless the sums of vectors or matrices would be long
    entries = term.size if is_array(term) else 1
    largest = len(parts) if len(parts) <= 12 and entries << len(parts) <= 1_000_000 else 1
    for size in range(1, largest + 1):
        for combo in itertools.combinations(range(len(parts)), size):
            if tolerance.allows(term, sum(parts[i] for i in combo)):
                return combo
    return None
