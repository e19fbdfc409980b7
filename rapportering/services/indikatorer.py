"""Indicators, their targets and values, entered by hand by the programme's planners.

Error contract (partnerskap/errors.py): PermissionDenied; ValidationError keyed by field, each
message starting with the field's name; Conflict when an indicator was saved by someone else
since the planner loaded it (`versjon`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerskap.errors import Conflict
from rapportering.models import Indikator, Indikatormaal, Indikatorverdi
from tiltak.models import Handlingsprogram
from tiltak.services.common import (
    apply_fields,
    check_perm,
    delete_with_actor,
    validated_save,
)

INDIKATOR_FIELDS = (
    "navn",
    "beskrivelse",
    "enhet",
    "kilde",
    "retning",
    "tema",
    "delmaal",
    "basis_aar",
    "basis_verdi",
    "eksempelverdier",
)
VERDI_FIELDS = ("aar", "verdi", "region", "kommune", "merknad")


def _unique_name(indikator: Indikator) -> None:
    if (
        Indikator.objects.filter(program_id=indikator.program_id, navn=indikator.navn)
        .exclude(pk=indikator.pk)
        .exists()
    ):
        raise ValidationError(
            {
                "navn": _("Name: the programme already has an indicator called “%(navn)s”.")
                % {"navn": indikator.navn}
            }
        )


@transaction.atomic
def indikator_create(*, actor, programme: Handlingsprogram, **fields: Any) -> Indikator:
    check_perm(actor, "rapportering.manage_indikator", programme)
    indikator = Indikator(program=programme, opprettet_av=actor)
    apply_fields(indikator, INDIKATOR_FIELDS, fields)
    last = (
        Indikator.objects.filter(program=programme)
        .order_by("-rekkefoelge")
        .values_list("rekkefoelge", flat=True)
    )
    indikator.rekkefoelge = (last.first() or 0) + 1
    _unique_name(indikator)
    return validated_save(indikator, actor=actor)


@transaction.atomic
def indikator_update(
    *, actor, indikator: Indikator, versjon: int | None = None, **fields: Any
) -> Indikator:
    """Change the indicator; with `versjon`, refused (Conflict) if someone saved since."""
    check_perm(actor, "rapportering.manage_indikator", indikator)
    current = Indikator.objects.select_for_update().select_related("program").get(pk=indikator.pk)
    if versjon is not None and versjon != current.versjon:
        raise Conflict(
            _(
                "Someone else saved this indicator while you were editing it. Nothing was "
                "saved. Load the page again and make your change once more."
            )
        )
    changed = apply_fields(current, INDIKATOR_FIELDS, fields)
    if changed:
        current.versjon += 1
        _unique_name(current)
        validated_save(current, actor=actor)
    return current


@transaction.atomic
def indikator_delete(*, actor, indikator: Indikator) -> None:
    check_perm(actor, "rapportering.manage_indikator", indikator)
    delete_with_actor(indikator, actor=actor)


@transaction.atomic
def maal_set(*, actor, indikator: Indikator, aar: int, verdi: Decimal) -> Indikatormaal:
    """Set the target for a year (creates it, or changes the year's target)."""
    check_perm(actor, "rapportering.manage_indikator", indikator)
    maal = Indikatormaal.objects.filter(indikator=indikator, aar=aar).first() or Indikatormaal(
        indikator=indikator, aar=aar
    )
    maal.verdi = verdi
    return validated_save(maal, actor=actor)


@transaction.atomic
def maal_delete(*, actor, maal: Indikatormaal) -> None:
    check_perm(actor, "rapportering.manage_indikator", maal)
    delete_with_actor(maal, actor=actor)


def _place_taken(verdi: Indikatorverdi) -> None:
    lookup: dict[str, Any] = {
        "indikator_id": verdi.indikator_id,
        "aar": verdi.aar,
        "region_id": verdi.region_id,
        "kommune_id": verdi.kommune_id,
    }
    same = Indikatorverdi.objects.filter(**lookup).exclude(pk=verdi.pk)
    if verdi.aar is not None and same.exists():
        raise ValidationError(
            {
                "aar": _(
                    "Year: there is already a value for %(aar)s here (%(sted)s); change that one."
                )
                % {"aar": verdi.aar, "sted": verdi.sted or _("the whole area")}
            }
        )


@transaction.atomic
def verdi_create(*, actor, indikator: Indikator, **fields: Any) -> Indikatorverdi:
    check_perm(actor, "rapportering.manage_indikator", indikator)
    verdi = Indikatorverdi(indikator=indikator, registrert_av=actor)
    apply_fields(verdi, VERDI_FIELDS, fields)
    _place_taken(verdi)
    return validated_save(verdi, actor=actor)


@transaction.atomic
def verdi_update(*, actor, verdi: Indikatorverdi, **fields: Any) -> Indikatorverdi:
    check_perm(actor, "rapportering.manage_indikator", verdi)
    current = Indikatorverdi.objects.select_for_update().get(pk=verdi.pk)
    if apply_fields(current, VERDI_FIELDS, fields):
        current.registrert_av, current.registrert = actor, timezone.now()
        _place_taken(current)
        validated_save(current, actor=actor)
    return current


@transaction.atomic
def verdi_delete(*, actor, verdi: Indikatorverdi) -> None:
    check_perm(actor, "rapportering.manage_indikator", verdi)
    delete_with_actor(verdi, actor=actor)
