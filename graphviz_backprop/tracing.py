"""The Python entry point: trace a source into a circuit, its values, gradients and frames.

>>> t = trace("(x+y)*z", x=-2, y=5, z=-4)
>>> t.value, t.gradients
(-12.0, {'x': -4.0, 'y': -4.0, 'z': 3.0})
>>> t.to_dict()["nodes"][2]["op"]
'+'
>>> len(t.frames), t.frames[5].caption
(8, 'Backward through *: ∂f/∂a₁ = 1.00 · (-4) = -4.00; ∂f/∂z = 1.00 · 3 = 3.00')

In Jupyter a trace shows as the stepper, a frame as its SVG; ``frame.dot`` is its
``graphviz.Digraph``.  Files: ``frame.save("f.png")``, ``t.save_gif("f.gif")``,
``t.save_frames("frames/", format="svg")``, ``t.save_html("f.html")`` (the stepper),
``t.save_pdf("f.pdf")`` (a frame per page), ``t.save_pptx("f.pptx")`` (a slide per frame),
``t.save_beamer("deck/")`` (PDF and a Beamer snippet) and ``t.exercise()`` (a worksheet).
Every method that draws takes ``theme="dark"`` (or print, colorblind), ``font=``,
``font_size=``, ``fit="slide"`` (for a 16:9 slide), ``matrix_limit=`` and ``jacobian=``:

>>> t.exercise().caption
'Exercise: write the gradient ∂f/∂… under every wire'
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import deck, notebook, output, records
from . import render as _render
from .backprop import Evaluation, evaluate
from .dot import positions_later
from .errors import GbpError, InputError, ParseError, RenderError
from .frame import Frame
from .frames import Step, steps
from .frames import exercise as exercise_step
from .fromsympy import parse_sympy
from .graph import Circuit, build
from .layout import FITS, MATRIX_LIMIT, Layout, Positions, layout_for
from .limits import MAX_RENDER_GATES
from .notation import value_text
from .parser import parse
from .passes import Update, backward_lines, forward_part, parameter_updates
from .raster import bounded_dpi
from .sgd import Descent, SgdStep, descent_of, sgd_step, sgd_steps
from .source import Source, parse_assignments, resolve
from .style import Style
from .syntax import call_in
from .themes import Theme
from .tomlfile import check_plain_text
from .whitelist import MASKS

if TYPE_CHECKING:
    import sympy

__all__ = ["Trace", "Frame", "Style", "trace"]

@dataclass(frozen=True)
class Trace:
    """A traced circuit: the graph, its evaluation, and where it came from."""

    circuit: Circuit
    evaluation: Evaluation
    title: str | None = None
    name: str | None = None
    #: The lines of a backward pass in the source (cs231n-style code: ``dx = ...`` after the
    #: forward pass), left out of the circuit; ``gbp check`` checks them.  None if there is none.
    backward_lines: tuple[int, int] | None = None
    #: A step of gradient descent the frames end with and the JSON reports (``with_sgd``, or
    #: the source's own ``W -= lr * dW``); None if there is none.
    descent: Descent | None = None
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def __repr__(self) -> str:
        output = self.circuit.output_name
        value = "symbolic" if self.symbolic else value_text(self.value)
        gates, inputs = len(self.circuit.gates), len(self.inputs)
        return (f"<Trace {self.display_title!r}: {gates} gate{'s' * (gates != 1)},"
                f" {inputs} input{'s' * (inputs != 1)}, {output} = {value}>")

    @property
    def symbolic(self) -> bool:
        """True when no input had a value (values and gradients are sympy formulas)."""
        return self.evaluation.symbolic

    @property
    def value(self) -> Any:
        """The output's value."""
        return self.evaluation.output

    @property
    def gradients(self) -> dict[str, Any]:
        """d output / d input for every input, by name."""
        return self.evaluation.gradients

    @property
    def inputs(self) -> dict[str, Any]:
        """Every input's value, by name."""
        return {name: self.evaluation.values[node] for name, node in self.circuit.inputs.items()}

    def node_records(self) -> list[dict[str, Any]]:
        """One record per node in evaluation order (the ``nodes`` of the JSON output)."""
        return records.node_records(self.evaluation)

    def to_dict(self) -> dict[str, Any]:
        """The JSON output contract of ``gbp eval --json`` (docs/formats.md)."""
        data = records.evaluation_dict(self.evaluation, self.title)
        if self.descent is not None:
            data["sgd"] = self.sgd().to_dict()
        return data

    def sgd(self, lr: float | None = None, update: str | Iterable[str] | None = None
            ) -> SgdStep:
        """One step of gradient descent on ``update`` (by default the parameters, see
        ``sgd.py``); without ``lr``, the step this trace ends with (:meth:`with_sgd`, or the
        source's ``W -= lr * dW``)."""
        if lr is None:
            if self.descent is None:
                raise InputError("no learning rate: give lr, as in t.sgd(0.5)")
            lr, update, name = self.descent.lr, self.descent.update, self.descent.rate_name
        else:
            name = "lr"
        key = ("sgd", lr, update if update is None or isinstance(update, str)
               else tuple(update), name)
        if key not in self._cache:
            self._cache[key] = sgd_step(self.evaluation, lr, update, name)
        return self._cache[key]

    def with_sgd(self, lr: float, update: str | Iterable[str] | None = None) -> Trace:
        """This trace ending with a step of gradient descent: its frames end with one frame
        per updated input and one with the output after the step; its JSON has ``sgd``."""
        step = sgd_step(self.evaluation, lr, update)  # refuses a bad rate or name now
        return replace(self, descent=Descent(step.lr, step.names), _cache={})

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def format_value(self, value: Any, decimals: int | None = None) -> str:
        """A value or gradient of this trace as display text."""
        return value_text(value, decimals)

    # ---- frames ---------------------------------------------------------------------------
    #
    # Every method that draws takes the same style arguments: the pass (``phase``), the
    # ``decimals``, the ``theme`` (a name in ``themes.THEMES`` or a ``Theme``) with its ``font``
    # and ``font_size``, and ``exercise`` (None, "gradients" or "both": one worksheet frame);
    # together they are a :class:`Style`.

    def _plan(self, style: Style | None = None) -> tuple[list[Step], Layout]:
        style = style or Style()
        key = ("plan", style)
        if key not in self._cache:
            plan = steps(self.evaluation, style.phase, style.decimals)
            if self.descent is not None and style.phase != "forward":
                plan = plan + sgd_steps(self.sgd(), plan[-1], style.decimals)
            sized = plan
            if style.exercise is not None:
                # sized with every frame too, so the sheet matches the answer key (--final)
                plan = [exercise_step(self.evaluation, style.exercise)]
                sized = sized + plan
            self._cache[key] = (plan, layout_for(self.evaluation, sized, style.decimals,
                                                 style.theme, title=self._title(style),
                                                 captions=style.captions, fit=style.fit,
                                                 matrix_limit=style.matrix_limit,
                                                 jacobian=style.jacobian))
        return self._cache[key]

    def _title(self, style: Style) -> str | None:
        if style.title is None:
            return self.title
        return style.title if isinstance(style.title, str) else None

    def _positions(self, style: Style | None = None) -> Future[Positions]:
        """The one layout of these frames, laid out in the background (see
        ``dot.positions_later``)."""
        style = style or Style()
        key = ("positions", style)
        if key not in self._cache:
            plan, lay = self._plan(style)
            self._cache[key] = positions_later(self.evaluation, lay, plan[-1])
        return self._cache[key]

    def _render(self, style: Style, format: str, dpi: float = 96,
                frames: list[int] | None = None) -> list[bytes]:
        plan, lay = self._plan(style)
        chosen = _pick(plan, frames)
        placed = None if format == "dot" else self._positions(style)
        return _render.render(self.evaluation, chosen, format, lay, dpi, placed=placed).frames

    def make_frames(self, phase: str = "both", decimals: int | None = None, *,
                    theme: str | Theme = "cs231n", font: str | None = None,
                    font_size: float | None = None, exercise: str | None = None,
                    title: str | bool | None = None, fit: str = "none",
                    matrix_limit: int = MATRIX_LIMIT, jacobian: bool = False) -> list[Frame]:
        """The frames of the forward and/or backward pass (``phase``), numbers at ``decimals``;
        with ``exercise``, the one worksheet frame; ``title`` replaces the title above the
        captions (False: none); ``fit="slide"`` draws for a 16:9 slide; ``matrix_limit`` and
        ``jacobian`` draw vectors and matrices (see :class:`Style`)."""
        style = Style.of(phase, decimals, theme, font, font_size, exercise, title=title, fit=fit,
                         matrix_limit=matrix_limit, jacobian=jacobian)
        plan, lay = self._plan(style)
        return [Frame(self, s, lay, style) for s in plan]

    @cached_property
    def frames(self) -> list[Frame]:
        """Every frame: the circuit, the inputs, forward, the output gradient, backward, the end."""
        return self.make_frames()

    def exercise(self, mode: str = "gradients", decimals: int | None = None, *,
                 theme: str | Theme = "cs231n", font: str | None = None,
                 font_size: float | None = None, title: str | bool | None = None,
                 fit: str = "none", matrix_limit: int = MATRIX_LIMIT) -> Frame:
        """A worksheet: the circuit with the gradient slots empty (``mode="both"``: the values
        too, but the inputs'; a vector or matrix is left as empty brackets).  The answer key
        is ``t.frames[-1]``."""
        return self.make_frames("both", decimals, theme=theme, font=font, font_size=font_size,
                                exercise=mode, title=title, fit=fit,
                                matrix_limit=matrix_limit)[0]

    def render(self, format: str = "svg", phase: str = "both", decimals: int | None = None,
               dpi: float = 96, frames: list[int] | None = None, *,
               theme: str | Theme = "cs231n", font: str | None = None,
               font_size: float | None = None, exercise: str | None = None,
               captions: bool = True, title: str | bool | None = None,
               fit: str = "none", matrix_limit: int = MATRIX_LIMIT,
               jacobian: bool = False) -> list[bytes]:
        """Every frame (or those at ``frames``) as SVG, PNG, PDF or DOT bytes.

        ``captions=False`` leaves the title and caption out of the drawings.
        """
        style = Style.of(phase, decimals, theme, font, font_size, exercise, captions, title, fit,
                         matrix_limit, jacobian)
        return self._render(style, format, dpi, frames)

    def save_frames(self, folder: str | Path, format: str = "svg", phase: str = "both",
                    decimals: int | None = None, dpi: float = 96, **style: Any) -> list[Path]:
        """Write numbered frames (``frame-000.svg`` ...) into ``folder``."""
        return output.write_frames(folder, self.render(format, phase, decimals, dpi, **style),
                                   format)

    def save_gif(self, path: str | Path, delay: int = 1000, hold: int | None = None,
                 phase: str = "both", decimals: int | None = None, dpi: float = 72,
                 frames: list[int] | None = None, *, theme: str | Theme = "cs231n",
                 font: str | None = None, font_size: float | None = None,
                 exercise: str | None = None, title: str | bool | None = None,
                 fit: str = "none", matrix_limit: int = MATRIX_LIMIT,
                 jacobian: bool = False) -> Path:
        """Write an endlessly looping GIF: ``delay`` ms per frame, the last held longer
        (``hold`` ms; by default 3 x ``delay``, at least 2.5 s)."""
        _check_suffix(path, ".gif")
        style = Style.of(phase, decimals, theme, font, font_size, exercise, title=title, fit=fit,
                         matrix_limit=matrix_limit, jacobian=jacobian)
        plan, lay = self._plan(style)
        chosen = _pick(plan, frames)
        dpi = bounded_dpi(*self._extent(style), len(chosen), dpi)  # a huge picture: coarser
        pieces = _render.raster_pieces(self.evaluation, chosen, lay, dpi,
                                       placed=self._positions(style))
        return output.write_gif(path, pieces, delay, hold)

    def save_pdf(self, path: str | Path, phase: str = "both", decimals: int | None = None,
                 frames: list[int] | None = None, **style: Any) -> Path:
        """Write one PDF, a frame per page, every page the same size, text as text."""
        _check_suffix(path, ".pdf")
        pages = self.render("pdf", phase, decimals, frames=frames, **style)
        return output.write_pdf(path, pages, self.display_title)

    def save_beamer(self, folder: str | Path, phase: str = "both", decimals: int | None = None,
                    graphics_path: str | None = None, frames: list[int] | None = None,
                    **style: Any) -> tuple[Path, Path]:
        """Write ``folder/NAME.pdf`` (a frame per page) and ``folder/NAME.tex``, a Beamer
        snippet with page k on overlay k (see docs/beamer.md).

        ``graphics_path`` names the PDF inside the snippet, as LaTeX finds it from where the
        deck is compiled; by default ``folder/NAME.pdf`` as given.
        """
        pages = self.render("pdf", phase, decimals, frames=frames, **style)
        return output.write_beamer(folder, pages, self.name or "circuit", graphics_path,
                                    self.display_title)

    def _stills(self, fmt: str, phase: str, decimals: int | None, frames: list[int] | None,
                dpi: float = 96, **style: Any) -> tuple[list[bytes], list[Frame]]:
        """Pictures without captions (pages and slides write them as text), and their frames."""
        pictures = self.render(fmt, phase, decimals, dpi, frames, captions=False, **style)
        return pictures, _pick(self.make_frames(phase, decimals, **style), frames)

    def save_html(self, path: str | Path, phase: str = "both", decimals: int | None = None,
                  frames: list[int] | None = None, delay: int = 1000, **style: Any) -> Path:
        """Write the HTML stepper: one self-contained page, every frame inline, stepped with
        the arrow keys, buttons, a slider or play; ``#step-5`` in the URL opens step 5.

        The captions are the page's text, under the drawing (not inside it).
        """
        _check_suffix(path, ".html", ".htm")
        svgs, chosen = self._stills("svg", phase, decimals, frames, **style)
        return output.write_html(path, svgs, [f.caption for f in chosen], self.display_title,
                                 chosen[0].style.theme, delay)

    def save_pptx(self, path: str | Path, phase: str = "both", decimals: int | None = None,
                  frames: list[int] | None = None, *, title_slide: bool = True,
                  subtitle: str | None = None, dpi: float = 192, **style: Any) -> Path:
        """Write a 16:9 PowerPoint deck (``deck.py``): a slide per frame, its caption as text
        and speaker notes; first a title slide (``subtitle`` under the title) unless
        ``title_slide=False``.  Without ``fit``, the drawing the slide shows larger (as it is,
        or wrapped onto rows); ``dpi``: pixels per inch as the slide shows the picture."""
        _check_suffix(path, ".pptx")
        if subtitle is not None:
            check_plain_text("subtitle", subtitle)
        sizes = {fit: self._extent(Style.of(phase, decimals, captions=False, fit=fit, **style))
                 for fit in ([style.pop("fit")] if "fit" in style else FITS)}
        fit = deck.larger(sizes)
        pngs, chosen = self._stills("png", phase, decimals, frames,
                                    deck.sharp_dpi(*sizes[fit], dpi), fit=fit, **style)
        pages = [deck.Page(png, f.caption, f.kind, f.index) for png, f in zip(pngs, chosen)]
        last = len(self.make_frames(phase, decimals, fit=fit, **style)) - 1
        return output.write_file(path, deck.deck_bytes(
            pages, last, self._title(chosen[0].style) or self.display_title,
            chosen[0].style.theme, title_slide=title_slide, subtitle=subtitle))

    def _extent(self, style: Style) -> tuple[float, float]:
        """Width and height (points) of the frames drawn in ``style``."""
        x0, y0, x1, y1 = map(float, self._positions(style).result().bb.split(","))
        return x1 - x0, y1 - y0

    def stepper(self, phase: str = "both", decimals: int | None = None,
                frames: list[int] | None = None, **style: Any) -> notebook.Stepper:
        """The stepper for a notebook, drawn with these options (a trace alone shows it with
        the defaults): ``t.stepper(fit="slide", theme="dark")`` as a cell's last line."""
        if len(self.circuit.gates) > MAX_RENDER_GATES:
            raise RenderError(f"the circuit has {len(self.circuit.gates):,} gates; a stepper"
                              f" is limited to {MAX_RENDER_GATES:,} (draw t.frames[-1])")
        svgs, chosen = self._stills("svg", phase, decimals, frames, **style)
        return notebook.stepper(svgs, [f.caption for f in chosen], self.display_title,
                                chosen[0].style.theme)

    def _repr_html_(self) -> str | None:
        """The stepper in a notebook (``notebook.py``); the text repr above MAX_RENDER_GATES."""
        if len(self.circuit.gates) > MAX_RENDER_GATES:
            return None
        try:
            return self.stepper().html
        except GbpError as err:  # shown in the cell as one line, not as a traceback
            return notebook.error_html(str(err))

    @property
    def display_title(self) -> str:
        """The title of an example or a file, else the source on one line."""
        if self.title:
            return self.title
        lines = [line.split("#")[0].strip() for line in self.circuit.source.splitlines()]
        text = "; ".join(line for line in lines if line)
        return text if len(text) <= 80 else text[:77] + "..."

    def save(self, path: str | Path, frame: int = -1, phase: str = "both",
             decimals: int | None = None, dpi: float = 96, **style: Any) -> Path:
        """Write one frame (by default the last: everything) as .svg, .png, .pdf or .dot."""
        return self.make_frames(phase, decimals, **style)[frame].save(path, dpi=dpi)


