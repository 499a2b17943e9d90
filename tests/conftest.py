"""Shared fixtures."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from click.testing import CliRunner


@pytest.fixture
def runner() -> CliRunner:
    """A click test runner; ``result.output`` holds stdout and stderr interleaved."""
    return CliRunner()


# ---- a real headless Chromium, for the HTML stepper (test_stepper.py, test_notebook.py) -----

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def _chromium() -> str | None:
    found = os.environ.get("GBP_CHROMIUM")
    if found:
        return found if os.access(found, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def _need(what: str, how: str) -> None:
    if os.environ.get("CI"):  # as support.graphviz_mark: under CI a missing tool fails
        pytest.fail(f"{what} is needed for the browser test under CI ({how})", pytrace=False)
    pytest.skip(f"{what} is not installed: {how}")


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    if executable is None:
        _need("Chromium", "'make test' installs Debian's chromium with apt-get as root;"
              " otherwise 'sudo apt-get install chromium' or set GBP_CHROMIUM")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need("The playwright Python package", "pip install -e '.[test]'")
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        # a fresh profile; the browser is the system's, never one Playwright downloads
        context = p.chromium.launch_persistent_context(
            profile, executable_path=executable, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 900})
        try:
            yield context
        finally:
            context.close()
