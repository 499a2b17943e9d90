"""Runs Graphviz: the one place a Graphviz program starts, and what it gives back.

A layout (``dot -Tjson``) read as :class:`Positions`, in the foreground or in the background
while frames are prepared, and many drawings at fixed positions (``neato -n2``) in one
process per core, their output stream cut into frames.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from .backprop import Evaluation
from .draw import draw
from .errors import GraphvizNotFoundError, RenderError
from .frames import Step
from .layout import Layout, Positions
from .slide import fit_slide

__all__ = ["DEFAULT_TIMEOUT", "run_graphviz", "positions", "positions_later", "placed",
           "draw_all"]

#: Seconds one Graphviz run may take (GBP_GRAPHVIZ_TIMEOUT overrides).
DEFAULT_TIMEOUT = 120.0


INSTALL_HINT = ("install Graphviz: 'apt-get install graphviz' (Debian/Ubuntu), 'brew install"
                " graphviz' (macOS), 'conda install -c conda-forge graphviz', or see"
                " https://graphviz.org/download/; 'gbp eval' works without it")


def _timeout(timeout: float | None) -> float:
    if timeout is not None:
        return timeout
    try:
        return float(os.environ.get("GBP_GRAPHVIZ_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


def run_graphviz(args: Sequence[str], data: bytes, timeout: float | None = None) -> bytes:
    """Run one Graphviz program on ``data``; the single place a subprocess starts.

    A missing program is a :class:`GraphvizNotFoundError` saying how to install it; a
    failure or a time-out is a :class:`RenderError` carrying the start of its stderr.
    """
    program = args[0]
    if shutil.which(program) is None:
        raise GraphvizNotFoundError(f"Graphviz '{program}' was not found on PATH; {INSTALL_HINT}")
    limit = _timeout(timeout)
    try:
        done = subprocess.run(list(args), input=data, capture_output=True, timeout=limit,
                              check=False)
    except subprocess.TimeoutExpired:
        raise RenderError(f"Graphviz '{program}' took longer than {limit:g} s and was stopped"
                          " (set GBP_GRAPHVIZ_TIMEOUT to allow more)") from None
    except OSError as err:
        raise RenderError(f"cannot run Graphviz '{program}': {err}") from None
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace").strip().splitlines()
        start = " / ".join(stderr[:3]) or "no message"
        raise RenderError(f"Graphviz '{program}' failed (exit {done.returncode}): {start}")
    return done.stdout


def positions(ev: Evaluation, lay: Layout, step: Step) -> Positions:
    """Lay out one frame with ``dot`` and read back every position (for ``fit="slide"``
    wrapped onto rows, see ``slide.py``)."""
    return _fitted(draw(ev, step, lay).source.encode(), lay.fit)


def positions_later(ev: Evaluation, lay: Layout, step: Step) -> Future[Positions]:
    """:func:`positions`, laid out in the background: ``dot`` runs while the caller prepares
    the frames (``render`` and friends take the future as ``placed``)."""
    global _LAYOUTS
    source = draw(ev, step, lay).source.encode()
    if _LAYOUTS is None:
        _LAYOUTS = ThreadPoolExecutor(1, thread_name_prefix="gbp-layout")
    return _LAYOUTS.submit(_fitted, source, lay.fit)


_LAYOUTS: ThreadPoolExecutor | None = None


def placed(placed: Positions | Future[Positions] | None, ev: Evaluation, lay: Layout,
            step: Step) -> Positions:
    """Positions as given, waited for, or laid out now."""
    if placed is None:
        return positions(ev, lay, step)
    return placed.result() if isinstance(placed, Future) else placed


def _fitted(source: bytes, fit: str) -> Positions:
    placed = _read_positions(source)
    return fit_slide(placed) if fit == "slide" else placed


def _read_positions(source: bytes, timeout: float | None = None) -> Positions:
    layout = json.loads(run_graphviz(["dot", "-Tjson"], source, timeout))
    names = {o["_gvid"]: o["name"] for o in layout.get("objects", [])}
    nodes = {o["name"]: o["pos"] for o in layout.get("objects", []) if "pos" in o}
    edges = {(names[e["tail"]], names[e["head"]]): e["pos"]
             for e in layout.get("edges", []) if "pos" in e}
    sizes = {o["name"]: (72 * float(o["width"]), 72 * float(o["height"]))
             for o in layout.get("objects", []) if "pos" in o}
    label = (72 * float(layout["lwidth"]), 72 * float(layout["lheight"])) \
        if "lwidth" in layout else None
    return Positions(nodes, edges, layout["bb"], layout.get("lp"), sizes, label)


def _split_svg(data: bytes) -> list[bytes]:
    marker = b"<?xml"
    parts = data.split(marker)
    return [marker + p for p in parts if p.strip()]


def _split_png(data: bytes) -> list[bytes]:
    """Cut a stream of PNG files at their IEND chunks."""
    images, start = [], 0
    end_chunk = b"IEND\xaeB`\x82"
    while start < len(data):
        end = data.find(end_chunk, start)
        if end < 0:
            raise RenderError("Graphviz returned a truncated PNG stream")
        images.append(data[start:end + len(end_chunk)])
        start = end + len(end_chunk)
    return images


def _split_pdf(data: bytes) -> list[bytes]:
    """Cut a stream of PDF files where one ends (``%%EOF``) and the next begins."""
    marker = b"%%EOF\n%PDF-"
    parts, start = [], 0
    while True:
        end = data.find(marker, start)
        if end < 0:
            parts.append(data[start:])
            break
        parts.append(data[start:end + 6])
        start = end + 6
    if not all(p.startswith(b"%PDF-") for p in parts):
        raise RenderError("Graphviz returned an unexpected PDF stream")
    return parts


_SPLIT = {"svg": _split_svg, "png": _split_png, "pdf": _split_pdf}


def draw_all(sources: list[str], fmt: str, dpi: float, timeout: float | None) -> list[bytes]:
    """Draw already placed frames with ``neato -n2``, the frames shared out over the cores."""
    extra = {"png": [f"-Gdpi={dpi:g}"], "pdf": ["-Gmargin=0"]}  # PDF: no page margin
    args = ["neato", "-n2", f"-T{fmt}", *extra.get(fmt, [])]
    split = _SPLIT[fmt]
    workers = max(1, min(os.cpu_count() or 1, 4, len(sources) // 6))
    chunks = [sources[i::workers] for i in range(workers)]
    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(
            lambda chunk: split(run_graphviz(args, "\n".join(chunk).encode(), timeout)), chunks))
    frames: list[bytes] = [b""] * len(sources)
    for w, part in enumerate(parts):
        frames[w::workers] = part
    if sum(len(p) for p in parts) != len(sources):
        raise RenderError(f"Graphviz returned {sum(len(p) for p in parts)} frames for"
                          f" {len(sources)}")
    return frames
