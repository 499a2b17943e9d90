"""The shape of the package: one job per module, imports flowing one way, a short module.

The architecture page of the docs is generated from the same reading of the code
(scripts/docs_hooks.py), so what it shows is what this test holds.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "graphviz_backprop"


def _hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "scripts" / "docs_hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_imports_flow_one_way():
    modules = _hooks().package_modules()
    imports = nx.DiGraph((dep, name) for name, (_, deps) in modules.items() for dep in deps)
    assert nx.is_directed_acyclic_graph(imports), nx.find_cycle(imports)


def test_every_module_says_its_job_in_its_first_line():
    for name, (summary, _) in _hooks().package_modules().items():
        assert summary and len(summary) <= 100, name


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_long(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 450


def test_every_stage_module_exists():
    hooks = _hooks()
    modules = hooks.package_modules()
    staged = [name for _, names in hooks.STAGES for name in names]
    assert sorted(set(staged) - set(modules)) == []
