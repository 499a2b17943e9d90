"""The HTML stepper inside a notebook: a page of ``stepper.py`` in an ``<iframe srcdoc>``.

Jupyter shows a :class:`~graphviz_backprop.tracing.Trace` as the stepper (its
``_repr_html_``).  Each stepper is a page of its own inside an iframe, so several on one
notebook page never share an element, a key press or a step; the page is inline (``srcdoc``),
so it needs no server, no file and no network.  A short script inside sets the iframe's
height to the page's, as the cell's output is as tall as the stepper; the drawing is held to
``MAX_DRAWING`` pixels high so that a tall circuit does not fill the notebook, and to
``ENLARGE`` times its own size so that a small one is not blown up to the notebook's width.

>>> svg = b'<svg width="300pt" height="150pt" viewBox="0 0 300 150"></svg>'
>>> html = iframe(b'<html><head></head><body><main>a "b" &amp;</main></body></html>',
...               "T <1>", svg)
>>> html.startswith('<iframe class="gbp-stepper" srcdoc="&lt;html&gt;')
True
>>> "&quot;b&quot; &amp;amp;" in html and 'title="T &lt;1&gt;"' in html
True
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from . import stepper as _stepper
from .themes import Theme

__all__ = ["Stepper", "stepper", "error_html", "iframe", "svg_size", "MAX_DRAWING",
           "ENLARGE"]

#: Most pixels the drawing of a stepper in a notebook is high (it zooms and scrolls).
MAX_DRAWING = 640
#: Most times its own size the drawing is shown at, to fit the notebook's width.
ENLARGE = 1.25
#: Pixels of the page around the drawing: its title, caption, controls and help line.
_CHROME = 210
#: The width a notebook's output usually has, in pixels.
_OUTPUT_WIDTH = 900
_SVG_SIZE = re.compile(rb'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"')

_STYLE = ("<style>#drawing svg {{ max-height: {high}px; max-width: {wide}px; }}"
          " #drawing.zoomed {{ max-height: {zoomed}px; }}"
          " main {{ padding: 0.3rem 0.4rem 0.6rem; }} .link-help {{ display: none; }}</style>\n")
# the page sets its iframe's height to its own (same origin: srcdoc), now and whenever it
# changes (a caption wraps onto another line, the drawing zooms)
_FIT = """<script>
(function () {
  "use strict";
  var frame = null;
  try { frame = window.frameElement; } catch (e) { return; }
  if (!frame) { return; }
  var main = document.querySelector("main");
  function fit() {
    var height = Math.ceil(main.getBoundingClientRect().height) + 4;
    if (frame.style.height !== height + "px") { frame.style.height = height + "px"; }
  }
  if (window.ResizeObserver) { new ResizeObserver(fit).observe(main); }
  window.addEventListener("load", fit);
  fit();
})();
</script>
"""


def svg_size(svg: bytes) -> tuple[float, float] | None:
    """Width and height in pixels of a Graphviz SVG (None if it does not say)."""
    match = _SVG_SIZE.search(svg)
    if match is None:
        return None
    return float(match.group(1)) * 96 / 72, float(match.group(2)) * 96 / 72


def iframe(page: bytes, title: str, svg: bytes) -> str:
    """A stepper ``page`` (``stepper.page``) as an iframe for a notebook's output; ``svg``
    is one of its frames (they have one size)."""
    size = svg_size(svg)
    if size is None or size[0] <= 0:
        wide, height = 100_000, MAX_DRAWING + _CHROME
    else:  # its first height, before the page measures itself: at a notebook's width
        wide = round(size[0] * ENLARGE)
        drawn = size[1] * min(ENLARGE, _OUTPUT_WIDTH / size[0])
        height = round(min(MAX_DRAWING, drawn)) + _CHROME
    style = _STYLE.format(high=MAX_DRAWING, wide=wide, zoomed=MAX_DRAWING + 60)
    doc = page.decode("utf-8")
    doc = doc.replace("</head>", style + "</head>", 1).replace("</body>", _FIT + "</body>", 1)
    inline = html.escape(doc, quote=True).replace("\n", "&#10;")  # one line: safe anywhere
    return (f'<iframe class="gbp-stepper" srcdoc="{inline}"'
            f' title="{html.escape(title, quote=True)}"'
            f' style="width: 100%; height: {height}px; border: 0;"'
            ' loading="eager"></iframe>')


@dataclass(frozen=True)
class Stepper:
    """A stepper as a notebook shows it (``_repr_html_``); ``html`` is the iframe."""

    html: str
    steps: int
    title: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"<Stepper of {self.steps} steps: {self.title}>"


def stepper(svgs: Sequence[bytes], captions: Sequence[str], title: str,
            theme: Theme | None = None) -> Stepper:
    """The stepper of SVG frames (drawn without their captions) for a notebook."""
    page = _stepper.page(svgs, captions, title, theme)
    return Stepper(iframe(page, title, svgs[0]), len(svgs), title)


def error_html(message: str) -> str:
    """An error, as a cell's output shows it: one line.

    >>> error_html("no <dot>")
    '<pre class="gbp-error">Error: no &lt;dot&gt;</pre>'
    """
    return f'<pre class="gbp-error">Error: {html.escape(message)}</pre>'
