r"""SVG frames -> one self-contained HTML page that steps through them (the classroom stepper).

Every frame has the same geometry (see ``draw.py``) and differs from the others only in the
state of a few nodes (a number revealed, a gate highlighted).  So the page holds one SVG in
which each node that changes has all its states, one after the other in drawing order, and
each such group says which state each step shows (``data-picks``).  Stepping swaps
visibility: nothing is rebuilt or laid out again, so nothing flickers or moves, and the page
stays small (it grows with nodes x states plus nodes x steps, not frames x drawing).  Frames
that do not share one skeleton are inlined whole instead, stacked and swapped the same way.
The page needs no network: no CDN, no fonts or scripts from elsewhere; it opens from a USB
stick.

Controls: previous/next buttons, the arrow keys, space (shift+space back), PageUp/PageDown
(presentation clickers), Home/End, a slider, play/pause (P) with a speed control, and zoom
(+ and −; 0 fits the drawing to the window, 1 shows it at its own size, scrolling).  The step
number is kept in the URL fragment: ``neuron.html#step-5`` opens at step 5 (the same numbering
as ``gbp render --frame 5`` and ``frame-005.svg``).

Every piece of user text (title, captions) is escaped; the SVG is Graphviz's, whose text is
already escaped XML.  Building the page runs nothing and writes nothing (``render.py`` does).

>>> html = page([b'<svg viewBox="0 0 10 10"><text>1.00</text></svg>'] * 2,
...             ["a <b> & c", "d"], "Title <script>")
>>> b"Title &lt;script&gt;" in html and b"a &lt;b&gt; &amp; c" in html and b"<script>" in html
True
>>> frames = [b'<svg>\n<g class="graph">\n<g class="node">\n<text>%s</text>\n</g>\n</g>\n</svg>' % t
...           for t in (b"a", b"b", b"a")]
>>> print(drawing(frames), end="")
<svg>
<g class="graph">
<g data-picks="0 1 0"><g><g class="node">
<text>a</text>
</g>
</g><g class="off"><g class="node">
<text>b</text>
</g>
</g></g></g>
</svg>
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from .themes import THEMES, Theme

__all__ = ["page", "drawing"]

_PROLOG = re.compile(rb"\A.*?(?=<svg\b)", re.S)
_COMMENT = re.compile(rb"<!--.*?-->\n?", re.S)
_TITLE = re.compile(rb"<title>[^<]*</title>\n?")
_ID = re.compile(rb' id="[^"]*"')
_SIZE = re.compile(rb'<svg width="[^"]*" height="[^"]*"')
_BLOCK = re.compile(rb'<g class="(?:node|edge)">\n.*?</g>\n', re.S)
_COLOR = re.compile(r"#[0-9A-Fa-f]{3,8}|[A-Za-z]{3,20}")
_FONT = re.compile(r"[A-Za-z0-9 ._-]{1,64}")
_FIELD = re.compile(r"\{\{(\w+)\}\}")


def _clean_svg(svg: bytes) -> bytes:
    """A frame's SVG, ready to sit inside the page: no XML prolog, comments, tooltips or ids
    (every frame has the same ones), its size left to the page's CSS."""
    body = _PROLOG.sub(b"", svg, count=1)
    body = _COMMENT.sub(b"", body)
    body = _TITLE.sub(b"", body)
    body = _ID.sub(b"", body)
    return _SIZE.sub(b"<svg", body, count=1).strip() + b"\n"


def _split(svg: bytes) -> tuple[bytes, list[bytes], bytes] | None:
    """A cleaned frame as (head, node and edge groups, tail), or None if the groups do not
    tile the drawing exactly (then the frame is not split)."""
    first = _BLOCK.search(svg)
    if first is None:
        return None
    blocks, at = [], first.start()
    for match in _BLOCK.finditer(svg, at):
        if match.start() != at:
            break
        blocks.append(match.group(0))
        at = match.end()
    head, tail = svg[:first.start()], svg[at:]
    if b"<g" in tail or head + b"".join(blocks) + tail != svg:
        return None
    return head, blocks, tail


