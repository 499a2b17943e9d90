"""One step of gradient descent: the numbers against exact fractions, which inputs move, the
source's own ``W -= lr * dW``, the frames, and the command line."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest
from support import run, run_json

import graphviz_backprop as gb
from graphviz_backprop.cli import main
from graphviz_backprop.errors import EvaluationError, InputError, ParseError, ValuesError
from graphviz_backprop.frames import steps
from graphviz_backprop.sgd import is_data, parameters, sgd_step, sgd_steps

VECTORIZED = "W = [[0.1, 0.5], [-0.3, 0.8]]; x = [0.2, 0.4]; q = W @ x; f = sum(q**2)"
NEURON = "w0 = 2; x0 = -1; w1 = -3; x1 = -2; w2 = -3\nf = sigmoid(w0*x0 + w1*x1 + w2)"

#: The cs231n vectorized example written as a derivation that ends with its update.
CASE_STUDY = """\
W = [[0.1, 0.5], [-0.3, 0.8]]
x = [0.2, 0.4]
step_size = 0.5
q = W @ x
f = sum(q**2)
# backward pass
dq = 2 * q
dW = np.outer(dq, x)
dx = W.T @ dq
# parameter update
W += -step_size * dW
"""


def _f(value: str) -> Fraction:
    return Fraction(value)


def _exact_step(lr: Fraction):
    """The vectorized example's step, worked out in fractions, independently of the engine."""
    w = [[_f("0.1"), _f("0.5")], [_f("-0.3"), _f("0.8")]]
    x = [_f("0.2"), _f("0.4")]

    def loss_and_grad(w):
        q = [w[i][0] * x[0] + w[i][1] * x[1] for i in range(2)]
        return sum(v * v for v in q), [[2 * q[i] * x[j] for j in range(2)] for i in range(2)]

    f, dw = loss_and_grad(w)
    new = [[w[i][j] - lr * dw[i][j] for j in range(2)] for i in range(2)]
    f_after, _ = loss_and_grad(new)
    return f, dw, new, f_after


def test_the_vectorized_example_against_fractions():
    f, dw, new, f_after = _exact_step(_f("0.5"))
    assert f == _f("0.116")
    assert dw == [[_f("0.088"), _f("0.176")], [_f("0.104"), _f("0.208")]]
    assert new == [[_f("0.056"), _f("0.412")], [_f("-0.352"), _f("0.696")]]
    assert f_after == _f("0.07424")  # q = [0.176, 0.208]
    step = gb.trace(VECTORIZED).sgd(0.5, update=["W"])
    assert step.names == ("W",) and step.lr == 0.5
    assert step.updated["W"] == pytest.approx(np.array(new, dtype=float), abs=1e-15)
    assert step.updated["W"].shape == (2, 2) and not step.updated["W"].flags.writeable
    assert step.gradients["W"] == pytest.approx(np.array(dw, dtype=float), abs=1e-15)
    assert step.output_before == pytest.approx(float(f), rel=1e-15)
    assert step.output_after == pytest.approx(float(f_after), rel=1e-14)
    # the point after the step is a whole evaluation: x kept, W moved
    assert step.after.values[step.after.circuit.inputs["x"]].tolist() == [0.2, 0.4]


def test_the_step_is_w_minus_lr_times_the_gradient_exactly():
    t = gb.trace(VECTORIZED)
    step = t.sgd(0.25)
    expected = np.asarray(t.inputs["W"]) - 0.25 * np.asarray(t.gradients["W"])
    assert step.updated["W"].tolist() == expected.tolist()
    assert step.output_after == gb.trace(VECTORIZED, W=expected).value


def test_a_scalar_step():
    t = gb.trace(NEURON)
    step = t.sgd(0.5)
    assert step.names == ("w0", "w1", "w2")
    for name in step.names:
        assert step.updated[name] == t.inputs[name] - 0.5 * t.gradients[name]
        assert isinstance(step.updated[name], float)
    moved = {**t.inputs, **step.updated}
    w0, x0, w1, x1, w2 = (moved[n] for n in ("w0", "x0", "w1", "x1", "w2"))
    assert step.output_after == pytest.approx(1 / (1 + math.exp(-(w0 * x0 + w1 * x1 + w2))),
                                              rel=1e-15)
    assert step.output_after < step.output_before  # a small step goes down


# ---- which inputs move ---------------------------------------------------------------------

@pytest.mark.parametrize(("name", "data"), [
    ("x", True), ("x0", True), ("X", True), ("X_batch", True), ("y", True), ("Y", True),
    ("ys", True), ("W", False), ("w0", False), ("b", False), ("W2", False), ("z", False),
    ("bias", False), ("k", False)])
def test_data_by_name(name, data):
    assert is_data(name) is data


