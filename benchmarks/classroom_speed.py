"""Classroom-format benchmark: a PowerPoint deck and the notebook stepper against the files
they are made of.

    .venv/bin/python benchmarks/classroom_speed.py [--runs 5] [--no-doc]

A deck is the frames as PNG pictures, put on slides with their captions as text; the
notebook's stepper is the HTML stepper inside an iframe.  So each is timed against what it is
made of, in the same run, in paired rounds (``common.measure_pair``: each round runs both,
one right after the other, in alternating order), after one uncounted warm-up round:

1. ``gbp render NAME -o NAME.pptx`` against ``gbp render NAME --fit F --format png --dpi D
   -o NAME-png/`` (the same pictures as files, in the drawing F and at the resolution D the
   deck chose);
   target: at most 1.3 (the slides cost little beyond their pictures);
2. ``python -c "...; gb.trace(NAME)._repr_html_()"`` (what a notebook cell runs to show a
   trace) against ``gbp render NAME -o NAME.html`` (the stepper page); target: at most 1.25.

each on the sigmoid neuron of the lecture and on micrograd's README example.  The result is
the median over the rounds of the ratio, wall-clock; the first columns are what a user
waits for, process start to file.  A missed target prints MISS; the exit code is 0 all the
same.  The script rewrites only its own section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from common import (
    GBP,
    BenchError,
    Machine,
    Pair,
    Run,
    bold_verdict,
    invocation,
    measure_pair,
    remove,
    run_benchmark,
    seconds,
    table,
)

SCRIPT = "classroom_speed.py"
PYTHON = sys.executable
CIRCUITS = ("sigmoid-neuron", "micrograd-readme")
DECK_TARGET = 1.3
NOTEBOOK_TARGET = 1.25


def deck_drawing(name: str) -> tuple[str, float]:
    """The drawing (``fit``) and resolution ``gbp render NAME -o NAME.pptx`` draws its
    pictures at, as ``Trace.save_pptx`` chooses them: the fit, and the dpi."""
    import graphviz_backprop as gb
    from graphviz_backprop.deck import larger, sharp_dpi
    from graphviz_backprop.layout import FITS
    from graphviz_backprop.style import Style

    fits = {fit: gb.trace(name)._extent(Style.of(captions=False, fit=fit)) for fit in FITS}
    fit = larger(fits)
    return fit, sharp_dpi(*fits[fit], 192)


@dataclass(frozen=True)
class Contest:
    """One format on one circuit against its baseline."""

    format: str
    name: str
    shown: str
    baseline: str
    target: float
    pair: Pair


def wrote(path: Path, head: bytes) -> Callable[[Run], None]:
    def check(run: Run) -> None:
        if path.is_dir():
            if not any(path.iterdir()):
                raise BenchError(f"{path.name}/ is empty")
        elif not (path.is_file() and path.read_bytes().startswith(head)):
            raise BenchError(f"the command did not write {path.name}")
    return check


def notebook_script(name: str, out: Path) -> str:
    """What a notebook cell showing a trace runs, writing the HTML it shows to ``out``."""
    return (f"import graphviz_backprop as gb, pathlib; pathlib.Path({str(out)!r}).write_text("
            f"gb.trace({name!r})._repr_html_(), encoding='utf-8')")


def contests(name: str, runs: int, workdir: Path) -> list[Contest]:
    fit, dpi = deck_drawing(name)
    deck, pngs = workdir / f"{name}.pptx", workdir / f"{name}-png"
    shown_png = f"gbp render {name} --fit {fit} --format png --dpi {dpi:g} -o {name}-png/"

    def clean() -> None:
        for path in workdir.iterdir():
            remove(path)

    slides = measure_pair([str(GBP), "render", name, "-o", str(deck)],
                          [str(GBP), "render", name, "--fit", fit, "--format", "png",
                           "--dpi", f"{dpi:g}", "-o", f"{pngs}/"], runs, cwd=workdir,
                          prepare=clean, check_a=wrote(deck, b"PK"), check_b=wrote(pngs, b""))
    cell, page = workdir / f"{name}-cell.html", workdir / f"{name}.html"
    notebook = measure_pair([PYTHON, "-c", notebook_script(name, cell)],
                            [str(GBP), "render", name, "-o", str(page)], runs, cwd=workdir,
                            prepare=clean, check_a=wrote(cell, b"<iframe"),
                            check_b=wrote(page, b"<!DOCTYPE html>"))
    result = [
        Contest("PowerPoint", name, f"gbp render {name} -o {name}.pptx", shown_png,
                DECK_TARGET, slides),
        Contest("notebook", name, f"{name} shown in a notebook cell (_repr_html_)",
                f"gbp render {name} -o {name}.html", NOTEBOOK_TARGET, notebook),
    ]
    for c in result:
        print(f"  {c.format:10} {name:18} best {c.pair.a.best:.3f} s against"
              f" {c.pair.b.best:.3f} s, median ratio {c.pair.ratio:.2f}", flush=True)
    return result


def section(results: list[Contest], runs: int, machine: Machine) -> list[str]:
    rows = []
    for c in results:
        ok = c.pair.ratio <= c.target
        rows.append([f"`{c.shown}`" if c.shown.startswith("gbp") else c.shown,
                     seconds(c.pair.a.best), seconds(c.pair.a.median), f"`{c.baseline}`",
                     seconds(c.pair.b.best), f"{c.pair.ratio:.2f}", f"<= {c.target:g}",
                     bold_verdict(ok)])
    return [
        "## Classroom formats: a PowerPoint deck and the notebook stepper",
        "",
        f"Produced by `{invocation(SCRIPT)}`.",
        "",
        *machine.markdown(),
        "",
        *table(["Command", "Best", "Median", "Baseline", "Baseline best", "Ratio (median)",
                "Target", "Result"], rows, "lrrlrrrl"),
        "",
        "Each command is timed against its baseline, what it is made of, in"
        f" {runs} paired rounds after one uncounted warm-up round (a round runs the two one"
        " right after the other, in alternating order; the ratio is the command's wall-clock"
        " time over the baseline's in the same round, and the result is the median ratio)."
        " Whole processes, start to exit, writing into an empty temporary folder. The deck's"
        " baseline draws the same pictures as PNG files at the resolution the deck chose for"
        " them; the notebook's is the HTML stepper page, as the cell's output is that page"
        " inside an iframe. A notebook's kernel is already running, so a cell pays less than"
        " this: the Python start-up and the import are part of the first column.",
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="counted paired rounds of each command")
    ap.add_argument("--no-doc", action="store_true", help="only print, do not write the doc")
    args = ap.parse_args(argv)

    def measure_all(machine: Machine, tmp: Path) -> list[str]:
        results = [c for name in CIRCUITS for c in contests(name, args.runs, tmp)]
        machine.finish()
        return section(results, args.runs, machine)

    return run_benchmark(SCRIPT, measure_all, args.no_doc)


if __name__ == "__main__":
    sys.exit(main())
