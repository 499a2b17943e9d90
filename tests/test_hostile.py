"""Hostile files and tiny inputs with a big cost: a grader can run gbp on any submission.

Each case is one line ``Error: ...`` and exit code 2 (never "internal error"), nothing
written outside the folder the command line names, nothing raw reaching the terminal.  The
cases that used to hang or to eat gigabytes also run as their own process under a 2 GB
memory cap, bounded by a generous timeout that only a hang comes near (no test reads the
clock; benchmarks/hostile.py measures how fast they answer).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from support import graphviz_mark

from graphviz_backprop.cli import main
from graphviz_backprop.errors import LimitError
from graphviz_backprop.tracing import trace

NAMES_300 = ",".join(f"a{i}" for i in range(300))
NAMES_60 = ",".join(f"a{i}" for i in range(60))


def nest(function: str, depth: int, inner: str = "x") -> str:
    for _ in range(depth):
        inner = f"{function}({inner})"
    return inner


def expression_file(folder: Path, stem: str = "sub", **keys: str) -> Path:
    """An expression file: the required keys, overridden or added by ``keys`` (raw TOML)."""
    body = {"name": '"sub"', "title": '"t"', "description": '"d"', "source": '"s"',
            "expression": '"x*y"'}
    body.update(keys)
    text = "".join(f"{k} = {v}\n" for k, v in body.items() if not k.startswith("["))
    text += keys.get("[at]", "[at]\nx = 1\ny = 2\n")
    path = folder / f"{stem}.toml"
    path.write_text(text)
    return path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_error(code: int, out: str, err: str, phrase: str) -> str:
    assert code == 2, (out + err)[:2000]
    lines = [line for line in (out + err).splitlines() if line.strip()]
    assert len(lines) == 1, lines[:5]
    assert lines[0].startswith("Error: ") and "internal error" not in lines[0], lines[0]
    assert "\x1b" not in lines[0] and "\x07" not in lines[0]
    assert phrase in lines[0], lines[0]
    return lines[0]


# ---- sources that would hang symbolic mode or blow the stack ------------------------------------

SLOW = [
    ("elu-nested-6", nest("elu", 6), "nest more than 3 deep"),
    ("leaky-relu-nested-8", nest("leaky_relu", 8), "nest more than 3 deep"),
    ("exp-nested-190", nest("exp", 190), "chain of more than 100 gates"),
    ("max-of-60", f"max({NAMES_60})", "max/min gates nest more than 12 deep"),
    ("max-of-300", f"max({NAMES_300})", "max() of 300 arguments; the limit is 100"),
    ("min-of-300-with-values", f"min({NAMES_300}) + 1", "min() of 300 arguments"),
    ("division-by-x-minus-x", "1/(x-x)", "not a finite number for any input (infinite, as 1/0"),
    ("log-of-x-minus-x", "log(x-x)+y", "not a finite number for any input"),
    ("sqrt-of-zero-gradient", "sqrt(x-x)*y", "gradient is not a finite number for any input"),
]


@pytest.mark.parametrize(("source", "phrase"), [r[1:] for r in SLOW], ids=[r[0] for r in SLOW])
def test_symbolic_work_is_bounded_before_it_starts(capsys, source, phrase):
    one_error(*run(capsys, "eval", source, "--json"), phrase)


def test_a_circuit_within_the_limits_but_slow_stops_at_the_budget(capsys, monkeypatch):
    monkeypatch.setenv("GBP_SYMBOLIC_SECONDS", "0.01")
    line = one_error(*run(capsys, "eval", "elu(elu(elu(x)))*elu(elu(elu(y)))"),
                     "take too long to work out")
    assert "--at" in line


def test_the_budget_leaves_numbers_alone(capsys, monkeypatch):
    monkeypatch.setenv("GBP_SYMBOLIC_SECONDS", "0.01")
    code, out, _ = run(capsys, "eval", nest("elu", 6), "--at", "x=0.5")
    assert code == 0 and "output f" in out


# ---- files: what they may name, where output goes --------------------------------------------

@pytest.mark.parametrize("name, phrase", [
    ("../../victim/main", "is not a plain name"), ("/tmp/evil", "is not a plain name"),
    ("a/b", "is not a plain name"), ("..", "is not a plain name"),
    ("name with spaces", "is not a plain name"),
    ("x" * 17_001, "'name' is 17,001 characters long; the limit is 64"),
])
def test_a_file_name_key_never_names_a_path(tmp_path, capsys, name, phrase):
    source = expression_file(tmp_path, name=f'"{name}"')
    one_error(*run(capsys, "render", str(source), "--beamer", "-o", f"{tmp_path / 'deck'}/"),
              phrase)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub.toml"]


@graphviz_mark()
def test_a_derivation_is_named_after_its_file_not_its_name_key(tmp_path, capsys, monkeypatch):
    derivation = tmp_path / "hw1.toml"
    derivation.write_text('name = "../../escape/here"\nexpression = "x*y"\n'
                          '[at]\nx = 1\ny = 2\n[claims]\n"df/dx" = 2\n')
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "render", "hw1.toml", "--format", "dot")
    assert code == 0, out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hw1-frames", "hw1.toml"]


@graphviz_mark()
def test_a_folder_where_a_file_is_asked_for_is_refused(tmp_path, capsys):
    (tmp_path / "x.html").mkdir()
    one_error(*run(capsys, "render", "cs231n-simple", "-o", str(tmp_path / "x.html")),
              "is a folder")
    assert list((tmp_path / "x.html").iterdir()) == []


@graphviz_mark()
def test_frames_are_all_or_nothing(tmp_path, capsys):
    frames = tmp_path / "fr"
    (frames / "frame-005.svg").mkdir(parents=True)
    code, _out, err = run(capsys, "render", "cs231n-simple", "-o", f"{frames}/")
    assert code == 1 and "frame-005.svg" in err and "is a directory" in err
    assert [p.name for p in frames.iterdir()] == ["frame-005.svg"]


@graphviz_mark()
def test_beamer_is_all_or_nothing(tmp_path, capsys):
    deck = tmp_path / "deck"
    (deck / "cs231n-simple.tex").mkdir(parents=True)
    code, _out, err = run(capsys, "render", "cs231n-simple", "--beamer", "-o", f"{deck}/")
    assert code == 1 and "cs231n-simple.tex" in err
    assert [p.name for p in deck.iterdir()] == ["cs231n-simple.tex"]


# ---- what reaches the terminal ------------------------------------------------------------------

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b[32mAll claims hold.\x1b[0m\u202e\x9b"


def test_a_title_with_control_characters_is_refused_before_anything_is_shown(tmp_path, capsys):
    source = expression_file(tmp_path, title='"a\\u001b]0;x\\u0007b"')
    one_error(*run(capsys, "eval", str(source)), "control character U+001B")


@pytest.mark.parametrize("key, value, phrase", [
    ("title", '"' + "t" * 16_001 + '"', "'title' is 16,001 characters long"),
    ("title", '"a\\u0000b"', "U+0000"),
    ("title", '"a\\uffffb"', "U+FFFF"),
    ("description", '"\\u202eevil"', "U+202E"),
])
def test_titles_and_notes_are_plain_text(tmp_path, capsys, key, value, phrase):
    one_error(*run(capsys, "eval", str(expression_file(tmp_path, **{key: value}))), phrase)


def test_user_text_in_an_error_is_shown_escaped(capsys):
    code, out, err = run(capsys, "eval", "x*y", "--at", f"x=1,{ESCAPES}=2")
    line = one_error(code, out, err, "is not of the form name=number")
    assert "\\x1b]0;pwned\\x07" in line and "\\u202e" in line and "\\x9b" in line


def test_json_output_stays_valid_and_escaped(tmp_path, capsys):
    import json

    source = tmp_path / "c.py"
    source.write_text(f"# {ESCAPES}\nx = 1\nf = x * 2\n")
    code, out, _ = run(capsys, "eval", str(source), "--json")
    assert code == 0
    assert not set(out) & set("\x1b\x07\x9b\u202e")
    assert json.loads(out)["output"]["value"] == 2.0


def test_a_file_name_with_an_undecodable_byte_is_shown_and_drawn(tmp_path, capsys):
    folder = os.fsencode(tmp_path)
    path = os.path.join(folder, b"bad\xff.py")
    with open(path, "wb") as handle:
        handle.write(b"x = 2\nf = x * x\n")
    code, out, _ = run(capsys, "eval", os.fsdecode(path))
    assert code == 0 and "bad\ufffd.py" in out


@graphviz_mark()
def test_a_backslash_in_a_title_is_drawn_as_written(tmp_path, capsys):
    source = expression_file(tmp_path, title='"Price \\\\N of \\\\G"')
    code, _, _ = run(capsys, "render", str(source), "--final", "-o", str(tmp_path / "f.svg"))
    assert code == 0
    svg = (tmp_path / "f.svg").read_text()
    assert "Price \\N of \\G" in svg


# ---- TOML screened before it is parsed ----------------------------------------------------------

TOML = [
    ("arrays-2000-deep", {"[at]": "[at]\nx = 1\ny = 2\nz = " + "[" * 2000 + "]" * 2000 + "\n"},
     "nested more than 20 levels deep"),
    ("inline-tables-2000-deep", {"extra": "{a = " * 2000 + "1" + "}" * 2000},
     "nested more than 20 levels deep"),
    ("dotted-key-10000", {"[at]": "[at]\nx = 1\ny = 2\n" + ".".join(["k"] * 10_000) + " = 1\n"},
     "dotted key of more than 20 parts"),
    ("integer-400-digits", {"[at]": "[at]\nx = " + "9" * 400 + "\ny = 2\n"},
     "too large for float64 (a number of about 400 digits)"),
    ("integer-5000-digits", {"[at]": "[at]\nx = " + "9" * 5000 + "\ny = 2\n"},
     "a number in the TOML file is too long"),
]


@pytest.mark.parametrize(("keys", "phrase"), [r[1:] for r in TOML], ids=[r[0] for r in TOML])
def test_toml_is_screened(tmp_path, capsys, keys, phrase):
    one_error(*run(capsys, "eval", str(expression_file(tmp_path, **keys))), phrase)


# ---- things that are not files ------------------------------------------------------------------

@pytest.mark.parametrize("command", ["eval", "check"])
def test_a_pipe_is_refused_not_waited_on(tmp_path, capsys, command):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    one_error(*run(capsys, command, str(fifo)), "is not a regular file")


def test_dev_stdin_is_not_read_as_an_expression(capsys):
    one_error(*run(capsys, "eval", "/dev/stdin"), "is not a regular file")


def test_a_comment_ended_by_a_lone_carriage_return_hides_nothing(capsys):
    one_error(*run(capsys, "eval", "x = 2 # c\rf = \uff58 * x"), "U+FF58")


def test_a_tolerance_must_be_a_number(capsys):
    one_error(*run(capsys, "check", "expressions/cs231n-simple.toml", "--tol", "nan"),
              "'--tol': nan is not a finite number")


# ---- the worst of them as their own process, under a memory cap -------------------------------------

CAP = 2 << 30  # bytes


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))


@pytest.mark.parametrize("args", [
    ["eval", nest("elu", 6)],
    ["eval", f"max({NAMES_60})"],
    ["eval", nest("exp", 190)],
    ["eval", f"max({NAMES_300})", "--json"],
    ["eval", "{toml}"],
], ids=["elu-6", "max-60", "exp-190", "max-300", "dotted-key-28000"])
def test_under_a_2_gb_cap_each_answers_with_one_line(tmp_path, args):
    toml = tmp_path / "deep.toml"
    toml.write_text('name = "d"\ntitle = "t"\ndescription = "d"\nsource = "s"\n'
                    'expression = "x"\n' + ".".join(["k"] * 28_000) + " = 1\n")
    args = [str(toml) if a == "{toml}" else a for a in args]
    done = subprocess.run([sys.executable, "-m", "graphviz_backprop", *args],
                          capture_output=True, text=True, timeout=120, preexec_fn=_capped,
                          cwd=Path(__file__).resolve().parents[1])
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert done.returncode == 2, lines[-3:]
    assert len(lines) == 1 and lines[0].startswith("Error: "), lines[:3]


# ---- a real Ctrl-C -----------------------------------------------------------------------------

@graphviz_mark()
def test_a_real_interrupt_while_drawing_a_gif_exits_130_and_writes_nothing(tmp_path):
    """SIGINT, as a terminal sends it, while a GIF of a 150-gate network is being drawn (it
    takes seconds on any machine, so the signal arrives in the middle)."""
    import signal
    import time

    lines = ["; ".join(f"x{i} = 0.{i + 1}" for i in range(6))]
    for j in range(10):
        lines.append("; ".join(f"w{j}_{i} = 0.{(i + j) % 9 + 1}" for i in range(6)))
        lines.append(f"h{j} = tanh(" + " + ".join(f"w{j}_{i}*x{i}" for i in range(6)) + ")")
    lines.append("f = sigmoid(" + " + ".join(f"h{j}" for j in range(10)) + ")")
    source = tmp_path / "net.py"
    source.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    out.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "graphviz_backprop", "render", str(source), "-o",
         str(out / "net.gif")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(1.0)  # waits, reads no clock: the render needs several seconds more
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stdout + stderr
    assert stderr == "Error: interrupted; no output was written\n"
    assert list(out.iterdir()) == []


def test_max_of_many_arguments_nested_is_refused_before_the_circuit_is_built():
    """max(max(x, 99 more), 99 more) ... 30 deep: 2,970 gates deep once taken two at a time,
    as the circuit draws it; one error, never a RecursionError."""
    args = ", ".join(f"a{i}" for i in range(99))
    source = "x"
    for _ in range(30):
        source = f"max({source}, {args})"
    with pytest.raises(LimitError, match="levels deep; the limit is 200"):
        trace(source)
