"""gbp check against hostile derivations: every bad file ends in one ``Error:`` line and exit
code 2 (in a folder: one row of the table), quickly and in bounded memory.

The inputs that used to hang or eat memory also run in a gbp process limited to 2 GB of
address space; its generous timeout only catches a hang (no test reads the clock).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

import graphviz_backprop.check.budget as budget_module
import graphviz_backprop.check.claims as claims_module
import graphviz_backprop.check.compare as compare_module
import graphviz_backprop.check.interpret as interpret_module
from graphviz_backprop.cli import main

#: A numeric forward pass and a symbolic one (no values), for TOML derivations.
NUMERIC = 'program = """\nx = 3; y = -2\nq = x * y\nf = q + x\n"""\n'
SYMBOLIC = 'program = """\nq = x * y\nf = q + x\n"""\n'


def gbp_check(capsys, *args: object) -> tuple[int, str, str]:
    """``gbp check ARGS`` through the real entry point: exit code, stdout, stderr."""
    code = main(["check", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_error(code: int, out: str, err: str, *needles: str) -> str:
    """Exit code 2, nothing on stdout, one ``Error:`` line holding every needle."""
    lines = err.splitlines()
    assert code == 2, out + err
    assert out == ""
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    assert "internal error" not in err and "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def _two_gigabytes() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def gbp_process(*args: object, **env: str) -> subprocess.CompletedProcess:
    """``gbp check ARGS`` as its own process with 2 GB of address space; the timeout only
    catches a hang."""
    return subprocess.run([sys.executable, "-m", "graphviz_backprop", "check", *map(str, args)],
                          capture_output=True, text=True, timeout=120,
                          preexec_fn=_two_gigabytes, env=dict(os.environ, **env))


def one_error_line(done: subprocess.CompletedProcess, *needles: str) -> str:
    return one_error(done.returncode, done.stdout, done.stderr, *needles)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


# ---- TOML read through the screening loader ----------------------------------------------------

@pytest.mark.parametrize("text, needles", [
    pytest.param(NUMERIC + "claims = " + "[" * 2000 + "]" * 2000 + "\n",
                 ["nested more than 20 levels deep", "line 6"], id="deep-array"),
    pytest.param(NUMERIC + "claims = " + "{a = " * 2000 + "1" + "}" * 2000 + "\n",
                 ["nested more than 20 levels deep", "line 6"], id="deep-inline-table"),
    pytest.param(NUMERIC + "[claims]\n" + ".".join(["a"] * 10_000) + " = 1\n",
                 ["dotted key of more than 20 parts", "line 7"], id="dotted-key"),
    pytest.param(NUMERIC + "[claims]\n" + "a." * 25 + "b = 1\n",
                 ["dotted key", "line 7"], id="dotted-key-short"),
    pytest.param(NUMERIC + "x" * 200_001, ["TOML file is 200,", "the limit is 200,000"],
                 id="too-long"),
])
def test_toml_is_screened_before_it_is_parsed(tmp_path, capsys, text, needles):
    path = write(tmp_path, "hw.toml", text)
    one_error(*gbp_check(capsys, path), "hw.toml: ", *needles)


def test_deep_toml_in_a_process(tmp_path):
    path = write(tmp_path, "hw.toml", NUMERIC + "[claims]\n" + ".".join(["a"] * 10_000) + " = 1\n")
    one_error_line(gbp_process(path), "dotted key")


def test_unquoted_slash_key_keeps_its_hint(tmp_path, capsys):
    path = write(tmp_path, "hw.toml", NUMERIC + "[claims]\ndf/dx = 3\n")
    one_error(*gbp_check(capsys, path), "not valid TOML", "line 7",
              "a key with '/' must be quoted: \"df/dx\" = 3")


BIG = "1" + "0" * 400
HUGE = "1" + "0" * 5000


@pytest.mark.parametrize("text, needles", [
    pytest.param(NUMERIC + f'[claims]\n"df/dx" = {BIG}\n',
                 ["claim 'df/dx' is too large for float64", "about 401 digits", "line 7"],
                 id="claim-400-digits"),
    pytest.param(NUMERIC + f'[claims]\ndq = -{BIG}\n',
                 ["claim 'dq' is too large for float64", "line 7"], id="claim-negative"),
    pytest.param(NUMERIC + f'[claims]\n"df/dx" = 0x{"f" * 400}\n',
                 ["claim 'df/dx' is too large for float64", "line 7"], id="claim-hex"),
    pytest.param(NUMERIC + f'[claims]\nq = 1\n"df/dx" = {HUGE}\n',
                 ["claim 'df/dx' is too large for float64", "5,001 digits", "line 8"],
                 id="claim-5000-digits"),
    pytest.param(f'expression = "x * y"\n[at]\nx = 1\ny = {BIG}\n[claims]\n"df/dx" = 2\n',
                 ["[at]: value of 'y' is too large for float64", "line 4"], id="at-400-digits"),
    pytest.param(f'expression = "x * y"\n[at]\nx = 1\ny = {HUGE}\n[claims]\n"df/dx" = 2\n',
                 ["[at]: value of 'y' is too large for float64", "5,001 digits", "line 4"],
                 id="at-5000-digits"),
    pytest.param(f'expression = "x * y"\nat = {{x = 1, y = {BIG}}}\n[claims]\n"df/dx" = 2\n',
                 ["[at]: value of 'y' is too large", "line 2"], id="at-inline"),
    pytest.param('expression = "x * y"\n[at]\nx = 1\ny = inf\n[claims]\n"df/dx" = 2\n',
                 ["[at]: value of 'y' is not a finite number: inf", "line 4"], id="at-inf"),
])
def test_huge_toml_numbers_name_their_key(tmp_path, capsys, text, needles):
    path = write(tmp_path, "hw.toml", text)
    one_error(*gbp_check(capsys, path), "hw.toml: ", *needles)


# ---- a pipe is refused, never waited on --------------------------------------------------------

GOOD_CODE = "x = -2; y = 5; z = -4\nq = x + y\nf = q * z\ndq = z\ndx = dq\ndy = dq\ndz = q\n"


@pytest.mark.parametrize("name", ["hw.py", "hw.toml"])
def test_a_pipe_is_refused_at_once(tmp_path, capsys, name):
    pipe = tmp_path / name
    os.mkfifo(pipe)  # nobody ever writes to it: reading would wait forever
    one_error(*gbp_check(capsys, pipe), f"{name}: ", "is not a regular file")


def test_a_pipe_is_refused_in_a_process(tmp_path):
    pipe = tmp_path / "hw.py"
    os.mkfifo(pipe)
    one_error_line(gbp_process(pipe), "is not a regular file")


def test_a_pipe_in_a_folder_is_a_row_and_the_others_go_on(tmp_path, capsys):
    write(tmp_path, "a-good.py", GOOD_CODE)
    os.mkfifo(tmp_path / "b-pipe.py")
    os.mkfifo(tmp_path / "c-pipe.toml")
    (tmp_path / "d-dangling.py").symlink_to(tmp_path / "nowhere.py")
    write(tmp_path, "e-good.py", GOOD_CODE)
    (tmp_path / "f-loop.py").symlink_to(tmp_path / "f-loop.py")
    os.mkfifo(tmp_path / "notes.txt")  # not a derivation's name: not listed
    code, out, err = gbp_check(capsys, tmp_path)
    assert code == 1 and err == ""
    rows = {line.split()[0]: line for line in out.splitlines()[1:7]}
    assert list(rows) == ["a-good.py", "b-pipe.py", "c-pipe.toml", "d-dangling.py", "e-good.py",
                          "f-loop.py"]
    assert rows["a-good.py"].split()[1:4] == rows["e-good.py"].split()[1:4] == ["4", "0", "-"]
    for name in ("b-pipe.py", "c-pipe.toml"):
        assert "unreadable:" in rows[name] and "is not a regular file" in rows[name]
    assert "unreadable: cannot read" in rows["d-dangling.py"]
    assert "unreadable: cannot read" in rows["f-loop.py"]
    assert "6 files: 2 all right, 0 with wrong claims, 4 unreadable" in out
    done = gbp_process(tmp_path, "--json")
    assert done.returncode == 1, done.stderr
    files = {f["file"]: f for f in json.loads(done.stdout)["files"]}
    assert "is not a regular file" in files["b-pipe.py"]["error"]
    assert files["e-good.py"]["ok"]


# ---- spot checks of towers of exp and pow: bounded, never MemoryError --------------------------

TOWERS = [
    "exp(exp(exp(exp(exp(exp(x))))))",
    "exp(exp(exp(exp(exp(exp(-x))))))",  # used to hang
    "exp(exp(exp(exp(exp(exp(exp(x)))))))",
    "exp(exp(exp(exp(exp(x*y)))))",
    "x**x**x**x**x**x",
    "(x + 1)**exp(exp(exp(exp(x))))",
    "sigmoid(exp(exp(exp(exp(exp(x))))))",
]


@pytest.mark.parametrize("tower", TOWERS)
@pytest.mark.parametrize("fmt", ["toml", "code"])
def test_a_tower_of_exponentials_is_simply_wrong(tmp_path, capsys, tower, fmt):
    if fmt == "toml":
        path = write(tmp_path, "hw.toml", f'program = "f = x * y"\n[claims]\n"df/dx" = "{tower}"\n')
    else:
        path = write(tmp_path, "hw.py", f"f = x * y\ndx = {tower}\ndy = x\n")
    code, out, err = gbp_check(capsys, path)
    assert (code, err) == (1, ""), err
    assert "1 of " in out and "claims wrong. First wrong step: line " in out


@pytest.mark.parametrize("name, text", [
    ("hw.toml", 'program = "f = x * y"\n[claims]\n"df/dx" = "exp(exp(exp(exp(exp(exp(x))))))"\n'),
    ("hw.py", "f = x * y\ndx = exp(exp(exp(exp(exp(exp(-x))))))\ndy = x\n"),
])
def test_a_tower_in_a_process(tmp_path, name, text):
    done = gbp_process(write(tmp_path, name, text))
    assert done.returncode == 1 and done.stderr == "", done.stderr
    assert "First wrong step: line " in done.stdout


def test_a_tower_that_vanishes_wherever_it_can_be_worked_out(tmp_path, capsys):
    # relu(-tower) is 0 wherever the tower can be worked out; past 10**1000 a spot point is
    # skipped, not worked out to the last digit
    path = write(tmp_path, "hw.toml", 'program = """\nx = 0; y = 2\nf = x * y\n"""\n[claims]\n'
                 '"df/dx" = "y + relu(-exp(exp(exp(1000*x))))"\n')
    code, out, err = gbp_check(capsys, path)
    assert (code, err) == (0, ""), out + err
    assert "All 1 claim hold." in out


# ---- exact arithmetic of the symbolic backward pass is bounded ---------------------------------

SYMBOLIC_CODE = "q = x * y\nf = q + x\ndq = 1\n{}\ndy = x\n"  # the line under test is line 4
NUMERIC_CODE = "x = 3; y = -2\nq = x * y\nf = q + x\ndq = 1\n{}\ndy = x\n"  # ... line 5


@pytest.mark.parametrize("line", [
    "dx = dq * 10**10**10",  # used to hang
    "dx = 2**2**2**2**2**2",  # used to take 2.8 GB
    "dx = dq * 10**-10**10",
    "dx = dq * (2*x)**10**10",  # sympy distributes the power over the product
    "dx = dq * (x**0.5 * 2)**(10**10)",
    "dx = dq * 4**(10**10/2)",
    "dx = dq * (1/3)**5000",
    "dx = dq * (y + 2)**(10**10)",  # not worked out by sympy, but refused all the same
])
def test_exact_powers_are_refused_before_they_are_computed(tmp_path, capsys, line):
    path = write(tmp_path, "hw.py", SYMBOLIC_CODE.format(line))
    one_error(*gbp_check(capsys, path), "hw.py: exact arithmetic: this power would be a number"
              " of about ", " digits; the limit is 1,000 (line 4, column ")


@pytest.mark.parametrize("line", ["dx = dq * 10**10**10", "dx = 2**2**2**2**2**2"])
def test_exact_powers_in_a_process(tmp_path, line):
    one_error_line(gbp_process(write(tmp_path, "hw.py", SYMBOLIC_CODE.format(line))),
                   "exact arithmetic", "(line 4, column")


def test_a_product_of_long_numbers_is_refused(tmp_path, capsys):
    path = write(tmp_path, "hw.py", SYMBOLIC_CODE.format("c = 7**600 * dq\ndx = c * c"))
    one_error(*gbp_check(capsys, path), "exact arithmetic: the result is a number of more than"
              " 1,000 digits (line 5, column 6)")


def test_a_long_exact_number_is_shown_rounded(tmp_path, capsys):
    # 3**2000 has 955 digits: allowed, but no float64 holds it; the table and the JSON show it
    path = write(tmp_path, "hw.py", SYMBOLIC_CODE.format("c = 3**1000\ndx = c * c * dq"))
    code, out, err = gbp_check(capsys, path)
    assert (code, err) == (1, "")
    assert "(claimed 1.74787e+954, correct y + 1)" in out
    code, out, err = gbp_check(capsys, path, "--json")
    claims = {c["name"]: c for c in json.loads(out)["claims"]}  # strict JSON: no Infinity
    assert claims["dx"]["given"] == "1.74787e+954"


def test_numeric_powers_overflow_at_once(tmp_path, capsys):
    path = write(tmp_path, "hw.py", NUMERIC_CODE.format("dx = dq * 10**10**10"))
    one_error(*gbp_check(capsys, path), "the result overflows float64 (line 5, column 11)")


# ---- results that are not finite, or not real, name their line ---------------------------------

@pytest.mark.parametrize("line, needle", [
    ("dx = dq / (y - y)", "the result is not a finite number (line 4, column 6)"),
    ("dx = dq * log(0)", "log() is not defined here (line 4, column 11)"),
    ("dx = dq * log(-1)", "the result of log() is not a real number (line 4, column 11)"),
    ("dx = dq * sqrt(-1)", "the result of sqrt() is not a real number (line 4, column 11)"),
    ("dx = dq * (-8)**(1/3)", "the result is not a real number (line 4, column 11)"),
    ("dx = dq * exp(10**999)", "the result of exp() is not a finite number of at most 1,000"
                               " digits (line 4, column 11)"),
    ("dx = max(exp(exp(exp(exp(2)))), 1) * dq", "the result of exp() is not a finite number"),
])
def test_symbolic_backward_results_must_be_finite_reals(tmp_path, capsys, line, needle):
    path = write(tmp_path, "hw.py", SYMBOLIC_CODE.format(line))
    one_error(*gbp_check(capsys, path), "hw.py: ", needle)


@pytest.mark.parametrize("formula, why", [
    ("1/(x - x)", "infinite, as 1/0 or log(0)"),
    ("q/(q - x*y)", "infinite, as 1/0 or log(0)"),  # zero only once q is written out
    ("log(q - x*y)", "infinite, as 1/0 or log(0)"),
])
def test_a_symbolic_claim_that_is_not_finite_is_an_error(tmp_path, capsys, formula, why):
    path = write(tmp_path, "hw.toml", SYMBOLIC + f'[claims]\n"df/dx" = "{formula}"\n')
    one_error(*gbp_check(capsys, path), "hw.toml: claim 'df/dx': the formula is not a finite"
              f" number for any input ({why}) (line 6)")


# ---- max/min of many arguments, and deep nesting -----------------------------------------------

def many(func: str, count: int, term: str = "x*{}") -> str:
    return f"{func}(" + ", ".join(term.format(i) for i in range(count)) + ")"


def nested_max(levels: int) -> str:
    """A max of 100 arguments inside one inside one ...: a tree thousands of levels deep."""
    e = "x"
    for _ in range(levels):
        e = "max(" + e + ", " + ", ".join(f"y*{i}" for i in range(99)) + ")"
    return e


@pytest.mark.parametrize("func", ["max", "min"])
@pytest.mark.parametrize("where", ["toml", "code", "symbolic-code"])
def test_too_many_arguments_are_refused_with_the_claim_or_line(tmp_path, capsys, func, where):
    call = many(func, 300)
    if where == "toml":
        path = write(tmp_path, "hw.toml", NUMERIC + f'[claims]\n"df/dx" = "{call}"\n')
        needles = ["claim 'df/dx': formula 'max(x*0, x*1," if func == "max" else "claim 'df/dx'",
                   "...': ", f"{func}() of 300 arguments; the limit is 100", "(line 7)"]
    else:
        code = NUMERIC_CODE if where == "code" else SYMBOLIC_CODE
        path = write(tmp_path, "hw.py", code.format(f"dx = {call}"))
        needles = [f"{func}() of 300 arguments; the limit is 100",
                   f"(line {5 if where == 'code' else 4}, column 6)"]
    line = one_error(*gbp_check(capsys, path), *needles)
    assert len(line) < 400  # the formula is cut short


DEEP_MAX = ("max() of many arguments, nested: taken two at a time, as the circuit draws it, it"
            " is 2")
DEEP_LIMIT = "levels deep; the limit is 200 (take it in steps: m = max(...), then max(m, ...))"


def test_max_of_100_arguments_twice_nested_is_worked_out_without_recursion(tmp_path, capsys):
    # 2 levels of max(..., 99 more): 198 calls deep as the circuit draws it, worked out to
    # x = 3 (the largest), a wrong claim: df/dx = y + 1 = -1
    path = write(tmp_path, "hw.py", NUMERIC_CODE.format(f"dx = {nested_max(2)}"))
    code, out, err = gbp_check(capsys, path)
    assert (code, err) == (1, ""), err
    assert "(claimed 3, correct -1)" in out


def test_nested_max_in_symbolic_code_is_refused_at_its_line(tmp_path, capsys):
    path = write(tmp_path, "hw.py", SYMBOLIC_CODE.format(f"dx = {nested_max(2)}"))
    one_error(*gbp_check(capsys, path), "symbolic mode: max/min nest more than 12 deep here",
              "give values for the inputs (x, y) (line 4, column ")


@pytest.mark.parametrize("where", ["code", "symbolic-code"])
def test_max_nested_thousands_of_calls_deep_is_refused_at_its_line(tmp_path, capsys, where):
    # 60 levels: 5,940 calls deep once taken two at a time; refused as it is read
    code = NUMERIC_CODE if where == "code" else SYMBOLIC_CODE
    path = write(tmp_path, "hw.py", code.format(f"dx = {nested_max(60)}"))
    one_error(*gbp_check(capsys, path), DEEP_MAX, DEEP_LIMIT,
              f"(line {5 if where == 'code' else 4}, column ")


@pytest.mark.parametrize("fmt", ["toml", "symbolic-toml"])
def test_a_claim_nested_too_deeply_names_the_claim(tmp_path, capsys, fmt):
    head = NUMERIC if fmt == "toml" else SYMBOLIC
    path = write(tmp_path, "hw.toml", head + f'[claims]\n"df/dx" = "{nested_max(60)}"\n')
    line = 7 if fmt == "toml" else 6
    one_error(*gbp_check(capsys, path), "claim 'df/dx': formula 'max(max(", DEEP_MAX,
              DEEP_LIMIT, f"(line {line})")


def test_a_forward_pass_nested_too_deeply_is_an_error(tmp_path, capsys):
    path = write(tmp_path, "hw.py", f"x = 1; y = 2\nf = {nested_max(60)}\ndx = 1\n")
    one_error(*gbp_check(capsys, path), "hw.py: ", DEEP_MAX, DEEP_LIMIT, "(line 2, column ")


# ---- the time budget of symbolic work ----------------------------------------------------------
# GBP_SYMBOLIC_SECONDS is set tiny and the slow part is made to spin, so no test waits for a
# real budget or reads the clock.


def spin(*args, **kwargs):
    """A comparison that never ends: only the time budget stops it."""
    while True:
        pass


@pytest.fixture
def tiny_budget(monkeypatch):
    """A budget of 0.01 s per claim, room for many claims unless a test lowers it, and
    comparisons that never end.  The symbolic forward pass (the engine's own budget, tested
    with gbp eval) keeps a roomy budget: these tests are about what comes after it."""
    monkeypatch.setenv("GBP_SYMBOLIC_SECONDS", "0.01")
    monkeypatch.setattr(sys.modules["graphviz_backprop.symbolic"], "symbolic_seconds",
                        lambda: 60.0)
    monkeypatch.setattr(budget_module, "FILE_BUDGETS", 100_000)
    monkeypatch.setattr(claims_module, "equivalent", spin)
    monkeypatch.setattr(compare_module, "equivalent", spin)


RESULTS = ("ok", "WRONG", "MISSING", "UNCHECKED")


def rows(out: str) -> dict[str, list[str]]:
    """The claim rows of a report: claim -> its words from the result on."""
    found = {}
    for line in out.splitlines()[4:]:
        if not line.strip():
            break
        cells = line.split()
        result = next(i for i, cell in enumerate(cells) if cell in RESULTS)
        found[cells[1]] = cells[result:]
    return found


def test_a_symbolic_claim_over_its_budget_is_unchecked_not_wrong(tmp_path, capsys, tiny_budget):
    path = write(tmp_path, "hw.toml", SYMBOLIC + '[claims]\n"df/dx" = "y + 1"\n"df/dy" = "x"\n')
    code, out, err = gbp_check(capsys, path)
    assert (code, err) == (1, "")  # not a pass
    table = rows(out)
    assert table["df/dx"][:6] == ["UNCHECKED", "y", "+", "1", "y", "+"]  # claimed, correct
    assert table["df/dy"][:3] == ["UNCHECKED", "x", "x"]
    assert "too complex to check symbolically (more than 0.01 s)" in out
    assert out.rstrip().endswith("0 of 2 claims hold, but df/dx (line 6), df/dy (line 7) are too"
                                 " complex to check symbolically.")
    code, out, err = gbp_check(capsys, path, "--json")
    report = json.loads(out)
    assert code == 1 and not report["ok"] and report["wrong"] == 0
    claim = report["claims"][0]
    assert (claim["status"], claim["ok"], claim["root_cause"]) == ("unchecked", False, None)
    assert claim["note"] == "too complex to check symbolically (more than 0.01 s)"


def test_with_values_only_formula_claims_can_be_unchecked(tmp_path, capsys, tiny_budget):
    # x = 3, y = -2: df/dx = y + 1 = -1, df/dy = x = 3, q = -6
    path = write(tmp_path, "hw.toml", NUMERIC + '[claims]\nq = -6\n"df/dx" = "y + 1"\n'
                 '"df/dy" = "x + 1"\ndx = -1\n')
    code, out, err = gbp_check(capsys, path)
    assert (code, err) == (1, "")
    table = rows(out)
    assert table["q"][0] == table["dx"][0] == "ok"  # numbers need no symbolic work
    assert table["df/dx"][0] == "UNCHECKED"  # the right value: only the formula is in doubt
    assert table["df/dy"][:2] == ["WRONG", "x"]  # 4 is not 3, whatever the formula
    assert "1 of 4 claims wrong. First wrong step: line 9" in out
    assert "Also, df/dx (line 8) is too complex to check symbolically." in out


def test_symbolic_code_over_its_budget_is_unchecked(tmp_path, capsys, tiny_budget):
    path = write(tmp_path, "hw.py", SYMBOLIC_CODE.format("dx = y + dq"))
    code, out, err = gbp_check(capsys, path)
    assert (code, err) == (1, "")
    assert [cells[0] for cells in rows(out).values()] == ["UNCHECKED"] * 3
    assert "0 of 3 claims hold, but dq (line 3), dx (line 4), dy (line 5) are too complex" in out


def test_a_derivation_over_its_budget_is_an_error(tmp_path, capsys, tiny_budget, monkeypatch):
    monkeypatch.setattr(budget_module, "FILE_BUDGETS", 3)  # 0.03 s in all
    claims = "".join(f'"d{n}" = "x + {i}"\n' for i, n in enumerate(["x", "y", "q"]))
    path = write(tmp_path, "hw.toml", SYMBOLIC + "[claims]\n" + claims + 'f = "q + x"\n')
    one_error(*gbp_check(capsys, path), "hw.toml: checking this derivation takes too long (more"
              " than 0.03 s in all); give values for the inputs")


def test_symbolic_backward_lines_over_the_budget_name_the_line(tmp_path, capsys, tiny_budget,
                                                               monkeypatch):
    monkeypatch.setattr(budget_module, "FILE_BUDGETS", 30)  # 0.3 s: room to reach line 4
    monkeypatch.setattr(interpret_module.Interpreter, "call", spin)
    path = write(tmp_path, "hw.py", SYMBOLIC_CODE.format("dx = y + exp(dq) - exp(1)"))
    one_error(*gbp_check(capsys, path), "checking this derivation takes too long (more than"
              " 0.3 s in all, at line 4); give values for the inputs")


def test_each_file_of_a_folder_has_its_own_budget(tmp_path, capsys, tiny_budget, monkeypatch):
    # 0.3 s a file: one claim (0.01 s) fits with room to spare, forty never do
    monkeypatch.setattr(budget_module, "FILE_BUDGETS", 30)
    write(tmp_path, "a-numbers.py", GOOD_CODE)
    write(tmp_path, "b-one-formula.toml", SYMBOLIC + '[claims]\n"df/dx" = "y + 1"\n')
    program = "\n".join(["q0 = x * y", *(f"q{i} = q{i - 1} + x" for i in range(1, 40)),
                         "f = q39 * y"])
    many_formulas = "".join(f'dq{i} = "y + {i}"\n' for i in range(40))
    write(tmp_path, "c-many-formulas.toml",
          f'program = """\n{program}\n"""\n[claims]\n{many_formulas}')
    write(tmp_path, "d-one-formula.toml", SYMBOLIC + '[claims]\n"df/dx" = "y + 1"\n')
    write(tmp_path, "e-numbers.py", GOOD_CODE)
    code, out, err = gbp_check(capsys, tmp_path)
    assert (code, err) == (1, "")
    table = {line.split()[0]: line for line in out.splitlines()[1:6]}
    assert table["a-numbers.py"].split()[1:] == table["e-numbers.py"].split()[1:] == ["4", "0", "-"]
    for name in ("b-one-formula.toml", "d-one-formula.toml"):
        assert table[name].split()[1:] == ["1", "0", "unchecked:", "df/dx"]
    assert "unreadable: checking this derivation takes too long" in table["c-many-formulas.toml"]
    assert "5 files: 2 all right, 0 with wrong claims, 2 incomplete, 1 unreadable" in out
    code, out, err = gbp_check(capsys, tmp_path, "--json")
    files = {f["file"]: f for f in json.loads(out)["files"]}
    assert code == 1 and files["b-one-formula.toml"]["unchecked"] == 1
    assert files["a-numbers.py"]["unchecked"] == 0 and files["c-many-formulas.toml"]["error"]


# with the real budget (4 s) and no spinning: real inputs in a gbp process, told to hurry

def big_numeric_program(leaves: int) -> str:
    """Sums of sin*exp terms in a tree: quick in numbers, slow as formulas (well under
    the static limits)."""
    lines = [f"a{i} = sin(x * {i + 1}) * exp(y / {i + 1})" for i in range(leaves)]
    level, k = [f"a{i}" for i in range(leaves)], 0
    while len(level) > 1:
        pairs = []
        for j in range(0, len(level) - 1, 2):
            lines.append(f"s{k} = {level[j]} + {level[j + 1]}")
            pairs.append(f"s{k}")
            k += 1
        level = pairs + level[len(pairs) * 2:]
    return "\n".join([*lines, f"f = {level[0]} * x"]) + "\n"


def test_a_real_slow_forward_pass_in_a_process(tmp_path):
    path = write(tmp_path, "hw.toml", f'program = """\n{big_numeric_program(100)}"""\n'
                 '[claims]\n"df/dy" = "x"\n')
    one_error_line(gbp_process(path, GBP_SYMBOLIC_SECONDS="0.01"),
                   "symbolic formulas of this circuit take too long to work out (more than"
                   " 0.01 s)")


def test_a_real_slow_formula_claim(tmp_path, capsys, monkeypatch):
    # With values the forward pass is numbers, but a formula claim with the right value needs
    # the circuit's formulas (a quarter of a second): that claim is unchecked, and so at once
    # is the next one; a formula with a wrong value is wrong all the same, and numbers are
    # checked as ever.
    monkeypatch.setenv("GBP_SYMBOLIC_SECONDS", "0.01")
    monkeypatch.setattr(budget_module, "FILE_BUDGETS", 100_000)
    path = write(tmp_path, "hw.toml", f'program = """\nx = 0.5; y = 2\n'
                 f'{big_numeric_program(100)}"""\n[claims]\n"df/da1" = "x"\na0 = 3.5425\n'
                 '"df/da0" = "x"\n"df/dy" = "x"\n')
    code, out, err = gbp_check(capsys, path, "--json")
    assert (code, err) == (1, "")
    claims = {c["name"]: c for c in json.loads(out)["claims"]}
    assert claims["df/da1"]["status"] == claims["df/da0"]["status"] == "unchecked"
    assert claims["df/da1"]["note"] == "too complex to check symbolically (more than 0.01 s)"
    assert "take too long or are too large" in claims["df/da0"]["note"]
    assert claims["a0"]["status"] == "ok"  # sin(0.5) * exp(2)
    assert claims["df/dy"]["status"] == "wrong"


