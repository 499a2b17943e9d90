"""``gbp render``: the frames in the cs231n style, as files in the format -o asks for."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from ..errors import GbpError
from ..frames import EXERCISES, PHASES
from ..layout import FITS, MATRIX_LIMIT
from ..limits import MAX_RENDER_GATES
from ..output import check_parent, write_file, write_frames
from ..render import ALL_IN_ONE, EXTENSIONS, FORMATS
from ..style import MATRIX_LIMITS
from ..textfile import plain_name
from ..themes import FONT_SIZES, THEMES
from ..tomlfile import check_plain_text
from .shared import (
    AT_OPTION,
    EXPAND_OPTION,
    SGD_OPTION,
    SOURCE_HELP,
    UPDATE_OPTION,
    trace_source,
)
from .terminal import Failure, echo, usage

__all__ = ["render_command", "MAX_RENDER_GATES"]

#: Default resolutions: PNG frames for slides, GIFs (a palette format) at the SVG's own size,
#: the pictures of a PowerPoint deck sharp on a large screen.
PNG_DPI, GIF_DPI, PPTX_DPI = 96, 72, 192




def _output_plan(output: str | None, fmt: str | None, single: bool, stem: str,
                 label: str | None = None) -> tuple[Path, str, bool]:
    """Where and how to write: (path, format, is_folder), from -o, --format and --final/--frame.

    ``label`` names a single picture written into a folder (``NAME-LABEL.svg``).
    """
    if output is None:
        fmt = fmt or ("svg" if single else "gif")
        in_one = single or fmt in ALL_IN_ONE
        name = f"{stem}-{label}.{fmt}" if label else f"{stem}.{fmt}"
        return Path(name if in_one else f"{stem}-frames"), fmt, not in_one
    path = Path(output)
    if path.name.lower() in EXTENSIONS:
        raise usage(f"'{output}' is only an extension: give the file a name, as in"
                    f" -o neuron{path.name.lower()}")
    if path.name.endswith(".") and path.name.strip("."):
        raise usage(f"'{output}' ends in a dot: give the file's extension, as in"
                    f" -o {path.name.rstrip('.')}")
    by_ext = EXTENSIONS.get(path.suffix.lower())
    as_folder = output.endswith(("/", os.sep))
    if by_ext is not None and not as_folder and path.is_dir():
        raise usage(f"'{output}' is a folder; give a file name, or end a folder with /"
                     f" (-o {output}/) to write frames into it")
    folder = as_folder or path.is_dir() or (by_ext is None and not path.suffix)
    if folder:
        fmt = fmt or "svg"
        if fmt in ("gif", "html", "pptx") or single:
            if label:
                name = f"{stem}-{label}.{fmt}"
            elif fmt in ("gif", "html", "pptx"):
                name = f"{stem}.{fmt}"
            else:
                name = f"{stem}-{'frame' if single else 'final'}.{fmt}"
            return path / name, fmt, False
        return path, fmt, True
    if by_ext is None and path.suffix.lower() == ".ppt":
        raise usage(f"cannot write '{output}': .ppt is PowerPoint's old format; give a .pptx,"
                    " which PowerPoint, Keynote and Google Slides open")
    if by_ext is None:
        raise usage(
            f"cannot tell the format of '{output}' (use .gif, .pdf, .html, .pptx, .svg, .png,"
            " .dot, or a folder ending in /)")
    if fmt and fmt != by_ext:
        raise usage(f"--format {fmt} does not match '{output}'")
    if by_ext not in ALL_IN_ONE and not single:
        raise usage(
            f"'{output}' holds one picture: add --final or --frame K, or give a folder"
            f" (-o frames/) for every frame, or a .gif, .pdf, .html or .pptx for all of them")
    return path, by_ext, False


def _beamer_plan(output: str | None, fmt: str | None, stem: str) -> Path:
    """The folder --beamer writes into."""
    if fmt not in (None, "pdf"):
        raise usage(f"--beamer writes PDF frames, not {fmt}")
    if output is None:
        return Path(f"{stem}-beamer")
    path = Path(output)
    if path.exists() and not path.is_dir():
        raise usage(f"--beamer needs a folder, and '{output}' is a file")
    if path.suffix and not output.endswith(("/", os.sep)) and not path.is_dir():
        raise usage(f"--beamer needs a folder (as in -o {path.stem}/), not '{output}'")
    return path


@click.command("render", epilog=SOURCE_HELP + " Themes, the HTML stepper, PDF, Beamer and"
             " exercise sheets: docs/classroom.md; PowerPoint: docs/powerpoint.md.")
@click.argument("source")
@click.option("-o", "--output", metavar="PATH",
              help="A .gif (the animation), a .pdf (a frame per page), a .html (a stepper"
              " page), a .pptx (a PowerPoint deck, a slide per frame), a folder (numbered"
              " frames, e.g. frames/), or a .svg/.png/.pdf/.dot file with --final, --frame or"
              " --exercise.  [default: NAME.gif, or named after the format, e.g."
              " NAME-frames/]")
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="Output format; by default it follows -o's extension (svg for a folder).")
@AT_OPTION
@EXPAND_OPTION
@SGD_OPTION
@UPDATE_OPTION
@click.option("--final", is_flag=True, help="Only the last frame: every value and gradient.")
@click.option("--frame", "frame", type=int, metavar="K",
              help="Only frame K (0 is the bare circuit; negative counts from the end).")
@click.option("--exercise", type=click.Choice(EXERCISES), is_flag=False,
              flag_value="gradients", default=None,
              help="A worksheet instead of the frames: the circuit with the gradient slots"
              " empty; --exercise=both leaves the values empty too (all but the inputs'). The"
              " answer key is --final.")
@click.option("--phase", type=click.Choice(PHASES), default="both",
              show_default=True, help="Which pass the frames show.")
@click.option("--decimals", type=click.IntRange(0, 12), default=None,
              help="Write the numbers with this many decimals.  [default: 3 significant"
              " figures, so that no number that is not zero shows as 0.00]")
@click.option("--theme", type=click.Choice(list(THEMES)), default="cs231n", show_default=True,
              help="Colours: cs231n (green values, red gradients), dark (for dark slides),"
              " print (black and grey), colorblind (Okabe-Ito blue and vermillion, gradients"
              " in italics).")
@click.option("--font", metavar="NAME", default=None,
              help="Font of every text, e.g. 'DejaVu Sans'.  [default: Helvetica]")
@click.option("--font-size", type=click.FloatRange(FONT_SIZES[0], FONT_SIZES[1]), default=None,
              metavar="PT", help="Font size of the numbers, in points; everything scales with"
              " it.  [default: 12]")
@click.option("--title", "title", metavar="TEXT", default=None,
              help="The title in bold above the captions.  [default: the example's or file's"
              " title, if it has one]")
@click.option("--no-title", is_flag=True, help="No title above the captions.")
@click.option("--fit", type=click.Choice(FITS), default=None,
              help="slide: draw for a 16:9 slide: compact labels (the name beside the value, no"
              " local gradient on the wire), tighter spacing, short caption lines, and a long"
              " circuit wrapped onto rows where that shows it larger.  [default: none; for a"
              " .pptx, whichever the slide shows larger, with none unless it would be shown"
              " smaller than its size]")
@click.option("--matrix-limit", type=click.IntRange(*MATRIX_LIMITS), default=MATRIX_LIMIT,
              show_default=True, metavar="N",
              help="Vectors and matrices: a wire draws a matrix of at most N rows and columns"
              " entry by entry (a vector as a column), and a larger one as its shape only"
              " (W 10×3073).")
@click.option("--jacobian", is_flag=True,
              help="Vectors and matrices: in each backward frame, show the current gate's local"
              " Jacobian (rows: its output entries) as a small blue matrix under each input"
              " wire; one over --matrix-limit is written as the gate's rule instead.")
@click.option("--beamer", is_flag=True,
              help="Write FOLDER/NAME.pdf (a frame per page) and FOLDER/NAME.tex, a Beamer"
              " snippet with one overlay per step (-o FOLDER/; see docs/beamer.md).")
@click.option("--no-title-slide", is_flag=True,
              help="PowerPoint (.pptx): no title slide before the steps.")
@click.option("--subtitle", metavar="TEXT", default=None,
              help="PowerPoint (.pptx): the line under the title on the title slide."
              "  [default: the number of steps, and where values and gradients are written]")
@click.option("--delay", type=click.IntRange(20, 60_000), default=1000, show_default=True,
              metavar="MS", help="GIF: milliseconds per frame; HTML: per step when playing.")
@click.option("--hold", type=click.IntRange(20, 600_000), default=None, metavar="MS",
              help="GIF: milliseconds the last frame stays.  [default: 3 x delay, at least 2500]")
@click.option("--dpi", type=click.FloatRange(36, 600), default=None,
              help="PNG/GIF resolution; 72 is 1:1 with the SVG; for a .pptx, pixels per inch as"
              " the slide shows the picture.  [default: 96 for PNG, 72 for GIF, 192 for a"
              " .pptx]")
def render_command(source: str, output: str | None, fmt: str | None, at: tuple[str, ...],
                   expand: bool | None, sgd: float | None, update: str | None, final: bool,
                   frame: int | None, exercise: str | None,
                   phase: str, decimals: int | None, theme: str, font: str | None,
                   font_size: float | None, title: str | None, no_title: bool, fit: str | None,
                   matrix_limit: int, jacobian: bool, beamer: bool, no_title_slide: bool,
                   subtitle: str | None, delay: int, hold: int | None,
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
    gbp render sigmoid-neuron -o neuron.pptx              a PowerPoint deck, a slide per frame
    gbp render sigmoid-neuron --beamer -o neuron/         PDF plus a Beamer snippet
    gbp render sigmoid-neuron --exercise -o sheet.pdf     a worksheet: gradients left empty
    gbp render sigmoid-neuron --theme dark -o dark.gif    themes: cs231n, dark, print, colorblind
    gbp render micrograd-readme --fit slide --final -o mg.pdf   one picture for a 16:9 slide
    """
    if final and frame is not None:
        raise usage("give --final or --frame, not both")
    if title is not None and no_title:
        raise usage("give --title or --no-title, not both")
    for option, text in (("--title", title), ("--subtitle", subtitle)):
        if text is not None:
            try:
                check_plain_text(option, text)
            except GbpError as err:
                raise usage(str(err)) from None
    if exercise is not None and (final or frame is not None):
        raise usage("give --exercise or --final/--frame, not both (the answer key"
                               " of an exercise is --final)")
    t = trace_source(source, at, expand, sgd, update)
    single = final or frame is not None or exercise is not None
    if len(t.circuit.gates) > MAX_RENDER_GATES and not single:
        raise Failure(
            f"the circuit has {len(t.circuit.gates):,} gates; animations are limited to"
            f" {MAX_RENDER_GATES:,} (use 'gbp eval' for the numbers, or --final for one"
            " picture)", 2)
    stem = plain_name(t.name or "circuit")  # never a path: output goes only where -o says
    if beamer:
        path, fmt, folder = _beamer_plan(output, fmt, stem), "pdf", True
    else:
        path, fmt, folder = _output_plan(output, fmt, single, stem,
                                         "exercise" if exercise else None)
    if fmt != "pptx" and (subtitle is not None or no_title_slide):
        raise usage(f"{'--subtitle' if subtitle is not None else '--no-title-slide'} is for a"
                    " PowerPoint deck (-o NAME.pptx)")
    if not folder:
        try:  # before the drawing, not after it
            check_parent(path)
        except GbpError as err:
            raise Failure(str(err), err.exit_code) from None
    style: dict[str, Any] = {"theme": theme, "font": font, "font_size": font_size,
                             "exercise": exercise, "title": False if no_title else title,
                             "fit": fit or "none", "matrix_limit": matrix_limit,
                             "jacobian": jacobian}
    try:
        frames = t.make_frames(phase, decimals, **style)
        chosen = None
        if final or frame is not None:
            k = len(frames) - 1 if final or frame is None else frame
            if not -len(frames) <= k < len(frames):
                raise usage(
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
        elif fmt == "pptx":
            if fit is None:  # the deck chooses: as drawn, or wrapped onto rows
                del style["fit"]
            t.save_pptx(path, phase, decimals, frames=chosen, title_slide=not no_title_slide,
                        subtitle=subtitle, dpi=dpi or PPTX_DPI, **style)
            slides = count + (0 if no_title_slide else 1)
            echo(f"Wrote {path} ({slides} slide{'s' if slides > 1 else ''}; open it in"
                 " PowerPoint, Keynote, Google Slides or LibreOffice)")
        elif fmt == "pdf" and not folder:
            t.save_pdf(path, phase, decimals, frames=chosen, **style)
            echo(f"Wrote {path} ({count} page{plural})")
        elif folder:
            removed: list[Path] = []
            written = write_frames(path, t.render(fmt, phase, decimals, dpi or PNG_DPI,
                                                  **style), fmt, removed=removed)
            old = (f"; removed {len(removed)} older frame{'s' if len(removed) > 1 else ''}"
                   " of an earlier render") if removed else ""
            echo(f"Wrote {len(written)} frames to {path}/ ({written[0].name} ..."
                 f" {written[-1].name}{old})")
        else:
            write_file(path, t.render(fmt, phase, decimals, dpi or PNG_DPI, frames=chosen,
                                      **style)[0])
            echo(f"Wrote {path}")
    except GbpError as err:
        raise Failure(str(err), err.exit_code) from None
