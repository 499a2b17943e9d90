"""Writes files: each whole or not at all, several all or none, in every output format.

A file is written under a temporary name beside its target and renamed; several files are
written into a staging folder and moved into place once every one is written.  The formats
that hold every frame in one file are assembled here: the GIF (Pillow, see ``raster.py``),
the multi-page PDF (pypdf), the HTML stepper (``stepper.py``) and the Beamer snippet
(``beamer.py``).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from . import beamer, raster, stepper
from .errors import RenderError
from .themes import Theme

__all__ = ["check_parent", "write_file", "write_files", "write_frames", "write_gif",
           "pdf_bytes", "write_pdf", "write_html", "write_beamer"]

def check_parent(path: Path) -> None:
    """Refuse a path whose folder does not exist or is not a folder (a :class:`RenderError`
    naming it)."""
    parent = path.parent
    if not parent.exists():
        raise RenderError(f"cannot write '{path}': directory '{parent}' does not exist")
    if not parent.is_dir():
        raise RenderError(f"cannot write '{path}': '{parent}' is not a directory")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_file(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` under a temporary name, then rename (whole or not at all)."""
    path = Path(path)
    check_parent(path)
    if path.is_dir():
        raise RenderError(f"cannot write '{path}': it is a directory")
    tmp_name = None
    try:
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".part", delete=False) as tmp:
            tmp_name = tmp.name
            tmp.write(data)
        os.chmod(tmp_name, 0o666 & ~_umask())
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as err:
        raise RenderError(f"cannot write '{path}': {err.strerror or err}") from None
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
    return path


def write_files(folder: str | Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write several files into ``folder`` (created if needed), all or none of them.

    They are written into a temporary folder inside ``folder`` first and moved into place
    once every one is written; a failure or an interrupt leaves nothing new behind.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise RenderError(f"cannot write into '{folder}': it is not a directory")
    for name in files:
        if (folder / name).is_dir():
            raise RenderError(f"cannot write '{folder / name}': it is a directory")
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".gbp-", dir=folder))
    except OSError as err:
        raise RenderError(f"cannot create directory '{folder}': {err.strerror or err}") from None
    moved: list[Path] = []
    try:
        for name, data in files.items():
            with open(staging / name, "wb") as handle:  # 0666 less the umask, as any file
                handle.write(data)
        for name in files:
            os.replace(staging / name, folder / name)
            moved.append(folder / name)
    except OSError as err:
        for path in moved:
            _remove(path)
        raise RenderError(f"cannot write into '{folder}': {err.strerror or err}") from None
    except BaseException:
        for path in moved:
            _remove(path)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not moved:
            shutil.rmtree(folder, ignore_errors=True)
    return moved


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def write_frames(folder: str | Path, frames: Iterable[bytes], ext: str,
                 prefix: str = "frame", removed: list[Path] | None = None) -> list[Path]:
    """Write numbered frames (``frame-000.svg`` ...) into ``folder``, creating it if needed;
    all of them or none.

    Frames of the same kind left in the folder by an earlier render (``frame-019.svg`` after
    a circuit of 12 frames) are removed once the new ones are in place, so the folder never
    holds a mix of two circuits; their paths are added to ``removed``.
    """
    frames = list(frames)
    width = max(3, len(str(len(frames) - 1)))
    names = {f"{prefix}-{i:0{width}d}.{ext}": data for i, data in enumerate(frames)}
    written = write_files(folder, names)
    pattern = re.compile(rf"{re.escape(prefix)}-\d{{3,}}\.{re.escape(ext)}")
    with os.scandir(folder) as entries:
        stale = [Path(e.path) for e in entries if pattern.fullmatch(e.name)
                 and e.name not in names and e.is_file(follow_symlinks=False)]
    for path in sorted(stale):
        _remove(path)
        if removed is not None:
            removed.append(path)
    return written


def write_gif(path: str | Path, pieces: raster.Pieces, delay: int = 1000,
              hold: int | None = None) -> Path:
    """Write the animated GIF of the frames of ``pieces`` (whole or not at all)."""
    return write_file(path, raster.gif_bytes(pieces, delay, hold))


def pdf_bytes(pages: Sequence[bytes], title: str | None = None) -> bytes:
    """One PDF of single-page PDFs, in order (pypdf), with ``title`` in its metadata."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for data in pages:
        writer.append(PdfReader(io.BytesIO(data)))
    writer.add_metadata({"/Producer": "graphviz-backprop (Graphviz cairo, pypdf)",
                         **({"/Title": title} if title else {})})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write_pdf(path: str | Path, pages: Sequence[bytes], title: str | None = None) -> Path:
    """Write a PDF with one frame per page (whole or not at all)."""
    return write_file(path, pdf_bytes(pages, title))


def write_html(path: str | Path, svgs: Sequence[bytes], captions: Sequence[str], title: str,
               theme: Theme | None = None, delay: int = 1000) -> Path:
    """Write the HTML stepper of SVG frames (see ``stepper.py``; whole or not at all)."""
    return write_file(path, stepper.page(svgs, captions, title, theme, delay))


def write_beamer(folder: str | Path, pages: Sequence[bytes], stem: str,
                 graphics_path: str | None = None, title: str | None = None) -> tuple[Path, Path]:
    """Write ``folder/STEM.pdf`` (one frame per page) and ``folder/STEM.tex``, a Beamer snippet
    showing page k on overlay k.

    ``graphics_path`` is how the snippet names the PDF for ``\\includegraphics`` (relative to
    where the deck is compiled); by default ``folder/STEM.pdf`` as given.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise RenderError(f"cannot write Beamer frames into '{folder}': it is not a directory")
    if graphics_path is None:
        graphics_path = (folder / f"{stem}.pdf").as_posix()
    text = beamer.snippet(graphics_path, len(pages))  # checks the path before writing anything
    pdf, tex = write_files(folder, {f"{stem}.pdf": pdf_bytes(pages, title),
                                    f"{stem}.tex": text.encode("utf-8")})
    return pdf, tex
