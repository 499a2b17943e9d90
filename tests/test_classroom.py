"""For the classroom: themes, the HTML stepper (in a real headless Chromium), PDF, Beamer, and
exercise sheets."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphviz_backprop import trace
from graphviz_backprop.cli import cli
from graphviz_backprop.themes import THEMES, make_theme
from graphviz_backprop.errors import InputError
from graphviz_backprop.frames import exercise
from graphviz_backprop.notation import value_text
from support import graphviz_mark


def fmt(value, decimals=2):
    """A number as the frames write it (2 decimals by default)."""
    return value_text(value, decimals)

pytestmark = graphviz_mark()

SVG = "{http://www.w3.org/2000/svg}"
LECTURE = ["cs231n-simple", "sigmoid-neuron"]


def invoke(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def text_elements(svg: bytes) -> list[ET.Element]:
    return [t for t in ET.fromstring(svg).iter(f"{SVG}text") if t.text and t.text.strip()]


def texts(svg: bytes) -> list[str]:
    return [t.text for t in text_elements(svg)]


def geometry(svg: bytes) -> tuple[str | None, dict[str, tuple]]:
    """The viewBox and, per node, the coordinates of its shapes."""
    root = ET.fromstring(svg)
    shapes = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "node":
            coords = tuple((s.tag, s.get("cx"), s.get("cy"), s.get("rx"), s.get("points"))
                           for s in group if s.tag in (f"{SVG}ellipse", f"{SVG}polygon"))
            shapes[group.find(f"{SVG}title").text] = coords
    return root.get("viewBox"), shapes


def gradient_only_texts(t) -> set[str]:
    """Every gradient number the frames of ``t`` show that is not also a value somewhere."""
    ev = t.evaluation
    values = {fmt(v) for v in ev.values.values()}
    grads = {fmt(g) for g in ev.grads.values()}
    for node, locals_ in ev.local.items():
        grads |= {fmt(ev.grads[node] * v) for v in locals_}
        grads |= {f"local {fmt(v)}" for v in locals_}
    return grads - values


# ---- themes ------------------------------------------------------------------------------------

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


@pytest.mark.parametrize("args, message", [
    (["--theme", "neon"], "'neon' is not one of"),
    (["--font", 'Evil"];</style>'], "is not a font name"),
    (["--font-size", "200"], "200"),
    (["--exercise", "--final"], "not both"),
    (["--exercise=values"], "'values' is not one of"),
    (["--beamer", "-o", "deck.pdf"], "--beamer needs a folder"),
])
def test_classroom_usage_errors(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["render", "cs231n-simple", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


def test_make_theme_names_the_choices():
    with pytest.raises(InputError, match="known: cs231n, dark, print, colorblind"):
        make_theme("neon")


# ---- PDF ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("source", LECTURE)
def test_pdf_has_one_page_per_frame_all_the_same_size_with_text(tmp_path, source):
    from pypdf import PdfReader

    out = tmp_path / "frames.pdf"
    result = invoke("render", source, "-o", str(out))
    t = trace(source)
    assert f"({len(t.frames)} pages)" in result.output
    pdf = PdfReader(out)
    assert len(pdf.pages) == len(t.frames)
    sizes = {(float(p.mediabox.width), float(p.mediabox.height)) for p in pdf.pages}
    assert len(sizes) == 1
    # the page is the drawing's own size (points), like the SVG's viewBox
    view_box = geometry(t.render("svg", frames=[0])[0])[0].split()
    assert sizes == {(float(view_box[2]), float(view_box[3]))}
    # vector text: the numbers and captions are text in the PDF, not pixels
    last = pdf.pages[-1].extract_text()
    assert fmt(t.value) in last and "Done:" in last
    assert "Forward through" in pdf.pages[3].extract_text()
    assert pdf.metadata.title == t.title
    assert [p.name for p in tmp_path.iterdir()] == ["frames.pdf"]


def test_pdf_frames_into_a_folder_and_one_page(tmp_path):
    from pypdf import PdfReader

    invoke("render", "cs231n-simple", "--format", "pdf", "-o", f"{tmp_path}/pages/")
    names = sorted(p.name for p in (tmp_path / "pages").iterdir())
    assert names == [f"frame-{i:03d}.pdf" for i in range(8)]
    one = tmp_path / "final.pdf"
    invoke("render", "cs231n-simple", "--final", "--theme", "print", "-o", str(one))
    assert len(PdfReader(one).pages) == 1
    assert trace("cs231n-simple").frames[-1].save(tmp_path / "api.pdf").read_bytes()[:5] == b"%PDF-"


# ---- exercise mode -----------------------------------------------------------------------------

@pytest.mark.parametrize("source", LECTURE)
@pytest.mark.parametrize("theme", list(THEMES))
def test_exercise_svg_shows_values_and_no_gradient_digits(tmp_path, source, theme):
    out = tmp_path / "sheet.svg"
    invoke("render", source, "--exercise", "--theme", theme, "-o", str(out))
    t = trace(source)
    shown = texts(out.read_bytes())
    assert not gradient_only_texts(t) & set(shown)
    grad_color = THEMES[theme].grad_color
    assert not [e.text for e in text_elements(out.read_bytes()) if e.get("fill") == grad_color]
    assert not any(s.startswith("local") for s in shown)
    for value in t.evaluation.values.values():
        assert fmt(value) in shown
    assert any(s.startswith("Exercise:") for s in shown)
    # the sheet is the answer key's size: the same drawing, gradients left out
    key = t.render("svg", frames=[-1], theme=theme)[0]
    assert geometry(out.read_bytes())[0] == geometry(key)[0]


def test_exercise_both_leaves_every_value_but_the_inputs_empty(tmp_path):
    out = tmp_path / "sheet.svg"
    invoke("render", "sigmoid-neuron", "--exercise=both", "-o", str(out))
    t = trace("sigmoid-neuron")
    shown = set(texts(out.read_bytes()))
    inputs = {fmt(v) for v in t.inputs.values()}
    assert inputs <= shown
    computed = {fmt(t.evaluation.values[g]) for g in t.circuit.gates} - inputs
    assert not computed & shown
    assert not gradient_only_texts(t) & shown


@pytest.mark.parametrize("mode", ["gradients", "both"])
def test_exercise_pdf_text_has_no_gradient_digits(tmp_path, mode):
    from pypdf import PdfReader

    out = tmp_path / "sheet.pdf"
    invoke("render", "sigmoid-neuron", f"--exercise={mode}", "-o", str(out))
    pdf = PdfReader(out)
    assert len(pdf.pages) == 1
    words = set(pdf.pages[0].extract_text().split())
    t = trace("sigmoid-neuron")
    assert "Exercise:" in words
    assert ("0.73" in words) == (mode == "gradients")
    gradients = {g for g in gradient_only_texts(t) if " " not in g}
    assert not gradients & words
    assert "local" not in words
    # while the answer key's text has them all
    key = tmp_path / "key.pdf"
    invoke("render", "sigmoid-neuron", "--final", "-o", str(key))
    assert gradients <= set(PdfReader(key).pages[0].extract_text().split())


def test_exercise_step_and_api():
    t = trace("cs231n-simple")
    sheet = exercise(t.evaluation)
    assert not sheet.seeded and not sheet.backed and sheet.current is None
    assert not re.search(r"\d", sheet.caption)
    frame = t.exercise("both", theme="print")
    assert frame.kind == "exercise"
    assert "-12.00" not in texts(frame.render("svg"))
    with pytest.raises(ValueError, match="gradients, both"):
        exercise(t.evaluation, "values")


# ---- Beamer ------------------------------------------------------------------------------------

BEAMER_DECK = Path(__file__).resolve().parent.parent / "docs" / "beamer.md"


def deck_from_docs() -> str:
    """The minimal deck shown in docs/beamer.md (the first ```latex block)."""
    match = re.search(r"```latex\n(.*?)```", BEAMER_DECK.read_text(), re.S)
    assert match, "docs/beamer.md shows a deck in a ```latex block"
    return match.group(1)


def test_beamer_writes_a_pdf_and_a_snippet_with_one_overlay_per_frame(tmp_path, monkeypatch):
    from pypdf import PdfReader

    monkeypatch.chdir(tmp_path)
    result = invoke("render", "sigmoid-neuron", "--beamer", "-o", "neuron/")
    assert "neuron/sigmoid-neuron.pdf (20 pages)" in result.output
    assert sorted(p.name for p in (tmp_path / "neuron").iterdir()) == [
        "sigmoid-neuron.pdf", "sigmoid-neuron.tex"]
    assert len(PdfReader(tmp_path / "neuron" / "sigmoid-neuron.pdf").pages) == 20
    tex = (tmp_path / "neuron" / "sigmoid-neuron.tex").read_text()
    overlays = re.findall(r"\\only<(\d+)>\{\\includegraphics\[[^]]*page=(\d+)\]"
                          r"\{neuron/sigmoid-neuron\.pdf\}\}", tex)
    assert overlays == [(str(k), str(k)) for k in range(1, 21)]
    assert "\\input{neuron/sigmoid-neuron.tex}" in deck_from_docs()


def test_beamer_refuses_a_path_latex_cannot_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["render", "cs231n-simple", "--beamer", "-o", "my deck%/"])
    assert result.exit_code == 2 and "cannot name" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(shutil.which("pdflatex") is None,
                    reason="pdflatex is not installed (TeX is not part of 'make test'); the"
                    " Beamer snippet is checked as text only")
