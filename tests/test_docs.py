"""The documentation: the Python API page's examples run as written, and the generated CLI
reference (scripts/docs_hooks.py, run by ``make docs``) covers every command and option."""

from __future__ import annotations

import doctest
import importlib.util
from pathlib import Path

import click
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
