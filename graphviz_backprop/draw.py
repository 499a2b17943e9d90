"""One step -> a ``graphviz.Digraph`` in the cs231n style; all styling lives here.

Every wire has a label node: the value in green above a rule that continues the wire, the
gradient in red below it, a slot for the wire's name above and one for the local gradient
below.  Every slot and node has a fixed size computed once per circuit, so revealing a
number never moves the drawing: all frames of a circuit have the same layout.  Where each
node goes (its rank, and its place in the rank) is worked out once per circuit by
``layout.arrangement`` (``arrange.py``) and handed to ``dot`` as edge lengths and invisible edges.
In a circuit with vectors or matrices every wire label is a bracketed matrix of its own size
(``matrices.py``), and the wires meet it at its rule.

>>> from graphviz_backprop.tracing import trace
>>> from graphviz_backprop.frames import steps
>>> t = trace("(x+y)*z", x=-2, y=5, z=-4)
>>> dot = draw(t.evaluation, steps(t.evaluation)[-1])
>>> "-12.0" in dot.source and "rankdir=LR" in dot.source
True
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .arrange import OUT, Arrangement, branch_of, junction_of, trunk_of
from .backprop import Evaluation
from .frames import Step, steps
from .layout import Layout, Positions, layout_for, wrap_caption
from .lazy import lazy_import
from .matrices import BLANK, html_text, label, name_label, text_cell
from .notation import DIGITS, value_text
from .themes import Theme

if TYPE_CHECKING:
    import graphviz
else:
    graphviz = lazy_import("graphviz")

__all__ = ["Scene", "Drawing", "scene", "to_digraph", "draw"]


def _text(text: str | None, color: str, size: float, width: float, height: float,
          italic: bool = False, background: str | None = None, align: str = "") -> str:
    """One fixed-size cell: ``text`` in its colour, or a non-breaking space (not yet shown)."""
    fill = f' BGCOLOR="{background}"' if background else ""
    where = f' ALIGN="{align}"' if align else ""
    return text_cell(text, color, size, width, height, italic, fill + where)


def _cell(text: str | None, color: str, size: float, width: float, height: float,
          italic: bool = False, background: str | None = None) -> str:
    return f"<TR>{_text(text, color, size, width, height, italic, background)}</TR>"


def _wire_label(lay: Layout, name: str | None, value: str | None, grad: str | None,
                local: str | None, mark: str | None = None) -> str:
    """The label node of a wire: name / value, the rule (the wire itself), grad / local."""
    t, w = lay.theme, lay.slot_width
    small = t.font_size - 1
    if lay.fit == "slide":
        return _compact_label(lay, name, value, grad, mark)
    rows = [
        _cell(name, t.name_color, small, w, lay.small_height, italic=True),
        _cell(value, t.value_color, t.font_size, w, lay.row_height),
        "<HR/>",
        _cell(grad, t.grad_color, t.font_size, w, lay.row_height, italic=t.grad_italic,
              background=_mark_color(t, mark)),
        _cell(local, t.local_color, small, w, lay.small_height, italic=t.grad_italic),
    ]
    # the rule between value and gradient continues the wire, so it takes the wire's colour
    return (f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"'
            f' COLOR="{t.wire_color}">' + "".join(rows) + "</TABLE>>")


def _compact_label(lay: Layout, name: str | None, value: str | None, grad: str | None,
                   mark: str | None) -> str:
    """A wire's label for a slide: the name beside the value, the rule, the gradient; no
    local gradient (the caption gives it)."""
    t, w, h = lay.theme, lay.slot_width, lay.row_height
    top = _text(value, t.value_color, t.font_size, w, h)
    bottom = _text(grad, t.grad_color, t.font_size, w, h, italic=t.grad_italic,
                   background=_mark_color(t, mark))
    if name is not None:  # the same in every frame: a wire has a name or not
        top = _text(name, t.name_color, t.font_size - 1, lay.name_width, h, italic=True,
                    align="RIGHT") + top
        bottom = _text(None, "", t.font_size, lay.name_width, h) + bottom
    return (f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"'
            f' COLOR="{t.wire_color}"><TR>{top}</TR><HR/><TR>{bottom}</TR></TABLE>>')


def _mark_color(theme: Theme, mark: str | None) -> str | None:
    return {"wrong": theme.mark_wrong, "inherited": theme.mark_inherited}.get(mark or "")


def _caption(lay: Layout, caption: str) -> str:
    """The fixed-size block under the circuit: the title in bold, then the step's caption."""
    t = lay.theme
    lines = wrap_caption(caption, lay.caption_chars)
    lines += [""] * (lay.caption_lines - len(lines))
    body = "<BR/>".join(html_text(line) if line else BLANK for line in lines)
    line_height = t.font_size * 1.3
    rows = []
    if lay.title:
        rows.append(f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{lay.caption_width:.0f}"'
                    f' HEIGHT="{line_height + 6:.0f}"><FONT COLOR="{t.caption_color}"'
                    f' POINT-SIZE="{t.font_size:g}"><B>{html_text(lay.title)}</B></FONT></TD></TR>')
    height = lay.caption_lines * line_height + 8
    rows.append(f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{lay.caption_width:.0f}" HEIGHT="{height:.0f}">'
                f'<FONT COLOR="{t.caption_color}" POINT-SIZE="{t.font_size:g}">{body}</FONT>'
                f"</TD></TR>")
    return '<<TABLE BORDER="0" CELLPADDING="0" CELLSPACING="0">' + "".join(rows) + "</TABLE>>"


