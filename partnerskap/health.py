"""Health endpoints for load balancers and orchestrators (README «Operations»).

/healthz  the process answers: 200, touches neither the database nor the cache, so a database
          outage does not make the orchestrator restart healthy app servers.
/readyz   the process can serve: the database and the cache (settings.CACHES["default"], as
          configured) answer. 200 with every check, or 503 naming the ones that failed; the
          error is the exception's class (details go to the log, not to the public).

Both are exempt from the SSL redirect (SECURE_REDIRECT_EXEMPT), so a probe over plain http to
the app port gets the answer, not a 301. Host checking stays on: the probe sends a Host header
that is in ALLOWED_HOSTS.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    """A round trip, because the portal writes to its cache: set, read back, delete."""
    cache = caches["default"]
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=30)
    try:
        if cache.get(key) != "1":
            raise RuntimeError("the cache did not return the value just written")
    finally:
        cache.delete(key)


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
}


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    results: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:
            logger.warning("readyz: %s check failed", name, exc_info=True)
            results[name] = {"status": "error", "error": type(exc).__name__}
        else:
            results[name] = {"status": "ok"}
        results[name]["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)
    ready = all(result["status"] == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": results},
        status=200 if ready else 503,
    )
