"""What several test files share: sample sources, running the CLI, the Graphviz requirement,
and readers of the SVG drawings and the classroom's outputs."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from graphviz_backprop.cli import cli
from graphviz_backprop.notation import DIGITS, value_text

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


# ---- the CLI through click's test runner -----------------------------------------------------

SIMPLE_AT = ["--at", "x=-2,y=5,z=-4"]


def run(runner, *args: str, code: int = 0):
    """``gbp ARGS`` through the runner; it must exit with ``code``."""
    result = runner.invoke(cli, list(args))
    assert result.exit_code == code, result.output
    return result


def run_json(runner, *args: str) -> dict:
    """``gbp eval ARGS --json``, read."""
    return json.loads(run(runner, "eval", *args, "--json").stdout)


def graphviz_mark() -> pytest.MarkDecorator:
    """Mark a module's tests as needing Graphviz: skipped without it, but failing under CI."""
    if shutil.which("dot") is None or shutil.which("neato") is None:
        if os.environ.get("CI"):
            pytest.fail("Graphviz must be installed for CI ('make test' installs it)",
                        pytrace=False)
        return pytest.mark.skip(reason="Graphviz 'dot' is not installed (run 'make test')")
    return pytest.mark.dot


def benchmark_module(name: str) -> ModuleType:
    """A module of benchmarks/: the layout tests count crossings with the benchmark's own
    counter (benchmarks/wires.py), not a copy of it."""
    folder = str(Path(__file__).resolve().parents[1] / "benchmarks")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module(name)


# ---- SVG drawings, as the layout and rendering tests read them ------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def geometry(svg: bytes) -> tuple[str, dict[str, tuple]]:
    """The viewBox and, per node, the coordinates of its shapes (not its text)."""
    root = ET.fromstring(svg)
    shapes = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != "node":
            continue
        title = group.find(f"{SVG}title").text
        coords = []
        for shape in group:
            if shape.tag == f"{SVG}ellipse":
                coords.append(("ellipse", shape.get("cx"), shape.get("cy"), shape.get("rx")))
            elif shape.tag == f"{SVG}polygon":
                coords.append(("polygon", shape.get("points")))
        shapes[title] = tuple(coords)
    return root.get("viewBox"), shapes


def texts(svg: bytes) -> list[str]:
    """Every text of the drawing that is not empty (blank ones included), in document order."""
    root = ET.fromstring(svg)
    return [t.text for t in root.iter(f"{SVG}text") if t.text]


# ---- the classroom's outputs, as the theme, stepper, PDF, Beamer and exercise tests read them
#
# These tests import node_shapes and shown_texts as ``geometry`` and ``texts``, the names they
# were written with: node_shapes holds the same facts as geometry() in another form, and
# shown_texts leaves out blank texts, which texts() keeps.

LECTURE = ["cs231n-simple", "sigmoid-neuron"]


def fmt(value, decimals=None):
    """A number as the frames write it (3 significant figures by default)."""
    return value_text(value, decimals, DIGITS)


def invoke(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def text_elements(svg: bytes) -> list[ET.Element]:
    return [t for t in ET.fromstring(svg).iter(f"{SVG}text") if t.text and t.text.strip()]


def shown_texts(svg: bytes) -> list[str]:
    """The drawing's texts that are not blank, in document order."""
    return [t.text for t in text_elements(svg)]


def node_shapes(svg: bytes) -> tuple[str | None, dict[str, tuple]]:
    """The viewBox and, per node, the coordinates of its shapes."""
    root = ET.fromstring(svg)
    shapes = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "node":
            coords = tuple((s.tag, s.get("cx"), s.get("cy"), s.get("rx"), s.get("points"))
                           for s in group if s.tag in (f"{SVG}ellipse", f"{SVG}polygon"))
            shapes[group.find(f"{SVG}title").text] = coords
    return root.get("viewBox"), shapes


def open_page(browser, url: str):
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda err: problems.append(str(err)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    requests: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    page.goto(url)
    return page, problems, requests