Attrs = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Scene:
    """One frame as plain data: graph attributes, nodes and edges in drawing order.

    A node is ``(name, label, attrs)``, an edge ``(tail, head, attrs)``; every node has the
    SVG id ``gbp_<name>``.  :func:`to_digraph` turns a scene into DOT.
    """

    graph: Attrs
    node_defaults: Attrs
    edge_defaults: Attrs
    nodes: tuple[tuple[str, str, Attrs], ...]
    edges: tuple[tuple[str, str, Attrs], ...]


def _attrs(**attrs: Any) -> Attrs:
    return tuple((k, str(v)) for k, v in attrs.items())


_ROW = _attrs(style="invis", minlen="0")


def _placed(edges: list[tuple[str, str, Attrs]],
            arranged: Arrangement) -> tuple[tuple[str, str, Attrs], ...]:
    """The wires, each as long (in ranks) as the arrangement makes it, and invisible edges
    that stack each rank's nodes in the arrangement's order (a flat edge puts its tail above
    its head), so that ``dot`` draws what was arranged."""
    ranks = arranged.ranks
    placed = [(a, b, attrs if ranks[b] - ranks[a] == 1
               else (*attrs, ("minlen", str(ranks[b] - ranks[a]))))
              for a, b, attrs in edges]
    for row in arranged.rows:
        placed += [(upper, lower, _ROW) for upper, lower in itertools.pairwise(row)]
    return tuple(placed)


