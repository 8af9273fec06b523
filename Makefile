# Trialdesk: `make run` to try it, `make test` to check it. Needs only Python 3.11 and apt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
export TRIALDESK_DATA_DIR ?= $(CURDIR)/var
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run serve install install-test system-deps test test-sqlite test-postgres test-browser lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(STAMP)
install-test: $(TEST_STAMP)

run: $(STAMP)
	mkdir -p $(TRIALDESK_DATA_DIR)
	$(BIN)/trialdesk migrate --no-input -v0
	$(BIN)/trialdesk demo --if-empty
	DEBUG=1 $(BIN)/trialdesk runserver 127.0.0.1:8000

# PostgreSQL's server and Debian's Chromium come from apt when missing.
system-deps:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql chromium >/dev/null; \
	fi

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/trialdesk makemigrations --check --dry-run -v0

test-sqlite: $(TEST_STAMP)
	$(BIN)/pytest -n 2 -m "not browser"

test-postgres: $(TEST_STAMP) system-deps
	scripts/with-postgres $(BIN)/pytest -n 2 -m "not browser"

test-browser: $(TEST_STAMP) system-deps
	$(BIN)/pytest -m browser

test: system-deps lint test-sqlite test-postgres test-browser

bench: $(TEST_STAMP)
	$(BIN)/pip install --quiet -e ".[test,bench]"
	$(BIN)/python benchmarks/generate.py --studies 1000 --sites-per-study 20 --database $(CURDIR)/var/bench.sqlite3
	$(BIN)/python benchmarks/bench_portfolio.py --database $(CURDIR)/var/bench.sqlite3
	scripts/with-postgres sh -c '$(BIN)/python benchmarks/generate.py --studies 1000 --sites-per-study 20 && $(BIN)/python benchmarks/bench_portfolio.py'

clean:
	rm -rf $(VENV) var
