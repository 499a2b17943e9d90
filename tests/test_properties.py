"""Property-based tests (hypothesis): gradients, the front end's errors, stable layouts.

The default example counts are small enough for CI; set GBP_HYPOTHESIS_EXAMPLES=2000 (for
instance) for a longer run.
"""

from __future__ import annotations

import math
import os
import random

import pytest
import sympy

hypothesis = pytest.importorskip("hypothesis")
import contextlib  # noqa: E402

from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from support import graphviz_mark  # noqa: E402

from graphviz_backprop import GbpError, build, evaluate, parse, trace  # noqa: E402
from graphviz_backprop.gates import sigmoid  # noqa: E402
from graphviz_backprop.symbolic import symbolic_values  # noqa: E402

EXAMPLES = int(os.environ.get("GBP_HYPOTHESIS_EXAMPLES", "60"))
PROFILE = settings(max_examples=EXAMPLES, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

NAMES = ["a", "b", "c"]
UNARY = ["exp", "tanh", "sigmoid", "sin", "cos", "softplus", "elu", "leaky_relu", "relu", "abs"]
# functions with a restricted domain, wrapped so their argument stays inside it
GUARDED = ["log(1 + ({})**2)", "sqrt(2 + ({})**2)", "1/(1 + ({})**2)"]


def _leaf():
    return st.one_of(
        st.sampled_from(NAMES),
        st.integers(1, 5).map(str),
        st.sampled_from(["0.5", "2.5", "0.1"]),
    )


def _expr(children):
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*"]), children)
        .map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(UNARY), children).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(GUARDED), children).map(lambda t: t[0].format(t[1])),
        st.tuples(st.sampled_from(["max", "min"]), children, children)
        .map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        st.tuples(children, st.sampled_from(["2", "3"])).map(lambda t: f"({t[0]})**{t[1]}"),
        children.map(lambda e: f"-({e})"),
    )


EXPRESSIONS = st.recursive(_leaf(), _expr, max_leaves=8).filter(
    lambda text: any(n in text for n in NAMES))
POINTS = st.fixed_dictionaries(
    {n: st.floats(-2.0, 2.0, allow_nan=False).filter(lambda v: abs(v) > 1e-3) for n in NAMES})

KINKED = {"relu", "abs", "leaky_relu", "max", "min", "max_c", "cmax", "min_c", "cmin"}


def _near_kink(ev, margin=1e-4) -> bool:
    c = ev.circuit
    for node in c.gates:
        key = c.graph.nodes[node]["gate"]
        if key not in KINKED:
            continue
        xs = [ev.values[a] for a in c.operands[node]]
        const = c.graph.nodes[node]["c"]
        other = xs[1] if len(xs) == 2 else (const if const is not None else 0.0)
        if abs(xs[0] - other) < margin:
            return True
    return False


@PROFILE
@given(EXPRESSIONS, POINTS)
def test_gradients_match_finite_differences_and_sympy(text, point):
    circuit = build(parse(text))
    at = {n: point[n] for n in circuit.inputs}
    try:
        ev = evaluate(circuit, at)
    except GbpError:
        assume(False)
    assume(all(abs(v) < 1e6 for v in ev.values.values()))
    assume(not _near_kink(ev))

    h = 1e-6
    for name, _node in circuit.inputs.items():
        up = dict(at, **{name: at[name] + h})
        down = dict(at, **{name: at[name] - h})
        fd = (evaluate(circuit, up).output - evaluate(circuit, down).output) / (2 * h)
        assert ev.gradients[name] == pytest.approx(fd, rel=1e-4, abs=1e-5), (text, name)

    # our sigmoid written out, so that its own derivative rule is not what is tested
    formula = symbolic_values(circuit)[circuit.output].replace(
        sigmoid, lambda x: 1 / (1 + sympy.exp(-x)))
    symbols = {sympy.Symbol(n, real=True): v for n, v in at.items()}
    for name in circuit.inputs:
        derivative = sympy.diff(formula, sympy.Symbol(name, real=True))
        exact = float(derivative.subs(symbols).evalf(30))
        assert ev.gradients[name] == pytest.approx(exact, rel=1e-9, abs=1e-9), (text, name)


@PROFILE
@given(EXPRESSIONS, POINTS)
def test_expanded_composite_gates_give_the_same_gradients(text, point):
    plain, expanded = build(parse(text)), build(parse(text), expand=True)
    at = {n: point[n] for n in plain.inputs}
    try:
        a, b = evaluate(plain, at), evaluate(expanded, at)
    except GbpError:
        assume(False)
    assume(not _near_kink(a) and not _near_kink(b))
    assert b.output == pytest.approx(a.output, rel=1e-9, abs=1e-12)
    for name in plain.inputs:
        assert b.gradients[name] == pytest.approx(a.gradients[name], rel=1e-7, abs=1e-9)


