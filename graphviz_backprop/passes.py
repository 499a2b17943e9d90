"""Code written the cs231n way is a forward pass followed by a backward pass (``dx = ...``):
where the backward pass starts, and the program without it.

``gbp check`` checks the backward pass against the forward one; ``gbp eval``, ``gbp render``
and ``trace`` draw the forward pass only.  Both find where the backward pass starts with
:func:`backward_start`.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from .parser import parse  # noqa: F401 - the doctests read code with it
from .syntax import Program, names_in

__all__ = ["gradient_reading", "backward_start", "forward_part", "backward_lines"]


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
    lines = program.source.split("\n")
    last = max((n for n, text in enumerate(lines, start=1) if text.split("#", 1)[0].strip()),
               default=statements[-1].line)
    return k, first, max(last, statements[-1].line, first), cut


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
    """
    part = _backward_part(program)
    if part is None:
        return program
    k, _, _, cut = part
    text = "\n".join(program.source.split("\n")[:cut - 1]) + "\n"
    return Program(program.statements[:k], text)


def backward_lines(program: Program) -> tuple[int, int] | None:
    r"""The lines (first, last) that :func:`forward_part` leaves out, or None.

    >>> backward_lines(parse("x = 2; y = 3\nf = x * y\n# backward\ndx = y\ndy = x\n"))
    (3, 5)
    """
    part = _backward_part(program)
    return None if part is None else part[1:3]
