"""Reporting rounds: a planner creates one for a programme and year, opens it (the lead
organisations then see their tiltak to report on) and closes it (no more reports or changes).

Error contract (partnerskap/errors.py): PermissionDenied before anything else; ValidationError
keyed by field; ServiceError for a step the round's state does not allow."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerskap.errors import ServiceError
from rapportering.models import Rapporteringsrunde
from tiltak.models import Handlingsprogram
from tiltak.services.common import check_perm, stamp_history, validated_save


@transaction.atomic
def runde_create(
    *, actor, programme: Handlingsprogram, aar: int, frist: datetime, innledning: str = ""
) -> Rapporteringsrunde:
    """A new, not yet opened round. One per programme and year (ValidationError on «aar»)."""
    check_perm(actor, "rapportering.manage_runde", programme)
    if Rapporteringsrunde.objects.filter(program=programme, aar=aar).exists():
        raise ValidationError(
            {
                "aar": _("Year: the programme already has a reporting round for %(aar)s.")
                % {"aar": aar}
            }
        )
    runde = Rapporteringsrunde(
        program=programme, aar=aar, frist=frist, innledning=innledning, opprettet_av=actor
    )
    return validated_save(runde, actor=actor)


@transaction.atomic
def runde_open(*, actor, runde: Rapporteringsrunde) -> Rapporteringsrunde:
    """Open (or reopen after closing): the lead organisations may report."""
    check_perm(actor, "rapportering.manage_runde", runde)
    runde = Rapporteringsrunde.objects.select_for_update().get(pk=runde.pk)
    if runde.er_aapen:
        raise ServiceError(_("The reporting round is already open."))
    if runde.aapnet is None:
        runde.aapnet, runde.aapnet_av = timezone.now(), actor
    runde.lukket, runde.lukket_av = None, None
    stamp_history(runde, actor=actor, reason=_("Opened"))
    runde.save()
    return runde


@transaction.atomic
def runde_close(*, actor, runde: Rapporteringsrunde) -> Rapporteringsrunde:
    """Close: reports can no longer be written or submitted (review goes on)."""
    check_perm(actor, "rapportering.manage_runde", runde)
    runde = Rapporteringsrunde.objects.select_for_update().get(pk=runde.pk)
    if not runde.er_aapen:
        raise ServiceError(_("The reporting round is not open."))
    runde.lukket, runde.lukket_av = timezone.now(), actor
    stamp_history(runde, actor=actor, reason=_("Closed"))
    runde.save()
    return runde
