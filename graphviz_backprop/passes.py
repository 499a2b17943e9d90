"""Code written the cs231n way is a forward pass followed by a backward pass (``dx = ...``):
where the backward pass starts, and the program without it.

``gbp check`` checks the backward pass against the forward one; ``gbp eval``, ``gbp render``
and ``trace`` draw the forward pass only.  Both find where the backward pass starts with
:func:`backward_start`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from .errors import ParseError
from .parser import parse  # noqa: F401 - the doctests read code with it
from .syntax import Array, BinOp, Expr, Name, Neg, Num, Program, Statement, names_in

__all__ = ["gradient_reading", "backward_start", "forward_part", "backward_lines",
           "without_updates", "Update", "parameter_updates"]


def gradient_reading(name: str, names: Collection[str]) -> tuple[str, ...] | None:
    """How a name reads as a gradient: ``("grad", X)`` for dX, ``("local", A, B)`` for dAdB.

    ``names`` are the names of the forward pass.  A name of the forward pass is a value,
    never a gradient; the one-name reading dX wins over dAdB; among dAdB readings the
    shortest A wins.  ``d`` alone, ``dot`` or ``delta`` are no gradients unless ``ot`` or
    ``elta`` are names.

    >>> gradient_reading("dfdq", {"f", "q", "z"}), gradient_reading("dq", {"q"})
    (('local', 'f', 'q'), ('grad', 'q'))
    >>> gradient_reading("dx", {"x", "dx"}) is None, gradient_reading("dot", {"w0", "x0"})
    (True, None)
    """
    if name in names or not name.startswith("d") or len(name) < 2:
        return None
    rest = name[1:]
    if rest in names:
        return ("grad", rest)
    for i in range(1, len(rest) - 1):
        if rest[i] == "d" and rest[:i] in names and rest[i + 1:] in names:
            return ("local", rest[:i], rest[i + 1:])
    return None


_BACKWARD_MARKER = re.compile(r"\s*#\s*(backward|backprop)", re.IGNORECASE)


def _backward_marker(program: Program) -> tuple[int, int] | None:
    """(index of the first statement after it, line) of a ``# backward`` comment, or None."""
    statements = program.statements
    if not statements:
        return None
    for number, line in enumerate(program.source.split("\n"), start=1):
        if number > statements[0].line and _BACKWARD_MARKER.match(line):
            after = [i for i, st in enumerate(statements) if st.line > number]
            return (after[0], number) if after else None
    return None


def backward_start(program: Program) -> int | None:
    r"""Index of the first statement of the backward pass, or None when there is none.

    A whole-line comment starting with ``# backward`` or ``# backprop`` after the first
    statement marks it explicitly (the cs231n notes write ``# backprop f = num * invden``);
    otherwise it is the first statement that assigns a gradient name (:func:`gradient_reading`)
    of the names seen so far.  This is the one rule ``gbp check`` and :func:`forward_part` use.

    >>> backward_start(parse("x = 2; y = 3\nf = x * y\ndx = y"))
    3
    >>> backward_start(parse("x = 2; dx = 3\nf = x * dx\n# backward pass\nddx = x"))
    3
    >>> backward_start(parse("a = 2; b = 3\nd = a * b\ndot = d + a")) is None
    True
    """
    marked = _backward_marker(program)
    if marked is not None:
        return marked[0]
    seen: set[str] = set()
    for i, st in enumerate(program.statements):
        if st.target and gradient_reading(st.target, seen) is not None:
            return i
        seen.update(names_in(st.value))
        if st.target:
            seen.add(st.target)
    return None


def _backward_part(program: Program) -> tuple[int, int, int, int] | None:
    """(first statement, first line, last line, first line not kept in the forward text) of
    the backward pass :func:`forward_part` drops."""
    k = backward_start(program)
    if not k:
        return None
    statements = program.statements
    assigned = [st.target for st in statements[k:] if st.target]
    if not assigned or len(assigned[-1]) < 2 or not assigned[-1].startswith("d"):
        return None  # a program that goes on computing values, as in dx = 0.1; f = g(x + dx)
    marked = _backward_marker(program)
    first = marked[1] if marked is not None and marked[0] == k else statements[k].line
    cut = max(first, statements[k - 1].line + 1)  # a line shared with the forward pass stays
    return k, first, max(_last_line(program), statements[-1].line, first), cut


