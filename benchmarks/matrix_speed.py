"""Matrix-speed benchmark: a circuit on vectors and matrices against a scalar circuit with
about as many frames, ``gbp eval`` and ``gbp render``, process start to exit.

    .venv/bin/python benchmarks/matrix_speed.py [--runs 7] [--no-doc]

The circuit on arrays is the library's 2-layer network, ``mlp-2-layer`` (a 4×3 batch, 8
ReLU units, 2 classes: 6 gates on vectors and matrices, 50 weights).  Its scalar rival is the
example of the library, on scalars only, whose animation has the number of frames closest to
the network's (ties go to the one with more gates); the frames are counted by the package's
own plan, ``len(gb.trace(NAME).frames)``.  Where the network's frames cannot be planned (a
package that cannot draw arrays), the rival is the example with the closest number of gates,
the render rows say why they were not measured, and the eval row is measured all the same.

Three commands, each timed against the same command on the rival in paired rounds
(``common.measure_pair``: each round runs both, one right after the other, in alternating
order), after one uncounted warm-up round:

1. ``gbp eval NAME`` (the table, to a file);
2. ``gbp render NAME -o NAME.gif`` (the animation);
3. ``gbp render NAME -o NAME-frames/`` (every frame, SVG files).

The result of each is the median over the rounds of the ratio network / rival, wall-clock.
Target: at most 1.25 ("as fast as", with room for the noise of sub-second timings).  Also
measured in the same run, as the floor under the network's eval: ``python -c pass`` and
``python -c "import numpy"`` (numpy is imported only by a circuit on arrays).  A missed
target prints MISS; the exit code is 0 all the same.  The script rewrites only its own
section of docs/performance.md.
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
    Pair,
    Timing,
    bold_verdict,
    invocation,
    measure,
    measure_pair,
    remove,
    run_benchmark,
    seconds,
    table,
)

SCRIPT = "matrix_speed.py"
PYTHON = sys.executable
MATRIX = "mlp-2-layer"
TARGET = 1.25


# ---- choosing the rival -----------------------------------------------------------------------

@dataclass(frozen=True)
class Circuit:
    """An example of the library: its name, gates, frames (None: not plannable), arrays."""

    name: str
    gates: int
    frames: int | None
    arrays: bool
    why: str = ""


def describe(name: str) -> Circuit:
    """The example ``name`` as this process's package sees it."""
    import graphviz_backprop as gb
    from graphviz_backprop.arrays import is_array

    t = gb.trace(name)
    arrays = any(is_array(v) for v in t.evaluation.values.values())
    try:
        return Circuit(name, len(t.circuit.gates), len(t.frames), arrays)
    except Exception as err:  # drawing that cannot handle the circuit yet: eval only
        return Circuit(name, len(t.circuit.gates), None, arrays,
                       f"{type(err).__name__}: {err}".splitlines()[0][:160])


def rival(target: Circuit, candidates: list[Circuit]) -> Circuit:
    """The scalar candidate with the closest number of frames (more gates on a tie), or of
    gates when ``target``'s frames are unknown.

    >>> a, b = Circuit("a", 3, 10, False), Circuit("b", 10, 20, False)
    >>> rival(Circuit("m", 6, 16, True), [a, b]).name
    'b'
    >>> rival(Circuit("m", 6, None, True), [a, b]).name
    'a'
    """
    scalar = [c for c in candidates if not c.arrays and c.frames is not None]
    if not scalar:
        raise BenchError("no scalar example of the library to compare with")
    if target.frames is None:
        return min(scalar, key=lambda c: (abs(c.gates - target.gates), -c.gates))
    return min(scalar, key=lambda c: (abs(c.frames - target.frames), -c.gates))


# ---- measuring -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Task:
    """One command, as the doc shows it and for either circuit."""

    shown: str
    label: str
    args: tuple[str, ...]   # with {} for the example's name
    output: str | None      # a file or folder it writes, with {}

    def argv(self, name: str) -> list[str]:
        return [str(GBP), *(a.format(name) for a in self.args)]


TASKS = [
    Task("gbp eval NAME", "eval", ("eval", "{}"), None),
    Task("gbp render NAME -o NAME.gif", "GIF", ("render", "{}", "-o", "{}.gif"), "{}.gif"),
    Task("gbp render NAME -o NAME-frames/", "SVG frames", ("render", "{}", "-o", "{}-frames/"),
         "{}-frames"),
]


