"""Themes: each draws the lecture circuits with the default layout, gradients told from values by
more than colour, a print theme without colour, readable colour-blind hues, and the font, font
size and decimals as options."""

from __future__ import annotations

import re

import pytest
from support import LECTURE, fmt, graphviz_mark, invoke, text_elements
from support import node_shapes as geometry
from support import shown_texts as texts

from graphviz_backprop import trace
from graphviz_backprop.errors import InputError
from graphviz_backprop.themes import THEMES, make_theme

pytestmark = graphviz_mark()


@pytest.mark.parametrize("source", LECTURE)
@pytest.mark.parametrize("theme", list(THEMES))
def test_each_theme_renders_the_lecture_circuits_with_a_fixed_layout(theme, source):
    t = trace(source)
    frames = t.render("svg", theme=theme)
    assert len(frames) == len(t.frames)
    first = geometry(frames[0])
    assert all(geometry(svg) == first for svg in frames[1:])
    # the same layout as the default theme: a theme changes colours and styles, never sizes
    assert first == geometry(t.render("svg", frames=[0])[0])
    final = frames[-1]
    style = THEMES[theme]
    assert f'fill="{style.background}"' in final.decode()
    shown = texts(final)
    assert fmt(t.value) in shown
    for name in t.circuit.inputs:
        assert name in shown
    values = [e for e in text_elements(final) if e.get("fill") == style.value_color]
    grads = [e for e in text_elements(final) if e.get("fill") == style.grad_color]
    assert values and grads
    if theme != "print":  # in print, values are black like the names
        assert {e.text for e in values} == {fmt(v) for v in t.evaluation.values.values()}


@pytest.mark.parametrize("theme", ["colorblind", "print"])
def test_gradients_differ_from_values_by_more_than_colour(theme):
    final = trace("sigmoid-neuron").render("svg", frames=[-1], theme=theme)[0]
    style = THEMES[theme]
    for element in text_elements(final):
        if element.get("fill") == style.grad_color:
            assert element.get("font-style") == "italic", element.text
        elif element.get("fill") == style.value_color and re.fullmatch(r"-?\d+\.\d+",
                                                                        element.text):
            assert element.get("font-style") is None, element.text


def test_the_print_theme_uses_no_colour():
    svg = trace("sigmoid-neuron").render("svg", frames=[12], theme="print")[0].decode()
    for color in set(re.findall(r'(?:fill|stroke)="#([0-9a-fA-F]{6})"', svg)):
        r, g, b = (int(color[i:i + 2], 16) for i in (0, 2, 4))
        assert r == g == b, f"#{color} is not a grey"


def _contrast(color: str, background: str = "#ffffff") -> float:
    def luminance(hex_color: str) -> float:
        channels = [int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    a, b = sorted((luminance(color), luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def test_the_colorblind_theme_keeps_okabe_ito_hues_readable_as_text():
    import colorsys

    style = THEMES["colorblind"]
    # blue, vermillion and bluish green: the Okabe-Ito hues, darkened for text contrast
    for color, reference in [(style.value_color, "#0072b2"), (style.grad_color, "#d55e00"),
                             (style.local_color, "#009e73")]:
        hue = colorsys.rgb_to_hsv(*(int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)))[0]
        ref = colorsys.rgb_to_hsv(*(int(reference[i:i + 2], 16) / 255 for i in (1, 3, 5)))[0]
        assert abs(hue - ref) < 0.02, (color, reference)
        assert _contrast(color) >= 4.5, color  # WCAG AA for text on white
    assert style.grad_italic


def test_font_font_size_and_decimals_are_configurable(tmp_path):
    out = tmp_path / "f.svg"
    invoke("render", "sigmoid-neuron", "--final", "--font", "DejaVu Serif", "--font-size", "16",
           "--decimals", "3", "--theme", "colorblind", "-o", str(out))
    svg = out.read_text()
    assert 'font-family="DejaVu Serif' in svg and 'font-size="16.00"' in svg
    assert "0.731" in texts(out.read_bytes())
    assert make_theme("dark", font_size=9).font_size == 9.0


def test_make_theme_names_the_choices():
    with pytest.raises(InputError, match="known: cs231n, dark, print, colorblind"):
        make_theme("neon")
