"""gbp check: hand derivations (TOML and cs231n-style code) checked claim by claim.

The fixtures in tests/data/derivations/ follow the cs231n notes "Backpropagation,
Intuitions" (http://cs231n.github.io/optimization-2/): the simple circuit (x + y) z, the
sigmoid neuron and the staged computation, each as published and with one mistake.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import TYPO_DERIVATION

from graphviz_backprop.check import Tolerance, check_file, check_folder, check_text, format_report
from graphviz_backprop.cli import cli
from graphviz_backprop.errors import InputError

DATA = Path(__file__).parent / "data" / "derivations"

# The backward pass of the issue, exactly as written there.
ISSUE_CODE = """\
x = -2; y = 5; z = -4
q = x + y
f = q * z
dfdz = q
dfdq = z
dqdx = 1.0
dqdy = 1.0
dfdx = dfdq * dqdx
dfdy = dfdq * dqdy
"""


def run(*args: str):
    result = CliRunner().invoke(cli, ["check", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def claims_of(result) -> dict[str, dict]:
    return {c["name"]: c for c in json.loads(result.stdout)["claims"]}


# ---- accepted ----------------------------------------------------------------------------------

def test_issue_code_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "staged.py"
    path.write_text(ISSUE_CODE)
    result = run(path)
    assert result.exit_code == 0, result.output
    assert "All 6 claims hold." in result.output
    lines = {row.split()[1]: row for row in result.output.splitlines()[4:10]}
    assert set(lines) == {"dfdz", "dfdq", "dqdx", "dqdy", "dfdx", "dfdy"}
    assert lines["dfdx"].split()[:5] == ["8", "dfdx", "(df/dx)", "ok", "-4"]


@pytest.mark.parametrize("name, count", [
    ("cs231n-simple.py", 6),
    ("sigmoid-neuron.py", 6),
    ("staged.py", 9),
    ("cs231n-simple.toml", 7),
    ("sigmoid-neuron.toml", 7),
    ("symbolic.toml", 3),
], ids=lambda v: str(v))
def test_correct_derivations_are_accepted(name: str, count: int) -> None:
    result = run(DATA / name)
    assert result.exit_code == 0, result.output
    assert f"All {count} claims hold." in result.output
    assert "WRONG" not in result.output


def test_sigmoid_neuron_code_values() -> None:
    """The notes' numbers: dx = [0.39, -0.59], dw = [-0.20, -0.39, 0.20]."""
    report = check_file(DATA / "sigmoid-neuron.py")
    got = {c.name: c.given for c in report.claims}
    assert got == pytest.approx({"ddot": 0.19661193324148188, "dx0": 0.39322386648296376,
                                 "dx1": -0.5898357997244457, "dw0": -0.19661193324148188,
                                 "dw1": -0.39322386648296376, "dw2": 0.19661193324148188},
                                rel=1e-12)
    assert {c.name: c.claim for c in report.claims}["ddot"] == "df/ddot"


def test_staged_code_values_and_accumulation() -> None:
    report = check_file(DATA / "staged.py")
    by_name = {c.name: c for c in report.claims}
    assert by_name["dx"].given == pytest.approx(2.0595697955721652, rel=1e-12)
    assert by_name["dy"].given == pytest.approx(1.5922327514838093, rel=1e-12)
    assert by_name["dx"].line == 31  # its last += line


# ---- rejected, pointing at the right line --------------------------------------------------

