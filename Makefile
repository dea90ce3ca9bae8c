# Jiuzhu developer commands. The README names the two that set everything up:
#   make demo   — install, then assess the bundled example workbook and print a summary
#   make test   — install with the dev tools, then lint, type-check, check layers and run tests

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SUM    := $(shell cksum pyproject.toml | cut -d' ' -f1)
# What each target installs (pyproject.toml's extras): the demo needs the command and the case
# platform (`all`); the tests need the dev tools too (`dev` includes `all`).
STAMP_ALL := $(VENV)/.installed-all-$(SUM)
STAMP     := $(VENV)/.installed-dev-$(SUM)

.PHONY: demo test lint bench install clean

$(VENV)/.installed-%-$(SUM): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$*]'
	rm -f $(VENV)/.installed-$*-*
	touch $@

install: $(STAMP)

# A dev install includes everything the demo needs.
demo: $(if $(wildcard $(STAMP)),$(STAMP),$(STAMP_ALL))
	$(BIN)/jiuzhu assess examples/baodi_example.xlsx --on 2025-10-15 -o out/baodi_example_results.xlsx
	$(BIN)/jiuzhu-web demo

# The platform's settings are production's unless JIUZHU_DEBUG=1: the developer commands (mypy's
# Django plugin and makemigrations load the settings) run in development mode.
lint test: export JIUZHU_DEBUG := 1

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench examples
	$(BIN)/ruff check src tests bench examples
	$(BIN)/mypy
	$(BIN)/lint-imports

# With DATABASE_URL set (CI starts PostgreSQL), everything runs on PostgreSQL and the web tests
# run a second time on the embedded SQLite; without it, everything runs on SQLite.
test: lint
	$(BIN)/jiuzhu-web makemigrations --check --dry-run
	$(BIN)/pytest
	if [ -n "$$DATABASE_URL" ]; then env -u DATABASE_URL $(BIN)/pytest tests/web; fi

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/assess.py
	$(BIN)/python bench/synth.py
	$(BIN)/python bench/discover.py

clean:
	rm -rf $(VENV) out build *.egg-info .pytest_cache .mypy_cache .ruff_cache
