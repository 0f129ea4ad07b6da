# Every target sets up .venv itself from pyproject.toml: nothing is installed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## demo: the main job on the shipped example data (a generated sample until the example dataset lands)
demo: $(STAMP)
	@mkdir -p build
	$(BIN)/curate schema export --format codebook --output build/CODEBOOK.md
	$(BIN)/curate schema export --format jsonschema --structured-output --output build/extraction.schema.json
	$(BIN)/curate schema sample --seed 2015 --output build/sample
	$(BIN)/curate validate build/sample

## test: lint, type-check, then every test with the Hypothesis ci profile
test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	HYPOTHESIS_PROFILE=ci $(BIN)/pytest

## bench: benchmarks, results written to benchmarks/results.json
bench: $(STAMP)
	cd benchmarks && ../$(BIN)/python run.py

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
