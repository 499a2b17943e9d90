"""What the commands share: the SOURCE help, the --at, --expand, --sgd and --update options,
tracing a SOURCE."""

from __future__ import annotations

import click

from ..errors import GbpError
from ..gates import COMPOSITES
from ..source import parse_assignments
from ..tracing import Trace, trace
from .terminal import Failure

__all__ = ["SOURCE_HELP", "AT_OPTION", "EXPAND_OPTION", "SGD_OPTION", "UPDATE_OPTION",
           "trace_source"]

SOURCE_HELP = """SOURCE is an expression ("(x+y)*z"), a program of assignments
("x = -2; y = 5; q = x + y"), a path to a file (.py, .txt, or an expression .toml), or the
name of a bundled example (see 'gbp examples'). A SOURCE that starts with '-' goes after
'--', as in: gbp eval --at x=1 -- "-x"."""


def trace_source(source: str, at: tuple[str, ...], expand: bool | None,
                 sgd: float | None = None, update: str | None = None) -> Trace:
    """The trace of SOURCE, ending with the step of gradient descent --sgd and --update ask
    for (--update alone: the source's own step size, from its ``W -= lr * dW``)."""
    try:
        t = trace(source, parse_assignments(at), expand=expand)
        if sgd is None and update is not None:
            if t.descent is None:
                raise Failure("--update names the inputs a step of gradient descent moves:"
                              " give the learning rate with --sgd LR too", 2)
            sgd = t.descent.lr
        return t if sgd is None else t.with_sgd(sgd, update)
    except GbpError as err:
        raise Failure(str(err), err.exit_code) from None


AT_OPTION = click.option(
    "--at", "at", multiple=True, metavar="NAME=VALUE,...",
    help="Input values, as x=-2,y=5,z=-4, a vector as x=[0.2,0.4], a matrix as"
    " W=[[1,2],[3,4]]; repeatable. Overrides values in the source. Without any value the"
    " evaluation is symbolic.")


SGD_OPTION = click.option(
    "--sgd", "sgd", type=float, default=None, metavar="LR",
    help="Take one step of gradient descent with learning rate LR: each updated input moves"
    " to W - LR * df/dW, and the output is evaluated again there.")


UPDATE_OPTION = click.option(
    "--update", "update", default=None, metavar="NAMES",
    help="The inputs --sgd moves, as W,b.  [default: every parameter: each input whose name"
    " does not start with x, X, y or Y (those are data)]")


EXPAND_OPTION = click.option(
    "--expand/--no-expand", default=None,
    help=f"Lower composite gates ({', '.join(COMPOSITES)}) into primitive"
    " gates, so sigmoid(a) becomes *-1, exp, +1, 1/x.  [default: as the example file says,"
    " else no]")
