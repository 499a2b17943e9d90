# Two commands on a fresh machine:
#   make demo   creates .venv, installs the package and Graphviz, renders the sigmoid neuron into out/
#   make test   the same set-up plus the test dependencies, then the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test graphviz docs-images clean

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
	$(BIN)/gbp render sigmoid-neuron -o out/sigmoid-neuron.gif
	$(BIN)/gbp render sigmoid-neuron -o out/sigmoid-neuron-frames/
	$(BIN)/gbp render sigmoid-neuron --final -o out/sigmoid-neuron.svg
	$(BIN)/gbp eval sigmoid-neuron > out/sigmoid-neuron.txt
	@echo "Open out/sigmoid-neuron.gif, or the SVG frames in out/sigmoid-neuron-frames/."

# The pictures in README.md and docs/, made by the tool itself.
docs-images: $(VENV)/.base graphviz
	@mkdir -p docs/img
	$(BIN)/gbp render sigmoid-neuron -o docs/img/sigmoid-neuron.gif
	$(BIN)/gbp render sigmoid-neuron --final -o docs/img/sigmoid-neuron.svg
	$(BIN)/gbp render cs231n-simple --final -o docs/img/cs231n-simple.svg

test: $(VENV)/.test graphviz
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) out dist build .pytest_cache
