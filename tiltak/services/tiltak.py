"""Tiltak: create, update, move, renumber, delete and restore a deleted one, and the next free
number in a tema. The error contract, numbering and versions are in the package docstring
(tiltak/services)."""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerskap.errors import ServiceError
from tiltak.models import Ansvar, Delmaal, Satsingsomraade, Tema, Tiltak
from tiltak.rules import LOCKED_STATUSES

from .common import (
    PROGRESS_FIELDS,
    TILTAK_FIELDS,
    apply_fields,
    check_perm,
    checked_reason,
    delete_with_actor,
    field_label,
    row_errors,
    same_programme,
    validated_save,
)
from .concurrency import claim_versjon, locked_tiltak
from .traces import tiltak_has_traces


def lock_parent(parent: models.Model) -> None:
    """Lock `parent` until the transaction ends, before counting or checking its children
    (the next free number of a tiltak in its tema or of a tema in its programme, whether a
    delmål number is free, whether a programme was already rolled to a period). Writes under
    the same parent then take turns, and each counts after the one before it committed
    (PostgreSQL reads committed rows afresh in every statement); without it, two parallel
    creates count the same highest number and the second fails on the unique constraint.
    FOR NO KEY UPDATE: rows that only refer to the parent (a tiltak saved in the tema) are not
    held up. SQLite ignores the lock; it serialises every write anyway."""
    type(parent)._default_manager.select_for_update(no_key=True).filter(pk=parent.pk).exists()


def next_tiltak_nummer(tema: Tema) -> int:
    """The next free number in the tema: one above the highest number of its tiltak that are
    not deleted (a deleted tiltak's number may be reused, as the database allows). Call
    `lock_parent(tema)` first in the same transaction."""
    return (Tiltak.objects.filter(tema=tema).aggregate(m=Max("nummer"))["m"] or 0) + 1


def _next_rekkefoelge(programme_id: int) -> int:
    last = Tiltak.alle.filter(program_id=programme_id).aggregate(m=Max("rekkefoelge"))["m"]
    return 0 if last is None else last + 1


def _resolve_placement(
    tema: Tema | None, delmaal: Delmaal | None, satsing: Satsingsomraade | None
) -> tuple[Tema, Delmaal | None, Satsingsomraade | None]:
    """The most specific level given decides the ones above it."""
    if satsing is not None:
        if delmaal is not None and satsing.delmaal_id != delmaal.pk:
            raise ValidationError(
                {"satsingsomraade": _("Priority area: it belongs to another sub-goal.")}
            )
        return satsing.tema, satsing.delmaal, satsing
    if delmaal is not None:
        if tema is not None and delmaal.tema_id != tema.pk:
            raise ValidationError(
                {"delmaal": _("Sub-goal: the sub-goal belongs to another theme.")}
            )
        return delmaal.tema, delmaal, None
    if tema is None:
        raise ValidationError({"tema": _("Theme: choose where the measure belongs.")})
    return tema, None, None


def place_tiltak(
    t: Tiltak,
    *,
    actor,
    tema: Tema,
    delmaal: Delmaal | None,
    satsing: Satsingsomraade | None,
    nummer: int | None = None,
    bump: bool = True,
) -> Tiltak:
    """Put `t` under the given levels and save it. Moving to another tema gives it the next free
    number there (unless `nummer` is given) and the last place in the programme's order. `t`
    must be the row locked in this transaction (select_for_update or a claimed version)."""
    new_tema = tema.pk != t.tema_id
    t.tema, t.delmaal, t.satsingsomraade = tema, delmaal, satsing
    if nummer is not None:
        t.nummer = nummer
    elif new_tema and t.nummer is not None and t.slettet is None:
        # Deleted tiltak are outside the unique constraint and keep their old number.
        lock_parent(tema)
        t.nummer = next_tiltak_nummer(tema)
    if new_tema:
        t.rekkefoelge = _next_rekkefoelge(t.program_id)
    if bump:
        t.versjon += 1
    return validated_save(t, actor=actor)