@pytest.mark.parametrize(("source", "moved"), [
    (VECTORIZED, ("W",)),
    (NEURON, ("w0", "w1", "w2")),
    ("(x+y)*z", ("z",)),
    ("X = [[1, 2], [3, 4]]; W = [[1, 0], [0, 1]]; b = [0.5, 0.5]; f = sum(X @ W + b)",
     ("W", "b")),
    ("W = [[0.1, 0.5], [-0.3, 0.8]]; x = [0.2, 0.4]; k = 1; L = cross_entropy(W @ x, k)",
     ("W",)),
])
def test_the_default_update_is_every_parameter(source, moved):
    t = gb.trace(source, x=-2, y=5, z=-4) if source == "(x+y)*z" else gb.trace(source)
    assert parameters(t.evaluation) == moved
    assert t.sgd(0.1).names == moved


def test_a_circuit_of_data_only_needs_update():
    t = gb.trace("x * y", x=2, y=3)
    with pytest.raises(ValuesError, match=r"no parameter to update: every input \(x, y\) is"):
        t.sgd(0.1)
    step = t.sgd(0.1, update="x")
    assert step.updated == {"x": 2 - 0.1 * 3}
    assert step.output_after == pytest.approx((2 - 0.3) * 3, rel=1e-15)


@pytest.mark.parametrize("update", ["x,W", ["x", "W"], ("W", "x", "W"), " W , x "])
def test_update_names_inputs(update):
    step = gb.trace(VECTORIZED).sgd(0.5, update=update)
    assert set(step.names) == {"W", "x"} and len(step.names) == 2


@pytest.mark.parametrize(("update", "message"), [
    ("q", "cannot update 'q': it is not an input (inputs: W, x)"),
    ("Wx", "cannot update 'Wx': it is not an input (did you mean 'x'? inputs: W, x)"),
    ("", "no input to update"),
    ([], "no input to update"),
])
def test_update_of_something_else_is_refused(update, message):
    with pytest.raises(ValuesError) as info:
        gb.trace(VECTORIZED).sgd(0.5, update=update)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize("lr", [0, -0.5, math.nan, math.inf, -math.inf, True, "0.5", None])
def test_a_learning_rate_must_be_a_positive_finite_number(lr):
    t = gb.trace(VECTORIZED)
    with pytest.raises(InputError, match="learning rate"):
        t.sgd(lr) if lr is not None else t.sgd()
    with pytest.raises(InputError, match="learning rate"):
        t.with_sgd(lr)


def test_a_symbolic_trace_takes_no_step():
    with pytest.raises(ValuesError, match="needs numbers"):
        gb.trace("(x+y)*z").sgd(0.1)


def test_a_step_that_leaves_the_domain_is_an_error_after_the_step():
    t = gb.trace("w = 0.5; f = log(w)")  # df/dw = 2: w - 1 * 2 < 0
    with pytest.raises(EvaluationError, match=r"^after the step: "):
        t.sgd(1.0)


def test_a_step_out_of_float64_is_an_error():
    with pytest.raises(EvaluationError, match="takes w out of float64's range"):
        gb.trace("w = -1e308; f = 0.9 * w").sgd(1e308)  # w - 0.9e308 < -1.8e308


# ---- the source's own update ---------------------------------------------------------------

def test_the_case_study_ends_with_its_step():
    t = gb.trace(CASE_STUDY)
    assert list(t.inputs) == ["W", "x"]  # step_size is not an input of the circuit
    assert t.backward_lines == (6, 11)
    assert t.descent is not None and t.descent.update == ("W",)
    step = t.sgd()
    reference = gb.trace(VECTORIZED).sgd(0.5, update="W")
    assert step.lr == 0.5 and step.rate_name == "step_size"
    assert step.updated["W"].tolist() == reference.updated["W"].tolist()
    assert step.output_after == reference.output_after
    assert t.to_dict()["sgd"] == reference_json(reference)
    assert t.sgd().lines[1].startswith("  W_new = W − step_size · ∂f/∂W = ")


def reference_json(step):
    return {"lr": 0.5, "updated": {"W": step.updated["W"].tolist()},
            "output_after": step.output_after}


FORWARD = "w = 2; x = 3; lr = 0.1\nf = w * x\n"


@pytest.mark.parametrize("update", [
    "w -= lr * dw", "w += -lr * dw", "w = w - lr * dw", "w -= dw * lr", "w += -(lr * dw)",
    "w -= 0.1 * dw", "w += -0.1 * dw", "w -= -(-0.1) * dw"])
def test_ways_to_write_an_update(update):
    t = gb.trace(FORWARD + "dw = x\n" + update + "\n")
    assert [(d.lr, d.update) for d in [t.descent]] == [(0.1, ("w",))]
    assert t.sgd().updated == {"w": 2 - 0.1 * 3}
    # a step size bound to a name is no input; a binding nothing reads stays one
    assert list(t.inputs) == ["w", "x"] + ([] if "lr" in update else ["lr"])


