"""Production mode under gunicorn, as `make serve` runs it (scripts/serve.sh): migrate,
collectstatic, check --deploy, then gunicorn -c gunicorn.conf.py on 127.0.0.1:180xx against a
PostgreSQL database with the demo data. Every server is stopped by the test, within bounds."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

from .conftest import ROOT, TEST_SECRET_KEY, clean_env, manage, requires_postgres

pytestmark = requires_postgres

START_TIMEOUT = 240  # seconds; collectstatic compresses ~6 MB with brotli on a cold STATIC_ROOT
STOP_TIMEOUT = 45  # gunicorn's graceful_timeout is 30


def _free_port() -> int:
    ports = list(range(18000, 18100))
    random.shuffle(ports)
    for port in ports:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18000-18099")


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    stdout: Path
    stderr: Path

    def get(self, path: str, **headers: str) -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path, headers=headers)
            answer = connection.getresponse()
            return Response(
                answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
            )
        finally:
            connection.close()

    def access_lines(self) -> list[dict]:
        """stdout: gunicorn's access log only, one JSON object per line (json.loads fails the
        test on anything else)."""
        return [json.loads(line) for line in self.stdout.read_text().splitlines() if line]


def _start(tmp_path: Path, label: str, **env: str) -> Server:
    port = _free_port()
    stdout, stderr = tmp_path / f"{label}.stdout", tmp_path / f"{label}.stderr"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            ["bash", "scripts/serve.sh"],
            cwd=ROOT,
            env=clean_env(
                GUNICORN_BIND=f"127.0.0.1:{port}",
                SECRET_KEY=TEST_SECRET_KEY,
                ALLOWED_HOSTS="127.0.0.1,localhost",
                WEB_CONCURRENCY="2",
                **env,
            ),
            stdout=out,
            stderr=err,
            start_new_session=True,  # its own process group: stopped as one below
        )
    server = Server(port, process, stdout, stderr)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve.sh exited {process.returncode}: {stderr.read_text()}")
        try:
            if server.get("/healthz").status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    _stop(server)
    raise AssertionError(f"gunicorn did not answer in {START_TIMEOUT} s: {stderr.read_text()}")


def _stop(server: Server) -> None:
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=10)


@pytest.fixture
def serve(tmp_path):
    started: list[Server] = []

    def start(label: str, **env: str) -> Server:
        server = _start(tmp_path, label, **env)
        started.append(server)
        return server

    yield start
    for server in started:
        _stop(server)


def _programme_id(url: str) -> int:
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM tiltak_handlingsprogram WHERE navn = %s",
                ("Smart samhandling i Buskerud",),
            )
            return cursor.fetchone()[0]
    finally:
        connection.close()


def test_make_serve_runs_gunicorn_in_production_mode(demo_database, serve, tmp_path):
    url, _edited = demo_database
    server = serve("serve", DATABASE_URL=url, STATIC_ROOT=str(tmp_path / "static"))

    health = server.get("/healthz")
    assert health.status == 200 and json.loads(health.body) == {"status": "ok"}

    ready = server.get("/readyz")
    assert ready.status == 200, ready.body
    checks = json.loads(ready.body)["checks"]
    assert {name: check["status"] for name, check in checks.items()} == {
        "database": "ok",
        "cache": "ok",
    }

    page = f"/program/{_programme_id(url)}/"
    request_id = f"ops-serve-{random.getrandbits(48):012x}"
    compressed = server.get(page, **{"Accept-Encoding": "gzip", "X-Request-ID": request_id})
    assert compressed.status == 200
    assert compressed.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in compressed.headers["vary"]
    assert compressed.headers["x-request-id"] == request_id
    html = gzip.decompress(compressed.body).decode()
    assert "Smart samhandling i Buskerud" in html
    raw = server.get(page)
    assert "content-encoding" not in raw.headers
    assert len(compressed.body) < len(raw.body) / 5

    # The stylesheet the page names: hashed, precompressed, cached for good.
    stylesheet = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', html)
    assert stylesheet, "the page does not link a hashed portal.css"
    static = server.get(stylesheet.group(1), **{"Accept-Encoding": "br, gzip"})
    assert static.status == 200
    assert static.headers["cache-control"] == "max-age=315360000, public, immutable"
    assert static.headers["content-encoding"] == "br"
    # Only hashed names are kept.
    assert server.get("/static/css/portal.css").status == 404

    lines = server.access_lines()
    mine = [line for line in lines if line.get("request_id") == request_id]
    assert len(mine) == 1, lines
    assert mine[0]["logger"] == "gunicorn.access"
    assert mine[0]["level"] == "INFO"
    assert (mine[0]["method"], mine[0]["path"], mine[0]["status"]) == ("GET", page, 200)
    assert mine[0]["duration_ms"] > 0
    assert mine[0]["time"].startswith("20")
    # Every request got a generated id when it brought none.
    assert all(
        re.fullmatch(r"[0-9a-f]{32}", line["request_id"]) for line in lines if line is not mine[0]
    )


def test_https_is_believed_only_from_the_trusted_proxy(demo_database, serve, tmp_path):
    url, _edited = demo_database
    static_root = tmp_path / "static"
    manage(
        "collectstatic",
        "--noinput",
        "-v",
        "0",
        DJANGO_PRODUCTION="1",
        SECRET_KEY=TEST_SECRET_KEY,
        DATABASE_URL=url,
        STATIC_ROOT=str(static_root),
        timeout=START_TIMEOUT,
    )
    production = {
        "DATABASE_URL": url,
        "STATIC_ROOT": str(static_root),
        "DJANGO_PLAIN_HTTP": "0",
        "SERVE_SKIP_PREPARE": "1",
    }

    # The proxy on this host (the default TRUSTED_PROXY_IPS) says the request came over https.
    server = serve("trusted", **production)
    assert server.get("/", **{"X-Forwarded-Proto": "https"}).status == 200
    redirect = server.get("/")
    assert redirect.status == 301
    assert redirect.headers["location"] == f"https://127.0.0.1:{server.port}/"
    # Probes over plain http are answered, not redirected.
    assert server.get("/healthz").status == 200
    assert server.get("/readyz").status == 200
    # Host checking stays on for them.
    assert server.get("/healthz", Host="evil.example").status == 400
    _stop(server)

    # A client that is not the proxy cannot claim https.
    server = serve("untrusted", TRUSTED_PROXY_IPS="192.0.2.10", **production)
    assert server.get("/", **{"X-Forwarded-Proto": "https"}).status == 301
