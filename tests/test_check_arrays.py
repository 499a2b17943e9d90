"""gbp check on vectorized derivations: a forward pass on vectors and matrices, a backward
pass in numpy code (``.T``, ``.dot``, ``np.outer``, ``np.sum(..., axis=0)``, masks such as
``(Z > 0)``), or TOML claims with matrix values.

The fixtures follow the cs231n notes' vectorized example (W = [[0.1, 0.5], [-0.3, 0.8]],
x = [0.2, 0.4], q = W x, f = ||q||²: dq = 2q, dW = dq xᵀ, dx = Wᵀ dq, worked out by hand
below) and a dense layer with a bias and a ReLU over a batch, right and with the classic
mistakes.  Numbers are numpy's semantics exactly: a 1-D vector is neither a row nor a column.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from graphviz_backprop.check import Tolerance, check_file, check_text, format_report
from graphviz_backprop.check.code import _subset_matching
from graphviz_backprop.check.vectorized import code_text
from graphviz_backprop.cli import cli
from graphviz_backprop.errors import InputError
from graphviz_backprop.parser import parse
from graphviz_backprop.tracing import trace

DATA = Path(__file__).parent / "data"
VECTORIZED = DATA / "vectorized"
EXAMPLE = DATA / "derivations" / "cs231n-vectorized.py"

#: The example by hand: q = (0.22, 0.26), dq = (0.44, 0.52), dW = dq xᵀ, dx = Wᵀ dq.
DQ = [0.44, 0.52]
DW = [[0.088, 0.176], [0.104, 0.208]]
DX = [-0.112, 0.636]

FORWARD = """\
W = [[0.1, 0.5], [-0.3, 0.8]]
x = [0.2, 0.4]
q = W.dot(x)
f = np.sum(q**2)
"""

#: A W that is not square (2×3), and x with 3 entries: dW = np.outer(x, dq) is 3×2.
WIDE = """\
W = [[0.1, 0.5, 0.2], [-0.3, 0.8, 0.4]]
x = [0.2, 0.4, -0.1]
q = W.dot(x)
f = np.sum(q**2)
dq = 2 * q
"""


def run(*args: object):
    result = CliRunner().invoke(cli, ["check", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def claims(report) -> dict:
    return {c.name: c for c in report.claims}


def code(backward: str, forward: str = FORWARD):
    return check_text(forward + backward, "code")


# ---- right ----------------------------------------------------------------------------------------

def test_the_cs231n_vectorized_example_holds() -> None:
    result = run(EXAMPLE)
    assert result.exit_code == 0, result.output
    assert "All 3 claims hold." in result.output
    assert "[[0.088, 0.176], [0.104, 0.208]]" in result.output
    got = claims(check_file(EXAMPLE))
    assert got["dq"].given.tolist() == pytest.approx(DQ, abs=1e-15)
    assert np.allclose(got["dW"].given, DW, rtol=0, atol=1e-15)
    assert got["dx"].given.tolist() == pytest.approx(DX, abs=1e-15)
    for c in got.values():  # the same float64 operations as the engine: the same bits
        assert c.status == "ok" and np.array_equal(c.given, c.expected)


@pytest.mark.parametrize("name, count", [
    ("cs231n-columns.py", 3),        # x a 3×1 column: dW = dq.dot(x.T) is 2×3
    ("dense-layer.py", 5),           # X @ W + b, np.maximum, a (Z > 0) mask, axis=0
    ("cs231n-vectorized.toml", 4),   # claims with matrix values
], ids=str)
def test_vectorized_fixtures_hold(name: str, count: int) -> None:
    result = run(VECTORIZED / name)
    assert result.exit_code == 0, result.output
    assert f"All {count} claims hold." in result.output


def test_dense_layer_numbers() -> None:
    got = claims(check_file(VECTORIZED / "dense-layer.py"))
    X = np.array([[1.0, -2.0, 0.5], [0.3, 0.8, -1.0], [-0.5, 0.2, 0.1], [2.0, 1.0, -0.3]])
    W = np.array([[0.2, -0.4], [0.6, 0.1], [-0.3, 0.5]])
    Z = X @ W + np.array([0.1, -0.2])
    dZ = 2 * (np.maximum(0, Z) - 1) * (Z > 0)
    assert got["db"].given.tolist() == pytest.approx([-1.56, -1.86], abs=1e-12)
    assert np.allclose(got["db"].expected, dZ.sum(axis=0), rtol=0, atol=1e-15)
    assert np.allclose(got["dW"].expected, X.T @ dZ, rtol=0, atol=1e-15)
    assert np.allclose(got["dX"].expected, dZ @ W.T, rtol=0, atol=1e-15)


def test_a_vectorized_derivation_is_drawn_as_its_forward_pass() -> None:
    t = trace(str(EXAMPLE))
    assert t.value == pytest.approx(0.116, abs=1e-15) and t.backward_lines == (9, 12)


# ---- wrong ------------------------------------------------------------------------------------------

def test_a_wrong_line_is_named_with_both_matrices_and_a_fix() -> None:
    result = run(VECTORIZED / "cs231n-transposed.py")
    assert result.exit_code == 1
    row = next(line for line in result.output.splitlines() if line.startswith("8 "))
    assert "WRONG" in row and "[0.304, 0.284]" in row and "[-0.112, 0.636]" in row
    assert "did you mean W.T.dot(dq) or dq.dot(W)?" in row
    assert result.output.rstrip().endswith(
        "First wrong step: line 8: dx = W.dot(dq) (claimed [0.304, 0.284], correct"
        " [-0.112, 0.636]): did you mean W.T.dot(dq) or dq.dot(W)?")


def test_what_inherits_from_a_wrong_vector() -> None:
    got = claims(code("dq = q\ndW = np.outer(dq, x)\ndx = W.T.dot(dq)\n"))
    assert got["dq"].status == "wrong" and got["dq"].line == 5
    assert got["dq"].given.tolist() == pytest.approx([0.22, 0.26], abs=1e-15)
    for name in ("dW", "dx"):
        assert got[name].status == "inherited" and got[name].root_cause == (("dq", 5),)


def test_a_transposed_outer_product_is_a_shape_error_with_its_fix() -> None:
    dw = claims(check_text(WIDE + "dW = np.outer(x, dq)\ndx = W.T.dot(dq)\n", "code"))["dW"]
    assert dw.status == "wrong" and dw.given.shape == (3, 2) and dw.expected.shape == (2, 3)
    assert dw.note.startswith("dW has shape 3×2 but W is 2×3: did you mean np.outer(dq, x)")


def test_a_dot_product_of_vectors_is_a_number() -> None:
    result = run(VECTORIZED / "cs231n-row-column.py")
    assert result.exit_code == 1
    dw = claims(check_file(VECTORIZED / "cs231n-row-column.py"))["dW"]
    assert dw.status == "wrong" and dw.line == 8 and dw.given == pytest.approx(0.296, abs=1e-15)
    assert dw.note.startswith("dW is a scalar but W is 2×2: did you mean np.outer(dq, x)?")
    assert "dq.dot(x.T) of two vectors is their dot product, a number" in dw.note
    assert "neither rows nor columns" in dw.note


def test_the_bias_gradient_is_a_sum_over_the_rows() -> None:
    got = claims(check_file(VECTORIZED / "dense-layer-bias.py"))
    assert [c.status for c in got.values()] == ["ok", "ok", "wrong", "ok", "ok"]
    assert got["db"].note == (
        "db has shape 4×2 but b is a 2-vector: did you mean np.sum(dZ, axis=0)? b is added"
        " to every row, so its gradient is the sum over the rows")


def test_a_wrong_mask_is_the_first_wrong_step_of_the_layer() -> None:
    got = claims(check_file(VECTORIZED / "dense-layer-mask.py"))
    assert got["dZ"].status == "wrong" and got["dZ"].line == 10
    assert got["dZ"].given.tolist() == [[-2, -2], [0, -2], [0, 0], [0, -2]]
    for name in ("db", "dW", "dX"):
        assert got[name].status == "inherited" and got[name].root_cause == (("dZ", 10),)
    assert got["db"].given.tolist() == [-2.0, -6.0]


def test_a_missing_plus_equals_on_vectors() -> None:
    forward = FORWARD.replace("f = np.sum(q**2)", "r = x * 3\nf = np.sum(q**2) + np.sum(r)")
    report = code("dq = 2 * q\ndr = 1 + 0 * r\ndW = np.outer(dq, x)\n"
                  "dx = W.T.dot(dq)\ndx = 3 * dr\n", forward)
    dx = claims(report)["dx"]
    assert dx.status == "wrong" and dx.line == 10
    assert "replaces the value of dx from line 9" in dx.note
    fixed = code("dq = 2 * q\ndr = 1 + 0 * r\ndW = np.outer(dq, x)\n"
                 "dx = W.T.dot(dq)\ndx += 3 * dr\n", forward)
    assert fixed.ok, format_report(fixed)


def test_a_scalar_for_a_vector_gradient_is_wrong() -> None:
    """dr = 1 for r = 3x, f = sum(r): numpy's gradient of r is a vector of ones."""
    forward = "x = [0.2, 0.4]\nr = x * 3\nf = np.sum(r)\n"
    dr = claims(code("dr = 1\ndx = 3 * dr\n", forward))["dr"]
    assert dr.status == "wrong"
    assert dr.note == ("dr is a scalar but r is a 2-vector: every entry is right, but a"
                       " gradient has the shape of its value")


