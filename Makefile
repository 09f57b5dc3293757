.DEFAULT_GOAL := help
VENV ?= .venv
BIN := $(VENV)/bin

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

install: ## Create the virtualenv and install authgate with the test tools
	python3 -m venv $(VENV) && $(BIN)/pip install -e '.[test]'

lint: ## ruff, mypy and the import contracts
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports

test: ## The test suite on SQLite
	$(BIN)/pytest

bench: ## Benchmark beside fastapi-users (docs/performance.md); ARGS="--only verify"
	sh bench/run.sh $(ARGS)

check: ## What CI runs (needs PostgreSQL and Redis on localhost)
	bash .ci/run

.PHONY: help install lint test check bench
