"""Code pasted from the places students learn backprop: indented, with prints and .backward()."""

from __future__ import annotations

import pytest

from graphviz_backprop import ParseError, parse, trace

# micrograd's README example, as pasted from inside a function (indented), prints included
MICROGRAD_README = """
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    print(f'{g.data:.4f}') # prints 24.7041, the outcome of this forward pass
    g.backward()
    print(f'{a.grad:.4f}') # prints 138.8338, i.e. the numerical value of dg/da
    print(f'{b.grad:.4f}') # prints 645.5773, i.e. the numerical value of dg/db
"""


def test_micrograd_readme_example_gives_its_published_numbers():
    t = trace(MICROGRAD_README)
    assert f"{t.value:.4f}" == "24.7041"
    assert f"{t.gradients['a']:.4f}" == "138.8338"
    assert f"{t.gradients['b']:.4f}" == "645.5773"
    assert t.circuit.output_name == "g"


def test_prints_are_skipped_unread():
    # the argument of print is never looked at, so even forbidden syntax there is harmless
    t = trace("x = 2\nprint(__import__('os'))\nf = x * x\nf.backward()\n")
    assert t.value == 4.0


def test_a_source_that_only_prints_is_an_error():
    with pytest.raises(ParseError, match="only prints"):
        parse("print(1)")


def test_indented_code_keeps_its_columns_in_errors():
    with pytest.raises(ParseError) as err:
        parse("    x = 1\n    y = x ^ 2\n")
    assert (err.value.line, err.value.col) == (2, 9)
    assert "use **" in str(err.value)


def test_other_method_calls_are_still_refused():
    with pytest.raises(ParseError, match="method call"):
        parse("x = 1\nx.step()\n")


# the neuron of Karpathy's micrograd lecture, as typed there: imports, labels, tuples
KARPATHY_NEURON = """
from micrograd.engine import Value
import numpy as np
import math
x1 = Value(2.0, label='x1')
x2 = Value(0.0, label='x2')
w1, w2 = Value(-3.0, label='w1'), Value(1.0, label='w2')
b = Value(6.8813735870195432, label='b')
x1w1 = x1*w1; x1w1.label = 'x1*w1'
x2w2 = x2*w2; x2w2.label = 'x2*w2'
x1w1x2w2 = x1w1 + x2w2; x1w1x2w2.label = 'x1*w1 + x2*w2'
n = x1w1x2w2 + b; n.label = 'n'
o = n.tanh(); o.label = 'o'
o.backward()
"""


def test_karpathy_neuron_gives_the_lecture_numbers():
    t = trace(KARPATHY_NEURON)
    assert t.value == pytest.approx(0.7071, abs=1e-4)
    expected = {"x1": -1.5, "x2": 0.5, "w1": 1.0, "w2": 0.0, "b": 0.5}
    assert t.gradients == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    "source, message",
    [
        ("import os", "import statements are not allowed"),
        ("import numpy as os", "import statements are not allowed"),
        ("from os import path", "import statements are not allowed"),
        ("w = [2, [-3, -3]]", "a mix of numbers and rows"),
        ("a, b = b, a", "assign these one by one"),
        ("a, b = 1, 2, 3", "2 names but 3 values"),
        ("x = Value(1.0, grad=2)", "takes no keyword arguments"),
        ("x = 1\nx.label = y", "cannot assign to this"),
    ],
)
def test_what_pasted_code_may_not_do(source, message):
    with pytest.raises(ParseError, match=message):
        trace(source)


def test_tuple_assignment_binds_in_order():
    t = trace("w0, x0 = 2, -1\nf = w0 * x0\n")
    assert list(t.circuit.inputs) == ["w0", "x0"] and t.value == -2.0