def test_a_missing_vector_gradient() -> None:
    report = code("dq = 2 * q\ndW = np.outer(dq, x)\n")
    missing = report.missing[0]
    assert missing.name == "dx" and missing.expected.tolist() == pytest.approx(DX, abs=1e-15)


# ---- masks: backward lines only ---------------------------------------------------------------------

def test_a_mask_is_0_or_1_entry_by_entry() -> None:
    forward = "z = [-1.0, 0.0, 2.0]\nr = relu(z)\nf = np.sum(r * z)\n"
    for mask in ("(z > 0)", "(0 < z)", "(z >= 0.5)"):
        got = claims(code(f"dr = z\ndz = dr * {mask} + r\n", forward))
        assert got["dz"].status == "ok" and got["dz"].given.tolist() == [-0.0, 0.0, 4.0]
    wrong = claims(code("dr = z\ndz = dr * (z < 0) + r\n", forward))["dz"]
    assert wrong.status == "wrong" and wrong.given.tolist() == [-1.0, 0.0, 2.0]


def test_a_mask_in_symbolic_code_is_a_step_function() -> None:
    forward = "r = relu(x * y)\nf = r * x\n"
    assert code("dr = x\ndx = dr * (x * y > 0) * y + r\ndy = dr * (x * y > 0) * x\n",
                forward).ok
    report = code("dr = x\ndx = dr * (x * y < 0) * y + r\ndy = dr * (0 < x * y) * x\n", forward)
    assert [c.status for c in report.claims] == ["ok", "wrong", "ok"]


