"""TOML files: expression files and derivations, screened before they are parsed and read
by one reader of their keys; the bundled example library (``expressions/*.toml``).

An expression file has ``name``, ``title``, ``description``, ``source`` (where it comes
from), either ``expression`` or ``program``, and ``[at]``.  A derivation (the TOML format of
``gbp check``) has a circuit, ``[at]`` and ``[claims]``.

>>> ex = load_example("cs231n-simple")
>>> ex.text.split(), ex.at
(['q', '=', 'x', '+', 'y', 'f', '=', 'q', '*', 'z'], {'x': -2.0, 'y': 5.0, 'z': -4.0})
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import InputError, LimitError, ValuesError
from .limits import MAX_TOML_CHARS, MAX_TOML_DEPTH
from .textfile import display_name, plain_name, read_text

__all__ = ["Example", "check_plain_text", "DERIVATION_KEYS", "load_toml", "toml_error",
           "load_expression_file", "list_examples", "load_example", "example_names",
           "finite_number"]


_REQUIRED = ("name", "title", "description", "source")


_KNOWN_KEYS = set(_REQUIRED) | {"expression", "program", "at", "expand"}


#: The keys of a derivation (the TOML format of ``gbp check``): one circuit, [at], [claims].
DERIVATION_KEYS = ("expression", "program", "example", "at", "claims",
                   "name", "title", "description", "source")


#: Keys only a derivation has: a TOML file with one of them is read as a derivation.
_DERIVATION_ONLY = ("claims", "example")


#: An unquoted TOML key with a slash, as in ``df/dx = 3`` (TOML needs ``"df/dx" = 3``).
_SLASH_KEY = re.compile(r"\s*([A-Za-z0-9_-]+\s*/[^=\"']*?)\s*=(.*)")


@dataclass(frozen=True)
class Example:
    """One expression file."""

    name: str
    title: str
    description: str
    source: str
    text: str
    at: dict[str, float]
    expand: bool = False
    path: str = ""


def _examples_dir() -> Path:
    """The example library: inside the installed package, else the checkout's ``expressions/``."""
    packaged = resources.files("graphviz_backprop") / "expressions"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "expressions"


def _number(where: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValuesError(f"{where}: value of '{name}' is not a number: {value!r}")
    return float(finite_number(value, f"{where}: value of '{name}'"))


def finite_number(value: int | float, what: str) -> float:
    """``value`` as a finite float64, or a :class:`ValuesError` naming ``what``.

    >>> finite_number(10 ** 400, "value of 'x'")
    Traceback (most recent call last):
    ...
    graphviz_backprop.errors.ValuesError: value of 'x' is too large for float64 (a number of ...)
    """
    try:
        number = float(value)
    except OverflowError:
        power = math.floor(math.log10(abs(value)))  # the float may round up at 10**k - 1
        digits = power + (10 ** power <= abs(value))
        raise ValuesError(f"{what} is too large for float64 (a number of about {digits:,}"
                          " digits)") from None
    if not math.isfinite(number):
        raise ValuesError(f"{what} is not a finite number: {value!r}")
    return number


def load_toml(text: str) -> dict[str, Any]:
    """TOML text as data, screened before it is parsed: size, nesting of arrays and inline
    tables, parts of a dotted key (a few KB of brackets or dots would otherwise take the
    parser gigabytes or its whole stack).  Errors are :class:`InputError` without a file name.

    >>> load_toml('x = 1')
    {'x': 1}
    >>> load_toml('x = ' + '[' * 30 + ']' * 30)
    Traceback (most recent call last):
    ...
    graphviz_backprop.errors.LimitError: TOML nested more than 20 levels deep (line 1)
    """
    if len(text) > MAX_TOML_CHARS:
        raise LimitError(f"TOML file is {len(text):,} characters long; the limit is"
                         f" {MAX_TOML_CHARS:,}")
    _screen_toml(text)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(toml_error(err, text)) from None
    except (RecursionError, MemoryError):
        raise LimitError(f"TOML nested too deeply (the limit is {MAX_TOML_DEPTH} levels)") \
            from None
    except ValueError as err:  # Python's own limit on the digits of an integer
        raise LimitError(f"a number in the TOML file is too long ({err})") from None


def _screen_toml(text: str) -> None:
    """Refuse deep nesting and long dotted keys, reading strings and comments as TOML does."""
    depth, line, i, n = 0, 1, 0, len(text)
    dots = 0  # dots outside strings on this line that are not a number's decimal point
    while i < n:
        ch = text[i]
        if ch == "\n":
            line, dots = line + 1, 0
        elif ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif ch in "\"'":
            triple = text.startswith(ch * 3, i)
            quote = ch * 3 if triple else ch
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                if ch == '"' and text[j] == "\\":
                    j += 1
                elif text[j] == "\n" and not triple:
                    break  # an unterminated string: the parser will say so
                j += 1
            line += text.count("\n", i, j)
            i = j + len(quote)
            continue
        elif ch in "[{":
            depth += 1
            if depth > MAX_TOML_DEPTH:
                raise LimitError(f"TOML nested more than {MAX_TOML_DEPTH} levels deep"
                                 f" (line {line})")
        elif ch in "]}":
            depth = max(0, depth - 1)
        elif ch == "." and not (0 < i < n - 1 and text[i - 1].isdigit()
                                and text[i + 1].isdigit()):
            dots += 1
            if dots >= MAX_TOML_DEPTH:
                raise LimitError(f"TOML dotted key of more than {MAX_TOML_DEPTH} parts"
                                 f" (line {line})")
        i += 1


#: Longest title, description or source note of an expression file, in characters.
_TEXT_LIMITS = {"title": 200, "description": 2000, "source": 2000, "name": 64}


_NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
                       "\ufeff\ufff9-\uffff\ud800-\udfff]")


