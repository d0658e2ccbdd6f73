# Sangdam: `make run` serves the demo center, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export UV_PYTHON_DOWNLOADS := never

.PHONY: run install runtime test lint check-python screenshots bench clean

# `make install`: runtime and developer tools (tests, lint); `make run` needs the runtime only.
# Both compile the bytecode up front: a process that may not write it (read-only install,
# PYTHONDONTWRITEBYTECODE) would otherwise compile every module each time it starts (~1 s).
install: $(VENV)/.installed
runtime: $(VENV)/.runtime

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Sangdam needs Python 3.11 or newer")'

$(VENV)/.installed: pyproject.toml uv.lock | check-python
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv sync --frozen --inexact --compile-bytecode --python $(BIN)/python
	$(BIN)/python -m compileall -q -j0 sangdam config
	touch $@ $(VENV)/.runtime

$(VENV)/.runtime: pyproject.toml uv.lock | check-python
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv sync --frozen --inexact --no-dev --compile-bytecode --python $(BIN)/python
	$(BIN)/python -m compileall -q -j0 sangdam config
	touch $@

run: runtime
	$(BIN)/sangdam migrate --noinput -v 0
	SANGDAM_DEMO=1 $(BIN)/sangdam load_demo
	SANGDAM_DEMO=1 $(BIN)/sangdam run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy sangdam config tests bench

test: lint
	bash scripts/test.sh

screenshots: install
	SANGDAM_SCREENSHOTS=1 $(BIN)/pytest tests/e2e -q

clean:
	rm -rf $(VENV) var staticfiles
