"""One step -> a ``graphviz.Digraph`` in the cs231n style; all styling lives here.

Every wire has a label node: the value in green above a rule that continues the wire, the
gradient in red below it, a slot for the wire's name above and one for the local gradient
below.  Every slot and node has a fixed size computed once per circuit, so revealing a
number never moves the drawing: all frames of a circuit have the same layout.

>>> from graphviz_backprop.trace import trace
>>> from graphviz_backprop.frames import steps
>>> t = trace("(x+y)*z", x=-2, y=5, z=-4)
>>> dot = draw(t.evaluation, steps(t.evaluation)[-1])
>>> "-12.00" in dot.source and "rankdir=LR" in dot.source
True
"""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass, replace
from typing import Any, Mapping

import graphviz

from .evaluate import Evaluation
from .frames import Step, fmt, steps, wires

__all__ = ["Theme", "THEMES", "Layout", "Positions", "layout_for", "draw", "wrap_caption"]


@dataclass(frozen=True)
class Theme:
    """Colours and fonts of a drawing: data, in one place."""

    name: str = "cs231n"
    font: str = "Helvetica"
    value_color: str = "#1a7f37"
    grad_color: str = "#cf222e"
    local_color: str = "#0550ae"
    name_color: str = "#000000"
    wire_color: str = "#000000"
    gate_fill: str = "#ffffff"
    gate_line: str = "#000000"
    forward_highlight: str = "#fff3a3"
    backward_highlight: str = "#ffd8d3"
    background: str = "#ffffff"
    caption_color: str = "#24292f"
    mark_wrong: str = "#ffb8b8"
    mark_inherited: str = "#ffe7a8"
    font_size: float = 12.0


THEMES: dict[str, Theme] = {"cs231n": Theme()}

_BLANK = "&#160;"
_CHAR_WIDTH = 0.62  # of the font size: a safe average for digits and letters in Helvetica
_CAPTION_CHARS = 96


def _text_width(text: str, size: float) -> float:
    return max(1, len(text)) * size * _CHAR_WIDTH


def wrap_caption(caption: str, width: int = _CAPTION_CHARS) -> list[str]:
    """Break a caption into lines at ``; `` where it can, else at spaces."""
    lines: list[str] = []
    for part in caption.split("; "):
        if lines and len(lines[-1]) + 2 + len(part) <= width:
            lines[-1] += "; " + part
        else:
            lines.extend(textwrap.wrap(part, width) or [""])
    return lines


@dataclass(frozen=True)
class Layout:
    """Sizes fixed for every frame of one evaluation (points), and the texts to draw."""

    decimals: int
    theme: Theme
    slot_width: float
    row_height: float
    small_height: float
    caption_width: float
    caption_lines: int
    gate_widths: dict[str, float]
    title: str | None = None


def _all_texts(ev: Evaluation, decimals: int) -> list[str]:
    texts = [fmt(v, decimals) for v in ev.values.values()]
    texts += [fmt(v, decimals) for v in ev.grads.values()]
    for node, locals_ in ev.local.items():
        texts += [f"local {fmt(v, decimals)}" for v in locals_]
        texts += [fmt(ev.grads[node] * v, decimals) for v in locals_]
    texts += [n for n in (ev.circuit.name(x) for x in ev.circuit.order) if n]
    return texts


def layout_for(ev: Evaluation, steps_: list[Step], decimals: int = 2,
               theme: Theme | None = None, title: str | None = None) -> Layout:
    """Fix every size once, from the widest text any frame will show.

    ``title`` (of an example or a file) is drawn in bold above every caption.
    """
    theme = theme or THEMES["cs231n"]
    size = theme.font_size
    slot = max(_text_width(t, size) for t in _all_texts(ev, decimals)) + 6
    lines = [line for s in steps_ for line in wrap_caption(s.caption)]
    caption_lines = max(len(wrap_caption(s.caption)) for s in steps_)
    if title:
        lines.append(title + "xx")  # bold is wider
    caption_width = max(_text_width(line, size) for line in lines) + 12
    c = ev.circuit
    gate_widths = {
        n: max(0.5, (_text_width(c.label(n), size + 2) + 10) / 72) for n in c.gates
    }
    return Layout(decimals, theme, slot, size * 1.35, size * 1.2, caption_width,
                  caption_lines, gate_widths, title)


