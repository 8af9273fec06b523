# Trialdesk: `make run` to try it, `make test` to check it. Needs only Python 3.11 and apt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# Every installed version comes from these locks (hashes checked), so an installation can be reproduced.
LOCK := requirements.lock
TEST_LOCK := requirements-test.lock
BENCH_LOCK := requirements-bench.lock
UV := $(BIN)/uv
UV_VERSION := 0.13.9
COMPILE = $(UV) pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" $(UPGRADE) pyproject.toml
export TRIALDESK_DATA_DIR ?= $(CURDIR)/var
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run serve install install-test lock lock-upgrade system-deps test test-sqlite test-postgres test-browser lint bench bench-portfolio clean

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(TEST_STAMP): $(STAMP) $(TEST_LOCK)
	$(BIN)/pip install --quiet --require-hashes -r $(TEST_LOCK)
	touch $@

install: $(STAMP)
install-test: $(TEST_STAMP)

# After changing dependencies in pyproject.toml: keeps every pin that still fits, adds and drops the rest
# (needs PyPI). tests/test_dependency_lock.py fails while pyproject.toml and the locks disagree.
lock:
	test -x $(BIN)/pip || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(COMPILE) -o $(LOCK)
	$(COMPILE) --extra test -c $(LOCK) -o $(TEST_LOCK)
	$(COMPILE) --extra bench -c $(TEST_LOCK) -o $(BENCH_LOCK)

# On purpose: every pin to the newest release pyproject.toml allows, or only PACKAGES="holidays scipy".
lock-upgrade:
	$(MAKE) lock UPGRADE="$(if $(PACKAGES),$(addprefix --upgrade-package ,$(PACKAGES)),--upgrade)"

# Development: DEBUG=1 (a fixed SECRET_KEY, plain HTTP); production sets SECRET_KEY (README, "Running
# Trialdesk for real") and refuses to start without it.
run lint bench bench-portfolio: export DEBUG = 1

run: $(STAMP)
	mkdir -p $(TRIALDESK_DATA_DIR)
	$(BIN)/trialdesk migrate --no-input -v0
	$(BIN)/trialdesk demo --if-empty
	$(BIN)/trialdesk runserver 127.0.0.1:8000

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
	$(BIN)/lint-imports --no-cache

test-sqlite: $(TEST_STAMP)
	TRIALDESK_TEST_CLOCK=23:30 $(BIN)/pytest -n 2 -m "not browser"

test-postgres: $(TEST_STAMP) system-deps
	scripts/with-postgres $(BIN)/pytest -n 2 -m "not browser" --database-tests-only

test-browser: $(TEST_STAMP) system-deps
	$(BIN)/pytest -m browser

test: system-deps lint test-sqlite test-postgres test-browser

# Every benchmark at a quick size, on SQLite, then the summary table (benchmarks/README.md); not in `test`.
bench: $(TEST_STAMP)
	$(BIN)/pip install --quiet --require-hashes -r $(BENCH_LOCK)  # pandas, locust: pinned like the rest
	$(BIN)/python benchmarks/run_all.py --data $(CURDIR)/var/bench

# The portfolio at full size (1,000 studies, 20,000 sites) on SQLite and on a throwaway PostgreSQL.
bench-portfolio: $(TEST_STAMP)
	$(BIN)/python benchmarks/generate.py --studies 1000 --sites-per-study 20 --database $(CURDIR)/var/bench.sqlite3
	$(BIN)/python benchmarks/bench_portfolio.py --database $(CURDIR)/var/bench.sqlite3
	scripts/with-postgres sh -c '$(BIN)/python benchmarks/generate.py --studies 1000 --sites-per-study 20 && $(BIN)/python benchmarks/bench_portfolio.py'

clean:
	rm -rf $(VENV) var
