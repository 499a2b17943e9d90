r"""LaTeX in: a formula copied from a slide gives the circuit of the same formula in Python,
gate for gate, input for input, number for number."""

from __future__ import annotations

import pytest
from support import run

import graphviz_backprop as gb
from graphviz_backprop.cli import cli
from graphviz_backprop.errors import ParseError

NEURON = r"\frac{1}{1+e^{-(w_0x_0+w_1x_1+w_2)}}"
POINT = {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}


def _labels(t):
    return [t.circuit.label(n) for n in t.circuit.gates]


def test_the_sigmoid_neuron_in_latex_is_the_cs231n_circuit_with_its_numbers():
    latex = gb.trace(NEURON, **POINT)
    python = gb.trace("sigmoid-neuron")
    assert _labels(latex) == ["*", "*", "+", "+", "*-1", "exp", "+1", "1/x"]
    assert _labels(latex) == _labels(python)
    assert list(latex.circuit.inputs) == ["w0", "x0", "w1", "x1", "w2"]
    assert latex.value == python.value
    assert latex.gradients == python.gradients


@pytest.mark.parametrize(("latex", "python"), [
    (r"\frac{a}{b}", "a / b"),
    (r"a \cdot b + a \times b", "a * b + a * b"),
    (r"w_0 x_0 + w_{1} x_{1}", "w0 * x0 + w1 * x1"),
    (r"$2x + 3(x + y)$", "2 * x + 3 * (x + y)"),
    (r"e^{-x} + \exp(x) + \exp{y}", "exp(-x) + exp(x) + exp(y)"),
    (r"\log(x) + \ln y", "log(x) + log(y)"),
    (r"\sqrt{x^2 + 1}", "sqrt(x**2 + 1)"),
    (r"\sigma(w x + b)", "sigmoid(w * x + b)"),
    (r"\tanh(x) + \sin(x) \cos(y)", "tanh(x) + sin(x) * cos(y)"),
    (r"\max(0, x) + \min(x, y, 1)", "max(0, x) + min(x, y, 1)"),
    (r"x^2 + x^{3} + x^{-1} + 2^{x}", "x**2 + x**3 + x**(-1) + 2**x"),
    (r"\alpha x + \beta", "alpha * x + beta"),
    (r"\left( x + y \right) z", "(x + y) * z"),
    (r"f = (x + y)\,z", "f = (x + y) * z"),
    (r"$\frac{1}{2} (y - t)^2$", "1/2 * (y - t)**2"),
    (r"|x| + \operatorname{relu}(y) + \mathrm{softplus}(x)", "abs(x) + relu(y) + softplus(x)"),
    (r"\pi r^2", "math.pi * r**2"),
    (r"\frac12 x", "1/2 * x"),
])
def test_latex_reads_as_the_same_python(latex, python):
    a, b = gb.parse(latex), gb.parse(python)
    assert [st.target for st in a.statements] == [st.target for st in b.statements]
    ca, cb = gb.build(a), gb.build(b)
    assert [ca.label(n) for n in ca.order] == [cb.label(n) for n in cb.order]
    assert list(ca.inputs) == list(cb.inputs)
    at = {name: 0.3 + 0.1 * i for i, name in enumerate(ca.inputs)}
    ea, eb = gb.evaluate(ca, at), gb.evaluate(cb, at)
    assert ea.output == eb.output and ea.gradients == eb.gradients


@pytest.mark.parametrize(("latex", "message"), [
    (r"\int_0^1 x\,dx", r"\int is not supported"),
    (r"\sum_i x_i", r"\sum is not supported"),
    (r"\frac{1}{", "ends too early"),
    (r"\sqrt[3]{x}", "not supported; write x^{1/n}"),
    (r"\frac{1}{x} + } ", "unexpected '}'"),
    (r"\max(x)", "takes at least 2 arguments"),
    (r"x_{1.5}", "in a subscript"),
])
def test_unsupported_latex_is_one_clear_error(latex, message):
    with pytest.raises(ParseError) as info:
        gb.parse(latex)
    assert message in str(info.value)
    assert "(line 1, column" in str(info.value)


def test_the_command_line_reads_latex(runner):
    result = run(runner, "eval", NEURON, "--at", "w0=2", "--at", "x0=-1", "--at", "w1=-3",
                 "--at", "x1=-2", "--at", "w2=-3")
    assert "0.731059" in result.output
    bad = runner.invoke(cli, ["eval", r"\int x"])
    assert bad.exit_code == 2 and bad.output.strip().splitlines() == [
        r"Error: \int is not supported (supported: \frac, \cdot, \times, \sqrt, \exp, \log,"
        r" ...) (line 1, column 1)"]


def test_check_reads_latex_formulas(tmp_path, runner):
    def check(claim_f):
        path = tmp_path / "neuron.toml"
        path.write_text("expression = '" + NEURON + "'\n"
                        "[at]\nw0 = 2\nx0 = -1\nw1 = -3\nx1 = -2\nw2 = -3\n"
                        "[claims]\n\"df/dw0\" = -0.196612\n"
                        f"f = '{claim_f}'\n")
        return runner.invoke(cli, ["check", str(path)])

    right = check(r"\frac{1}{1 + e^{-1}}")
    assert right.exit_code == 0, right.output
    wrong = check(r"\frac{1}{1 + e^{1}}")
    assert wrong.exit_code == 1, wrong.output
    assert "WRONG" in wrong.output.upper() and "0.268941" in wrong.output
