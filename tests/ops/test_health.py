"""/healthz and /readyz (partnerskap/health.py)."""

from __future__ import annotations

import json

import pytest
from django.core.cache.backends.base import BaseCache
from django.db import OperationalError

from partnerskap import health

pytestmark = pytest.mark.django_db


class BrokenCache(BaseCache):
    """A cache server that does not answer."""

    def __init__(self, location, params):
        super().__init__(params)

    def set(self, *args, **kwargs):
        raise ConnectionError("connection refused")

    get = add = delete = set


@pytest.fixture
def broken_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "tests.ops.test_health.BrokenCache"}}


def test_healthz_answers_without_the_database(client, django_assert_num_queries, users):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]
    # A browser with a session does not make it look the user up either.
    client.force_login(users["planner"])
    with django_assert_num_queries(0):
        assert client.get("/healthz").status_code == 200


def test_healthz_answers_while_the_database_is_down(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", refuse)
    assert client.get("/healthz").status_code == 200


def test_readyz_reports_every_check(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache"}
    for check in body["checks"].values():
        assert check["status"] == "ok" and check["duration_ms"] >= 0


def test_readyz_is_503_naming_the_cache_when_it_does_not_answer(client, broken_cache):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["status"] == "ok"
    # The exception's class, not its message (which can name hosts and ports).
    assert body["checks"]["cache"] == {
        "status": "error",
        "error": "ConnectionError",
        "duration_ms": body["checks"]["cache"]["duration_ms"],
    }
    assert "refused" not in response.content.decode()


def test_readyz_is_503_naming_the_database_when_it_does_not_answer(client, monkeypatch):
    def refuse():
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setitem(health.CHECKS, "database", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = json.loads(response.content)["checks"]
    assert checks["database"]["status"] == "error"
    assert checks["database"]["error"] == "OperationalError"
    assert checks["cache"]["status"] == "ok"


def test_readyz_cache_check_reads_back_what_it_wrote(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    # A cache that accepts writes and forgets them is not a working cache.
    with pytest.raises(RuntimeError, match="did not return"):
        health.check_cache()


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_are_exempt_from_the_ssl_redirect_but_not_from_host_checks(client, settings, path):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/").status_code == 301
    assert client.get(path).status_code == 200
    assert client.get(path, HTTP_HOST="evil.example").status_code == 400


def test_probes_only_read(client):
    assert client.post("/healthz").status_code == 405
    assert client.head("/readyz").status_code == 200