@pytest.mark.parametrize("name, first, line, inherited", [
    # a sign: the local gradient of + is 1, not -1; dfdy is computed from it
    ("cs231n-simple-sign.py", "dqdy", 8, {"dfdy"}),
    # a sign in the sigmoid's local gradient: every later gradient uses ddot
    ("sigmoid-neuron-sign.py", "ddot", 9, {"dx0", "dx1", "dw0", "dw1", "dw2"}),
    # a swapped local gradient in a * gate: dw1 = w1 * ddot instead of x1 * ddot
    ("sigmoid-neuron-swapped.py", "dw1", 13, set()),
    # a missing +=: x is used three times; the last assignment overwrites
    ("staged-missing-plus.py", "dx", 31, set()),
    # the issue's example: a wrong dden, and everything computed from it inherits it
    ("staged-dden-sign.py", "dden", 19, {"dsigx", "dxpysqr", "dxpy", "dx", "dy"}),
    # TOML: a wrong formula; df/dx follows from it by the chain rule
    ("cs231n-simple-sign.toml", "df/dq", 10, {"df/dx"}),
    # TOML: the * gate's local gradients swapped
    ("cs231n-simple-swapped.toml", "df/dz", 10, set()),
], ids=lambda v: v if isinstance(v, str) else None)
def test_one_mistake_is_found(name: str, first: str, line: int, inherited: set[str]) -> None:
    result = run(DATA / name)
    assert result.exit_code == 1, result.output
    text = result.output
    assert f"First wrong step: line {line}: " in text
    as_json = run(DATA / name, "--json")
    assert as_json.exit_code == 1
    data = json.loads(as_json.stdout)
    assert data["ok"] is False
    assert data["first_wrong"]["name"] == first and data["first_wrong"]["line"] == line
    claims = {c["name"]: c for c in data["claims"]}
    assert claims[first]["status"] == "wrong" and claims[first]["line"] == line
    assert {n for n, c in claims.items() if c["status"] == "inherited"} == inherited
    for n in inherited:
        assert claims[n]["root_cause"] == [{"name": first, "line": line}]
        assert f"inherits from {first} (line {line})" in text
    assert all(c["ok"] for n, c in claims.items() if n != first and n not in inherited)


def test_missing_plus_equals_says_so() -> None:
    report = check_file(DATA / "staged-missing-plus.py")
    dx = next(c for c in report.claims if c.name == "dx")
    assert "use +=" in dx.note and "replaces the value of dx from line 29" in dx.note
    assert dx.given == pytest.approx(0.5121444488244581)
    assert dx.expected == pytest.approx(2.0595697955721652)


def test_a_missing_contribution_points_at_the_last_line_of_the_sum() -> None:
    report = check_text("x = 3; y = 2\na = x * y\nb = x + a\nf = b * x\n"
                        "df = 1\ndb = x * df\ndx = b * df\nda = 1 * db\ndx += 1 * db\n")
    dx = next(c for c in report.claims if c.name == "dx")
    assert (dx.status, dx.line, dx.given, dx.expected) == ("wrong", 9, 12.0, 18.0)
    assert "x feeds 3 wires" in dx.note and "add the missing one with +=" in dx.note


def test_wrong_input_and_wrong_step_is_its_own_root() -> None:
    report = check_text("x = -2; y = 5; z = -4\nq = x + y\nf = q * z\n"
                        "dfdq = -z\ndfdx = dfdq * 2\n")
    by_name = {c.name: c for c in report.claims}
    assert by_name["dfdq"].status == "wrong"
    assert by_name["dfdx"].status == "wrong"  # wrong even with the correct dfdq
    assert "also uses wrong dfdq" in by_name["dfdx"].note
    assert [c.name for c in report.roots] == ["dfdq", "dfdx"]


# ---- formulas, tolerance, symbolic mode ------------------------------------------------------

SIMPLE = 'program = """\nx = -2; y = 5; z = -4\nq = x + y\nf = q * z\n"""\n[claims]\n'


@pytest.mark.parametrize("claim, value, ok", [
    ('"df/dq"', '"z"', True),
    ('"df/dq"', '"1*z"', True),
    ('"df/dq"', "-4", True),
    ('"df/dq"', '"-4"', True),             # a formula without names is a number
    ('"df/dq"', '"-z"', False),
    ('"df/dz"', '"q"', True),              # named intermediate: q = x + y
    ('"df/dz"', '"y + x"', True),
    ('"df/dx"', '"z*(x+y)/q"', True),      # equal everywhere q = x + y is not 0
    ('"df/dz"', '"3"', True),
    ('"df/dz"', '"-y + 8"', False),        # 3 at the point, but not the same formula
    ('"df/dq"', "-4.004", True),           # within 0.01
    ('"df/dq"', "-4.1", False),            # 0.1 is more than 0.01 + 1% of 4
    ("q", "3", True),
    ("f", "-12", True),
    ("dq", "-4", True),                    # dX: d output / d X
    ("dfdq", "-4", True),                  # dAdB, as in code
    ('"dq/dx"', "1", True),
    ('"dq / dy"', '"1"', True),
    ('"df/df"', "1", True),
], ids=lambda v: v)
def test_toml_claims(claim: str, value: str, ok: bool) -> None:
    report = check_text(f"{SIMPLE}{claim} = {value}\n", "toml")
    (c,) = report.claims
    assert c.ok is ok, (c, report)


