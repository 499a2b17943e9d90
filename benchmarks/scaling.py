"""Scaling benchmark: ``gbp eval --json`` and the frame plan on programs of growing size.

    .venv/bin/python benchmarks/scaling.py [--max-gates 10000] [--no-doc] [--no-plot]

Two commands: ``gbp eval --json FILE`` (its JSON is checked to hold exactly the gates
generated), and the frame plan, ``gbp render FILE --final --format dot -o OUT.dot``, which
builds the whole step sequence with every caption, sizes the drawing from every frame's
texts and writes one DOT file, running no Graphviz program (--final is allowed beyond the
1,000-gate animation limit; OUT.dot is removed before each run and checked after it).
Each runs on two shapes of program at 250, 500, 1,000, 2,000, 4,000 and 10,000 gates:

* chain: ``x = 0.5``, then ``x = x * 1.0001 + K`` (K = i % 7) line after line: every line
  is two gates, each gate feeds the next;
* fan-out: one input ``x`` and a weight per term, ``s = s + x*wI`` line after line (two
  gates a line): ``x`` feeds thousands of gates.

Every time is a whole process, start to exit, less the best time of the same command on a
1-gate program in the same run (5 runs before the others and 5 after, pooled: the start-up
every command pays), so what is left is the work that grows with the program.  Targets for
each command and shape: 1,000 gates <= 0.5 s beyond start-up; 4,000 gates within 4.5x of
1,000 gates; 10,000 gates <= 5 s beyond start-up.  Also printed: the growth exponent, the
slope of log(time) against log(gates) from 1,000 to 10,000 gates (1 is linear, 2
quadratic).  A missed target prints MISS; the exit code is 0 all the same.  The curves
(eval solid, render dashed) are drawn into docs/img/scaling.svg (needs matplotlib: pip
install -e '.[bench]'); the script rewrites only its own section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from common import (
    GBP,
    ROOT,
    BenchError,
    Machine,
    Run,
    Timing,
    beyond,
    bold_verdict,
    growth_exponent,
    invocation,
    measure,
    run_benchmark,
    seconds,
    table,
    wrote_file,
)

SCRIPT = "scaling.py"
PLOT = ROOT / "docs" / "img" / "scaling.svg"
SIZES = (250, 500, 1000, 2000, 4000, 10000)
BASE, MID, TOP = 1000, 4000, 10000
TARGET_BASE, TARGET_RATIO, TARGET_TOP = 0.5, 4.5, 5.0
#: Weights per assignment line of the fan-out program (its weights are given in batches).
WEIGHTS_PER_LINE = 50
#: The commands measured, as the tables name them.
EVAL, RENDER = "eval --json", "render --final --format dot"
COMMANDS = (EVAL, RENDER)


def runs_for(gates: int) -> int:
    """Counted runs at a size: more for the quick small ones, fewer for the big ones."""
    return 7 if gates <= 2 * BASE else 5 if gates <= MID else 3


# ---- the programs --------------------------------------------------------------------------

def chain_program(gates: int) -> str:
    """``gates`` gates in one long chain: each line ``x = x * 1.0001 + K`` is two."""
    lines = ["x = 0.5"] + [f"x = x * 1.0001 + {i % 7}" for i in range(gates // 2)]
    return "\n".join(lines) + "\n"


def fan_out_program(gates: int) -> str:
    """``gates`` gates fed by one input: ``s = s + x*wI`` a line (a ``*`` and a ``+``).

    The source is written tightly (no spaces, weights bound in batches of tuple
    assignments to 1) so that 10,000 gates fit in the parser's 100,000-character limit.
    """
    terms = gates // 2
    lines = ["x = 0.3"]
    for first in range(0, terms, WEIGHTS_PER_LINE):
        batch = range(first, min(terms, first + WEIGHTS_PER_LINE))
        lines.append(",".join(f"w{i}" for i in batch) + "=" + ",".join("1" for _ in batch))
    lines.append("s=x*w0")
    lines += [f"s=s+x*w{i}" for i in range(1, terms)]
    lines.append("s=s+1")  # the first term has no '+': this one makes the count exact
    return "\n".join(lines) + "\n"


SHAPES: dict[str, Callable[[int], str]] = {"chain": chain_program, "fan-out": fan_out_program}
ONE_GATE = "x = 0.5\nf = x * 2\n"


# ---- measuring -----------------------------------------------------------------------------

def gate_counter(expected: int) -> Callable[[Run], None]:
    """A check that the JSON printed has ``expected`` gates."""
    def check(run: Run) -> None:
        nodes = json.loads(run.stdout)["nodes"]
        found = sum(node.get("kind") == "gate" for node in nodes)
        if found != expected:
            raise BenchError(f"the generated program has {found} gates, not {expected}")
    return check


def time_command(command: str, path: Path, gates: int, runs: int) -> Timing:
    """Time ``gbp eval --json`` or ``gbp render --final --format dot`` on ``path``."""
    if command == EVAL:
        return measure([str(GBP), "eval", "--json", str(path)], runs, check=gate_counter(gates))
    out = path.with_name("out.dot")
    return measure([str(GBP), "render", str(path), "--final", "--format", "dot", "-o",
                    str(out)], runs, prepare=lambda: out.unlink(missing_ok=True),
                   check=wrote_file(out, b"digraph", b"}"), check_every=True)


Results = dict[str, dict[str, dict[int, Timing]]]  # command -> shape -> gates -> timing


def measure_all(sizes: list[int], workdir: Path) -> tuple[dict[str, Timing], Results]:
    """Both commands on every shape at every size, and each command's 1-gate start-up
    baseline: 5 runs before and 5 after them, pooled, so that a change of load during the
    run moves both alike."""
    one = workdir / "one.py"
    one.write_text(ONE_GATE, encoding="utf-8")
    start = {command: time_command(command, one, 1, 5) for command in COMMANDS}
    results: Results = {command: {shape: {} for shape in SHAPES} for command in COMMANDS}
    for shape, make in SHAPES.items():
        for gates in sizes:
            path = workdir / f"{shape}-{gates}.py"
            path.write_text(make(gates), encoding="utf-8")
            for command in COMMANDS:
                t = time_command(command, path, gates, runs_for(gates))
                results[command][shape][gates] = t
                print(f"  {command:27} {shape:8} {gates:6} gates: best {t.best:7.3f} s,"
                      f" beyond the first start-up runs {t.best - start[command].best:7.3f} s"
                      f" (CPU {t.cpu_best:.3f} s)", flush=True)
    for command in COMMANDS:
        start[command].pool(time_command(command, one, 1, 5))
        print(f"  {command}, 1-gate program (start-up), before and after: best"
              f" {start[command].best:.3f} s, median {start[command].median:.3f} s", flush=True)
    return start, results


# ---- judging -------------------------------------------------------------------------------

def verdicts(extra: dict[int, float]) -> dict[str, tuple[str, bool | None]]:
    """Each target: the measured value as text, and whether it is met (None: not measured)."""
    base, mid, top = extra.get(BASE), extra.get(MID), extra.get(TOP)
    ratio = mid / base if mid is not None and base and base > 0 else None
    return {
        f"{BASE:,} gates <= {TARGET_BASE} s": (seconds(base), None if base is None
                                               else base <= TARGET_BASE),
        f"{MID:,} gates <= {TARGET_RATIO}x {BASE:,} gates": (
            "–" if ratio is None else f"{ratio:.2f}x", None if ratio is None
            else ratio <= TARGET_RATIO),
        f"{TOP:,} gates <= {TARGET_TOP:g} s": (seconds(top), None if top is None
                                               else top <= TARGET_TOP),
    }


# ---- the picture ---------------------------------------------------------------------------

Extras = dict[str, dict[str, dict[int, float]]]  # command -> shape -> gates -> seconds


def plot(extras: Extras, path: Path) -> bool:
    """Draw seconds beyond start-up against gates, log-log, a curve per command and shape
    (eval solid, render dashed), with the targets; False if matplotlib is not installed."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FixedLocator, NullLocator
    except ImportError:
        return False
    matplotlib.rcParams["svg.hashsalt"] = "gbp-scaling"  # the same picture, the same file
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    floor = 1e-3  # a time at or below zero (all start-up) is drawn at 1 ms
    curves = [(command, shape, extra, style, marker)
              for command, style in zip(COMMANDS, ("-", "--"))
              for (shape, extra), marker in zip(extras[command].items(), "os")]
    ratios = []  # each curve's 4,000-gate target, drawn after the curves (legend order)
    for command, shape, extra, style, marker in curves:
        xs = sorted(extra)
        line, = ax.plot(xs, [max(extra[x], floor) for x in xs], marker=marker,
                        linestyle=style, label=f"{shape}: gbp {command}")
        if BASE in extra and extra[BASE] > 0:
            ratios.append((TARGET_RATIO * extra[BASE], line.get_color()))
    for i, (y, colour) in enumerate(ratios):
        ax.plot([MID], [y], marker="v", markersize=8, linestyle="none", markerfacecolor="none",
                color=colour, label="_nolegend_" if i else
                f"{TARGET_RATIO}x a curve's {BASE:,}-gate time (in its colour)")
    ax.plot([BASE, TOP], [TARGET_BASE, TARGET_TOP], linestyle=":", color="grey",
            label="linear through the targets")
    ax.plot([BASE, TOP], [TARGET_BASE, TARGET_TOP], marker="v", markersize=9, color="red",
            linestyle="none", label=f"targets at {BASE:,} and {TOP:,} gates")
    ax.set_xscale("log")
    ax.set_yscale("log")
    sizes = sorted({x for _, _, extra, _, _ in curves for x in extra})
    ax.xaxis.set_major_locator(FixedLocator(sizes))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([f"{x:,}" for x in sizes])
    ax.set_xlabel("gates (upside-down triangles: the targets, at most)")
    ax.set_ylabel("seconds beyond start-up (best run)")
    ax.set_title("gbp eval --json (solid) and the frame plan (dashed) against size",
                 fontsize="medium")
    if any(v <= floor for _, _, extra, _, _ in curves for v in extra.values()):
        ax.text(0.99, 0.02, "a time at or below zero is drawn at 1 ms",
                transform=ax.transAxes, ha="right", fontsize="x-small", color="grey")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="x-small", loc="upper left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)
    return True


