"""The serving settings (partnerskap/settings.py, block «Serving»): production mode's middleware
order and JSON logs, and the local plain-http switch of `make serve`."""

from __future__ import annotations

import json
import sys

from .conftest import TEST_SECRET_KEY, manage, run_failing

PRODUCTION = {
    "DJANGO_PRODUCTION": "1",
    "SECRET_KEY": TEST_SECRET_KEY,
    "ALLOWED_HOSTS": "portal.example.no",
    "DATABASE_URL": "sqlite://:memory:",
}

SHOW = """
import json, logging
from django.conf import settings
logging.getLogger("tiltak.services").warning("Tiltak %s lagret", 42)
print(json.dumps({"middleware": settings.MIDDLEWARE, "ssl_header": settings.SECURE_PROXY_SSL_HEADER}))
"""


def test_production_middleware_order_and_json_logs():
    result = manage("shell", "-c", SHOW, **PRODUCTION)
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    middleware = shown["middleware"]
    # The request id outermost; WhiteNoise answers static files before gzip and the session.
    assert middleware[:4] == [
        "partnerskap.logging.RequestIdMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "partnerskap.compression.TextGZipMiddleware",
    ]
    # Bad input (a NUL) is refused before the session store reads the cookie.
    assert middleware[4:6] == [
        "partnerskap.middleware.BadInputMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
    ]
    # Outside gunicorn Django reads X-Forwarded-Proto itself, as before.
    assert shown["ssl_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    (line,) = [line for line in result.stderr.splitlines() if "lagret" in line]
    entry = json.loads(line)
    assert (entry["level"], entry["logger"], entry["message"]) == (
        "WARNING",
        "tiltak.services",
        "Tiltak 42 lagret",
    )


def test_under_gunicorn_the_scheme_is_the_servers():
    result = manage("shell", "-c", SHOW, DJANGO_SCHEME_FROM_SERVER="1", **PRODUCTION)
    assert json.loads(result.stdout.strip().splitlines()[-1])["ssl_header"] is None


def test_plain_http_passes_the_deploy_check_by_silencing_exactly_its_three_warnings():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", DJANGO_PLAIN_HTTP="1", **PRODUCTION
    )
    assert "no issues (3 silenced)" in result.stdout


def test_turning_the_ssl_redirect_off_alone_still_fails_the_deploy_check():
    result = run_failing(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        SECURE_SSL_REDIRECT="0",
        **PRODUCTION,
    )
    assert "security.W008" in result.stderr + result.stdout


def test_log_format_must_be_known():
    result = run_failing([sys.executable, "manage.py", "check"], LOG_FORMAT="yaml", **PRODUCTION)
    assert "LOG_FORMAT must be" in result.stderr
