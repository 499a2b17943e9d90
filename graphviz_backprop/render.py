"""Frames -> SVG, PNG, PDF, GIF, HTML and DOT files; the only module that runs Graphviz or
writes files.

Speed comes from laying out once: ``dot`` lays out one frame (every frame has the same
geometry, see ``draw.py``), then a single ``neato -n2`` process draws all frames at those
positions.  PNG rasterising and PDF are Graphviz's own cairo renderer; the GIF is assembled
by Pillow, the multi-page PDF by pypdf, the HTML stepper by ``stepper.py`` and the Beamer
snippet by ``beamer.py``.

Every file is written under a temporary name and renamed, so it appears whole or not at all.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from . import beamer, raster, stepper
from .draw import Attrs, Layout, Positions, Scene, draw, layout_for, scene, to_digraph
from .errors import GraphvizNotFoundError, RenderError
from .evaluate import Evaluation
from .frames import Step
from .themes import Theme

__all__ = [
    "FORMATS", "DEFAULT_TIMEOUT", "run_graphviz", "positions", "positions_later", "render", "render_naive", "picture",
    "write_file", "write_files", "write_frames", "write_gif", "raster_pieces", "Rendered",
    "pdf_bytes", "write_pdf", "write_html", "write_beamer",
]

#: Output formats: frames as files (svg, png, dot, pdf), or all frames in one file (gif, the
#: animation; pdf, one frame per page; html, the stepper).
FORMATS = ("svg", "png", "gif", "dot", "pdf", "html")
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
    """Lay out one frame with ``dot`` and read back every position."""
    return _read_positions(draw(ev, step, lay).source.encode())


def positions_later(ev: Evaluation, lay: Layout, step: Step) -> "Future[Positions]":
    """:func:`positions`, laid out in the background: ``dot`` runs while the caller prepares
    the frames (``render`` and friends take the future as ``placed``)."""
    global _LAYOUTS
    source = draw(ev, step, lay).source.encode()
    if _LAYOUTS is None:
        _LAYOUTS = ThreadPoolExecutor(1, thread_name_prefix="gbp-layout")
    return _LAYOUTS.submit(_read_positions, source)


_LAYOUTS: ThreadPoolExecutor | None = None


def _placed(placed: "Positions | Future[Positions] | None", ev: Evaluation, lay: Layout,
            step: Step) -> Positions:
    """Positions as given, waited for, or laid out now."""
    if placed is None:
        return positions(ev, lay, step)
    return placed.result() if isinstance(placed, Future) else placed


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


@dataclass(frozen=True)
class Rendered:
    """The frames of one evaluation as bytes, in one format."""

    format: str
    frames: list[bytes]


def _draw_all(sources: list[str], fmt: str, dpi: float, timeout: float | None) -> list[bytes]:
    """Draw already placed frames with ``neato -n2``, the frames shared out over the cores."""
    extra = {"png": [f"-Gdpi={dpi:g}"], "pdf": ["-Gmargin=0"]}  # PDF: no page margin
    args = ["neato", "-n2", f"-T{fmt}"] + extra.get(fmt, [])
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


def render(ev: Evaluation, steps: Sequence[Step], fmt: str = "svg", lay: Layout | None = None,
           dpi: float = 96, timeout: float | None = None,
           placed: "Positions | Future[Positions] | None" = None,
           marks: Mapping[str, str] | None = None) -> Rendered:
    """Render ``steps`` of ``ev`` in ``fmt`` (svg, png, pdf or dot): one layout for all frames.

    ``placed`` reuses positions from an earlier :func:`positions` call of the same layout;
    ``marks`` colours wires (see :func:`draw.scene`).  SVG frames are composed from a few
    drawings (see :func:`_compose_svg`); PNG and PDF frames (one single-page PDF each, vector
    text) are drawn one by one at the positions.
    """
    if fmt not in ("svg", "png", "pdf", "dot"):
        raise RenderError(f"cannot render frames as '{fmt}' (choose svg, png, pdf or dot)")
    lay = lay or layout_for(ev, list(steps))
    scenes = [scene(ev, s, lay, marks) for s in steps]
    if fmt == "dot":
        return Rendered(fmt, [to_digraph(sc).source.encode() for sc in scenes])
    placed = _placed(placed, ev, lay, steps[-1])
    if fmt == "svg" and len(scenes) > 2:
        return Rendered(fmt, _compose_svg(scenes, placed, timeout))
    return Rendered(fmt, _draw_all([to_digraph(sc, placed).source for sc in scenes], fmt, dpi,
                                   timeout))


def raster_pieces(ev: Evaluation, steps: Sequence[Step], lay: Layout | None = None,
                  dpi: float = 96, timeout: float | None = None,
                  placed: "Positions | Future[Positions] | None" = None) -> raster.Pieces:
    """What the raster frames of ``steps`` are put together from (for the GIF, see
    :func:`write_gif`): a few pictures by Graphviz, at one layout."""
    lay = lay or layout_for(ev, list(steps))
    scenes = [scene(ev, s, lay) for s in steps]
    placed = _placed(placed, ev, lay, steps[-1])
    if _composable(scenes):
        return _raster_pieces(scenes, placed, dpi, timeout)
    return raster.Pieces.whole(raster.decode(_draw_all(
        [to_digraph(sc, placed).source for sc in scenes], "png", dpi, timeout)))


# ---- composing SVG frames ------------------------------------------------------------------------
#
# Frames differ only in which state each node is in (a slot revealed, a gate highlighted) and
# in the caption.  So Graphviz draws a few "sheets" that hold every state of every node at the
# shared positions, plus each caption on an otherwise empty graph of the same size, and each
# frame is put together from those pieces: the text Graphviz wrote, never positioned by hand.

_BLOCK = re.compile(rb'<!-- [^\n]*? -->\n(?:<g id="([^"]*)" class="(?:node|edge)">.*?</g>\n)?',
                    re.S)
_BACKGROUND = re.compile(rb'(<g id="[^"]*graph0" class="graph"[^>]*>\n<title>[^<]*</title>\n'
                         rb'<polygon[^>]*>\n)(.*?)(?=<!-- |</g>\n</svg>)', re.S)


def _parts(svg: bytes) -> tuple[bytes, bytes, list[tuple[bytes, bytes]], bytes]:
    """An SVG frame as (head, caption, [(id, block)], tail)."""
    match = _BACKGROUND.search(svg)
    if match is None:
        raise RenderError("unexpected SVG from Graphviz: no graph group")
    head, caption = svg[:match.end(1)], match.group(2)
    blocks, at = [], match.end()
    for block in _BLOCK.finditer(svg, at):
        if block.start() != at:
            raise RenderError("unexpected SVG from Graphviz: text between elements")
        blocks.append((block.group(1), block.group(0)))
        at = block.end()
    return head, caption, blocks, svg[at:]


def _composable(scenes: Sequence[Scene]) -> bool:
    """Whether frames can be put together from sheets: the same nodes and wires in each."""
    first = scenes[0]
    return len(scenes) > 2 and all(sc.edges == first.edges and sc.column == first.column
                                   for sc in scenes)


def _sheets(scenes: Sequence[Scene]) -> tuple[list[list[int]], list[Scene]]:
    """Every distinct state of every node, numbered per node in order of appearance: which
    state each frame shows of each node (``picks``), and the sheets (scenes) that between
    them hold every state: sheet k shows state k of every node that has one."""
    first = scenes[0]
    states: dict[str, dict[tuple[str, Attrs], int]] = {n: {} for n, _, _ in first.nodes}
    picks = [[states[n].setdefault((label, attrs), len(states[n]))
              for n, label, attrs in sc.nodes] for sc in scenes]
    per_node = [list(states[n]) for n, _, _ in first.nodes]
    sheets = []
    for k in range(max(len(v) for v in per_node)):
        nodes = tuple((n, *options[min(k, len(options) - 1)])
                      for (n, _, _), options in zip(first.nodes, per_node))
        sheets.append(replace(first, nodes=nodes))
    return picks, sheets


def _compose_svg(scenes: list[Scene], placed: Positions, timeout: float | None) -> list[bytes]:
    first = scenes[0]
    if not _composable(scenes):
        return _draw_all([to_digraph(sc, placed).source for sc in scenes], "svg", 96, timeout)
    picks, sheet_scenes = _sheets(scenes)
    sheets = [to_digraph(sc, placed).source for sc in sheet_scenes]
    has_caption = any(k == "label" for k, _ in first.graph)
    captions = [to_digraph(replace(sc, nodes=(), edges=(), column=()), placed).source
                for sc in scenes] if has_caption else []
    drawn = _draw_all(sheets + captions, "svg", 96, timeout)
    sheet_parts = [_parts(svg) for svg in drawn[:len(sheets)]]
    head, caption_text, skeleton, tail = sheet_parts[0]
    if caption_text.strip():
        raise RenderError("unexpected SVG from Graphviz: text outside the nodes")
    node_blocks = [dict(blocks) for _, _, blocks, _ in sheet_parts]
    index = {f"gbp_{n}".encode(): i for i, (n, _, _) in enumerate(first.nodes)}
    # The frame as a template: runs of blocks every frame shares, joined once, between the
    # blocks that change (a node in more than one state, the caption).
    changing = {i for i in range(len(first.nodes)) if any(p[i] != picks[0][i] for p in picks)}
    template: list[bytes | int | None] = [head]  # int: node i; None: the caption
    for block_id, block in skeleton:
        i = index.get(block_id)
        if block_id == b"gbp_caption":
            template.append(None)
        elif i is not None and i in changing:
            template.append(i)
        elif isinstance(template[-1], bytes):
            template[-1] += block if i is None else node_blocks[picks[0][i]][block_id]
        else:
            template.append(block if i is None else node_blocks[picks[0][i]][block_id])
    template.append(tail)
    # each changing node's block in each of its states
    states = {i: [blocks.get(f"gbp_{first.nodes[i][0]}".encode()) for blocks in node_blocks]
              for i in changing}
    frames = []
    for k, pick in enumerate(picks):
        caption = (dict(_parts(drawn[len(sheets) + k])[2]).get(b"gbp_caption", b"")
                   if has_caption else b"")
        frames.append(b"".join([
            part if isinstance(part, bytes) else
            caption if part is None else states[part][pick[part]]  # type: ignore[misc]
            for part in template]))
    return frames


# ---- composing raster frames (see raster.py) ---------------------------------------------------
#
# The same sheets as for SVG, rasterised, and each caption on a small picture of its own; the
# frames are put together from their pixels.  At given positions Graphviz sizes a picture to
# what it holds, so every piece is pinned to an extent that makes it land on whole pixels of
# the frame (draw.to_digraph's ``extent``).

def _point(text: str) -> tuple[float, float]:
    x, y = text.split(",")[:2]
    return float(x), float(y)


def _point_box(text: str) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in text.split(","))
    return x0, y0, x1, y1


def _raster_pieces(scenes: list[Scene], placed: Positions, dpi: float,
                   timeout: float | None) -> raster.Pieces:
    picks, sheet_scenes = _sheets(scenes)
    # sheets keep frame 0's caption, so a sheet is sized exactly as a frame; ask Graphviz how
    first = to_digraph(sheet_scenes[0], placed).source
    x0, y0, x1, y1 = _point_box(json.loads(run_graphviz(["neato", "-n2", "-Tjson"],
                                                        first.encode(), timeout))["bb"])
    graph = dict(scenes[0].graph)
    canvas = raster.Canvas(x0, y1, 72 * float(graph.get("pad", 0)), dpi / 72)
    margin = math.ceil(2 * canvas.scale) + 1  # a highlighted gate's outline, anti-aliased
    boxes = [canvas.box(*_point(placed.nodes[n]), *placed.sizes[n], margin)
             for n, _, _ in scenes[0].nodes]
    sources = [to_digraph(sc, placed, extent=(x0, y0, x1, y1)).source for sc in sheet_scenes]
    caption_box = None
    if "label" in graph and placed.lp and placed.label_size:
        caption_box = canvas.box(*_point(placed.lp), *placed.label_size, 1)
        bare = tuple((k, "0" if k == "pad" else v) for k, v in scenes[0].graph if k != "label")
        sources += [to_digraph(replace(sc, graph=bare + (("label", dict(sc.graph)["label"]),),
                                       nodes=(), edges=(), column=()),
                               placed, extent=canvas.extent(caption_box)).source
                    for sc in scenes]
    images = raster.decode(_draw_all(sources, "png", dpi, timeout))
    sheets = images[:len(sheet_scenes)]
    captions = images[len(sheet_scenes):] if caption_box else None
    return raster.Pieces(sheets, picks, boxes, captions, caption_box)


def picture(ev: Evaluation, step: Step, fmt: str, marks: Mapping[str, str] | None = None,
            title: str | None = None, dpi: float = 96) -> bytes:
    """One picture of one step (any caption), with ``marks`` on wires: ``gbp check --render``."""
    lay = layout_for(ev, [step], title=title)
    return render(ev, [step], fmt, lay, dpi, marks=marks).frames[0]


def render_naive(ev: Evaluation, steps: Sequence[Step], fmt: str = "svg",
                 lay: Layout | None = None, timeout: float | None = None) -> Rendered:
    """The slow reference: a full ``dot`` layout of every frame (benchmarks and tests)."""
    lay = lay or layout_for(ev, list(steps))
    return Rendered(fmt, [run_graphviz(["dot", f"-T{fmt}"], draw(ev, s, lay).source.encode(),
                                       timeout) for s in steps])


# ---- files ----------------------------------------------------------------------------------

def _check_parent(path: Path) -> None:
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
    _check_parent(path)
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
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
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
    try:
        path.unlink()
    except OSError:
        pass


def write_frames(folder: str | Path, frames: Iterable[bytes], ext: str,
                 prefix: str = "frame") -> list[Path]:
    """Write numbered frames (``frame-000.svg`` ...) into ``folder``, creating it if needed;
    all of them or none."""
    frames = list(frames)
    width = max(3, len(str(len(frames) - 1)))
    return write_files(folder, {f"{prefix}-{i:0{width}d}.{ext}": data
                                for i, data in enumerate(frames)})


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