def test_right_value_wrong_formula_is_explained() -> None:
    report = check_text(f'{SIMPLE}"df/dz" = "-y + 8"\n', "toml")
    (c,) = report.claims
    assert not c.ok and c.note == "the right value at this point, but not the same formula"


def test_unsimplified_formula_passes_by_the_spot_check() -> None:
    text = ('example = "sigmoid-neuron"\n[claims]\n'
            '"df/dx0" = "w0 * exp(-(w0*x0+w1*x1+w2)) / (1 + exp(-(w0*x0+w1*x1+w2)))**2"\n'
            '"df/dw0" = "x0 * sigmoid(w0*x0+w1*x1+w2) * (1 - sigmoid(w0*x0+w1*x1+w2))"\n'
            '"df/dw2" = "f - f**2"\n')
    report = check_text(text, "toml")
    assert report.ok, format_report(report)


def test_symbolic_derivation_without_values() -> None:
    report = check_text("q = x + y\nf = q * z\ndfdq = z\ndfdz = q\ndfdx = dfdq * 1\n"
                        "dfdy = -dfdq\n")
    assert report.symbolic
    assert [(c.name, c.ok) for c in report.claims] == [
        ("dfdq", True), ("dfdz", True), ("dfdx", True), ("dfdy", False)]
    toml = check_text('expression = "(x+y)*z"\n[claims]\n"df/dx" = "z"\n"df/dz" = 3\n', "toml")
    assert [c.ok for c in toml.claims] == [True, False]
    assert "give [at] values" in toml.claims[1].note


def test_hand_rounding_passes_the_default_tolerance() -> None:
    """Two decimals along a chain: ddot = 0.20, so dx1 = -3 * 0.20 = -0.60 (exact -0.5898)."""
    text = ('example = "sigmoid-neuron"\n[claims]\n"df/dx1" = -0.60\n"df/dw1" = -0.40\n')
    assert check_text(text, "toml").ok
    tight = check_text(text, "toml", tolerance=Tolerance(0.001, 0.0))
    assert [c.ok for c in tight.claims] == [False, False]


def test_tolerance_option_and_statement(tmp_path: Path) -> None:
    path = tmp_path / "close.toml"
    path.write_text(f'{SIMPLE}"df/dx" = -4.2\n')
    default = run(path)
    assert default.exit_code == 1
    assert "tolerance: |claimed - correct| <= 0.01 + 1% of |correct|" in default.output
    loose = run(path, "--tol", "0.25")
    assert loose.exit_code == 0, loose.output
    assert "tolerance: |claimed - correct| <= 0.25 + 1% of |correct|" in loose.output
    relative = run(path, "--tol", "0", "--rtol", "0.1", "--json")
    assert relative.exit_code == 0
    assert json.loads(relative.stdout)["tolerance"] == {
        "abs": 0.0, "rel": 0.1, "rule": "|claimed - correct| <= 0 + 10% of |correct|"}
    assert run(path, "--tol", "-1").exit_code == 2
    with pytest.raises(InputError):
        Tolerance(-1.0)


def test_zero_tolerance_still_accepts_exact_code() -> None:
    assert check_file(DATA / "staged.py", tolerance=Tolerance(0.0, 0.0)).ok


# ---- names: gradients, local gradients, ambiguity, rebinding ---------------------------------

def test_local_gradient_is_the_partial_of_the_definition() -> None:
    text = ('program = """\nx = 3; y = 2\nq = x + y\nr = q * x\nf = r\n"""\n[claims]\n'
            '"dr/dx" = "q"\n'      # x appears in r = q * x: q held fixed
            '"dr/dq" = "x"\n'
            '"dr/dy" = "x"\n'      # y is not in r's definition: through q, by the chain rule
            '"df/dx" = "q + x"\n')  # f is the output: the total derivative
    report = check_text(text, "toml")
    assert report.ok, format_report(report)


