"""SOURCE from files: Python, text and expression (TOML) files, broken ones, folders and files
that are not UTF-8."""

from __future__ import annotations

import pytest
from support import CS231N_CODE, SIMPLE_AT, run, run_json


def test_source_from_a_python_file(runner, tmp_path):
    path = tmp_path / "derivation.py"
    path.write_text("# the cs231n notes' code\n" + CS231N_CODE)
    data = run_json(runner, str(path))
    assert data["gradients"] == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert data["title"] == "derivation.py"


def test_source_from_a_text_file(runner, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("(x+y)*z\n")
    assert run_json(runner, str(path), *SIMPLE_AT)["output"]["value"] == -12.0


def test_source_from_an_expression_file(runner, tmp_path):
    path = tmp_path / "my.toml"
    path.write_text('name = "my"\ntitle = "Mine"\ndescription = "d"\nsource = "me"\n'
                    'expression = "sigmoid(w*x)"\nexpand = true\n[at]\nw = 2\nx = -1\n')
    data = run_json(runner, str(path))
    assert data["title"] == "Mine"
    assert [n["op"] for n in data["nodes"] if n["kind"] == "gate"] == [
        "*", "*-1", "exp", "+1", "1/u"]  # u: the circuit has an x
    fused = run_json(runner, str(path), "--no-expand")
    assert [n["op"] for n in fused["nodes"] if n["kind"] == "gate"] == ["*", "σ"]
    assert fused["gradients"] == pytest.approx(data["gradients"], rel=1e-12)


def test_source_from_a_program_file_in_an_expression_file(runner, tmp_path):
    path = tmp_path / "code.toml"
    path.write_text('name = "code"\ntitle = "Code"\ndescription = "d"\nsource = "notes"\n'
                    f'program = """\n{CS231N_CODE}"""\n')
    assert run_json(runner, str(path))["output"] == {"name": "f", "value": -12.0}


@pytest.mark.parametrize(("content", "phrase"), [
    pytest.param('title = "t"\nexpression = "x"\n', "missing keys name, description, source",
                 id="missing-keys"),
    pytest.param('name = "n"\ntitle = "t"\ndescription = "d"\nsource = "s"\n', "either",
                 id="no-expression"),
    pytest.param("name = ", "not valid TOML", id="broken-toml"),
    pytest.param('name = "n"\ntitle = "t"\ndescription = "d"\nsource = "s"\nexpression = "x"\n'
                 '[at]\nx = "one"\n', "value of 'x' is not a number", id="bad-value"),
])
def test_broken_expression_files(runner, tmp_path, content, phrase):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    result = run(runner, "eval", str(path), code=2)
    assert result.stderr.startswith("Error: bad.toml")
    assert phrase in result.stderr


def test_a_folder_is_not_a_source(runner, tmp_path):
    result = run(runner, "eval", str(tmp_path), code=2)
    assert "is a directory" in result.stderr


def test_source_file_that_is_not_utf8(runner, tmp_path):
    path = tmp_path / "latin1.py"
    path.write_bytes(b"x = 1\ny = x * \xe9\n")
    assert "not UTF-8" in run(runner, "eval", str(path), code=2).stderr
