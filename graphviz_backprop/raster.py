"""Raster frames put together from a few pictures, and the animated GIF (Pillow; no Graphviz).

Every frame of a circuit has the same geometry, and frames differ only in the state of a few
nodes (a slot revealed, a gate highlighted) and in the caption.  So Graphviz rasterises a few
"sheets" that between them hold every state of every node, and each caption alone, and a frame
is the first sheet with the box of each node that is in another state pasted from the sheet
that has it, and its caption pasted in (``render.py`` asks Graphviz for the pieces).  Pieces
move by whole pixels only, so a frame is, pixel for pixel, what Graphviz draws of it.

>>> c = Canvas(x0=0.0, y1=100.0, pad=18.0, scale=1.0)
>>> c.box(50.0, 50.0, 36.0, 36.0, margin=0)
(50, 50, 86, 86)
>>> c.extent((10, 20, 30, 40))
(-8.0, 78.0, 12.0, 98.0)
"""

from __future__ import annotations

import io
import math
import os
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from .limits import MAX_GIF_PIXELS

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["Box", "Canvas", "Pieces", "decode", "compose", "png_bytes", "gif_bytes",
           "bounded_dpi"]

#: left, top, right, bottom in pixels (right and bottom excluded)
Box = tuple[int, int, int, int]
T = TypeVar("T")
R = TypeVar("R")


def bounded_dpi(width: float, height: float, frames: int, dpi: float,
                budget: int | None = None) -> float:
    """``dpi``, or the resolution at which ``frames`` pictures of ``width`` x ``height``
    points hold ``budget`` pixels between them (``MAX_GIF_PIXELS``) if that is lower: the
    memory a GIF takes stays bounded, whatever the circuit.

    >>> bounded_dpi(500, 200, 20, 72), round(bounded_dpi(7051, 5793, 162, 72), 1)
    (72, 14.0)
    """
    budget = MAX_GIF_PIXELS if budget is None else budget
    pixels = width * height * (dpi / 72) ** 2 * frames
    return dpi if pixels <= budget else dpi * math.sqrt(budget / pixels)


def _parallel(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``fn`` over ``items`` on a few threads (Pillow's coders release the GIL)."""
    workers = max(1, min(os.cpu_count() or 1, 4, len(items)))
    if workers == 1:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, items))


@dataclass(frozen=True)
class Canvas:
    """Where Graphviz puts a point of a drawing in its picture.

    ``x0`` and ``y1`` are the left and top of the drawing's bounding box and ``pad`` its
    margin, in points; ``scale`` is pixels per point (dpi / 72).  The picture's y axis points
    down, the drawing's up.
    """

    x0: float
    y1: float
    pad: float
    scale: float

    def box(self, cx: float, cy: float, width: float, height: float, margin: int) -> Box:
        """The whole pixels that hold a box of the drawing centred at (cx, cy), and
        ``margin`` pixels more all round."""
        return (math.floor((cx - width / 2 - self.x0 + self.pad) * self.scale) - margin,
                math.floor((self.y1 - cy - height / 2 + self.pad) * self.scale) - margin,
                math.ceil((cx + width / 2 - self.x0 + self.pad) * self.scale) + margin,
                math.ceil((self.y1 - cy + height / 2 + self.pad) * self.scale) + margin)

    def extent(self, box: Box) -> tuple[float, float, float, float]:
        """The extent (x0, y0, x1, y1 in points) of a drawing without margin whose picture is
        exactly ``box`` of this one: what it draws lands on the same pixels, moved."""
        left, top, right, bottom = box
        x0 = self.x0 - self.pad + left / self.scale
        y1 = self.y1 + self.pad - top / self.scale
        return (x0, y1 - (bottom - top) / self.scale, x0 + (right - left) / self.scale, y1)


def decode(pngs: Sequence[bytes]) -> list[Image.Image]:
    """PNG files as images, loaded."""
    from PIL import Image

    def load(data: bytes) -> Image.Image:
        image = Image.open(io.BytesIO(data))
        image.load()
        return image

    return _parallel(load, pngs)


