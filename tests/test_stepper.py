"""The HTML stepper: one self-contained file whose layers give back every frame, and the page
itself stepped, played and paused in a real headless Chromium."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from support import LECTURE, SVG, graphviz_mark, invoke, open_page
from support import shown_texts as texts

from graphviz_backprop import trace
from graphviz_backprop.themes import THEMES

pytestmark = graphviz_mark()


def test_html_is_one_self_contained_file(tmp_path):
    out = tmp_path / "neuron.html"
    result = invoke("render", "sigmoid-neuron", "-o", str(out))
    assert "20 steps" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["neuron.html"]
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") == 1 and page.count('<p class="caption') == 20
    # nothing to fetch: no scripts, styles, images or fonts from elsewhere
    assert not re.search(r"""\b(?:src|href)\s*=\s*["'](?!#)""", page)
    assert "<link" not in page and "@import" not in page and "url(" not in page
    # every element id unique, although every frame is drawn with the same ids
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    assert "<?xml" not in page and "<!--" not in page
    # one drawing, the changing nodes in layers: far smaller than 20 frames inlined whole
    frames = trace("sigmoid-neuron").render("svg", captions=False)
    assert len(page) < sum(map(len, frames)) / 4


def leaves(element: ET.Element) -> list[tuple]:
    """The drawn elements in document order: (tag, attributes, text), wrappers left out."""
    out = []
    for child in element:
        if child.tag == f"{SVG}g":
            out += leaves(child)
        else:
            out.append((child.tag, tuple(sorted(child.attrib.items())), child.text))
    return out


def pick(element: ET.Element, k: int) -> ET.Element:
    """What step k shows of the page's layered drawing (what the page's script does)."""
    for child in list(element):
        picks = child.get("data-picks")
        if picks is not None:
            chosen = child[int(picks.split()[k])]
            child.clear()
            child.append(pick(chosen, k))
        else:
            pick(child, k)
    return element


@pytest.mark.parametrize("source", [*LECTURE, "x*x + x*y"])
def test_html_layers_give_back_every_frame_exactly(tmp_path, source):
    from graphviz_backprop.stepper import _clean_svg

    t = trace(source, **({"x": 3, "y": 2} if "x*x" in source else {}))
    page = t.save_html(tmp_path / "p.html").read_text()
    svg_text = page[page.index("<svg"):page.index("</svg>") + 6]
    frames = t.render("svg", captions=False)
    assert "data-picks" in svg_text  # the layered form, not frames inlined whole
    for k, frame in enumerate(frames):
        shown = pick(ET.fromstring(svg_text), k)
        assert leaves(shown) == leaves(ET.fromstring(_clean_svg(frame))), k


def test_html_escapes_user_text(tmp_path):
    title = "Evil </script><script>alert(1)</script> & <b>bold</b>"
    path = tmp_path / "evil.toml"
    path.write_text(f"name = 'evil'\ntitle = '{title}'\ndescription = '<i>d</i>'\n"
                    "source = 'a <u>source</u>'\nexpression = '(x+y)*z'\n"
                    "[at]\nx = 1\ny = 2\nz = 3\n")
    out = tmp_path / "evil.html"
    invoke("render", str(path), "-o", str(out))
    page = out.read_text()
    assert page.count("<script>") == 1 and page.count("</script>") == 1
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold" in page
    assert "<b>" not in page


def test_html_from_the_api_with_a_theme(tmp_path):
    t = trace("cs231n-simple")
    page = t.save_html(tmp_path / "dark.html", theme="dark", delay=500).read_text()
    assert THEMES["dark"].background in page and "color-scheme: dark" in page
    assert '<option value="400"' in page and 'value="700" selected' not in page
    one = t.save_html(tmp_path / "one.html", frames=[-1]).read_text()
    assert one.count('<p class="caption') == 1 and "Done:" in one and "-12.0" in one


# ---- the HTML stepper in a real headless Chromium --------------------------------------------

