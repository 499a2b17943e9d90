"""Start-up benchmark: how long a user waits for short ``gbp`` commands, start to exit.

    .venv/bin/python benchmarks/startup.py [--runs 5] [--no-doc]

Each command runs once uncounted (it warms the file cache and the .pyc files), then
``--runs`` times counted; the table gives the best and the median wall-clock time from just
before the process starts to just after it exits, and the CPU time of the process.
Measured in the same run, as the floor the commands stand on: the bare interpreter
(``python -c pass``) and the imports of the two heavy dependencies, sympy and networkx.

Targets (on the best time): ``gbp --help`` <= 0.30 s, ``gbp eval cs231n-simple`` <= 0.60 s,
``gbp render sigmoid-neuron -o x.gif`` <= 1.0 s.  A missed target prints MISS; the exit code
is 0 all the same.  The script rewrites only its own section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from common import (
    GBP,
    BenchError,
    Machine,
    Run,
    Timing,
    invocation,
    measure,
    run_benchmark,
    seconds,
    table,
    verdict,
)

SCRIPT = "startup.py"
PYTHON = sys.executable


@dataclass(frozen=True)
class Case:
    """One command to time: how the doc shows it, what runs, and its target (if any)."""

    shown: str
    argv: list[str]
    target: float | None = None


def baselines() -> list[Case]:
    """The floor: the interpreter alone, and the cost of the heavy imports."""
    return [
        Case("python -c pass", [PYTHON, "-c", "pass"]),
        Case('python -c "import sympy"', [PYTHON, "-c", "import sympy"]),
        Case('python -c "import networkx"', [PYTHON, "-c", "import networkx"]),
    ]


def commands() -> list[Case]:
    """The commands a user runs, with their targets in seconds."""
    return [
        Case("gbp --help", [str(GBP), "--help"], 0.30),
        Case("gbp eval cs231n-simple", [str(GBP), "eval", "cs231n-simple"], 0.60),
        Case("gbp render sigmoid-neuron -o x.gif",
             [str(GBP), "render", "sigmoid-neuron", "-o", "x.gif"], 1.0),
    ]


def time_case(case: Case, runs: int, workdir: Path) -> Timing:
    """Time one case in ``workdir``; the GIF is removed before each run and checked once."""
    gif = workdir / "x.gif"

    def prepare() -> None:
        gif.unlink(missing_ok=True)

    def check(run: Run) -> None:
        if "x.gif" in case.argv and not gif.is_file():
            raise BenchError(f"'{case.shown}' exited 0 but wrote no x.gif")

    timing = measure(case.argv, runs, cwd=workdir, prepare=prepare, check=check)
    print(f"  {case.shown:40} best {timing.best:.3f} s, median {timing.median:.3f} s,"
          f" CPU {timing.cpu_best:.3f} s", flush=True)
    return timing


def row(case: Case, timing: Timing, floor: float) -> list[str]:
    """A table row: times, what is left above the bare interpreter, target, verdict."""
    target = "" if case.target is None else f"<= {case.target:.2f} s"
    ok = None if case.target is None else timing.best <= case.target
    return [f"`{case.shown}`", seconds(timing.best), seconds(timing.median),
            seconds(timing.cpu_best), seconds(timing.best - floor), target,
            "" if ok is None else f"**{verdict(ok)}**"]


def section(cases: list[Case], timings: list[Timing], runs: int, machine: Machine) -> list[str]:
    """The Markdown section for docs/performance.md."""
    floor = timings[0].best
    header = ["Command", f"Best of {runs}", "Median", "CPU (best)", "Above `python -c pass`",
              "Target", "Result"]
    rows = [row(c, t, floor) for c, t in zip(cases, timings)]
    sympy, networkx = (t.best - floor for t in timings[1:3])
    return [
        "## Start-up: short commands, process start to exit",
        "",
        f"Produced by `{invocation(SCRIPT)}`.",
        "",
        *machine.markdown(),
        "",
        *table(header, rows, "lrrrrrl"),
        "",
        "Wall-clock time from just before the process is started to just after it has"
        f" exited, best and median of {runs} runs after one uncounted warm-up run; CPU is the"
        " user + system time of that process (and its children, such as Graphviz)."
        " `python` is the interpreter of the environment `gbp` is installed in. The targets"
        " are judged on the best time. The first three rows are the baselines of the same"
        f" run: starting the interpreter costs {floor:.3f} s, importing sympy"
        f" {sympy:.3f} s more and networkx {networkx:.3f} s more; a command that needs them"
        " at start-up cannot be faster than that. The GIF is written into an empty"
        " temporary folder (removed before each run).",
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="counted runs of each command")
    ap.add_argument("--no-doc", action="store_true", help="only print, do not write the doc")
    args = ap.parse_args(argv)

    def measure_all(machine: Machine, tmp: Path) -> list[str]:
        cases = baselines() + commands()
        timings = [time_case(c, args.runs, tmp) for c in cases]
        machine.finish()
        return section(cases, timings, args.runs, machine)

    return run_benchmark(SCRIPT, measure_all, args.no_doc)


if __name__ == "__main__":
    sys.exit(main())
