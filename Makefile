# Two commands do everything on a fresh machine: `make kg` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: kg test lint clean browser bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(STAMP)

kg: $(STAMP)
	$(BIN)/kg build --seeds seeds --out output
	$(BIN)/kg analyze --store output/store --out output

test: $(DEVSTAMP) browser
	$(BIN)/python -m pytest

# Debian's chromium (and a CJK font) for the browser tests; never a downloaded browser build.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  (apt-get update -qq && apt-get install -y -qq --no-install-recommends \
	     chromium fonts-wqy-microhei) >/dev/null 2>&1 || \
	  echo "chromium could not be installed: browser tests will be skipped"; }

# Benchmarks (not part of `make test`): writes bench/results.md; about an hour on 2 cores.
bench: $(DEVSTAMP) browser
	$(BIN)/python -m bench.run --sizes 10,1000,10000 --out bench/results.md

lint: $(DEVSTAMP)
	$(BIN)/ruff check kg tests bench

clean:
	rm -rf output $(VENV)
