#!/usr/bin/env bash
# Production mode under gunicorn (`make serve`): migrate, createcachetable, collectstatic,
# check --deploy, then exec
# gunicorn -c gunicorn.conf.py, which stops cleanly on SIGTERM (graceful_timeout).
#
# Defaults are for a local trial on this machine; every one is an environment variable
# (README «Running in production»):
#   DATABASE_URL   postgres:///portal
#   SECRET_KEY     from the environment, else generated once into var/secret_key (local use only)
#   ALLOWED_HOSTS  127.0.0.1,localhost
#   GUNICORN_BIND  127.0.0.1:8000
#   DJANGO_PLAIN_HTTP  1 when every bind address is on the loopback (plain http, no redirect to
#                  https, no Secure cookies), else 0: behind the TLS proxy in real production
# SERVE_SKIP_PREPARE=1 skips migrate/collectstatic/check (they already ran for this release).
# stdout carries only gunicorn's access log (JSON lines); everything else goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

# The project's .venv when there is one (make setup), else what is on PATH (the Docker image).
if [ -x .venv/bin/python ]; then VENV_BIN=.venv/bin/; else VENV_BIN=; fi
PYTHON=${PYTHON:-${VENV_BIN}python}
GUNICORN=${GUNICORN:-${VENV_BIN}gunicorn}

export DJANGO_PRODUCTION=1
export DATABASE_URL=${DATABASE_URL:-postgres:///portal}
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
export GUNICORN_BIND=${GUNICORN_BIND:-127.0.0.1:8000}

if [ -z "${SECRET_KEY:-}" ]; then
  mkdir -p var
  if [ ! -s var/secret_key ]; then
    (umask 077 && "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(64))' >var/secret_key)
  fi
  SECRET_KEY=$(cat var/secret_key)
  export SECRET_KEY
  echo "serve: SECRET_KEY from var/secret_key (local use; set SECRET_KEY in production)" >&2
fi

if [ -z "${DJANGO_PLAIN_HTTP:-}" ]; then
  DJANGO_PLAIN_HTTP=1
  IFS=',' read -ra binds <<<"$GUNICORN_BIND"
  for address in "${binds[@]}"; do
    case "${address// /}" in
      127.0.0.1:* | localhost:* | "[::1]":*) ;;
      *) DJANGO_PLAIN_HTTP=0 ;;
    esac
  done
  export DJANGO_PLAIN_HTTP
fi
if [ "$DJANGO_PLAIN_HTTP" = 1 ]; then
  echo "serve: plain http on $GUNICORN_BIND (DJANGO_PLAIN_HTTP=1); behind a TLS proxy in production" >&2
fi

if [ "${SERVE_SKIP_PREPARE:-0}" != 1 ]; then
  "$PYTHON" manage.py migrate --noinput -v 0 >&2
  # The shared cache and login throttle table (unless REDIS_URL); a no-op when it exists.
  "$PYTHON" manage.py createcachetable >&2
  "$PYTHON" manage.py collectstatic --noinput -v 0 >&2
  "$PYTHON" manage.py check --deploy --fail-level WARNING >&2
fi

exec "$GUNICORN" -c gunicorn.conf.py
