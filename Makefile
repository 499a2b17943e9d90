# Two commands on a fresh machine:
#   make demo   creates .venv, installs the package and Graphviz, renders the sigmoid neuron into out/
#   make test   the same set-up plus the test dependencies, then the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test graphviz clean

$(VENV)/.base: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.test: $(VENV)/.base
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

graphviz:
	@sh scripts/ensure-graphviz.sh

demo: $(VENV)/.base graphviz
	@mkdir -p out
	$(BIN)/gbp eval sigmoid-neuron | tee out/sigmoid-neuron.txt

test: $(VENV)/.test graphviz
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) out dist build .pytest_cache