@pytest.mark.parametrize("source, needle", [
    ("x = 2\nf = x * (x > 0)\ndx = 1\n", "comparisons are not allowed in the forward pass"),
    ("x = 2\nf = x * 3\ndx = 3 * (0 < x < 1)\n", "a mask compares two values with one of"),
    ("x = 2\nf = x * 3\ndx = 3 * (x == 2)\n", "a mask compares two values with one of"),
    ("x = [1.0, -2.0]\nf = np.sum(relu(x))\ndx = 1 + 0 * x\ndx[x <= 0] = 0\n",
     "cannot assign to entries; assign to one name, as in dZ = dA * (Z > 0)"),
], ids=["in-forward", "chained", "equals", "entry-assignment"])
def test_masks_are_refused_outside_backward_lines(source: str, needle: str) -> None:
    with pytest.raises(InputError, match=re.escape(needle)):
        check_text(source, "code")


def test_the_forward_language_has_no_comparisons() -> None:
    for text in ("f = x * (x > 0)", "x = 2\nf = x * 3\ndx = 3 * (x > 0)\n"):
        with pytest.raises(InputError, match="comparisons are not allowed"):
            parse(text)
    toml = 'program = "f = x * 3"\n[at]\nx = 2\n[claims]\n"df/dx" = "3 * (x > 0)"\n'
    with pytest.raises(InputError, match="comparisons are not allowed"):
        check_text(toml, "toml")


# ---- errors: one line, exit code 2 ------------------------------------------------------------------

