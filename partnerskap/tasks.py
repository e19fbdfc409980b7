"""Background tasks (django-tasks) of the partnerskap app.

How tasks are used in the portal: a function decorated with ``@task()`` in an app's
``tasks.py`` is enqueued with ``.enqueue(...)`` (JSON-serialisable arguments only: primary keys,
not model instances). With TASKS_BACKEND=database (production) the task is a row in PostgreSQL
in the same transaction as the request's own writes (enqueue inside ``transaction.on_commit``
when the task must see them), and ``manage.py db_worker`` (compose service ``worker``,
``make worker``) runs it; with TASKS_BACKEND=immediate (development, tests) it runs at once in
the request. A task must be safe to run twice (a worker killed mid-task is run again).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email(*, to: list[str], subject: str, body: str) -> int:
    """One plain-text email to `to`, sent from DEFAULT_FROM_EMAIL; returns the number sent.
    For invitations and reminders that must not hold up a request (hoering/tasks.py)."""
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)
