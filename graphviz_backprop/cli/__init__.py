"""The ``gbp`` command line; turns every error into one ``Error: ...`` line and an exit code.

Exit codes: 0 success, 2 bad input, 1 anything else (``gbp check``: a wrong claim), 130
interrupted.  One module per command; ``terminal.py`` holds what reaches the terminal.
"""

from __future__ import annotations

import gc
import os
import sys

import click

from .check import check_command
from .eval import eval_command, examples_command
from .render import render_command
from .terminal import echo

__all__ = ["main", "cli"]


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




# ---- gbp check: verify a hand derivation (docs/derivations.md) ---------------------------------


for _command in (eval_command, render_command, check_command, examples_command):
    cli.add_command(_command)


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
