"""gunicorn's logger for Partnerskapsportalen (gunicorn.conf.py `logger_class`): the error log in
the JSON of partnerskap/logging.py, and one access line per request with request_id, method,
path, status, duration_ms, bytes, user_id, remote_addr and user_agent. Only gunicorn imports
this module."""

from __future__ import annotations

from gunicorn import glogging

from partnerskap.logging import (
    ENVIRON_REQUEST_ID,
    ENVIRON_USER_ID,
    REQUEST_ID_HEADER,
    JsonFormatter,
)


class GunicornLogger(glogging.Logger):
    """gunicorn's logger with JSON output. The access line is built from the WSGI environ and
    the response, so `access_log_format` is not used; the fields are fixed here."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        formatter = JsonFormatter()
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if getattr(handler, "_gunicorn", False):  # gunicorn's own, not someone else's
                    handler.setFormatter(formatter)

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        try:
            status = resp.status
            if isinstance(status, str):
                status = status.split(None, 1)[0]
            headers = resp.headers.items() if hasattr(resp.headers, "items") else resp.headers
            response_headers = {name.lower(): value for name, value in headers}
            method = environ.get("REQUEST_METHOD", "")
            path = environ.get("PATH_INFO", "")
            extra = {
                "request_id": response_headers.get(REQUEST_ID_HEADER.lower())
                or environ.get(ENVIRON_REQUEST_ID),
                "method": method,
                "path": path,
                "status": int(status),
                "duration_ms": round(request_time.total_seconds() * 1000, 1),
                "bytes": getattr(resp, "sent", None),
                "user_id": environ.get(ENVIRON_USER_ID),
                "remote_addr": environ.get("REMOTE_ADDR"),
                "user_agent": environ.get("HTTP_USER_AGENT"),
            }
            self.access_log.info("%s %s %s", method, path, status, extra=extra)
        except Exception:
            self.exception("access log line failed")