def time_task(task: Task, matrix: Circuit, scalar: Circuit, runs: int,
              workdir: Path) -> Pair | str:
    """The paired timing of ``task`` on both circuits, or why it could not be measured."""
    if task.output is not None and matrix.frames is None:
        return f"not measured: the package cannot plan {matrix.name}'s frames ({matrix.why})"
    outputs = [workdir / task.output.format(c.name) for c in (matrix, scalar)
               ] if task.output else []

    def prepare() -> None:
        for path in outputs:
            remove(path)

    def wrote(path: Path):
        def check(run) -> None:
            if not path.exists():
                raise BenchError(f"'{task.shown}' exited 0 but wrote no {path.name}")
        return check

    checks = [wrote(p) for p in outputs] or [None, None]
    try:
        pair = measure_pair(task.argv(matrix.name), task.argv(scalar.name), runs, cwd=workdir,
                            prepare=prepare, check_a=checks[0], check_b=checks[1])
    except BenchError as err:
        return f"not measured: {str(err).splitlines()[-1][:200]}"
    print(f"  {task.shown:34} {matrix.name} best {pair.a.best:.3f} s, {scalar.name} best"
          f" {pair.b.best:.3f} s, median ratio {pair.ratio:.2f}", flush=True)
    return pair


# ---- the report ------------------------------------------------------------------------------

def task_rows(task: Task, result: Pair | str, matrix: Circuit, scalar: Circuit) -> list[list[str]]:
    if isinstance(result, str):
        return [[f"`{task.shown.replace('NAME', matrix.name)}`", "–", "–", "–", "–", "–",
                 f"<= {TARGET:g}", result]]
    rows = []
    for circuit, timing in ((matrix, result.a), (scalar, result.b)):
        rows.append([f"`{task.shown.replace('NAME', circuit.name)}`", seconds(timing.best),
                     seconds(timing.median), seconds(timing.cpu_best), "", "", "", ""])
    rows[0][4:] = [f"{result.ratio:.2f}", f"{min(result.ratios):.2f}–{max(result.ratios):.2f}",
                   f"<= {TARGET:g}", bold_verdict(result.ratio <= TARGET)]
    return rows


def section(matrix: Circuit, scalar: Circuit, results: list[Pair | str],
            floor: tuple[Timing, Timing], runs: int, machine: Machine) -> list[str]:
    """The Markdown section for docs/performance.md."""
    rows: list[list[str]] = []
    for task, result in zip(TASKS, results):
        rows += task_rows(task, result, matrix, scalar)
    bare, numpy = floor
    frames = (f"{matrix.frames} frames" if matrix.frames is not None
              else "frames not plannable by this package")
    matched = "frames" if matrix.frames is not None else "gates (its frames could not be planned)"
    return [
        "## Vectors and matrices: a 2-layer network against a scalar circuit",
        "",
        f"Produced by `{invocation(SCRIPT)}`.",
        "",
        *machine.markdown(),
        "",
        *table(["Command", "Best", "Median", "CPU (best)", "Ratio (median)", "Ratio range",
                "Target", "Result"], rows, "lrrrrrrl"),
        "",
        f"`{matrix.name}`: {matrix.gates} gates on vectors and matrices, {frames}."
        f" `{scalar.name}`: {scalar.gates} gates on scalars, {scalar.frames} frames, the"
        f" scalar example of the library closest to it in {matched}. Each command is timed on"
        f" both in {runs} paired rounds after one uncounted warm-up round: a round runs the"
        " two one right after the other, in alternating order; the ratio is the network's"
        " wall-clock time over the scalar circuit's in the same round, and the result is the"
        " median ratio. Whole processes, start to exit, writing into an empty temporary"
        " folder. The floor of the same run: `python -c pass` takes"
        f" {seconds(bare.best)}, `python -c \"import numpy\"` {seconds(numpy.best)}; numpy is"
        f" imported only for a circuit on arrays, so the network pays"
        f" {seconds(numpy.best - bare.best)} that the scalar circuit does not."
        + without_numpy(results, numpy.best - bare.best),
    ]


def without_numpy(results: list[Pair | str], numpy: float) -> str:
    """A sentence: the ratios of the best times once numpy's import is taken off the
    network's."""
    parts = [f"{task.label} {(r.a.best - numpy) / r.b.best:.2f}"
             for task, r in zip(TASKS, results) if isinstance(r, Pair)]
    if not parts:
        return ""
    return (" The ratios of the best times with numpy's import taken off the network's: "
            + ", ".join(parts) + ".")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7, help="counted paired rounds of each command")
    ap.add_argument("--no-doc", action="store_true", help="only print, do not write the doc")
    args = ap.parse_args(argv)

    def measure_all(machine: Machine, tmp: Path) -> list[str]:
        import graphviz_backprop as gb

        matrix = describe(MATRIX)
        scalar = rival(matrix, [describe(e.name) for e in gb.list_examples()
                                if e.name != MATRIX])
        print(f"{matrix.name}: {matrix.gates} gates, {matrix.frames} frames;"
              f" rival {scalar.name}: {scalar.gates} gates, {scalar.frames} frames", flush=True)
        floor = (measure([PYTHON, "-c", "pass"], args.runs),
                 measure([PYTHON, "-c", "import numpy"], args.runs))
        results = [time_task(task, matrix, scalar, args.runs, tmp) for task in TASKS]
        machine.finish()
        return section(matrix, scalar, results, floor, args.runs, machine)

    return run_benchmark(SCRIPT, measure_all, args.no_doc)


if __name__ == "__main__":
    sys.exit(main())