def test_numeric_backward_lines_over_the_budget_name_the_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GBP_SYMBOLIC_SECONDS", "0.01")
    monkeypatch.setattr(budget_module, "FILE_BUDGETS", 30)  # 0.3 s: room to reach line 5
    monkeypatch.setattr(interpret_module, "numeric_op", spin)
    path = write(tmp_path, "hw.py", NUMERIC_CODE.format("dx = y + dq"))
    line = one_error(*gbp_check(capsys, path), "checking this derivation takes too long (more"
                     " than 0.3 s in all, at line 5)")
    assert "give values" not in line  # it has values


# ---- large derivations: linear, capped messages ------------------------------------------------

def chain_program(n: int) -> list[str]:
    return ["x0 = 0.5", *(f"x{i} = x{i - 1} * 1.0001 + 0.1" for i in range(1, n))]


def test_a_thousand_claims_are_checked(tmp_path):
    # each claim used to rebuild the circuit to find its node: a thousand took minutes
    n = 1000
    claims = "".join(f"dx{i} = 1\n" for i in range(n))
    path = write(tmp_path, "hw.toml", 'program = """\n' + "\n".join(chain_program(n))
                 + '\n"""\n[claims]\n' + claims)
    done = gbp_process(path, "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert len(report["claims"]) == n and report["claims"][-1]["status"] == "ok"  # dx999 = 1


def test_thousands_of_stray_names_are_warned_about_briefly(tmp_path):
    n = 2000
    path = write(tmp_path, "hw.py", "\n".join([*chain_program(n), "dx0 = 1",
                                               *(f"dzz{i} = 1" for i in range(n))]) + "\n")
    done = gbp_process(path, "--json")
    assert done.returncode == 1, done.stderr
    warnings = json.loads(done.stdout)["warnings"]
    assert len(warnings) == n
    assert sum(w["suggestion"] is not None for w in warnings) <= 100
    assert warnings[-1]["message"] == f"dzz{n - 1}: no node 'zz{n - 1}'"


def test_an_unknown_name_lists_the_first_names_only(tmp_path, capsys):
    path = write(tmp_path, "hw.py", "\n".join([*chain_program(500), "dx0 = qqq"]) + "\n")
    line = one_error(*gbp_check(capsys, path), "unknown name 'qqq'",
                     "x18, x19, ... (480 more)) (line 501, column 7)")
    assert len(line) < 500


@pytest.mark.parametrize("claim", ["d" + "x" * 150_000, "d" + "q/d" * 40_000])
def test_a_very_long_claim_is_refused_briefly(tmp_path, capsys, claim):
    path = write(tmp_path, "hw.toml", NUMERIC + f'[claims]\n"{claim}" = 1\n')
    line = one_error(*gbp_check(capsys, path), "characters long; a claim is a name or a gradient"
                     " of at most 200 (line 7)")
    assert len(line) < 300


@pytest.mark.parametrize("formula", [
    "(x + 1)**(10**6)",
    "sqrt(-1 - x**2) * ((x + y + 1)**32 + 1)**32",
    "sqrt(-1 - x**2) * " + " * ".join(f"((x + {i})**2 + 1)" for i in range(40)),
])
def test_simplify_is_not_asked_to_multiply_out_huge_powers(tmp_path, capsys, monkeypatch,
                                                           formula):
    # no spot point is defined for these, and simplify used to multiply (x + 1)**10**6 out:
    # gigabytes within the time budget
    def refuse(*args, **kwargs):
        raise AssertionError("simplify was asked")

    monkeypatch.setattr(compare_module.sympy, "simplify", refuse)
    path = write(tmp_path, "hw.toml", SYMBOLIC + f'[claims]\n"df/dx" = "{formula}"\n')
    code, out, err = gbp_check(capsys, path)
    assert (code, err) == (1, "")
    assert "too complex to check symbolically (its formulas are too large to work out)" in out


def test_simplify_still_decides_small_formulas(tmp_path, capsys):
    # sqrt(x - 5) is defined at no spot point (they lie within ±2): simplify decides
    path = write(tmp_path, "hw.toml", 'program = "f = sqrt(x - 5) * y"\n[claims]\n'
                 '"df/dy" = "sqrt(x - 5) * 1"\n"df/dx" = "y / sqrt(x - 5)"\n')
    code, out, err = gbp_check(capsys, path)
    assert (code, err) == (1, "")
    table = rows(out)
    assert table["df/dy"][0] == "ok" and table["df/dx"][0] == "WRONG"  # y / (2 sqrt(x - 5))


def test_a_huge_power_in_a_process(tmp_path):
    path = write(tmp_path, "hw.toml", SYMBOLIC + '[claims]\n"df/dx" = "(x + 1)**(10**6)"\n')
    done = gbp_process(path)
    assert done.returncode == 1 and done.stderr == "", done.stderr
    assert "df/dx (line 6) is too complex to check symbolically" in done.stdout
