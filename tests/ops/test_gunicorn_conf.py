"""gunicorn.conf.py, read by gunicorn itself (`--print-config` applies gunicorn's validators and
does not load the app)."""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path

import pytest

from .conftest import run, run_failing

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
CORES = len(os.sched_getaffinity(0))


def _config(**env: str) -> dict[str, str]:
    result = run([GUNICORN, "-c", "gunicorn.conf.py", "--print-config"], timeout=60, **env)
    settings = {}
    for line in result.stdout.splitlines():
        name, sep, value = line.partition(" = ")
        if sep:
            settings[name.strip()] = value.strip()
    return settings


def test_defaults_for_a_service_behind_a_proxy_on_this_host():
    config = _config()
    assert config["bind"] == "['127.0.0.1:8000']"
    assert config["workers"] == str(2 * CORES + 1)
    assert config["worker_class"] == "sync"
    assert config["timeout"] == "60"
    assert config["graceful_timeout"] == "30"
    assert config["preload_app"] == "True"
    assert config["wsgi_app"] == "partnerskap.wsgi:application"
    assert config["accesslog"] == "-"
    assert config["logger_class"] == "partnerskap.gunicorn_logger.GunicornLogger"
    assert ast.literal_eval(config["forwarded_allow_ips"]) == ["127.0.0.1", "::1"]
    assert ast.literal_eval(config["secure_scheme_headers"]) == {"X-FORWARDED-PROTO": "https"}
    assert config["control_socket_disable"] == "True"


@pytest.mark.parametrize(
    ("web_concurrency", "workers"),
    [("1", 1), ("3", min(3, 2 * CORES + 1)), ("64", 2 * CORES + 1)],
)
def test_web_concurrency_caps_the_workers(web_concurrency, workers):
    assert _config(WEB_CONCURRENCY=web_concurrency)["workers"] == str(workers)


def test_bind_timeouts_and_trusted_proxies_from_the_environment():
    config = _config(
        GUNICORN_BIND="0.0.0.0:8000",
        GUNICORN_TIMEOUT="120",
        GUNICORN_GRACEFUL_TIMEOUT="20",
        TRUSTED_PROXY_IPS="10.0.0.0/8, 192.0.2.1",
    )
    assert config["bind"] == "['0.0.0.0:8000']"
    assert (config["timeout"], config["graceful_timeout"]) == ("120", "20")
    assert ast.literal_eval(config["forwarded_allow_ips"]) == ["10.0.0.0/8", "192.0.2.1"]


@pytest.mark.parametrize(
    ("value", "message"),
    [("*", "'*' is refused"), ("10.0.0.1,proxy.example", "is not an address")],
)
def test_trusting_every_client_or_a_name_is_refused(value, message):
    result = run_failing(
        [GUNICORN, "-c", "gunicorn.conf.py", "--print-config"], TRUSTED_PROXY_IPS=value
    )
    assert message in result.stderr + result.stdout
