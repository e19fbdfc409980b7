# syntax=docker/dockerfile:1
# Partnerskapsportalen in production mode under gunicorn (README «Running in production»).
# Not built in CI: there is no container runtime on the CI machines. tests/ops/test_deploy_files.py
# checks that what this file names exists and matches the project.

# --- build: the runtime dependencies at the versions of requirements.lock (no dev tools) --------
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml requirements.lock ./
# uv at the pinned version; pyproject.toml's dependencies (not the dev extra), each constrained
# to the version in requirements.lock.
RUN python -m venv /opt/venv \
 && pip install "$(grep -E '^uv==' requirements.lock)" \
 && uv pip install --python /opt/venv/bin/python --no-cache \
      -r pyproject.toml -c requirements.lock

# --- run ------------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_PRODUCTION=1 \
    GUNICORN_BIND=0.0.0.0:8000 \
    MEDIA_ROOT=/app/var/media

# The run-time part of scripts/setup-system.sh: pango and harfbuzz for WeasyPrint, the fonts the
# PDFs use, and the PostgreSQL 15 client for scripts/backup.sh and restore.sh. Chromium, gettext
# and poppler-utils are for tests and translators only (the .mo files are committed).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-dejavu-core fonts-noto-core fonts-inter \
      postgresql-client-15 \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system portal \
 && useradd --system --gid portal --home-dir /app --no-create-home --shell /usr/sbin/nologin portal

COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY manage.py gunicorn.conf.py pyproject.toml ./
COPY partnerskap/ partnerskap/
COPY tiltak/ tiltak/
COPY hoering/ hoering/
COPY rapportering/ rapportering/
COPY templates/ templates/
COPY static/ static/
COPY locale/ locale/
COPY fixtures/ fixtures/
COPY scripts/backup.sh scripts/restore.sh scripts/serve.sh scripts/

# Static files are part of the image: hashed, compressed, read-only at run time. The key only
# satisfies the settings during the build; nothing is signed with it.
RUN SECRET_KEY=collectstatic-at-build-time-only DATABASE_URL=sqlite:////tmp/build.sqlite3 \
      python manage.py collectstatic --noinput -v 0 \
 && rm -f /tmp/build.sqlite3 \
 && mkdir -p /app/var/media \
 && chown -R portal:portal /app/var

USER portal
EXPOSE 8000
# Liveness only (no database): /readyz is for the load balancer. The probe's Host header
# (127.0.0.1) must be in ALLOWED_HOSTS.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# gunicorn is PID 1 and gets SIGTERM directly: requests in flight finish (graceful_timeout).
CMD ["gunicorn", "-c", "/app/gunicorn.conf.py"]
