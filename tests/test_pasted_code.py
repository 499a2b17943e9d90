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