@pytest.mark.parametrize("backward, needles", [
    ("dq = 2 * q\ndW = np.zeros_like(W)\n", ["unknown function 'np.zeros_like'", "line 6"]),
    ("dq = 2 * q\ndW = dq @ 2\n", ["dq @ 2: 2 is a scalar; @ multiplies vectors and matrices"
                                   " (use * to multiply by a scalar) (line 6, column 6)"]),
    ("dq = 2 * q\ndW = np.outer(dq, W)\n",
     ["np.outer(dq, W): outer(dq, W) takes two vectors (dq is a 2-vector, W a 2×2 matrix)",
      "(line 6, column 6)"]),
    ("dq = 2 * q\ndW = np.sum(dq, axis=1)\n", ["np.sum(dq, axis=1): sum(dq, axis=1): dq is a"
                                               " 2-vector, which has only axis 0"]),
    ("dq = 2 * q\ndW = np.log(W)\n", ["np.log(W): log of a non-positive number at entry [1, 0]"]),
    ("dq = 2 * q\ndqdW = 1\n", ["q is a 2-vector, so dq/dW is a Jacobian, which is not checked"]),
    ("dq = 2 * q\ndW = cross_entropy(W, 0)\n", ["cross_entropy(...) is a loss of the forward"]),
], ids=["unknown-function", "matmul-scalar", "outer-of-a-matrix", "axis", "domain",
        "jacobian", "cross-entropy"])
def test_malformed_vectorized_code_is_one_error_line(tmp_path: Path, backward: str,
                                                     needles: list[str]) -> None:
    path = tmp_path / "hw.py"
    path.write_text(FORWARD + backward)
    result = run(path)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: hw.py: "), result.output
    for needle in needles:
        assert needle in lines[0]


def test_a_shape_error_offers_the_fix_that_works(tmp_path: Path) -> None:
    path = tmp_path / "hw.py"
    path.write_text((VECTORIZED / "dense-layer.py").read_text().replace(
        "dX = dZ.dot(W.T)", "dX = dZ.dot(W)"))
    result = run(path)
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Error: hw.py: dZ.dot(W): dZ is 4×2 but W is 3×2 (dZ's 2 columns must match W's 3"
        " rows); did you mean dZ.dot(W.T)? (line 13, column 6)")
    path.write_text(WIDE + "dW = dq.dot(x.T)\n")
    assert "; did you mean np.outer(dq, x)? (line 6, column 6)" in run(path).output


@pytest.mark.parametrize("backward, message", [
    ("dW = np.outer(dq, x)\ndx = W.dot(dq)\n",
     "W.dot(dq): W is 2×3 but dq has 2 entries (W's 3 columns must match dq); did you mean"
     " W.T.dot(dq) or dq.dot(W)? (line 7, column 6)"),
    ("dW = W + q\n", "W + q: shapes 2×3 and 2 cannot be added (W is a 2×3 matrix, q a"
                     " 2-vector; numpy broadcasting matches shapes from the right, where each"
                     " length must be equal or 1) (line 6, column 6)"),
    ("dW = np.outer(dq, x) * (q > x)\n", "q > x: shapes 2 and 3 cannot be compared (q is a"
                                         " 2-vector, x a 3-vector;"),
], ids=["matmul", "broadcast", "mask"])
def test_shapes_that_do_not_fit_in_the_students_expression(tmp_path: Path, backward: str,
                                                            message: str) -> None:
    path = tmp_path / "hw.py"
    path.write_text(WIDE + backward)
    result = run(path)
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: hw.py: {message}"), result.output


def test_a_shape_error_from_an_earlier_wrong_claim_names_it(tmp_path: Path) -> None:
    path = tmp_path / "hw.py"
    path.write_text(EXAMPLE.read_text().replace("dq = 2 * q", "dq = 2 * np.sum(q)"))
    assert run(path).output.strip() == (
        "Error: hw.py: np.outer(dq, x): outer(dq, x) takes two vectors (dq is a scalar, x a"
        " 2-vector); dq is a scalar but q is a 2-vector (line 10): with the correct dq this line"
        " works (line 11, column 6)")


# ---- TOML: claims with matrix values ----------------------------------------------------------------

TOML = f'program = """\n{FORWARD}"""\n\n[claims]\n'


def toml(claims_text: str):
    return check_text(TOML + claims_text, "toml")


def test_toml_matrix_claims_within_the_tolerance_entry_by_entry() -> None:
    assert toml("dW = [[0.09, 0.17], [0.10, 0.21]]\n").ok  # each within 0.01 + 1%
    off = claims(toml("dW = [[0.088, 0.176], [0.104, 0.23]]\n"))["dW"]  # one entry 0.022 off
    assert off.status == "wrong" and off.note is None
    assert np.allclose(off.expected, DW, rtol=0, atol=1e-15)
    assert check_text(TOML + "dW = [[0.088, 0.176], [0.104, 0.23]]\n", "toml",
                      tolerance=Tolerance(abs=0.03, rel=0)).ok


