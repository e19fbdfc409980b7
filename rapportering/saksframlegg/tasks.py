"""Background work of the case papers (django-tasks): rendering the PDF. The argument is an id;
the row is read again when the task runs, and the PDF made from what it says then."""

from django_tasks import task

from . import cache


@task()
def make_saksframlegg_pdf(saksframlegg_id: int) -> str | None:
    return cache.build_pdf(saksframlegg_id)
