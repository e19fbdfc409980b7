"""Background work with django-tasks' database backend: a task enqueued by one process
(TASKS_BACKEND=database, as in production) is a row in PostgreSQL until `manage.py db_worker`,
another process, runs it."""

from __future__ import annotations

import json

import psycopg2

from .conftest import manage, postgres_only

pytestmark = postgres_only("the task queue is a PostgreSQL table read by another process")

ENQUEUE = """
from partnerskap.tasks import send_email
result = send_email.enqueue(
    to=["post@hallingdal.example.no"],
    subject="Høring: Smart samhandling i Buskerud",
    body="Svarfrist 23. oktober 2018 kl. 23.59",
)
print(result.id)
"""


def _status(url: str, task_id: str) -> tuple[str, object]:
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT status, return_value FROM django_tasks_database_dbtaskresult WHERE id = %s",
                (task_id,),
            )
            return cursor.fetchone()
    finally:
        connection.close()


def test_an_enqueued_task_is_stored_and_run_by_db_worker(demo_database, tmp_path):
    url, _edited = demo_database
    outbox = tmp_path / "outbox"
    env = {
        "DATABASE_URL": url,
        "TASKS_BACKEND": "database",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
    }
    task_id = manage("shell", "-c", ENQUEUE, **env).stdout.strip().splitlines()[-1]
    assert _status(url, task_id) == ("READY", None)
    assert not outbox.exists(), "the task ran in the enqueuing process"

    worker = manage("db_worker", "--batch", "--no-startup-delay", "--no-reload", **env)
    status, value = _status(url, task_id)
    assert (status, value) == ("SUCCESSFUL", 1), worker.stderr
    (message,) = outbox.iterdir()
    text = message.read_text()
    assert "To: post@hallingdal.example.no" in text
    assert "Svarfrist 23. oktober 2018 kl. 23.59" in text

    # Nothing left: a second batch run does nothing and exits.
    manage("db_worker", "--batch", "--no-startup-delay", "--no-reload", **env)
    assert len(list(outbox.iterdir())) == 1


def test_tasks_run_at_once_in_development(tmp_path):
    """TASKS_BACKEND=immediate (the development default): the request's process runs it."""
    outbox = tmp_path / "outbox"
    shown = manage(
        "shell",
        "-c",
        ENQUEUE.replace("print(result.id)", "import json; print(json.dumps(result.status))"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'dev.sqlite3'}",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(outbox),
    )
    assert json.loads(shown.stdout.strip().splitlines()[-1]) == "SUCCESSFUL"
    assert len(list(outbox.iterdir())) == 1
