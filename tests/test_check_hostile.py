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
    os.mkfifo(tmp_path / "notes.txt")  # not a derivation's name: not listed
    code, out, err = gbp_check(capsys, tmp_path)
    assert code == 1 and err == ""
    rows = {line.split()[0]: line for line in out.splitlines()[1:6]}
    assert list(rows) == ["a-good.py", "b-pipe.py", "c-pipe.toml", "d-dangling.py", "e-good.py"]
    assert rows["a-good.py"].split()[1:4] == rows["e-good.py"].split()[1:4] == ["4", "0", "-"]
    for name in ("b-pipe.py", "c-pipe.toml"):
        assert "unreadable:" in rows[name] and "is not a regular file" in rows[name]
    assert "unreadable: cannot read" in rows["d-dangling.py"]
    assert "5 files: 2 all right, 0 with wrong claims, 3 unreadable" in out
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
