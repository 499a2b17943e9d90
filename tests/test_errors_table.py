"""Hostile and broken inputs: each is one line ``Error: ...``, exit code 2, and harmless.

One table; each row is checked through the command line (click's runner and ``main()``) and,
under an audit hook, through the library: parsing, building and evaluating must never open a
file, import a module, execute code or start a process.
"""

from __future__ import annotations

import ast
import contextlib
import sys

import pytest
import sympy

import graphviz_backprop as gb
from graphviz_backprop.cli import cli, main
from graphviz_backprop.errors import GbpError
from graphviz_backprop.source import parse_assignments

# symbolic rows load sympy, the package's own dependency: loaded before the hook watches
sympy.Basic  # noqa: B018

# (id, SOURCE, --at values, a phrase the message must contain)
ROWS = [
    # ---- code that would run something ----
    ("import-os-system", "__import__('os').system('ls')", [], "'.system()' is not allowed"),
    ("dunder-bases", "().__class__.__bases__", [], "attribute access"),
    ("dunder-class", "x.__class__", [], "attribute access 'x.__class__' is not allowed"),
    ("lambda", "lambda: 1", [], "lambda expressions are not allowed"),
    ("list", "[1,2]", [], "a list is a value: bind it to a name"),
    ("latex-int", r"\int_0^1 x\,dx", [], "\\int is not supported"),
    ("latex-unfinished", r"\frac{1}{", [], "the formula ends too early"),
    ("latex-deep", "\\sqrt" * 3000 + " x", ["x=1"], "nested more than 50 levels"),
    ("latex-dollar", r"$x$ + $y$", [], "'$' inside the formula"),
    ("ragged-rows", "W = [[1, 2], [3]]; f = sum(W)", [], "rows of different lengths"),
    ("three-dimensions", "W = [[[1]]]; f = sum(W)", [], "3 or more dimensions"),
    ("shapes", "a = [1, 2]; b = [1, 2, 3]; f = sum(a + b)", [], "shapes 2 and 3 cannot be added"),
    ("matmul-shapes", "W = [[1, 2, 3], [4, 5, 6]]; x = [1, 2]; f = sum(W @ x)", [],
     "W is 2×3 but x has 2 entries"),
    ("vector-output", "x = [1, 2]; f = x * 2", [], "backpropagation starts from a scalar"),
    ("outer-too-large", "a = [" + ", ".join(["1"] * 400) + "]; f = sum(np.outer(a, a))", [],
     "the limit is 100,000"),
    ("dict", "{1:2}", [], "dict literals are not allowed"),
    ("set", "{1}", [], "set literals are not allowed"),
    ("comprehension", "[x for x in y]", [], "comprehensions are not allowed"),
    ("conditional", "x if y else z", [], "conditional expressions are not allowed"),
    ("string", "'abc'", [], "strings are not allowed"),
    ("comparison", "x < y", [], "comparisons are not allowed"),
    ("import", "import os", [], "import statements are not allowed"),
    ("exec", "exec('1')", [], "unknown function 'exec'"),
    ("eval", "eval('1')", [], "unknown function 'eval'"),
    ("open", "open('f')", [], "unknown function 'open'"),
    ("walrus", "(x := 1)", [], "':=' is not allowed"),
    ("f-string", "f'{x}'", [], "f-strings are not allowed"),
    ("indexing", "x = [1, 2]; f = sum(x[0:1])", [], "slices are not allowed"),
    ("function-def", "def f(): pass", [], "function definitions are not allowed"),
    ("loop", "while 1: pass", [], "loops are not allowed"),
    ("bytes", "b'x' * 2", [], "only numbers"),
    ("complex", "1j * x", [], "complex numbers are not allowed"),
    # ---- too big or too deep ----
    ("power-tower", "9**9**9**9", [], "overflows float64"),
    ("nested-powers", "(((9**64)**64)**64)**64", [], "overflows float64"),
    ("factorial", "factorial(10**7)", [], "unknown function 'factorial'"),
    ("source-1MB", "x + " * 250_000 + "x", [], "the limit is 100,000"),
    ("300-parentheses", "(" * 300 + "x" + ")" * 300, [], "too many nested parentheses"),
    ("5000-unary-minus", "-" * 5000 + "x", [], "nested too deeply"),
    ("sum-200000-terms", "+".join(["x"] * 200_000), [], "the limit is 100,000"),
    ("sum-50000-terms", "+".join(["x"] * 50_000), [], "nested"),
    ("5000-digit-literal", "1" * 5000, [], "number literal is too long"),
    ("4000-digit-literal", "x * " + "1" * 4000, [], "number literal is 4000 characters long"),
    ("huge-float-literal", "x * 1e999", [], "too large for float64"),
    # ---- mistakes ----
    ("typo-sigmod", "sigmod(x)", [], "did you mean 'sigmoid'?"),
    ("max-no-args", "max()", [], "max() takes at least 2 arguments (0 given)"),
    ("exp-two-args", "exp(x, y)", [], "exp() takes 1 argument (2 given)"),
    ("caret-power", "x^2", [], "use ** for powers"),
    ("implicit-product", "2x", [], "write 2*x for a product"),
    ("dangling-operator", "x +", [], "syntax error"),
    ("empty", "", [], "empty source"),
    ("only-a-comment", "# nothing here", [], "empty source"),
    ("nul-byte", "x\0 + 1", [], "NUL byte"),
    ("zero-width-space", "x\u200b + 1", [], "invisible character U+200B"),
    ("cyrillic-x", "\u0445 + 1", [], "U+0445 (CYRILLIC SMALL LETTER HA)"),
    ("unicode-minus", "x \u2212 1", [], "U+2212 (MINUS SIGN) is not allowed; type - instead"),
    ("method-with-argument", "x.relu(1)", [], "takes no arguments"),
    ("tuple-swap", "a, b = b, a", [], "assign these one by one"),
    ("tuple-unpacking", "a, b = c", [], "assign to one name"),
    ("unused-line", "x + 1; y", [], "only the last line may be a bare expression"),
    ("missing-file", "model.py", [], "file 'model.py' does not exist"),
    # ---- values ----
    ("values-missing", "x + y", ["x=1"], "missing value for y"),
    ("values-unknown-typo", "x + y", ["x=1,yy=2"], "unknown input 'yy' (did you mean 'y'?"),
    ("values-duplicated", "x", ["x=1,x=2"], "value of 'x' is given twice"),
    ("values-duplicated-repeated", "x", ["x=1", "x=2"], "value of 'x' is given twice"),
    ("values-non-numeric", "x", ["x=abc"], "value of 'x' is not a number"),
    ("values-nan", "x", ["x=nan"], "value of 'x' is not a number"),
    ("values-inf", "x", ["x=inf"], "value of 'x' is not a finite number"),
    ("values-1e400", "x", ["x=1e400"], "value of 'x' is not a finite number"),
    ("values-not-name-value", "x", ["x"], "not of the form name=number"),
    # ---- the point ----
    ("reciprocal-at-0", "1/x", ["x=0"], "division by zero: gate '1/u'"),
    ("log-at-0", "log(x)", ["x=0"], "log of a non-positive number: gate 'log'"),
    ("log-at-minus-1", "log(x)", ["x=-1"], "log of a non-positive number"),
    ("sqrt-at-minus-1", "sqrt(x)", ["x=-1"], "square root of a negative number"),
    ("sqrt-at-0", "sqrt(x)", ["x=0"], "local gradient is not finite: gate 'sqrt'"),
    ("exp-at-1000", "exp(x)", ["x=1000"], "result overflows float64: gate 'exp'"),
    # ---- tiny sources whose symbolic formulas would take minutes or gigabytes ----
    ("symbolic-elu-6-deep", "elu(elu(elu(elu(elu(elu(x))))))", [], "nest more than 3 deep"),
    ("symbolic-leaky-relu-8-deep", "leaky_relu(" * 8 + "x" + ")" * 8, [],
     "nest more than 3 deep"),
    ("symbolic-exp-190-deep", "exp(" * 190 + "x" + ")" * 190, [], "chain of more than 100"),
    ("symbolic-max-of-60", "max(" + ",".join(f"a{i}" for i in range(60)) + ")", [],
     "max/min gates nest more than 12 deep"),
    ("max-of-300", "max(" + ",".join(f"a{i}" for i in range(300)) + ")", ["a0=1"],
     "max() of 300 arguments; the limit is 100"),
    ("symbolic-1-over-zero", "1/(x-x)", [], "not a finite number for any input"),
    ("symbolic-log-of-zero", "log(x-x)+y", [], "not a finite number for any input"),
    ("cr-ends-a-comment", "x = 2 # c\rf = \uff58 * x", [], "U+FF58"),
    ("control-character-in-a-name", "x*y", ["x=1,\x1b[2J=2"], "is not of the form name="),
]

