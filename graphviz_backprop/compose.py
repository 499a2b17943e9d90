"""Frames put together from a few drawings: every frame of a circuit has the same geometry
and differs from the others only in the state of a few nodes and in its caption.

So Graphviz draws a few "sheets" that between them hold every state of every node at the
shared positions, and each caption alone, and each frame is put together from those pieces:
for SVG the text Graphviz wrote (never positioned by hand), for rasters its pixels, moved by
whole pixels only (see ``raster.py``).  At given positions Graphviz sizes a picture to what
it holds, so every raster piece is pinned to an extent that makes it land on whole pixels of
the frame (``draw.to_digraph``'s ``extent``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import replace

from . import raster
from .dot import draw_all, run_graphviz
from .draw import Attrs, Scene, to_digraph
from .errors import RenderError
from .layout import Positions

__all__ = ["composable", "pick_sheets", "compose_svg", "raster_pieces_of"]

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


def composable(scenes: Sequence[Scene]) -> bool:
    """Whether frames can be put together from sheets: the same nodes and wires in each."""
    first = scenes[0]
    return len(scenes) > 2 and all(sc.edges == first.edges for sc in scenes)


def pick_sheets(scenes: Sequence[Scene]) -> tuple[list[list[int]], list[Scene]]:
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


def compose_svg(scenes: list[Scene], placed: Positions, timeout: float | None) -> list[bytes]:
    first = scenes[0]
    if not composable(scenes):
        return draw_all([to_digraph(sc, placed).source for sc in scenes], "svg", 96, timeout)
    picks, sheet_scenes = pick_sheets(scenes)
    sheets = [to_digraph(sc, placed).source for sc in sheet_scenes]
    has_caption = any(k == "label" for k, _ in first.graph)
    captions = [to_digraph(replace(sc, nodes=(), edges=()), placed).source
                for sc in scenes] if has_caption else []
    drawn = draw_all(sheets + captions, "svg", 96, timeout)
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


def _point(text: str) -> tuple[float, float]:
    x, y = text.split(",")[:2]
    return float(x), float(y)


def _point_box(text: str) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in text.split(","))
    return x0, y0, x1, y1


def raster_pieces_of(scenes: list[Scene], placed: Positions, dpi: float,
                   timeout: float | None) -> raster.Pieces:
    picks, sheet_scenes = pick_sheets(scenes)
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
        sources += [to_digraph(replace(sc, graph=(*bare, ("label", dict(sc.graph)["label"])),
                                       nodes=(), edges=()),
                               placed, extent=canvas.extent(caption_box)).source
                    for sc in scenes]
    images = raster.decode(draw_all(sources, "png", dpi, timeout))
    sheets = images[:len(sheet_scenes)]
    captions = images[len(sheet_scenes):] if caption_box else None
    return raster.Pieces(sheets, picks, boxes, captions, caption_box)
