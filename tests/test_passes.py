"""A derivation drawn: ``gbp eval``, ``gbp render`` and ``trace`` read the forward part of
cs231n-style code (the backward pass is for ``gbp check``), and a derivation TOML's circuit.

Where the backward pass starts is one rule, :func:`graphviz_backprop.backward_start`,
used by ``gbp check`` and by :func:`graphviz_backprop.forward_part` alike.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import CS231N_CODE, MICROGRAD, TYPO_DERIVATION

from graphviz_backprop.check import check_file
from graphviz_backprop.cli import cli
from graphviz_backprop.parser import parse
from graphviz_backprop.passes import backward_lines, backward_start, forward_part, gradient_reading
from graphviz_backprop.tomlfile import list_examples, load_example, load_expression_file
from graphviz_backprop.tracing import trace

DATA = Path(__file__).parent / "data" / "derivations"
CODE_FIXTURES = sorted(p for p in DATA.glob("*.py") if not p.name.startswith("broken"))

STAGED = TYPO_DERIVATION  # a forward pass, then a backward pass with a typo


def gbp(*args: str, code: int = 0):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


# ---- the rule ---------------------------------------------------------------------------------

def test_forward_part_of_the_new_users_file() -> None:
    program = parse(STAGED)
    assert backward_start(program) == 5
    forward = forward_part(program)
    assert [st.target for st in forward.statements] == ["x", "y", "z", "q", "f"]
    assert forward.source == "x = -2; y = 5; z = -4\nq = x + y\nf = q * z\n"
    assert backward_lines(program) == (4, 7)


@pytest.mark.parametrize("path", CODE_FIXTURES, ids=lambda p: p.name)
def test_check_and_eval_split_a_derivation_at_the_same_line(path: Path) -> None:
    program = parse(path.read_text())
    k = backward_start(program)
    assert k is not None
    forward = forward_part(program)
    assert forward.statements == program.statements[:k]
    report = check_file(path)
    t = trace(str(path))
    assert t.circuit.output_name == report.output == "f"
    assert t.value == pytest.approx(report.output_value, rel=1e-12)
    assert t.backward_lines is not None
    first, last = t.backward_lines
    lines = path.read_text().split("\n")
    assert last == max(n for n, line in enumerate(lines, 1) if line.split("#")[0].strip())
    assert first <= program.statements[k].line
    assert all(st.line < first for st in forward.statements)


def test_a_marker_comment_starts_the_backward_pass() -> None:
    code = "x = 2; dx = 3\nf = x * dx\n# backward pass\nddx = x\ndfdx = dx\n"
    program = parse(code)
    assert [st.target for st in forward_part(program).statements] == ["x", "dx", "f"]
    assert backward_lines(program) == (3, 5)
    assert trace(code).value == 6.0


@pytest.mark.parametrize("code", [
    MICROGRAD,                                      # d = a * b + b**3; d += ...
    CS231N_CODE,
    ("w0 = 2; x0 = -1; w1 = -3; x1 = -2; w2 = -3\ndot = w0*x0 + w1*x1 + w2\n"
     "f = 1 / (1 + math.exp(-dot))\n"),
    "a = 2; b = 3\nd = a * b\n",                    # the last assignment is d
    "a = 2; b = 3\ndot = a * b\n",                  # dot is no gradient: ot is no name
    "a = 2; b = 3\ndelta = a - b\ndiff = delta * 2\n",
    "x = 2; dx = 0.1\nf = (x + dx)**2\n",           # goes on computing after dx
    "x = 2\ndx = 0.5\n# backprop later\nf = x * dx\n",  # a marker, but no gradient follows
    "(x+y)*z",
], ids=["micrograd", "cs231n", "sigmoid-dot", "d", "dot", "delta", "finite-step", "marker",
        "expression"])
def test_ordinary_programs_are_read_whole(code: str) -> None:
    program = parse(code)
    assert forward_part(program) is program
    assert backward_lines(program) is None
    result = gbp("eval", code, "--json")
    assert result.stderr == ""


def test_no_bundled_example_has_a_backward_part() -> None:
    for example in list_examples():
        program = parse(example.text)
        assert backward_lines(program) is None, example.name
        # only sgd-step ends with a step of gradient descent, which forward_part leaves out
        assert (forward_part(program) is program) == (example.name != "sgd-step"), example.name


def test_gradient_names_are_those_of_gbp_check() -> None:
    names = {"x", "y", "z", "q", "f"}
    assert gradient_reading("dq", names) == ("grad", "q")
    assert gradient_reading("dfdx", names) == ("local", "f", "x")
    assert gradient_reading("d", names) is None and gradient_reading("dot", names) is None
    assert gradient_reading("dzz", names) is None


def test_a_line_shared_with_the_forward_pass() -> None:
    program = parse("x = 2; y = 3\nf = x * y; dx = y\ndy = x\n")
    assert [st.target for st in forward_part(program).statements] == ["x", "y", "f"]
    assert backward_lines(program) == (2, 3)
    assert trace("x = 2; y = 3\nf = x * y; dx = y\ndy = x\n").value == 6.0


# ---- gbp eval, gbp render, trace ----------------------------------------------------------------

def test_eval_of_a_derivation_is_its_forward_pass(tmp_path: Path) -> None:
    path = tmp_path / "staged.py"
    path.write_text(STAGED)
    result = gbp("eval", path)
    assert result.stderr == (f"note: lines 4-7 are a backward pass; they are not part of the"
                             f" circuit (gbp check {path} checks them)\n")
    assert "output f = -12" in result.stdout
    assert "dzz" not in result.stdout and "output dy" not in result.stdout
    data = json.loads(gbp("eval", path, "--json").stdout)  # the note is on stderr only
    assert data["output"] == {"name": "f", "value": -12.0}
    assert data["gradients"] == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert set(data) == {"title", "symbolic", "output", "inputs", "gradients", "nodes"}


def test_eval_of_derivation_text_names_no_file() -> None:
    result = gbp("eval", STAGED)
    assert result.stderr == ("note: lines 4-7 are a backward pass; they are not part of the"
                             " circuit (gbp check FILE checks them)\n")
    assert result.stdout.splitlines()[0] == "x = -2; y = 5; z = -4; q = x + y; f = q * z" \
        "  at x=-2, y=5, z=-4"


def test_eval_of_the_notes_staged_code() -> None:
    data = json.loads(gbp("eval", DATA / "staged.py", "--json").stdout)
    assert data["output"]["name"] == "f"
    assert data["gradients"] == pytest.approx({"x": 2.0595697955721652,
                                               "y": 1.5922327514838093}, rel=1e-12)
    assert not any((n["name"] or "").startswith("dden") for n in data["nodes"])


def test_render_draws_the_forward_pass(tmp_path: Path) -> None:
    out = tmp_path / "staged.dot"
    gbp("render", DATA / "staged.py", "--final", "--format", "dot", "-o", out)
    dot = out.read_text()
    assert "invden" in dot and "dinvden" not in dot and "dden" not in dot


def test_trace_says_which_lines_it_left_out() -> None:
    t = trace(STAGED)
    assert t.backward_lines == (4, 7)
    assert t.circuit.source == "x = -2; y = 5; z = -4\nq = x + y\nf = q * z\n"
    assert trace("(x+y)*z", x=1, y=2, z=3).backward_lines is None


# ---- a derivation TOML as a SOURCE --------------------------------------------------------------

def test_eval_of_a_derivation_toml_ignores_its_claims() -> None:
    data = json.loads(gbp("eval", DATA / "cs231n-simple.toml", "--json").stdout)
    assert data["title"] == "cs231n-simple.toml"
    assert data["output"] == {"name": "f", "value": -12.0}
    assert data["gradients"] == {"x": -4.0, "y": -4.0, "z": 3.0}
    symbolic = json.loads(gbp("eval", DATA / "symbolic.toml", "--json").stdout)
    assert symbolic["symbolic"] is True and symbolic["gradients"]["x"] == "z"
    at = json.loads(gbp("eval", DATA / "cs231n-simple-swapped.toml", "--json").stdout)
    assert at["inputs"] == {"x": -2.0, "y": 5.0, "z": -4.0}


def test_a_derivation_of_an_example_draws_the_example(tmp_path: Path) -> None:
    bundled = load_example("sigmoid-neuron")
    example = load_expression_file(DATA / "sigmoid-neuron.toml")
    assert example.name == "sigmoid-neuron"  # the file's stem: gbp render writes NAME.gif
    assert (example.title, example.text, example.at, example.expand) == (
        bundled.title, bundled.text, bundled.at, bundled.expand)
    path = tmp_path / "hw.toml"
    path.write_text('example = "sigmoid-neuron"\ntitle = "My neuron"\n[at]\nx0 = 1\n'
                    '[claims]\nf = 0.5\n')
    data = json.loads(gbp("eval", path, "--json").stdout)
    assert data["title"] == "My neuron"
    assert data["inputs"] == {"w0": 2.0, "x0": 1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}
    ops = [n["op"] for n in json.loads(gbp("eval", "sigmoid-neuron", "--json").stdout)["nodes"]]
    assert [n["op"] for n in data["nodes"]] == ops  # the example's gates, expanded as it says
    out = tmp_path / "hw.dot"
    gbp("render", path, "--final", "--format", "dot", "-o", out)
    assert "My neuron" in out.read_text()


@pytest.mark.parametrize(("content", "phrase"), [
    pytest.param('expression = "x*y"\nfoo = 1\n[claims]\nx = 1\n',
                 "unknown key 'foo' in a derivation (known: expression, program, example, at,"
                 " claims, name, title, description, source)", id="unknown-key-derivation"),
    pytest.param('name = "n"\ntitle = "t"\ndescription = "d"\nsource = "s"\nexpression = "x"\n'
                 'foo = 1\n', "unknown key 'foo' (known: at, description, expand, expression,"
                 " name, program, source, title)", id="unknown-key-expression-file"),
    pytest.param('expression = "x*y"\nprogram = "x*y"\n[claims]\nx = 1\n',
                 "not expression and program", id="two-circuits"),
    pytest.param('example = "sigmoid-nueron"\n[claims]\nf = 1\n',
                 "did you mean 'sigmoid-neuron'", id="bad-example"),
    pytest.param('expression = "x*y"\n[at]\nx = "one"\n[claims]\nx = 1\n',
                 "value of 'x' is not a number", id="bad-value"),
    pytest.param('expression = "(x+y)*z"\n[claims]\ndf/dx = 3\n',
                 """a key with '/' must be quoted: "df/dx" = 3""", id="slash-key"),
])
def test_broken_derivation_tomls_for_eval(tmp_path: Path, content: str, phrase: str) -> None:
    path = tmp_path / "hw.toml"
    path.write_text(content)
    result = gbp("eval", path, code=2)
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: hw.toml: ")
    assert phrase in line