def compose(sheets: Sequence[Image.Image], picks: Sequence[Sequence[int]],
            boxes: Sequence[Box], captions: Sequence[Image.Image] | None = None,
            caption_box: Box | None = None) -> list[Image.Image]:
    """The frames: ``picks[k][i]`` is the sheet holding node i's state in frame k, ``boxes[i]``
    the pixels of node i; ``captions[k]`` is frame k's caption, pasted at ``caption_box``."""
    pieces: dict[tuple[int, int], Image.Image] = {}
    frames = []
    for k, pick in enumerate(picks):
        frame = sheets[0].copy()
        for i, state in enumerate(pick):
            if state:
                piece = pieces.get((i, state))
                if piece is None:
                    piece = pieces[(i, state)] = sheets[state].crop(boxes[i])
                frame.paste(piece, boxes[i][:2])
        if captions is not None and caption_box is not None:
            left, top, right, bottom = caption_box
            frame.paste(captions[k].crop((0, 0, right - left, bottom - top)), (left, top))
        frames.append(frame)
    return frames


@dataclass(frozen=True)
class Pieces:
    """What the frames of an animation are put together from (see :func:`compose`)."""

    sheets: list[Image.Image]
    picks: list[list[int]]
    boxes: list[Box]
    captions: list[Image.Image] | None = None
    caption_box: Box | None = None

    @classmethod
    def whole(cls, frames: Sequence[Image.Image]) -> Pieces:
        """Frames drawn one by one, as pieces: each frame is a sheet of its own."""
        width, height = frames[0].size
        return cls(list(frames), [[k] for k in range(len(frames))], [(0, 0, width, height)])

    def frames(self) -> list[Image.Image]:
        """The frames, put together."""
        return compose(self.sheets, self.picks, self.boxes, self.captions, self.caption_box)


def png_bytes(images: Sequence[Image.Image], level: int = 6) -> list[bytes]:
    """Images as PNG files (zlib ``level``: 1 is fastest, 9 smallest)."""
    def encode(image: Image.Image) -> bytes:
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=level)
        return out.getvalue()

    return _parallel(encode, images)


def _palette(images: Sequence[Image.Image]) -> Image.Image:
    """One palette for every frame, so colours never flicker: the most frequent colours,
    exactly (white stays white, the theme's colours stay theirs); the rarer shades of
    anti-aliasing map to their nearest neighbour.  Pillow matches colours at 5 bits a
    channel, so one colour per such bucket is kept."""
    from PIL import Image

    counts: Counter[tuple[int, ...]] = Counter()
    for image in images:
        # a drawing has a few hundred colours; the table is sized to the limit, so grow it
        # only when a picture has more
        colors = image.getcolors(maxcolors=1 << 16) or image.getcolors(maxcolors=1 << 24)
        for count, rgb in colors or []:
            if isinstance(rgb, tuple):  # an RGB picture: a colour is a tuple
                counts[rgb] += count
    chosen: dict[tuple[int, ...], tuple[int, ...]] = {}
    for rgb, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        chosen.setdefault(tuple(v >> 3 for v in rgb), rgb)
        if len(chosen) == 256:
            break
    palette = Image.new("P", (1, 1))
    palette.putpalette([channel for rgb in chosen.values() for channel in rgb])
    return palette


def gif_bytes(pieces: Pieces, delay: int = 1000, hold: int | None = None) -> bytes:
    """An endlessly looping GIF of the frames put together from ``pieces``: ``delay`` ms
    each, the last held ``hold`` ms.  The pieces are mapped to one palette once, and the
    frames put together from the mapped pieces."""
    from PIL import Image

    captions = pieces.captions or []
    rgb = _parallel(lambda im: im.convert("RGB"), [*pieces.sheets, *captions])
    palette = _palette(rgb)
    mapped = _parallel(lambda im: im.quantize(palette=palette, dither=Image.Dither.NONE), rgb)
    n = len(pieces.sheets)
    frames = Pieces(mapped[:n], pieces.picks, pieces.boxes,
                    mapped[n:] if pieces.captions is not None else None,
                    pieces.caption_box).frames()
    durations = [delay] * len(frames)
    durations[-1] = hold if hold is not None else max(3 * delay, 2500)
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], loop=0,
                   duration=durations, optimize=False, disposal=1)
    return out.getvalue()