def check_plain_text(what: str, value: str, limit: int = _TEXT_LIMITS["title"]) -> str:
    """A title or note that is drawn and printed: plain text of a sensible length, else an
    :class:`InputError` naming ``what``."""
    if len(value) > limit:
        raise InputError(f"{what} is {len(value):,} characters long; the limit is {limit:,}")
    bad = _NOT_TEXT.search(value)
    if bad:
        raise InputError(f"{what} holds the control character U+{ord(bad.group()):04X};"
                         " write plain text")
    return value


def _check_texts(where: str, data: dict[str, Any]) -> None:
    """Titles and notes are drawn and printed: plain text of a sensible length."""
    for key, limit in _TEXT_LIMITS.items():
        value = data.get(key)
        if isinstance(value, str):
            check_plain_text(f"{where}: '{key}'", value, limit)


def toml_error(err: tomllib.TOMLDecodeError, text: str) -> str:
    """tomllib's message, with a hint for an unquoted key with a slash (``df/dx = 3``).

    >>> text = "[claims]\\ndf/dx = 3\\n"
    >>> try:
    ...     tomllib.loads(text)
    ... except tomllib.TOMLDecodeError as err:
    ...     print(toml_error(err, text))
    not valid TOML: ... (at line 2, column 3); a key with '/' must be quoted: "df/dx" = 3
    """
    message = f"not valid TOML: {err}"
    found = re.search(r"at line (\d+)", str(err))
    lines = text.split("\n")
    if found and 0 < int(found.group(1)) <= len(lines):
        key = _SLASH_KEY.match(lines[int(found.group(1)) - 1])
        if key:
            value = key.group(2).split("#", 1)[0].strip()
            message += (f"; a key with '/' must be quoted: \"{key.group(1).strip()}\""
                        + (f" = {value}" if value else ""))
    return message


def load_expression_file(path: str | Path) -> Example:
    """Read an expression file (TOML); errors name the file and the problem.

    A derivation (the TOML format of ``gbp check``: a circuit, ``[at]`` and ``[claims]``)
    is read too, for drawing its circuit: ``[claims]`` is ignored, and ``example = NAME``
    means that example's circuit and values (``[at]`` overrides them).
    """
    path = Path(path)
    text = read_text(path)
    where = display_name(path)
    try:
        data = load_toml(text)
    except InputError as err:
        raise type(err)(f"{where}: {err}") from None
    if any(k in data for k in _DERIVATION_ONLY):
        unknown = sorted(set(data) - set(DERIVATION_KEYS))
        if unknown:
            raise InputError(f"{where}: unknown key '{unknown[0]}' in a derivation"
                             f" (known: {', '.join(DERIVATION_KEYS)})")
        given = [k for k in ("expression", "program", "example") if k in data]
        if len(given) != 1:
            raise InputError(f"{where}: give the circuit as one of 'expression', 'program' or"
                             f" 'example', not {' and '.join(given) or 'none'}")
        for key in (*given, "name", "title", "description", "source"):
            if key in data and not isinstance(data[key], str):
                raise InputError(f"{where}: '{key}' must be a string")
        table = data.get("at", {})
        if not isinstance(table, dict):
            raise InputError(f"{where}: [at] must be a table of name = number")
        base = None
        if "example" in data:
            try:
                base = load_example(data["example"])
            except InputError as err:
                raise InputError(f"{where}: {err}") from None
        at = dict(base.at) if base else {}
        at.update({str(k): _number(where, k, v) for k, v in table.items()})
        _check_texts(where, data)
        # a derivation's name is not used: its outputs are named after the file
        return Example(plain_name(path.stem),
                       data.get("title") or (base.title if base else display_name(path)),
                       data.get("description", base.description if base else ""),
                       data.get("source", base.source if base else ""),
                       base.text if base else data[given[0]], at,
                       bool(base and base.expand), str(path))
    missing = [k for k in _REQUIRED if k not in data]
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise InputError(f"{where}: unknown key '{unknown[0]}'"
                         f" (known: {', '.join(sorted(_KNOWN_KEYS))})")
    if ("expression" in data) == ("program" in data):
        raise InputError(f"{where}: give either 'expression' or 'program', not both or neither")
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise InputError(f"{where}: missing key{plural} {', '.join(missing)}")
    body = data.get("expression", data.get("program"))
    for key in (*_REQUIRED, "expression", "program"):
        if key in data and not isinstance(data[key], str):
            raise InputError(f"{where}: '{key}' must be a string")
    at = data.get("at", {})
    if not isinstance(at, dict):
        raise InputError(f"{where}: [at] must be a table of name = number")
    values = {str(k): _number(where, k, v) for k, v in at.items()}
    _check_texts(where, data)
    if plain_name(data["name"]) != data["name"]:
        raise InputError(f"{where}: name {data['name']!r} is not a plain name (letters, digits,"
                         " '.', '_' and '-', at most 64; output files are named after it)")
    return Example(data["name"], data["title"], data["description"], data["source"], str(body),
                   values, bool(data.get("expand", False)), str(path))


def list_examples() -> list[Example]:
    """Every example of the bundled library, sorted by name."""
    folder = _examples_dir()
    return [load_expression_file(p) for p in sorted(folder.glob("*.toml"), key=lambda p: p.stem)]


def example_names() -> list[str]:
    folder = _examples_dir()
    return sorted(p.stem for p in folder.glob("*.toml"))


def load_example(name: str) -> Example:
    """One example of the bundled library by name (``sigmoid-neuron``)."""
    names = example_names()
    if name not in names:
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise InputError(f"unknown example '{name}' ({hint}examples: {', '.join(names)})")
    return load_expression_file(_examples_dir() / f"{name}.toml")
