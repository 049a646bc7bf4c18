# Loa: `make run` to use it, `make test` to test it. Both work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
# HOST=0.0.0.0 make run: listen on every network, to try Loa from a phone on the same Wi-Fi
HOST   ?= $(or $(LOA_HOST),127.0.0.1)
LOA_HOST := $(HOST)
export PORT LOA_HOST

.PHONY: run test test-fast lint docs install install-test install-lint system-deps bench check clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $@

$(VENV)/.installed-lint: $(VENV)/.installed-test
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[test,lint]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

install-lint: $(VENV)/.installed-lint

## make run: install, create/upgrade the SQLite database, load demo data if empty, serve on $(HOST):$(PORT)
run: install
	-sh tools/install-system-deps.sh runtime || echo "warning: leaflets need Debian's fonts-noto-core"
	$(BIN)/loa content check
	$(BIN)/loa init-db
	$(BIN)/loa demo --if-empty
	$(BIN)/loa serve --host $(HOST) --port $(PORT)

## make test: install what the tests need (Debian chromium, fonts, poppler) and run the whole suite,
## on SQLite, then again on PostgreSQL (LOA_TEST_DATABASE_URL, else the machine's PostgreSQL 15)
test: install-test system-deps
	@status=0; \
	echo "== the whole suite on SQLite"; \
	env -u LOA_TEST_DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS) || status=$$?; \
	url="$${LOA_TEST_DATABASE_URL:-$$(sh tools/postgres-for-tests.sh 2>.postgres-skip-reason)}"; \
	if [ -n "$$url" ]; then \
		echo "== the whole suite on PostgreSQL"; \
		LOA_TEST_DATABASE_URL="$$url" $(BIN)/python -m pytest $(PYTEST_ARGS) || status=$$?; \
	else \
		echo "== PostgreSQL run SKIPPED: $$(cat .postgres-skip-reason)"; \
	fi; rm -f .postgres-skip-reason; exit $$status

## make test-fast: everything but the browser tests, on SQLite, on both cores (about a minute)
test-fast: install-test
	env -u LOA_TEST_DATABASE_URL $(BIN)/python -m pytest -m "not browser" -n auto -q $(PYTEST_ARGS)

## make lint: ruff (lint and format check) and mypy, configured in pyproject.toml; README tables fresh
lint: install-lint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python tools/readme.py --check

## make docs: write the README's generated tables (settings, commands) anew
docs: install
	$(BIN)/python tools/readme.py

system-deps:
	sh tools/install-system-deps.sh test

## make bench: print the measured figures (budgets in ../shared/design.md)
bench: install-test
	$(BIN)/python bench/payload.py
	$(BIN)/python bench/sync.py
	$(BIN)/python bench/drain.py
	$(BIN)/python bench/leaflets.py
	$(BIN)/python bench/reports.py
	$(BIN)/python bench/peak.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/guessing.py
	$(BIN)/python bench/field.py
	$(BIN)/python bench/studio.py
	$(BIN)/python bench/studio.py --postgres
	$(BIN)/python bench/chaos.py
	$(BIN)/python bench/chaos.py --database postgresql

check: install
	$(BIN)/loa content check

clean:
	rm -rf $(VENV) .pytest_cache
