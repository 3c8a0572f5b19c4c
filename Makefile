# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
# make run listens here: PORT=8001 make run when 8000 is taken.
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

CATALOGS := $(patsubst %.po,%.mo,$(wildcard flows/locales/*/LC_MESSAGES/messages.po admin/panel/locales/*/LC_MESSAGES/panel.po))

.PHONY: run test lint format migrate demo clean catalogs bench lock audit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

## Everything is installed at the versions pinned in requirements.lock (make lock rewrites
## it from pyproject.toml); the project itself goes in editable, without touching the pins.
LOCK := requirements.lock

$(STAMP): pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url --no-emit-find-links --output-file $(LOCK) pyproject.toml

## make audit: known vulnerabilities in the pinned versions (pip-audit, PyPI's advisory data).
audit: $(STAMP)
	$(BIN)/pip-audit --progress-spinner off --no-deps -r $(LOCK)

## The translations, compiled by the build (the .mo files are not committed).
%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

catalogs: $(CATALOGS)

## make run: install, migrate, seed demo data, serve http://127.0.0.1:$(PORT) with the worker.
## Quiet hours are off here so the demo check-in arrives at any hour (set them to try them).
run: export QUIET_HOURS_START ?= 0
run: export QUIET_HOURS_END ?= 0
run: $(STAMP) catalogs
	$(BIN)/jolserik db upgrade
	$(BIN)/jolserik demo --url http://127.0.0.1:$(PORT)
	$(BIN)/jolserik serve --host 127.0.0.1 --port $(PORT)

## make test: ruff and mypy, then the whole suite on SQLite, then on PostgreSQL if TEST_DATABASE_URL is set.
## The panel's browser tests drive Debian's Chromium; without one they are skipped, and said so.
## The suite runs in one process per core (pytest-xdist; each with its own database), a test
## file per process at a time; PYTEST_WORKERS=0 runs it in this process alone.
PYTEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile
test: $(STAMP) catalogs
	$(BIN)/ruff check .
	$(BIN)/mypy
	@if [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1; then \
		echo "browser tests: with $$(command -v chromium || echo /usr/bin/chromium)"; \
	else \
		echo "browser tests: SKIPPED, no Chromium here (apt-get install chromium to run them)"; \
	fi
	env -u TEST_DATABASE_URL $(PYTEST) -rs
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL =="; \
		$(PYTEST); \
	fi

## make bench: the benchmarks on SQLite (BENCH_DATABASE_URL=postgresql+psycopg://… for PostgreSQL);
## each prints a table and writes JSON under bench/results/.
bench: $(STAMP) catalogs
	$(BIN)/python -m bench.panel
	$(BIN)/python -m bench.back_office
	$(BIN)/python -m bench.reports
	$(BIN)/python bench/understanding.py
	$(BIN)/python bench/sweeps.py --people 20000
	$(BIN)/python -m bench.inbound --seconds 5
	$(BIN)/python -m bench.processing
	$(BIN)/python -m bench.dispatch --messages 3000
	$(BIN)/python -m bench.dispatch --channel sms

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: $(STAMP)
	$(BIN)/jolserik db upgrade

demo: $(STAMP)
	$(BIN)/jolserik demo

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache $(CATALOGS)
