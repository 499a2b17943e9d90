"""PowerPoint decks: ``gbp render ... -o deck.pptx`` and ``Trace.save_pptx``, read back with
python-pptx (slides, their text, where the picture sits and how sharp it is)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Emu
from support import graphviz_mark, run

from graphviz_backprop import deck, trace
from graphviz_backprop.themes import THEMES

pytestmark = graphviz_mark()


def pictures(slide):
    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def named(slide, name: str) -> str:
    return next(s for s in slide.shapes if s.name == name).text_frame.text


def notes(slide) -> str:
    return slide.notes_slide.notes_text_frame.text


@pytest.fixture(scope="module")
def neuron(tmp_path_factory):
    t = trace("sigmoid-neuron")
    path = t.save_pptx(tmp_path_factory.mktemp("deck") / "neuron.pptx")
    return t, Presentation(str(path))


def test_a_slide_per_frame_after_a_title_slide(neuron):
    t, prs = neuron
    frames = t.make_frames(fit="slide")
    slides = list(prs.slides)
    assert len(slides) == len(frames) + 1
    assert (prs.slide_width, prs.slide_height) == (Emu(12192000), Emu(6858000))  # 16:9
    first = slides[0]
    assert first.shapes.title.text == "A 2D neuron with a sigmoid activation"
    assert f"{len(frames)} steps" in first.placeholders[1].text
    assert pictures(first) == []
    assert prs.core_properties.title == "A 2D neuron with a sigmoid activation"


def test_every_caption_is_slide_text_and_speaker_notes(neuron):
    t, prs = neuron
    frames = t.make_frames(fit="slide")
    last = len(frames) - 1
    for k, (slide, frame) in enumerate(zip(list(prs.slides)[1:], frames)):
        assert slide.shapes.title.text == "A 2D neuron with a sigmoid activation"
        assert named(slide, "Caption") == frame.caption
        assert named(slide, "Step") == f"step {k} / {last}"
        assert notes(slide) == f"Step {k} of {last} ({frame.kind}). {frame.caption}"
    # the chain rule, as the lecture writes it, is text a teacher can edit
    backward = [notes(s) for s in prs.slides if "(backward)" in notes(s)]
    assert any("∂f/∂a₆ = ∂f/∂a₇ · ∂a₇/∂a₆ = -0.534 · 1 = -0.534" in n for n in backward)


def test_the_circuit_sits_at_one_place_and_scale_on_every_slide(neuron):
    _, prs = neuron
    boxes = set()
    for slide in list(prs.slides)[1:]:
        (picture,) = pictures(slide)
        boxes.add((picture.left, picture.top, picture.width, picture.height))
        caption = next(s for s in slide.shapes if s.name == "Caption")
        assert caption.top >= picture.top + picture.height  # under the picture, not on it
    assert len(boxes) == 1
    left, top, width, height = boxes.pop()
    area = deck.PICTURE_AREA
    assert area.left <= left and left + width <= area.left + area.width
    assert area.top <= top and top + height <= area.top + area.height
    # centred, and as large as the area lets it be
    assert abs((left - area.left) - (area.left + area.width - left - width)) <= 2
    assert width == pytest.approx(area.width, abs=2) or height == pytest.approx(area.height,
                                                                                abs=2)


def test_the_pictures_are_sharp(neuron):
    _, prs = neuron
    slide = list(prs.slides)[1]
    (picture,) = pictures(slide)
    image = Image.open(io.BytesIO(picture.image.blob))
    assert image.format == "PNG"
    dpi_shown = image.size[0] / (picture.width / 914400)
    assert dpi_shown >= 190  # pixels per inch as the slide shows it, twice a screen's
    # the picture has no caption of its own: the slide's text is the caption
    assert image.size[1] / image.size[0] < 0.8


def test_the_pictures_differ_step_by_step(neuron):
    _, prs = neuron
    blobs = [pictures(s)[0].image.blob for s in list(prs.slides)[1:]]
    assert len(set(blobs)) == len(blobs)


def test_cli_writes_a_deck_with_options(runner, tmp_path):
    out = tmp_path / "neuron.pptx"
    result = run(runner, "render", "sigmoid-neuron", "-o", str(out), "--no-title-slide",
                 "--theme", "dark", "--phase", "forward")
    t = trace("sigmoid-neuron")
    count = len(t.make_frames("forward", fit="slide"))
    assert result.output == (f"Wrote {out} ({count} slides; open it in PowerPoint, Keynote,"
                             " Google Slides or LibreOffice)\n")
    prs = Presentation(str(out))
    slides = list(prs.slides)
    assert len(slides) == count and pictures(slides[0])
    dark = THEMES["dark"].background.lstrip("#").upper()
    for slide in slides:
        assert str(slide.background.fill.fore_color.rgb) == dark
    run_ = next(s for s in slides[0].shapes if s.name == "Caption").text_frame.paragraphs[0].runs[0]
    assert str(run_.font.color.rgb) == THEMES["dark"].caption_color.lstrip("#").upper()


def test_cli_title_slide_subtitle_and_one_frame(runner, tmp_path):
    out = tmp_path / "one.pptx"
    result = run(runner, "render", "(x+y)*z", "--at", "x=-2,y=5,z=-4", "--final", "-o",
                 str(out), "--title", "A simple circuit", "--subtitle", "Lecture 4")
    assert "(2 slides;" in result.output
    first, last = Presentation(str(out)).slides
    assert first.shapes.title.text == "A simple circuit"
    assert first.placeholders[1].text == "Lecture 4"
    assert named(last, "Caption").startswith("Done: f = -12.0")
    assert last.shapes.title.text == "A simple circuit"


def test_cli_format_pptx_into_a_folder(runner, tmp_path):
    result = run(runner, "render", "sigmoid-neuron", "--format", "pptx", "-o", f"{tmp_path}/")
    assert (tmp_path / "sigmoid-neuron.pptx").is_file(), result.output


@pytest.mark.parametrize(("args", "message"), [
    (["-o", "deck.ppt"], "cannot write 'deck.ppt': .ppt is PowerPoint's old format; give a .pptx"),
    (["-o", "deck.pptx", "--format", "gif"], "--format gif does not match 'deck.pptx'"),
    (["-o", "deck.pptx", "--subtitle", "a\x1bb"], "--subtitle"),
])
def test_cli_refuses_bad_deck_options(runner, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = run(runner, "render", "sigmoid-neuron", *args, code=2)
    assert result.output.startswith("Error: ") and message in result.output
    assert "\x1b" not in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_api_refuses_a_wrong_suffix(tmp_path):
    with pytest.raises(Exception, match=r"should end in \.pptx"):
        trace("x*y", x=1, y=2).save_pptx(tmp_path / "deck.pdf")
    assert list(tmp_path.iterdir()) == []


def test_api_frames_fit_and_dpi(tmp_path):
    t = trace("(x+y)*z", x=-2, y=5, z=-4)
    path = t.save_pptx(tmp_path / "d.pptx", frames=[0, -1], title_slide=False, fit="none")
    slides = list(Presentation(str(path)).slides)
    assert [named(s, "Caption") for s in slides] == [t.frames[0].caption, t.frames[-1].caption]


def test_deck_bytes_checks_its_input():
    with pytest.raises(ValueError, match="one caption and kind per picture"):
        deck.deck_bytes([b"x"], [], [], "t")
    with pytest.raises(Exception, match="not a PNG"):
        deck.deck_bytes([b"GIF89a" + b"\0" * 30], ["c"], ["circuit"], "t")


def test_caption_size_shrinks_with_length():
    short = deck.caption_points("Forward through +: 3.00")
    long = deck.caption_points("Backward through +: " + "; ".join(
        f"∂f/∂x{i} = 1.00 · 0.197 = 0.197" for i in range(12)))
    assert short > long >= 12
