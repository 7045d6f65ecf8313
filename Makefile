# The two commands of the README: `make run` and `make test`. Both create their own virtual environment.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SERVE_PORT ?= 8000
RUN_PORT ?= 8000

.PHONY: run test test-fast venv lint format clean serve migrate

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

## Set up everything and start the portal on SQLite with demo data at http://127.0.0.1:8000/ (RUN_PORT=…), with the outbox
## worker beside it (its mails are printed to this console). One Ctrl-C stops both.
run: venv
	DEBUG=1 $(BIN)/python manage.py migrate_locked
	@# The demo's list of logins and the mails' links point at this server's port unless PORTAL_URL says otherwise.
	@export PORTAL_URL=$${PORTAL_URL:-http://localhost:$(RUN_PORT)}; \
	DEBUG=1 $(BIN)/python manage.py demo || exit $$?; \
	DEBUG=1 $(BIN)/python manage.py outbox_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(RUN_PORT)

## The release step: the database migrations, once, under a lock (several servers may start together).
migrate: venv
	$(BIN)/python manage.py migrate_locked

## Production settings (DEBUG off) under gunicorn on 127.0.0.1:8000 (SERVE_PORT=…) with the outbox worker, behind a
## TLS proxy: checks the configuration, collectstatic, migrate_locked, then zvk_portal/serve.py supervises both
## (a worker that dies is started again; SIGTERM or Ctrl-C stops both gracefully). Needs the production .env
## (docs/operations.md); a try-out over plain http adds INSECURE_LOCAL_HTTP=1.
serve: venv
	@# exec: the supervisor is make's own child, so a SIGTERM to make reaches it (make passes SIGTERM to its children).
	@exec $(BIN)/python -m zvk_portal.serve --port $(SERVE_PORT) $(SERVE_ARGS)

## Set up everything and run the whole test suite (SQLite, or PostgreSQL when DATABASE_URL says so)
test: venv
	@# The browser tests need Debian's Chromium (installed when missing and root); -m 'not e2e' skips them.
	@case "$(PYTEST_ARGS)" in *"not e2e"*) ;; *) scripts/ensure-chromium ;; esac
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## The whole suite without the browser tests (a minute or two; `make test` stays the whole suite)
test-fast: venv
	$(BIN)/python -m pytest -m "not e2e" $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3.migrate-lock .test-db.sqlite3* staticfiles test-artifacts

## Load test on loopback (not part of `make test` or CI): gunicorn on PostgreSQL, ~2 minutes.
## Uses its own database postgres://postgres@127.0.0.1:5432/loadtest (dropped and recreated each run).
.PHONY: loadtest
loadtest: venv
	$(BIN)/python scripts/loadtest.py $(LOADTEST_ARGS)

# --- make bench ------------------------------------------------------------------------------------
# Benchmark at the largest employer's scale: builds its own datasets in bench.sqlite3 and bench-tenth.sqlite3
# (or, with DATABASE_URL, in the PostgreSQL databases "bench" and "bench_tenth" on that server), prints the
# ratio budgets, writes bench-results.json and bench-scaling.png. Not part of `make test`. Options:
# make bench BENCH_ARGS="--help"; docs/performance.md.
.PHONY: bench
bench: venv
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)
