"""The gate graph mirrors the source as written: gates, wires, node ids, inputs, names."""

from __future__ import annotations

import networkx as nx
import pytest
import sympy

import graphviz_backprop as gb
from graphviz_backprop.errors import LimitError, ParseError
from graphviz_backprop.graph import MAX_NODES, build
from graphviz_backprop.parser import parse


def circuit(text: str, expand: bool = False) -> gb.Circuit:
    return build(parse(text), expand=expand)


def labels(text: str, expand: bool = False) -> list[str]:
    c = circuit(text, expand)
    return [c.label(n) for n in c.gates]


def wiring(c: gb.Circuit) -> list[str]:
    """Each node as 'id:label(operand ids)', in order."""
    return [f"{n}:{c.label(n)}({','.join(c.operands[n])})" for n in c.order]


GATE_LABELS = [
    ("(x+y)*z", ["+", "*"]),
    ("a+b+c", ["+", "+"]),
    ("a+(b+c)", ["+", "+"]),
    ("-(a+b)", ["+", "*-1"]),
    ("-x", ["*-1"]),
    ("x*-1", ["*-1"]),
    ("1/a", ["1/x"]),
    ("2/a", ["2/x"]),
    ("x/2", ["/2"]),
    ("x*2", ["*2"]),
    ("2*x", ["*2"]),
    ("1+x", ["+1"]),
    ("x+1", ["+1"]),
    ("x-1", ["-1"]),
    ("x+-1", ["-1"]),
    ("x - -2", ["+2"]),
    ("3-x", ["3−u"]),
    ("x**2", ["u²"]),
    ("x**0.5", ["u^0.5"]),
    ("2**x", ["2^u"]),
    ("x**y", ["^"]),
    ("x*(2+3)", ["*5"]),
    ("x*2*3", ["*2", "*3"]),  # as Python groups it: (x*2)*3
    ("(2*3)*x", ["*6"]),
    ("x + 2**-1", ["+0.5"]),
    ("max(0, x)", ["max(0,u)"]),
    ("max(x, 0)", ["max(u,0)"]),
    ("min(1, x)", ["min(1,u)"]),
    ("min(x, 1)", ["min(u,1)"]),
    ("max(x, y)", ["max"]),
    ("x*x", ["*"]),
    ("x - x", ["−"]),
    ("sigmoid(x)", ["σ"]),
    ("leaky_relu(x)", ["leaky relu"]),
    ("relu(x) + abs(x)", ["relu", "abs", "+"]),
    ("1/(1+exp(-(w0*x0+w1*x1+w2)))", ["*", "*", "+", "+", "*-1", "exp", "+1", "1/x"]),
    ("a**2 + 1/a", ["x²", "1/x", "+"]),  # x where the circuit has no x
]


@pytest.mark.parametrize(("text", "expected"), GATE_LABELS, ids=[g[0] for g in GATE_LABELS])
def test_gate_labels_as_written(text, expected):
    assert labels(text) == expected


EXPANDED = [
    ("sigmoid(a)", ["*-1", "exp", "+1", "1/x"]),
    ("tanh(a)", ["*2", "exp", "-1", "+1", "/"]),
    ("softplus(a)", ["exp", "+1", "log"]),
    ("leaky_relu(a)", ["*0.01", "max"]),
    ("elu(a)", ["max(x,0)", "exp", "-1", "min(x,0)", "+"]),
    ("sigmoid(w0*x0+w1*x1+w2)", ["*", "*", "+", "+", "*-1", "exp", "+1", "1/x"]),
    ("exp(a) + relu(a)", ["exp", "relu", "+"]),  # primitive gates stay as they are
]


@pytest.mark.parametrize(("text", "expected"), EXPANDED, ids=[e[0] for e in EXPANDED])
def test_expand_lowers_composite_gates(text, expected):
    assert labels(text, expand=True) == expected
    assert circuit(text, expand=True).expanded


def test_node_ids_in_evaluation_order():
    c = circuit("(x+y)*z")
    assert wiring(c) == ["n0:x()", "n1:y()", "n2:+(n0,n1)", "n3:z()", "n4:*(n2,n3)"]
    assert c.output == "n4"


def test_node_ids_operands_before_operation_left_to_right():
    c = circuit("1/(1+exp(-(w0*x0+w1*x1+w2)))")
    assert wiring(c) == [
        "n0:w0()", "n1:x0()", "n2:*(n0,n1)", "n3:w1()", "n4:x1()", "n5:*(n3,n4)",
        "n6:+(n2,n5)", "n7:w2()", "n8:+(n6,n7)", "n9:*-1(n8)", "n10:exp(n9)",
        "n11:+1(n10)", "n12:1/x(n11)"]
    assert next(iter(nx.topological_sort(c.graph))) == "n0"
    assert all(int(u[1:]) < int(v[1:]) for u, v in c.graph.edges())


def test_grouping_is_kept():
    assert wiring(circuit("a+b+c")) == [
        "n0:a()", "n1:b()", "n2:+(n0,n1)", "n3:c()", "n4:+(n2,n3)"]
    assert wiring(circuit("a+(b+c)")) == [
        "n0:a()", "n1:b()", "n2:c()", "n3:+(n1,n2)", "n4:+(n0,n3)"]


@pytest.mark.parametrize(("text", "inputs"), [
    ("(x+y)*z", ["x", "y", "z"]),
    ("z*(y+x)", ["z", "y", "x"]),
    ("b*a + a*c + b", ["b", "a", "c"]),
    ("q = w*x\nf = q + b*w", ["w", "x", "b"]),
])
def test_inputs_in_order_of_first_appearance(text, inputs):
    assert list(circuit(text).inputs) == inputs


