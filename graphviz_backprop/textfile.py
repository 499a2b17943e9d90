"""Files read as text, and file names as text: only a regular file is read (size-limited,
UTF-8); a name is shown with its undecodable bytes replaced, and output files are named
after plain names only.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from .errors import InputError
from .rawtext import MAX_SOURCE_CHARS

__all__ = ["read_text", "display_name", "plain_name"]


def read_text(path: Path) -> str:
    """A source or derivation file as text (UTF-8, size-limited); errors name the file.

    Only a regular file is read: a pipe, a device or a socket could block or never end,
    so it is refused before anything is read from it.
    """
    try:  # non-blocking, so that opening a pipe with no writer does not wait for one
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError:
        raise InputError(f"'{path}' is a directory, not a file") from None
    except OSError as err:
        raise InputError(f"cannot read '{path}': {err.strerror or err}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputError(f"'{path}' is a directory, not a file")
        if not stat.S_ISREG(mode):
            raise InputError(f"'{path}' is not a regular file (a pipe, device or socket is"
                             " not read)")
        limit, chunks, size = MAX_SOURCE_CHARS * 4 + 1, [], 0
        while size < limit:
            chunk = os.read(fd, limit - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
    except OSError as err:
        raise InputError(f"cannot read '{path}': {err.strerror or err}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_SOURCE_CHARS * 4:
        raise InputError(f"'{path}' is too large (the limit is {MAX_SOURCE_CHARS:,} characters)")
    try:
        return data.decode("utf-8-sig")  # a byte order mark (Notepad) is not text
    except UnicodeDecodeError as err:
        raise InputError(f"'{path}' is not UTF-8 text (byte {err.start})") from None


def display_name(path: Path) -> str:
    """A file's name as text that can be shown and drawn (undecodable bytes replaced)."""
    return os.fsencode(path.name).decode("utf-8", "replace")


def plain_name(name: str) -> str:
    """A name that output files may be named after: letters, digits, ``.``, ``_`` and
    ``-`` only, no directory, at most 64 characters; anything else is replaced or cut.

    >>> plain_name("../../victim/main"), plain_name("sigmoid-neuron"), plain_name("..")
    ('victim-main', 'sigmoid-neuron', 'circuit')
    """
    plain = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")[:64].strip(".-")
    return plain or "circuit"
