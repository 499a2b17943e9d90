"""The text before the parser: its size, its characters, its indentation, and Python's own
syntax check (``ast.parse`` only builds a tree; nothing runs).
"""

from __future__ import annotations

import ast
import re
import textwrap
import unicodedata

from .errors import InputError, LimitError, ParseError
from .whitelist import LOOKALIKES

__all__ = ["MAX_SOURCE_CHARS", "MAX_DEPTH", "MAX_NUMBER_CHARS", "python_tree"]


#: Longest source text accepted, in characters.
MAX_SOURCE_CHARS = 100_000


#: Deepest nesting of one statement's syntax tree (parentheses, operators, calls).
MAX_DEPTH = 200


#: Longest number literal, in characters.
MAX_NUMBER_CHARS = 100


def _check_characters(text: str) -> None:
    """Reject NUL bytes, control characters and non-ASCII outside comments, with where."""
    for lineno, line in enumerate(text.split("\n"), start=1):
        code = line.split("#", 1)[0]
        for col, ch in enumerate(code, start=1):
            if " " <= ch <= "~" or ch in "\t\r\f":
                continue
            if ch == "\0":
                raise ParseError("NUL byte in the source", lineno, col)
            name = unicodedata.name(ch, "a control character")
            if ch in LOOKALIKES:
                raise ParseError(
                    f"character U+{ord(ch):04X} ({name}) is not allowed; type {LOOKALIKES[ch]}"
                    " instead", lineno, col)
            kind = "invisible character" if not ch.isprintable() or ch.isspace() else "character"
            raise ParseError(
                f"{kind} U+{ord(ch):04X} ({name}) is not allowed; names and operators are plain"
                " ASCII", lineno, col)


def _syntax_error(err: SyntaxError, text: str) -> ParseError:
    line, col = err.lineno or 1, err.offset or 1
    msg = err.msg or "invalid syntax"
    src = text.split("\n")[line - 1] if 0 < line <= text.count("\n") + 1 else ""
    if re.search(r"\d[A-Za-z_]", src[max(col - 3, 0):]) and "literal" in msg:
        msg += " (write 2*x for a product)"
    if "nested parentheses" in msg:
        return LimitError(f"too many nested parentheses; the limit is {MAX_DEPTH}", line, col)
    if "integer string conversion" in msg:  # Python's own limit on digits, hit before ours
        return LimitError(
            f"number literal is too long; the limit is {MAX_NUMBER_CHARS} characters", line, col)
    return ParseError(f"syntax error: {msg}", line, col)


def _depth(tree: ast.AST) -> int:
    """Depth of a syntax tree, without recursion."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        if d <= MAX_DEPTH + 1:
            stack.extend((child, d + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _common_indent(text: str, dedented: str) -> int:
    """How many characters ``textwrap.dedent`` took from the start of every line."""
    for original, plain in zip(text.splitlines(), dedented.splitlines()):
        if plain.strip():
            return len(original) - len(plain)
    return 0


def python_tree(text: str) -> ast.Module:
    if not isinstance(text, str):
        raise InputError(f"source must be text, not {type(text).__name__}")
    if len(text) > MAX_SOURCE_CHARS:
        raise LimitError(
            f"source is {len(text):,} characters long; the limit is {MAX_SOURCE_CHARS:,}")
    _check_characters(text)
    # Code pasted from inside a function is indented as a whole: read it dedented, and
    # count columns in the text as given.
    dedented = textwrap.dedent(text)
    indent = _common_indent(text, dedented)
    try:
        tree = ast.parse(dedented, mode="exec")
    except SyntaxError as err:
        if indent and err.offset:
            err.offset += indent
        raise _syntax_error(err, text) from None
    except (RecursionError, MemoryError):
        raise LimitError(
            f"source is nested too deeply; the limit is {MAX_DEPTH} levels"
            " (split long expressions into assignments)") from None
    except ValueError as err:  # NUL bytes on some Python versions
        raise ParseError(f"cannot read the source: {err}") from None
    if indent:
        for node in ast.walk(tree):
            if hasattr(node, "col_offset"):
                node.col_offset += indent
                end = getattr(node, "end_col_offset", None)
                if end is not None:
                    node.end_col_offset = end + indent  # type: ignore[attr-defined]
    if not tree.body:
        raise ParseError("empty source: nothing to evaluate")
    for stmt in tree.body:
        if _depth(stmt) > MAX_DEPTH + 1:
            raise LimitError(
                f"statement is nested more than {MAX_DEPTH} levels deep"
                " (split long expressions into assignments)", stmt.lineno, stmt.col_offset + 1)
    return tree
