"""The files under tests/data are inputs (derivations written as Python-like code), not tests:
pytest must not import them (``--doctest-modules`` would)."""

collect_ignore_glob = ["*.py"]