@pytest.mark.parametrize("claim, note", [
    ("dq = [0.44, 0.52, 0.1]", "dq has shape 3 but q is a 2-vector"),
    ("dW = [[0.088, 0.104], [0.176, 0.208]]", "its transpose is right"),
    ('"df/dx" = [[-0.112], [0.636]]', "df/dx has shape 2×1 but x is a 2-vector: its entries"
                                      " are right"),
    ("dx = 0.524", "dx is a scalar but x is a 2-vector"),
    ("q = [[0.22, 0.26]]", "the claimed q has shape 1×2 but q is a 2-vector: its entries are"
                           " right"),
], ids=["longer", "transposed", "column", "scalar", "value"])
def test_toml_shape_mismatch_is_reported(claim: str, note: str) -> None:
    (row,) = toml(claim + "\n").claims[:1]
    assert row.status == "wrong" and row.note == note


def test_toml_inherits_through_matrices() -> None:
    got = claims(toml("dq = [0.22, 0.26]\ndW = [[0.044, 0.088], [0.052, 0.104]]\n"
                      "dx = [-0.056, 0.318]\n"))
    assert got["dq"].status == "wrong"
    assert got["dW"].status == got["dx"].status == "inherited"
    assert got["dW"].root_cause == (("dq", 9),)


def test_toml_at_takes_vectors_and_matrices() -> None:
    text = ('program = "q = W.dot(x)\\nf = np.sum(q**2)"\n[at]\nW = [[0.1, 0.5], [-0.3, 0.8]]\n'
            'x = [0.2, 0.4]\n[claims]\ndx = [-0.112, 0.636]\n')
    assert check_text(text, "toml").ok


@pytest.mark.parametrize("claim, needle", [
    ("dW = [[1, 2], [3]]", "claim 'dW': rows of different lengths (2 and 1)"),
    ("dW = [[[1]]]", "claim 'dW': 3 or more dimensions"),
    ('dW = [[1, "a"], [3, 4]]', "claim 'dW': an entry is not a number: 'a'"),
    ("dW = [[1, 2], [3, inf]]", "claim 'dW': an entry is not a finite number"),
    (f"dW = [{'1' * 400}, 1]", "claim 'dW': an entry is not a finite number"),
    ("dW = []", "claim 'dW': an empty list has no entries"),
    ('"dq/dW" = 1', "q is a 2-vector, so dq/dW is a Jacobian"),
    ('"df/dx" = "W.T @ (2 * q)"', "claim 'df/dx': a formula of vectors or matrices (W is one)"
                                  " is not checked; claim the value as numbers"),
], ids=["ragged", "3d", "string", "inf", "huge-entry", "empty", "jacobian", "formula"])
def test_toml_bad_matrix_claims(tmp_path: Path, claim: str, needle: str) -> None:
    path = tmp_path / "hw.toml"
    path.write_text(TOML + claim + "\n")
    result = run(path)
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert needle in result.output and "(line 9)" in result.output


def test_a_huge_matrix_claim_is_bounded() -> None:
    """A claim of 40,000 entries (the TOML file's own limit keeps it under 200,000
    characters) is one shape mismatch, its note worked out without a Jacobian."""
    rows = ", ".join(["[" + ", ".join(["1"] * 200) + "]"] * 200)
    row = claims(toml(f"dW = [{rows}]\n"))["dW"]
    assert row.status == "wrong" and row.note.startswith("dW has shape 200×200 but W is 2×2")


def test_the_work_on_vectors_and_matrices_is_bounded(tmp_path: Path) -> None:
    """Each line is an outer product of 90,000 entries: the 56th passes 5,000,000 entry
    operations, a bound that holds without a clock (in a thread too)."""
    values = ", ".join(str(i / 300) for i in range(300))
    path = tmp_path / "hw.py"
    path.write_text(f"x = [{values}]\nf = np.sum(x**2)\ndx = 2 * x\n"
                    + "dW = np.outer(x, x)\n" * 60)
    result = run(path)
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Error: hw.py: checking this derivation's vectors and matrices needs more than"
        " 5,000,000 entry operations; that is the limit (line 59, column 6)")


