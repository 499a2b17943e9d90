"""gbp eval of vectors and matrices: values on the command line (--at 'x=[0.2,0.4]'), the
table's local gradients written as rules, and the JSON's nested lists and shapes."""

from __future__ import annotations

import json

import numpy as np
import pytest
from support import run, run_json

import graphviz_backprop as gb
from graphviz_backprop.errors import ValuesError
from graphviz_backprop.source import parse_assignments

VECTORIZED = "W = [[0.1, 0.5], [-0.3, 0.8]]; x = [0.2, 0.4]; q = W @ x; f = sum(q**2)"
LOSS = "f = sum((W @ x)**2)"


# ---- values on the command line ------------------------------------------------------------

def test_lists_on_the_command_line_become_arrays():
    values = parse_assignments(["x=[0.2,0.4]", "W=[[1,2],[3,4]],b=-0.5", "v=[ -1, +2e-1 ]"])
    assert list(values) == ["x", "W", "b", "v"]
    assert values["x"].tolist() == [0.2, 0.4] and values["x"].shape == (2,)
    assert values["W"].tolist() == [[1.0, 2.0], [3.0, 4.0]] and values["W"].shape == (2, 2)
    assert values["b"] == -0.5 and isinstance(values["b"], float)
    assert values["v"].tolist() == [-1.0, 0.2]
    assert not values["W"].flags.writeable  # read-only, as every array of the engine


def test_numbers_alone_are_read_as_before():
    assert parse_assignments(["x=-2,y=5", "z=1e-3"]) == {"x": -2.0, "y": 5.0, "z": 0.001}


BAD_VALUES = [
    pytest.param("W=[[1,2],[3]]", "value of 'W': rows of different lengths", id="ragged"),
    pytest.param("W=[[[1,2]],[[3,4]]]", "value of 'W': 3 or more dimensions", id="3-d"),
    pytest.param("x=[1,a]", "value of 'x': an entry of a vector or matrix must be a number",
                 id="a-name"),
    pytest.param("x=[1,'2']", "value of 'x': strings are not allowed", id="a-string"),
    pytest.param("x=[1,True]", "value of 'x': 'True' is not allowed", id="a-bool"),
    pytest.param("x=[1,[2]]", "value of 'x': a mix of numbers and rows", id="mixed"),
    pytest.param("x=[]", "value of 'x': an empty list has no entries", id="empty"),
    pytest.param("x=[[]]", "value of 'x': an empty row has no entries", id="empty-row"),
    pytest.param("x=[1e400]", "value of 'x': number is too large for float64", id="overflow"),
    pytest.param("x=[1,2", "'x=[1,2': a '[' is not closed", id="unclosed"),
    pytest.param("x=1]", "'x=1]': a ']' closes no '['", id="unopened"),
    pytest.param("x=[1]+[2]", "value of 'x'", id="an-expression"),
    pytest.param("x=[1];y=2", "value of 'x' is not a list of numbers", id="a-second-statement"),
    pytest.param("x=[1]\ny=2", "value of 'x' is not a list of numbers", id="a-second-line"),
    pytest.param("x=[__import__('os')]", "value of 'x'", id="a-call"),
    pytest.param("x=[1],x=[2]", "value of 'x' is given twice", id="twice"),
]


@pytest.mark.parametrize(("text", "message"), BAD_VALUES)
def test_bad_lists_are_refused_naming_the_problem(text, message):
    with pytest.raises(ValuesError) as info:
        parse_assignments([text])
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(("text", "message"), BAD_VALUES[:4])
def test_bad_lists_on_the_command_line_are_one_error_line(runner, text, message):
    result = run(runner, "eval", LOSS, "--at", text, "--at", "b=1", code=2)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {message}")


def test_a_list_value_overrides_the_source(runner):
    at_values = run_json(runner, LOSS, "--at", "W=[[0.1, 0.5], [-0.3, 0.8]]",
                         "--at", "x=[0.2,0.4]")
    in_source = run_json(runner, VECTORIZED)
    assert at_values["gradients"] == in_source["gradients"]
    assert at_values["inputs"] == {"W": [[0.1, 0.5], [-0.3, 0.8]], "x": [0.2, 0.4]}
    changed = run_json(runner, VECTORIZED, "--at", "x=[1,0]")
    # q = W @ [1, 0] = first column [0.1, -0.3]; f = 0.01 + 0.09
    assert changed["output"]["value"] == pytest.approx(0.1, rel=1e-15)
    assert changed["gradients"]["x"] == pytest.approx([0.2 * 0.1 + 0.6 * 0.3,
                                                       0.2 * 0.5 - 0.6 * 0.8], rel=1e-14)


def test_a_list_for_a_scalar_input_is_refused_by_its_shape(runner):
    result = run(runner, "eval", "W @ x", "--at", "W=[[1,2],[3,4]],x=[1,2,3]", code=2)
    assert result.stderr.count("\n") == 1 and "W @ x" in result.stderr


