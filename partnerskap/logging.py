"""Structured logs and request ids (issue 8).

- `RequestIdMiddleware` gives every request an id: the incoming `X-Request-ID` when it is a sane
  token (the TLS proxy or load balancer made it), otherwise a new one. The id is echoed in the
  response header, put on every log record written while the request runs, and, with the user
  id, left in the WSGI environ for the access log line.
- `JsonFormatter` writes one JSON object per line: time, level, logger, message, request_id and
  whatever the record carries as `extra`.
- partnerskap/gunicorn_logger.py makes gunicorn's logs the same JSON, with one access line per
  request.

Nothing here reads Django settings or imports gunicorn: gunicorn's master imports this module
before Django is set up, and Django runs without gunicorn (runserver, tests).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

from django.utils.functional import LazyObject, empty

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id (nginx $request_id, a UUID, a base64 token) passes; anything else (too long,
# spaces, quotes, control characters that could forge a log line) is replaced by our own.
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:=+/-]{7,127}$")
# Keys in the WSGI environ (Django's request.META is the same dict) read by GunicornLogger.
ENVIRON_REQUEST_ID = "partnerskap.request_id"
ENVIRON_USER_ID = "partnerskap.user_id"

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "partnerskap_request_id", default=None
)


def current_request_id() -> str | None:
    """The id of the request being handled in this thread/context, if any."""
    return _request_id.get()


def request_id_from(incoming: str | None) -> str:
    """The incoming id if it is a sane token, otherwise a new one (32 hex digits)."""
    if incoming and SANE_REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


def _user_id(request) -> int | None:
    """The logged-in user's id if the request already looked the user up; never a query of its
    own (a health check with a session cookie must not touch the database)."""
    user = request.__dict__.get("user")
    if user is None:
        return None
    # A LazyObject keeps what it wraps in its own __dict__; `empty` until first used.
    if isinstance(user, LazyObject) and user.__dict__.get("_wrapped", empty) is empty:
        return None
    return user.pk if getattr(user, "is_authenticated", False) else None


class RequestIdMiddleware:
    """Outermost middleware (settings.MIDDLEWARE[0]): the id exists before anything can log, and
    redirects, static files and error pages carry it too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        request.META[ENVIRON_REQUEST_ID] = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        user_id = _user_id(request)
        if user_id is not None:
            request.META[ENVIRON_USER_ID] = user_id
        return response


# Attributes every LogRecord has; anything else on a record came in through `extra`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
}
# Django puts the request object (and runserver its own time) on its records: not data.
_SKIPPED_EXTRAS = frozenset({"request", "server_time"})


def record_request_id(record: logging.LogRecord) -> str | None:
    """The request id for a log record: given as `extra`, on the request Django attaches to its
    own records (django.request logs a 404 after the middleware chain has returned), or of the
    request being handled."""
    given = getattr(record, "request_id", None)
    if given:
        return given
    request = record.__dict__.get("request")
    meta = getattr(request, "META", None)
    if isinstance(meta, dict) and meta.get(ENVIRON_REQUEST_ID):
        return meta[ENVIRON_REQUEST_ID]
    return current_request_id()


class JsonFormatter(logging.Formatter):
    """One JSON object per line; newlines in messages and tracebacks stay escaped inside it."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = record_request_id(record)
        if request_id:
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key in _RECORD_ATTRIBUTES or key in _SKIPPED_EXTRAS or key in entry:
                continue
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Development: one readable line, with the request id when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = record_request_id(record)
        return f"{line} [request_id={request_id}]" if request_id else line
