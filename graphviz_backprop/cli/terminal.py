"""What reaches the terminal: every printed text terminal-safe, every error one line.

Nothing from an input reaches the terminal raw: control characters, text-direction
overrides and undecodable bytes of a file name are shown escaped (in JSON, as JSON escapes,
so it stays valid).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import click

__all__ = ["terminal_safe", "json_safe", "echo", "echo_json", "Failure", "finite", "usage"]

#: What must never reach a terminal raw: control characters (they can move the cursor, set
#: the window title, clear the screen), text-direction overrides, and undecodable bytes of a
#: file name (``surrogateescape``).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e"
                     "\u2066-\u2069\ufeff\ud800-\udfff]")


def terminal_safe(text: str) -> str:
    r"""``text`` with everything a terminal would act on shown escaped, as Python writes it.

    >>> print(terminal_safe("claim \x1b]0;pwned\x07 ok"))
    claim \x1b]0;pwned\x07 ok
    """
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace")
                       .decode("ascii"), text)


def json_safe(text: str) -> str:
    """JSON text with the same characters escaped the JSON way (``\u001b``): still valid
    JSON with the same data (JSON writes nothing else outside its strings)."""
    return _UNSAFE.sub(lambda m: "".join(f"\\u{unit:04x}" for unit in
                                         _utf16(m.group())), text)


def _utf16(ch: str) -> list[int]:
    data = ch.encode("utf-16-be", "surrogatepass")
    return [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]


def echo(text: str, err: bool = False) -> None:
    """Print a line of output: every printed text comes from or passes through here."""
    click.echo(terminal_safe(text), err=err)


def echo_json(data: Any) -> None:
    """Print data as JSON, terminal-safe."""
    click.echo(json_safe(data if isinstance(data, str)
                         else json.dumps(data, indent=2, ensure_ascii=False)))


class Failure(click.ClickException):
    """A one-line error with the exit code of the error that caused it."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(terminal_safe(" ".join(str(message).split())))
        self.exit_code = exit_code  # type: ignore[misc]  # click: a class variable; here each


def finite(param: click.Parameter, value: float) -> float:
    """An option's number must be finite (click's ranges let nan and inf through)."""
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number", param=param)
    return value


def usage(message: str) -> Failure:
    """A wrong combination of options: one ``Error:`` line and exit code 2."""
    return Failure(message, 2)