def test_a_name_used_in_several_places_is_one_node():
    c = circuit("x*y + x + sin(x)")
    assert [n for n in c.order if c.graph.nodes[n]["kind"] == "input"] == ["n0", "n1"]
    assert c.graph.out_degree("n0") == 3
    t = gb.trace("x*y + x + sin(x)", x=0.5, y=2.0)
    assert t.gradients["x"] == pytest.approx(2.0 + 1.0 + 0.8775825618903728, rel=1e-12)


LN3 = 1.0986122886681098


@pytest.mark.parametrize(("text", "local", "grad"), [
    pytest.param("x*x", (3.0, 3.0), 6.0, id="x*x"),
    pytest.param("x - x", (1.0, -1.0), 0.0, id="x-x"),
    pytest.param("x / x", (1 / 3, -1 / 3), 0.0, id="x/x"),
    pytest.param("x ** x", (3.0 * 3.0**2, 27.0 * LN3), 27.0 + 27.0 * LN3, id="x**x"),
])
def test_a_gate_using_one_node_twice_has_two_wires(text, local, grad):
    c = circuit(text)
    assert isinstance(c.graph, nx.MultiDiGraph)
    x, gate = c.order
    assert c.graph.number_of_edges(x, gate) == 2
    assert sorted(d["port"] for _, _, d in c.graph.in_edges(gate, data=True)) == [0, 1]
    assert c.operands[gate] == (x, x)
    t = gb.trace(text, x=3.0)
    assert t.evaluation.local[gate] == pytest.approx(local, rel=1e-12)
    assert t.gradients["x"] == pytest.approx(grad, rel=1e-12)  # the sum over both wires


def test_rebinding_makes_new_nodes():
    c = circuit("c = x + 1\nc = c + c + 1")
    assert wiring(c) == ["n0:x()", "n1:+1(n0)", "n2:+(n1,n1)", "n3:+1(n2)"]
    assert [c.name(n) for n in c.order] == ["x", "c", None, "c"]
    assert c.output == "n3" and c.output_name == "c"


def test_augmented_assignment_makes_new_nodes():
    c = circuit("c = x * 2\nc += 1 + c")
    assert wiring(c) == ["n0:x()", "n1:*2(n0)", "n2:+1(n1)", "n3:+(n1,n2)"]
    assert [c.name(n) for n in c.order] == ["x", "c", None, "c"]
    t = gb.trace("c = x * 2\nc += 1 + c", x=1.5)
    assert t.value == 7.0  # 3 + (1 + 3)
    assert t.gradients == {"x": 4.0}


def test_assignment_names_the_gate_it_binds():
    c = circuit("x = -2; y = 5; z = -4\nq = x + y\nf = q * z")
    assert [(n, c.name(n), c.label(n)) for n in c.order] == [
        ("n0", "x", "x"), ("n1", "y", "y"), ("n2", "z", "z"), ("n3", "q", "+"), ("n4", "f", "*")]
    assert c.given == {"x": -2.0, "y": 5.0, "z": -4.0}


def test_alias_keeps_the_first_name():
    c = circuit("q = x + y\nr = q\nf = r * 2")
    assert [c.name(n) for n in c.gates] == ["q", "f"]


def test_unnamed_output_is_f_or_out():
    assert circuit("x*y").output_name == "f"
    assert circuit("f*y").output_name == "out"


def test_constant_only_source_is_one_constant_node():
    c = circuit("2*3 + 1")
    assert [c.graph.nodes[n]["kind"] for n in c.order] == ["const"]
    assert c.label(c.output) == "7"


def test_constant_folding_refuses_overflow():
    with pytest.raises(ParseError, match="overflows float64"):
        circuit("x * 10.0**400")
    with pytest.raises(ParseError, match="overflows float64"):
        circuit("x * exp(1000)")
    with pytest.raises(ParseError, match="division by zero"):
        circuit("x * (1/0)")
    with pytest.raises(ParseError, match="log of a non-positive number"):
        circuit("x + log(-1)")


def test_node_limit(monkeypatch):
    import graphviz_backprop.graph as graph_module
    monkeypatch.setattr(graph_module, "MAX_NODES", 10)
    with pytest.raises(LimitError, match="more than 10 nodes"):
        circuit("\n".join(f"x{i} = x{i - 1} * 2" if i else "x0 = y + 1" for i in range(20)))
    assert MAX_NODES == 50_000


def test_the_cs231n_notes_code_as_published():
    t = gb.trace("x = -2; y = 5; z = -4\nq = x + y\nf = q * z")
    c = t.circuit
    q, f = c.gates
    assert (c.name(q), c.name(f)) == ("q", "f")
    assert t.evaluation.values[q] == 3.0 and t.value == -12.0
    assert t.gradients == {"x": -4.0, "y": -4.0, "z": 3.0}


def test_sympy_expression_through_trace():
    x, y, z = sympy.symbols("x y z")
    t = gb.trace((x + y) * z, x=-2, y=5, z=-4)
    assert t.value == -12.0
    assert t.gradients == {"x": -4.0, "y": -4.0, "z": 3.0}
    # the gates follow sympy's own argument order
    assert [t.circuit.label(n) for n in t.circuit.gates] == ["+", "*"]
    t = gb.trace(sympy.exp(-x) / (1 + y**2), x=0.5, y=2)
    assert t.value == pytest.approx(0.6065306597126334 / 5, rel=1e-12)
    assert t.gradients["y"] == pytest.approx(-0.6065306597126334 * 4 / 25, rel=1e-12)