def _cell(text: str | None, color: str, size: float, width: float, height: float,
          italic: bool = False, background: str | None = None) -> str:
    if text is None:
        body = f'<FONT POINT-SIZE="{size:g}">{_BLANK}</FONT>'
    else:
        body = html.escape(text)
        if italic:
            body = f"<I>{body}</I>"
        body = f'<FONT COLOR="{color}" POINT-SIZE="{size:g}">{body}</FONT>'
    fill = f' BGCOLOR="{background}"' if background else ""
    return (f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{width:.0f}" HEIGHT="{height:.0f}"{fill}>'
            f"{body}</TD></TR>")


def _wire_label(lay: Layout, name: str | None, value: str | None, grad: str | None,
                local: str | None, mark: str | None = None) -> str:
    """The label node of a wire: name / value, the rule (the wire itself), grad / local."""
    t, w = lay.theme, lay.slot_width
    small = t.font_size - 1
    rows = [
        _cell(name, t.name_color, small, w, lay.small_height, italic=True),
        _cell(value, t.value_color, t.font_size, w, lay.row_height),
        "<HR/>",
        _cell(grad, t.grad_color, t.font_size, w, lay.row_height,
              background=_mark_color(t, mark)),
        _cell(local, t.local_color, small, w, lay.small_height),
    ]
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
            + "".join(rows) + "</TABLE>>")


def _mark_color(theme: Theme, mark: str | None) -> str | None:
    return {"wrong": theme.mark_wrong, "inherited": theme.mark_inherited}.get(mark or "")


def _caption(lay: Layout, caption: str) -> str:
    """The fixed-size block under the circuit: the title in bold, then the step's caption."""
    t = lay.theme
    lines = wrap_caption(caption)
    lines += [""] * (lay.caption_lines - len(lines))
    body = "<BR/>".join(html.escape(line) if line else _BLANK for line in lines)
    line_height = t.font_size * 1.3
    rows = []
    if lay.title:
        rows.append(f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{lay.caption_width:.0f}"'
                    f' HEIGHT="{line_height + 6:.0f}"><FONT COLOR="{t.caption_color}"'
                    f' POINT-SIZE="{t.font_size:g}"><B>{html.escape(lay.title)}</B></FONT></TD></TR>')
    height = lay.caption_lines * line_height + 8
    rows.append(f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{lay.caption_width:.0f}" HEIGHT="{height:.0f}">'
                f'<FONT COLOR="{t.caption_color}" POINT-SIZE="{t.font_size:g}">{body}</FONT>'
                f"</TD></TR>")
    return '<<TABLE BORDER="0" CELLPADDING="0" CELLSPACING="0">' + "".join(rows) + "</TABLE>>"


@dataclass(frozen=True)
class Positions:
    """A finished layout (points): node and edge positions, the bounding box, the caption's."""

    nodes: dict[str, str]
    edges: dict[tuple[str, str], str]
    bb: str
    lp: str | None


