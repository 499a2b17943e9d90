"""How numbers are written: 3 significant figures by default, fixed decimals on request."""

from __future__ import annotations

import math
import random

import pytest

from graphviz_backprop.notation import DIGITS, number


def significant(text: str) -> int:
    mantissa = text.lstrip("-").split("e")[0].replace(".", "").lstrip("0")
    return len(mantissa)


def test_every_number_has_three_significant_figures_and_rounds_correctly():
    rng = random.Random(231)
    values = [rng.uniform(-1, 1) * 10 ** rng.randint(-7, 7) for _ in range(5000)]
    values += [0.99995, 0.999949, 9.9996, 99.95, 999.5, 0.00999999, -0.0995]
    for v in values:
        text = number(v, digits=DIGITS)
        # from 100 on, a whole number (never an exponent for a large number)
        assert significant(text) == DIGITS or ("." not in text and abs(float(text)) >= 100), (
            v, text)
        assert math.isclose(float(text), v, rel_tol=0.5 * 10 ** (1 - DIGITS)), (v, text)


@pytest.mark.parametrize(("value", "text"), [
    (0.0, "0"), (-0.0, "0"), (-0.0004, "-0.000400"), (1e-9, "1.00e-09"), (123456.0, "123456"),
    (-0.001, "-0.00100"), (0.99999, "1.00"),
])
def test_edge_cases(value, text):
    assert number(value, digits=DIGITS) == text


def test_fixed_decimals_when_asked():
    assert number(0.7310585786300049, 4) == "0.7311" and number(-0.001, 2) == "0.00"
