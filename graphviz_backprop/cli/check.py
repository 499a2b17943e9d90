"""``gbp check``: a hand derivation checked claim by claim, with the first wrong step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..errors import GbpError
from ..output import write_file
from ..render import EXTENSIONS
from .terminal import Failure, echo, echo_json, finite

__all__ = ["check_command"]

CHECK_EPILOG = """PATH is a derivation (.toml: a circuit and [claims]; .py or any other file:
code as the cs231n notes write it, dX = ... and dAdB = ...), or a folder: every .toml and
.py file in it is checked and summarised in one table. Exit codes: 0 every claim holds, 1 a
claim is wrong, or too complex to check symbolically in time (GBP_SYMBOLIC_SECONDS, 4 s a
claim), or (code) an input's gradient is missing or a dX name names no node (in a folder: or
some files are unreadable), 2 the derivation cannot be read or takes too long as a whole (in a
folder: no file can). See docs/derivations.md."""


@click.command("check", epilog=CHECK_EPILOG)
@click.argument("path")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option("--tol", "abs_tol", type=click.FloatRange(min=0), default=0.01, show_default=True,
              callback=lambda ctx, param, value: finite(param, value),
              metavar="ABS", help="Absolute tolerance for claimed numbers.")
@click.option("--rtol", "rel_tol", type=click.FloatRange(min=0), default=0.01, show_default=True,
              callback=lambda ctx, param, value: finite(param, value),
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
    from ..check import Tolerance, check_file, check_folder, format_folder, format_report

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
    fmt = EXTENSIONS.get(Path(target).suffix.lower())
    if fmt not in ("svg", "png", "dot"):
        raise click.UsageError(f"--render needs a .svg, .png or .dot file, not '{target}'")
    return fmt


def _render_report(report: Any, target: str) -> None:
    """The final frame of a checked derivation, its wrong wires marked, its summary as caption."""
    from dataclasses import replace

    from ..check import summary
    from ..frames import steps
    from ..render import picture

    fmt = _render_format(target)
    ev = report.evaluation
    final = replace(steps(ev)[-1], caption=summary(report, brief=True))
    try:
        write_file(target, picture(ev, final, fmt, report.marks(), title=Path(report.file).name))
    except GbpError as err:
        raise Failure(str(err), err.exit_code) from None
