"""The documentation: the Python API page's and the matrix-form page's examples run as
written, and the generated CLI reference (scripts/docs_hooks.py, run by ``make docs``) covers
every command and option."""

from __future__ import annotations

import doctest
import importlib.util
import re
import shlex
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from support import graphviz_mark

from graphviz_backprop.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def _hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "scripts" / "docs_hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@graphviz_mark()
def test_python_api_page_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the page saves step.png, final.svg, f.gif, frames/
    result = doctest.testfile(str(ROOT / "docs" / "python-api.md"), module_relative=False,
                              optionflags=doctest.ELLIPSIS, verbose=False, report=True)
    assert result.attempted > 20
    assert result.failed == 0, "docs/python-api.md: see the doctest report above"
    assert (tmp_path / "f.gif").is_file() and (tmp_path / "frames" / "frame-000.svg").is_file()


def _commands(group: click.Group, ctx: click.Context):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield name, command, command.make_context(name, [], parent=ctx, resilient_parsing=True)


def test_cli_reference_covers_every_command_and_option():
    page = _hooks().cli_reference()
    ctx = cli.make_context("gbp", [], resilient_parsing=True)
    for name, command, sub in _commands(cli, ctx):
        assert f"### `gbp {name}`" in page
        for param in command.get_params(sub):
            for opt in getattr(param, "opts", []):
                assert f"`{opt}" in page or f" {opt}" in page, (name, opt)


def test_cli_reference_escapes_markdown():
    page = _hooks().cli_reference()
    assert r"becomes \*-1" in page       # not the start of an emphasis
    assert "\\<=" not in page and "&lt;=" in page


def test_getting_started_shows_the_real_eval_table():
    """The table printed in getting-started.md is what the command prints (no drift)."""
    from click.testing import CliRunner

    from graphviz_backprop.cli import cli

    page = (Path(__file__).resolve().parent.parent / "docs" / "getting-started.md").read_text()
    command = '$ gbp eval "(x+y)*z" --at x=-2,y=5,z=-4\n'
    shown = page.split(command, 1)[1].split("```", 1)[0]
    result = CliRunner().invoke(cli, ["eval", "(x+y)*z", "--at", "x=-2,y=5,z=-4"])
    assert result.exit_code == 0
    assert shown == result.output


# ---- the matrix form (docs/matrix-form.md) --------------------------------------------------

MATRIX_FORM = ROOT / "docs" / "matrix-form.md"

#: A code block that shows a command and what it prints: ``$ gbp ...``, then lines of its
#: output, one after the other as it prints them; ``...`` stands for the lines before them.
_SHOWN = re.compile(r"```\n\$ gbp (.*?)\n(.*?)```", re.S)


def test_matrix_form_page_runs_as_written():
    result = doctest.testfile(str(MATRIX_FORM), module_relative=False,
                              optionflags=doctest.ELLIPSIS, verbose=False, report=True)
    assert result.attempted >= 15
    assert result.failed == 0, "docs/matrix-form.md: see the doctest report above"


def _shown_commands():
    """Each shown command and its output, named after its source (``shape-error`` for text)."""
    found = _SHOWN.findall(MATRIX_FORM.read_text(encoding="utf-8"))
    return [pytest.param(command, shown, id=shlex.split(command)[1] if " " not in
                         shlex.split(command)[1] else "shape-error")
            for command, shown in found]


def test_matrix_form_page_shows_commands_with_their_output():
    assert len(_shown_commands()) >= 5


@pytest.mark.parametrize(("command", "shown"), _shown_commands())
def test_matrix_form_page_shows_what_the_commands_print(command, shown):
    result = CliRunner().invoke(cli, shlex.split(command))
    tail = shown.split("...\n", 1)[-1]
    if tail.startswith("Error: "):
        assert result.exit_code == 2 and result.stderr == tail
    else:
        assert result.exit_code == 0, result.output
        assert "\n" + tail in "\n" + result.stdout  # whole lines, one after the other
