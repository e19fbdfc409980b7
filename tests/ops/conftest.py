"""Helpers for the operations tests: manage.py and scripts in subprocesses with a clean
environment, and PostgreSQL databases of their own (created and dropped here, never the test
database pytest-django made)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from psycopg2 import sql

ROOT = Path(__file__).resolve().parents[2]

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
requires_postgres = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="PostgreSQL pass only: pg_dump/pg_restore and gunicorn's production mode run on "
    "PostgreSQL (DATABASE_URL=postgres:///…)",
)

# A production-mode subprocess gets exactly these from the test, nothing from the browser pass.
_UNSET = {
    "DEBUG",
    "SECRET_KEY",
    "DJANGO_PRODUCTION",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DJANGO_PLAIN_HTTP",
    "DJANGO_SCHEME_FROM_SERVER",
    "DATABASE_URL",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "LOG_FORMAT",
    "LOG_LEVEL",
    "WEB_CONCURRENCY",
    "GUNICORN_BIND",
    "TRUSTED_PROXY_IPS",
    "FORWARDED_ALLOW_IPS",
}
TEST_SECRET_KEY = "ops-test-" + "Qm3vX8kR2pL7wN4tY6zB1cD5fG9hJ0sA" * 2


def clean_env(**env: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in _UNSET}
    return {**base, **env}


def run(args: list[str], timeout: float = 180, **env: str) -> subprocess.CompletedProcess:
    """Run a command in the project root with a clean environment plus `env`; fail loudly."""
    result = subprocess.run(
        args, cwd=ROOT, env=clean_env(**env), capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


def run_failing(args: list[str], timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    """Run a command that must fail; return its result for the message."""
    result = subprocess.run(
        args, cwd=ROOT, env=clean_env(**env), capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode != 0, f"{args} succeeded: {result.stdout}"
    return result


def manage(*args: str, timeout: float = 180, **env: str) -> subprocess.CompletedProcess:
    return run([sys.executable, "manage.py", *args], timeout=timeout, **env)


def database_url(name: str) -> str:
    """DATABASE_URL with the database name replaced (host, user and password kept)."""
    url = os.environ.get("DATABASE_URL", "postgres:///portal")
    base, _, query = url.partition("?")
    prefix = base.rsplit("/", 1)[0]
    return f"{prefix}/{name}" + (f"?{query}" if query else "")


def _admin_connection():
    connection = psycopg2.connect(database_url("postgres"))
    connection.autocommit = True
    return connection


class ScratchDatabases:
    """Creates databases named portal_ops_<random>_<label> and drops every one it made."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.prefix = f"portal_ops_{uuid.uuid4().hex[:8]}"

    def create(self, label: str) -> str:
        name = f"{self.prefix}_{label}"
        connection = _admin_connection()
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                self.names.append(name)
                # Throwaway data: commits need not wait for the disk (migrate is 2× faster).
                cursor.execute(
                    sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(
                        sql.Identifier(name)
                    )
                )
        finally:
            connection.close()
        return database_url(name)

    def drop_all(self) -> None:
        connection = _admin_connection()
        try:
            with connection.cursor() as cursor:
                for name in self.names:
                    cursor.execute(
                        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                            sql.Identifier(name)
                        )
                    )
        finally:
            connection.close()
        self.names.clear()


@pytest.fixture(scope="session")
def scratch_databases():
    databases = ScratchDatabases()
    yield databases
    databases.drop_all()


# An edit through the service, so the history has a row written by the portal, not the loader.
HISTORY_EDIT = """
from partnerskap.models import Bruker, BrukerRolle
from tiltak.models import Tiltak
from tiltak.services.tiltak import tiltak_update

actor = Bruker.objects.create_user(email="ops-test@example.no", rolle=BrukerRolle.ADMINISTRATOR)
tiltak = Tiltak.objects.filter(tema__program__navn__startswith="Smart samhandling").order_by("pk")[0]
tiltak_update(
    actor=actor,
    tiltak=tiltak,
    expected_versjon=tiltak.versjon,
    reason="Endret i driftstesten",
    tittel=tiltak.tittel + " (endret)",
)
print(tiltak.pk)
"""


@pytest.fixture(scope="session")
def demo_database(scratch_databases):
    """A migrated PostgreSQL database with the demo data and one edit through a service:
    (DATABASE_URL, pk of the edited tiltak)."""
    if not ON_POSTGRES:
        pytest.skip("PostgreSQL pass only")
    url = scratch_databases.create("demo")
    manage("migrate", "--noinput", "-v", "0", DATABASE_URL=url)
    # The cache table, as `make run` and `make serve` make it, before the demo data: every write
    # replaces the rendered pages' version in the cache, and a test that starts gunicorn with
    # SERVE_SKIP_PREPARE=1 must not depend on another having run the preparation first.
    manage("createcachetable", DATABASE_URL=url)
    manage("load_demo", "-v", "0", DATABASE_URL=url)
    edited = manage("shell", "-c", HISTORY_EDIT, DATABASE_URL=url).stdout.strip().splitlines()[-1]
    return url, int(edited)


# --- Redis: a private redis-server per test session (Debian's, scripts/setup-system.sh) -------

requires_postgres_and_redis = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="PostgreSQL pass only: the Redis and scale-out tests run once, in the PostgreSQL "
    "pass, against a private redis-server (DATABASE_URL=postgres:///…)",
)


def free_port(start: int = 18100, stop: int = 18400) -> int:
    """A port on 127.0.0.1 that nothing listens on now (random, so parallel runs differ)."""
    import random
    import socket

    ports = list(range(start, stop))
    random.shuffle(ports)
    for port in ports:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {start}-{stop - 1}")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """redis://127.0.0.1:<port>/0 of a redis-server started for this session (no persistence,
    loopback only) and stopped after it."""
    import shutil
    import time

    import redis

    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        pytest.fail("redis-server is missing: run `make setup` (scripts/setup-system.sh)")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError as exc:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                message = f"redis-server did not start: {process.stderr.read()}"
                raise AssertionError(message) from exc
            time.sleep(0.05)
    try:
        yield url
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def postgres_only(why: str):
    """Skip in the SQLite pass, saying why the test needs PostgreSQL."""
    return pytest.mark.skipif(not ON_POSTGRES, reason=f"PostgreSQL pass only: {why}")
