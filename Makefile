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

.PHONY: run test test-fast test-slow lint format schema web screenshot clean

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

# Two lanes side by side, each pytest session with its own embedded PostgreSQL: the
# linters then the tests marked slow or browser, and everything else. Much of a test's
# time is spent waiting (on PostgreSQL, a subprocess, a browser), so on 2 cores this
# takes about two thirds of the time of one lane. The slow lane's output is printed
# when both are done. (PYTEST_ARGS go to both: give no --basetemp.)
SLOW_LANE_LOG := $(VENV)/slow-lane.log
test: $(DEV_STAMP)
	@( $(MAKE) --no-print-directory lint && \
	   $(BIN)/python -m pytest -m "slow or browser" $(PYTEST_ARGS) ) > $(SLOW_LANE_LOG) 2>&1 & \
	slow=$$!; \
	$(BIN)/python -m pytest -m "not slow and not browser" $(PYTEST_ARGS); fast=$$?; \
	wait $$slow; slow_status=$$?; \
	echo "---- lint, then the tests marked slow or browser ----"; cat $(SLOW_LANE_LOG); \
	[ $$fast -eq 0 ] && [ $$slow_status -eq 0 ]

# everything but the tests marked slow (and the browser test), without the linters
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

# the tests marked slow, and the browser test
test-slow: $(STAMP)
	$(BIN)/python -m pytest -m "slow or browser" $(PYTEST_ARGS)

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