@transaction.atomic
def tiltak_create(
    *,
    actor,
    tema: Tema | None = None,
    delmaal: Delmaal | None = None,
    satsingsomraade: Satsingsomraade | None = None,
    tittel: str,
    nummer: int | None = None,
    reason: str = "",
    **fields,
) -> Tiltak:
    """A new tiltak under the most specific level given (satsingsområde, else delmål, else
    tema). It gets the next free number in its tema unless `nummer` is given (a taken number
    is a ValidationError on `nummer`). Other fields: TILTAK_FIELDS."""
    tema, delmaal, satsing = _resolve_placement(tema, delmaal, satsingsomraade)
    check_perm(actor, "tiltak.edit_structure", tema)
    lock_parent(tema)  # also when `nummer` is given: the check that it is free holds
    tiltak = Tiltak(
        program_id=tema.program_id,
        tema=tema,
        delmaal=delmaal,
        satsingsomraade=satsing,
        tittel=tittel,
        nummer=next_tiltak_nummer(tema) if nummer is None else nummer,
        rekkefoelge=_next_rekkefoelge(tema.program_id),
    )
    apply_fields(tiltak, TILTAK_FIELDS, fields)
    return validated_save(tiltak, actor=actor, reason=reason)


def _refuse_locked_fields(actor, tiltak: Tiltak, changed: list[str]) -> None:
    structural = [name for name in changed if name not in PROGRESS_FIELDS]
    if not structural:
        return
    if tiltak.program.status in LOCKED_STATUSES and actor.has_perm(
        "tiltak.edit_tiltak_progress", tiltak
    ):
        raise ServiceError(
            _(
                "The programme is adopted, so only the status of its measures can change. "
                "Not saved: %(fields)s."
            )
            % {"fields": ", ".join(field_label(Tiltak, name) for name in structural)}
        )
    check_perm(actor, "tiltak.edit_structure", tiltak)


@transaction.atomic
def tiltak_update(
    *, actor, tiltak: Tiltak, expected_versjon: int, reason: str = "", **fields
) -> Tiltak:
    """Change the fields named in TILTAK_FIELDS, if nobody saved the tiltak since the editor
    loaded version `expected_versjon`; otherwise raise ConcurrencyConflict and write nothing.

    Raises the version by one (also when no field changed, so the caller always gets the
    version to send next). Progress fields (PROGRESS_FIELDS) need tiltak.edit_tiltak_progress;
    any other changed field needs tiltak.edit_structure, and in an adopted programme gives a
    ServiceError naming the fields. Returns the tiltak as saved (a fresh instance).
    """
    unknown = set(fields) - set(TILTAK_FIELDS)
    if unknown:
        raise TypeError(f"tiltak_update: fields not editable here: {sorted(unknown)}")
    check_perm(actor, "tiltak.edit_tiltak_progress", tiltak)
    current = claim_versjon(tiltak, expected_versjon, fields)
    changed = apply_fields(current, TILTAK_FIELDS, fields)
    _refuse_locked_fields(actor, current, changed)
    if "tittel" in changed:
        # The planner has written a title: it is no longer one made from the description.
        current.tittel_mangler_i_kilden = False
    return validated_save(current, actor=actor, reason=reason)


@transaction.atomic
def tiltak_move(
    *,
    actor,
    tiltak: Tiltak,
    tema: Tema | None = None,
    delmaal: Delmaal | None = None,
    satsingsomraade: Satsingsomraade | None = None,
    nummer: int | None = None,
    expected_versjon: int | None = None,
) -> Tiltak:
    """Place the tiltak under another satsingsområde, delmål or tema of the same programme (the
    most specific one given decides). Moving to another tema gives it the next free number
    there unless `nummer` is given; within the tema it keeps its number. With
    `expected_versjon`, a stale version raises ConcurrencyConflict."""
    check_perm(actor, "tiltak.edit_structure", tiltak)
    new_tema, new_delmaal, new_satsing = _resolve_placement(tema, delmaal, satsingsomraade)
    check_perm(actor, "tiltak.edit_structure", new_tema)
    same_programme(new_tema, tiltak.program_id, "tema")
    if expected_versjon is not None:
        current, bump = claim_versjon(tiltak, expected_versjon, {}), False
    else:
        current, bump = locked_tiltak(tiltak), True
    return place_tiltak(
        current,
        actor=actor,
        tema=new_tema,
        delmaal=new_delmaal,
        satsing=new_satsing,
        nummer=nummer,
        bump=bump,
    )