IDS = [r[0] for r in ROWS]
CASES = [r[1:] for r in ROWS]


def argv(source: str, at: list[str]) -> list[str]:
    args = ["eval"]
    for values in at:
        args += ["--at", values]
    if source.startswith("-"):
        args.append("--")
    return [*args, source]


def the_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output[:2000]
    assert lines[0].startswith("Error: "), lines[0][:2000]
    assert "Traceback" not in output
    return lines[0]


@pytest.mark.parametrize(("source", "at", "phrase"), CASES, ids=IDS)
def test_cli_answers_one_error_line_and_exit_2(runner, source, at, phrase):
    result = runner.invoke(cli, argv(source, at))
    assert result.exit_code == 2, result.output[:2000]
    assert result.stdout == ""
    line = the_error_line(result.stderr)
    assert phrase in line
    assert len(line) < 500


@pytest.mark.parametrize(("source", "at", "phrase"), CASES, ids=IDS)
def test_main_returns_2(capsys, source, at, phrase):
    assert main(argv(source, at)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert phrase in the_error_line(captured.err)


@pytest.mark.parametrize(("source", "at", "phrase"), CASES, ids=IDS)
def test_library_raises_an_input_error(source, at, phrase):
    with pytest.raises(gb.InputError) as info:
        gb.trace(source, parse_assignments(at))
    assert info.value.exit_code == 2
    assert phrase in " ".join(str(info.value).split())


# ---- nothing is opened, imported, executed or started -----------------------------------------------

#: Audit events that must not happen while parsing, building and evaluating.
FORBIDDEN = ("open", "import", "exec", "compile", "subprocess.Popen", "os.system", "os.exec",
             "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "os.startfile", "socket.")

_AUDIT = {"installed": False, "recording": False, "events": []}


def _hook(event: str, args: tuple) -> None:
    if _AUDIT["recording"]:
        if event == "compile":  # (source, filename)
            detail = str(args[1])
        elif event == "open":  # (path, mode, flags)
            detail = (str(args[0]), str(args[1]))
        else:
            detail = None
        _AUDIT["events"].append((event, detail))


def _install_hook() -> None:
    """Audit hooks cannot be removed: install one per session; it records only when asked."""
    if not _AUDIT["installed"]:
        sys.addaudithook(_hook)
        _AUDIT["installed"] = True


def _record(action) -> list[tuple[str, object]]:
    _install_hook()
    _AUDIT["events"] = []
    _AUDIT["recording"] = True
    try:
        action()
    finally:
        _AUDIT["recording"] = False
    return list(_AUDIT["events"])


def _forbidden(events, allowed) -> list[tuple[str, object]]:
    return [e for e in events
            if e not in allowed and any(e[0] == f or e[0].startswith(f) for f in FORBIDDEN)]


def _ast_parse_a_syntax_error() -> None:
    with contextlib.suppress(SyntaxError):
        ast.parse("x +")


@pytest.fixture(scope="module")
def allowed_by_ast_parse() -> set[tuple[str, object]]:
    """Exactly the events ast.parse raises itself, on valid text and on a syntax error.

    ``compile`` with the filename ``<unknown>``; and on a syntax error in "exec" mode,
    CPython's parser tries to open that filename, read-only, to quote the bad line.
    """
    events = set(_record(lambda: ast.parse("x + 1"))) | set(_record(_ast_parse_a_syntax_error))
    assert ("compile", "<unknown>") in events
    assert events <= {("compile", "<unknown>"), ("open", ("<unknown>", "rb"))}
    return events


@pytest.mark.parametrize("action", [
    pytest.param(lambda: open(__file__, "rb").close(), id="open"),
    pytest.param(lambda: exec("1"), id="exec"),
    pytest.param(lambda: compile("1", "<string>", "eval"), id="compile-elsewhere"),
])
def test_the_audit_hook_sees_what_it_must(allowed_by_ast_parse, action):
    assert _forbidden(_record(action), allowed_by_ast_parse)


@pytest.mark.parametrize(("source", "at", "phrase"), CASES, ids=IDS)
def test_parsing_hostile_input_opens_imports_runs_nothing(allowed_by_ast_parse, source, at, phrase):
    def attempt():
        with contextlib.suppress(GbpError):
            gb.trace(source, parse_assignments(at))

    assert _forbidden(_record(attempt), allowed_by_ast_parse) == []


@pytest.mark.parametrize("source", ["(x+y)*z", "sigmoid(w*x + b)", "q = x*x\nf = log(q + 1)"])
def test_valid_input_opens_imports_runs_nothing(allowed_by_ast_parse, source):
    def attempt():
        c = gb.build(gb.parse(source), expand=True)
        gb.evaluate(c, dict.fromkeys(c.inputs, 0.5))

    gb.trace(source, dict.fromkeys(gb.build(gb.parse(source)).inputs, 0.5))  # warm caches
    assert _forbidden(_record(attempt), allowed_by_ast_parse) == []
