"""Running Graphviz: a missing Graphviz is a clear error (and eval still works), a failing one
carries its stderr."""

from __future__ import annotations

import pytest
from support import graphviz_mark

from graphviz_backprop import trace
from graphviz_backprop.cli import cli
from graphviz_backprop.dot import run_graphviz
from graphviz_backprop.errors import GraphvizNotFoundError

pytestmark = graphviz_mark()


def test_missing_graphviz_is_a_clear_error_and_eval_still_works(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")
    out = tmp_path / "n.gif"
    result = runner.invoke(cli, ["render", "sigmoid-neuron", "-o", str(out)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: Graphviz 'dot' was not found")
    assert "apt-get install graphviz" in lines[0]
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(GraphvizNotFoundError):
        trace("cs231n-simple").render("svg")
    result = runner.invoke(cli, ["eval", "sigmoid-neuron", "--json"])
    assert result.exit_code == 0 and '"gradients"' in result.output


def test_graphviz_failure_carries_its_stderr():
    from graphviz_backprop.errors import RenderError

    with pytest.raises(RenderError, match=r"failed \(exit \d+\): .*syntax error"):
        run_graphviz(["dot", "-Tsvg"], b"digraph { a -> }")
