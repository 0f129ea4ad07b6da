# Every target sets up .venv itself from pyproject.toml: nothing is installed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint typecheck docs docs-check unit summary bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## demo: the main job on the shipped dataset: validate it, rebuild its releases from their
## inputs and check they are byte-identical, verify them, and show the event and its claims
DATASET := datasets/raqqa-airstrikes-2015
demo: $(STAMP)
	$(BIN)/curate validate $(DATASET)
	$(BIN)/curate replay $(DATASET)
	@for release in $(DATASET)/releases/*/; do $(BIN)/curate verify $$release || exit 1; done
	$(BIN)/curate show $(DATASET)/releases/1.1.0

## test: lint, type-check, then every test with the Hypothesis ci profile, one test file per
## worker (a file's tests share module state, such as the counts docs/security.md shows)
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
test: lint typecheck docs-check unit

## docs: regenerate docs/cli.md (every command's --help) from the app; docs-check fails
## when it is out of date
docs: $(STAMP)
	$(BIN)/python -m curate.cli.reference > docs/cli.md

docs-check: $(STAMP)
	$(BIN)/python -m curate.cli.reference --check docs/cli.md

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	HYPOTHESIS_PROFILE=ci $(BIN)/pytest -n $(JOBS) --dist loadfile

## summary: the security figures of the last `make test` into docs/security.md
summary: $(STAMP)
	$(BIN)/python -m tests.summary

## bench: benchmarks on realistic and synthetic rows, each figure beside a floor measured in
## the same run; results written to benchmarks/results.json (`run.py --quick`: a short check)
bench: $(STAMP)
	cd benchmarks && ../$(BIN)/python run.py

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
