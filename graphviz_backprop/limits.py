"""Bounds on the work any input can cause, and the time budget of symbolic work.

Every input is bounded by design: sizes are checked before anything is built (the parser's
limits, TOML screened before it is parsed), and symbolic work, whose cost sympy decides,
also runs under a wall-clock budget.  docs/conventions.md lists every limit.

>>> with time_budget(5.0, "too slow"):
...     sum(range(10))
45
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import LimitError

__all__ = ["MAX_RENDER_GATES", "MAX_GIF_PIXELS", "MAX_ARGUMENTS", "MAX_TOML_DEPTH",
           "MAX_TOML_CHARS", "MAX_INTEGER_DIGITS", "symbolic_seconds", "time_budget"]

#: Most gates a circuit may have for an animation, a stepper or a deck (a frame per gate and
#: pass); above it, one picture only (``gbp render --final``).
MAX_RENDER_GATES = 1000
#: Most pixels of all the frames of one GIF together (Pillow holds every frame, a byte a
#: pixel, while it writes the animation): a larger picture is drawn at a lower resolution.
MAX_GIF_PIXELS = 250_000_000
#: Most arguments of one max(...) or min(...) call.
MAX_ARGUMENTS = 100
#: Deepest nesting of arrays and inline tables in a TOML file, and most parts of a dotted key.
MAX_TOML_DEPTH = 20
#: Longest TOML file, in characters.
MAX_TOML_CHARS = 200_000
#: Most digits of a whole number that exact (symbolic) arithmetic may make.
MAX_INTEGER_DIGITS = 1_000
#: Seconds symbolic work may take (GBP_SYMBOLIC_SECONDS overrides).
SYMBOLIC_SECONDS = 4.0


def symbolic_seconds() -> float:
    """The wall-clock budget of one piece of symbolic work, in seconds."""
    try:
        seconds = float(os.environ.get("GBP_SYMBOLIC_SECONDS", SYMBOLIC_SECONDS))
    except ValueError:
        return SYMBOLIC_SECONDS
    return seconds if seconds > 0 else SYMBOLIC_SECONDS


class _Expired(BaseException):
    """Raised by the timer; a BaseException, so no ``except Exception`` inside sympy eats it."""


_ACTIVE = threading.local()


@contextmanager
def time_budget(seconds: float, message: str) -> Iterator[None]:
    """Raise :class:`LimitError` (``message``) if the block runs longer than ``seconds``.

    The timer is a signal, so the budget holds in the main thread (the command line);
    elsewhere the block runs unbounded, as the static limits still hold.  Inside another
    budget the outer one governs.
    """
    if (getattr(_ACTIVE, "on", False) or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        if _ACTIVE.armed:  # not once the block is over
            raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    _ACTIVE.on = _ACTIVE.armed = True
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
        _ACTIVE.armed = False  # inside the try: a signal just before this is still caught
    except _Expired:
        raise LimitError(message) from None
    finally:
        _ACTIVE.armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        _ACTIVE.on = False
