"""Writing files: each appears whole with a normal file's permissions, never into a missing
folder."""

from __future__ import annotations

import os

import pytest
from support import graphviz_mark

from graphviz_backprop import trace

pytestmark = graphviz_mark()


def test_output_appears_whole_with_normal_permissions(tmp_path):
    t = trace("cs231n-simple")
    old = os.umask(0o022)
    try:
        path = t.save(tmp_path / "final.svg")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644  # as any other file, not a private temp file
    assert [p.name for p in tmp_path.iterdir()] == ["final.svg"]


def test_write_into_missing_directory_is_an_error(tmp_path):
    from graphviz_backprop.errors import RenderError

    t = trace("cs231n-simple")
    with pytest.raises(RenderError, match="does not exist"):
        t.save(tmp_path / "nowhere" / "final.svg")