def draw(ev: Evaluation, step: Step, lay: Layout | None = None,
         positions: Positions | None = None,
         marks: Mapping[str, str] | None = None) -> graphviz.Digraph:
    """The Graphviz drawing of one step.  Every frame of ``ev`` has the same geometry.

    With ``positions`` (from a layout of any frame of the same evaluation) the drawing
    carries them, so ``neato -n2`` can render it without laying it out again.  ``marks``
    (node id -> ``"wrong"`` or ``"inherited"``) colours those nodes' wires and gradients,
    as ``gbp check --render`` does.
    """
    marks = marks or {}
    lay = lay or layout_for(ev, steps(ev))
    t = lay.theme
    c = ev.circuit
    w = wires(c)
    d = lay.decimals
    dot = _Placed(name="circuit", positions=positions)
    if positions is not None:
        dot.attr("graph", bb=positions.bb, splines="true", **({"lp": positions.lp} if positions.lp else {}))
    dot.attr("graph", rankdir="LR", bgcolor=t.background, fontname=t.font, nodesep="0.12",
             ranksep="0.22", pad="0.25", labelloc="b", labeljust="c", newrank="true",
             label=_caption(lay, step.caption))
    dot.attr("node", fontname=t.font, fontsize=f"{t.font_size + 2:g}", margin="0")
    dot.attr("edge", color=t.wire_color, arrowsize="0.6", penwidth="1.2", arrowhead="none")
    label_node = {"shape": "plaintext", "margin": "0", "width": "0", "height": "0"}

    def grad_shown(node: str) -> bool:
        if node == c.output:
            return step.seeded
        return step.seeded and all(g in step.backed for g, _ in w.consumers[node])

    inputs = [n for n in c.order if c.graph.nodes[n]["kind"] != "gate"]
    for node in inputs:
        dot.node(node, graphviz.escape(c.label(node)), shape="plaintext",
                 fontcolor=t.name_color, width="0", height="0", margin="0.02")
    with dot.subgraph(name="inputs") as col:  # one column at the left, in source order
        col.attr(rank="min")
        for node in inputs:
            col.node(node)
    for upper, lower in zip(inputs, inputs[1:]):
        dot.edge(upper, lower, style="invis")

    for node in c.gates:
        highlight = None
        if step.current == node:
            highlight = t.backward_highlight if step.kind == "backward" else t.forward_highlight
        dot.node(node, graphviz.escape(c.label(node)), shape="circle", fixedsize="true",
                 width=f"{lay.gate_widths[node]:.2f}", style="filled",
                 fillcolor=highlight or t.gate_fill, color=t.gate_line,
                 penwidth="2.2" if highlight else "1.2")

    for node in c.order:
        consumers = w.consumers[node]
        is_gate = c.graph.nodes[node]["kind"] == "gate"
        value = fmt(ev.values[node], d) if node in step.computed else None
        grad = fmt(ev.grads[node], d) if grad_shown(node) else None
        single = len(consumers) == 1
        local = None
        if single and step.show_local and consumers[0][0] == step.current:
            cons, port = consumers[0]
            local = f"local {fmt(ev.local[cons][port], d)}"
        trunk = f"v_{node}"
        name = c.name(node) if is_gate and node != c.output else None
        mark = marks.get(node)
        wire = {"color": t.grad_color, "penwidth": "2.4"} if mark == "wrong" else {}
        dot.node(trunk, _wire_label(lay, name, value, grad, local, mark), **label_node)
        dot.edge(node, trunk, headport="w", weight="8", **wire)
        if node == c.output:
            dot.node("out", graphviz.escape(c.output_name), shape="plaintext",
                     fontcolor=t.name_color, width="0", height="0", margin="0.02")
            dot.edge(trunk, "out", tailport="e", arrowhead="normal", **wire)
        if single:
            dot.edge(trunk, consumers[0][0], tailport="e", arrowhead="normal", weight="2", **wire)
        elif consumers:
            junction = f"j_{node}"
            dot.node(junction, "", shape="point", width="0.06", color=t.wire_color)
            dot.edge(trunk, junction, tailport="e")
            for cons, port in consumers:
                branch = f"b_{node}_{cons}_{port}"
                grad_b = None
                if cons in step.backed:
                    grad_b = fmt(ev.grads[cons] * ev.local[cons][port], d)
                local_b = None
                if step.show_local and cons == step.current:
                    local_b = f"local {fmt(ev.local[cons][port], d)}"
                dot.node(branch, _wire_label(lay, None, None, grad_b, local_b), **label_node)
                dot.edge(junction, branch, headport="w")
                dot.edge(branch, cons, tailport="e", arrowhead="normal", weight="2")
    return dot


class _Placed(graphviz.Digraph):
    """A Digraph that stamps known positions on the nodes and edges it is given."""

    def __init__(self, *args: Any, positions: Positions | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._positions = positions

    def node(self, name: str, label: str | None = None, _attributes=None, **attrs: Any) -> None:
        if self._positions is not None and name in self._positions.nodes:
            attrs["pos"] = self._positions.nodes[name]
        super().node(name, label, _attributes=_attributes, **attrs)

    def edge(self, tail_name: str, head_name: str, label: str | None = None, _attributes=None,
             **attrs: Any) -> None:
        if self._positions is not None:
            pos = self._positions.edges.get((tail_name, head_name))
            if pos:
                attrs["pos"] = pos
        super().edge(tail_name, head_name, label, _attributes=_attributes, **attrs)


def with_theme(lay: Layout, **changes: Any) -> Layout:
    """A copy of a layout with some theme fields changed (sizes are kept)."""
    return replace(lay, theme=replace(lay.theme, **changes))
