"""Where a check starts: a text, a file (``.toml`` or code), or a folder of them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..errors import GbpError, InputError, LimitError
from ..textfile import read_text
from .claims import TomlCheck
from .code import CodeCheck
from .results import FolderEntry, FolderReport, Report, Tolerance

#: File suffixes checked in a folder; ``.toml`` is the TOML format, the others are code.
SUFFIXES = (".toml", ".py")


def check_text(text: str, format: str = "code", *, tolerance: Tolerance | None = None,
               file: str = "<text>") -> Report:
    """Check a derivation given as text; ``format`` is ``"code"`` or ``"toml"``.

    Raises a :class:`~graphviz_backprop.errors.InputError` (exit code 2) when the derivation
    cannot be read; the message names the line.
    """
    tolerance = tolerance or Tolerance()
    if format not in ("code", "toml"):
        raise InputError(f"unknown derivation format '{format}' (known: code, toml)")
    try:
        report = (TomlCheck if format == "toml" else CodeCheck)(text, tolerance).run()
    except RecursionError:  # the engine's, on a tree deeper than its stack allows
        raise LimitError("the derivation is nested too deeply to work with (a max(...) of many"
                         " arguments nested in another?); split long expressions into"
                         " assignments") from None
    return replace(report, file=file)


def check_file(path: str | Path, *, tolerance: Tolerance | None = None) -> Report:
    """Check one derivation file: ``.toml`` is the TOML format, anything else is code."""
    path = Path(path)
    text = read_text(path)
    return check_text(text, "toml" if path.suffix == ".toml" else "code",
                      tolerance=tolerance, file=path.name)


def check_folder(path: str | Path, *, tolerance: Tolerance | None = None) -> FolderReport:
    """Check every ``.toml`` and ``.py`` file of a folder (not its subfolders), by name.

    Anything else with such a name (a pipe, a socket, a broken link) is a row that says why
    it cannot be read; it is never opened in a way that waits.
    """
    folder = Path(path)
    tolerance = tolerance or Tolerance()
    try:
        files = sorted(p for p in folder.iterdir()
                       if p.suffix in SUFFIXES and not p.name.startswith(".") and not p.is_dir())
    except OSError as err:
        raise InputError(f"cannot read the folder '{folder}': {err.strerror or err}") from None
    if not files:
        raise InputError(f"no derivations in '{folder}': no {' or '.join(SUFFIXES)} files")
    entries = []
    for p in files:
        try:
            entries.append(FolderEntry(p.name, check_file(p, tolerance=tolerance)))
        except GbpError as err:
            entries.append(FolderEntry(p.name, error=" ".join(str(err).split())))
    return FolderReport(str(folder), tolerance, tuple(entries))