def _last_line(program: Program) -> int:
    """The last line of the text with code on it."""
    lines = program.source.split("\n")
    return max((n for n, text in enumerate(lines, start=1) if text.split("#", 1)[0].strip()),
               default=program.statements[-1].line)


def forward_part(program: Program) -> Program:
    r"""The program without its backward pass: what ``gbp eval``, ``gbp render`` and ``trace``
    draw from a derivation written as code.

    The backward pass starts where :func:`backward_start` says (the rule of ``gbp check``),
    and is left out only when its last assignment looks like a gradient too (a name of two
    or more characters starting with d, such as ``dy`` or a misspelt ``dzz``).  So a program
    that goes on computing after a variable named like a gradient (``x = 2; dx = 0.1``, then
    ``f = (x + dx)**2``) is read whole.  The source text of the result ends before the
    backward pass; line numbers stay those of the full text.

    >>> code = "x = -2; y = 5; z = -4\nq = x + y\nf = q * z\ndq = z\ndx = dq\n"
    >>> [st.target for st in forward_part(parse(code)).statements]
    ['x', 'y', 'z', 'q', 'f']
    >>> len(forward_part(parse("x = 2; dx = 0.1\nf = (x + dx)**2")).statements)
    3

    Parameter updates at the end (:func:`parameter_updates`) are left out too, with the
    binding of a step size that nothing else reads.
    """
    updates = parameter_updates(program)
    core = without_updates(program)
    part = _backward_part(core)
    if part is None and not updates:
        return program
    if part is None:  # updates without a backward pass: the forward pass ends before them
        k, first = len(core.statements), program.statements[len(core.statements)].line
        cut = max(first, core.statements[-1].line + 1)
    else:
        k, _, _, cut = part
    text = "\n".join(program.source.split("\n")[:cut - 1]) + "\n"
    return Program(_without_rates(core.statements[:k], updates), text)


def backward_lines(program: Program) -> tuple[int, int] | None:
    r"""The lines (first, last) of the backward pass :func:`forward_part` leaves out (with
    the updates after it, if any), or None; updates alone (``W -= lr * dW`` after the forward
    pass) are no backward pass: they are a step of gradient descent, drawn as frames.

    >>> backward_lines(parse("x = 2; y = 3\nf = x * y\n# backward\ndx = y\ndy = x\n"))
    (3, 5)
    """
    updates = parameter_updates(program)
    part = _backward_part(without_updates(program))
    if part is None:  # nothing to check (updates alone are a step of gradient descent)
        return None
    return part[1], max(part[2], _last_line(program)) if updates else part[2]


# ---- parameter updates: W -= lr * dW at the end of a derivation -----------------------------
#
# The cs231n notes end a backward pass with a step of gradient descent (``W += -step_size *
# dW``).  Those lines are neither circuit nor gradients: ``trace`` turns them into the same
# step as ``gbp eval --sgd``.


@dataclass(frozen=True)
class Update:
    """One parameter update ``name -= rate * dname``: the step size as a number, what the
    source calls it (``step_size``, or the number as written), and the line."""

    name: str
    rate: float
    rate_name: str
    line: int


def _rate(expr: Expr, bound: dict[str, float]) -> tuple[float, str, int] | None:
    """(value, how it is written, sign) of a step size: a number or a name bound to one,
    possibly negated; None if it is neither."""
    sign = 1
    while isinstance(expr, Neg):
        sign, expr = -sign, expr.operand
    if isinstance(expr, Num):
        return expr.value, format(expr.value, "g"), sign
    if isinstance(expr, Name) and expr.id in bound:
        return bound[expr.id], expr.id, sign
    return None