# ---- the report ----------------------------------------------------------------------------

def results_table(start: dict[str, Timing], results: Results) -> list[str]:
    """One row per command, shape and size: runs, best, median, CPU, beyond start-up."""
    header = ["Command", "Shape", "Gates", "Runs", "Best", "Median", "CPU (best)",
              "Beyond start-up"]
    rows = []
    for command, by_shape in results.items():
        base = start[command]
        rows.append([f"`{command}`", "1 gate (start-up baseline)", "1", str(len(base.walls)),
                     seconds(base.best), seconds(base.median), seconds(base.cpu_best), ""])
        for shape, by_size in by_shape.items():
            for gates, t in by_size.items():
                rows.append([f"`{command}`", shape, f"{gates:,}", str(len(t.walls)),
                             seconds(t.best), seconds(t.median), seconds(t.cpu_best),
                             f"**{seconds(t.best - base.best)}**"])
    return table(header, rows, "llrrrrrr")


def targets_table(extras: Extras) -> list[str]:
    """One row per command, shape and target, and the growth exponent."""
    rows = []
    for command, by_shape in extras.items():
        for shape, extra in by_shape.items():
            for name, (value, ok) in verdicts(extra).items():
                rows.append([f"`{command}`", shape, name, value, bold_verdict(ok)])
            slope = growth_exponent(extra, BASE)
            span = f"{BASE:,} to {max(extra) if max(extra) > BASE else TOP:,} gates"
            rows.append([f"`{command}`", shape, f"growth exponent, {span} (1 = linear)",
                         "–" if slope is None else f"{slope:.2f}", ""])
    return table(["Command", "Shape", "Target (time beyond start-up)", "Measured", "Result"],
                 rows, "lllrl")


