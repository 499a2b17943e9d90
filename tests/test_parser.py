"""Source text -> the small syntax tree: what each accepted form becomes."""

from __future__ import annotations

import math

import pytest
import sympy

from graphviz_backprop.errors import ParseError
from graphviz_backprop.fromsympy import parse_sympy
from graphviz_backprop.graph import build
from graphviz_backprop.parser import parse
from graphviz_backprop.rawtext import MAX_DEPTH
from graphviz_backprop.syntax import BinOp, Call, Name, Neg, Num, Program, is_constant


def shape(e) -> str:
    """A syntax tree as compact text, ignoring positions: (* (+ x y) z)."""
    if isinstance(e, Num):
        return repr(e.value)
    if isinstance(e, Name):
        return e.id
    if isinstance(e, Neg):
        return f"(neg {shape(e.operand)})"
    if isinstance(e, BinOp):
        return f"({e.op} {shape(e.left)} {shape(e.right)})"
    if isinstance(e, Call):
        return f"({e.func} {' '.join(shape(a) for a in e.args)})"
    raise TypeError(type(e))


def program_shape(text: str) -> list[tuple[str | None, str]]:
    return [(s.target, shape(s.value)) for s in parse(text).statements]


EXPRESSIONS = [
    ("(x+y)*z", "(* (+ x y) z)"),
    ("a+b+c", "(+ (+ a b) c)"),
    ("a+(b+c)", "(+ a (+ b c))"),
    ("a*b+c*d", "(+ (* a b) (* c d))"),
    ("-(a+b)", "(neg (+ a b))"),
    ("+x", "x"),
    ("--x", "(neg (neg x))"),
    ("-x**2", "(neg (** x 2.0))"),
    ("x**y**z", "(** x (** y z))"),
    ("1/a", "(/ 1.0 a)"),
    ("2.5e-3*x", "(* 0.0025 x)"),
    ("exp(x)", "(exp x)"),
    ("math.exp(x)", "(exp x)"),
    ("np.exp(x)", "(exp x)"),
    ("numpy.tanh(x)", "(tanh x)"),
    ("torch.sigmoid(x)", "(sigmoid x)"),
    ("np.maximum(x, 0)", "(max x 0.0)"),
    ("math.fabs(x)", "(abs x)"),
    ("math.pi*x", f"(* {math.pi!r} x)"),
    ("np.e", f"{math.e!r}"),
    ("(z*z).relu()", "(relu (* z z))"),
    ("x.tanh()", "(tanh x)"),
    ("x.exp().log()", "(log (exp x))"),
    ("max(a, b, c)", "(max (max a b) c)"),
    ("min(a, b, c, d)", "(min (min (min a b) c) d)"),
    ("max(0, x)", "(max 0.0 x)"),
    ("1/(1+exp(-(w0*x0+w1*x1+w2)))",
     "(/ 1.0 (+ 1.0 (exp (neg (+ (+ (* w0 x0) (* w1 x1)) w2)))))"),
]


@pytest.mark.parametrize(("text", "expected"), EXPRESSIONS, ids=[e[0] for e in EXPRESSIONS])
def test_expression_shape(text, expected):
    (statement,) = parse(text).statements
    assert statement.target is None
    assert shape(statement.value) == expected


PROGRAMS = [
    pytest.param("x = -2; y = 5; z = -4\nq = x + y\nf = q * z",
                 [("x", "(neg 2.0)"), ("y", "5.0"), ("z", "(neg 4.0)"), ("q", "(+ x y)"),
                  ("f", "(* q z)")], id="cs231n-code"),
    pytest.param("a = Value(-4.0)\nb = Value(2.0)\nc = a + b",
                 [("a", "(neg 4.0)"), ("b", "2.0"), ("c", "(+ a b)")], id="micrograd-values"),
    pytest.param("c += c + 1", [("c", "(+ c (+ c 1.0))")], id="augmented-add"),
    pytest.param("c -= 1; c *= 2; c /= 3; c **= 4",
                 [("c", "(- c 1.0)"), ("c", "(* c 2.0)"), ("c", "(/ c 3.0)"), ("c", "(** c 4.0)")],
                 id="augmented-all"),
    pytest.param("# the neuron\nq = w*x  # a product\n\nf = sigmoid(q)\n",
                 [("q", "(* w x)"), ("f", "(sigmoid q)")], id="comments-and-blank-lines"),
    pytest.param("q = x + y\nq * z", [("q", "(+ x y)"), (None, "(* q z)")], id="bare-last-line"),
]


@pytest.mark.parametrize(("text", "expected"), PROGRAMS)
def test_program_shape(text, expected):
    assert program_shape(text) == expected


def test_positions_are_one_based_line_and_column():
    prog = parse("q = x + y\nf = q * z")
    f = prog.statements[1]
    assert (f.line, f.col) == (2, 1)
    assert isinstance(f.value, BinOp)
    assert (f.value.right.line, f.value.right.col) == (2, 9)


def test_program_keeps_the_text():
    text = "q = x + y; f = q * z"
    assert parse(text) == Program(parse(text).statements, text)


@pytest.mark.parametrize(("text", "constant"), [
    ("2*3+1", True), ("exp(2) - math.pi", True), ("-4.0", True), ("x + 1", False),
    ("max(0, y)", False),
])
def test_is_constant(text, constant):
    assert is_constant(parse(text).statements[0].value) is constant


@pytest.mark.parametrize(("text", "phrase"), [
    ("x.relu(1)", "takes no arguments"),
    ("x.max()", "method call '.max()' is not allowed"),
    ("Value(x)", "Value(...) takes one number"),
    ("a = b = 1", "chained assignment"),
    ("x + 1\ny = 2", "only the last line may be a bare expression"),
    ("exp = 1", "reserved"),
    ("exp + 1", "'exp' is a function"),
    ("x = 1; x = 2", "already an input"),
    ("(" * (MAX_DEPTH + 5) + "x" + ")" * (MAX_DEPTH + 5), "too many nested parentheses"),
])
def test_parse_errors_name_the_problem(text, phrase):
    with pytest.raises(ParseError) as info:
        build(parse(text))
    assert phrase in str(info.value)


def test_parse_error_has_line_and_column():
    with pytest.raises(ParseError) as info:
        parse("q = x + y\nf = q % z")
    assert (info.value.line, info.value.col) == (2, 5)
    assert str(info.value).endswith("(line 2, column 5)")


# ---- sympy expressions (the Python API) -----------------------------------------------------------

x, y, z = sympy.symbols("x y z")

SYMPY = [
    pytest.param(x * y, "(* x y)", id="product"),
    pytest.param(x - y, "(- x y)", id="difference"),
    pytest.param(-x, "(neg x)", id="negation"),
    pytest.param(1 / x, "(/ 1.0 x)", id="reciprocal"),
    pytest.param(sympy.sqrt(x), "(sqrt x)", id="sqrt"),
    pytest.param(x**3, "(** x 3.0)", id="power"),
    pytest.param(sympy.exp(x) * y, "(* y (exp x))", id="sympy-order"),
    pytest.param(sympy.Max(x, y, z), "(max (max x y) z)", id="max-three"),
    pytest.param(sympy.Abs(x), "(abs x)", id="abs"),
]


@pytest.mark.parametrize(("expr", "expected"), SYMPY)
def test_sympy_expression_shape(expr, expected):
    (statement,) = parse_sympy(expr).statements
    assert shape(statement.value) == expected
