"""Render-speed benchmark: ``gbp render`` against running Graphviz afresh on every frame.

    .venv/bin/python benchmarks/render_speed.py [--runs 5] [--naive-runs 1] [--no-doc]

In one run it measures

1. every SVG frame of a generated two-layer network (6 inputs, 10 tanh units, one sigmoid
   output: about 150 gates): ``gbp render net.py -o frames/`` as a process, start to exit,
   against the naive way: ``dot -Tsvg`` run on each frame's DOT source, one process per
   frame, one after the other (only those ``dot`` runs are timed).  Target: at least 40x.
   The frames of the two ways must be as many and show the same texts;
2. micrograd's README example as a GIF: ``gbp render micrograd-readme -o mg.gif``, start to
   exit, against ``dot -Tpng -Gdpi=72`` on each frame's DOT source, one process per frame,
   one after the other.  Target: at least 8x.

The DOT sources are the package's own frames (``gb.trace(path).frames``, each one's
``.dot.source``), made in this process and written to files before the timing starts.
A missed target prints MISS; the exit code is 0 all the same.  The script rewrites only its
own section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from common import (
    GBP,
    BenchError,
    Machine,
    Timing,
    checked,
    invocation,
    measure,
    run_benchmark,
    run_once,
    seconds,
    table,
    verdict,
)

SCRIPT = "render_speed.py"
SEED = 231
N_INPUTS = 6
N_HIDDEN = 10
SVG_TARGET = 40.0
GIF_TARGET = 8.0

#: micrograd's README example (github.com/karpathy/micrograd), as published: an example of
#: the library (expressions/micrograd-readme.toml).
MICROGRAD_README = "micrograd-readme"


# ---- the generated network ------------------------------------------------------------------

def network_source(n_inputs: int = N_INPUTS, n_hidden: int = N_HIDDEN, seed: int = SEED) -> str:
    """Program text of a two-layer network with every weight and input bound to a number.

    ``h_j = tanh(w_j0*x0 + ... + w_j5*x5 + b_j)`` is 6 ``*``, 6 ``+`` and one ``tanh``;
    ``f = sigmoid(v0*h0 + ... + v9*h9 + c)`` is 10 ``*``, 10 ``+`` and one ``σ``:
    10 * 13 + 21 = 151 gates.
    """
    rng = random.Random(seed)
    lines = [f"# two-layer network: {n_inputs} inputs, {n_hidden} tanh units, one sigmoid output"]
    lines.append("; ".join(f"x{i} = {rng.uniform(-1, 1):.2f}" for i in range(n_inputs)))
    for j in range(n_hidden):
        weights = [f"w{j}_{i} = {rng.gauss(0, 0.5):.2f}" for i in range(n_inputs)]
        lines.append("; ".join([*weights, f"b{j} = {rng.gauss(0, 0.1):.2f}"]))
    lines.append("; ".join(f"v{j} = {rng.gauss(0, 0.5):.2f}" for j in range(n_hidden))
                 + f"; c = {rng.gauss(0, 0.1):.2f}")
    for j in range(n_hidden):
        terms = " + ".join(f"w{j}_{i}*x{i}" for i in range(n_inputs))
        lines.append(f"h{j} = tanh({terms} + b{j})")
    terms = " + ".join(f"v{j}*h{j}" for j in range(n_hidden))
    lines.append(f"f = sigmoid({terms} + c)")
    return "\n".join(lines) + "\n"


# ---- measuring ------------------------------------------------------------------------------

@dataclass
class Contest:
    """One picture job done both ways, with what the comparison needs."""

    gates: int
    frames: int
    fast: Timing
    naive: Timing
    fast_outputs: int
    mismatches: int | None = None

    @property
    def speedup(self) -> float:
        return self.naive.best / self.fast.best

    @property
    def speedup_cpu(self) -> float:
        return self.naive.cpu_best / self.fast.cpu_best


def dot_sources(source: str, folder: Path) -> tuple[int, list[Path]]:
    """The package's DOT source of every frame of ``source`` (a file or an example of the
    library), one file each; and the gates."""
    try:
        import graphviz_backprop as gb

        t = gb.trace(source)
    except Exception as err:  # the package itself is broken: say so, as for a failed run
        raise BenchError(f"tracing {Path(source).name} in this process failed: {err!r}") from err
    folder.mkdir()
    paths = []
    for i, frame in enumerate(t.frames):
        path = folder / f"frame-{i:03d}.gv"
        path.write_text(frame.dot.source, encoding="utf-8")
        paths.append(path)
    return len(t.circuit.gates), paths


def naive(paths: list[Path], fmt: str, extra: list[str], runs: int) -> Timing:
    """``dot -T{fmt}`` on every file, one process each, in turn: summed time, best of runs."""
    timing = Timing()
    for run in range(runs):
        wall = cpu = 0.0
        for path in paths:
            cmd = ["dot", f"-T{fmt}", *extra, str(path), "-o", str(path.with_suffix(f".{fmt}"))]
            done = checked(run_once(cmd), cmd)
            wall, cpu = wall + done.wall, cpu + done.cpu
        timing.add(wall, cpu)
        print(f"  naive run {run + 1}/{runs}: {len(paths)} dot processes, {wall:.2f} s,"
              f" CPU {cpu:.2f} s", flush=True)
    return timing


def fresh(path: Path) -> None:
    """Remove ``path`` (a file or a folder) if it is there."""
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def fast(args: list[str], out: Path, workdir: Path, runs: int) -> Timing:
    """``gbp ARGS`` in ``workdir``, its output removed before each run."""
    timing = measure([str(GBP), *args], runs, cwd=workdir, prepare=lambda: fresh(out))
    print(f"  gbp {' '.join(args)}: best {timing.best:.3f} s, median {timing.median:.3f} s,"
          f" CPU {timing.cpu_best:.3f} s", flush=True)
    if not out.exists():
        raise BenchError(f"'gbp {' '.join(args)}' exited 0 but wrote no {out.name}")
    return timing


def svg_texts(svg: bytes) -> list[str]:
    """The text a frame shows (every <text> element), in a layout-independent order."""
    return sorted(re.findall(r"<text[^>]*>(.*?)</text>", svg.decode("utf-8"), re.S))


def bench_svg(workdir: Path, runs: int, naive_runs: int) -> Contest:
    """SVG frames of the two-layer network, both ways, and whether their texts agree."""
    source = workdir / "net.py"
    source.write_text(network_source(), encoding="utf-8")
    gates, paths = dot_sources(str(source), workdir / "naive-svg")
    print(f"two-layer network: {gates} gates, {len(paths)} frames", flush=True)
    out = workdir / "frames"
    timing = fast(["render", "net.py", "-o", "frames/"], out, workdir, runs)
    made = sorted(out.glob("*.svg"))
    slow = naive(paths, "svg", [], naive_runs)
    pairs = zip(made, (p.with_suffix(".svg") for p in paths))
    mismatches = sum(svg_texts(a.read_bytes()) != svg_texts(b.read_bytes()) for a, b in pairs)
    return Contest(gates, len(paths), timing, slow, len(made), mismatches)


def gif_frames(path: Path) -> int:
    """How many frames the GIF holds (Pillow is one of the package's dependencies)."""
    from PIL import Image

    with Image.open(path) as image:
        return getattr(image, "n_frames", 1)


def bench_gif(workdir: Path, runs: int, naive_runs: int) -> Contest:
    """micrograd's README example as a GIF, both ways."""
    gates, paths = dot_sources(MICROGRAD_README, workdir / "naive-png")
    print(f"micrograd README example: {gates} gates, {len(paths)} frames", flush=True)
    out = workdir / "mg.gif"
    timing = fast(["render", MICROGRAD_README, "-o", "mg.gif"], out, workdir, runs)
    slow = naive(paths, "png", ["-Gdpi=72"], naive_runs)
    return Contest(gates, len(paths), timing, slow, gif_frames(out))


# ---- the report -----------------------------------------------------------------------------

def runs_text(timing: Timing) -> str:
    n = len(timing.walls)
    return f"best of {n}" if n > 1 else "1 run"


def contest_rows(c: Contest, fast_cmd: str, naive_cmd: str, target: float,
                 outputs: str) -> list[list[str]]:
    """The rows of one contest: both ways, the speed-ups, the checks."""
    rows = [
        [f"`{fast_cmd}`, start to exit ({runs_text(c.fast)}; median"
         f" {c.fast.median:.3f} s)", seconds(c.fast.best), seconds(c.fast.cpu_best), "", ""],
        [f"naive: `{naive_cmd}` on each of the {c.frames} frames' DOT source, one process"
         f" per frame, in turn ({runs_text(c.naive)})", seconds(c.naive.best, 2),
         seconds(c.naive.cpu_best, 2), "", ""],
        ["**speed-up** (naive / gbp, wall-clock)", f"**{c.speedup:.1f}x**", "",
         f">= {target:g}x", f"**{verdict(c.speedup >= target)}**"],
        ["speed-up in CPU time (for reference)", f"{c.speedup_cpu:.1f}x", "", "", ""],
        [f"frame count: {c.frames} DOT sources, {c.fast_outputs} {outputs}", "", "", "", ""],
    ]
    if c.mismatches is not None:
        same = c.fast_outputs == c.frames
        rows[-1][3:] = ["equal", verdict(same)]
        rows.append(["frames whose texts differ between gbp and naive", str(c.mismatches),
                     "", "0", verdict(c.mismatches == 0)])
    return rows


def section(svg: Contest, gif: Contest, machine: Machine) -> list[str]:
    """The Markdown section for docs/performance.md."""
    rows = contest_rows(svg, "gbp render net.py -o frames/", "dot -Tsvg", SVG_TARGET,
                        "SVG files written by gbp")
    rows += contest_rows(gif, "gbp render micrograd-readme -o mg.gif", "dot -Tpng -Gdpi=72",
                         GIF_TARGET, "frames in the GIF")
    return [
        "## Rendering: `gbp render` against Graphviz on every frame",
        "",
        f"Produced by `{invocation(SCRIPT)}`.",
        "",
        *machine.markdown(),
        "",
        *table(["Measurement", "Wall", "CPU", "Target", "Result"], rows, "lrrrl"),
        "",
        f"The first six rows: every SVG frame of a generated two-layer network ({N_INPUTS}"
        f" inputs, {N_HIDDEN} tanh units, one sigmoid output, every weight a number drawn"
        f" with `random.Random({SEED})`): {svg.gates} gates. The rest: micrograd's README"
        f" example as published (the library's `micrograd-readme`), {gif.gates} gates, as an"
        " animated GIF. `gbp` is timed as a whole process, start to exit, after one"
        " uncounted warm-up run, into an empty temporary folder. The naive baseline of the"
        " same run is only"
        " the `dot` processes, one per frame, run one after the other on the DOT sources"
        " the package makes for each frame (`gb.trace(path).frames[i].dot.source`, made and"
        " written to files before the timing starts): it does no Python start-up, no"
        " drawing in Python and, for the GIF, no assembling of the animation. CPU time is"
        " user + system of the processes; unlike wall-clock time it does not credit work"
        " done on several cores at once. Texts are compared as the sorted contents of every"
        " `<text>` element of each frame.",
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="counted runs of each gbp command")
    ap.add_argument("--naive-runs", type=int, default=1,
                    help="runs of the naive way (each is a process per frame; default 1)")
    ap.add_argument("--no-doc", action="store_true", help="only print, do not write the doc")
    args = ap.parse_args(argv)

    def measure_all(machine: Machine, tmp: Path) -> list[str]:
        (tmp / "svg").mkdir()
        (tmp / "gif").mkdir()
        svg = bench_svg(tmp / "svg", args.runs, args.naive_runs)
        gif = bench_gif(tmp / "gif", args.runs, args.naive_runs)
        machine.finish()
        return section(svg, gif, machine)

    return run_benchmark(SCRIPT, measure_all, args.no_doc)


if __name__ == "__main__":
    sys.exit(main())
