"""Jupyter: the example notebook docs/notebook.ipynb run in a real kernel (nbclient and
ipykernel), a trace shown as the stepper and a frame as its SVG; then the notebook's HTML
output opened in a real headless Chromium, where two steppers step independently."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest
from support import graphviz_mark, open_page

from graphviz_backprop import trace

pytestmark = graphviz_mark()

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "notebook.ipynb"


@pytest.fixture(scope="module")
def executed():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=600,
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    return nb


def outputs(nb, needle: str) -> list[dict]:
    """The outputs of the one code cell whose source holds ``needle``."""
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and needle in c.source]
    assert not [o for o in cell.outputs if o.output_type == "error"], cell.outputs
    return cell.outputs


def shown(nb, needle: str) -> dict:
    """What the cell displays (its result), by MIME type."""
    (result,) = [o for o in outputs(nb, needle) if o.output_type == "execute_result"]
    return result["data"]


def test_a_trace_shows_as_the_stepper(executed):
    data = shown(executed, 'neuron = gb.trace("sigmoid-neuron")')
    page = data["text/html"]
    assert page.startswith('<iframe class="gbp-stepper" srcdoc="')
    assert page.count("<iframe") == 1 and "<script" not in page  # all of it inside srcdoc
    inner = html.unescape(re.search(r'srcdoc="([^"]*)"', page).group(1))
    assert inner.startswith("<!DOCTYPE html>")
    assert "A 2D neuron with a sigmoid activation" in inner
    # every frame's caption, as the standalone stepper has them
    for frame in trace("sigmoid-neuron").frames:
        assert html.escape(frame.caption) in inner
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", inner)  # nothing fetched
    # without HTML (an untrusted notebook, a terminal), one short line
    assert data["text/plain"] == ("<Trace 'A 2D neuron with a sigmoid activation': 8 gates,"
                                  " 5 inputs, f = 0.731059>")


def test_numbers_and_a_frame_in_the_notebook(executed):
    numbers = shown(executed, "neuron.value, neuron.gradients")["text/plain"]
    t = trace("sigmoid-neuron")
    assert ast.literal_eval(numbers) == (t.value, t.gradients)
    svg = shown(executed, "neuron.frames[-1]")["image/svg+xml"]
    assert "<svg" in svg and "0.731" in svg
    assert shown(executed, "sigmoid.gradients == neuron.gradients")["text/plain"] == "True"


def test_the_notebook_runs_without_errors_or_warnings(executed):
    for cell in executed.cells:
        if cell.cell_type == "code":
            assert [o for o in cell.outputs if o.output_type == "stream"] == [], cell.source


def test_two_steppers_of_the_notebook_step_independently_in_chromium(executed, browser,
                                                                      tmp_path):
    # the notebook's HTML outputs one after the other, as a notebook page shows them
    parts = []
    for cell in executed.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/html" in data:
                parts.append(f'<div class="output">{data["text/html"]}</div>')
            elif "image/svg+xml" in data:
                parts.append(f'<div class="output">{data["image/svg+xml"]}</div>')
    page_file = tmp_path / "notebook.html"
    page_file.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
                         + "\n".join(parts) + "</body></html>", encoding="utf-8")
    page, problems, requests = open_page(browser, page_file.as_uri())
    try:
        frames = [f for f in page.frames if f.url == "about:srcdoc"]
        assert len(frames) == 3  # the neuron, the neuron fit for a slide, and (x+y)*z
        for f in frames:
            f.wait_for_selector("#counter")
        neuron, simple = frames[0], frames[2]
        assert neuron.inner_text("#counter") == "0 / 19"
        assert simple.inner_text("#counter") == "0 / 7"
        simple.click("#next")
        simple.click("#next")
        assert simple.inner_text("#counter") == "2 / 7"
        assert "Forward through +" in simple.inner_text("#status")
        assert neuron.inner_text("#counter") == "0 / 19"  # untouched
        neuron.click("#slider")  # focus is inside the first stepper: its keys are its own
        neuron.press("#slider", "End")
        assert neuron.inner_text("#counter") == "19 / 19"
        assert simple.inner_text("#counter") == "2 / 7"
        assert frames[1].inner_text("#counter") == "0 / 19"
        # each stepper stays where it was: the notebook's own address is never changed
        assert page.url == page_file.as_uri()
        # each iframe is as tall as its page, controls included
        for element, f in zip(page.query_selector_all("iframe.gbp-stepper"), frames):
            inner = f.evaluate("Math.ceil(document.querySelector('main')"
                               ".getBoundingClientRect().height)")
            outer = element.bounding_box()["height"]
            assert inner <= outer <= inner + 8
        assert problems == []
        assert all(url.startswith(("file:", "about:", "data:")) for url in requests), requests
    finally:
        page.close()


# ---- the same, without a kernel ----------------------------------------------------------------

def test_stepper_takes_the_drawing_options():
    t = trace("sigmoid-neuron")
    dark = t.stepper(theme="dark", phase="forward")
    assert repr(dark) == ("<Stepper of 11 steps: A 2D neuron with a sigmoid activation>")
    inner = html.unescape(re.search(r'srcdoc="([^"]*)"', dark._repr_html_()).group(1))
    assert "background: #1b1f24" in inner and "color-scheme: dark" in inner
    assert "Backward through" not in inner
    assert "\n" not in dark.html  # one line, whatever renders the notebook


def test_a_failure_shows_as_one_line_in_the_cell(monkeypatch):
    from graphviz_backprop import tracing
    from graphviz_backprop.errors import RenderError

    def broken(*args, **kwargs):
        raise RenderError("Graphviz's 'dot' was not found <install it>")

    t = trace("x*y", x=2, y=3)
    monkeypatch.setattr(tracing.Trace, "_stills", broken)
    assert t._repr_html_() == ('<pre class="gbp-error">Error: Graphviz&#x27;s &#x27;dot&#x27;'
                               ' was not found &lt;install it&gt;</pre>')


def test_a_huge_circuit_shows_as_text(monkeypatch):
    from graphviz_backprop import tracing

    monkeypatch.setattr(tracing, "MAX_RENDER_GATES", 3)
    t = trace("((x*y+1)*2+x)*y", x=2, y=3)
    assert t._repr_html_() is None
    with pytest.raises(Exception, match="a stepper is limited to 3"):
        t.stepper()
