"""``gbp eval`` and ``gbp examples``: the table, the JSON contract, ``--at``, examples, exit
codes (SOURCE files: test_source.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import CS231N_CODE, SIMPLE_AT, run, run_json

import graphviz_backprop.cli as cli_module
import graphviz_backprop.cli.shared as cli_shared
from graphviz_backprop.cli import main
from graphviz_backprop.errors import RenderError

# ---- the table ---------------------------------------------------------------------------------

def test_table_of_the_simple_circuit(runner):
    out = run(runner, "eval", "(x+y)*z", *SIMPLE_AT).stdout
    lines = out.splitlines()
    assert lines[0] == "(x+y)*z  at x=-2, y=5, z=-4"
    assert lines[1] == ""
    assert lines[2].split()[:7] == ["node", "name", "op", "inputs", "value", "grad", "local"]
    rows = [line.split(None, 1) for line in lines[3:8]]
    assert [r[0] for r in rows] == ["n0", "n1", "n2", "n3", "n4"]
    assert lines[3].split() == ["n0", "x", "input", "-2", "-4"]
    # unnamed wires are called as the pictures call them; local gradients use those names
    assert lines[5].split() == ["n2", "a₁", "+", "n0", "n1", "3", "-4", "1,", "1"]
    assert lines[7].split() == ["n4", "f", "*", "n2", "n3", "-12", "1", "z", "=", "-4,", "a₁", "=",
                                "3"]
    assert lines[-4:] == ["output f = -12", "  df/dx = -4", "  df/dy = -4", "  df/dz = 3"]


def test_table_columns_are_aligned(runner):
    lines = run(runner, "eval", "sigmoid-neuron").stdout.splitlines()
    table = lines[2:lines.index("", 2)]
    header = table[0]
    value_end = header.index("value") + len("value")
    grad_end = header.index("grad") + len("grad")
    for row in table[1:]:  # numbers are right-aligned under their headings
        assert row[value_end - 1] != " " and row[grad_end - 1] != " ", row


def test_table_names_named_nodes(runner):
    out = run(runner, "eval", CS231N_CODE).stdout
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.startswith("n")}
    assert rows["n3"][:3] == ["n3", "q", "+"]
    assert rows["n4"][:3] == ["n4", "f", "*"]
    assert "output f = -12" in out


def test_table_explains_kinks(runner):
    out = run(runner, "eval", "relu(x)", "--at", "x=0").stdout
    assert out.splitlines()[4].split()[:4] == ["n1", "f", "relu", "n0"]
    assert out.splitlines()[4].endswith("kink")
    assert "relu'(0) = 0" in out


def test_symbolic_table(runner):
    out = run(runner, "eval", "(x+y)*z").stdout
    assert out.splitlines()[0] == "(x+y)*z  (symbolic)"
    assert "  df/dx = z" in out.splitlines()
    assert "  df/dz = x + y" in out.splitlines()


# ---- the JSON contract ---------------------------------------------------------------------------

NODE_KEYS = {"id", "name", "kind", "op", "inputs", "value", "grad", "local_gradients", "flags"}


def test_json_contract(runner):
    data = run_json(runner, "(x+y)*z", *SIMPLE_AT)
    assert data["output"] == {"name": "f", "value": -12.0}
    assert data["inputs"] == {"x": -2.0, "y": 5.0, "z": -4.0}
    assert data["gradients"] == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert list(data["inputs"]) == ["x", "y", "z"]
    nodes = data["nodes"]
    assert all(set(n) >= NODE_KEYS for n in nodes)
    assert [(n["id"], n["kind"], n["op"], n["inputs"]) for n in nodes] == [
        ("n0", "input", None, []),
        ("n1", "input", None, []),
        ("n2", "gate", "+", ["n0", "n1"]),
        ("n3", "input", None, []),
        ("n4", "gate", "*", ["n2", "n3"]),
    ]
    assert [n["name"] for n in nodes] == ["x", "y", None, "z", None]
    assert [n["value"] for n in nodes] == [-2.0, 5.0, 3.0, -4.0, -12.0]
    assert [n["grad"] for n in nodes] == [-4.0, -4.0, -4.0, 3.0, 1.0]
    # the unnamed input of the * gate goes by its node id, as in the table
    assert [n["local_gradients"] for n in nodes] == [[], [], ["1", "1"], [], ["z", "n2"]]
    assert nodes[4]["local_values"] == [-4.0, 3.0]
    assert all(n["flags"] == [] for n in nodes)


def test_json_named_nodes_and_formulas(runner):
    data = run_json(runner, CS231N_CODE)
    gates = [n for n in data["nodes"] if n["kind"] == "gate"]
    assert [(n["name"], n["op"], n["local_gradients"]) for n in gates] == [
        ("q", "+", ["1", "1"]), ("f", "*", ["z", "q"])]
    assert data["output"] == {"name": "f", "value": -12.0}


def test_json_of_the_sigmoid_neuron(runner):
    data = run_json(runner, "sigmoid-neuron")
    assert [n["op"] for n in data["nodes"] if n["kind"] == "gate"] == [
        "*", "*", "+", "+", "*-1", "exp", "+1", "1/x"]
    assert data["nodes"][-1]["local_gradients"] == ["-1/x**2"]
    assert data["gradients"]["x0"] == pytest.approx(0.39322386648296376, rel=1e-12)
    assert data["title"] == "A 2D neuron with a sigmoid activation"


def test_json_constant_nodes(runner):
    data = run_json(runner, "x*y + 3", "--at", "x=1,y=2")
    assert [n["kind"] for n in data["nodes"]] == ["input", "input", "gate", "gate"]
    data = run_json(runner, "2*3")  # no inputs: a number, not a symbolic formula
    assert data["symbolic"] is False
    assert [(n["kind"], n["value"], n["grad"]) for n in data["nodes"]] == [("const", 6.0, 1.0)]
    assert data["output"] == {"name": "f", "value": 6.0}


def test_file_with_byte_order_mark_and_crlf(runner, tmp_path):
    path = tmp_path / "notepad.py"
    path.write_bytes(b"\xef\xbb\xbfx = -2; y = 5\r\nf = x * y\r\n")
    assert run_json(runner, str(path))["gradients"] == {"x": 5.0, "y": -2.0}


def test_json_flags(runner):
    data = run_json(runner, "max(x, y) + relu(x)", "--at", "x=1,y=1")
    assert [n["flags"] for n in data["nodes"]] == [[], [], ["kink"], [], []]


def test_json_symbolic(runner):
    data = run_json(runner, "(x+y)*z")
    assert data["symbolic"] is True
    assert data["gradients"] == {"x": "z", "y": "z", "z": "x + y"}
    assert data["inputs"] == {"x": "x", "y": "y", "z": "z"}


# ---- values ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("at", [
    pytest.param(["--at", "x=-2,y=5,z=-4"], id="comma"),
    pytest.param(["--at", "x=-2", "--at", "y=5", "--at", "z=-4"], id="repeated"),
    pytest.param(["--at", "x=-2,y=5", "--at", "z=-4"], id="mixed"),
    pytest.param(["--at", " x = -2 , y=5,z=-4e0 "], id="spaces-and-exponent"),
])
def test_at_forms(runner, at):
    assert run_json(runner, "(x+y)*z", *at)["gradients"] == {"x": -4.0, "y": -4.0, "z": 3.0}


def test_at_overrides_an_examples_values(runner):
    data = run_json(runner, "cs231n-simple", "--at", "x=1")
    assert data["inputs"] == {"x": 1.0, "y": 5.0, "z": -4.0}
    assert data["output"]["value"] == -24.0


def test_at_overrides_a_programs_values(runner):
    data = run_json(runner, CS231N_CODE, "--at", "z=2")
    assert data["inputs"] == {"x": -2.0, "y": 5.0, "z": 2.0}
    assert data["gradients"] == {"x": 2.0, "y": 2.0, "z": 3.0}


def test_source_starting_with_minus_after_double_dash(runner):
    data = json.loads(run(runner, "eval", "--at", "x=1", "--json", "--", "-x").stdout)
    assert data["output"]["value"] == -1.0
    assert data["gradients"] == {"x": -1.0}
    assert [n["op"] for n in data["nodes"]] == [None, "*-1"]


def test_help_mentions_double_dash(runner):
    out = run(runner, "eval", "--help").stdout
    assert 'gbp eval --at x=1 -- "-x"' in out
    assert "--at" in out and "--json" in out and "--expand" in out


# ---- examples --------------------------------------------------------------------------------------

def test_examples_lists_the_bundled_examples(runner):
    out = run(runner, "examples").stdout
    names = [line.split()[0] for line in out.splitlines()]
    assert {"cs231n-simple", "sigmoid-neuron"} <= set(names)
    assert names == sorted(names)


def test_examples_json(runner):
    data = json.loads(run(runner, "examples", "--json").stdout)
    by_name = {e["name"]: e for e in data}
    assert set(by_name["sigmoid-neuron"]) == {"name", "title", "description", "source"}
    assert "cs231n" in by_name["cs231n-simple"]["source"]


def test_every_example_evaluates(runner):
    for example in json.loads(run(runner, "examples", "--json").stdout):
        data = run_json(runner, example["name"])
        assert data["symbolic"] is False, example["name"]


@pytest.mark.parametrize(("source", "phrase"), [
    pytest.param("cs231n-simpel", "unknown example 'cs231n-simpel' (did you mean 'cs231n-simple'?",
                 id="typo-in-example-name"),
    pytest.param("sigmoid-neurons", "did you mean 'sigmoid-neuron'?", id="plural"),
    pytest.param("sigmoid-neuron.toml", "file 'sigmoid-neuron.toml' does not exist",
                 id="example-name-as-file"),
])
def test_mistyped_example_names(runner, source, phrase):
    assert phrase in run(runner, "eval", source, code=2).stderr


def test_a_hyphenated_expression_is_still_an_expression(runner):
    assert run_json(runner, "x-y", "--at", "x=1,y=2")["output"]["value"] == -1.0


# ---- exit codes ------------------------------------------------------------------------------------

def test_exit_codes_through_main(capsys):
    assert main(["eval", "(x+y)*z", *SIMPLE_AT]) == 0
    assert main(["eval", "x +"]) == 2
    assert main(["eval"]) == 2  # click's usage error
    assert main(["--version"]) == 0
    capsys.readouterr()


def test_unexpected_errors_exit_1_in_one_line(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(cli_shared, "trace", broken)
    monkeypatch.delenv("GBP_DEBUG", raising=False)
    assert main(["eval", "x"]) == 1
    err = capsys.readouterr().err
    assert err == "Error: internal error (RuntimeError): boom second line\n"


def test_non_input_errors_exit_1(monkeypatch, capsys):
    def failing(*args, **kwargs):
        raise RenderError("dot crashed")

    monkeypatch.setattr(cli_shared, "trace", failing)
    assert main(["eval", "x"]) == 1
    assert capsys.readouterr().err == "Error: dot crashed\n"


def test_gbp_debug_shows_the_traceback(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli_shared, "trace", broken)
    monkeypatch.setenv("GBP_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        main(["eval", "x"])


def test_python_dash_m(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(cli_module.__file__).parents[2])}
    env.pop("GBP_DEBUG", None)
    ok = subprocess.run(
        [sys.executable, "-m", "graphviz_backprop", "eval", "(x+y)*z", *SIMPLE_AT, "--json"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["gradients"] == {"x": -4.0, "y": -4.0, "z": 3.0}
    bad = subprocess.run([sys.executable, "-m", "graphviz_backprop", "eval", "sigmod(x)"],
                         capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.startswith("Error: unknown function 'sigmod' (did you mean 'sigmoid'?")
    assert bad.stderr.count("\n") == 1