@transaction.atomic
def tiltak_renumber(*, actor, tema: Tema, order: list[int]) -> list[Tiltak]:
    """Number the tema's tiltak 1..n in the order of `order` (tiltak ids; exactly the tema's
    tiltak that are not deleted, each once — anything else is a ServiceError). Their display
    order follows. Only tiltak whose number changes get a history row and a new version. A
    tiltak that does not validate fails the whole renumbering with a ValidationError naming it
    by its number before the change («Measure 3.35: Title: …»)."""
    check_perm(actor, "tiltak.edit_structure", tema)
    tiltak = {t.pk: t for t in Tiltak.objects.select_for_update().filter(tema=tema)}
    for t in tiltak.values():
        t.tema = tema  # for the row names in errors, without a query per row
    if len(order) != len(set(order)) or set(order) != set(tiltak):
        raise ServiceError(
            _("The list to renumber must hold each measure of the theme exactly once.")
        )
    slots = sorted(t.rekkefoelge for t in tiltak.values())
    moving = []
    for nummer, (pk, rekkefoelge) in enumerate(zip(order, slots, strict=True), start=1):
        t = tiltak[pk]
        if t.nummer != nummer or t.rekkefoelge != rekkefoelge:
            moving.append((t, nummer, rekkefoelge))
    # Two phases, so the unique (tema, nummer) constraint never sees a number twice.
    Tiltak.objects.filter(pk__in=[t.pk for t, _n, _r in moving]).update(nummer=None)
    for t, nummer, rekkefoelge in moving:
        with row_errors(t):
            t.nummer, t.rekkefoelge = nummer, rekkefoelge
            t.versjon += 1
            validated_save(t, actor=actor, reason=_("Renumbered"))
    return [tiltak[pk] for pk in order]


@transaction.atomic
def tiltak_delete(
    *, actor, tiltak: Tiltak, reason: str, expected_versjon: int | None = None
) -> Literal["soft", "hard"]:
    """Delete a tiltak; `reason` is required and at most REASON_MAX_LENGTH characters
    (ValidationError on `slettet_grunn`).

    With traces (traces.tiltak_has_traces) it is kept: marked deleted with the time and reason,
    hidden from `Tiltak.objects`, its number freed, restorable with `tiltak_restore_deleted`
    ("soft"). Without, the row and its responsibilities are removed, the reason recorded in the
    history ("hard").
    """
    check_perm(actor, "tiltak.edit_structure", tiltak)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"slettet_grunn": _("Reason for deletion: say why the measure is deleted.")}
        )
    checked_reason(reason, field="slettet_grunn")
    if expected_versjon is not None:
        current = claim_versjon(tiltak, expected_versjon, {})
    else:
        current = locked_tiltak(tiltak)
        current.versjon += 1
    if tiltak_has_traces(current):
        current.slettet = timezone.now()
        current.slettet_grunn = reason
        validated_save(current, actor=actor, reason=reason)
        return "soft"
    for a in Ansvar.objects.filter(tiltak=current):
        delete_with_actor(a, actor=actor, reason=reason)
    delete_with_actor(current, actor=actor, reason=reason)
    return "hard"


@transaction.atomic
def tiltak_restore_deleted(*, actor, tiltak: Tiltak) -> Tiltak:
    """Bring back a soft-deleted tiltak. If another tiltak took its number meanwhile, it gets
    the next free number in its tema."""
    current = Tiltak.alle.select_for_update().get(pk=tiltak.pk)
    check_perm(actor, "tiltak.edit_structure", current)
    if current.slettet is None:
        raise ServiceError(_("This measure is not deleted."))
    if current.nummer is not None:
        lock_parent(current.tema)
        if Tiltak.objects.filter(tema_id=current.tema_id, nummer=current.nummer).exists():
            current.nummer = next_tiltak_nummer(current.tema)
    current.slettet = None
    current.slettet_grunn = ""
    current.versjon += 1
    return validated_save(current, actor=actor, reason=_("Restored after deletion"))
