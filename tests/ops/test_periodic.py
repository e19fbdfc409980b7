"""manage.py periodic (partnerskap/periodic.py): each job under a lock, so two schedulers at
once never run one job in parallel (PostgreSQL advisory lock; a lock file on SQLite), and every
job idempotent: run twice, the second finds nothing left to do."""

from __future__ import annotations

import io
import threading
import time
from datetime import timedelta

import psycopg2
import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from partnerskap import periodic
from partnerskap.tasks import send_email
from tiltak.services.excel import pending

from .conftest import manage, postgres_only

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The slow job of the lock test: it says it started, then waits until released.
started = threading.Event()
release = threading.Event()
runs: list[str] = []


def slow_job() -> str:
    runs.append(threading.current_thread().name)
    started.set()
    assert release.wait(30), "the test never released the job"
    return "slept"


def broken_job() -> str:
    raise RuntimeError("boom")


def _periodic(*args: str) -> str:
    out = io.StringIO()
    call_command("periodic", *args, stdout=out)
    return out.getvalue()


def test_two_schedulers_at_once_run_a_job_once(settings, db):
    """Two threads, each with its own database connection (its own PostgreSQL session, as two
    cron hosts have), start the same job while the first is still running it."""
    settings.PERIODIC_JOBS = {"slow": "tests.ops.test_periodic.slow_job"}
    started.clear()
    release.clear()
    runs.clear()
    outcomes: dict[str, periodic.Outcome] = {}

    def scheduler(label: str) -> None:
        try:
            outcomes[label] = periodic.run_job("slow", periodic.jobs()["slow"])
        finally:
            connection.close()

    first = threading.Thread(target=scheduler, args=("first",), name="first")
    first.start()
    assert started.wait(30)
    second = threading.Thread(target=scheduler, args=("second",), name="second")
    second.start()
    second.join(30)
    assert outcomes["second"] == periodic.Outcome("slow", "skipped", "running elsewhere")
    release.set()
    first.join(30)
    assert outcomes["first"] == periodic.Outcome("slow", "done", "slept")
    assert runs == ["first"]

    # Released: the next run takes the lock again.
    third = threading.Thread(target=scheduler, args=("third",), name="third")
    third.start()
    third.join(30)
    assert outcomes["third"].status == "done"
    assert runs == ["first", "third"]


def test_a_failing_job_fails_the_command_after_the_others_ran(settings, db):
    settings.PERIODIC_JOBS = {
        "broken": "tests.ops.test_periodic.broken_job",
        "sessions": "partnerskap.periodic.clear_sessions",
    }
    out = io.StringIO()
    with pytest.raises(CommandError, match="Failed: broken"):
        call_command("periodic", stdout=out)
    assert out.getvalue().splitlines() == [
        "broken: failed, see the error log",
        "sessions: done, 0 expired sessions deleted",
    ]
    with pytest.raises(CommandError, match="Unknown job"):
        call_command("periodic", "--job", "nope")


def test_old_task_results_and_expired_sessions_are_pruned_once(settings, db, tmp_path):
    settings.TASKS = DATABASE_TASKS
    settings.TASK_RESULTS_MAX_AGE_DAYS = 14
    settings.MEDIA_ROOT = str(tmp_path / "media")
    now = timezone.now()
    results = [
        send_email.enqueue(to=[f"{i}@example.no"], subject="Påminnelse", body="Frist")
        for i in range(4)
    ]
    ids = [r.id for r in results]
    DBTaskResult.objects.filter(id=ids[0]).update(
        status="SUCCESSFUL", finished_at=now - timedelta(days=15)
    )
    DBTaskResult.objects.filter(id=ids[1]).update(
        status="FAILED", finished_at=now - timedelta(days=30)
    )
    DBTaskResult.objects.filter(id=ids[2]).update(
        status="SUCCESSFUL", finished_at=now - timedelta(days=2)
    )
    # ids[3] is still queued: never pruned, however old.
    DBTaskResult.objects.filter(id=ids[3]).update(enqueued_at=now - timedelta(days=60))

    live = SessionStore()
    live["x"] = 1
    live.create()
    expired = SessionStore()
    expired["x"] = 1
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=now - timedelta(seconds=1)
    )
    stale = pending.store(b"stale", now=time.time() - 7 * 3600)

    assert _periodic().splitlines() == [
        "excel-pending: done, 1 stale pending Excel uploads deleted",
        "task-results: done, 2 task results deleted",
        "sessions: done, 1 expired sessions deleted",
    ]
    assert sorted(str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)) == sorted(
        str(pk) for pk in ids[2:]
    )
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
    assert not pending.exists(stale)
    # Idempotent: nothing left to do.
    assert _periodic().splitlines() == [
        "excel-pending: done, 0 stale pending Excel uploads deleted",
        "task-results: done, 0 task results deleted",
        "sessions: done, 0 expired sessions deleted",
    ]


@postgres_only("two manage.py processes share one PostgreSQL database and its advisory locks")
def test_two_periodic_commands_at_once_on_postgresql(demo_database, tmp_path):
    """Two `manage.py periodic` processes started together against one database and one
    storage: both succeed, every job ran or was skipped as running elsewhere, the stale upload
    is gone and the fresh one kept."""
    url, _edited = demo_database
    media = tmp_path / "media"
    (media / "excel-pending").mkdir(parents=True)
    stale = f"{int(time.time()) - 7 * 3600:010d}-{'s' * 43}.xlsx"
    fresh = f"{int(time.time()):010d}-{'f' * 43}.xlsx"
    for name in (stale, fresh):
        (media / "excel-pending" / name).write_bytes(b"x")
    connection_ = psycopg2.connect(url)
    try:
        with connection_.cursor() as cursor:
            cursor.execute(
                "INSERT INTO django_session (session_key, session_data, expire_date) "
                "VALUES ('ops-expired-session-0000000000001', 'x', now() - interval '1 day')"
            )
        connection_.commit()
    finally:
        connection_.close()

    outputs: list[str] = []

    def scheduler() -> None:
        outputs.append(manage("periodic", DATABASE_URL=url, MEDIA_ROOT=str(media)).stdout)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(outputs) == 2
    for job, done in (
        ("excel-pending", "1 stale pending Excel uploads deleted"),
        ("sessions", "1 expired sessions deleted"),
    ):
        lines = sorted(
            line for output in outputs for line in output.splitlines() if line.startswith(job)
        )
        # Once done with the work; the other run found nothing left, or skipped it.
        assert f"{job}: done, {done}" in lines, outputs
        (other,) = [line for line in lines if line != f"{job}: done, {done}"]
        assert other in (f"{job}: skipped, running elsewhere",) or other.startswith(
            f"{job}: done, 0 "
        ), outputs
    assert sorted(p.name for p in (media / "excel-pending").iterdir()) == [fresh]
