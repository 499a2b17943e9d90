"""Hostile-input benchmark: how fast ``gbp`` refuses inputs built to make it hang or eat memory.

    .venv/bin/python benchmarks/hostile.py [--runs 3] [--timeout 60] [--no-doc]

The promise (docs/conventions.md): every hostile input answers within 5 s on this machine,
under a 2 GB memory cap, with one line ``Error: ...`` and exit code 2.  The tests check the
answers but never read the clock; this script measures the time.  Each case runs as its own
process with ``RLIMIT_AS`` set to 2 GiB in the child, ``--runs`` times (best wall-clock
time, start to exit, is reported), killed after ``--timeout`` seconds (TIMEOUT; a case that
times out is not run again).  Also recorded: the child's peak resident memory (``ru_maxrss``
from ``os.wait4``), its exit code, and whether its output (stdout and stderr together) was
exactly one line starting with ``Error: ``.  Targets per case: best time <= 5 s, exit code 2
and one Error line (one case, a claim too complex to check, may also answer with a report
and exit code 1).  The first row, ``gbp --version``, is the start-up every case pays,
measured in the same run.  A missed target prints MISS; the exit code is 0 all the same.
The script rewrites only its own section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from common import (
    GBP,
    BenchError,
    CappedRun,
    Machine,
    invocation,
    run_benchmark,
    run_capped,
    seconds,
    table,
    verdict,
)

SCRIPT = "hostile.py"
CAP = 2 << 30  # bytes: the memory cap of every run
TARGET = 5.0  # seconds, on the best time
#: How much of the answer the table shows.
ANSWER_CHARS = 72


@dataclass(frozen=True)
class Case:
    """One hostile command: how the table labels it, what runs, which exit codes pass."""

    label: str
    argv: list[str]
    codes: tuple[int, ...] = (2,)
    #: Whether a report (exit 1) instead of one Error line also passes.
    report_ok: bool = False


@dataclass
class Result:
    """The runs of one case."""

    runs: list[CappedRun] = field(default_factory=list)

    @property
    def timed_out(self) -> bool:
        return any(r.timed_out for r in self.runs)

    @property
    def best(self) -> float | None:
        return None if self.timed_out else min(r.wall for r in self.runs)

    @property
    def peak_rss(self) -> int:
        return max(r.peak_rss for r in self.runs)

    @property
    def last(self) -> CappedRun:
        return self.runs[-1]


# ---- the inputs --------------------------------------------------------------------------

def nest(function: str, depth: int, inner: str = "x") -> str:
    """``function(function(...(inner)))``, ``depth`` calls deep."""
    for _ in range(depth):
        inner = f"{function}({inner})"
    return inner


def names(count: int) -> str:
    """``a0,a1,...`` with ``count`` names."""
    return ",".join(f"a{i}" for i in range(count))


def expression_file(folder: Path, stem: str, *, extra: str = "", at_extra: str = "",
                    x: str = "1") -> Path:
    """An expression file (``expression = "x*y"``, ``[at] x = 1, y = 2``) with ``extra``
    lines at the top level and ``at_extra`` lines in ``[at]``; ``x`` replaces x's value."""
    text = ('name = "sub"\ntitle = "t"\ndescription = "d"\nsource = "s"\n'
            'expression = "x*y"\n' + extra + f"[at]\nx = {x}\ny = 2\n" + at_extra)
    path = folder / f"{stem}.toml"
    path.write_text(text)
    return path


def code_file(folder: Path, stem: str, dx: str) -> Path:
    """The cs231n example as code, with ``dx = dq * 1`` replaced by ``dx = {dx}``."""
    path = folder / f"{stem}.py"
    path.write_text("x = -2; y = 5; z = -4\nq = x + y\nf = q * z\ndq = z\n"
                    f"dx = {dx}\ndy = dq\ndz = q\n")
    return path


