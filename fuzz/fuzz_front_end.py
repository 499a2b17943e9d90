"""Coverage-guided fuzzing of the front doors with atheris (optional; see docs/fuzzing.md).

    .venv/bin/pip install atheris
    .venv/bin/python fuzz/fuzz_front_end.py -max_total_time=600 -rss_limit_mb=2048 fuzz/corpus

The first byte of each input chooses the door:

* a program or expression, evaluated at values for whatever inputs it names;
* the same text evaluated symbolically (under a short symbolic time budget);
* the text as a TOML expression file or derivation, read and checked (``gbp check``).

Any exception other than the package's own GbpError is a finding: atheris stops and saves
the input that caused it; so is using more than -rss_limit_mb of memory, or an input that
takes longer than -timeout seconds.
"""

import contextlib
import os
import sys
import tempfile

import atheris

with atheris.instrument_imports():
    from graphviz_backprop import GbpError, build, evaluate, parse, trace
    from graphviz_backprop.check import check_text

os.environ.setdefault("GBP_SYMBOLIC_SECONDS", "2")
FOLDER = tempfile.mkdtemp(prefix="gbp-fuzz-")


def numeric(text: str) -> None:
    circuit = build(parse(text))
    evaluate(circuit, {name: 0.5 for name in circuit.inputs})


def symbolic(text: str) -> None:
    evaluate(build(parse(text)))


def toml(text: str) -> None:
    path = os.path.join(FOLDER, "input.toml")
    with open(path, "w", encoding="utf-8", errors="surrogatepass") as handle:
        handle.write(text)
    for attempt in (lambda: trace(path), lambda: check_text(text, "toml")):
        with contextlib.suppress(GbpError):
            attempt()


DOORS = (numeric, symbolic, toml)


def test_one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    door = DOORS[provider.ConsumeIntInRange(0, len(DOORS) - 1)]
    text = provider.ConsumeUnicodeNoSurrogates(4096)
    with contextlib.suppress(GbpError):
        door(text)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
