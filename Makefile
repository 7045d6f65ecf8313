# The two commands of the README: `make run` and `make test`. Both create their own virtual environment.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test venv lint format clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

## Set up everything and start the portal on SQLite with demo data at http://127.0.0.1:8000/
run: venv
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py demo
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

## Set up everything and run the whole test suite (SQLite, or PostgreSQL when DATABASE_URL says so)
test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 .test-db.sqlite3* staticfiles test-artifacts

# --- make bench (issue 8) ------------------------------------------------------------------------
# Benchmark at a large employer's scale: builds its own dataset in bench.sqlite3 (or, with DATABASE_URL,
# in the PostgreSQL database "bench" on that server), prints one table, writes bench-results.json and
# bench-scaling.png. Not part of `make test`. Options: make bench BENCH_ARGS="--help".
.PHONY: bench
bench: venv
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)
