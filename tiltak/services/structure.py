"""The levels of a programme's tree above the tiltak: tema, delmål and satsingsområde (create,
update, delete, move). The error contract is in the package docstring (tiltak/services)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from partnerskap.errors import ServiceError
from partnerskap.models import Organisasjon
from tiltak.models import Delmaal, Handlingsprogram, Satsingsomraade, Tema, Tiltak

from .common import (
    DELMAAL_FIELDS,
    SATSINGSOMRAADE_FIELDS,
    TEMA_FIELDS,
    apply_fields,
    check_perm,
    delete_with_actor,
    ordered_positions,
    refresh_locked,
    reorder,
    row_errors,
    same_programme,
    validated_save,
)
from .tiltak import lock_parent, place_tiltak

# Temporary numbers used while renumbering, above any real number and within a smallint.
_PARKING_NUMBER = 30000


# --- Tema ---------------------------------------------------------------------------------


@transaction.atomic
def tema_create(
    *,
    actor,
    program: Handlingsprogram,
    navn: str,
    nummer: int | None = None,
    etikett: str = "",
    overordnet_maal: str = "",
    ansvarlig: Organisasjon | None = None,
    ansvarlig_tekst: str = "",
) -> Tema:
    """A new tema in the programme, numbered after the last one unless `nummer` is given (a
    taken number is a ValidationError on `nummer`)."""
    check_perm(actor, "tiltak.edit_structure", program)
    lock_parent(program)  # parallel creates take turns for the next number
    if nummer is None:
        nummer = (Tema.objects.filter(program=program).aggregate(m=Max("nummer"))["m"] or 0) + 1
    tema = Tema(
        program=program,
        nummer=nummer,
        navn=navn,
        etikett=etikett,
        overordnet_maal=overordnet_maal,
        ansvarlig=ansvarlig,
        ansvarlig_tekst=ansvarlig_tekst,
    )
    return validated_save(tema, actor=actor)


@transaction.atomic
def tema_update(*, actor, tema: Tema, reason: str = "", **fields) -> Tema:
    """Change the fields named in TEMA_FIELDS. The number changes only with `tema_move`."""
    check_perm(actor, "tiltak.edit_structure", tema)
    tema = Tema.objects.select_related("program").get(pk=tema.pk)
    if apply_fields(tema, TEMA_FIELDS, fields):
        validated_save(tema, actor=actor, reason=reason)
    return tema


@transaction.atomic
def tema_delete(*, actor, tema: Tema) -> None:
    """Delete a tema with its delmål and satsingsområder. Refused (ServiceError) while it holds
    any tiltak, deleted ones included: those are kept records and must be moved first."""
    check_perm(actor, "tiltak.edit_structure", tema)
    tema = refresh_locked(Tema, tema)
    count = Tiltak.alle.filter(tema=tema).count()
    if count:
        raise ServiceError(
            _(
                "The theme “%(navn)s” still holds %(count)s measure(s) (deleted ones included). "
                "Move them to another theme first."
            )
            % {"navn": tema.navn, "count": count}
        )
    for s in Satsingsomraade.objects.filter(tema=tema):
        delete_with_actor(s, actor=actor)
    for d in Delmaal.objects.filter(tema=tema):
        delete_with_actor(d, actor=actor)
    delete_with_actor(tema, actor=actor)


@transaction.atomic
def tema_move(*, actor, tema: Tema, position: int) -> list[Tema]:
    """Move the tema to the 1-based `position` among the programme's temaer.

    The temaer keep the set of numbers they had (a programme numbered 3, 4, 5 stays so) and
    take them in the new order; returns the temaer in their new order. Tiltak keep their own
    numbers within their tema, so "3.11" becomes "4.11" if tema 3 becomes 4.
    """
    check_perm(actor, "tiltak.edit_structure", tema)
    temaer = list(
        Tema.objects.select_for_update().filter(program_id=tema.program_id).order_by("nummer")
    )
    numbers = [t.nummer for t in temaer]
    tema = next(t for t in temaer if t.pk == tema.pk)
    ordered = ordered_positions(temaer, tema, position)
    moving = [(t, n) for t, n in zip(ordered, numbers, strict=True) if t.nummer != n]
    # Two phases, so the unique (program, nummer) constraint never sees two temaer on a number.
    for i, (t, _n) in enumerate(moving):
        Tema.objects.filter(pk=t.pk).update(nummer=_PARKING_NUMBER + i)
    for t, n in moving:
        with row_errors(t):
            t.nummer = n
            validated_save(t, actor=actor)
    return ordered


# --- Delmål -------------------------------------------------------------------------------


@transaction.atomic
def delmaal_create(
    *, actor, tema: Tema, navn: str, nummer: str = "", smarte_maal: str = ""
) -> Delmaal:
    """A new delmål, last in its tema. `nummer` ("3.1") is optional but unique in the tema."""
    check_perm(actor, "tiltak.edit_structure", tema)
    lock_parent(tema)  # the check that `nummer` is free holds until this commits
    last = Delmaal.objects.filter(tema=tema).aggregate(m=Max("rekkefoelge"))["m"]
    delmaal = Delmaal(
        tema=tema,
        navn=navn,
        nummer=nummer.strip(),
        smarte_maal=smarte_maal,
        rekkefoelge=0 if last is None else last + 1,
    )
    return validated_save(delmaal, actor=actor)


@transaction.atomic
def delmaal_update(*, actor, delmaal: Delmaal, reason: str = "", **fields) -> Delmaal:
    """Change the fields named in DELMAAL_FIELDS."""
    check_perm(actor, "tiltak.edit_structure", delmaal)
    delmaal = Delmaal.objects.select_related("tema__program").get(pk=delmaal.pk)
    if "nummer" in fields:
        fields["nummer"] = (fields["nummer"] or "").strip()
    if apply_fields(delmaal, DELMAAL_FIELDS, fields):
        validated_save(delmaal, actor=actor, reason=reason)
    return delmaal


@transaction.atomic
def delmaal_delete(*, actor, delmaal: Delmaal) -> None:
    """Delete a delmål and its (empty) satsingsområder. Refused while any tiltak, deleted ones
    included, sits under it."""
    check_perm(actor, "tiltak.edit_structure", delmaal)
    delmaal = refresh_locked(Delmaal, delmaal)
    count = Tiltak.alle.filter(delmaal=delmaal).count()
    if count:
        raise ServiceError(
            _(
                "The sub-goal “%(navn)s” still holds %(count)s measure(s) (deleted ones "
                "included). Move them first."
            )
            % {"navn": delmaal.navn, "count": count}
        )
    for s in Satsingsomraade.objects.filter(delmaal=delmaal):
        delete_with_actor(s, actor=actor)
    delete_with_actor(delmaal, actor=actor)


@transaction.atomic
def delmaal_move(
    *, actor, delmaal: Delmaal, position: int | None = None, tema: Tema | None = None
) -> Delmaal:
    """Move the delmål to the 1-based `position` in `tema` (default: its own tema; position
    None = last). Moving to another tema of the same programme takes its satsingsområder and
    tiltak along; the tiltak get the next free numbers in the new tema."""
    check_perm(actor, "tiltak.edit_structure", delmaal)
    delmaal = refresh_locked(Delmaal, delmaal)
    target = tema or delmaal.tema
    if target.pk != delmaal.tema_id:
        check_perm(actor, "tiltak.edit_structure", target)
        same_programme(target, delmaal.tema.program_id, "tema")
        delmaal.tema = target
        validated_save(delmaal, actor=actor)
        for s in Satsingsomraade.objects.filter(delmaal=delmaal):
            with row_errors(s):
                s.tema = target
                validated_save(s, actor=actor)
        moving = Tiltak.alle.filter(delmaal=delmaal).select_related("tema")
        for t in moving.order_by("nummer", "rekkefoelge", "id"):
            with row_errors(t):
                place_tiltak(
                    t, actor=actor, tema=target, delmaal=delmaal, satsing=t.satsingsomraade
                )
    siblings = list(Delmaal.objects.filter(tema=target).order_by("rekkefoelge", "id"))
    reorder(ordered_positions(siblings, delmaal, position), actor=actor)
    return Delmaal.objects.get(pk=delmaal.pk)


# --- Satsingsområde -----------------------------------------------------------------------


def _satsing_parent(tema: Tema | None, delmaal: Delmaal | None) -> tuple[Tema, Delmaal | None]:
    if delmaal is not None:
        if tema is not None and tema.pk != delmaal.tema_id:
            raise ValidationError(
                {"delmaal": _("Sub-goal: the sub-goal belongs to another theme.")}
            )
        return delmaal.tema, delmaal
    if tema is None:
        raise TypeError("Give a tema or a delmaal.")
    return tema, None


@transaction.atomic
def satsingsomraade_create(
    *,
    actor,
    navn: str,
    tema: Tema | None = None,
    delmaal: Delmaal | None = None,
    prioritert_handling: str = "",
) -> Satsingsomraade:
    """A new satsingsområde, last under its delmål (or directly under the tema in programmes
    without delmål). Give `delmaal`, or `tema` alone."""
    tema, delmaal = _satsing_parent(tema, delmaal)
    check_perm(actor, "tiltak.edit_structure", tema)
    last = Satsingsomraade.objects.filter(tema=tema, delmaal=delmaal).aggregate(
        m=Max("rekkefoelge")
    )["m"]
    satsing = Satsingsomraade(
        tema=tema,
        delmaal=delmaal,
        navn=navn,
        prioritert_handling=prioritert_handling,
        rekkefoelge=0 if last is None else last + 1,
    )
    return validated_save(satsing, actor=actor)


@transaction.atomic
def satsingsomraade_update(
    *, actor, satsingsomraade: Satsingsomraade, reason: str = "", **fields
) -> Satsingsomraade:
    """Change the fields named in SATSINGSOMRAADE_FIELDS."""
    check_perm(actor, "tiltak.edit_structure", satsingsomraade)
    satsing = Satsingsomraade.objects.select_related("tema__program").get(pk=satsingsomraade.pk)
    if apply_fields(satsing, SATSINGSOMRAADE_FIELDS, fields):
        validated_save(satsing, actor=actor, reason=reason)
    return satsing


@transaction.atomic
def satsingsomraade_delete(*, actor, satsingsomraade: Satsingsomraade) -> None:
    """Delete a satsingsområde. Refused while any tiltak (deleted ones included) sits under it:
    the database would silently unplace them."""
    check_perm(actor, "tiltak.edit_structure", satsingsomraade)
    satsingsomraade = refresh_locked(Satsingsomraade, satsingsomraade)
    count = Tiltak.alle.filter(satsingsomraade=satsingsomraade).count()
    if count:
        raise ServiceError(
            _(
                "The priority area “%(navn)s” still holds %(count)s measure(s) (deleted ones "
                "included). Move them first."
            )
            % {"navn": satsingsomraade.navn, "count": count}
        )
    delete_with_actor(satsingsomraade, actor=actor)


@transaction.atomic
def satsingsomraade_move(
    *,
    actor,
    satsingsomraade: Satsingsomraade,
    position: int | None = None,
    delmaal: Delmaal | None = None,
    tema: Tema | None = None,
) -> Satsingsomraade:
    """Move the satsingsområde under `delmaal` (or directly under `tema`; neither = stay) at the
    1-based `position` (None = last). Its tiltak follow; if the tema changes they get the next
    free numbers there."""
    check_perm(actor, "tiltak.edit_structure", satsingsomraade)
    satsing = refresh_locked(Satsingsomraade, satsingsomraade)
    programme_id = satsing.tema.program_id
    if delmaal is None and tema is None:
        new_tema, new_delmaal = satsing.tema, satsing.delmaal
    else:
        new_tema, new_delmaal = _satsing_parent(tema, delmaal)
    if (new_tema.pk, getattr(new_delmaal, "pk", None)) != (satsing.tema_id, satsing.delmaal_id):
        check_perm(actor, "tiltak.edit_structure", new_tema)
        same_programme(new_tema, programme_id, "tema")
        satsing.tema, satsing.delmaal = new_tema, new_delmaal
        validated_save(satsing, actor=actor)
        moving = Tiltak.alle.filter(satsingsomraade=satsing).select_related("tema")
        for t in moving.order_by("nummer", "id"):
            with row_errors(t):
                place_tiltak(t, actor=actor, tema=new_tema, delmaal=new_delmaal, satsing=satsing)
    siblings = list(
        Satsingsomraade.objects.filter(tema=new_tema, delmaal=new_delmaal).order_by(
            "rekkefoelge", "id"
        )
    )
    reorder(ordered_positions(siblings, satsing, position), actor=actor)
    return Satsingsomraade.objects.get(pk=satsing.pk)