def test_an_update_without_a_backward_pass():
    t = gb.trace(FORWARD + "w -= lr * dw\n")
    # nothing for gbp check there: the update is drawn as frames, not reported as left out
    assert t.sgd().updated == {"w": 2 - 0.1 * 3} and t.backward_lines is None


def test_several_updates_one_step_size():
    t = gb.trace("w = 2; b = 1; x = 3; lr = 0.1\nf = w * x + b\ndw = x\ndb = 1\n"
                 "w -= lr * dw\nb -= lr * db\n")
    step = t.sgd()
    assert step.names == ("w", "b")
    assert step.updated == {"w": 2 - 0.1 * 3, "b": 1 - 0.1 * 1}


@pytest.mark.parametrize(("tail", "error", "message"), [
    ("w -= 0.1 * dw\nb -= 0.2 * db\n", InputError, "different step sizes (0.1 for w, 0.2 for b)"),
    ("w += lr * dw\n", ParseError, "this update moves w up its gradient"),
    ("w -= -0.1 * dw\n", ParseError, "this update moves w up its gradient"),
    ("w -= g * dw\n", ParseError, "the step size of this update of w must be a number"),
])
def test_updates_that_cannot_be_taken(tail, error, message):
    source = "w = 2; b = 1; x = 3; lr = 0.1\nf = w * x + b\ndw = x\ndb = 1\n" + tail
    with pytest.raises(error) as info:
        gb.trace(source)
    assert message in str(info.value)


@pytest.mark.parametrize(("source", "at", "value"), [
    ("x = 2; dx = 0.1\nx -= 0.5 * dx", {}, 1.95),  # x is read by no gate before
    ("c = 2 * x; dc = 3\nc -= 0.5 * dc", {"x": 1}, 0.5),  # c is computed, not an input
])
def test_a_program_that_computes_with_a_gradient_name_is_no_update(source, at, value):
    t = gb.trace(source, at)  # computed as it always was
    assert t.descent is None and t.value == pytest.approx(value, rel=1e-15)


def test_an_input_given_on_the_command_line_can_be_updated():
    t = gb.trace("f = w * x\ndw = x\nw -= 0.1 * dw", w=2, x=3)
    assert t.sgd().updated == {"w": 2 - 0.1 * 3}


def test_the_command_line_step_replaces_the_source_step(runner, tmp_path):
    path = tmp_path / "case.py"
    path.write_text(CASE_STUDY)
    data = run_json(runner, str(path), "--sgd", "0.25")
    assert data["sgd"]["lr"] == 0.25
    alone = run_json(runner, str(path), "--update", "W,x")
    assert alone["sgd"]["lr"] == 0.5 and set(alone["sgd"]["updated"]) == {"W", "x"}


# ---- frames --------------------------------------------------------------------------------

def test_frames_end_with_the_step():
    plain = gb.trace(NEURON)
    t = plain.with_sgd(0.5)
    kinds = [f.kind for f in t.frames]
    assert kinds[:len(plain.frames)] == [f.kind for f in plain.frames]
    assert kinds[len(plain.frames):] == ["update", "update", "update", "after"]
    assert [f.index for f in t.frames] == list(range(len(t.frames)))
    assert [f.caption for f in t.frames[-4:]] == [
        "Gradient descent step on w0: w0_new = w0 − lr · ∂f/∂w0 = 2.00 − 0.5 · (-0.197) = 2.10",
        "Gradient descent step on w1: w1_new = w1 − lr · ∂f/∂w1 = -3.00 − 0.5 · (-0.393)"
        " = -2.80",
        "Gradient descent step on w2: w2_new = w2 − lr · ∂f/∂w2 = -3.00 − 0.5 · 0.197 = -3.10",
        "f after the step: 0.731 → 0.601",
    ]
    final = t.frames[len(plain.frames) - 1].step
    for frame in t.frames[-4:]:  # the picture is the final one
        assert set(frame.step.computed) == set(final.computed)
        assert set(frame.step.backed) == set(final.backed) and frame.step.seeded
    assert [f.kind for f in t.make_frames(phase="forward")][-1] == "final"
    assert plain.frames[-1].kind == "final"  # the trace without the step is unchanged


def test_the_frames_of_a_matrix_step():
    t = gb.trace(VECTORIZED).with_sgd(0.5)
    last = steps(t.evaluation, "forward")[-1]
    shown = sgd_steps(t.sgd(), last)
    assert [s.caption for s in shown] == [
        "Gradient descent step on W: W_new = W − lr · ∂f/∂W ="
        " [[0.100, 0.500], [-0.300, 0.800]] − 0.5 · [[0.0880, 0.176], [0.104, 0.208]] ="
        " [[0.0560, 0.412], [-0.352, 0.696]]",
        "f after the step: 0.116 → 0.0742",
    ]
    assert [s.index for s in shown] == [last.index + 1, last.index + 2]


