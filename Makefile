# Two commands on a fresh machine:
#   make demo   creates .venv, installs the package and Graphviz, renders the sigmoid neuron into out/
#   make test   the same set-up plus the test dependencies, then the whole test suite
#   make bench  the benchmarks: prints the numbers and rewrites docs/performance.md
#   make lint   ruff and mypy (their settings are in pyproject.toml)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test bench lint graphviz docs-images clean

$(VENV)/.base: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.test: $(VENV)/.base
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

graphviz:
	@sh scripts/ensure-graphviz.sh

# Debian's Chromium for the HTML stepper's browser test (apt-get as root; otherwise it says how).
.PHONY: chromium
chromium:
	@sh scripts/ensure-chromium.sh

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

# The documentation site (mkdocs.yml) into site/, strict: a broken link fails. The CLI
# reference and the gallery (every example of expressions/, drawn by gbp) are generated
# into build/docs/ by scripts/docs_hooks.py during the build.
.PHONY: docs
$(VENV)/.docs: $(VENV)/.base
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[docs]'
	touch $@

docs: $(VENV)/.docs graphviz
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict
	@echo "Open site/index.html."

test: $(VENV)/.test graphviz chromium
	$(BIN)/python -m pytest

# Start-up, scaling, rendering speed, vectors and matrices against scalars, hostile inputs
# and crossings, one script after the other (a few minutes); each rewrites its own section
# of docs/performance.md (scaling.py also docs/img/scaling.svg, crossings.py docs/layout.md).
$(VENV)/.bench: $(VENV)/.base
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	touch $@

bench: $(VENV)/.bench graphviz
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/scaling.py
	$(BIN)/python benchmarks/render_speed.py
	$(BIN)/python benchmarks/matrix_speed.py
	$(BIN)/python benchmarks/classroom_speed.py
	$(BIN)/python benchmarks/hostile.py
	$(BIN)/python benchmarks/crossings.py

$(VENV)/.lint: $(VENV)/.base
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[lint]'
	touch $@

lint: $(VENV)/.lint
	$(BIN)/ruff check graphviz_backprop tests benchmarks scripts fuzz
	$(BIN)/mypy

clean:
	rm -rf $(VENV) out dist build .pytest_cache site
