"""Frames of circuits with vectors and matrices: bracketed matrices on the wires, the shape
beside the name, the shape alone past the limit, captions with each gate's rule and its
numbers, worksheets, the local Jacobian, and the options of ``gbp render``."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from support import SVG, geometry, graphviz_mark, run

from graphviz_backprop import trace
from graphviz_backprop.cli import main
from graphviz_backprop.dot import positions
from graphviz_backprop.frames import steps
from graphviz_backprop.render import picture
from graphviz_backprop.style import Style

pytestmark = graphviz_mark()

#: The cs231n notes' vectorized example.
VECTORIZED = "W = [[0.1, 0.5], [-0.3, 0.8]]; x = [0.2, 0.4]; q = W @ x; f = sum(q**2)"
#: A batch of two examples through a linear layer and a ReLU, a bias broadcast over the rows.
BATCH = ("X = [[1, 2, -1], [1, 1, 3]]; W = [[0.5, -1], [1, 0.5], [-0.5, 2]]; b = [0.1, -0.2];"
         " f = np.sum(np.maximum(0, X @ W + b))")
NEURON = "w = [2, -3]; x = [-1, -2]; b = -3; p = sigmoid(w @ x + b)"
SOFTMAX = ("W = [[0.2, -0.5], [1.5, 1.3], [0.0, 0.25]]; x = [0.6, -1.1]; s = W @ x;"
           " L = cross_entropy(s, 2)")
#: A 10×20 matrix: past any limit of the pictures.
BIG = ("W = [" + ", ".join("[" + ", ".join(str((i + j) % 5 - 2) for j in range(20)) + "]"
                          for i in range(10)) + "]; x = [" + ", ".join("1" for _ in range(20))
       + "]; q = W @ x; f = sum(q**2)")

GREEN, RED, BLUE = "#1a7f37", "#cf222e", "#0550ae"


def _node(svg: bytes, node: str) -> ET.Element:
    for group in ET.fromstring(svg).iter(f"{SVG}g"):
        if group.get("id") == f"gbp_{node}":
            return group
    raise AssertionError(f"no node {node}")


def _texts(svg: bytes, node: str, color: str | None = None) -> list[str]:
    """The texts of one node that are not blank (of one colour, if given)."""
    return [t.text for t in _node(svg, node).iter(f"{SVG}text")
            if t.text and t.text.strip() and (color is None or t.get("fill") == color)]


def _brackets(svg: bytes, node: str, color: str) -> int:
    return sum(1 for p in _node(svg, node).iter(f"{SVG}polyline") if p.get("stroke") == color)


# ---- the same geometry in every frame ------------------------------------------------------

@pytest.mark.parametrize("source", [VECTORIZED, BATCH, NEURON, SOFTMAX, BIG],
                         ids=["vectorized", "batch", "neuron", "softmax", "big"])
@pytest.mark.parametrize("options", [{}, {"jacobian": True}, {"fit": "slide"}],
                         ids=["plain", "jacobian", "slide"])
def test_every_frame_keeps_every_node_in_place(source, options):
    t = trace(source)
    frames = t.render("svg", **options)
    assert len(frames) == len(t.frames)
    first = geometry(frames[0])
    for svg in frames[1:]:
        assert geometry(svg) == first


def test_each_frame_laid_out_on_its_own_puts_every_node_in_the_same_place():
    """Every state of a label has one size: a frame's own DOT lays out as every other's."""
    t = trace(BATCH)
    plan, lay = t._plan(Style(jacobian=True))
    first, *rest = [positions(t.evaluation, lay, step) for step in (plan[0], plan[1], plan[-3],
                                                                      plan[-1])]
    for placed in rest:
        assert placed.sizes == first.sizes and placed.nodes == first.nodes


# ---- matrices on the wires -----------------------------------------------------------------

def test_the_final_frame_draws_value_and_gradient_as_bracketed_matrices():
    svg = trace(VECTORIZED).render("svg", frames=[-1])[0]
    assert _texts(svg, "v_n0", GREEN) == ["0.100", "0.500", "-0.300", "0.800"]
    assert _texts(svg, "v_n0", RED) == ["0.0880", "0.176", "0.104", "0.208"]
    assert _brackets(svg, "v_n0", GREEN) == 2 and _brackets(svg, "v_n0", RED) == 2
    assert _texts(svg, "v_n2", GREEN) == ["0.220", "0.260"]
    assert _texts(svg, "v_n2", RED) == ["0.440", "0.520"]


def test_a_vector_is_a_column():
    svg = trace(VECTORIZED).render("svg", frames=[-1])[0]
    entries = [t for t in _node(svg, "v_n1").iter(f"{SVG}text") if t.get("fill") == GREEN]
    xs = {round(float(t.get("x"))) for t in entries}
    ys = [float(t.get("y")) for t in entries]
    assert [t.text for t in entries] == ["0.200", "0.400"]
    assert len(xs) == 1 and ys[0] < ys[1]


def test_the_value_is_above_the_rule_and_the_gradient_below():
    svg = trace(VECTORIZED).render("svg", frames=[-1])[0]
    group = _node(svg, "v_n0")
    rule = next(p for p in group.iter(f"{SVG}polygon") if p.get("fill") == "#000000")
    rule_y = float(rule.get("points").split()[0].split(",")[1])
    for color, above in ((GREEN, True), (RED, False)):
        for text in group.iter(f"{SVG}text"):
            if text.get("fill") == color:
                assert (float(text.get("y")) < rule_y) is above


def test_the_shape_stands_beside_the_name():
    svg = trace(VECTORIZED).render("svg", frames=[0])[0]
    assert _texts(svg, "n0") == ["W", "\xa02×2"]
    assert _texts(svg, "n1") == ["x", "\xa02"]
    assert _texts(svg, "v_n2") == ["q", "\xa02"]
    assert "f" in _texts(svg, "out")


def test_a_hidden_matrix_leaves_neither_numbers_nor_brackets():
    svg = trace(VECTORIZED).render("svg", frames=[1])[0]  # the inputs
    assert _texts(svg, "v_n0", GREEN) == ["0.100", "0.500", "-0.300", "0.800"]
    assert _brackets(svg, "v_n0", RED) == 0
    assert _texts(svg, "v_n2", GREEN) == [] and _brackets(svg, "v_n2", GREEN) == 0


def test_past_the_limit_a_wire_shows_its_shape_only():
    svg = trace(BIG).render("svg", frames=[-1])[0]
    assert _texts(svg, "v_n0", GREEN) == ["10×20"] and _texts(svg, "v_n0", RED) == ["10×20"]
    assert _texts(svg, "v_n1", GREEN) == ["20 entries"]  # not "[20]", a vector holding 20
    assert _texts(svg, "n0") == ["W", "\xa010×20"]


def test_the_limit_is_a_style():
    t = trace(VECTORIZED)
    svg = t.render("svg", frames=[-1], matrix_limit=1)[0]
    assert _texts(svg, "v_n0", GREEN) == ["2×2"] and _texts(svg, "v_n1", GREEN) == ["2 entries"]
    assert _texts(t.render("svg", frames=[-1], matrix_limit=2)[0], "v_n0", GREEN)[0] == "0.100"


def test_decimals_and_themes_reach_the_entries():
    t = trace(VECTORIZED)
    assert _texts(t.render("svg", frames=[-1], decimals=2)[0], "v_n0", GREEN) == [
        "0.10", "0.50", "-0.30", "0.80"]
    dark = t.render("svg", frames=[-1], theme="dark")[0]
    assert _texts(dark, "v_n0", "#7ee787")[:1] == ["0.100"]
    assert _brackets(dark, "v_n0", "#ff7b72") == 2


def test_scalar_wires_of_an_array_circuit_are_plain_numbers():
    svg = trace(NEURON).render("svg", frames=[-1])[0]
    assert _texts(svg, "v_n2", GREEN) == ["-3.00"] and _brackets(svg, "v_n2", GREEN) == 0
    assert _texts(svg, "v_n3") == ["a₁", "4.00", "0.197"]
    at_sigmoid = trace(NEURON).render("svg", frames=[-4])[0]
    assert _texts(at_sigmoid, "v_n4", BLUE) == ["local 0.197"]  # as in a scalar circuit


# ---- captions -------------------------------------------------------------------------------

def _captions(source: str) -> list[str]:
    return [s.caption for s in steps(trace(source).evaluation)]


def test_captions_of_the_vectorized_example():
    assert _captions(VECTORIZED) == [
        "The circuit: W = [[0.1, 0.5], [-0.3, 0.8]]; x = [0.2, 0.4]; q = W @ x; f = sum(q**2)",
        "Inputs: W = [[0.100, 0.500], [-0.300, 0.800]]; x = [0.200, 0.400]",
        "Forward through @: q = W @ x = [0.220, 0.260]",
        "Forward through u²: a₁ = q² = [0.0484, 0.0676]",
        "Forward through sum: f = sum(a₁) = 0.116",
        "Backward starts at the output: ∂f/∂f = 1.00",
        "Backward through sum: ∂f/∂a₁ = 1 copied to every entry = [1.00, 1.00]",
        "Backward through u²: ∂f/∂q = ∂f/∂a₁ ⊙ 2q = [1.00, 1.00] ⊙ [0.440, 0.520]"
        " = [0.440, 0.520]",
        "Backward through @: ∂f/∂W = ∂f/∂q · xᵀ = [[0.0880, 0.176], [0.104, 0.208]];"
        " ∂f/∂x = Wᵀ · ∂f/∂q = [-0.112, 0.636]",
        "Done: f = 0.116; ∂f/∂W = [[0.0880, 0.176], [0.104, 0.208]]; ∂f/∂x = [-0.112, 0.636]",
    ]


def test_a_broadcast_bias_sums_its_gradient_over_the_rows():
    captions = _captions(BATCH)
    assert captions[9] == ("Backward through +: ∂f/∂a₁ = ∂f/∂a₂ = [[1.00, 0], [1.00, 1.00]];"
                           " ∂f/∂b = ∂f/∂a₂ summed over the rows = [2.00, 1.00]")
    assert captions[10] == (
        "Backward through @: ∂f/∂X = ∂f/∂a₁ · Wᵀ = [[0.500, 1.00, -0.500], [-0.500, 1.50, 1.50]];"
        " ∂f/∂W = Xᵀ · ∂f/∂a₁ = [[2.00, 1.00], [3.00, 1.00], [2.00, 3.00]]")


def test_entrywise_gates_multiply_entry_by_entry():
    captions = _captions("z = [0.5, -1]; s = sigmoid(z); f = mean(s)")
    assert captions[-3] == "Backward through mean: ∂f/∂s = 1 / 2 to every entry = [0.500, 0.500]"
    # the rounded factors do not give the rounded product exactly: ≈
    assert captions[-2] == ("Backward through σ: ∂f/∂z = ∂f/∂s ⊙ σ(z)(1 − σ(z))"
                            " = [0.500, 0.500] ⊙ [0.235, 0.197] ≈ [0.118, 0.0983]")


def test_the_vector_neuron_and_a_loss():
    neuron = _captions(NEURON)
    assert neuron[-2] == ("Backward through @: ∂p/∂w = ∂p/∂a₁ · x = [-0.197, -0.393];"
                          " ∂p/∂x = ∂p/∂a₁ · w = [0.393, -0.590]")
    assert neuron[-1] == ("Done: p = 0.731; ∂p/∂w = [-0.197, -0.393]; ∂p/∂x = [0.393, -0.590];"
                          " ∂p/∂b = 0.197")
    loss = _captions(SOFTMAX)
    assert loss[5] == "Backward through CE k=2: ∂L/∂s = p − onehot(k) = [0.592, 0.178, -0.770]"


def test_an_index_and_the_classes_are_written_into_the_formula():
    captions = _captions("w = [1, -2, 3]; f = w[1] * w[2]")
    assert captions[2] == "Forward through [1]: a₁ = w[1] = -2.00"
    assert captions[-2] == ("Backward through [1]: ∂f/∂w += ∂f/∂a₁ at [1], 0 elsewhere"
                            " = [0, 3.00, 0]; branches add: ∂f/∂w = [0, 3.00, 0] + [0, 0, -2.00]"
                            " = [0, 3.00, -2.00]")
    assert _captions(SOFTMAX)[3] == "Forward through CE k=2: L = cross_entropy(s, 2) = 1.47"
    batch = _captions("S = [[1, 2, 0], [0, 1, 3]]; L = cross_entropy(S, [2, 0])")
    assert batch[2] == "Forward through CE: L = cross_entropy(S, [2, 0]) = 2.79"


def test_branches_of_a_vector_add_up():
    captions = _captions("x = [1, 2]; y = x * x + x; f = sum(y)")
    assert captions[-2].endswith("branches add: ∂f/∂x = [1.00, 2.00] + [1.00, 2.00]"
                                 " + [1.00, 1.00] = [3.00, 5.00]")
    assert "∂f/∂x += ∂f/∂y = [1.00, 1.00]; x branches: more gradient to add" in captions[-3]


def test_large_arrays_are_named_by_their_size_in_captions():
    branches = _captions("x = [" + ", ".join(map(str, range(20))) + "]; f = sum(x * x)")
    assert branches[-2].endswith("branches add: ∂f/∂x is the sum of its 2 branches"
                                 " (a 20-vector)")
    captions = _captions(BIG)
    assert captions[0] == "The circuit: W = […]; x = […]; q = W @ x; f = sum(q**2)"
    assert captions[1] == "Inputs: W (a 10×20 matrix); x (a 20-vector)"
    assert captions[-2] == ("Backward through @: ∂f/∂W = ∂f/∂q · xᵀ (a 10×20 matrix);"
                            " ∂f/∂x = Wᵀ · ∂f/∂q (a 20-vector)")


def test_scalar_captions_are_as_before():
    assert _captions("x = -2; y = 5; z = -4; q = x + y; f = q * z")[6] == (
        "Backward through +: ∂f/∂x = ∂f/∂q · ∂q/∂x = -4.00 · 1 = -4.00;"
        " ∂f/∂y = ∂f/∂q · ∂q/∂y = -4.00 · 1 = -4.00")


# ---- worksheets ----------------------------------------------------------------------------

def test_a_worksheet_blanks_whole_matrices_and_keeps_their_brackets():
    t = trace(BATCH)
    sheet = t.exercise().render("svg")
    assert _texts(sheet, "v_n0", GREEN) == ["1.00", "2.00", "-1.00", "1.00", "1.00", "3.00"]
    assert _texts(sheet, "v_n0", RED) == [] and _brackets(sheet, "v_n0", RED) == 2
    both = t.exercise("both").render("svg")
    assert _texts(both, "v_n3", GREEN) == [] and _brackets(both, "v_n3", GREEN) == 2
    assert _texts(both, "v_n2", GREEN) == ["0.100", "-0.200"]  # the data of the exercise
    assert geometry(sheet) == geometry(t.render("svg", frames=[-1])[0])


# ---- the local Jacobian --------------------------------------------------------------------

def test_the_jacobian_shows_under_the_input_wires_of_the_current_gate():
    t = trace(VECTORIZED)
    frames = t.render("svg", jacobian=True)
    at_matmul, at_square = frames[-2], frames[-3]
    assert _texts(at_matmul, "v_n0", BLUE) == ["∂q/∂W", "0.200", "0.400", "0", "0",
                                               "0", "0", "0.200", "0.400"]
    assert _texts(at_matmul, "v_n1", BLUE) == ["∂q/∂x", "0.100", "0.500", "-0.300", "0.800"]
    assert _brackets(at_matmul, "v_n0", BLUE) == 2
    assert _texts(at_square, "v_n2", BLUE) == ["∂a₁/∂q = diag(2q)", "0.440", "0", "0", "0.520"]
    assert _texts(at_square, "v_n0", BLUE) == []  # only at the current gate
    assert all(_texts(svg, "v_n0", BLUE) == [] for svg in t.render("svg"))  # not asked


def test_a_jacobian_over_the_limit_is_written_as_the_rule():
    svg = trace(BATCH).render("svg", frames=[-2], jacobian=True)[0]
    assert _texts(svg, "v_n0", BLUE) == ["∂f/∂a₁ · Wᵀ"]  # 4×6
    small = trace(BATCH).render("svg", frames=[-3], jacobian=True)[0]
    assert _texts(small, "v_n2", BLUE)[0] == "∂a₂/∂b"  # the bias: 4×2, summed over rows


def test_the_jacobian_option_leaves_scalar_circuits_alone():
    t = trace("cs231n-simple")
    assert t.render("dot", jacobian=True, matrix_limit=2) == t.render("dot")


# ---- the rest of the formats and gbp check --render ---------------------------------------

def test_every_format_draws_an_array_circuit(tmp_path):
    t = trace(VECTORIZED)
    assert t.save_gif(tmp_path / "v.gif").stat().st_size > 0
    assert t.save_pdf(tmp_path / "v.pdf").read_bytes().startswith(b"%PDF-")
    html = t.save_html(tmp_path / "v.html", jacobian=True).read_text(encoding="utf-8")
    assert "0.0880" in html and "∂q/∂W" in html
    png = t.render("png", frames=[-1], fit="slide")[0]
    assert png.startswith(b"\x89PNG")
    dot = t.render("dot", frames=[-1])[0].decode()
    assert 'SIDES="LTB"' in dot and 'PORT="r"' in dot
    assert len(t.render("svg", phase="backward")) == 5


def test_check_marks_a_gradient_matrix():
    t = trace(VECTORIZED)
    svg = picture(t.evaluation, t.frames[-1].step, "svg", {"n0": "wrong"}, title="hw.py")
    fills = {p.get("fill") for p in _node(svg, "v_n0").iter(f"{SVG}polygon")}
    assert "#ffb8b8" in fills


# ---- the options of gbp render -------------------------------------------------------------

def test_render_options(runner, tmp_path):
    out = tmp_path / "v.svg"
    run(runner, "render", VECTORIZED, "--final", "--matrix-limit", "1", "-o", str(out))
    assert _texts(out.read_bytes(), "v_n0", GREEN) == ["2×2"]
    run(runner, "render", VECTORIZED, "--frame", "-2", "--jacobian", "-o", str(out))
    assert "∂q/∂W" in _texts(out.read_bytes(), "v_n0", BLUE)


@pytest.mark.parametrize("args", [["--matrix-limit", "0"], ["--matrix-limit", "13"],
                                  ["--matrix-limit", "two"]], ids=["0", "13", "two"])
def test_a_bad_limit_is_one_line(capsys, tmp_path, args):
    out = tmp_path / "v.gif"
    assert main(["render", VECTORIZED, *args, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("Error:") and "--matrix-limit" in err
    assert not out.exists()


def test_an_array_output_is_one_line(capsys, tmp_path):
    out = tmp_path / "v.gif"
    assert main(["render", "x = [1, 2]; y = x * 2", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "backpropagation starts from a scalar" in err
    assert not out.exists()


@pytest.mark.parametrize("bad", [0, 13, True, 2.0, "3"])
def test_style_refuses_a_bad_limit(bad):
    with pytest.raises(ValueError, match="matrix_limit"):
        Style(matrix_limit=bad)
    with pytest.raises(ValueError, match="jacobian"):
        Style(jacobian="yes")  # type: ignore[arg-type]
