# Partnerskapsportalen: one entry point for setting up, running, testing and linting.
# `make run` for a development server on SQLite, `make test` for what CI runs (.ci/run).
# Everything installs itself from the project's own files; a fresh machine needs only `make`.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# Stages must run in the order given (setup before lint before the test passes).
.NOTPARALLEL:

VENV    := .venv
PYTHON  := $(VENV)/bin/python
MANAGE  := $(PYTHON) manage.py
PYTEST  := $(VENV)/bin/pytest
RUFF    := $(VENV)/bin/ruff
DJLINT  := $(VENV)/bin/djlint

# PostgreSQL pass: local cluster over the Unix socket as the `root` role (scripts/setup-postgres.sh).
POSTGRES_URL ?= postgres:///portal
# Workers for the parallel passes; the CI machines have 2 cores.
XDIST       ?= -n 2
# Extra pytest arguments, e.g. make test-sqlite PYTEST_ARGS="-k hoering -x"
PYTEST_ARGS ?=
HOST_PORT   ?= 127.0.0.1:8000
# make serve: gunicorn's address (plain http on the loopback; README «Running in production»)
SERVE_BIND  ?= 127.0.0.1:8000

stage = @printf '\n\033[1m==> %s\033[0m\n' "$(1)"

.PHONY: help setup setup-system setup-python setup-postgres compilemessages run \
        test test-sqlite test-postgres test-browser lint fmt bench messages vendor clean \
        serve worker periodic load rush backup restore

help:
	@echo "make setup          install system packages, .venv, PostgreSQL; compile translations"
	@echo "make run            setup, migrate, load demo data, runserver on $(HOST_PORT)"
	@echo "                    (SQLite in var/ unless DATABASE_URL is set)"
	@echo "make test           lint + test-sqlite + test-postgres + test-browser (what CI runs)"
	@echo "make test-sqlite    pytest -n 2 on SQLite, browser tests excluded"
	@echo "make test-postgres  pytest -n 2 on PostgreSQL ($(POSTGRES_URL)), browser tests excluded"
	@echo "make test-browser   pytest -m browser (Playwright + Debian chromium), not parallel"
	@echo "make lint           ruff check, ruff format --check, djlint, makemigrations --check, mypy"
	@echo "make fmt            ruff format + ruff check --fix"
	@echo "make bench          manage.py bench"
	@echo "make messages       makemessages nb/nn/en + compilemessages"
	@echo "make vendor         refresh static/vendor/ from npm (scripts/vendor.sh)"
	@echo "make clean          remove caches and collected static files"
	@echo "make serve          production mode under gunicorn on $(SERVE_BIND) (PostgreSQL;"
	@echo "                    migrate, collectstatic, check --deploy first; scripts/serve.sh)"
	@echo "make worker         the background task worker next to make serve (manage.py db_worker)"
	@echo "make periodic       the periodic jobs once (manage.py periodic; cron runs it)"
	@echo "make load           Locust load test against gunicorn on PostgreSQL with demo data"
	@echo "                    (127.0.0.1 only, bounded; scripts/load.py; not part of make test)"
	@echo "make rush           a hearing's deadline rush (Locust, 60 organisations, double clicks,"
	@echo "                    late requests) against gunicorn on PostgreSQL; checks the database"
	@echo "                    afterwards and prints PASS/FAIL (scripts/rush.py; not in make test)"
	@echo "make backup         pg_dump + media into var/backups/portal-<time>/ (scripts/backup.sh)"
	@echo "make restore BACKUP=var/backups/portal-<time>  into an empty DATABASE_URL database"

# --- setup -----------------------------------------------------------------------------------

setup: setup-system setup-python setup-postgres compilemessages

setup-system:
	$(call stage,setup: system packages)
	bash scripts/setup-system.sh

setup-python:
	$(call stage,setup: Python environment)
	bash scripts/setup-python.sh

# A missing PostgreSQL must not stop `make run` on SQLite; test-postgres checks it again and fails.
setup-postgres:
	$(call stage,setup: PostgreSQL)
	bash scripts/setup-postgres.sh || \
	  echo "WARNING: PostgreSQL setup failed; SQLite still works, make test-postgres will not." >&2

compilemessages: setup-python
	$(MANAGE) compilemessages --ignore=$(VENV) --ignore=node_modules -v 0

# --- run -------------------------------------------------------------------------------------

