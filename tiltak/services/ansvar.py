"""The parties of a tiltak (Ansvar): an organisation with lead responsibility or as a
collaborator. Each party is a row of its own with its own history, so adding one does not raise
the tiltak's version (see the package docstring, tiltak/services)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from partnerskap.errors import ServiceError
from partnerskap.models import Organisasjon
from tiltak.models import Ansvar, Rolle, Tiltak

from .common import check_perm, delete_with_actor, reorder, validated_save


def _check_ansvar_tiltak(actor, tiltak: Tiltak) -> None:
    check_perm(actor, "tiltak.edit_structure", tiltak)
    if tiltak.slettet is not None:
        raise ServiceError(_("This measure has been deleted; restore it before editing."))


@transaction.atomic
def ansvar_add(
    *,
    actor,
    tiltak: Tiltak,
    organisasjon: Organisasjon,
    rolle: str,
    tekst_som_skrevet: str = "",
) -> Ansvar:
    """Give the organisation a role (Rolle: hovedansvar or samarbeidspart) on the tiltak, last
    in that role. The same organisation twice in the same role is a ValidationError on
    `organisasjon`; it may hold both roles. Does not raise the tiltak's version."""
    _check_ansvar_tiltak(actor, tiltak)
    if rolle not in Rolle.values:
        raise ValidationError({"rolle": _("Role: choose lead responsibility or collaborator.")})
    if Ansvar.objects.filter(tiltak=tiltak, organisasjon=organisasjon, rolle=rolle).exists():
        raise ValidationError(
            {
                "organisasjon": _("Organisation: %(org)s already has the role %(rolle)s here.")
                % {"org": organisasjon.navn, "rolle": Rolle(rolle).label}
            }
        )
    last = Ansvar.objects.filter(tiltak=tiltak, rolle=rolle).aggregate(m=Max("rekkefoelge"))["m"]
    ansvar = Ansvar(
        tiltak=tiltak,
        organisasjon=organisasjon,
        rolle=rolle,
        rekkefoelge=0 if last is None else last + 1,
        tekst_som_skrevet=tekst_som_skrevet.strip(),
    )
    return validated_save(ansvar, actor=actor)


@transaction.atomic
def ansvar_update(
    *, actor, ansvar: Ansvar, rolle: str | None = None, tekst_som_skrevet: str | None = None
) -> Ansvar:
    """Change the role (it goes last in the new role) or the text as written."""
    ansvar = Ansvar.objects.select_related("tiltak__program", "organisasjon").get(pk=ansvar.pk)
    _check_ansvar_tiltak(actor, ansvar.tiltak)
    if rolle is not None and rolle != ansvar.rolle:
        if rolle not in Rolle.values:
            raise ValidationError({"rolle": _("Role: choose lead responsibility or collaborator.")})
        if Ansvar.objects.filter(
            tiltak_id=ansvar.tiltak_id, organisasjon_id=ansvar.organisasjon_id, rolle=rolle
        ).exists():
            raise ValidationError(
                {
                    "rolle": _("Role: %(org)s already has the role %(rolle)s here.")
                    % {"org": ansvar.organisasjon.navn, "rolle": Rolle(rolle).label}
                }
            )
        last = Ansvar.objects.filter(tiltak_id=ansvar.tiltak_id, rolle=rolle).aggregate(
            m=Max("rekkefoelge")
        )["m"]
        ansvar.rolle = rolle
        ansvar.rekkefoelge = 0 if last is None else last + 1
    if tekst_som_skrevet is not None:
        ansvar.tekst_som_skrevet = tekst_som_skrevet.strip()
    return validated_save(ansvar, actor=actor)


@transaction.atomic
def ansvar_remove(*, actor, ansvar: Ansvar) -> None:
    """Take the organisation's role off the tiltak (recorded in the Ansvar history)."""
    ansvar = Ansvar.objects.select_related("tiltak__program").get(pk=ansvar.pk)
    _check_ansvar_tiltak(actor, ansvar.tiltak)
    delete_with_actor(ansvar, actor=actor)


@transaction.atomic
def ansvar_reorder(*, actor, tiltak: Tiltak, rolle: str, order: list[int]) -> list[Ansvar]:
    """Order the tiltak's parties in one role as the Ansvar ids in `order` (each of them
    exactly once, else ServiceError)."""
    _check_ansvar_tiltak(actor, tiltak)
    rows = {
        a.pk: a
        for a in Ansvar.objects.filter(tiltak=tiltak, rolle=rolle).select_related("organisasjon")
    }
    if len(order) != len(set(order)) or set(order) != set(rows):
        raise ServiceError(_("The list to reorder must hold each party of the role exactly once."))
    ordered = [rows[pk] for pk in order]
    reorder(ordered, actor=actor)
    return ordered
