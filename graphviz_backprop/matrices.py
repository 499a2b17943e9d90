"""Wire labels of circuits with vectors and matrices: bracketed tables, sized once per circuit.

A wire that carries a matrix shows it as one, in brackets: the value in green above the
rule that continues the wire, the gradient in red below it (a vector as a column), and its
shape beside its name (``W 2×2``).  A wire with more rows or columns than the limit shows
its shape in the brackets instead of the entries.  Every cell is as wide as the widest
number the wire ever shows, so revealing a number never moves the drawing; an empty slot
is a blank of the same size (a worksheet keeps the empty brackets, to be filled in).

With ``jacobian``, the slot under a wire's gradient holds the local Jacobian of the gate
the wire feeds (rows: the gate's output entries, numerator layout), shown in backward
frames at that gate; a Jacobian over the limit is written as the gate's rule instead.

Wires enter and leave a label at the ends of its rule (a cell one point high, the port
``r``), so a label need not be as tall above its rule as below it.

>>> from graphviz_backprop.tracing import trace
>>> t = trace("W = [[0.1, 0.5], [-0.3, 0.8]]; x = [0.2, 0.4]; q = W @ x; f = sum(q**2)")
>>> box = boxes(t.evaluation, None, t.frames[0].layout.theme)["v_n2"]
>>> box.name, box.shape, box.value.rows, box.grad.rows
('q', '2', (('0.220',), ('0.260',)), (('0.440',), ('0.520',)))
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import Any

from .arrange import branch_of, trunk_of
from .arrays import Local, is_array, shape_of, shape_text
from .arraytext import ENTRYWISE, rule_text
from .backprop import Evaluation
from .formulas import local_math
from .notation import DIGITS, number, value_text
from .themes import Theme

__all__ = ["Grid", "Box", "has_arrays", "boxes", "label", "name_label", "html_text", "BLANK",
           "text_cell"]

BLANK = "&#160;"
#: Points: the width of a bracket (its stroke and its ticks), the room around a number.
BRACKET, PAD = 4.0, 6.0
_CHAR_WIDTH = 0.62  # of the font size (as layout.text_width)

#: What Graphviz must not be given as text: control characters, noncharacters and lone
#: surrogates (an undecodable byte of a file name) make it fail; shown as U+FFFD.
_UNDRAWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff"
                         "\ud800-\udfff]")


def html_text(text: str) -> str:
    r"""User text as the text of an HTML-like label: escaped, and a backslash doubled, as
    Graphviz reads it (a single one before N or G would stand for a name).

    >>> print(html_text("Price \\N <b>"))
    Price \\N &lt;b&gt;
    """
    return html.escape(_UNDRAWABLE.sub("\ufffd", text)).replace("\\", "\\\\")


def _width(text: str, size: float) -> float:
    return max(1, len(text)) * size * _CHAR_WIDTH


@dataclass(frozen=True)
class Grid:
    """What one slot shows: the texts of a matrix's entries, rows of columns (a vector as a
    column), in brackets; or one text without them (a scalar's number)."""

    rows: tuple[tuple[str, ...], ...]
    bracketed: bool = True

    @property
    def texts(self) -> list[str]:
        return [t for row in self.rows for t in row]


def grid(value: Any, decimals: int | None, limit: int, whole: bool = False) -> Grid:
    """A value as a slot shows it: a scalar's number; a vector (as a column) or matrix of
    at most ``limit`` rows and columns entry by entry; a larger one as its shape.  ``whole``
    writes whole numbers without decimals (the entries of a Jacobian: 0, 1, -1)."""
    def text(v: float) -> str:
        if whole and v.is_integer() and abs(v) < 1e6:
            return str(int(v)) if v else "0"
        return number(v, decimals, DIGITS)

    if not is_array(value):
        return Grid(((value_text(value, decimals, DIGITS),),), bracketed=False)
    rows = value.reshape(-1, 1) if value.ndim == 1 else value
    if max(rows.shape) > limit:  # "[20]" would read as a vector holding 20
        return Grid(((shape_text(value) if value.ndim == 2 else f"{value.size} entries",),))
    return Grid(tuple(tuple(text(v) for v in row) for row in rows.tolist()))


@dataclass(frozen=True)
class Box:
    """One wire label of a circuit with arrays, fixed for every frame: the name and shape
    above, the value (None on a branch, which shows none), the gradient, and the slot under
    it (a text, or a Jacobian titled ``local_title``); sizes in points: ``cell`` and
    ``local_cell`` the width of a matrix's cells, ``width`` the label's, ``name_width`` that
    of the name beside the value on a slide (``compact``)."""

    name: str | None
    shape: str | None
    value: Grid | None
    grad: Grid
    local: Grid | None
    local_title: str | None
    size: float
    cell: float
    local_cell: float
    width: float
    name_width: float
    compact: bool

    @property
    def small(self) -> float:
        """The font size of names and of the local gradient; a Jacobian's is 1 less."""
        return self.size - 1

    @property
    def cell_height(self) -> float:
        return round(self.size * 1.25)

    @property
    def local_cell_height(self) -> float:
        return round((self.small - 1) * 1.25)

    @property
    def body(self) -> float:
        """The height of the value slot, and of the gradient slot."""
        return len(self.grad.rows) * self.cell_height + (6 if self.grad.bracketed else 2)

    @property
    def top(self) -> float:
        """The height of the name above the value (and of the slot under the gradient)."""
        return round(self.size * 1.2)

    @property
    def bottom(self) -> float:
        """The height of the slot under the gradient: a Jacobian is a title and a matrix."""
        if self.local is None or not self.local.bracketed:
            return self.top
        return self.top + len(self.local.rows) * self.local_cell_height + 4

    #: Where a wire enters the label and where it leaves: the ends of its rule.
    ports = ("r:w", "r:e")


def has_arrays(ev: Evaluation) -> bool:
    """Whether any wire of an evaluation carries a vector or matrix."""
    return not ev.symbolic and any(is_array(v) for v in ev.values.values())


def _local_slot(ev: Evaluation, gate: str, port: int, decimals: int | None, limit: int,
                jacobian: bool) -> tuple[Grid | None, str | None]:
    """What the slot under a wire's gradient holds when ``gate`` is done: the scalar local
    gradient; with ``jacobian``, a Jacobian (with its title) or, past the limit, the rule."""
    c = ev.circuit
    local = ev.local[gate][port]
    if not isinstance(local, Local):
        return Grid(((f"local {value_text(local, decimals, DIGITS)}",),), False), None
    if not jacobian:
        return None, None
    arg = c.operands[gate][port]
    own, name = c.wire_names[gate], c.wire_names[arg]
    formula = local_math(c, gate)[port] if local.rule == ENTRYWISE else ""
    n_out = math.prod(shape_of(ev.values[gate]))
    n_in = math.prod(shape_of(ev.values[arg]))
    if n_out > limit or n_in > limit:
        g = "1" if gate == c.output else f"∂{c.wire_names[c.output]}/∂{own}"
        text = rule_text(local, g, [c.wire_names[a] for a in c.operands[gate]], formula)
        return Grid(((text,),), False), None
    title = f"∂{own}/∂{name}"
    if formula and not local.summed and len(formula) <= 12:
        title += " = I" if formula == "1" else f" = diag({formula})"
    matrix = grid(local.jacobian(), decimals, max(n_out, n_in), whole=True)
    return matrix, title


def _box(theme: Theme, name: str | None, value: Any, grad: Any,
         slot: tuple[Grid | None, str | None], decimals: int | None, limit: int,
         compact: bool, branch: bool = False) -> Box:
    size = theme.font_size
    small = size - 1
    value_grid = None if branch else grid(value, decimals, limit)
    grad_grid = grid(grad, decimals, limit)
    texts = grad_grid.texts + (value_grid.texts if value_grid else [])
    cell = max(_width(t, size) for t in texts) + PAD
    shape = shape_text(value) if is_array(value) else None
    label = f"{name} {shape}" if name and shape else name
    widths = [len(grad_grid.rows[0]) * cell + (2 * BRACKET if grad_grid.bracketed else 0) + 2]
    if label and not compact:
        widths.append(_width(label, small))
    local, title = slot
    local_cell = 0.0
    if local is not None and local.bracketed:
        local_cell = max(_width(t, small - 1) for t in local.texts) + PAD
        widths += [len(local.rows[0]) * local_cell + 2 * BRACKET, _width(title or "", small - 1)]
    elif local is not None:
        widths.append(_width(local.rows[0][0], small))
    name_width = _width(label, small) + 4 if compact and label else 0.0
    return Box(name, shape, value_grid, grad_grid, local, title, size, cell, local_cell,
               math.ceil(max(widths)) + 4, math.ceil(name_width), compact)


def boxes(ev: Evaluation, decimals: int | None, theme: Theme, limit: int = 4,
          jacobian: bool = False, compact: bool = False) -> dict[str, Box]:
    """Every wire label of a circuit with arrays, by label node (``v_n``, ``b_n_gate_port``)."""
    c = ev.circuit
    out: dict[str, Box] = {}
    with_local = not compact or jacobian  # a slide shows no local gradient, unless asked
    for n in c.order:
        consumers = c.consumers[n]
        is_gate = c.graph.nodes[n]["kind"] == "gate"
        name = c.wire_names[n] if is_gate and n != c.output else None
        slot: tuple[Grid | None, str | None] = (None, None)
        if len(consumers) == 1 and with_local:
            slot = _local_slot(ev, *consumers[0], decimals, limit, jacobian)
        out[trunk_of(n)] = _box(theme, name, ev.values[n], ev.grads[n], slot, decimals, limit,
                                compact)
        if len(consumers) < 2:
            continue
        for cons, port in consumers:
            slot = _local_slot(ev, cons, port, decimals, limit, jacobian) if with_local \
                else (None, None)
            grad = ev.grads[cons] * ev.local[cons][port]
            out[branch_of(n, cons, port)] = _box(theme, None, ev.values[n], grad, slot,
                                                 decimals, limit, compact, branch=True)
    return out


def text_cell(text: str | None, color: str, size: float, width: float, height: float,
              italic: bool = False, extra: str = "") -> str:
    """One fixed-size table cell: ``text`` in its colour, or a blank of the same size."""
    if text is None:
        body = f'<FONT POINT-SIZE="{size:g}">{BLANK}</FONT>'
    else:
        body = html_text(text)
        if italic:
            body = f"<I>{body}</I>"
        body = f'<FONT COLOR="{color}" POINT-SIZE="{size:g}">{body}</FONT>'
    return (f'<TD FIXEDSIZE="TRUE" WIDTH="{width:.0f}" HEIGHT="{height:.0f}"{extra}>'
            f"{body}</TD>")


_TABLE = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"'


def _matrix(g: Grid, color: str, size: float, cell: float, height: float,
            italic: bool, entries: bool) -> str:
    """A bracketed matrix, its entries blank unless ``entries``."""
    n = len(g.rows)
    side = (f'<TD ROWSPAN="{n}" BORDER="1" COLOR="{color}" FIXEDSIZE="TRUE"'
            f' WIDTH="{BRACKET:.0f}" HEIGHT="{n * height:.0f}" SIDES="{{}}"></TD>')
    rows = []
    for i, row in enumerate(g.rows):
        cells = "".join(text_cell(t if entries else None, color, size, cell, height, italic)
                        for t in row)
        if i == 0:
            cells = side.format("LTB") + cells + side.format("RTB")
        rows.append(f"<TR>{cells}</TR>")
    # fixed, or Graphviz stretches the matrix to the width of the label
    width = 2 * BRACKET + len(g.rows[0]) * round(cell)
    return (f'{_TABLE} FIXEDSIZE="TRUE" WIDTH="{width:.0f}" HEIGHT="{n * height:.0f}">'
            f"{''.join(rows)}</TABLE>")


def _slot(box: Box, g: Grid | None, state: bool | None, color: str, italic: bool,
          width: float, background: str | None = None) -> str:
    """The value or gradient slot: ``state`` True shows it, None leaves empty brackets."""
    extra = f' BGCOLOR="{background}"' if background else ""
    if g is None or state is False or (state is None and not g.bracketed):
        return text_cell(None, "", box.size, width, box.body, extra=extra)
    if not g.bracketed:
        return text_cell(g.rows[0][0], color, box.size, width, box.body, italic, extra)
    inner = _matrix(g, color, box.size, box.cell, box.cell_height, italic, bool(state))
    return (f'<TD FIXEDSIZE="TRUE" WIDTH="{width:.0f}" HEIGHT="{box.body:.0f}"{extra}>'
            f"{inner}</TD>")


def _title(box: Box, theme: Theme) -> str | None:
    """The name and shape of a wire: the name in italics, the shape beside it, smaller."""
    if not box.name:
        return None
    shape = (f'<FONT POINT-SIZE="{box.small - 1:g}">{BLANK}{html_text(box.shape)}</FONT>'
             if box.shape else "")
    return (f'<FONT COLOR="{theme.name_color}" POINT-SIZE="{box.small:g}">'
            f"<I>{html_text(box.name)}</I>{shape}</FONT>")


def _local(box: Box, theme: Theme, shown: bool, width: float, span: str = "") -> str:
    """The slot under the gradient: the local gradient, or the Jacobian with its title."""
    local = box.local
    height = box.bottom
    if local is None or not shown:
        return text_cell(None, "", box.small, width, height, extra=span)
    if not local.bracketed:
        return text_cell(local.rows[0][0], theme.local_color, box.small, width, height,
                     theme.grad_italic, span)
    small = box.small - 1
    matrix = _matrix(local, theme.local_color, small, box.local_cell, box.local_cell_height,
                     False, True)
    title = html_text(box.local_title or "")
    return (f'<TD FIXEDSIZE="TRUE" WIDTH="{width:.0f}" HEIGHT="{height:.0f}"{span}>{_TABLE}>'
            f'<TR><TD><FONT COLOR="{theme.local_color}" POINT-SIZE="{small:g}">{title}</FONT>'
            f"</TD></TR><TR><TD>{matrix}</TD></TR></TABLE></TD>")


def label(box: Box, theme: Theme, value: bool | None, grad: bool | None, local: bool,
          mark: str | None = None) -> str:
    """A wire's label in one state: ``value`` and ``grad`` True (shown), False (blank) or None
    (empty brackets, on a worksheet); ``local`` shows the slot under the gradient; ``mark``
    is the gradient's background colour (``gbp check --render``)."""
    t, w = theme, box.width
    top = _slot(box, box.value, value, t.value_color, False, w)
    bottom = _slot(box, box.grad, grad, t.grad_color, t.grad_italic, w, background=mark)
    if box.compact:
        span = ""
        if box.name:
            name = _title(box, t) or ""
            top = (f'<TD FIXEDSIZE="TRUE" WIDTH="{box.name_width:.0f}"'
                   f' HEIGHT="{box.body:.0f}" ALIGN="RIGHT">{name}</TD>') + top
            bottom = text_cell(None, "", box.size, box.name_width, box.body) + bottom
            span = ' COLSPAN="2"'
        rows = f"<TR>{top}</TR>{_rule(w + box.name_width, t, span)}<TR>{bottom}</TR>"
        if box.local is not None:
            rows += f"<TR>{_local(box, t, local, w + box.name_width, span)}</TR>"
        return f"<{_TABLE}>{rows}</TABLE>>"
    title = _title(box, t)
    head = (f'<TD FIXEDSIZE="TRUE" WIDTH="{w:.0f}" HEIGHT="{box.top:.0f}">{title}</TD>'
            if title else text_cell(None, "", box.small, w, box.top))
    rows = (f"<TR>{head}</TR><TR>{top}</TR>{_rule(w, t)}<TR>{bottom}</TR>"
            f"<TR>{_local(box, t, local, w)}</TR>")
    return f"<{_TABLE}>{rows}</TABLE>>"


def _rule(width: float, theme: Theme, span: str = "") -> str:
    """The rule between value and gradient: it continues the wire, and wires end at it."""
    return (f'<TR><TD PORT="r" FIXEDSIZE="TRUE" WIDTH="{width:.0f}" HEIGHT="1"'
            f' BGCOLOR="{theme.wire_color}"{span}></TD></TR>')


def name_label(name: str, value: Any, theme: Theme) -> str:
    """An input's name, with its shape beside it when it is a vector or matrix."""
    shape = (f'<FONT POINT-SIZE="{theme.font_size - 1:g}">{BLANK}{shape_text(value)}</FONT>'
             if is_array(value) else "")
    return f"<{html_text(name)}{shape}>"
