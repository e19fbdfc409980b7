"""REDIS_URL: the shared cache, and with it the login throttle, lives in Redis (a private
redis-server started for the test session), not in the database's cache table."""

from __future__ import annotations

import json

import pytest
import redis
from django.core.cache import cache
from django.db import connection
from django.test import Client

from partnerskap.forms import LOGIN_FAILURE_LIMIT
from tests.factories import BrukerFactory

from .conftest import TEST_SECRET_KEY, manage, requires_postgres_and_redis

pytestmark = requires_postgres_and_redis

PASSWORD = "riktig-passord-123"


def _redis_cache(url: str) -> dict:
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}


def test_redis_url_selects_djangos_redis_cache(redis_url, tmp_path):
    shown = manage(
        "shell",
        "-c",
        "import json; from django.conf import settings; print(json.dumps(settings.CACHES))",
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        REDIS_URL=redis_url,
        DJANGO_PRODUCTION="1",
        SECRET_KEY=TEST_SECRET_KEY,
    )
    assert json.loads(shown.stdout.strip().splitlines()[-1]) == _redis_cache(redis_url)


@pytest.mark.django_db
def test_the_cache_and_the_login_throttle_are_in_redis(settings, redis_url):
    settings.CACHES = _redis_cache(redis_url)
    direct = redis.Redis.from_url(redis_url)
    direct.flushdb()
    cache.set("ops-probe", "i redis", 60)
    assert cache.get("ops-probe") == "i redis"
    assert any(key.endswith(b"ops-probe") for key in direct.keys("*"))

    user = BrukerFactory(email="laas@example.no", password=PASSWORD)
    for _ in range(LOGIN_FAILURE_LIMIT):
        response = Client().post(
            "/konto/logg-inn/", {"username": user.email, "password": "feil-passord"}
        )
        assert response.status_code == 200
    refused = Client().post("/konto/logg-inn/", {"username": user.email, "password": PASSWORD})
    assert refused.status_code == 200
    assert [e.code for e in refused.context["form"].non_field_errors().as_data()] == ["throttled"]
    # The counts are Redis keys; the database's cache table holds none of them.
    account_keys = [k for k in direct.keys("*") if b"login-failures:account:" in k]
    assert len(account_keys) == 1
    assert int(cache.get(account_keys[0].decode().split(":", 2)[2])) == LOGIN_FAILURE_LIMIT
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM portal_cache WHERE cache_key LIKE %s", ["%login%"])
        assert cursor.fetchone()[0] == 0
    direct.flushdb()
    # Redis emptied: the lock is gone with it (the throttle reads nothing else).
    assert (
        Client()
        .post("/konto/logg-inn/", {"username": user.email, "password": PASSWORD})
        .status_code
        == 302
    )
