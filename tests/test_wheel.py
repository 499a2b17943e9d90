"""The built wheel works on its own: installed in a fresh venv, it evaluates a bundled example.

The wheel is built from this checkout without network (``--no-build-isolation``: hatchling is a
test dependency) and installed with ``--no-deps`` into a temporary venv; a ``.pth`` file lets that
venv see this environment's dependencies (sympy, networkx, ...) but not the checkout.  The
commands run from a folder outside the repository, so the example can only come from the
wheel's package data.
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _run(args: list[str | Path], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "GBP_DEBUG"}}
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, Path]:
    """A temporary venv with the wheel installed; returns its paths."""
    base = tmp_path_factory.mktemp("wheel")
    wheels, venv, outside = base / "dist", base / "venv", base / "elsewhere"
    outside.mkdir()
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
          "--disable-pip-version-check", "-q", "-w", wheels, ROOT], cwd=outside)
    (wheel,) = wheels.glob("graphviz_backprop-*.whl")
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=outside)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
          "--disable-pip-version-check", "-q", wheel], cwd=outside)
    purelib = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                        cwd=outside).stdout.strip())
    parents = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (purelib / "parent-environment.pth").write_text("\n".join(parents) + "\n")
    return {"venv": venv, "python": python, "gbp": venv / "bin" / "gbp", "cwd": outside,
            "purelib": purelib}


def test_wheel_evaluates_an_example_by_name(installed):
    out = _run([installed["gbp"], "eval", "sigmoid-neuron", "--json"], cwd=installed["cwd"]).stdout
    data = json.loads(out)
    assert [n["op"] for n in data["nodes"] if n["kind"] == "gate"] == [
        "*", "*", "+", "+", "*-1", "exp", "+1", "1/x"]
    assert data["output"]["value"] == pytest.approx(0.7310585786300049, rel=1e-12)
    assert data["gradients"] == pytest.approx({
        "w0": -0.19661193324148188, "x0": 0.39322386648296376, "w1": -0.39322386648296376,
        "x1": -0.5898357997244457, "w2": 0.19661193324148188}, rel=1e-12)


def test_wheel_lists_its_examples(installed):
    out = _run([installed["gbp"], "examples", "--json"], cwd=installed["cwd"]).stdout
    assert {"cs231n-simple", "sigmoid-neuron"} <= {e["name"] for e in json.loads(out)}


def test_the_package_and_its_examples_come_from_the_wheel(installed):
    code = ("import json, graphviz_backprop, graphviz_backprop.tomlfile as s;"
            " print(json.dumps([graphviz_backprop.__file__, str(s._examples_dir())]))")
    package, examples = json.loads(_run([installed["python"], "-c", code],
                                        cwd=installed["cwd"]).stdout)
    venv = installed["venv"].resolve()
    assert Path(package).resolve().is_relative_to(venv)
    assert Path(examples).resolve().is_relative_to(venv)
    assert not Path(package).resolve().is_relative_to(ROOT)
    assert (Path(examples) / "sigmoid-neuron.toml").is_file()