def test_a_forward_variable_named_like_a_gradient_is_a_value() -> None:
    # 'dx' is bound in the forward pass (the marker comment says where it ends), so it is a
    # value; its gradient is 'ddx'
    code = "x = 2; dx = 3\nf = x * dx\n# backward pass\nddx = x\ndfdx = dx\n"
    report = check_text(code)
    assert [(c.name, c.claim, c.ok) for c in report.claims] == [
        ("ddx", "df/ddx", True), ("dfdx", "df/dx", True)]
    # without the marker, the first gradient name starts the backward pass (the issue's
    # rule): dx = 3 is then a claim about d x / d x
    plain = check_text(code.replace("# backward pass\n", ""))
    assert [(c.name, c.claim, c.ok) for c in plain.claims] == [("dx", "dx/dx", False)]


def test_the_marker_comment_must_follow_a_statement() -> None:
    code = "# backprop homework, cs231n style\n" + ISSUE_CODE
    assert check_text(code).ok


def test_rebound_names_mean_the_last_binding() -> None:
    code = "a = 2\nc = a * 3\nc = c * c\nf = c + a\ndc = 1\ndcdc = 2 * 6\nda = 37\n"
    # c (last) = 36, f = c + a; dc = 1; dc/dc: c = c * c reads the first c (6): 2 * 6;
    # da = 1 + dc * 2 * 6 * 3
    report = check_text(code)
    assert report.ok, format_report(report)


def test_helpers_in_the_backward_pass_carry_errors_through() -> None:
    code = ("w0 = 2; x0 = -1\ndot = w0 * x0\nf = 1 / (1 + math.exp(-dot))\n"
            "df = 1.0\n"
            "local = f * (1 + f)\n"      # a helper (not a gradient name), and wrong
            "ddot = local * df\n"
            "dw0 = x0 * ddot\n")
    report = check_text(code)
    # x0's gradient is not claimed: a missing row after the claims (it used to be ignored)
    assert [(c.name, c.status, c.line) for c in report.claims] == [
        ("df", "ok", 4), ("ddot", "wrong", 6), ("dw0", "inherited", 7),
        ("dx0", "missing", None)]


# ---- unreadable derivations: exit 2, one line ----------------------------------------------------

BROKEN = [
    ("syntax.py", "x = 1; y = 2\nf = x * y\ndx = y *\n", "syntax error", "line 3"),
    ("unknown-name.py", "x = 1; y = 2\nf = x * y\ndx = yy\n", "unknown name 'yy'", "line 3"),
    ("no-backward.py", "x = 1; y = 2\nf = x * y\n", "no backward pass", ""),
    ("forward-name.py", "x = 1; y = 2\nf = x * y\ndx = y\nf = 3\n", "'f' is a value of the"
     " forward pass", "line 4"),
    ("bare.py", "x = 1; y = 2\nf = x * y\ndx = y\ndx + 1\n", "bare expression", "line 4"),
    ("not-connected.py", "x = 1; y = 2; w = 3\nq = x + y\nf = q * w\ndqdw = 0\n",
     "q does not depend on w", "line 4"),
    ("division.py", "x = 1; y = 2\nf = x * y\ndx = y / (x - 1)\n", "division by zero", "line 3"),
    ("hostile.py", "x = 1; y = 2\nf = x * y\ndx = __import__('os').system('true')\n",
     "not allowed", "line 3"),
    ("list.py", "w = [[2, -3], [3]]\nf = sum(w)\ndw = 1\n", "rows of different lengths", "line 1"),
    ("not-toml.toml", "expression = \n", "not valid TOML", "line 1"),
    ("unknown-key.toml", 'expression = "x*y"\nfoo = 1\n[claims]\nx = 1\n', "unknown key 'foo'",
     "line 2"),
    ("two-circuits.toml", 'expression = "x*y"\nprogram = "x*y"\n[claims]\nx = 1\n',
     "not expression and program", ""),
    ("no-claims.toml", 'expression = "x*y"\n[at]\nx = 1\ny = 2\n', "no claims", ""),
    ("no-node.toml", f'{SIMPLE}"df/dw" = 1\n', "unknown name 'w' in the claim", "line 7"),
    ("bad-claim.toml", f'{SIMPLE}"grad of x" = 1\n', "is not a name", "line 7"),
    ("input-local.toml", f'{SIMPLE}"dx/dy" = 0\n', "x is an input", "line 7"),
    ("bad-formula.toml", f'{SIMPLE}"df/dq" = "z +"\n', "syntax error", "line 7"),
    ("formula-name.toml", f'{SIMPLE}"df/dq" = "w"\n', "unknown name 'w' in the formula",
     "line 7"),
    ("hostile-formula.toml", f'{SIMPLE}"df/dq" = "__import__(\'os\').getcwd()"\n',
     "not allowed", "line 7"),
    ("formula-assign.toml", f'{SIMPLE}"df/dq" = "a = z"\n', "one expression", "line 7"),
    ("bool-claim.toml", f'{SIMPLE}q = true\n', "must be a number or a formula", "line 7"),
    ("program-error.toml", 'program = """\nx = 1; y = 2\nq = x +* y\n"""\n[claims]\nq = 3\n',
     "syntax error", "line 3"),
    ("unknown-input.toml", 'expression = "x*y"\n[at]\nx = 1\ny = 2\nw = 3\n[claims]\nx = 1\n',
     "unknown input 'w'", "line 2"),
    ("bad-example.toml", 'example = "sigmoid-nueron"\n[claims]\nf = 1\n',
     "did you mean 'sigmoid-neuron'", "line 1"),
    ("undefined.toml", 'expression = "log(x)"\n[at]\nx = -1\n[claims]\nf = 0\n',
     "log of a non-positive number", "line 1"),
]


