"""The ``gbp`` command line; turns every error into one ``Error: ...`` line and an exit code.

Exit codes: 0 success, 2 bad input, 1 anything else.
"""

from __future__ import annotations

import gc
import json
import math
import os
import re
import sys
from pathlib import Path
from typing import Any

import click

from .themes import FONT_SIZES, THEMES
from .errors import GbpError
from .output import write_file, write_frames
from .evaluate import format_value, local_formulas
from .source import list_examples, parse_assignments, plain_name
from .trace import Trace, trace

__all__ = ["main", "cli"]

SOURCE_HELP = """SOURCE is an expression ("(x+y)*z"), a program of assignments
("x = -2; y = 5; q = x + y"), a path to a file (.py, .txt, or an expression .toml), or the
name of a bundled example (see 'gbp examples'). A SOURCE that starts with '-' goes after
'--', as in: gbp eval --at x=1 -- "-x"."""


#: What must never reach a terminal raw: control characters (they can move the cursor, set
#: the window title, clear the screen), text-direction overrides, and undecodable bytes of a
#: file name (``surrogateescape``).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e"
                     "\u2066-\u2069\ufeff\ud800-\udfff]")


def terminal_safe(text: str) -> str:
    r"""``text`` with everything a terminal would act on shown escaped, as Python writes it.

    >>> print(terminal_safe("claim \x1b]0;pwned\x07 ok"))
    claim \x1b]0;pwned\x07 ok
    """
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace")
                       .decode("ascii"), text)


def json_safe(text: str) -> str:
    """JSON text with the same characters escaped the JSON way (``\u001b``): still valid
    JSON with the same data (JSON writes nothing else outside its strings)."""
    return _UNSAFE.sub(lambda m: "".join(f"\\u{unit:04x}" for unit in
                                         _utf16(m.group())), text)


def _utf16(ch: str) -> list[int]:
    data = ch.encode("utf-16-be", "surrogatepass")
    return [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]


def echo(text: str, err: bool = False) -> None:
    """Print a line of output: every printed text comes from or passes through here."""
    click.echo(terminal_safe(text), err=err)


def echo_json(data: Any) -> None:
    """Print data as JSON, terminal-safe."""
    click.echo(json_safe(data if isinstance(data, str)
                         else json.dumps(data, indent=2, ensure_ascii=False)))