class Drawing:
    """Everything the frames of one evaluation share, prepared once: most of a frame is
    fixed, and a frame only chooses which of a few prepared states each node is in.

    ``marks`` (node id -> ``"wrong"`` or ``"inherited"``) colours those nodes' wires and
    gradients, as ``gbp check --render`` does.  :meth:`scene` gives a step's frame.
    """

    def __init__(self, ev: Evaluation, lay: Layout | None = None,
                 marks: Mapping[str, str] | None = None):
        lay = lay or layout_for(ev, steps(ev))
        marks = dict(marks or {})
        t = lay.theme
        c = ev.circuit
        d = lay.decimals
        self.ev, self.lay, self.c = ev, lay, c
        nodesep, ranksep, pad = (("0.06", "0.14", "0.1") if lay.fit == "slide"
                                 else ("0.12", "0.22", "0.25"))
        self.graph = _attrs(rankdir="LR", bgcolor=t.background, fontname=t.font,
                            nodesep=nodesep, ranksep=ranksep, pad=pad, labelloc="b",
                            labeljust="c", newrank="true")
        self.node_defaults = _attrs(fontname=t.font, fontsize=f"{t.font_size + 2:g}", margin="0",
                                    fontcolor=t.gate_text)
        self.edge_defaults = _attrs(color=t.wire_color, arrowsize="0.6", penwidth="1.2",
                                    arrowhead="none")
        plain = self.plain = _attrs(shape="plaintext", margin="0", width="0", height="0")
        name_attrs = dict(shape="plaintext", fontcolor=t.name_color, width="0", height="0",
                          margin="0.02")
        # the order of the nodes, each with a function of the step giving (label, attrs)
        self.order: list[tuple[str, Any]] = []
        edges: list[tuple[str, str, Attrs]] = []

        def fixed(name: str, label: str, **attrs: Any) -> None:
            item = (label, _attrs(id=f"gbp_{name}", **attrs))
            self.order.append((name, lambda step, item=item: item))

        boxes = lay.boxes  # a circuit with vectors or matrices: labels of their own
        for n in c.order:
            if c.graph.nodes[n]["kind"] != "gate":
                fixed(n, name_label(c.wire_names[n], ev.values[n], t) if boxes
                      else graphviz.escape(c.wire_names[n]), **name_attrs)

        for n in c.gates:
            label = graphviz.escape(c.label(n))
            common = dict(shape="circle", fixedsize="true", width=f"{lay.gate_widths[n]:.2f}",
                          style="filled", color=t.gate_line)
            states = {
                None: (label, _attrs(id=f"gbp_{n}", fillcolor=t.gate_fill, penwidth="1.2",
                                     **common)),
                "forward": (label, _attrs(id=f"gbp_{n}", fillcolor=t.forward_highlight,
                                          penwidth="2.2", **common)),
                "backward": (label, _attrs(id=f"gbp_{n}", fillcolor=t.backward_highlight,
                                           penwidth="2.2", **common)),
            }
            self.order.append((n, lambda step, n=n, states=states: states[
                None if step.current != n else
                ("backward" if step.kind == "backward" else "forward")]))

        for n in c.order:
            consumers = c.consumers[n]
            is_gate = c.graph.nodes[n]["kind"] == "gate"
            trunk = trunk_of(n)
            name = c.wire_names[n] if is_gate and n != c.output else None
            mark = marks.get(n)
            value = value_text(ev.values[n], d, DIGITS)
            grad = value_text(ev.grads[n], d, DIGITS)
            local = None
            if len(consumers) == 1:
                cons, port = consumers[0]
                local = f"local {value_text(ev.local[cons][port], d, DIGITS)}"
            labels: dict[tuple[bool, ...], tuple[str, Attrs]] = {}
            attrs = _attrs(id=f"gbp_{trunk}", **dict(plain))

            def trunk_state(step: Step, n: str = n, name: str | None = name, value: str = value,
                            grad: str = grad, local: str | None = local,
                            mark: str | None = mark,
                            labels: dict[tuple[bool, ...], tuple[str, Attrs]] = labels,
                            attrs: Attrs = attrs, trunk: str = trunk) -> tuple[str, Attrs]:
                key = (n in step.computed, self.grad_shown(step, n),
                       len(self.c.consumers[n]) == 1 and step.show_local
                       and self.c.consumers[n][0][0] == step.current, step.kind == "exercise")
                if key not in labels and self.lay.boxes:
                    labels[key] = (self._array_label(trunk, key, mark), attrs)
                elif key not in labels:
                    labels[key] = (_wire_label(self.lay, name, value if key[0] else None,
                                               grad if key[1] else None,
                                               local if key[2] and local else None, mark),
                                   attrs)
                return labels[key]

            self.order.append((trunk, trunk_state))
            wire = {"color": t.grad_color, "penwidth": "2.4"} if mark == "wrong" else {}
            into, out_of = boxes[trunk].ports if boxes else ("w", "e")
            edges.append((n, trunk, _attrs(headport=into, weight="8", **wire)))
            if n == c.output:
                fixed(OUT, graphviz.escape(c.wire_names[n]), **name_attrs)
                edges.append((trunk, OUT, _attrs(tailport=out_of, arrowhead="normal", **wire)))
            if len(consumers) == 1:
                edges.append((trunk, consumers[0][0],
                              _attrs(tailport=out_of, arrowhead="normal", weight="2", **wire)))
            elif consumers:
                junction = junction_of(n)
                fixed(junction, "", shape="point", width="0.06", color=t.wire_color)
                edges.append((trunk, junction, _attrs(tailport=out_of)))
                for cons, port in consumers:
                    self._branch(n, cons, port, edges)
        self.edges = _placed(edges, lay.arrangement)

    def _branch(self, n: str, cons: str, port: int, edges: list[tuple[str, str, Attrs]]) -> None:
        """The label of the branch of ``n``'s wire into operand ``port`` of ``cons``."""
        ev, d = self.ev, self.lay.decimals
        branch = branch_of(n, cons, port)
        grad_b = value_text(ev.grads[cons] * ev.local[cons][port], d, DIGITS)
        local_b = f"local {value_text(ev.local[cons][port], d, DIGITS)}"
        battrs = _attrs(id=f"gbp_{branch}", **dict(self.plain))
        blabels: dict[tuple[bool, ...], tuple[str, Attrs]] = {}

        def branch_state(step: Step) -> tuple[str, Attrs]:
            key = (False, cons in step.backed, step.show_local and cons == step.current,
                   step.kind == "exercise")
            if key not in blabels and self.lay.boxes:
                blabels[key] = (self._array_label(branch, key), battrs)
            elif key not in blabels:
                blabels[key] = (_wire_label(self.lay, None, None, grad_b if key[1] else None,
                                            local_b if key[2] else None), battrs)
            return blabels[key]

        self.order.append((branch, branch_state))
        into, out_of = self.lay.boxes[branch].ports if self.lay.boxes else ("w", "e")
        # weight 0: a branch may bend anywhere on its way, not all at its end, so the
        # branches of neighbouring branch points do not meet where they all bend
        edges.append((junction_of(n), branch, _attrs(headport=into, weight="0")))
        edges.append((branch, cons, _attrs(tailport=out_of, arrowhead="normal", weight="2")))

    def _array_label(self, node: str, key: tuple[bool, ...], mark: str | None = None) -> str:
        """A wire label of a circuit with vectors or matrices (see matrices.py): ``key`` is
        (value shown, gradient shown, local shown, on a worksheet); a worksheet leaves the
        brackets of a matrix it does not fill in."""
        computed, grad, local, sheet = key
        blank = None if sheet else False
        return label(self.lay.boxes[node], self.lay.theme, computed or blank, grad or blank,
                     local, _mark_color(self.lay.theme, mark))

    def grad_shown(self, step: Step, n: str) -> bool:
        if n == self.c.output:
            return step.seeded
        return step.seeded and all(g in step.backed for g, _ in self.c.consumers[n])

    def scene(self, step: Step) -> Scene:
        nodes = tuple((name, *state(step)) for name, state in self.order)
        graph = self.graph
        if self.lay.captions:
            graph += (("label", _caption(self.lay, step.caption)),)
        return Scene(graph, self.node_defaults, self.edge_defaults, nodes, self.edges)