run: setup
	$(call stage,run: migrate + cache table + demo data)
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable
	$(MANAGE) load_demo
	$(MANAGE) load_demo_hoering
	$(MANAGE) load_demo_rapportering
	$(MANAGE) load_demo_verksted
	$(MANAGE) load_demo_kompetanse
	$(call stage,run: http://$(HOST_PORT)/)
	$(MANAGE) runserver $(HOST_PORT)

# --- quality ---------------------------------------------------------------------------------

lint: setup-python
	$(call stage,lint: ruff check)
	$(RUFF) check .
	$(call stage,lint: ruff format --check)
	$(RUFF) format --check .
	$(call stage,lint: djlint templates)
	$(DJLINT) templates --lint
	$(call stage,lint: makemigrations --check)
	$(MANAGE) makemigrations --check --dry-run
	$(call stage,lint: mypy (services, selectors, access layer))
	$(VENV)/bin/mypy

fmt: setup-python
	$(RUFF) format .
	$(RUFF) check --fix .

# pytest exit code 5 (no tests collected) is a failure in every pass, as any non-zero code is.
test: setup lint test-sqlite test-postgres test-browser
	$(call stage,test: all passes green)

test-sqlite: setup
	$(call stage,test: SQLite (pytest $(XDIST)))
	env -u DATABASE_URL $(PYTEST) $(XDIST) -m "not browser" $(PYTEST_ARGS)

test-postgres: setup
	$(call stage,test: PostgreSQL $(POSTGRES_URL) (pytest $(XDIST)))
	bash scripts/setup-postgres.sh
	DATABASE_URL=$(POSTGRES_URL) $(PYTEST) $(XDIST) -m "not browser" $(PYTEST_ARGS)

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses that unless
# told it is safe (it is: one thread, no real async code).
test-browser: setup
	$(call stage,test: browser journeys (Chromium /usr/bin/chromium, SQLite))
	env -u DATABASE_URL DJANGO_ALLOW_ASYNC_UNSAFE=true \
	  $(PYTEST) -m browser -p no:xdist $(PYTEST_ARGS)

bench: setup
	$(call stage,bench)
	$(MANAGE) bench

# --- translations and assets -----------------------------------------------------------------

# No source locations and no obsolete entries: the .po files change only when a string does.
# The status report lists what still needs translating (it exits 1 then; `-` keeps make going).
messages: setup-python
	$(MANAGE) makemessages -l nb -l nn -l en --no-location --no-obsolete \
	  --ignore=$(VENV) --ignore=static/vendor --ignore=node_modules --ignore=var
	$(MANAGE) compilemessages --ignore=$(VENV) --ignore=node_modules
	-$(PYTHON) scripts/translations_status.py --no-extract

vendor:
	bash scripts/vendor.sh

clean:
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache staticfiles

# --- production mode and operations (README «Running in production», «Operations») ----------

# DATABASE_URL from the environment, else the local cluster's `portal` database (started here).
serve: setup
	$(call stage,serve: gunicorn on http://$(SERVE_BIND)/ (production mode))
	if [ -z "$${DATABASE_URL:-}" ]; then bash scripts/setup-postgres.sh; fi
	DATABASE_URL=$${DATABASE_URL:-$(POSTGRES_URL)} GUNICORN_BIND=$(SERVE_BIND) bash scripts/serve.sh

# The task worker for `make serve` (in a second terminal): production mode enqueues tasks in the
# database (TASKS_BACKEND=database) and this runs them. compose.yaml's `worker` service is the same.
worker: setup
	$(call stage,worker: manage.py db_worker (tasks from $${DATABASE_URL:-$(POSTGRES_URL)}))
	DATABASE_URL=$${DATABASE_URL:-$(POSTGRES_URL)} bash scripts/worker.sh

# What cron runs every 10 minutes: */10 * * * * cd /srv/portal && make periodic
periodic:
	DATABASE_URL=$${DATABASE_URL:-$(POSTGRES_URL)} $(MANAGE) periodic

# Load test (README «Load test»): its own PostgreSQL database with the demo data, gunicorn at 1 and
# 2 workers on 127.0.0.1, Locust headless with rising users; LOAD_ARGS="--max-users 40" etc.
LOAD_ARGS ?=
load: setup
	$(call stage,load: Locust against gunicorn on PostgreSQL (scripts/load.py))
	bash scripts/setup-postgres.sh
	$(PYTHON) scripts/load.py $(LOAD_ARGS)

# The deadline rush of a hearing (issue 9): ≥ 50 organisations save and submit in the last
# minute against gunicorn on PostgreSQL; the database is checked afterwards (PASS/FAIL).
rush: setup
	$(call stage,rush: a hearing's deadline rush against gunicorn on PostgreSQL (scripts/rush.py))
	bash scripts/setup-postgres.sh
	$(PYTHON) scripts/rush.py $(RUSH_ARGS)

backup:
	DATABASE_URL=$${DATABASE_URL:-$(POSTGRES_URL)} bash scripts/backup.sh

restore:
	@[ -n "$(BACKUP)" ] || { echo "usage: make restore BACKUP=var/backups/portal-<time>" >&2; exit 2; }
	DATABASE_URL=$${DATABASE_URL:-$(POSTGRES_URL)} bash scripts/restore.sh "$(BACKUP)"
