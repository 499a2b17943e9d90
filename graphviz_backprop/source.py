"""Where a circuit comes from: source text, a file, or an example of the bundled library.

SOURCE is an existing file, else a bundled example's name, else the text itself; values
given on the command line are read strictly (``x=-2,y=5``).

>>> resolve("cs231n-simple").at
{'x': -2.0, 'y': 5.0, 'z': -4.0}
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, ParseError, ValuesError
from .textfile import display_name, read_text
from .tomlfile import Example, example_names, load_example, load_expression_file

__all__ = ["Source", "resolve", "parse_assignments"]

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class Source:
    """Resolved source: the text to parse, its values, and what it is called."""

    text: str
    at: dict[str, float] = field(default_factory=dict)
    title: str | None = None
    example: Example | None = None


def _looks_like_path(text: str) -> bool:
    return (bool(text.strip()) and len(text) < 4096 and "\0" not in text and "\n" not in text
            and ";" not in text)


def _exists(path: Path) -> bool:
    """True for an existing file or folder; text that cannot be a path (too long) is not one.

    Something else at that path (a pipe, a device such as /dev/stdin) is refused: it is
    named like a file, so it is not an expression either.
    """
    try:
        if path.is_file() or path.is_dir():
            return True
        special = path.exists()
    except (OSError, ValueError):
        return False
    if special:
        raise InputError(f"'{path}' is not a regular file (a pipe, device or socket is not"
                         " read)")
    return False


#: Endings that make a SOURCE a file name, not text (``homework.tml`` is a typo, not code).
_FILE_SUFFIXES = {"toml", "tml", "py", "txt", "json", "yaml", "yml", "md", "ipynb", "cfg"}


def resolve(source: str) -> Source:
    """Resolve SOURCE: an existing file, else a bundled example's name, else the text itself."""
    if not isinstance(source, str):
        raise InputError(f"source must be text, not {type(source).__name__}")
    if _looks_like_path(source):
        path = Path(source)
        # a folder of frames named after an example ("gbp render X -o X/") is not the source
        if _exists(path) and not (path.is_dir() and source.rstrip("/") in example_names()):
            if path.suffix == ".toml":
                example = load_expression_file(path)
                return Source(example.text, dict(example.at), example.title, example)
            return Source(read_text(path), {}, display_name(path))
        names = example_names()
        source = source.rstrip("/") if source.rstrip("/") in names else source
        if source in names:
            example = load_example(source)
            return Source(example.text, dict(example.at), example.title, example)
        # "cs231n-simpel" would otherwise be the difference cs231n - simpel, and
        # "sigmoid_neuron" a circuit of one input
        if re.fullmatch(r"[A-Za-z]\w*([-_]\w+)+", source):
            close = difflib.get_close_matches(source.replace("_", "-"), names, n=1, cutoff=0.8)
            if close:
                raise InputError(f"unknown example '{source}' (did you mean '{close[0]}'?"
                                 f" examples: {', '.join(names)})")
        if re.fullmatch(r"[\w./-]+", source) and (
                ("/" in source and "." in source.rsplit("/", 1)[-1])
                or source.rsplit(".", 1)[-1].lower() in _FILE_SUFFIXES):
            raise InputError(f"file '{source}' does not exist")
    return Source(source)


def _shown(text: str) -> str:
    """A piece of a value in a message: at most 60 characters, on one line."""
    return text[:60].replace("\r", "\\r").replace("\n", "\\n")


def _split(item: str) -> list[str]:
    """``x=[0.2,0.4],y=5`` -> ``["x=[0.2,0.4]", "y=5"]``: commas inside a value's brackets
    stay (brackets before a part's ``=`` are no list: that part is not name=value)."""
    parts, depth, start, in_value = [], 0, 0, False
    for i, ch in enumerate(item):
        if ch == "=":
            in_value = True
        elif ch == "[" and in_value:
            depth += 1
        elif ch == "]" and in_value:
            depth -= 1
            if depth < 0:
                raise ValuesError(f"'{_shown(item[start:i + 1])}': a ']' closes no '['")
        elif ch == "," and depth == 0:
            parts.append(item[start:i])
            start, in_value = i + 1, False
    if depth:
        raise ValuesError(f"'{_shown(item[start:])}': a '[' is not closed")
    parts.append(item[start:])
    return parts


def _array_value(name: str, text: str) -> Any:
    """A vector or matrix written as a list literal, read by the whitelisted parser."""
    from .arrays import as_array
    from .parser import parse
    from .syntax import Array

    if not text.endswith("]") or any(ch in text for ch in ";\n\r"):
        raise ValuesError(f"value of '{name}' is not a list of numbers (as in {name}=[0.2,0.4]"
                          f" or {name}=[[1,2],[3,4]])")
    try:
        program = parse(f"{name} = {text}")
    except ParseError as err:  # its message, without a column of the text it did not see
        raise ValuesError(f"value of '{name}': {err.message}") from None
    (statement,) = program.statements
    if not isinstance(statement.value, Array):
        raise ValuesError(f"value of '{name}' is not a list of numbers (as in {name}=[0.2,0.4]"
                          f" or {name}=[[1,2],[3,4]])")
    return as_array(f"value of '{name}'", statement.value.values)


def parse_assignments(items: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """``["x=-2,y=5", "z=-4"]`` -> ``{"x": -2.0, "y": 5.0, "z": -4.0}``; strict.

    A vector or matrix is written as a list, ``x=[0.2,0.4]`` or ``W=[[1,2],[3,4]]``, read by
    the same whitelisted parser as the source (never run), and becomes a read-only array.

    >>> parse_assignments(["x=-2,y=5", "z=1e-3"])
    {'x': -2.0, 'y': 5.0, 'z': 0.001}
    >>> parse_assignments(["W=[[1,2],[3,4]],b=0.5"])["W"].tolist()
    [[1.0, 2.0], [3.0, 4.0]]
    """
    values: dict[str, Any] = {}
    for item in items:
        for part in _split(item):
            part = part.strip()
            if not part:
                continue
            name, sep, text = (s.strip() for s in part.partition("="))
            if not sep or not name.isidentifier() or not name.isascii():
                raise ValuesError(f"'{_shown(part)}' is not of the form name=number (as in x=-2,"
                                  " or x=[0.2,0.4] for a vector)")
            if name in values:
                raise ValuesError(f"value of '{name}' is given twice")
            if text.startswith("["):
                values[name] = _array_value(name, text)
                continue
            if text.lower().lstrip("+-") in ("inf", "infinity"):
                raise ValuesError(f"value of '{name}' is not a finite number: '{text}'")
            if not _NUMBER.fullmatch(text):
                raise ValuesError(f"value of '{name}' is not a number: '{text}'")
            number = float(text)
            if not math.isfinite(number):
                raise ValuesError(f"value of '{name}' is not a finite number: '{text}'")
            values[name] = number
    return values
