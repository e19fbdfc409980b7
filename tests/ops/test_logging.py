"""Structured logs and request ids (partnerskap/logging.py, partnerskap/gunicorn_logger.py)."""

from __future__ import annotations

import io
import json
import logging
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from partnerskap.gunicorn_logger import GunicornLogger
from partnerskap.logging import (
    ENVIRON_USER_ID,
    JsonFormatter,
    TextFormatter,
    current_request_id,
    request_id_from,
)

GENERATED = re.compile(r"[0-9a-f]{32}")


def _record(message="Tiltak %s lagret", *args, **extra) -> logging.LogRecord:
    record = logging.LogRecord("tiltak.services", logging.WARNING, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    return record


@pytest.mark.parametrize(
    "incoming",
    [
        "0a1b2c3d4e5f60718293a4b5c6d7e8f9",  # nginx $request_id
        "6f1c1b36-5b1a-4c3e-9d0e-2f8e4a7b9c01",  # a UUID
        "Root=1-67891233-abcdef012345678912345678",
    ],
)
def test_a_sane_incoming_request_id_is_kept(incoming):
    assert request_id_from(incoming) == incoming


@pytest.mark.parametrize(
    "incoming",
    [None, "", "short", "x" * 129, "two words here", 'quote"injection', "line\nbreak-123456"],
)
def test_anything_else_gets_a_new_request_id(incoming):
    assert GENERATED.fullmatch(request_id_from(incoming))


def test_json_formatter_writes_one_object_per_line():
    try:
        raise ValueError("feil\npå to linjer")
    except ValueError:
        import sys

        exc_info = sys.exc_info()
    record = _record("Tiltak %s lagret", 42, request_id="abc-12345678", tiltak=42)
    record.exc_info = exc_info
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "tiltak.services"
    assert entry["message"] == "Tiltak 42 lagret"
    assert entry["request_id"] == "abc-12345678"
    assert entry["tiltak"] == 42
    assert "ValueError: feil\npå to linjer" in entry["exception"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", entry["time"])


def test_records_of_django_carry_the_request_id_of_their_request():
    """django.request logs a 404 after the middleware chain returned: the id comes from the
    request attached to the record, and the request object itself is not dumped."""
    request = SimpleNamespace(META={"partnerskap.request_id": "from-the-request-1"})
    entry = json.loads(JsonFormatter().format(_record("Not Found: /x", request=request)))
    assert entry["request_id"] == "from-the-request-1"
    assert "request" not in entry
    text = TextFormatter().format(_record("Not Found: /x", request=request))
    assert text.endswith("Not Found: /x [request_id=from-the-request-1]")


@pytest.mark.django_db
def test_every_response_carries_the_request_id(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-0123456789abcdef")
    assert response["X-Request-ID"] == "lb-0123456789abcdef"
    generated = client.get("/healthz", HTTP_X_REQUEST_ID="no good")["X-Request-ID"]
    assert GENERATED.fullmatch(generated)
    assert client.get("/no-such-page/")["X-Request-ID"] != generated
    assert current_request_id() is None  # not left behind after the request


@pytest.mark.django_db
def test_logs_written_during_a_request_carry_its_id(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/no-such-page/", HTTP_X_REQUEST_ID="trace-404-00000001")
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert json.loads(JsonFormatter().format(record))["request_id"] == "trace-404-00000001"


@pytest.mark.django_db
def test_the_user_id_is_left_for_the_access_log_without_a_query(client, users):
    anonymous = client.get("/")
    assert ENVIRON_USER_ID not in anonymous.wsgi_request.META
    client.force_login(users["planner"])
    page = client.get("/")
    assert page.wsgi_request.META[ENVIRON_USER_ID] == users["planner"].pk
    # A request that never looked at the user does not look it up for the log.
    probe = client.get("/healthz")
    assert ENVIRON_USER_ID not in probe.wsgi_request.META


def _gunicorn_logger(stream) -> GunicornLogger:
    config = Config()
    config.set("accesslog", "-")
    logger = GunicornLogger(config)
    for handler in logger.access_log.handlers + logger.error_log.handlers:
        if getattr(handler, "_gunicorn", False):
            handler.setStream(stream)
    return logger


def test_gunicorn_access_line_is_json_with_request_id_user_and_duration():
    stream = io.StringIO()
    logger = _gunicorn_logger(stream)
    response = SimpleNamespace(
        status="200 OK",
        headers=[("Content-Type", "text/html"), ("X-Request-ID", "lb-0123456789abcdef")],
        sent=18412,
    )
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/program/1/",
        "QUERY_STRING": "",
        "RAW_URI": "/program/1/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_USER_AGENT": "curl/8",
        ENVIRON_USER_ID: 7,
    }
    logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=12.34))
    entry = json.loads(stream.getvalue())
    assert entry == {
        "time": entry["time"],
        "level": "INFO",
        "logger": "gunicorn.access",
        "message": "GET /program/1/ 200",
        "request_id": "lb-0123456789abcdef",
        "method": "GET",
        "path": "/program/1/",
        "status": 200,
        "duration_ms": 12.3,
        "bytes": 18412,
        "user_id": 7,
        "remote_addr": "127.0.0.1",
        "user_agent": "curl/8",
    }


def test_gunicorn_error_log_is_json():
    stream = io.StringIO()
    _gunicorn_logger(stream).warning("Worker %s timed out", 42)
    entry = json.loads(stream.getvalue())
    assert (entry["logger"], entry["level"], entry["message"]) == (
        "gunicorn.error",
        "WARNING",
        "Worker 42 timed out",
    )
