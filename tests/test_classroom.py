"""For the classroom: PDF, Beamer and exercise sheets, and the usage errors of the classroom's
options."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import LECTURE, fmt, graphviz_mark, invoke, text_elements
from support import node_shapes as geometry
from support import shown_texts as texts

from graphviz_backprop import trace
from graphviz_backprop.cli import cli
from graphviz_backprop.frames import exercise
from graphviz_backprop.themes import THEMES

pytestmark = graphviz_mark()


def gradient_only_texts(t) -> set[str]:
    """Every gradient number the frames of ``t`` show that is not also a value somewhere."""
    ev = t.evaluation
    values = {fmt(v) for v in ev.values.values()}
    grads = {fmt(g) for g in ev.grads.values()}
    for node, locals_ in ev.local.items():
        grads |= {fmt(ev.grads[node] * v) for v in locals_}
        grads |= {f"local {fmt(v)}" for v in locals_}
    return grads - values


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
    assert ("0.731" in words) == (mode == "gradients")
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
    assert "-12.0" not in texts(frame.render("svg"))
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