def _mutate(text: str, rng: random.Random) -> str:
    pieces = list(text)
    alphabet = "()+-*/^,.=;#:[]{}'\"\\_ x1eE\n\t@%!~<>`$" + "é\u200b\u2212\0"
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(3)
        pos = rng.randrange(len(pieces) + 1)
        if op == 0:
            pieces.insert(pos, rng.choice(alphabet))
        elif op == 1 and pieces:
            del pieces[min(pos, len(pieces) - 1)]
        elif pieces:
            pieces[min(pos, len(pieces) - 1)] = rng.choice(alphabet)
    return "".join(pieces)


def _front_end(text: str) -> None:
    try:
        t = trace(text, a=0.3, b=-1.2, c=2.0) if text.strip() else trace(text)
    except GbpError:
        return
    assert math.isfinite(t.value)


@PROFILE
@given(st.text(max_size=60))
def test_front_end_raises_only_its_own_errors_on_random_text(text):
    _front_end(text)


@PROFILE
@given(EXPRESSIONS, st.integers(0, 2**32 - 1))
def test_front_end_raises_only_its_own_errors_on_mutated_expressions(text, seed):
    _front_end(_mutate(text, random.Random(seed)))


@graphviz_mark()
@settings(max_examples=max(3, EXAMPLES // 10), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(EXPRESSIONS, POINTS)
def test_rendering_any_expression_keeps_a_stable_layout(text, point):
    from support import geometry

    circuit = build(parse(text))
    try:
        t = trace(text, **{n: point[n] for n in circuit.inputs})
    except GbpError:
        assume(False)
    frames = t.render("svg")
    first = geometry(frames[0])
    assert all(geometry(svg) == first for svg in frames[1:])


# ---- the TOML front door and symbolic mode: any input is read, or refused as input ----------

TOML_KEYS = st.one_of(
    st.sampled_from(["name", "title", "description", "source", "expression", "program",
                     "expand", "at", "claims", "x", "y"]),
    st.lists(st.sampled_from(["a", "b", '"q"', "1"]), min_size=2, max_size=40).map(".".join),
)
TOML_VALUES = st.recursive(
    st.one_of(
        st.integers(-10**30, 10**30).map(str), st.sampled_from(["9" * 400, "1e400", "nan",
                                                                 "inf", "0.5", "true"]),
        st.text(max_size=12).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', "'")
                                 .encode("unicode_escape").decode("ascii") + '"'),
        st.sampled_from(['"x*y"', '"elu(elu(elu(elu(x))))"', '"1/(x-x)"', '"x = 1\\nf = x"']),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=3).map(lambda v: "[" + ", ".join(v) + "]"),
                            st.lists(st.tuples(st.sampled_from(["a", "b"]), inner), max_size=2)
                            .map(lambda kv: "{" + ", ".join(f"{k} = {v}" for k, v in kv) + "}")),
    max_leaves=30)
TOML_DOCUMENTS = st.lists(st.one_of(
    st.tuples(TOML_KEYS, TOML_VALUES).map(lambda kv: f"{kv[0]} = {kv[1]}"),
    st.sampled_from(["[at]", "[claims]", "[[at]]", "[a.b.c]", "x = 1", "y = 2", "# c", "["]),
    st.integers(1, 60).map(lambda n: "k = " + "[" * n + "]" * n),
), max_size=12).map("\n".join)


@PROFILE
@given(TOML_DOCUMENTS)
def test_any_expression_file_is_read_or_refused_as_input(text):
    import tempfile

    from graphviz_backprop.check import check_text
    from graphviz_backprop.tomlfile import load_expression_file

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "any.toml")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        for attempt in (lambda: trace(path), lambda: load_expression_file(path),
                        lambda: check_text(text, "toml")):
            with contextlib.suppress(GbpError):
                attempt()


LARGER_EXPRESSIONS = st.recursive(_leaf(), _expr, max_leaves=24)


@PROFILE
@given(LARGER_EXPRESSIONS)
def test_symbolic_mode_writes_finite_formulas_or_refuses(text):
    budget = os.environ.get("GBP_SYMBOLIC_SECONDS")
    os.environ["GBP_SYMBOLIC_SECONDS"] = "1"
    try:
        t = trace(text)
    except GbpError:
        return
    finally:
        if budget is None:
            os.environ.pop("GBP_SYMBOLIC_SECONDS")
        else:
            os.environ["GBP_SYMBOLIC_SECONDS"] = budget
    for value in (*t.evaluation.values.values(), *t.evaluation.grads.values()):
        if isinstance(value, sympy.Basic):  # a circuit of constants is simply numbers
            assert not value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo), text