# ---- output ------------------------------------------------------------------------------------------

def test_json_gives_nested_lists() -> None:
    data = json.loads(run(VECTORIZED / "cs231n-transposed.py", "--json").stdout)
    dx = next(c for c in data["claims"] if c["name"] == "dx")
    assert dx["given"] == pytest.approx([0.304, 0.284], abs=1e-15)
    assert dx["expected"] == pytest.approx(DX, abs=1e-15)
    dw = next(c for c in data["claims"] if c["name"] == "dW")
    assert [row == pytest.approx(want, abs=1e-15) for row, want in zip(dw["given"], DW)] \
        == [True, True]
    assert data["first_wrong"] == {"claim": "df/dx", "name": "dx", "line": 8}


def test_a_large_matrix_shows_its_shape_and_first_wrong_entry() -> None:
    forward = ("W = [[0.1, 0.2, 0.3, 0.4, 0.5], [0.5, 0.4, 0.3, 0.2, 0.1], [0, 1, 0, -1, 0.5],"
               " [0.3, 0.3, -0.3, 0.3, 0.3], [1, 0, 0, 0, 2]]\nx = [1.0, -1.0, 0.5, 2.0, 0.0]\n"
               "q = W.dot(x)\nf = np.sum(q**2)\n")
    report = code("dq = 2 * q\ndW = np.outer(x, dq)\ndx = W.T.dot(dq)\n", forward)
    row = next(line for line in format_report(report).splitlines() if line.startswith("6 "))
    assert row.split()[4:6] == ["5×5", "5×5"]
    assert row.endswith("20 of 25 entries are off; the first, [0, 1], is 1.3 (correct -1.7)")


def test_a_folder_of_vectorized_derivations() -> None:
    result = run(VECTORIZED)
    assert result.exit_code == 1
    assert "7 files: 3 all right, 4 with wrong claims, 0 unreadable" in result.output


def test_checking_vectorized_code_runs_nothing() -> None:
    """No exec/eval, no file, no process while vectorized derivations are checked, fixes
    worked out and masks read (as tests/test_check.py holds for the scalar ones)."""
    texts = [(p.read_text(), "toml" if p.suffix == ".toml" else "code")
             for p in sorted(VECTORIZED.iterdir())]
    for text, fmt in texts:  # warm up: imports and caches
        check_text(text, fmt)
    events: list[tuple[str, str]] = []
    watching = [True]

    def hook(event: str, args: tuple) -> None:
        if watching[0] and (event in ("exec", "open", "os.system", "subprocess.Popen")
                            or event.startswith(("os.exec", "os.posix_spawn", "os.spawn"))):
            events.append((event, repr(args)[:80]))

    sys.addaudithook(hook)
    try:
        reports = [check_text(text, fmt) for text, fmt in texts]
    finally:
        watching[0] = False
    assert events == []
    assert sum(r.ok for r in reports) == 3 and any("did you mean" in (c.note or "")
                                                   for r in reports for c in r.claims)


# ---- pieces ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "np.outer(dq, x) + W.T.dot(dq) * (x > 0)", "-x**2", "(-x)**2", "a - (b - c)", "a**b**c",
    "(a**b)**c", "np.sum(dZ, axis=0)", "X @ W + b", "(X + 1).T", "W[1, 0] * 2.5",
    "np.maximum(0, Z) / (1 + np.exp(-Z))", "(x >= 0) * 2", "1 - (a > b)",
])
def test_code_text_reads_back_as_the_same_tree(text: str) -> None:
    def tree(source: str) -> str:  # the tree without positions
        return re.sub(r"line=\d+, col=\d+", "", repr(parse(f"d = {source}", masks=True)))

    e = parse(f"d = {text}", masks=True).statements[0].value
    assert tree(code_text(e)) == tree(text)


def test_subset_matching_of_vectors() -> None:
    parts = [np.array([1.0, 2.0]), np.array([3.0, -1.0]), np.array([0.5, 0.5])]
    t = Tolerance()
    assert _subset_matching(np.array([4.0, 1.0]), parts, t) == (0, 1)
    assert _subset_matching(np.zeros(2), parts, t) == ()
    assert _subset_matching(np.array([9.0, 9.0]), parts, t) is None
    assert _subset_matching(np.ones((2, 2)), parts, t) is None  # no sum has that shape
