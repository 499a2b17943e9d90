"""Shared fixtures."""

from __future__ import annotations

import pytest
from click.testing import CliRunner


@pytest.fixture
def runner() -> CliRunner:
    """A click test runner; ``result.output`` holds stdout and stderr interleaved."""
    return CliRunner()
