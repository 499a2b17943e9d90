"""Typos a user makes at the command line get a pointed answer, not a strange evaluation."""

from __future__ import annotations

import re

import pytest

import graphviz_backprop as gb
from graphviz_backprop.errors import InputError, ValuesError


@pytest.mark.parametrize(
    "source, message",
    [
        ("sigmoid_neuron", "did you mean 'sigmoid-neuron'?"),
        ("cs231n-simpel", "did you mean 'cs231n-simple'?"),
        ("hw/neuron.tml", "file 'hw/neuron.tml' does not exist"),
        ("homework.toml", "file 'homework.toml' does not exist"),
        ("notes.txt", "file 'notes.txt' does not exist"),
    ],
)
def test_misspelled_names_and_missing_files(source, message):
    with pytest.raises(InputError, match=message):
        gb.trace(source)


@pytest.mark.parametrize(
    "source, hint",
    [("e**x", "exp(x) or math.e"), ("pi*x", "math.pi")],
)
def test_constants_typed_as_names_get_a_hint(source, hint):
    with pytest.raises(ValuesError, match=re.escape(hint)):
        gb.trace(source, x=1)


def test_values_as_text_like_the_command_line():
    assert gb.trace("x*y", at="x=3,y=-2").value == -6.0
    with pytest.raises(InputError, match="mapping"):
        gb.trace("x*y", at=3)


def test_ordinary_expressions_are_not_mistaken_for_files():
    assert gb.trace("a/b", a=1, b=4).value == 0.25
    assert gb.trace("math.pi*x", x=1).value == pytest.approx(3.141592653589793)


@pytest.mark.parametrize("method, name", [("save_gif", "a.png"), ("save_pdf", "a.svg"),
                                          ("save_html", "a.gif")])
def test_python_save_methods_refuse_a_mismatched_extension(tmp_path, method, name):
    from graphviz_backprop.errors import RenderError

    t = gb.trace("cs231n-simple")
    with pytest.raises(RenderError, match="should end in"):
        getattr(t, method)(tmp_path / name)
    assert list(tmp_path.iterdir()) == []
