"""The login throttle (issue 7, point 19): counted in the shared cache, so failures in two
worker processes count together; per account from anywhere, and per client address with a
higher limit, the address taken from X-Forwarded-For only behind configured proxies."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory

from partnerskap import forms as login_forms
from partnerskap.forms import (
    LOGIN_FAILURE_LIMIT,
    LOGIN_FAILURE_LIMIT_PER_ADDRESS,
    EmailAuthenticationForm,
    client_address,
)
from tests.factories import BrukerFactory

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "riktig-passord-123"
LOGIN_URL = "/konto/logg-inn/"


def _login(email: str, password: str, **meta):
    return Client().post(LOGIN_URL, {"username": email, "password": password}, **meta)


def _codes(response) -> list[str]:
    if response.status_code == 302:
        return ["ok"]
    return [e.code for e in response.context["form"].non_field_errors().as_data()]


# --- The client address ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, None, "10.0.0.1"),
        (0, "6.6.6.6", "10.0.0.1"),  # written by the client: ignored without proxies
        (1, None, "10.0.0.1"),
        (1, "192.0.2.7", "192.0.2.7"),
        (1, "6.6.6.6, 192.0.2.7", "192.0.2.7"),  # the client's own entry is left of ours
        (2, "6.6.6.6, 192.0.2.7, 10.1.1.1", "192.0.2.7"),
        (2, "192.0.2.7", "192.0.2.7"),
    ],
)
def test_client_address_trusts_only_the_configured_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    meta = {"REMOTE_ADDR": "10.0.0.1"}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_address(RequestFactory().post(LOGIN_URL, **meta)) == expected


def test_the_default_is_no_proxy():
    assert django_settings.TRUSTED_PROXY_COUNT == 0


# --- Per account and per address ------------------------------------------------------------


@pytest.mark.django_db
def test_five_failures_lock_the_account_from_anywhere():
    user = BrukerFactory(email="planlegger@bfk.no")
    for n in range(LOGIN_FAILURE_LIMIT):
        response = _login(user.email, "feil", REMOTE_ADDR=f"10.0.0.{n + 1}")
        assert _codes(response) == ["invalid_login"]
    # The right password, from yet another address and with the address in another case.
    response = _login("Planlegger@BFK.no", PASSWORD, REMOTE_ADDR="10.9.9.9")
    assert _codes(response) == ["throttled"]
    # Other accounts from the same addresses are not affected.
    assert _codes(_login(BrukerFactory().email, PASSWORD, REMOTE_ADDR="10.0.0.1")) == ["ok"]


@pytest.mark.django_db
def test_many_failures_from_one_address_lock_that_address():
    user = BrukerFactory()
    for n in range(LOGIN_FAILURE_LIMIT_PER_ADDRESS):
        # A different (unknown) account each time: no account reaches its own limit.
        _login(f"gjett{n}@example.no", "feil", REMOTE_ADDR="198.51.100.4")
    assert _codes(_login(user.email, PASSWORD, REMOTE_ADDR="198.51.100.4")) == ["throttled"]
    assert _codes(_login(user.email, PASSWORD, REMOTE_ADDR="198.51.100.5")) == ["ok"]


@pytest.mark.django_db
def test_a_spoofed_forwarded_for_is_ignored_without_proxies(monkeypatch):
    monkeypatch.setattr(login_forms, "LOGIN_FAILURE_LIMIT_PER_ADDRESS", 3)
    user = BrukerFactory()
    for n in range(3):
        _login(
            f"gjett{n}@example.no",
            "feil",
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}",
        )
    # A new made-up address does not help: the address is REMOTE_ADDR.
    response = _login(
        user.email, PASSWORD, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.99"
    )
    assert _codes(response) == ["throttled"]


@pytest.mark.django_db
def test_behind_a_proxy_clients_are_told_apart_by_the_forwarded_address(settings, monkeypatch):
    settings.TRUSTED_PROXY_COUNT = 1
    monkeypatch.setattr(login_forms, "LOGIN_FAILURE_LIMIT_PER_ADDRESS", 3)
    user = BrukerFactory()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}  # every request comes from the proxy
    for n in range(3):
        _login(f"gjett{n}@example.no", "feil", HTTP_X_FORWARDED_FOR="192.0.2.66", **proxy)
    # The attacker is locked out; someone else behind the same proxy is not.
    assert _codes(_login(user.email, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.66", **proxy)) == [
        "throttled"
    ]
    # The attacker writing another address in front of the proxy's entry changes nothing.
    spoofed = _login(user.email, PASSWORD, HTTP_X_FORWARDED_FOR="7.7.7.7, 192.0.2.66", **proxy)
    assert _codes(spoofed) == ["throttled"]
    assert _codes(_login(user.email, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.77", **proxy)) == [
        "ok"
    ]


# --- Two processes, one count ---------------------------------------------------------------

ATTEMPTS = """
import json, os, sys
import django
django.setup()
from django.conf import settings
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
from django.test import RequestFactory
from partnerskap.forms import EmailAuthenticationForm
email, address, *passwords = sys.argv[1:]
codes = []
for password in passwords:
    request = RequestFactory().post("/konto/logg-inn/", REMOTE_ADDR=address)
    form = EmailAuthenticationForm(request, data={"username": email, "password": password})
    codes.append("ok" if form.is_valid() else form.non_field_errors().as_data()[0].code)