def cases(folder: Path) -> list[Case]:
    """Every hostile case, its files written into ``folder``."""
    gbp = str(GBP)
    dotted = expression_file(folder, "dotted-key",
                             extra=".".join(["k"] * 28_000) + " = 1\n")
    deep = expression_file(folder, "deep-array",
                           at_extra="z = " + "[" * 2000 + "]" * 2000 + "\n")
    int400 = expression_file(folder, "int-400", x="9" * 400)
    int5000 = expression_file(folder, "int-5000", x="9" * 5000)
    fifo = folder / "pipe.toml"
    os.mkfifo(fifo)
    claim = folder / "claim.toml"
    claim.write_text('expression = "x*y"\n[at]\nx = 2\ny = 3\n[claims]\n'
                     f'"df/dx" = "{nest("exp", 6)}"\n')
    tower10 = code_file(folder, "tower-10", "dq * 10**10**10")
    tower2 = code_file(folder, "tower-2", "2**2**2**2**2**2")
    ones = ", ".join(["1"] * 1000)
    tanhs = folder / "tanh-chain.py"
    tanhs.write_text("a = [" + ",".join(["1"] * 30_000) + "]\n" + "a = tanh(a)\n" * 2000
                     + "f = sum(a)\n")
    squares = folder / "matmul-chain.py"
    squares.write_text("B = [" + ",".join("[" + ",".join(["1"] * 180) + "]" for _ in range(180))
                       + "]\n" + "B = B @ B / 180\n" * 40 + "f = sum(B)\n")
    return [
        Case("eval elu(...) nested 6 deep", [gbp, "eval", nest("elu", 6)]),
        Case("eval leaky_relu(...) nested 8 deep", [gbp, "eval", nest("leaky_relu", 8)]),
        Case("eval exp(...) nested 190 deep", [gbp, "eval", nest("exp", 190)]),
        Case("eval max(a0,...,a59)", [gbp, "eval", f"max({names(60)})"]),
        Case("eval max(a0,...,a299)", [gbp, "eval", f"max({names(300)})"]),
        Case("eval 1/(x-x) --json", [gbp, "eval", "1/(x-x)", "--json"]),
        Case("eval log(x-x)+y", [gbp, "eval", "log(x-x)+y"]),
        Case("eval np.outer of two 1,000-vectors, squared",
             [gbp, "eval", f"a = [{ones}]; M = np.outer(a, a); f = sum(M @ M)"]),
        Case("eval file: 2,000 tanh gates on a 30,000-vector", [gbp, "eval", str(tanhs)]),
        Case("eval file: B = B @ B / 180, 40 times, 180×180", [gbp, "eval", str(squares)]),
        Case("eval file: dotted key of 28,000 parts", [gbp, "eval", str(dotted)]),
        Case("eval file: [at] array nested 2,000 deep", [gbp, "eval", str(deep)]),
        Case("eval file: [at] x = integer of 400 digits", [gbp, "eval", str(int400)]),
        Case("eval file: [at] x = integer of 5,000 digits", [gbp, "eval", str(int5000)]),
        Case("eval FIFO", [gbp, "eval", str(fifo)]),
        Case("check FIFO", [gbp, "check", str(fifo)]),
        Case('check claim "df/dx" = exp(...) nested 6 deep', [gbp, "check", str(claim)],
             codes=(1, 2), report_ok=True),
        Case("check code: dx = dq * 10**10**10", [gbp, "check", str(tower10)]),
        Case("check code: dx = 2**2**2**2**2**2", [gbp, "check", str(tower2)]),
    ]


# ---- measuring ---------------------------------------------------------------------------

def output_lines(run: CappedRun) -> list[str]:
    """The non-blank lines of stdout and stderr together."""
    text = (run.stdout + run.stderr).decode("utf-8", "replace")
    return [line for line in text.splitlines() if line.strip()]


def one_error_line(run: CappedRun) -> bool:
    """Whether the output is exactly one line, starting with ``Error: ``."""
    lines = output_lines(run)
    return len(lines) == 1 and lines[0].startswith("Error: ")


def time_case(label: str, argv: list[str], runs: int, timeout: float, cwd: Path) -> Result:
    """Run ``argv`` ``runs`` times under the cap (stopping at the first timeout)."""
    result = Result()
    for _ in range(runs):
        run = run_capped(argv, CAP, timeout, cwd=cwd)
        result.runs.append(run)
        if run.timed_out:
            break
    shown = "TIMEOUT" if result.timed_out else f"best {result.best:.3f} s"
    print(f"  {label:48} {shown}, exit {result.last.returncode},"
          f" peak RSS {result.peak_rss / 2**20:.0f} MB", flush=True)
    return result


def passes(case: Case, result: Result) -> bool:
    """Every target of the case: time, exit code and answer (judged on every run)."""
    if result.timed_out or result.best is None or result.best > TARGET:
        return False
    for run in result.runs:
        if run.returncode not in case.codes:
            return False
        if not one_error_line(run) and not (case.report_ok and run.returncode == 1):
            return False
    return True


