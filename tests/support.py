"""What several test files share: sample sources and the Graphviz requirement."""

from __future__ import annotations

import os
import shutil

import pytest

#: The cs231n notes' code for the simple circuit, as published.
CS231N_CODE = "x = -2; y = 5; z = -4\nq = x + y\nf = q * z\n"

#: The new user's derivation: a forward pass, then a backward pass in which z's gradient is
#: never assigned and dzz is a typo for dz.
TYPO_DERIVATION = """\
x = -2; y = 5; z = -4
q = x + y
f = q * z
dq = z
dx = dq
dy = dq
dzz = 17
"""

#: The micrograd-style program of issue 2.
MICROGRAD = """\
a = Value(-4.0)
b = Value(2.0)
c = a + b
d = a * b + b**3
c += c + 1
d += d * 2 + (b + a).relu()
e = c - d
f = e**2
g = f / 2.0
g += 10.0 / f
"""


def graphviz_mark() -> pytest.MarkDecorator:
    """Mark a module's tests as needing Graphviz: skipped without it, but failing under CI."""
    if shutil.which("dot") is None or shutil.which("neato") is None:
        if os.environ.get("CI"):
            pytest.fail("Graphviz must be installed for CI ('make test' installs it)",
                        pytrace=False)
        return pytest.mark.skip(reason="Graphviz 'dot' is not installed (run 'make test')")
    return pytest.mark.dot