def test_the_python_api_reads_lists_in_text_too():
    t = gb.trace(LOSS, "W=[[0.1,0.5],[-0.3,0.8]],x=[0.2,0.4]")
    assert t.value == pytest.approx(0.116, rel=1e-15)


# ---- the JSON ------------------------------------------------------------------------------

def test_json_of_a_matrix_circuit(runner):
    data = run_json(runner, VECTORIZED)
    assert data["symbolic"] is False
    value = data["output"]["value"]
    assert isinstance(value, float) and value == pytest.approx(0.116, rel=1e-15)
    assert data["inputs"] == {"W": [[0.1, 0.5], [-0.3, 0.8]], "x": [0.2, 0.4]}
    grads = data["gradients"]
    assert np.array(grads["W"]) == pytest.approx(np.array([[0.088, 0.176], [0.104, 0.208]]),
                                                  abs=1e-15)
    assert grads["x"] == pytest.approx([-0.112, 0.636], abs=1e-15)
    assert isinstance(grads["W"], list) and all(isinstance(r, list) for r in grads["W"])
    nodes = data["nodes"]
    assert [(n["id"], n["name"], n["op"], n["shape"]) for n in nodes] == [
        ("n0", "W", None, [2, 2]), ("n1", "x", None, [2]), ("n2", "q", "@", [2]),
        ("n3", None, "u²", [2]), ("n4", "f", "sum", [])]
    q = nodes[2]
    assert q["value"] == pytest.approx([0.22, 0.26], abs=1e-15)
    assert q["grad"] == pytest.approx([0.44, 0.52], abs=1e-15)
    assert q["local_gradients"] == ["g @ x.T", "W.T @ g"]
    assert q["local_values"] == [None, None]  # a Jacobian is not one number
    assert nodes[4]["value"] == value and nodes[4]["grad"] == 1.0
    for node in nodes:  # a gradient has its node's shape
        assert np.shape(node["value"]) == tuple(node["shape"])
        assert np.shape(node["grad"]) == tuple(node["shape"])
    assert "sgd" not in data


def test_to_dict_is_the_json(runner):
    printed = run_json(runner, VECTORIZED)
    assert json.loads(json.dumps(gb.trace(VECTORIZED).to_dict())) == printed
    assert json.loads(gb.trace(VECTORIZED).to_json()) == printed


def test_scalar_json_gains_only_the_shape(runner):
    data = run_json(runner, "(x+y)*z", "--at", "x=-2,y=5,z=-4")
    assert [n["shape"] for n in data["nodes"]] == [[], [], [], [], []]
    assert data["nodes"][4]["local_values"] == [-4.0, 3.0]
    assert data["output"] == {"name": "f", "value": -12.0}
    symbolic = run_json(runner, "(x+y)*z")
    assert [n["shape"] for n in symbolic["nodes"]] == [[], [], [], [], []]
    assert symbolic["gradients"] == {"x": "z", "y": "z", "z": "x + y"}


def test_a_batch_json_keeps_rows(runner):
    data = run_json(runner, "X = [[1, 2, -1], [1, 1, 3]]; W = [[0.5, -1], [1, 0.5], [-0.5, 2]];"
                    " b = [0.1, -0.2]; f = np.sum(np.maximum(0, X @ W + b))")
    assert data["inputs"]["X"] == [[1.0, 2.0, -1.0], [1.0, 1.0, 3.0]]
    assert [n["shape"] for n in data["nodes"] if n["kind"] == "input"] == [[2, 3], [3, 2], [2]]
    # the bias's gradient is summed over the batch: one entry per column
    assert np.shape(data["gradients"]["b"]) == (2,)


# ---- the table -----------------------------------------------------------------------------

def test_the_table_writes_the_rules_of_array_gates(runner):
    out = run(runner, "eval", VECTORIZED).stdout
    assert "Local(" not in out
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith("n")}
    assert rows["n2"].endswith("g · xᵀ, Wᵀ · g")
    assert rows["n3"].endswith("g ⊙ 2q")
    assert rows["n4"].endswith("g copied to every entry")
    assert "[[0.1, 0.5], [-0.3, 0.8]]" in rows["n0"]
    assert "[[0.088, 0.176], [0.104, 0.208]]" in rows["n0"]
    assert "g is the gate's own gradient" in out
    assert "output f = 0.116\n  df/dW = [[0.088, 0.176], [0.104, 0.208]]\n" in out


def test_the_table_of_a_broadcast_bias_says_it_is_summed(runner):
    out = run(runner, "eval", "X = [[1, 2], [3, 4]]; b = [0.5, -0.5]; f = sum(X + b)").stdout
    assert "g ⊙ 1, g ⊙ 1, summed to the shape of b" in out


def test_the_scalar_table_has_no_legend(runner):
    out = run(runner, "eval", "(x+y)*z", "--at", "x=-2,y=5,z=-4").stdout
    assert "g is the gate's own gradient" not in out and "z = -4, a₁ = 3" in out