def _layer(options: Sequence[str], picks: Sequence[int], tag: str = "g", attrs: str = "",
           child: str = "g", child_class: str = "") -> str:
    """Elements of which step k shows ``options[picks[k]]``; the first step's is visible."""
    def start(visible: bool) -> str:
        names = child_class if visible else f"{child_class} off".strip()
        return f'<{child} class="{names}">' if names else f"<{child}>"

    children = "".join(f"{start(i == picks[0])}{option}</{child}>"
                       for i, option in enumerate(options))
    return f'<{tag}{attrs} data-picks="{" ".join(map(str, picks))}">{children}</{tag}>'


def drawing(frames: Sequence[bytes]) -> str:
    """The frames as one SVG whose changing node groups are layers (see the module's doc),
    or, when the frames do not share a skeleton, each frame whole, in one layer."""
    cleaned = [_clean_svg(svg) for svg in frames]
    parts = [_split(svg) for svg in cleaned]
    first = parts[0]
    if first is not None and all(
            p is not None and p[0] == first[0] and p[2] == first[2]
            and len(p[1]) == len(first[1]) for p in parts):
        head, _, tail = first
        body = []
        for position in range(len(first[1])):
            states: dict[bytes, int] = {}
            picks = [states.setdefault(p[1][position], len(states))  # type: ignore[index]
                     for p in parts]
            if len(states) == 1:
                body.append(first[1][position].decode("utf-8"))
            else:
                body.append(_layer([b.decode("utf-8") for b in states], picks))
        return head.decode("utf-8") + "".join(body) + tail.decode("utf-8")
    return _layer([svg.decode("utf-8") for svg in cleaned], list(range(len(cleaned))),
                  "div", ' class="stack"', "div")


def _css_color(value: str, fallback: str) -> str:
    return value if _COLOR.fullmatch(value) else fallback


