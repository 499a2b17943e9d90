"""Time for symbolic work: each claim's comparison may take ``symbolic_seconds()`` (over it,
the claim is too complex to check), a whole derivation :data:`FILE_BUDGETS` times that.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..errors import LimitError
from ..limits import symbolic_seconds, time_budget

#: Checking one derivation may take this many times symbolic_seconds() in all (each claim's
#: symbolic comparison may take symbolic_seconds()).
FILE_BUDGETS = 5


class TooComplexError(Exception):
    """A claim whose symbolic comparison is over its time budget or a size limit; the
    message says why, as the claim's note ends: ``more than 4 s``."""


#: Errors of a symbolic comparison too large for sympy (its stack, memory, or numbers).
_TOO_LARGE = (LimitError, RecursionError, MemoryError, OverflowError)


class Clock:
    """The wall-clock budget of one derivation's symbolic work (see :func:`time_budget`).

    Each claim's comparison may take :func:`symbolic_seconds`; over it, the claim is too
    complex to check, not wrong.  All the work on the derivation together (from reading it)
    may take :data:`FILE_BUDGETS` times that; over it, the derivation is an error.  The
    budgets of one derivation follow one another and never nest (an outer one would govern).
    """

    def __init__(self) -> None:
        self.seconds = symbolic_seconds()
        self.total = self.seconds * FILE_BUDGETS
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
        symbolic work), :class:`TooComplexError`."""
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
                raise TooComplexError(expired) from None
            raise TooComplexError("its formulas are too large to work out") from None

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