print(json.dumps(codes))
"""


def _database_url(tmp_path: Path) -> str:
    """A URL another process can open for the data this test committed: the PostgreSQL test
    database itself, or for SQLite (whose test database lives in this process's memory) a
    file copy of it."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
        host = (db["HOST"] or "") + (f":{db['PORT']}" if db["PORT"] else "")
        return f"postgres://{auth + '@' if auth else ''}{host}/{db['NAME']}"
    path = tmp_path / "shared.sqlite3"
    target = sqlite3.connect(path)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}"


def _attempts(url: str, email: str, address: str, *passwords: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_PRODUCTION"}}
    result = subprocess.run(
        [sys.executable, "-c", ATTEMPTS, email, address, *passwords],
        cwd=ROOT,
        env={**env, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "partnerskap.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.django_db(transaction=True)
def test_failures_in_two_processes_count_together(tmp_path):
    user = BrukerFactory(email="styret@bfk.no")
    try:
        url = _database_url(tmp_path)
        # Process 1 fails three times, process 2 twice more (the LocMem cache gave each
        # process its own five), then process 2 is refused the right password.
        assert (
            _attempts(url, user.email, "10.0.0.1", "feil", "feil", "feil") == ["invalid_login"] * 3
        )
        assert _attempts(url, user.email, "10.0.0.2", "feil", "feil", PASSWORD) == [
            "invalid_login",
            "invalid_login",
            "throttled",
        ]
        if connection.vendor == "postgresql":
            # This process shares the database too, so it sees the lock as well.
            request = RequestFactory().post(LOGIN_URL, REMOTE_ADDR="10.0.0.3")
            form = EmailAuthenticationForm(
                request, data={"username": user.email, "password": PASSWORD}
            )
            assert not form.is_valid()
            assert form.non_field_errors().as_data()[0].code == "throttled"
        else:
            # A third process, same file.
            assert _attempts(url, user.email, "10.0.0.3", PASSWORD) == ["throttled"]
    finally:
        cache.clear()


# --- Where the cache is ---------------------------------------------------------------------

SHOW_CACHE = """
import django
django.setup()
from django.core.cache import caches
cache = caches["default"]
print(type(cache).__module__ + "." + type(cache).__name__, getattr(cache, "_servers", ""))
"""


@pytest.mark.parametrize(
    ("redis_url", "expected"),
    [
        (None, "django.core.cache.backends.db.DatabaseCache"),
        ("redis://127.0.0.1:6379/2", "django.core.cache.backends.redis.RedisCache"),
    ],
)
def test_the_cache_is_shared_database_or_redis(redis_url, expected):
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    if redis_url:
        env["REDIS_URL"] = redis_url
    result = subprocess.run(
        [sys.executable, "-c", SHOW_CACHE],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "partnerskap.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    backend = result.stdout.split()[0]
    assert backend == expected
    if redis_url:
        assert redis_url in result.stdout
        import redis  # noqa: F401  (the client RedisCache needs is installed)
