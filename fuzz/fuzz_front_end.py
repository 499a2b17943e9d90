"""Coverage-guided fuzzing of the front end with atheris (optional; see docs/fuzzing.md).

    .venv/bin/pip install atheris
    .venv/bin/python fuzz/fuzz_front_end.py -max_total_time=600 fuzz/corpus

Any exception other than the package's own GbpError is a finding: atheris stops and saves
the input that caused it.  Values are given for whatever inputs the text names, so the
evaluation runs too.
"""

import sys

import atheris

with atheris.instrument_imports():
    from graphviz_backprop import GbpError, build, evaluate, parse


def test_one_input(data: bytes) -> None:
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(4096)
    try:
        circuit = build(parse(text))
        evaluate(circuit, {name: 0.5 for name in circuit.inputs})
    except GbpError:
        pass


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