class Failure(click.ClickException):
    """A one-line error with the exit code of the error that caused it."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(terminal_safe(" ".join(str(message).split())))
        self.exit_code = exit_code


def _finite(param: click.Parameter, value: float) -> float:
    """An option's number must be finite (click's ranges let nan and inf through)."""
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number", param=param)
    return value


def _usage(message: str) -> Failure:
    """A wrong combination of options: one ``Error:`` line and exit code 2."""
    return Failure(message, 2)


def _trace(source: str, at: tuple[str, ...], expand: bool | None) -> Trace:
    try:
        return trace(source, parse_assignments(at), expand=expand)
    except GbpError as err:
        raise Failure(str(err), err.exit_code) from None


AT_OPTION = click.option(
    "--at", "at", multiple=True, metavar="NAME=VALUE,...",
    help="Input values, as x=-2,y=5,z=-4; repeatable. Overrides values in the source."
    " Without any value the evaluation is symbolic.")
EXPAND_OPTION = click.option(
    "--expand/--no-expand", default=None,
    help="Lower composite gates (sigmoid, tanh, softplus, elu, leaky_relu) into primitive"
    " gates, so sigmoid(a) becomes *-1, exp, +1, 1/x.  [default: as the example file says,"
    " else no]")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="graphviz-backprop")
def cli() -> None:
    """graphviz-backprop: draw and check backpropagation through circuits of gates.

    \b
      gbp render sigmoid-neuron -o neuron.gif     the animation of both passes
      gbp eval "(x+y)*z" --at x=-2,y=5,z=-4       every value and gradient
      gbp check homework.toml                     which step of a hand derivation is wrong
      gbp examples                                the bundled circuits

    Each command's --help lists its options.  Exit codes: 0 success, 1 a failure (or a
    wrong claim for check), 2 bad input, 130 interrupted.
    """


def _local_text(t: Trace, node: str) -> str:
    ev = t.evaluation
    parts = []
    for formula, value in zip(local_formulas(t.circuit, node), ev.local.get(node, ())):
        shown = format_value(value)
        parts.append(formula if formula == shown or t.symbolic else f"{formula} = {shown}")
    return ", ".join(parts)


def format_table(t: Trace) -> str:
    """The evaluation as an aligned table a person reads in a terminal."""
    c, ev = t.circuit, t.evaluation
    header = ("node", "name", "op", "inputs", "value", "grad", "local gradients", "flags")
    rows = []
    for node in c.order:
        kind = c.graph.nodes[node]["kind"]
        rows.append((
            node,
            c.name(node) or "",
            c.label(node) if kind == "gate" else kind,
            " ".join(c.operands[node]),
            format_value(ev.values[node]),
            format_value(ev.grads[node]),
            _local_text(t, node),
            " ".join(ev.flags.get(node, ())),
        ))
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    numeric = {4, 5}

    def line(row: tuple[Any, ...]) -> str:
        cells = [str(v).rjust(w) if i in numeric else str(v).ljust(w)
                 for i, (v, w) in enumerate(zip(row, widths))]
        return "  ".join(cells).rstrip()

    out = []
    title = t.title or c.source.strip().replace("\n", "; ")
    point = ", ".join(f"{k}={format_value(v)}" for k, v in t.inputs.items())
    out.append(f"{title}" + ("  (symbolic)" if t.symbolic else f"  at {point}" if point else ""))
    out.append("")
    out.append(line(header))
    out.extend(line(r) for r in rows)
    out.append("")
    out.append(f"output {c.output_name} = {format_value(t.value)}")
    for name, grad in t.gradients.items():
        out.append(f"  d{c.output_name}/d{name} = {format_value(grad)}")
    if any(ev.flags.values()):
        out.append("kink: evaluated at a non-differentiable point; the gradient follows PyTorch"
                   " (relu'(0) = 0, abs'(0) = 0, a max/min tie splits the gradient in half)")
    return "\n".join(out)


@cli.command("eval", epilog=SOURCE_HELP)
@click.argument("source")
@AT_OPTION
@EXPAND_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
def eval_command(source: str, at: tuple[str, ...], expand: bool | None, as_json: bool) -> None:
    """Every node's value, gradient and local gradients.

    The gradient of a node is d output / d node; a gate's local gradients are
    d gate / d input, one per input wire.
    """
    t = _trace(source, at, expand)
    if t.backward_lines:  # cs231n-style code: the dx = ... lines are not the circuit
        first, last = t.backward_lines
        what = f"line {first} is" if first == last else f"lines {first}-{last} are"
        try:
            file = source if Path(source).is_file() else "FILE"
        except (OSError, ValueError):
            file = "FILE"
        echo(f"note: {what} a backward pass; {'it is' if first == last else 'they are'}"
                   f" not part of the circuit (gbp check {file} checks"
                   f" {'it' if first == last else 'them'})", err=True)
    if as_json:
        echo_json(t.to_json())
    else:
        echo(format_table(t))


@cli.command("examples")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of text.")
def examples_command(as_json: bool) -> None:
    """List the bundled examples (use a name as SOURCE)."""
    try:
        examples = list_examples()
    except GbpError as err:
        raise Failure(str(err), err.exit_code) from None
    if as_json:
        echo_json([
            {"name": e.name, "title": e.title, "description": e.description, "source": e.source}
            for e in examples])
        return
    width = max((len(e.name) for e in examples), default=0)
    for e in examples:
        echo(f"{e.name.ljust(width)}  {e.title}")


#: Default resolutions: PNG frames for slides, GIFs (a palette format) at the SVG's own size.
PNG_DPI, GIF_DPI = 96, 72
#: Most gates a circuit may have for an animation (one frame per gate and pass).
MAX_RENDER_GATES = 1000
_EXTENSIONS = {".svg": "svg", ".png": "png", ".gif": "gif", ".dot": "dot", ".gv": "dot",
               ".pdf": "pdf", ".html": "html", ".htm": "html"}
#: Formats whose one file holds every frame: the animation, a page per frame, the stepper.
_ALL_IN_ONE = ("gif", "pdf", "html")


def _output_plan(output: str | None, fmt: str | None, single: bool, stem: str,
                 label: str | None = None) -> tuple[Path, str, bool]:
    """Where and how to write: (path, format, is_folder), from -o, --format and --final/--frame.

    ``label`` names a single picture written into a folder (``NAME-LABEL.svg``).
    """
    if output is None:
        fmt = fmt or ("svg" if single else "gif")
        in_one = single or fmt in _ALL_IN_ONE
        name = f"{stem}-{label}.{fmt}" if label else f"{stem}.{fmt}"
        return Path(name if in_one else f"{stem}-frames"), fmt, not in_one
    path = Path(output)
    by_ext = _EXTENSIONS.get(path.suffix.lower())
    as_folder = output.endswith(("/", os.sep))
    if by_ext is not None and not as_folder and path.is_dir():
        raise _usage(f"'{output}' is a folder; give a file name, or end a folder with /"
                     f" (-o {output}/) to write frames into it")
    folder = as_folder or path.is_dir() or (by_ext is None and not path.suffix)
    if folder:
        fmt = fmt or "svg"
        if fmt in ("gif", "html") or single:
            if label:
                name = f"{stem}-{label}.{fmt}"
            elif fmt in ("gif", "html"):
                name = f"{stem}.{fmt}"
            else:
                name = f"{stem}-{'frame' if single else 'final'}.{fmt}"
            return path / name, fmt, False
        return path, fmt, True
    if by_ext is None:
        raise _usage(
            f"cannot tell the format of '{output}' (use .gif, .pdf, .html, .svg, .png, .dot, or"
            " a folder ending in /)")
    if fmt and fmt != by_ext:
        raise _usage(f"--format {fmt} does not match '{output}'")
    if by_ext not in _ALL_IN_ONE and not single:
        raise _usage(
            f"'{output}' holds one picture: add --final or --frame K, or give a folder"
            f" (-o frames/) for every frame, or a .gif, .pdf or .html for all of them")
    return path, by_ext, False


def _beamer_plan(output: str | None, fmt: str | None, stem: str) -> Path:
    """The folder --beamer writes into."""
    if fmt not in (None, "pdf"):
        raise _usage(f"--beamer writes PDF frames, not {fmt}")
    if output is None:
        return Path(f"{stem}-beamer")
    path = Path(output)
    if path.exists() and not path.is_dir():
        raise _usage(f"--beamer needs a folder, and '{output}' is a file")
    if path.suffix and not output.endswith(("/", os.sep)) and not path.is_dir():
        raise _usage(f"--beamer needs a folder (as in -o {path.stem}/), not '{output}'")
    return path


@cli.command("render", epilog=SOURCE_HELP + " Themes, the HTML stepper, PDF, Beamer and"
             " exercise sheets: docs/classroom.md.")
@click.argument("source")
@click.option("-o", "--output", metavar="PATH",
              help="A .gif (the animation), a .pdf (a frame per page), a .html (a stepper"
              " page), a folder (numbered frames, e.g. frames/), or a .svg/.png/.pdf/.dot file"
              " with --final, --frame or --exercise.  [default: NAME.gif, or named after the format, e.g. NAME-frames/]")
@click.option("--format", "fmt", type=click.Choice(["svg", "png", "gif", "dot", "pdf", "html"]),
              help="Output format; by default it follows -o's extension (svg for a folder).")
@AT_OPTION
@EXPAND_OPTION
@click.option("--final", is_flag=True, help="Only the last frame: every value and gradient.")
@click.option("--frame", "frame", type=int, metavar="K",
              help="Only frame K (0 is the bare circuit; negative counts from the end).")
@click.option("--exercise", type=click.Choice(["gradients", "both"]), is_flag=False,
              flag_value="gradients", default=None,
              help="A worksheet instead of the frames: the circuit with the gradient slots"
              " empty; --exercise=both leaves the values empty too (all but the inputs'). The"
              " answer key is --final.")
@click.option("--phase", type=click.Choice(["forward", "backward", "both"]), default="both",
              show_default=True, help="Which pass the frames show.")
@click.option("--decimals", type=click.IntRange(0, 12), default=2, show_default=True,
              help="Decimals of the numbers on the wires.")
@click.option("--theme", type=click.Choice(list(THEMES)), default="cs231n", show_default=True,
              help="Colours: cs231n (green values, red gradients), dark (for dark slides),"
              " print (black and grey), colorblind (Okabe-Ito blue and vermillion, gradients"
              " in italics).")
@click.option("--font", metavar="NAME", default=None,
              help="Font of every text, e.g. 'DejaVu Sans'.  [default: Helvetica]")
@click.option("--font-size", type=click.FloatRange(FONT_SIZES[0], FONT_SIZES[1]), default=None,
              metavar="PT", help="Font size of the numbers, in points; everything scales with"
              " it.  [default: 12]")
@click.option("--beamer", is_flag=True,
              help="Write FOLDER/NAME.pdf (a frame per page) and FOLDER/NAME.tex, a Beamer"
              " snippet with one overlay per step (-o FOLDER/; see docs/beamer.md).")
@click.option("--delay", type=click.IntRange(20, 60_000), default=1000, show_default=True,
              metavar="MS", help="GIF: milliseconds per frame; HTML: per step when playing.")
@click.option("--hold", type=click.IntRange(20, 600_000), default=None, metavar="MS",
              help="GIF: milliseconds the last frame stays.  [default: 3 x delay, at least 2500]")
@click.option("--dpi", type=click.FloatRange(36, 600), default=None,
              help="PNG/GIF resolution; 72 is 1:1 with the SVG.  [default: 96 for PNG, 72 for"
              " GIF]")
def render_command(source: str, output: str | None, fmt: str | None, at: tuple[str, ...],
                   expand: bool | None, final: bool, frame: int | None, exercise: str | None,
                   phase: str, decimals: int, theme: str, font: str | None,
                   font_size: float | None, beamer: bool, delay: int, hold: int | None,
                   dpi: float | None) -> None:
    """Draw the forward and backward pass as frames in the cs231n style.

    \b
    gbp render sigmoid-neuron -o neuron.gif               animated GIF
    gbp render "(x+y)*z" --at x=-2,y=5,z=-4 -o frames/     numbered SVG frames
    gbp render sigmoid-neuron --format png -o frames/     PNG frames
    gbp render sigmoid-neuron --final -o neuron.svg       one picture with everything
    gbp render sigmoid-neuron --format dot -o dot/        Graphviz sources, one per frame
    gbp render sigmoid-neuron -o neuron.html              a page to step through in a browser
    gbp render sigmoid-neuron -o neuron.pdf               a frame per page
    gbp render sigmoid-neuron --beamer -o neuron/         PDF plus a Beamer snippet
    gbp render sigmoid-neuron --exercise -o sheet.pdf     a worksheet: gradients left empty
    gbp render sigmoid-neuron --theme dark -o dark.gif    themes: cs231n, dark, print, colorblind
    """
    if final and frame is not None:
        raise _usage("give --final or --frame, not both")
    if exercise is not None and (final or frame is not None):
        raise _usage("give --exercise or --final/--frame, not both (the answer key"
                               " of an exercise is --final)")
    t = _trace(source, at, expand)
    single = final or frame is not None or exercise is not None
    if len(t.circuit.gates) > MAX_RENDER_GATES and not single:
        raise Failure(
            f"the circuit has {len(t.circuit.gates):,} gates; animations are limited to"
            f" {MAX_RENDER_GATES:,} (use 'gbp eval' for the numbers, or --final for one picture)", 2)
    stem = plain_name(t.name or "circuit")  # never a path: output goes only where -o says
    if beamer:
        path, fmt, folder = _beamer_plan(output, fmt, stem), "pdf", True
    else:
        path, fmt, folder = _output_plan(output, fmt, single, stem,
                                         "exercise" if exercise else None)
    style: dict[str, Any] = {"theme": theme, "font": font, "font_size": font_size,
                             "exercise": exercise}
    try:
        frames = t.make_frames(phase, decimals, **style)
        chosen = None
        if final or frame is not None:
            k = len(frames) - 1 if final else frame
            if not -len(frames) <= k < len(frames):
                raise _usage(
                    f"--frame {frame} is out of range: there are {len(frames)} frames"
                    f" (0 to {len(frames) - 1})")
            chosen = [k % len(frames)]
        count = len(frames) if chosen is None else 1
        plural = "s" if count > 1 else ""
        if beamer:
            pdf, tex = t.save_beamer(path, phase, decimals, frames=chosen, **style)
            echo(f"Wrote {pdf} ({count} page{plural}) and {tex}")
        elif fmt == "gif":
            t.save_gif(path, delay, hold, phase, decimals, dpi or GIF_DPI, frames=chosen, **style)
            echo(f"Wrote {path} ({count} frame{plural})")
        elif fmt == "html":
            t.save_html(path, phase, decimals, frames=chosen, delay=delay, **style)
            echo(f"Wrote {path} ({count} step{plural}; open it in a browser)")
        elif fmt == "pdf" and not folder:
            t.save_pdf(path, phase, decimals, frames=chosen, **style)
            echo(f"Wrote {path} ({count} page{plural})")
        elif folder:
            written = write_frames(path, t.render(fmt, phase, decimals, dpi or PNG_DPI,
                                                  **style), fmt)
            echo(f"Wrote {len(written)} frames to {path}/ ({written[0].name} ..."
                       f" {written[-1].name})")
        else:
            write_file(path, t.render(fmt, phase, decimals, dpi or PNG_DPI, frames=chosen,
                                      **style)[0])
            echo(f"Wrote {path}")
    except GbpError as err:
        raise Failure(str(err), err.exit_code) from None


# ---- gbp check: verify a hand derivation (docs/derivations.md) ---------------------------------

CHECK_EPILOG = """PATH is a derivation (.toml: a circuit and [claims]; .py or any other file:
code as the cs231n notes write it, dX = ... and dAdB = ...), or a folder: every .toml and
.py file in it is checked and summarised in one table. Exit codes: 0 every claim holds, 1 a
claim is wrong, or (code) an input's gradient is missing or a dX name names no node (in a
folder: or some files are unreadable), 2 the derivation cannot be read (in a folder: no file
can). See docs/derivations.md."""


@cli.command("check", epilog=CHECK_EPILOG)
@click.argument("path")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option("--tol", "abs_tol", type=click.FloatRange(min=0), default=0.01, show_default=True,
              callback=lambda ctx, param, value: _finite(param, value),
              metavar="ABS", help="Absolute tolerance for claimed numbers.")
@click.option("--rtol", "rel_tol", type=click.FloatRange(min=0), default=0.01, show_default=True,
              callback=lambda ctx, param, value: _finite(param, value),
              metavar="REL", help="Relative tolerance (0.01 is 1%); a number holds when"
              " |claimed - correct| <= ABS + REL * |correct|.")
@click.option("--render", "render_to", metavar="FILE",
              help="Also draw the circuit's final frame with the wrong wires marked"
              " (.svg, .png or .dot; needs Graphviz).")
@click.pass_context
def check_command(ctx: click.Context, path: str, as_json: bool, abs_tol: float,
                  rel_tol: float, render_to: str | None) -> None:
    """Check a hand derivation of a backward pass, claim by claim.

    Prints one line per claim (claimed and correct value, the line it is on) and, for a
    wrong one, the first wrong step it comes from.  In code, an input whose gradient no
    line assigns is a MISSING line, and a name like dzz that names no node is a warning;
    both make the check fail.

    \b
      gbp check homework.toml
      gbp check staged.py --tol 0.001
      gbp check submissions/ --json
    """
    from pathlib import Path

    from .check import (Tolerance, check_file, check_folder, format_folder,
                        format_report)

    if not Path(path).exists():
        raise Failure(f"file '{path}' does not exist", 2)
    if render_to is not None:  # before checking: a bad --render fails before any output
        if Path(path).is_dir():
            raise click.UsageError("--render draws one derivation; PATH is a folder")
        _render_format(render_to)
    try:
        tolerance = Tolerance(abs_tol, rel_tol)
        if Path(path).is_dir():
            folder = check_folder(path, tolerance=tolerance)
            if as_json:
                echo_json(folder.to_dict())
            else:
                echo(format_folder(folder))
            ctx.exit(folder.exit_code)
        report = check_file(path, tolerance=tolerance)
    except GbpError as err:
        where = "" if Path(path).is_dir() else f"{Path(path).name}: "
        raise Failure(f"{where}{err}", err.exit_code) from None
    if as_json:
        echo_json(report.to_dict())
    else:
        echo(format_report(report))
    if render_to:
        _render_report(report, render_to)
        if not as_json:
            echo(f"Wrote {render_to}")
    ctx.exit(0 if report.ok else 1)


def _render_format(target: str) -> str:
    """The format of ``check --render FILE``: svg, png or dot, else a usage error."""
    fmt = _EXTENSIONS.get(Path(target).suffix.lower())
    if fmt not in ("svg", "png", "dot"):
        raise click.UsageError(f"--render needs a .svg, .png or .dot file, not '{target}'")
    return fmt


def _render_report(report: Any, target: str) -> None:
    """The final frame of a checked derivation, its wrong wires marked, its summary as caption."""
    from dataclasses import replace

    from .frames import steps
    from .render import picture

    fmt = _render_format(target)
    ev = report.evaluation
    final = replace(steps(ev)[-1], caption=report.summary())
    try:
        write_file(target, picture(ev, final, fmt, report.marks(), title=Path(report.file).name))
    except GbpError as err:
        raise Failure(str(err), err.exit_code) from None


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code; no traceback reaches the user.

    0 success, 1 a wrong claim or a failure, 2 bad input, 130 interrupted (Ctrl-C).
    Set GBP_DEBUG=1 to see the traceback of an internal error.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    # A run is short and makes many small objects that live until it ends: collecting
    # cycles less often saves the collector's repeated scans of them (a fifth of a large
    # circuit's time), and still bounds what cycles can hold.
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 20, 20)
    try:
        return _run(args)
    finally:
        gc.set_threshold(*thresholds)


def _run(args: list[str]) -> int:
    try:
        # click's own main() would print a blank line on Ctrl-C and several lines of usage
        # for a mistyped option: everything is one line here
        with cli.make_context("gbp", args) as ctx:
            result = cli.invoke(ctx)
        return result if isinstance(result, int) else 0
    except click.exceptions.Exit as done:
        return done.exit_code
    except getattr(click.exceptions, "NoArgsIsHelpError", ()) as err:  # plain 'gbp'
        echo(err.ctx.get_help(), err=True)
        return 2
    except click.UsageError as err:
        command = err.ctx.command_path if err.ctx is not None else "gbp"
        message = " ".join(err.format_message().split()).rstrip(".")
        echo(f"Error: {message} (see '{command} --help')", err=True)
        return err.exit_code
    except click.ClickException as err:
        echo(f"Error: {err.format_message()}", err=True)
        return err.exit_code
    except (click.Abort, KeyboardInterrupt):
        echo("Error: interrupted; no output was written", err=True)
        return 130
    except Exception as err:  # the last line of defence: one line, exit 1
        if os.environ.get("GBP_DEBUG"):
            raise
        message = " ".join(str(err).split()) or type(err).__name__
        echo(f"Error: internal error ({type(err).__name__}): {message}", err=True)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
