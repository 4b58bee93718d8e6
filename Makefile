# The README's commands are these targets. Each makes the virtual environment itself.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck check bench chromium clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

## make demo: install and run the whole system locally on 127.0.0.1:8000 (no AWS account)
demo: $(STAMP)
	$(BIN)/growthcycle demo

## make test: install everything (including Debian's chromium) and run every test
test: $(STAMP) chromium
	$(BIN)/python -m pytest -n 2 --dist loadgroup

chromium:
	@sh scripts/ensure-chromium.sh

lint: $(STAMP)
	$(BIN)/ruff check functions tests benchmarks
	$(BIN)/ruff format --check functions tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

bench: $(STAMP) chromium
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .local .pytest_cache .mypy_cache .ruff_cache
