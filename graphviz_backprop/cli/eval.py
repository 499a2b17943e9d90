"""``gbp eval`` and ``gbp examples``: every value and gradient as a table or JSON; the library."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..errors import GbpError
from ..formulas import local_math
from ..notation import value_text
from ..tomlfile import list_examples
from ..tracing import Trace
from .shared import AT_OPTION, EXPAND_OPTION, SOURCE_HELP, trace_source
from .terminal import Failure, echo, echo_json

__all__ = ["eval_command", "examples_command", "format_table"]

def _local_text(formulas: tuple[str, ...], record: dict[str, Any], symbolic: bool) -> str:
    """A gate's local gradients: each formula, and its value where that says more."""
    parts = []
    for formula, value in zip(formulas, record["local_values"]):
        shown = value_text(value)
        parts.append(formula if formula == shown or symbolic else f"{formula} = {shown}")
    return ", ".join(parts)


def format_table(t: Trace) -> str:
    """The evaluation as an aligned table a person reads in a terminal (the records of
    ``Trace.node_records``, as the JSON has them, with every wire called as the pictures
    call it and the local gradients written as mathematics)."""
    c = t.circuit
    header = ("node", "name", "op", "inputs", "value", "grad", "local gradients", "flags")
    rows = [(r["id"], c.wire_names[r["id"]], r["op"] or r["kind"], " ".join(r["inputs"]),
             value_text(r["value"]), value_text(r["grad"]),
             _local_text(local_math(c, r["id"]), r, t.symbolic), " ".join(r["flags"]))
            for r in t.node_records()]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    numeric = {4, 5}

    def line(row: tuple[Any, ...]) -> str:
        cells = [str(v).rjust(w) if i in numeric else str(v).ljust(w)
                 for i, (v, w) in enumerate(zip(row, widths))]
        return "  ".join(cells).rstrip()

    out = []
    title = t.title or c.source.strip().replace("\n", "; ")
    point = ", ".join(f"{k}={value_text(v)}" for k, v in t.inputs.items())
    out.append(f"{title}" + ("  (symbolic)" if t.symbolic else f"  at {point}" if point else ""))
    out.append("")
    out.append(line(header))
    out.extend(line(r) for r in rows)
    out.append("")
    f = c.wire_names[c.output]
    out.append(f"output {f} = {value_text(t.value)}")
    for name, grad in t.gradients.items():
        out.append(f"  d{f}/d{name} = {value_text(grad)}")
    if any(t.evaluation.flags.values()):
        out.append("kink: evaluated at a non-differentiable point; the gradient follows PyTorch"
                   " (relu'(0) = 0, abs'(0) = 0, a max/min tie splits the gradient in half)")
    return "\n".join(out)


@click.command("eval", epilog=SOURCE_HELP)
@click.argument("source")
@AT_OPTION
@EXPAND_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
def eval_command(source: str, at: tuple[str, ...], expand: bool | None, as_json: bool) -> None:
    """Every node's value, gradient and local gradients.

    The gradient of a node is d output / d node; a gate's local gradients are
    d gate / d input, one per input wire.
    """
    t = trace_source(source, at, expand)
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


@click.command("examples")
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