@pytest.fixture(scope="module")
def stepper_file(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("html") / "neuron.html"
    invoke("render", "sigmoid-neuron", "-o", str(out))
    return out


VISIBLE = """(selector) => Array.from(document.querySelectorAll(selector))
    .filter((e) => getComputedStyle(e).visibility === "visible"
                   && getComputedStyle(e).display !== "none")
    .map((e) => e.textContent)"""


def shown(page) -> tuple[str, str, str]:
    """(caption, the drawing's visible text, the counter) as a person sees them."""
    captions = page.evaluate(VISIBLE, "#captions > p")
    assert len(captions) == 1
    drawing = " ".join(t for t in page.evaluate(VISIBLE, "#drawing text") if t.strip())
    return captions[0], drawing, page.inner_text("#counter")


def hash_of(page) -> str:
    """The address's fragment as the page itself sees it (page.url may lag behind)."""
    return page.evaluate("window.location.hash")


def test_stepper_in_chromium_steps_with_the_keyboard(browser, stepper_file, tmp_path):
    t = trace("sigmoid-neuron")
    captions = [f.caption for f in t.frames]
    page, problems, requests = open_page(browser, stepper_file.as_uri())
    caption, drawing, counter = shown(page)
    assert caption == captions[0] and counter == "0 / 19"
    assert "2.00" not in drawing  # the bare circuit: no value yet
    box = page.locator("#drawing svg").bounding_box()

    page.keyboard.press("ArrowRight")
    caption, drawing, counter = shown(page)
    assert caption == captions[1] and caption.startswith("Inputs:")
    assert "2.00" in drawing and "-3.00" in drawing  # the inputs' values are revealed
    assert counter == "1 / 19" and hash_of(page) == "#step-1"
    assert page.locator("#drawing svg").bounding_box() == box  # nothing moved

    page.keyboard.press(" ")
    assert shown(page)[0] == captions[2] and hash_of(page) == "#step-2"
    page.keyboard.press("ArrowLeft")
    assert shown(page)[0] == captions[1]
    page.keyboard.press("End")
    caption, drawing, counter = shown(page)
    assert caption == captions[-1] and "0.73" in drawing and counter == "19 / 19"
    assert page.locator("#next").is_disabled()
    page.keyboard.press("Home")
    assert shown(page)[0] == captions[0] and page.locator("#prev").is_disabled()
    page.screenshot(path=str(tmp_path / "step-0.png"))
    assert (tmp_path / "step-0.png").stat().st_size > 10_000
    assert problems == []
    assert requests == [stepper_file.as_uri()]  # the page fetched nothing else
    page.close()


def test_stepper_in_chromium_shows_every_frame_as_drawn(browser, stepper_file):
    """Step through with the right arrow: the visible drawing is each frame's, number for
    number, and the caption each step's."""
    t = trace("sigmoid-neuron")
    frames = t.render("svg", captions=False)
    page, problems, _ = open_page(browser, stepper_file.as_uri())
    for k, frame in enumerate(frames):
        caption, drawing, counter = shown(page)
        assert caption == t.frames[k].caption and counter == f"{k} / 19"
        assert drawing == " ".join(t for t in texts(frame) if t.strip()), k
        page.keyboard.press("ArrowRight")
    assert hash_of(page) == "#step-19" and problems == []
    page.close()


def test_stepper_in_chromium_opens_at_the_step_in_the_url(browser, stepper_file, tmp_path):
    t = trace("sigmoid-neuron")
    page, problems, _ = open_page(browser, stepper_file.as_uri() + "#step-5")
    caption, drawing, counter = shown(page)
    assert caption == t.frames[5].caption and counter == "5 / 19"
    assert page.input_value("#slider") == "5"
    assert "1.00" in drawing and "0.73" not in drawing  # forward through the second +, not yet σ
    page.screenshot(path=str(tmp_path / "step-5.png"))
    assert (tmp_path / "step-5.png").stat().st_size > 10_000

    page.click("#next")
    assert shown(page)[0] == t.frames[6].caption and hash_of(page) == "#step-6"
    page.click("#prev")
    page.click("#prev")
    assert shown(page)[0] == t.frames[4].caption
    page.fill("#slider", "12")  # dragging the slider
    assert shown(page)[0] == t.frames[12].caption
    page.evaluate("window.location.hash = '#step-3'")  # a link to another step
    page.wait_for_function("document.querySelector('#counter').textContent === '3 / 19'")
    assert problems == []
    page.close()


def test_stepper_in_chromium_zooms_and_fits(browser, stepper_file):
    page, problems, _ = open_page(browser, stepper_file.as_uri())
    drawing = page.locator("#drawing svg")
    fitted = drawing.bounding_box()["width"]
    assert page.inner_text("#zoom-level") == "Fit"
    page.keyboard.press("1")  # actual size: the SVG's own width, in CSS pixels
    natural = page.evaluate("document.querySelector('#drawing svg').viewBox.baseVal.width")
    assert drawing.bounding_box()["width"] == pytest.approx(natural * 96 / 72, abs=1)
    assert page.inner_text("#zoom-level") == "100%"
    page.click("#zoom-in")
    assert drawing.bounding_box()["width"] == pytest.approx(natural * 96 / 72 * 1.25, abs=1)
    assert page.inner_text("#zoom-level") == "125%"
    page.keyboard.press("-")
    page.keyboard.press("-")
    assert page.inner_text("#zoom-level") == "80%"
    page.keyboard.press("ArrowRight")  # stepping keeps the zoom
    assert page.inner_text("#zoom-level") == "80%" and shown(page)[2] == "1 / 19"
    page.click("#zoom-fit")
    assert drawing.bounding_box()["width"] == pytest.approx(fitted, abs=1)
    assert problems == []
    page.close()


def test_stepper_in_chromium_plays_and_pauses(browser, stepper_file):
    page, problems, _ = open_page(browser, stepper_file.as_uri() + "#step-15")
    page.select_option("#speed", "400")
    page.click("#play")
    assert "Pause" in page.inner_text("#play")
    # it runs to the last step by itself, then stops
    page.wait_for_function("document.querySelector('#counter').textContent === '19 / 19'",
                           timeout=10_000)
    page.wait_for_function("document.querySelector('#play').textContent.includes('Play')")
    page.keyboard.press("Home")
    page.keyboard.press("p")
    page.wait_for_function("document.querySelector('#counter').textContent !== '0 / 19'",
                           timeout=5_000)
    page.keyboard.press("p")
    stopped = page.inner_text("#counter")
    page.wait_for_timeout(900)
    assert page.inner_text("#counter") == stopped  # paused
    assert problems == []
    page.close()
