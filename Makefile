# Guichet — `make run` and `make test` do all the set-up on a fresh Debian with Python 3.11 + make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
UV_VERSION := 0.13.9
TEST_WORKERS ?= 2
# The suite waits on servers and subprocesses more than it computes: two pytest-xdist workers,
# each test file kept on one (its module fixtures made once), halve it on two cores.

.PHONY: help install run migrate test lint unit bench system-deps corpora clean

help:
	@echo "make run    install, migrate, start the service on http://127.0.0.1:8080/"
	@echo "make test   install, start the real servers the tests need, run lint + the whole suite"
	@echo "make bench  run the benchmarks and print one figure per line"
	@echo "make lint   ruff, mypy --strict, import-linter, hadolint"

$(STAMP): requirements-dev.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip install --python $(BIN)/python -q -r requirements-dev.lock
	$(BIN)/uv pip install --python $(BIN)/python -q --no-deps -e .
	@touch $@

install: $(STAMP)

migrate: $(STAMP)
	$(BIN)/python -m bot migrate

run: migrate
	$(BIN)/python -m bot serve

system-deps:
	@scripts/system-deps.sh

corpora: $(STAMP)
	@if [ -x scripts/fetch-mail-corpora.sh ]; then scripts/fetch-mail-corpora.sh; fi

lint: $(STAMP)
	$(BIN)/ruff check bot intake nlp tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/hadolint Dockerfile

unit: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

test: $(STAMP) system-deps corpora lint unit

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
