"""Background work of the hearing app (django-tasks): the invitation and reminder emails.

Settings TASKS run them at once in development and tests, and through the database queue
(`manage.py db_worker`) in production. Arguments are ids and strings (JSON), never model
instances: the row is read again when the task runs.
"""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from .deadlines import format_deadline, frist_for
from .models import Invitasjon, Paaminnelse


def invitation_link(inv: Invitasjon, base_url: str) -> str:
    path = reverse("hoering:invitation_accept", kwargs={"token": inv.token})
    return f"{base_url.rstrip('/')}{path}"


def _email_context(inv: Invitasjon, base_url: str) -> dict:
    hoering = inv.hoering
    return {
        "inv": inv,
        "hoering": hoering,
        "programme": hoering.program,
        "organisasjon": inv.organisasjon,
        "deadline": format_deadline(frist_for(hoering, inv.organisasjon_id)),
        "url": invitation_link(inv, base_url),
    }


def _send(template: str, inv: Invitasjon, context: dict) -> None:
    # The invitee's written standard, whatever the language of the planner who sent it.
    with translation.override(inv.spraak):
        context["deadline"] = format_deadline(frist_for(inv.hoering, inv.organisasjon_id))
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
    # Content-Language tells mail clients (and screen readers) which written standard it is.
    EmailMessage(subject, body, to=[inv.epost], headers={"Content-Language": inv.spraak}).send()


def _invitation(invitasjon_id: int) -> Invitasjon | None:
    return (
        Invitasjon.objects.select_related("hoering__program", "organisasjon")
        .filter(pk=invitasjon_id)
        .first()
    )


@task()
def send_invitation(invitasjon_id: int, base_url: str) -> bool:
    """Email the invitation with the personal link; stamp `sendt`. False when the invitation
    was removed in the meantime."""
    inv = _invitation(invitasjon_id)
    if inv is None:
        return False
    _send("hoering/email/invitasjon", inv, _email_context(inv, base_url))
    Invitasjon.objects.filter(pk=inv.pk).update(sendt=timezone.now())
    return True


@task()
def send_reminder(invitasjon_id: int, dager: int, base_url: str) -> bool:
    """Email a reminder. Its Paaminnelse row was inserted before this task was queued; if the
    email cannot be sent, the row is removed so the next run of the command tries again."""
    inv = _invitation(invitasjon_id)
    if inv is None:
        return False
    context = _email_context(inv, base_url) | {"dager": dager}
    try:
        _send("hoering/email/paaminnelse", inv, context)
    except Exception:
        Paaminnelse.objects.filter(invitasjon_id=invitasjon_id, dager_foer_frist=dager).delete()
        raise
    return True


@task()
def render_summary_pdf(hoering_id: int, language: str) -> bool:
    """Render the høringsoppsummering's PDF into the cache (oppsummering_export), in the
    language of the request that asked for it."""
    from django.core.cache import cache

    from .models import Hoering
    from .oppsummering_export import _pdf_source, summary_pdf
    from .selectors.oppsummering import hearing_summary

    hoering = Hoering.objects.select_related("program__eier").filter(pk=hoering_id).first()
    if hoering is None:
        return False
    with translation.override(language):
        summary = hearing_summary(hoering)
        try:
            summary_pdf(summary)
        finally:
            cache.delete(_pdf_source(summary)[2] + ":pending")
    return True