def _pick(items: list[Any], frames: list[int] | None) -> list[Any]:
    """The frames (or steps) at ``frames``, all of them for None; an index out of range is
    an :class:`InputError` that says the range."""
    if frames is None:
        return items
    if not frames:
        raise InputError("no frame chosen: frames is empty")
    for k in frames:
        if not -len(items) <= k < len(items):
            raise InputError(f"frame {k} is out of range: there are {len(items)} frames"
                             f" (0 to {len(items) - 1})")
    return [items[k] for k in frames]


def _check_suffix(path: str | Path, *suffixes: str) -> None:
    """Refuse to write, say, GIF data into ``a.png``."""
    if Path(path).suffix.lower() not in suffixes:
        raise RenderError(f"'{path}' should end in {' or '.join(suffixes)} for this format")


def _is_sympy(source: object) -> bool:
    """True for a sympy expression (tested without importing sympy for text)."""
    if isinstance(source, str):
        return False
    module = sys.modules.get("sympy")  # an expression of it means it is imported
    return module is not None and isinstance(source, module.Basic)


def trace(
    source: str | sympy.Basic,
    /,
    at: Mapping[str, Any] | None = None,
    *,
    expand: bool | None = None,
    **values: Any,
) -> Trace:
    """Parse, build and evaluate a source.

    ``source`` is an expression or program text, a path to a file, the name of a bundled
    example (``"sigmoid-neuron"``) or a sympy expression.  Values come from the source
    itself, then ``at``, then keyword arguments; with none at all the trace is symbolic.
    ``expand=True`` lowers composite gates (sigmoid, tanh, ...) into primitive ones.
    Code written the cs231n way (the forward pass, then ``dx = ...`` lines) is read up to its
    backward pass, as ``gbp check`` splits it; ``Trace.backward_lines`` says which lines
    were left out.
    """
    if isinstance(at, str):  # as on the command line: "x=-2,y=5"
        at = parse_assignments([at])
    if at is not None and not isinstance(at, Mapping):
        raise InputError(
            f"'at' takes the input values as a mapping ({{'x': -2}}) or text ('x=-2,y=5'),"
            f" not {type(at).__name__}")
    ignored = None
    updates: tuple[Update, ...] = ()
    if _is_sympy(source):
        resolved = Source(str(source))
        program = parse_sympy(source)
    else:
        resolved = resolve(source)
        program = parse(resolved.text, masks=True)
        # a derivation written as code: the circuit is its forward pass (the rule of gbp check)
        ignored = backward_lines(program)
        updates = parameter_updates(program)
        program = forward_part(program)
        for st in program.statements:  # masks such as (Z > 0) only in a backward pass
            found = call_in(st.value, MASKS.values())
            if found is not None:
                raise ParseError("comparisons are not allowed", found.line, found.col)
    if expand is None:
        expand = bool(resolved.example and resolved.example.expand)
    circuit = build(program, expand=expand)
    point = dict(resolved.at)
    point.update(at or {})
    point.update(values)
    name = resolved.example.name if resolved.example else None
    t = Trace(circuit, evaluate(circuit, point), resolved.title, name,
              backward_lines=ignored, descent=descent_of(updates))
    if t.descent is not None:
        t.sgd()  # the source's step, taken now: an error shows before anything is drawn
    return t
