"""What the commands share: the SOURCE help, the --at and --expand options, tracing a SOURCE."""

from __future__ import annotations

import click

from ..errors import GbpError
from ..gates import COMPOSITES
from ..source import parse_assignments
from ..tracing import Trace, trace
from .terminal import Failure

__all__ = ["SOURCE_HELP", "AT_OPTION", "EXPAND_OPTION", "trace_source"]

SOURCE_HELP = """SOURCE is an expression ("(x+y)*z"), a program of assignments
("x = -2; y = 5; q = x + y"), a path to a file (.py, .txt, or an expression .toml), or the
name of a bundled example (see 'gbp examples'). A SOURCE that starts with '-' goes after
'--', as in: gbp eval --at x=1 -- "-x"."""


def trace_source(source: str, at: tuple[str, ...], expand: bool | None) -> Trace:
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
    help=f"Lower composite gates ({', '.join(COMPOSITES)}) into primitive"
    " gates, so sigmoid(a) becomes *-1, exp, +1, 1/x.  [default: as the example file says,"
    " else no]")
