# Loa: `make run` to use it, `make test` to test it. Both work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
export PORT

.PHONY: run test install install-test system-deps bench check clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## make run: install, create/upgrade the SQLite database, load demo data if empty, serve on :$(PORT)
run: install
	$(BIN)/loa content check
	$(BIN)/loa init-db
	$(BIN)/loa demo --if-empty
	$(BIN)/loa serve --host 127.0.0.1 --port $(PORT)

## make test: install what the tests need (Debian chromium, fonts, poppler) and run the whole suite
test: install-test system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

system-deps:
	sh tools/install-system-deps.sh

## make bench: print the measured figures (budgets in ../shared/design.md)
bench: install-test
	$(BIN)/python bench/payload.py

check: install
	$(BIN)/loa content check

clean:
	rm -rf $(VENV) .pytest_cache