def section(start: dict[str, Timing], results: Results, extras: Extras, machine: Machine,
            plotted: bool) -> list[str]:
    """The Markdown section for docs/performance.md."""
    picture = (["![Seconds beyond start-up against gates, log-log, both commands (render"
                " dashed) and both shapes, with the targets](img/scaling.svg)", ""]
               if plotted else [])
    return [
        "## Scaling: `gbp eval --json` and the frame plan on programs of growing size",
        "",
        f"Produced by `{invocation(SCRIPT)}`.",
        "",
        *machine.markdown(),
        "",
        *targets_table(extras),
        "",
        *picture,
        *results_table(start, results),
        "",
        "Every time is a whole `gbp eval --json FILE` or `gbp render FILE --final --format dot"
        " -o OUT.dot` process, start to exit, after one uncounted warm-up run. The second is"
        " the frame plan: it builds the whole step sequence with every caption, sizes the"
        " drawing from every frame's texts and writes the last frame as one DOT file; it"
        " runs no Graphviz program (`--final` is allowed beyond the 1,000-gate limit of"
        " animations). OUT.dot is removed before each run and checked to hold a DOT graph"
        " after it; the JSON of `eval` is checked to hold exactly that many gates."
        " *Beyond start-up* is the best time less the best time of the same command on a"
        " 1-gate program (`x = 0.5`, `f = x * 2`) in the same run (5 runs before the others"
        " and 5 after): what is left grows with the program; at the smallest sizes it is"
        " within the noise of a few milliseconds, and can come out below zero. The growth"
        " exponent is the slope of log(time beyond start-up) against log(gates). Chain:"
        " `x = 0.5`, then `x = x * 1.0001 + K` (K = i % 7), two gates a line, each feeding"
        f" the next. Fan-out: `x = 0.3`, weights bound {WEIGHTS_PER_LINE} to a line"
        " (`w0,w1,...=1,1,...`), then `s=x*w0`, `s=s+x*w1`, ... (two gates a line) and"
        " `s=s+1`: the one input `x` feeds half the gates. It is written without spaces so"
        " that 10,000 gates fit in the parser's 100,000-character limit.",
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--max-gates", type=int, default=max(SIZES),
                    help="skip the sizes above this (default %(default)s)")
    ap.add_argument("--no-doc", action="store_true",
                    help="only print, do not write the doc or the plot")
    ap.add_argument("--no-plot", action="store_true", help="do not draw docs/img/scaling.svg")
    args = ap.parse_args(argv)
    sizes = [g for g in SIZES if g <= args.max_gates]
    drawing = not (args.no_plot or args.no_doc)
    plotted = False

    def measure_and_plot(machine: Machine, tmp: Path) -> list[str]:
        nonlocal plotted
        start, results = measure_all(sizes, tmp)
        machine.finish()
        extras = {command: {shape: beyond(by_size, start[command])
                            for shape, by_size in by_shape.items()}
                  for command, by_shape in results.items()}
        plotted = drawing and plot(extras, PLOT)
        if drawing and not plotted:
            print("matplotlib is not installed: no plot (pip install -e '.[bench]')")
        for command, by_shape in extras.items():
            for shape, extra in by_shape.items():
                slope = growth_exponent(extra, BASE)
                print(f"growth exponent, {command}, {shape}:"
                      f" {'–' if slope is None else f'{slope:.2f}'}")
        return section(start, results, extras, machine, plotted)

    return run_benchmark(SCRIPT, measure_and_plot, args.no_doc,
                         wrote=lambda: f" and {PLOT.relative_to(ROOT)}" if plotted else "")


if __name__ == "__main__":
    sys.exit(main())