def test_the_beamer_deck_in_the_docs_compiles(tmp_path, monkeypatch):
    from pypdf import PdfReader

    monkeypatch.chdir(tmp_path)
    invoke("render", "sigmoid-neuron", "--beamer", "-o", "neuron/")
    (tmp_path / "deck.tex").write_text(deck_from_docs())
    for _ in range(2):
        done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                               "deck.tex"], cwd=tmp_path, capture_output=True, timeout=300)
        assert done.returncode == 0, done.stdout.decode(errors="replace")[-3000:]
    pages = PdfReader(tmp_path / "deck.pdf").pages
    assert len(pages) >= 20  # the circuit's frame becomes 20 slides


# ---- the HTML stepper: the file --------------------------------------------------------------

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


@pytest.mark.parametrize("source", LECTURE + ["x*x + x*y"])
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
    assert one.count('<p class="caption') == 1 and "Done:" in one and "-12.00" in one


# ---- the HTML stepper in a real headless Chromium --------------------------------------------

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def _chromium() -> str | None:
    found = os.environ.get("GBP_CHROMIUM")
    if found:
        return found if os.access(found, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def _need(what: str, how: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is needed for the browser test under CI ({how})", pytrace=False)
    pytest.skip(f"{what} is not installed: {how}")


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    if executable is None:
        _need("Chromium", "'make test' installs Debian's chromium with apt-get as root;"
              " otherwise 'sudo apt-get install chromium' or set GBP_CHROMIUM")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need("The playwright Python package", "pip install -e '.[test]'")
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        # a fresh profile; the browser is the system's, never one Playwright downloads
        context = p.chromium.launch_persistent_context(
            profile, executable_path=executable, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 900})
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def stepper_file(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("html") / "neuron.html"
    invoke("render", "sigmoid-neuron", "-o", str(out))
    return out


def open_page(browser, url: str):
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda err: problems.append(str(err)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    requests: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    page.goto(url)
    return page, problems, requests


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
