# `make run` and `make test` need nothing but python3 (>= 3.11): each bootstraps .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two installs, each redone when pyproject.toml changes: `make run` needs only the
# package and what it runs on; tests and linters add the `test` and `dev` extras.
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
STAMP := $(DEV_STAMP)
PYTEST_ARGS ?=

.PHONY: run test test-fast lint format schema web screenshot clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

# the full install holds the run install too
$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	@touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/newsgraph serve

test: $(DEV_STAMP) lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# everything but the tests marked slow
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

schema: $(STAMP)
	$(BIN)/newsgraph export-schema > schema.graphql

# The example app (examples/web): types and persisted documents generated from
# schema.graphql, typechecked, bundled into examples/web/dist. Needs Node.js >= 18.
web:
	cd examples/web && npm ci --no-audit --no-fund && npm run build

# docs/example-app.png, as the browser test sees the app (needs Chromium)
screenshot: $(STAMP)
	NEWSGRAPH_SCREENSHOT=$(CURDIR)/docs/example-app.png $(BIN)/python -m pytest tests/test_browser.py -q

# The three benchmark queries over HTTP (bench/README.md): dataset, import (cached in
# bench/var/), `newsgraph serve`, autocannon. Also needs Node.js >= 18 with npm.
.PHONY: bench
bench: $(RUN_STAMP)
	$(BIN)/python bench/http_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