def cell(text: str) -> str:
    """``text`` safe inside a Markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "'")


def answer(run: CappedRun) -> str:
    """The first line of the answer, shortened, with how many lines there were."""
    if run.timed_out:
        return "(killed)"
    lines = output_lines(run)
    if not lines:
        return "(no output)"
    first = lines[0] if len(lines[0]) <= ANSWER_CHARS else lines[0][:ANSWER_CHARS - 1] + "…"
    more = "" if len(lines) == 1 else f" (+{len(lines) - 1} more lines)"
    return cell(first) + more


def row(label: str, result: Result, target: str, ok: bool | None) -> list[str]:
    """A table row."""
    last = result.last
    return [cell(label),
            f"TIMEOUT (> {last.wall:.0f} s)" if result.timed_out else seconds(result.best),
            f"{result.peak_rss / 2**20:.0f} MB",
            "–" if last.timed_out else str(last.returncode),
            "yes" if one_error_line(last) else "no",
            answer(last), target, "" if ok is None else f"**{verdict(ok)}**"]


def section(baseline: Result, all_cases: list[Case], results: list[Result], runs: int,
            timeout: float, machine: Machine) -> list[str]:
    """The Markdown section for docs/performance.md."""
    header = ["Case", f"Best of {runs}", "Peak RSS", "Exit", "One `Error:` line",
              "Answer (first line)", "Target", "Result"]
    rows = [row("gbp --version (start-up baseline)", baseline, "", None)]
    for case, result in zip(all_cases, results):
        target = (f"<= {TARGET:.0f} s, exit 2 and one Error line" if not case.report_ok
                  else f"<= {TARGET:.0f} s, exit 2 and one Error line, or exit 1 and a report")
        rows.append(row(case.label, result, target, passes(case, result)))
    missed = sum(not passes(c, r) for c, r in zip(all_cases, results))
    return [
        "## Hostile inputs: one `Error:` line within 5 s under a 2 GB memory cap",
        "",
        f"Produced by `{invocation(SCRIPT)}`.",
        "",
        *machine.markdown(),
        "",
        *table(header, rows, "lrrrllll"),
        "",
        f"{len(all_cases) - missed} of {len(all_cases)} cases meet every target.",
        "",
        "Each case is a whole `gbp` process (the `.venv/bin/gbp` script), run with its"
        " address space capped at 2 GiB (`RLIMIT_AS`, set in the child before it starts)"
        f" and killed after {timeout:.0f} s (TIMEOUT, and not run again). The time is the"
        f" best of {runs} runs, wall-clock from just before the process is started to just"
        " after it has exited, without a warm-up run (one uncounted `gbp --version` before"
        " everything warms the file cache). Peak RSS is the largest `ru_maxrss` of the"
        " child over its runs (`os.wait4`); exit code and answer are those of the last run."
        " *One `Error:` line* means stdout and stderr together hold exactly one non-blank"
        " line and it starts with `Error: `. A case passes if every run answered that way"
        " with exit code 2 and the best time is within 5 s; the claim"
        " `\"df/dx\" = exp(exp(exp(exp(exp(exp(x))))))` may instead be answered with a report"
        " and exit code 1 (a per-claim \"too complex\" verdict). The first row is the"
        " start-up every case pays, from the same run.",
        "",
        "The inputs, written into a temporary folder: symbolic `gbp eval` (no `--at`) of"
        " `elu(elu(...(x)))` 6 calls deep, `leaky_relu` 8 deep, `exp` 190 deep,"
        " `max(a0,...,a59)`, `max(a0,...,a299)`, `1/(x-x)` (with `--json`) and"
        " `log(x-x)+y`; an expression file (`name`, `title`, `description`, `source`,"
        " `expression = \"x*y\"`, `[at]` `x = 1`, `y = 2`) with, in turn, an extra top-level"
        " dotted key of 28,000 parts (`k.k.k...k = 1`), an `[at]` value `z` that is an array"
        " nested 2,000 deep (`[[[...]]]`), and `x` an integer of 400 and of 5,000 nines; a"
        " FIFO (`os.mkfifo`, nothing ever writes to it) given to `gbp eval` and to"
        " `gbp check`; `gbp check` of a derivation (`expression = \"x*y\"`, `[at]` `x = 2`,"
        " `y = 3`, `[claims]` `\"df/dx\" = \"exp(exp(exp(exp(exp(exp(x))))))\"`); and"
        " `gbp check` of the cs231n example as code (`x = -2; y = 5; z = -4`, `q = x + y`,"
        " `f = q * z`, `dq = z`, `dx = ...`, `dy = dq`, `dz = q`) whose `dx` line is"
        " `dx = dq * 10**10**10`, and then `dx = 2**2**2**2**2**2`.",
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="runs of each case (best is shown)")
    ap.add_argument("--timeout", type=float, default=60.0,
                    help="seconds after which a run is killed")
    ap.add_argument("--no-doc", action="store_true", help="only print, do not write the doc")
    args = ap.parse_args(argv)

    def need_gbp() -> None:
        if not GBP.exists():
            raise BenchError(f"'{GBP}' not found: run the benchmarks with the Python of the"
                             " environment the package is installed in (make bench)")

    def measure_all(machine: Machine, folder: Path) -> list[str]:
        version = [str(GBP), "--version"]
        run_capped(version, CAP, args.timeout, cwd=folder)  # warms the file cache
        baseline = time_case("gbp --version", version, args.runs, args.timeout, folder)
        if baseline.timed_out or baseline.last.returncode != 0:
            raise BenchError(f"'gbp --version' failed: {answer(baseline.last)}")
        all_cases = cases(folder)
        results = [time_case(c.label, c.argv, args.runs, args.timeout, folder)
                   for c in all_cases]
        machine.finish()
        return section(baseline, all_cases, results, args.runs, args.timeout, machine)

    return run_benchmark(SCRIPT, measure_all, args.no_doc, check=need_gbp)


if __name__ == "__main__":
    sys.exit(main())
