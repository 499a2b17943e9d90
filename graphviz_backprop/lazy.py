"""Heavy libraries imported on first use, so that each command pays only for what it uses.

``gbp --help`` needs none of sympy, networkx or graphviz; ``gbp eval`` with numbers needs no
sympy.  A module made by :func:`lazy_import` is a real module object whose code runs the first
time one of its attributes is read (the standard library's ``importlib.util.LazyLoader``).
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

__all__ = ["lazy_import"]


def lazy_import(name: str) -> ModuleType:
    """The module ``name``, imported when one of its attributes is first read.

    An already imported module is returned as it is.

    >>> json = lazy_import("json")
    >>> json.dumps([1])
    '[1]'
    """
    module = sys.modules.get(name)
    if module is not None:
        return module
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
