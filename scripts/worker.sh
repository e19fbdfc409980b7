#!/usr/bin/env bash
# The background task worker next to `make serve` (`make worker`, in a second terminal): the
# same production settings as scripts/serve.sh, then exec manage.py db_worker, which runs the
# tasks the app enqueued in PostgreSQL (TASKS_BACKEND=database in production). Stops after the
# task in hand on SIGTERM/Ctrl-C. Several workers (on several hosts) may run at once: each
# claims its task row with SELECT … FOR UPDATE SKIP LOCKED.
#   DATABASE_URL  postgres:///portal
#   SECRET_KEY    from the environment, else var/secret_key (made by serve.sh on first use)
#   WORKER_ARGS   extra db_worker arguments, e.g. "--batch" (run what is queued, then exit)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -x .venv/bin/python ]; then PYTHON=${PYTHON:-.venv/bin/python}; else PYTHON=${PYTHON:-python}; fi

export DJANGO_PRODUCTION=1
export DATABASE_URL=${DATABASE_URL:-postgres:///portal}
export DJANGO_PLAIN_HTTP=${DJANGO_PLAIN_HTTP:-1}
if [ -z "${SECRET_KEY:-}" ]; then
  mkdir -p var
  if [ ! -s var/secret_key ]; then
    (umask 077 && "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(64))' >var/secret_key)
  fi
  SECRET_KEY=$(cat var/secret_key)
  export SECRET_KEY
fi

# shellcheck disable=SC2086  # WORKER_ARGS is a list of words
exec "$PYTHON" manage.py db_worker --no-reload --queue-name '*' ${WORKER_ARGS:-}