def _dark(color: str) -> bool:
    """Whether a background colour (#rgb or #rrggbb) is dark."""
    digits = color.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    try:
        r, g, b = (int(digits[i:i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return False
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 128


def _css_font(font: str) -> str:
    return f'"{font}", ' if _FONT.fullmatch(font) else ""


def page(frames: Sequence[bytes], captions: Sequence[str], title: str,
         theme: Theme | None = None, delay: int = 1000) -> bytes:
    """The HTML stepper of SVG ``frames``, each with its caption, as UTF-8 bytes.

    ``theme`` colours the page like the drawing (a dark page for the dark theme); ``delay``
    is the default time per step, in milliseconds, when playing.
    """
    if len(frames) != len(captions) or not frames:
        raise ValueError(f"need one caption per frame, and a frame: {len(frames)} frames,"
                         f" {len(captions)} captions")
    theme = theme or THEMES["cs231n"]
    default = THEMES["cs231n"]
    last = len(frames) - 1
    texts = [html.escape(caption) for caption in captions]
    speeds = []
    for ms in (4000, 2000, 1500, 1000, 700, 400):
        chosen = " selected" if ms == min((4000, 2000, 1500, 1000, 700, 400),
                                          key=lambda m: abs(m - delay)) else ""
        speeds.append(f'<option value="{ms}"{chosen}>{ms / 1000:g} s per step</option>')
    fields = {
        "title": html.escape(title),
        "background": _css_color(theme.background, default.background),
        "text": _css_color(theme.caption_color, default.caption_color),
        "line": _css_color(theme.wire_color, default.wire_color),
        "accent": _css_color(theme.value_color, default.value_color),
        "panel": _css_color(theme.gate_fill, default.gate_fill),
        "font": _css_font(theme.font),
        "scheme": "dark" if _dark(theme.background) else "light",
        "drawing": drawing(frames),
        "captions": _layer(texts, list(range(len(texts))), "div",
                           ' id="captions" class="stack"', "p", "caption"),
        "last": str(last),
        "speeds": "".join(speeds),
        "first_caption": html.escape(captions[0]),
    }
    return _FIELD.sub(lambda m: fields[m.group(1)], _TEMPLATE).encode("utf-8")


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="graphviz-backprop">
<title>{{title}}</title>
<style>
  :root { color-scheme: {{scheme}}; }
  html, body { margin: 0; background: {{background}}; color: {{text}};
    font-family: {{font}}Helvetica, Arial, sans-serif; }
  main { max-width: 1400px; margin: 0 auto; padding: 0.8rem 1.2rem 1.2rem; }
  h1 { font-size: 1.3rem; margin: 0.2rem 0 0.6rem; font-weight: 600; }
  .off { visibility: hidden; }
  .stack { display: grid; }
  .stack > * { grid-area: 1 / 1; }
  #drawing svg { display: block; width: 100%; height: auto; max-height: 72vh; }
  #drawing.zoomed { overflow: auto; max-height: 78vh; }
  #drawing.zoomed svg { max-width: none; max-height: none; }
  main.wide { max-width: none; }
  .zoom { display: inline-flex; gap: 0.25rem; align-items: center; }
  #zoom-level { font-variant-numeric: tabular-nums; min-width: 3.2em; text-align: center; }
  #captions { margin: 0.6rem 0 0.8rem; min-height: 1.5em; }
  .caption { margin: 0; font-size: 1.15rem; line-height: 1.5; }
  nav { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
  button, select { font: inherit; font-size: 1rem; color: {{text}}; background: {{panel}};
    border: 1px solid {{line}}; border-radius: 4px; padding: 0.3rem 0.7rem; cursor: pointer; }
  button:disabled { opacity: 0.4; cursor: default; }
  input[type=range] { flex: 1 1 12rem; accent-color: {{accent}}; }
  #counter { font-variant-numeric: tabular-nums; min-width: 5.5em; text-align: right; }
  .help { font-size: 0.85rem; opacity: 0.7; margin: 0.6rem 0 0; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden;
    clip: rect(0 0 0 0); white-space: nowrap; }
</style>
</head>
<body>
<main>
<h1>{{title}}</h1>
<div id="drawing" role="img" aria-label="the circuit">
{{drawing}}
</div>
{{captions}}
<p id="status" class="sr-only" aria-live="polite">{{first_caption}}</p>
<nav aria-label="steps">
  <button id="first" type="button" title="First step (Home)" aria-label="first step">&#xAB; First</button>
  <button id="prev" type="button" title="Previous step (left arrow)">&#x25C0; Prev</button>
  <button id="play" type="button" title="Play or pause (P)" aria-pressed="false">&#x25B6; Play</button>
  <button id="next" type="button" title="Next step (right arrow or space)">Next &#x25B6;</button>
  <button id="last" type="button" title="Last step (End)" aria-label="last step">Last &#xBB;</button>
  <input id="slider" type="range" min="0" max="{{last}}" value="0" step="1" aria-label="step">
  <span id="counter">0 / {{last}}</span>
  <select id="speed" aria-label="speed" title="Time per step when playing">{{speeds}}</select>
  <span class="zoom" role="group" aria-label="zoom">
    <button id="zoom-out" type="button" title="Zoom out (-)" aria-label="zoom out">&#x2212;</button>
    <button id="zoom-fit" type="button" title="Fit the drawing to the window (0)">Fit</button>
    <button id="zoom-in" type="button" title="Zoom in (+)" aria-label="zoom in">+</button>
    <span id="zoom-level" aria-live="polite">Fit</span>
  </span>
</nav>
<p class="help">&#x2190; &#x2192; or space to step &#xB7; Home / End &#xB7; P to play or pause &#xB7;
+ / &#x2212; to zoom, 0 to fit the window, 1 for actual size (then scroll)<span class="link-help"> &#xB7;
a link ending in #step-5 opens at step 5</span></p>
</main>
<script>
(function () {
  "use strict";
  // every element with data-picks shows, at step k, its child number picks[k]
  var layers = Array.prototype.map.call(document.querySelectorAll("[data-picks]"),
    function (el) {
      var picks = el.getAttribute("data-picks").split(" ").map(Number);
      return { options: el.children, picks: picks, shown: picks[0] };
    });
  var captions = document.getElementById("captions").children;
  var last = captions.length - 1;
  var $ = function (id) { return document.getElementById(id); };
  var slider = $("slider"), counter = $("counter"), status = $("status");
  var play = $("play"), speed = $("speed");
  var current = 0, timer = null;

  function stepFromHash() {
    var m = /^#step-(\\d+)$/.exec(window.location.hash);
    return m ? Math.min(parseInt(m[1], 10), last) : null;
  }

  function show(k) {
    k = Math.max(0, Math.min(last, k));
    layers.forEach(function (layer) {
      var v = layer.picks[k];
      if (v !== layer.shown) {
        layer.options[layer.shown].classList.add("off");
        layer.options[v].classList.remove("off");
        layer.shown = v;
      }
    });
    current = k;
    slider.value = String(k);
    counter.textContent = k + " / " + last;
    status.textContent = captions[k].textContent;
    $("first").disabled = $("prev").disabled = k === 0;
    $("last").disabled = $("next").disabled = k === last;
    var hash = "#step-" + k;
    // inline in an iframe (about:srcdoc, a notebook) the page has no address of its own
    if (window.location.protocol !== "about:" && window.location.hash !== hash) {
      try { window.history.replaceState(null, "", hash); }
      catch (e) { window.location.replace(hash); }
    }
  }

  function stop() {
    if (timer !== null) { window.clearInterval(timer); timer = null; }
    play.innerHTML = "&#x25B6; Play";
    play.setAttribute("aria-pressed", "false");
  }

  function tick() {
    show(current + 1);
    if (current >= last) { stop(); }
  }

  function start() {
    if (current >= last) { show(0); }
    if (timer !== null) { window.clearInterval(timer); }
    timer = window.setInterval(tick, parseInt(speed.value, 10));
    play.innerHTML = "&#x25AE;&#x25AE; Pause";
    play.setAttribute("aria-pressed", "true");
  }

  function toggle() { if (timer === null) { start(); } else { stop(); } }

  // zoom: null fits the drawing to the window (the whole width of it); a number is the
  // scale against the drawing's own size, and the drawing scrolls
  var drawing = $("drawing"), zoom = null;
  var pictures = drawing.getElementsByTagName("svg");
  function naturalWidth() {
    var box = pictures[0].viewBox && pictures[0].viewBox.baseVal;
    return box && box.width ? box.width * 96 / 72 : pictures[0].getBoundingClientRect().width;
  }
  function setZoom(z) {
    if (z !== null) { z = Math.max(0.1, Math.min(8, z)); }
    zoom = z;
    drawing.parentNode.classList.toggle("wide", z === null);
    drawing.classList.toggle("zoomed", z !== null);
    Array.prototype.forEach.call(pictures, function (svg) {
      svg.style.width = z === null ? "" : Math.round(naturalWidth() * z) + "px";
    });
    $("zoom-level").textContent = z === null ? "Fit" : Math.round(z * 100) + "%";
  }
  function scale() {
    return zoom !== null ? zoom : pictures[0].getBoundingClientRect().width / naturalWidth();
  }
  $("zoom-in").addEventListener("click", function () { setZoom(scale() * 1.25); });
  $("zoom-out").addEventListener("click", function () { setZoom(scale() / 1.25); });
  $("zoom-fit").addEventListener("click", function () { setZoom(null); });
  function go(k) { stop(); show(k); }

  $("first").addEventListener("click", function () { go(0); });
  $("prev").addEventListener("click", function () { go(current - 1); });
  $("next").addEventListener("click", function () { go(current + 1); });
  $("last").addEventListener("click", function () { go(last); });
  play.addEventListener("click", toggle);
  slider.addEventListener("input", function () { go(parseInt(slider.value, 10)); });
  speed.addEventListener("change", function () { if (timer !== null) { start(); } });
  window.addEventListener("hashchange", function () {
    var k = stepFromHash();
    if (k !== null) { go(k); }
  });

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.altKey || e.metaKey) { return; }
    var tag = e.target && e.target.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") { return; }
    if (tag === "BUTTON" && (e.key === " " || e.key === "Enter")) { return; }
    var k = null;
    switch (e.key) {
      case "ArrowRight": case "ArrowDown": case "PageDown": k = current + 1; break;
      case "ArrowLeft": case "ArrowUp": case "PageUp": k = current - 1; break;
      case " ": k = e.shiftKey ? current - 1 : current + 1; break;
      case "Home": k = 0; break;
      case "End": k = last; break;
      case "p": case "P": case "k": case "K": e.preventDefault(); toggle(); return;
      case "+": case "=": e.preventDefault(); setZoom(scale() * 1.25); return;
      case "-": case "_": e.preventDefault(); setZoom(scale() / 1.25); return;
      case "0": e.preventDefault(); setZoom(null); return;
      case "1": e.preventDefault(); setZoom(1); return;
      default: return;
    }
    e.preventDefault();
    go(k);
  });

  setZoom(null);
  var start_at = stepFromHash();
  show(start_at === null ? 0 : start_at);
})();
</script>
</body>
</html>
"""