def test_a_caption_says_approximately_when_rounding_shows():
    t = gb.trace("w = 0.404; f = w * w")  # df/dw = 0.808
    step = sgd_step(t.evaluation, 1)
    last = steps(t.evaluation)[-1]
    (update, _) = sgd_steps(step, last, decimals=2)
    # 0.40 - 1 · 0.81 = -0.41, but w_new = 0.404 - 0.808 = -0.404
    assert update.caption.endswith("= 0.40 − 1 · 0.81 ≈ -0.40")
    (update, _) = sgd_steps(step, last)
    assert update.caption.endswith("= 0.404 − 1 · 0.808 = -0.404")


# ---- the command line ----------------------------------------------------------------------

def test_eval_json_with_a_step(runner):
    data = run_json(runner, VECTORIZED, "--sgd", "0.5", "--update", "W")
    f, _, new, f_after = _exact_step(_f("0.5"))
    assert set(data["sgd"]) == {"lr", "updated", "output_after"}
    assert data["sgd"]["lr"] == 0.5
    assert np.array(data["sgd"]["updated"]["W"]) == pytest.approx(np.array(new, dtype=float),
                                                                   abs=1e-15)
    assert data["sgd"]["output_after"] == pytest.approx(float(f_after), rel=1e-14)
    assert data["output"]["value"] == pytest.approx(float(f), rel=1e-15)
    assert json.loads(gb.trace(VECTORIZED).with_sgd(0.5, "W").to_json()) == data


def test_eval_table_with_a_step(runner):
    out = run(runner, "eval", VECTORIZED, "--sgd", "0.5").stdout
    assert out.endswith(
        "gradient descent step, lr = 0.5:\n"
        "  W_new = W − lr · ∂f/∂W = [[0.1, 0.5], [-0.3, 0.8]] − 0.5 ·"
        " [[0.088, 0.176], [0.104, 0.208]] = [[0.056, 0.412], [-0.352, 0.696]]\n"
        "  f after the step: 0.116 → 0.07424\n")


@pytest.mark.parametrize(("args", "message"), [
    (["--sgd", "0"], "Error: the learning rate must be a positive finite number, not 0.0"),
    (["--sgd", "-1"], "Error: the learning rate must be a positive finite number"),
    (["--sgd", "nan"], "Error: the learning rate must be a positive finite number"),
    (["--sgd", "inf"], "Error: the learning rate must be a positive finite number"),
    (["--sgd", "abc"], "Error: Invalid value for '--sgd'"),
    (["--update", "W"], "Error: --update names the inputs a step of gradient descent moves"),
    (["--sgd", "1", "--update", "q"], "Error: cannot update 'q': it is not an input"),
])
@pytest.mark.parametrize("command", ["eval", "render"])
def test_bad_steps_are_one_error_line(capsys, tmp_path, command, args, message):
    extra = ["-o", str(tmp_path / "out.gif")] if command == "render" else []
    assert main([command, VECTORIZED, *args, *extra]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(message)
    assert list(tmp_path.iterdir()) == []


def test_render_dot_frames_end_with_the_step(runner, tmp_path):
    result = run(runner, "render", NEURON, "--sgd", "0.5", "--update", "w0",
                 "--format", "dot", "-o", f"{tmp_path}/frames/")
    plain = len(gb.trace(NEURON).frames)
    assert f"Wrote {plain + 2} frames" in result.stdout
    last = (tmp_path / "frames" / f"frame-{plain + 1:03d}.dot").read_text()
    assert "f after the step: 0.731 → 0.711" in last


def test_gbp_check_and_eval_of_a_derivation_that_ends_with_a_step(tmp_path, runner):
    # the cs231n case study's form: the backward pass, then W += -step_size * dW
    path = tmp_path / "case.py"
    path.write_text("W = [[0.1, 0.5], [-0.3, 0.8]]\nx = [0.2, 0.4]\nq = W.dot(x)\n"
                    "f = np.sum(q**2)\ndq = 2 * q\ndW = np.outer(dq, x)\ndx = W.T.dot(dq)\n"
                    "step_size = 0.5\nW += -step_size * dW\n")
    checked = run(runner, "check", str(path))
    assert "All 3 claims hold." in checked.output
    t = gb.trace(str(path))
    assert t.backward_lines == (5, 9) and list(t.inputs) == ["W", "x"]
    assert t.sgd().updated["W"] == pytest.approx(np.array([[0.056, 0.412], [-0.352, 0.696]]))
