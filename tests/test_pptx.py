"""PowerPoint decks: ``gbp render ... -o deck.pptx`` and ``Trace.save_pptx``, read back with
python-pptx (slides, their text, where the picture sits and how sharp it is)."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Emu
from support import graphviz_mark, run

from graphviz_backprop import deck, trace
from graphviz_backprop.errors import InputError
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
        assert named(slide, "Caption") == deck.slide_text(frame.caption)
        assert named(slide, "Step") == f"step {k} / {last}"
        assert notes(slide) == f"Step {k} of {last} ({frame.kind}). {frame.caption}"
    # the chain rule, as the lecture writes it, is text a teacher can edit
    backward = [notes(s) for s in prs.slides if "(backward)" in notes(s)]
    assert any("∂f/∂a₆ = ∂f/∂a₇ · ∂a₇/∂a₆ = -0.534 · 1 = -0.534" in n for n in backward)
    # on the slide a negative number's sign is the minus sign, which no line break follows
    shown = [named(s, "Caption") for s in list(prs.slides)[1:]]
    assert any("∂f/∂a₆ = ∂f/∂a₇ · ∂a₇/∂a₆ = −0.534 · 1 = −0.534" in c for c in shown)
    assert not any(re.search(r"-\d", c) for c in shown)


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


def shown_dpi(picture) -> float:
    """Pixels per inch of a picture as its slide shows it."""
    return Image.open(io.BytesIO(picture.image.blob)).size[0] / (picture.width / 914400)


def test_the_pictures_are_sharp(neuron):
    _, prs = neuron
    (picture,) = pictures(list(prs.slides)[1])
    assert Image.open(io.BytesIO(picture.image.blob)).format == "PNG"
    assert 190 <= shown_dpi(picture) <= 220  # twice a screen's, as asked, not much more


def test_a_large_circuit_gets_no_more_pixels_than_the_slide_shows(tmp_path):
    terms = "+".join(f"w{i}*x{i}" for i in range(12))
    t = trace(terms, **{f"w{i}": 0.5 - i / 10 for i in range(12)},
              **{f"x{i}": 1 + i / 20 for i in range(12)})
    path = t.save_pptx(tmp_path / "sum.pptx", frames=[-1], title_slide=False)
    (picture,) = pictures(Presentation(str(path)).slides[0])
    assert 190 <= shown_dpi(picture) <= 220
    width, height = Image.open(io.BytesIO(picture.image.blob)).size
    assert width <= 12.5 * 220 and height <= 4.7 * 220


def test_a_small_circuit_stays_on_one_row_and_a_long_one_is_wrapped(tmp_path):
    simple = trace("(x+y)*z", x=-2, y=5, z=-4)
    neuron = trace("sigmoid-neuron")
    for t, fit in ((simple, "none"), (neuron, "slide")):
        (picture,) = pictures(Presentation(str(t.save_pptx(
            tmp_path / "d.pptx", frames=[0], title_slide=False))).slides[0])
        png = t.render("png", frames=[0], captions=False, fit=fit, dpi=72)[0]
        width, height = Image.open(io.BytesIO(png)).size
        assert picture.width / picture.height == pytest.approx(width / height, rel=0.02)


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
    assert named(last, "Caption").startswith("Done: f = −12.0")
    assert last.shapes.title.text == "A simple circuit"
    # one step of a trace keeps its number among all of them
    assert named(last, "Step") == "step 7 / 7" and notes(last).startswith("Step 7 of 7 (final).")


def test_a_deck_of_some_steps_numbers_them_as_the_trace_does(runner, tmp_path):
    out = tmp_path / "some.pptx"
    run(runner, "render", "sigmoid-neuron", "--frame", "13", "-o", str(out))
    first, step = Presentation(str(out)).slides
    assert first.placeholders[1].text.startswith("Backpropagation step by step: 1 step,")
    assert named(step, "Step") == "step 13 / 19"
    assert notes(step).startswith("Step 13 of 19 (backward). Backward through exp")
    t = trace("sigmoid-neuron")
    path = t.save_pptx(tmp_path / "ends.pptx", frames=[0, -1], title_slide=False)
    assert [named(s, "Step") for s in Presentation(str(path)).slides] == ["step 0 / 19",
                                                                          "step 19 / 19"]
    sheet = t.save_pptx(tmp_path / "sheet.pptx", exercise="gradients")
    front = Presentation(str(sheet)).slides[0]
    assert front.placeholders[1].text.startswith("An exercise")


def test_long_texts_stay_in_their_boxes(tmp_path):
    title = "Lecture 4, part 2: backpropagation through a 2D sigmoid neuron, step by step"
    terms = "+".join(f"w{i}*x{i}" for i in range(30))
    t = trace(terms, **{f"w{i}": 0.5 - i / 10 for i in range(30)},
              **{f"x{i}": 1 + i / 20 for i in range(30)})
    path = t.save_pptx(tmp_path / "long.pptx", frames=[-1], title=title)
    front, last = Presentation(str(path)).slides
    for shape, box, sizes in ((front.shapes.title, deck._TITLE_PAGE, deck._FRONT_SIZES),
                              (last.shapes.title, deck._TITLE, deck._TITLE_SIZES)):
        size = shape.text_frame.paragraphs[0].runs[0].font.size.pt
        assert (size, shape.text_frame.text) == deck.fitted(title, box, sizes)
        assert size < sizes[0]
    caption = named(last, "Caption")
    assert caption.endswith("… (the whole caption is in the notes)")
    assert len(caption) < len(t.frames[-1].caption)
    assert notes(last).endswith(t.frames[-1].caption)  # whole in the notes


def test_cli_format_pptx_into_a_folder(runner, tmp_path):
    result = run(runner, "render", "sigmoid-neuron", "--format", "pptx", "-o", f"{tmp_path}/")
    assert (tmp_path / "sigmoid-neuron.pptx").is_file(), result.output


@pytest.mark.parametrize(("args", "message"), [
    (["-o", "deck.ppt"], "cannot write 'deck.ppt': .ppt is PowerPoint's old format; give a .pptx"),
    (["-o", "deck.pptx", "--format", "gif"], "--format gif does not match 'deck.pptx'"),
    (["-o", "deck.pptx", "--subtitle", "a\x1bb"], "--subtitle"),
    (["-o", ".pptx"], "'.pptx' is only an extension: give the file a name"),
    (["-o", "deck.pptx."], "'deck.pptx.' ends in a dot"),
    (["-o", "deck.gif", "--subtitle", "Lecture 4"], "--subtitle is for a PowerPoint deck"),
    (["-o", "deck.html", "--no-title-slide"], "--no-title-slide is for a PowerPoint deck"),
])
def test_cli_refuses_bad_deck_options(runner, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = run(runner, "render", "sigmoid-neuron", *args, code=2)
    assert result.output.startswith("Error: ") and message in result.output
    assert "\x1b" not in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_cli_refuses_a_missing_folder_before_drawing(runner, tmp_path, monkeypatch):
    from graphviz_backprop import tracing

    def never(*args, **kwargs):
        raise AssertionError("drew before checking where to write")

    monkeypatch.setattr(tracing.Trace, "_stills", never)
    result = run(runner, "render", "sigmoid-neuron", "-o", str(tmp_path / "no" / "d.pptx"),
                 code=1)
    assert result.output == (f"Error: cannot write '{tmp_path / 'no' / 'd.pptx'}': directory"
                             f" '{tmp_path / 'no'}' does not exist\n")


@pytest.mark.parametrize(("frames", "message"), [
    ([99], "frame 99 is out of range: there are 20 frames (0 to 19)"),
    ([], "no frame chosen: frames is empty"),
])
def test_api_refuses_frames_out_of_range(tmp_path, frames, message):
    t = trace("sigmoid-neuron")
    for write in (lambda: t.save_pptx(tmp_path / "d.pptx", frames=frames),
                  lambda: t.save_gif(tmp_path / "d.gif", frames=frames),
                  lambda: t.stepper(frames=frames)):
        with pytest.raises(InputError) as caught:
            write()
        assert str(caught.value) == message
    assert list(tmp_path.iterdir()) == []


def test_api_refuses_a_control_character_in_the_subtitle(tmp_path):
    with pytest.raises(InputError, match="U\\+0007"):
        trace("x*y", x=1, y=2).save_pptx(tmp_path / "d.pptx", subtitle="a\x07b")
    assert list(tmp_path.iterdir()) == []


def test_api_refuses_a_wrong_suffix(tmp_path):
    with pytest.raises(Exception, match=r"should end in \.pptx"):
        trace("x*y", x=1, y=2).save_pptx(tmp_path / "deck.pdf")
    assert list(tmp_path.iterdir()) == []


def test_api_frames_fit_and_dpi(tmp_path):
    t = trace("(x+y)*z", x=-2, y=5, z=-4)
    path = t.save_pptx(tmp_path / "d.pptx", frames=[0, -1], title_slide=False, fit="none")
    slides = list(Presentation(str(path)).slides)
    assert [named(s, "Caption") for s in slides] == [deck.slide_text(t.frames[k].caption)
                                                     for k in (0, -1)]


def test_deck_bytes_checks_its_input():
    with pytest.raises(ValueError, match="a deck needs a page"):
        deck.deck_bytes([], 0, "t")
    with pytest.raises(Exception, match="not a PNG"):
        deck.deck_bytes([deck.Page(b"GIF89a" + b"\0" * 30, "c", "circuit", 0)], 0, "t")


def test_caption_size_shrinks_with_length():
    short, _ = deck.fitted("Forward through +: 3.00", deck._CAPTION, deck._CAPTION_SIZES)
    long, text = deck.fitted("Backward through +: " + "; ".join(
        f"∂f/∂x{i} = 1.00 · 0.197 = 0.197" for i in range(12)), deck._CAPTION,
        deck._CAPTION_SIZES)
    assert short > long >= 10 and "x11" in text