def scene(ev: Evaluation, step: Step, lay: Layout | None = None,
          marks: Mapping[str, str] | None = None) -> Scene:
    """What one step shows, node by node (for many steps, one :class:`Drawing` serves all)."""
    return Drawing(ev, lay, marks).scene(step)


_CAPTION_NODE = _attrs(id="gbp_caption", shape="plaintext", margin="0", width="0", height="0")


@lru_cache(maxsize=1 << 16)
def _node_line(name: str, label: str, attrs: Attrs, pos: str | None) -> str:
    extra = dict(attrs)
    if pos is not None:
        extra["pos"] = pos
    return f"\t{graphviz.quoting.quote(name)}{graphviz.quoting.attr_list(label, kwargs=extra)}\n"


@lru_cache(maxsize=1 << 16)
def _edge_line(tail: str, head: str, attrs: Attrs, pos: str | None) -> str:
    extra = dict(attrs)
    if pos is not None:
        extra["pos"] = pos
    return (f"\t{graphviz.quoting.quote_edge(tail)} -> {graphviz.quoting.quote_edge(head)}"
            f"{graphviz.quoting.attr_list(kwargs=extra)}\n")


_CORNER = _attrs(shape="point", style="invis", width="0", height="0", fixedsize="true")


def to_digraph(sc: Scene, positions: Positions | None = None,
               extent: tuple[float, float, float, float] | None = None) -> graphviz.Digraph:
    """A scene as a ``graphviz.Digraph``, each statement quoted by the ``graphviz`` package.

    With ``positions`` (from a layout of any frame of the same evaluation) the drawing
    carries them, so ``neato -n2`` can draw it without laying it out again.  Statements are
    cached: frames share most of them.  ``extent`` (x0, y0, x1, y1 in points) fixes what the
    picture shows, with two invisible nodes at its corners: at given positions Graphviz
    otherwise sizes a picture to what it holds.
    """
    place = positions.nodes if positions else {}
    route = positions.edges if positions else {}
    graph = dict(sc.graph)
    body = []
    if positions is not None:
        graph.update(bb=positions.bb, splines="true", notranslate="true")
        # At fixed positions the caption is a node where the layout put the graph's label:
        # drawn the same, and a piece of the drawing like any other (see render.py).
        caption = graph.pop("label", None)
        if caption and positions.lp:
            body.append(_node_line("caption", caption, _CAPTION_NODE, positions.lp))
    body += [_node_line(n, label, attrs, place.get(n)) for n, label, attrs in sc.nodes]
    body += [_edge_line(a, b, attrs, route.get((a, b))) for a, b, attrs in sc.edges]
    if extent is not None:
        x0, y0, x1, y1 = extent
        body += [_node_line("gbp_corner0", "", _CORNER, f"{x0!r},{y0!r}"),
                 _node_line("gbp_corner1", "", _CORNER, f"{x1!r},{y1!r}")]
    return graphviz.Digraph(name="circuit", graph_attr=graph, body=body,
                            node_attr=dict(sc.node_defaults), edge_attr=dict(sc.edge_defaults))


def draw(ev: Evaluation, step: Step, lay: Layout | None = None,
         positions: Positions | None = None,
         marks: Mapping[str, str] | None = None) -> graphviz.Digraph:
    """The Graphviz drawing of one step.  Every frame of ``ev`` has the same geometry.

    See :func:`scene` (what is shown, ``marks``) and :func:`to_digraph` (``positions``).
    """
    return to_digraph(scene(ev, step, lay, marks), positions)