def _update(st: Statement, bound: dict[str, float]) -> Update | ParseError | None:
    """The update a statement makes, if it is ``W -= lr * dW`` or ``W += -lr * dW`` (or
    ``W = W - lr * dW``, ``W -= dW * lr``); None if it is no update, the error if it is
    written as one but cannot be taken."""
    value, target = st.value, st.target
    if not (target and isinstance(value, BinOp) and value.op in "+-"
            and isinstance(value.left, Name) and value.left.id == target):
        return None
    sign, step = (1 if value.op == "+" else -1), value.right
    while isinstance(step, Neg):
        sign, step = -sign, step.operand
    if not (isinstance(step, BinOp) and step.op == "*"):
        return None
    grad = f"d{target}"
    if isinstance(step.right, Name) and step.right.id == grad:
        rate_expr = step.left
    elif isinstance(step.left, Name) and step.left.id == grad:
        rate_expr = step.right
    else:
        return None
    found = _rate(rate_expr, bound)
    if found is None:
        return ParseError(f"the step size of this update of {target} must be a number or a"
                          " name bound to one, as in step_size = 1e-3", st.line, st.col)
    rate, written, rate_sign = found
    rate = -sign * rate_sign * rate
    if rate <= 0:
        return ParseError(f"this update moves {target} up its gradient, which makes the output"
                          f" larger; a step of gradient descent is {target} -= step * {grad}"
                          f" or {target} += -step * {grad} with a positive step", st.line,
                          st.col)
    return Update(target, rate, written, st.line)


def _literal(expr: Expr) -> bool:
    """Whether an expression is a value an input is bound to: a number or a list."""
    while isinstance(expr, Neg):
        expr = expr.operand
    return isinstance(expr, (Num, Array))


def _split_updates(program: Program) -> tuple[Program, tuple[Update, ...]]:
    """The program without the updates it ends with, and those updates (in order).

    A statement is an update only where the parameter it moves is an input read by the gates
    before it: ``x = 2; dx = 0.1; x -= 0.5 * dx`` computes a value, and so does
    ``c = 2 * x; dc = 3; c -= 0.5 * dc``; neither takes a step.
    """
    statements = program.statements
    bound: dict[str, float] = {}
    for st in statements:
        if st.target and isinstance(st.value, Num):
            bound.setdefault(st.target, st.value.value)
        elif st.target and isinstance(st.value, Neg) and isinstance(st.value.operand, Num):
            bound.setdefault(st.target, -st.value.operand.value)
    start = len(statements)
    found: list[Update | ParseError] = []
    while start > 1:
        update = _update(statements[start - 1], bound)
        if update is None:
            break
        found.insert(0, update)
        start -= 1
    if not found:
        return program, ()
    core = Program(statements[:start], program.source)
    forward = statements[:backward_start(core) or start]
    read = {n for st in forward for n in names_in(st.value)}
    computed = {st.target for st in forward if not _literal(st.value)}
    if any(st.target not in read or st.target in computed for st in statements[start:]):
        return program, ()
    for u in found:
        if isinstance(u, ParseError):
            raise u
    return core, tuple(u for u in found if isinstance(u, Update))


def _without_rates(statements: Sequence[Statement], updates: tuple[Update, ...]
                   ) -> tuple[Statement, ...]:
    """The statements without the bindings of step sizes that only the updates read."""
    rates = {u.rate_name for u in updates}
    read = {n for st in statements for n in names_in(st.value)}
    return tuple(st for st in statements if st.target not in rates - read)


def without_updates(program: Program) -> Program:
    """The program without the parameter updates it ends with, nor the bindings of step
    sizes only they read (what ``gbp check`` checks)."""
    core, updates = _split_updates(program)
    if not updates:
        return program
    return Program(_without_rates(core.statements, updates), core.source)


def parameter_updates(program: Program) -> tuple[Update, ...]:
    r"""The steps of gradient descent a program ends with (``W -= lr * dW``, ``W += -lr *
    dW``): what :func:`forward_part` leaves out besides the backward pass.

    >>> code = "w = 2; x = 3; lr = 0.1\nf = w * x\ndw = x\nw += -lr * dw\n"
    >>> parameter_updates(parse(code))
    (Update(name='w', rate=0.1, rate_name='lr', line=4),)
    >>> [st.target for st in forward_part(parse(code)).statements]
    ['w', 'x', 'f']
    """
    return _split_updates(program)[1]
