"""Reminders to the lead organisations that have not reported in an open round.

Steps: REMINDER_DAYS before the deadline, and once after it (step 0). A run sends, for each
open round and each lead organisation with a tiltak not yet reported (no submitted or approved
report for the year), the reminder of the latest step that is due — if that one has not been
sent. The reminder row is inserted, under its unique constraint, in the same transaction as
the email is sent, before it is sent: a second run, or a run on a second server at the same
moment, finds the row (or waits for it and then finds it) and sends nothing. If the email
fails, the row is rolled back and the next run tries again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from partnerskap.models import Bruker, Organisasjon
from rapportering.models import Behandling, Rapporteringsrunde, Rapportpaaminnelse, Statusrapport
from tiltak.models import Ansvar, Rolle

REMINDER_DAYS = (14, 3)  # days before the deadline; 0 = after the deadline


@dataclass(frozen=True)
class Sent:
    runde: Rapporteringsrunde
    organisasjon: Organisasjon
    step: int
    recipients: tuple[str, ...]


def due_step(runde: Rapporteringsrunde, now: datetime) -> int | None:
    """The latest step due at `now`: 0 after the deadline, else the smallest of REMINDER_DAYS
    whose time has come; None before the first."""
    if now > runde.frist:
        return 0
    due = [d for d in REMINDER_DAYS if now >= runde.frist - timedelta(days=d)]
    return min(due) if due else None


def missing_by_organisation(runde: Rapporteringsrunde) -> dict[int, int]:
    """Lead organisation id → number of its tiltak without a submitted or approved report."""
    reported = Statusrapport.objects.filter(
        aar=runde.aar,
        tiltak__program_id=runde.program_id,
        behandling__in=(Behandling.INNSENDT, Behandling.GODKJENT),
    ).values("tiltak_id")
    counts: dict[int, int] = {}
    for org_id in (
        Ansvar.objects.filter(
            rolle=Rolle.HOVEDANSVAR,
            tiltak__program_id=runde.program_id,
            tiltak__slettet__isnull=True,
        )
        .exclude(tiltak_id__in=reported)
        .values_list("organisasjon_id", flat=True)
    ):
        counts[org_id] = counts.get(org_id, 0) + 1
    return counts


def send_report_reminders(*, now: datetime | None = None, base_url: str = "") -> list[Sent]:
    """Send the reminders due now (see the module's docstring); returns what was sent."""
    now = now or timezone.now()
    sent: list[Sent] = []
    runder = Rapporteringsrunde.objects.filter(
        aapnet__isnull=False, lukket__isnull=True, eksempeldata=False
    ).select_related("program")
    for runde in runder:
        step = due_step(runde, now)
        if step is None:
            continue
        missing = missing_by_organisation(runde)
        if not missing:
            continue
        orgs = Organisasjon.objects.in_bulk(list(missing))
        emails: dict[int, list[str]] = {}
        for org_id, email in (
            Bruker.objects.filter(organisasjon_id__in=list(missing), is_active=True)
            .order_by("email")
            .values_list("organisasjon_id", "email")
        ):
            emails.setdefault(org_id, []).append(email)
        for org_id, count in sorted(missing.items()):
            recipients = tuple(emails.get(org_id, ()))
            if not recipients:
                continue  # nobody to tell; a user added later gets the next step
            result = _send_once(runde, orgs[org_id], step, recipients, count, base_url)
            if result is not None:
                sent.append(result)
    return sent


def _send_once(runde, organisasjon, step, recipients, count, base_url) -> Sent | None:
    try:
        with transaction.atomic():
            Rapportpaaminnelse.objects.create(
                runde=runde,
                organisasjon=organisasjon,
                dager_foer_frist=step,
                mottakere=", ".join(recipients)[:1020],
            )
            context = {
                "runde": runde,
                "organisasjon": organisasjon,
                "antall": count,
                "etter_frist": step == 0,
                "url": base_url + reverse("rapportering:mine"),
            }
            with translation.override(settings.LANGUAGE_CODE):
                subject = " ".join(
                    render_to_string("rapportering/email/paaminnelse_subject.txt", context).split()
                )
                body = render_to_string("rapportering/email/paaminnelse.txt", context)
            send_mail(subject, body, None, list(recipients))
    except IntegrityError:
        return None  # sent already (by an earlier run, or by a parallel one just now)
    return Sent(runde, organisasjon, step, recipients)
