"""``gbp eval`` and ``gbp examples``: every value and gradient as a table or JSON; the library."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..arrays import Local
from ..errors import GbpError
from ..formulas import local_rules
from ..notation import value_text
from ..tomlfile import list_examples
from ..tracing import Trace
from .shared import (
    AT_OPTION,
    EXPAND_OPTION,
    SGD_OPTION,
    SOURCE_HELP,
    UPDATE_OPTION,
    trace_source,
)
from .terminal import Failure, echo, echo_json

__all__ = ["eval_command", "examples_command", "format_table"]


def is_local(value: Any) -> bool:
    return isinstance(value, Local)


def _local_text(t: Trace, node: str) -> str:
    """A gate's local gradients: each formula, and its value where that says more; for a
    gate on arrays, the rule that gives each input's gradient from g (``g · xᵀ``)."""
    c, local = t.circuit, t.evaluation.local.get(node, ())
    parts = []
    for formula, value in zip(local_rules(c, node, local), local):
        shown = formula if is_local(value) else value_text(value)
        parts.append(formula if formula == shown or t.symbolic else f"{formula} = {shown}")
    return ", ".join(parts)


def format_table(t: Trace) -> str:
    """The evaluation as an aligned table a person reads in a terminal (the records of
    ``Trace.node_records``, as the JSON has them, with every wire called as the pictures
    call it and the local gradients written as mathematics)."""
    c, ev = t.circuit, t.evaluation
    header = ("node", "name", "op", "inputs", "value", "grad", "local gradients", "flags")
    rows = [(r["id"], c.wire_names[r["id"]], r["op"] or r["kind"], " ".join(r["inputs"]),
             value_text(ev.values[r["id"]]), value_text(ev.grads[r["id"]]),
             _local_text(t, r["id"]), " ".join(r["flags"]))
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
    if any(is_local(v) for values in t.evaluation.local.values() for v in values):
        out.append("local gradients of gates on vectors and matrices: g is the gate's own"
                   " gradient (its grad column), ⊙ multiplies entry by entry, ᵀ transposes")
    if t.descent is not None:
        out.extend(t.sgd().lines)
    if any(t.evaluation.flags.values()):
        out.append("kink: evaluated at a non-differentiable point; the gradient follows PyTorch"
                   " (relu'(0) = 0, abs'(0) = 0, a max/min tie splits the gradient in half)")
    return "\n".join(out)


@click.command("eval", epilog=SOURCE_HELP)
@click.argument("source")
@AT_OPTION
@EXPAND_OPTION
@SGD_OPTION
@UPDATE_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
def eval_command(source: str, at: tuple[str, ...], expand: bool | None, sgd: float | None,
                 update: str | None, as_json: bool) -> None:
    """Every node's value, gradient and local gradients.

    The gradient of a node is d output / d node; a gate's local gradients are
    d gate / d input, one per input wire.  With --sgd, one step of gradient descent
    after them: each updated input's new value and the output there.
    """
    t = trace_source(source, at, expand, sgd, update)
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