@pytest.mark.parametrize("name, text, message, line", BROKEN, ids=[b[0] for b in BROKEN])
def test_unreadable_derivation_is_one_error_line(tmp_path: Path, name: str, text: str,
                                                 message: str, line: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    result = run(path)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    (only,) = result.stderr.splitlines()
    assert only.startswith(f"Error: {name}: ")
    assert message in only
    assert line in only
    assert "Traceback" not in result.output


def test_missing_file_is_one_error_line() -> None:
    """The project's own error line, not click's "Invalid value for 'PATH'" usage text."""
    result = run("no/such/file.py")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "Error: file 'no/such/file.py' does not exist\n"


# ---- folders (the teacher's view) ----------------------------------------------------------------

def test_folder_summary_table(tmp_path: Path) -> None:
    for name in ("cs231n-simple.py", "staged-dden-sign.py", "cs231n-simple-swapped.toml",
                 "broken-syntax.py"):
        shutil.copy(DATA / name, tmp_path / name)
    (tmp_path / "notes.txt").write_text("ignored: not .py or .toml")
    result = run(tmp_path)
    assert result.exit_code == 1, result.output
    rows = {line.split()[0]: line.split() for line in result.output.splitlines()[1:5]}
    assert set(rows) == {"cs231n-simple.py", "staged-dden-sign.py",
                         "cs231n-simple-swapped.toml", "broken-syntax.py"}
    assert rows["cs231n-simple.py"][1:] == ["6", "0", "-"]
    assert rows["staged-dden-sign.py"][1:] == ["9", "6", "dden", "(line", "19)"]
    assert rows["cs231n-simple-swapped.toml"][1:] == ["2", "1", "df/dz", "(line", "10)"]
    assert rows["broken-syntax.py"][1:4] == ["-", "-", "unreadable:"]
    assert "4 files: 1 all right, 2 with wrong claims, 1 unreadable" in result.output

    data = json.loads(run(tmp_path, "--json").stdout)
    assert data["ok"] is False
    files = {f["file"]: f for f in data["files"]}
    assert files["broken-syntax.py"]["error"].startswith("syntax error")
    assert files["staged-dden-sign.py"]["first_wrong"] == {
        "claim": "df/dden", "name": "dden", "line": 19}


def test_folder_exit_codes(tmp_path: Path) -> None:
    good = tmp_path / "good"
    good.mkdir()
    shutil.copy(DATA / "staged.py", good)
    shutil.copy(DATA / "cs231n-simple.toml", good)
    assert run(good).exit_code == 0
    shutil.copy(DATA / "broken-syntax.py", good)
    assert run(good).exit_code == 1          # one unreadable submission: not all right
    bad = tmp_path / "bad"
    bad.mkdir()
    shutil.copy(DATA / "broken-syntax.py", bad)
    shutil.copy(DATA / "broken-unknown-claim.toml", bad)
    assert run(bad).exit_code == 2           # nothing could be read
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(empty)
    assert result.exit_code == 2 and "no derivations" in result.output


def test_the_fixture_folder() -> None:
    folder = check_folder(DATA)
    assert folder.exit_code == 1
    unreadable = {e.file for e in folder.entries if e.report is None}
    assert unreadable == {"broken-syntax.py", "broken-unknown-claim.toml"}


# ---- JSON contract and safety ------------------------------------------------------------------

def test_json_contract() -> None:
    result = run(DATA / "cs231n-simple-sign.toml", "--json")
    data = json.loads(result.stdout)
    assert set(data) >= {"ok", "tolerance", "claims", "file", "first_wrong", "output"}
    assert data["tolerance"]["abs"] == 0.01 and data["tolerance"]["rel"] == 0.01
    first = data["claims"][0]
    assert first == {
        "claim": "df/dq", "name": "df/dq", "given": 4.0, "expected": -4.0, "ok": False,
        "status": "wrong", "line": 10, "formula": "-z", "expected_formula": "z",
        "root_cause": [{"name": "df/dq", "line": 10}], "note": None,
        "source": '"df/dq" = "-z"',
        "nodes": ["n3"]}  # q's node, as in gbp eval --json
    ok_claim = data["claims"][1]
    assert ok_claim["ok"] is True and ok_claim["root_cause"] is None


def test_checking_runs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """No exec/eval, no file, no process while a derivation is checked (parsing only)."""
    texts = [(p.read_text(), "toml" if p.suffix == ".toml" else "code")
             for p in sorted(DATA.iterdir()) if not p.name.startswith("broken")]
    for text, fmt in texts:  # warm up: imports and caches
        check_text(text, fmt)
    events: list[tuple[str, str]] = []
    watching = [True]

    def hook(event: str, args: tuple) -> None:
        if event == "open" and "expressions" in str(args[0]):
            return  # example = "sigmoid-neuron" reads the bundled example
        if watching[0] and (event in ("exec", "open", "os.system", "subprocess.Popen")
                            or event.startswith(("os.exec", "os.posix_spawn", "os.spawn"))):
            events.append((event, repr(args)[:80]))

    sys.addaudithook(hook)
    try:
        for text, fmt in texts:
            check_text(text, fmt)
        with pytest.raises(InputError):
            check_text(f'{SIMPLE}"df/dq" = "__import__(\'os\').system(\'echo no\')"\n', "toml")
    finally:
        watching[0] = False
    assert events == []


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
def test_render_marks_the_wrong_wires(tmp_path):
    source = tmp_path / "hw.py"
    source.write_text("x = -2; y = 5; z = -4\nq = x + y\nf = q * z\n"
                      "dfdz = q\ndfdq = z\ndqdx = 1.0\ndqdy = -1.0\n"
                      "dfdx = dfdq * dqdx\ndfdy = dfdq * dqdy\n")
    out = tmp_path / "hw.svg"
    result = CliRunner().invoke(cli, ["check", str(source), "--render", str(out)])
    assert result.exit_code == 1, result.output
    svg = out.read_text()
    from graphviz_backprop.themes import Theme

    assert svg.count(Theme().mark_wrong) == 1  # the y -> q wire, where dq/dy is wrong
    assert "first wrong: dqdy (line 7)" in svg
    assert "Wrote" in result.output


# ---- missing gradients and names that name no node ---------------------------------------------

TYPO_CODE = TYPO_DERIVATION  # a forward pass, then a backward pass with a typo


def test_code_reports_a_missing_input_gradient_and_a_typo(tmp_path: Path) -> None:
    path = tmp_path / "hw.py"
    path.write_text(TYPO_CODE)
    result = run(path)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "hw.py: 3 claims, 1 missing, output f = -12"
    (missing,) = [line for line in lines if "MISSING" in line]
    assert missing.split() == ["-", "dz", "(df/dz)", "MISSING", "-", "3", "no", "line",
                               "assigns", "dz"]
    assert "warning: line 7: dzz: no node 'zz'; did you mean dz?" in lines
    assert "All 3 claims hold." not in result.stdout
    assert lines[-1] == ("All 3 claims hold, but 1 input gradient is missing (dz) and dzz"
                         " (line 7) names no node of the circuit.")

    data = json.loads(run(path, "--json").stdout)
    assert data["ok"] is False and data["wrong"] == 0 and data["first_wrong"] is None
    assert [(c["name"], c["status"], c["ok"]) for c in data["claims"]] == [
        ("dq", "ok", True), ("dx", "ok", True), ("dy", "ok", True), ("dz", "missing", False)]
    dz = data["claims"][-1]
    assert (dz["given"], dz["expected"], dz["line"], dz["root_cause"]) == (None, 3.0, None, None)
    assert dz["claim"] == "df/dz" and dz["nodes"] == ["n2"]  # z's node, as in gbp eval --json
    assert data["not_claimed"] == ["dz"]
    assert data["warnings"] == [{"name": "dzz", "line": 7, "suggestion": "dz",
                                 "message": "dzz: no node 'zz'; did you mean dz?"}]


def test_code_with_only_some_gradients_fails() -> None:
    report = check_text("x = -2; y = 5; z = -4\nq = x + y\nf = q * z\ndq = z\ndx = dq\n")
    assert not report.ok
    assert [(c.name, c.status) for c in report.claims] == [
        ("dq", "ok"), ("dx", "ok"), ("dy", "missing"), ("dz", "missing")]
    assert [c.expected for c in report.missing] == [-4.0, 3.0]
    assert report.not_claimed == ("dy", "dz") and report.wrong == []
    assert format_report(report).splitlines()[-1] == (
        "All 2 claims hold, but 2 input gradients are missing (dy, dz).")


def test_a_complete_derivation_has_no_missing_rows() -> None:
    for name in ("cs231n-simple.py", "sigmoid-neuron.py", "staged.py"):
        report = check_file(DATA / name)
        assert report.ok and report.missing == [] and report.not_claimed == ()
        assert report.warnings == ()


def test_gradients_claimed_as_dfdx_count() -> None:
    report = check_text(ISSUE_CODE.replace("dfdz = q\n", ""))
    assert [c.name for c in report.missing] == ["dfdz"]  # written the way the code writes them


def test_missing_gradient_next_to_a_wrong_claim() -> None:
    report = check_text("x = -2; y = 5; z = -4\nq = x + y\nf = q * z\ndq = -z\ndx = dq\n"
                        "dy = dq\n")
    assert [(c.name, c.status) for c in report.claims] == [
        ("dq", "wrong"), ("dx", "inherited"), ("dy", "inherited"), ("dz", "missing")]
    assert report.first_wrong.name == "dq"
    assert report.marks() == {"n3": "wrong", "n0": "inherited", "n1": "inherited"}
    assert summary_line_of(report).endswith(
        "Also, 1 input gradient is missing (dz).")


def summary_line_of(report) -> str:
    return format_report(report).splitlines()[-1]


def test_missing_gradients_in_symbolic_mode_are_formulas() -> None:
    report = check_text("q = x + y\nf = q * z\ndq = z\ndx = dq\ndy = dq\n")
    (dz,) = report.missing
    assert dz.name == "dz" and str(dz.expected) == "x + y"
    assert "MISSING" in format_report(report)


def test_only_inputs_the_output_depends_on_and_their_last_binding_are_required() -> None:
    # w is an input the output does not use: its gradient (0) is not required
    unused = check_text("x = 2; w = 5\nf = x * x\ndx = 2 * x\n")
    assert unused.ok, format_report(unused)
    # c is an input rebound later: dc means the last c, so the input's gradient cannot be
    # written and is not required
    rebound = check_text("a = 2; c = 3\nc = c * a\nf = c + a\ndc = 1\nda = 1 + dc * c / a\n")
    assert rebound.ok, format_report(rebound)


def test_a_forward_variable_named_dx_makes_the_gradient_name_dfdx() -> None:
    report = check_text("x = 2; dx = 3\nf = x * dx\n# backward pass\nddx = x\n")
    assert [(c.name, c.status) for c in report.claims] == [("ddx", "ok"), ("dfdx", "missing")]


@pytest.mark.parametrize("line, message", [
    ("dw = 3", "dw: no node 'w' (names: x, y, z, q, f)"),
    ("dfdw = 3", "dfdw: no node 'w'; did you mean dfdz?"),
    ("dzz = dq * 1", "dzz: no node 'zz'; did you mean dz?"),
    ("dzz = 1\ndzz += 2", "dzz: no node 'zz'; did you mean dz?"),  # only reads itself
    ("dqq = z", "dqq: no node 'qq'; did you mean dq?"),  # near a claimed name: still its own
], ids=lambda v: v.split()[0] if " = " in v else None)
def test_a_name_like_a_gradient_that_names_no_node_is_a_warning(line: str,
                                                                message: str) -> None:
    code = ("x = -2; y = 5; z = -4\nq = x + y\nf = q * z\ndq = z\ndx = dq\ndy = dq\n"
            f"dz = q\n{line}\n")
    report = check_text(code)
    assert all(c.ok for c in report.claims) and report.missing == []
    assert [w.message for w in report.warnings] == [message]
    assert report.warnings[0].line == 8
    assert not report.ok  # an autograder must not pass a typo
    assert f"warning: line 8: {message}" in format_report(report)


def test_a_helper_that_is_used_is_no_warning() -> None:
    # delta and dsig start with d but are helpers of the backward pass: later lines read them
    code = ("w0 = 2; x0 = -1\ndot = w0 * x0\nf = 1 / (1 + math.exp(-dot))\n"
            "# backward pass\ndsig = (1 - f) * f\ndelta = dsig * 1.0\nddot = delta\n"
            "dw0 = x0 * ddot\ndx0 = w0 * ddot\n")
    report = check_text(code)
    assert report.ok and report.warnings == (), format_report(report)


def test_toml_lists_gradients_not_claimed_in_a_note_and_passes(tmp_path: Path) -> None:
    path = tmp_path / "some.toml"
    path.write_text(f'{SIMPLE}"df/dq" = "z"\ndx = -4\n')
    result = run(path)
    assert result.exit_code == 0, result.output
    assert "note: not claimed: dy, dz" in result.stdout.splitlines()
    assert "MISSING" not in result.stdout
    assert result.stdout.splitlines()[-1] == "All 2 claims hold."
    data = json.loads(run(path, "--json").stdout)
    assert data["ok"] is True and data["not_claimed"] == ["dy", "dz"]
    assert [c["status"] for c in data["claims"]] == ["ok", "ok"]
    complete = run(DATA / "cs231n-simple.toml")
    assert "not claimed" not in complete.stdout


def test_toml_claim_that_names_no_node_says_which_was_meant(tmp_path: Path) -> None:
    path = tmp_path / "typo.toml"
    path.write_text(f"{SIMPLE}dzz = 3\n")
    result = run(path)
    assert result.exit_code == 2
    assert result.stderr == "Error: typo.toml: claim 'dzz': no node 'zz'; did you mean dz? (line 7)\n"


def test_folder_counts_incomplete_files(tmp_path: Path) -> None:
    (tmp_path / "typo.py").write_text(TYPO_CODE)
    shutil.copy(DATA / "staged.py", tmp_path)
    shutil.copy(DATA / "cs231n-simple-sign.py", tmp_path)
    result = run(tmp_path)
    assert result.exit_code == 1
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[1:4]}
    assert rows["typo.py"].split() == ["typo.py", "3", "0", "missing:", "dz;", "no", "node:",
                                       "dzz"]
    assert "3 files: 1 all right, 1 with wrong claims, 1 incomplete, 0 unreadable" \
        in result.stdout
    files = {f["file"]: f for f in json.loads(run(tmp_path, "--json").stdout)["files"]}
    assert files["typo.py"]["ok"] is False
    assert (files["typo.py"]["claims"], files["typo.py"]["not_claimed"],
            files["typo.py"]["warnings"]) == (3, ["dz"], 1)


# ---- command line: errors before any output --------------------------------------------------

def test_render_extension_is_checked_before_the_report(tmp_path: Path) -> None:
    out = tmp_path / "err.jpg"
    result = run(DATA / "cs231n-simple-sign.toml", "--render", out)
    assert result.exit_code == 2
    assert result.stdout == ""  # no report printed before the usage error
    assert "--render needs a .svg, .png or .dot file, not" in result.stderr
    assert not out.exists()
    folder = run(DATA, "--render", tmp_path / "x.svg")
    assert folder.exit_code == 2 and folder.stdout == ""
    assert "--render draws one derivation" in folder.stderr


def test_unquoted_slash_key_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "slash.toml"
    path.write_text(f"{SIMPLE}df/dx = 3  # unquoted\n")
    result = run(path)
    assert result.exit_code == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: slash.toml: not valid TOML: Expected '=' after a key")
    assert "(at line 7, column 3)" in line
    assert line.endswith("""a key with '/' must be quoted: "df/dx" = 3""")
    # other TOML errors get no such hint
    path.write_text(f"{SIMPLE}dx = \n")
    assert "quoted" not in run(path).stderr
