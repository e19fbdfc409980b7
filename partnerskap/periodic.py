"""Periodic jobs (issue 8): housekeeping that cron (or compose's `scheduler` service) runs with
`manage.py periodic` every few minutes, on any number of hosts at once.

The jobs are named in settings.PERIODIC_JOBS ({name: dotted path of a function}); an app adds
its own there (a hearing's reminders, say) without this module importing it. A job function
takes no arguments and returns a short summary for the log ("3 deleted").

Two schedulers at the same moment: each job runs under a PostgreSQL advisory lock taken with
pg_try_advisory_lock, so while one scheduler runs a job the other skips it ("running
elsewhere") instead of doing it twice in parallel. Jobs must still be idempotent, since two
schedulers a minute apart both run them: deleting what is old is; a job that sends something
(reminders) claims its rows first (UPDATE … WHERE sent_at IS NULL, or SELECT … FOR UPDATE SKIP
LOCKED) and enqueues the sending as a task (django-tasks). On SQLite (one development machine)
a lock file in var/ stands in for the advisory lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger("partnerskap.periodic")

# Every advisory lock of the portal's periodic jobs is keyed in this namespace.
LOCK_NAMESPACE = "partnerskap.periodic"


@dataclass(frozen=True)
class Outcome:
    job: str
    status: str  # "done", "skipped" (running elsewhere) or "failed"
    summary: str

    def line(self) -> str:
        return f"{self.job}: {self.status}" + (f", {self.summary}" if self.summary else "")


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for pg_try_advisory_lock(bigint)."""
    digest = hashlib.sha256(f"{LOCK_NAMESPACE}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextlib.contextmanager
def exclusive(name: str) -> Iterator[bool]:
    """Yields True while this process holds the job's lock, False when another holds it."""
    if connection.vendor == "postgresql":
        key = lock_key(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            got = cursor.fetchone()[0]
        try:
            yield got
        finally:
            if got:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    settings.VAR_DIR.mkdir(exist_ok=True)
    path = settings.VAR_DIR / f"periodic-{hashlib.sha256(name.encode()).hexdigest()[:16]}.lock"
    with path.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def jobs() -> dict[str, Callable[[], str]]:
    return {name: import_string(path) for name, path in settings.PERIODIC_JOBS.items()}


def run_job(name: str, function: Callable[[], str]) -> Outcome:
    with exclusive(name) as got:
        if not got:
            outcome = Outcome(name, "skipped", "running elsewhere")
            logger.info("periodic job %s skipped: running elsewhere", name)
            return outcome
        try:
            summary = function() or ""
        except Exception:
            logger.exception("periodic job %s failed", name)
            return Outcome(name, "failed", "see the error log")
    logger.info("periodic job %s done: %s", name, summary)
    return Outcome(name, "done", summary)


# --- The partnerskap app's own jobs -----------------------------------------------------------


def prune_task_results() -> str:
    """Finished background tasks (django-tasks' database backend) older than
    TASK_RESULTS_MAX_AGE_DAYS; queued and running ones are never touched."""
    from django_tasks_db.models import DBTaskResult

    limit = timezone.now() - timedelta(days=settings.TASK_RESULTS_MAX_AGE_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lte=limit).delete()
    return f"{deleted} task results deleted"


def clear_sessions() -> str:
    """Expired sessions (the database session store does not delete them by itself)."""
    from django.contrib.sessions.models import Session

    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return f"{deleted} expired sessions deleted"
