"""Writes to a programme's tree: tema, delmål, satsingsområde, tiltak and responsibilities.

Every function is keyword-only with the acting user first, runs in one transaction, checks the
django-rules permission itself (so the HTML views, the API and scripts cannot differ), validates
with `full_clean()` and leaves a history row naming the actor (django-simple-history).

Errors, all raised before anything is written (or rolled back with the transaction):
- `django.core.exceptions.PermissionDenied`: the actor may not do this at all.
- `django.core.exceptions.ValidationError`: a field value is wrong; `message_dict` is keyed by
  the model field name, messages are translated and say which field.
- `ServiceError`: the domain refuses (the programme is adopted, the tema still has tiltak, ...);
  `str(exc)` is a translated sentence for the user.
- `ConcurrencyConflict` (a ServiceError): `tiltak_update` was given a stale `expected_versjon`.

Permissions (tiltak/rules.py): structural changes need `tiltak.edit_structure` (refused when the
programme is adopted or archived); a tiltak's progress fields (`PROGRESS_FIELDS`) need only
`tiltak.edit_tiltak_progress`, so they stay editable in an adopted programme.

Numbering: tiltak are numbered within their tema ("3.11") and those numbers are cited in hearing
answers and reports, so nothing renumbers behind the planner's back: a tiltak moved to another
tema gets the next free number there, gaps left behind stay until the planner renumbers the tema
with `tiltak_renumber`.

Versions: `Tiltak.versjon` is raised by every write to the tiltak row (update, move, renumber,
soft delete, restore). Responsibilities (`Ansvar`) are rows of their own with their own history
and do NOT raise the tiltak's version: two planners adding parties at the same time cannot
overwrite each other (each party is its own row, duplicates are refused), and a party added in
one browser tab must not make the planner's open edit form of the same tiltak conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerskap.errors import Conflict, ServiceError
from partnerskap.models import Organisasjon
from tiltak.models import (
    Ansvar,
    Delmaal,
    Handlingsprogram,
    Rolle,
    Satsingsomraade,
    Tema,
    Tiltak,
)
from tiltak.rules import LOCKED_STATUSES

from .common import check_perm, save_with_actor

__all__ = [
    "DELMAAL_FIELDS",
    "PROGRESS_FIELDS",
    "SATSINGSOMRAADE_FIELDS",
    "TEMA_FIELDS",
    "TILTAK_FIELDS",
    "ConcurrencyConflict",
    "FieldChange",
    "ansvar_add",
    "ansvar_remove",
    "ansvar_reorder",
    "ansvar_update",
    "delmaal_create",
    "delmaal_delete",
    "delmaal_move",
    "delmaal_update",
    "next_tiltak_nummer",
    "register_trace_check",
    "satsingsomraade_create",
    "satsingsomraade_delete",
    "satsingsomraade_move",
    "satsingsomraade_update",
    "tema_create",
    "tema_delete",
    "tema_move",
    "tema_update",
    "tiltak_changes_since",
    "tiltak_create",
    "tiltak_delete",
    "tiltak_has_traces",
    "tiltak_move",
    "tiltak_renumber",
    "tiltak_restore_deleted",
    "tiltak_update",
]

# Fields each update function accepts (anything else is a programming error: TypeError).
TEMA_FIELDS = ("navn", "etikett", "overordnet_maal", "ansvarlig", "ansvarlig_tekst")
DELMAAL_FIELDS = ("nummer", "navn", "smarte_maal")
SATSINGSOMRAADE_FIELDS = ("navn", "prioritert_handling")
TILTAK_FIELDS = (
    "tittel",
    "beskrivelse",
    "virkemiddel",
    "type",
    "status",
    "start_aar",
    "slutt_aar",
    "finansiering",
    "forventet_resultat",
    "hovedansvar_tekst",
    "samarbeidsparter_tekst",
    "merknader",
)
# What may still change when the programme is adopted (tiltak.edit_tiltak_progress).
PROGRESS_FIELDS = frozenset({"status"})

# The history's change reason is a text field (settings); this only bounds absurd input.
HISTORY_REASON_MAX = 5000
# Temporary numbers used while renumbering, above any real number and within a smallint.
_PARKING_NUMBER = 30000


# --- Shared helpers -----------------------------------------------------------------------


def _history_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if len(reason) > HISTORY_REASON_MAX:
        reason = reason[: HISTORY_REASON_MAX - 1] + "…"
    return reason


def _save(instance, *, actor, reason: str = ""):
    _validate(instance)
    return save_with_actor(instance, actor=actor, reason=_history_reason(reason))


def _validate(instance) -> None:
    """full_clean(), with every message starting with the name of its field ("Title: This
    field cannot be blank."), and field-named messages in place of the generic ones of
    constraints that span several fields."""
    errors = {name: [msg] for name, msg in _precheck(instance).items()}
    try:
        instance.full_clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            if name == NON_FIELD_ERRORS and errors:
                continue  # the constraint messages the prechecks have already put in words
            if name != NON_FIELD_ERRORS:
                label = _label(type(instance), name).capitalize()
                messages = [m if m.startswith(f"{label}:") else f"{label}: {m}" for m in messages]
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _precheck(instance) -> dict[str, str]:
    """Field-named messages for constraints whose database-level message would not say
    which field is wrong."""
    errors: dict[str, str] = {}
    if isinstance(instance, Tiltak):
        if instance.start_aar and instance.slutt_aar and instance.start_aar > instance.slutt_aar:
            errors["slutt_aar"] = _("End year: must be the same as or later than the start year.")
        if instance.nummer is not None and instance.slettet is None and instance.tema_id:
            taken = (
                Tiltak.objects.filter(tema_id=instance.tema_id, nummer=instance.nummer)
                .exclude(pk=instance.pk)
                .first()
            )
            if taken:
                errors["nummer"] = _(
                    "Number: %(nummer)s is already used by “%(tittel)s” in this theme."
                ) % {"nummer": instance.nummer, "tittel": taken.tittel[:80]}
    elif isinstance(instance, Tema):
        if (
            Tema.objects.filter(program_id=instance.program_id, nummer=instance.nummer)
            .exclude(pk=instance.pk)
            .exists()
        ):
            errors["nummer"] = _("Number: the programme already has a theme %(nummer)s.") % {
                "nummer": instance.nummer
            }
    elif isinstance(instance, Delmaal) and (
        instance.nummer
        and Delmaal.objects.filter(tema_id=instance.tema_id, nummer=instance.nummer)
        .exclude(pk=instance.pk)
        .exists()
    ):
        errors["nummer"] = _("Number: the theme already has a sub-goal %(nummer)s.") % {
            "nummer": instance.nummer
        }
    return errors


def _delete(instance, *, actor, reason: str = "") -> None:
    instance._history_user = actor
    if reason:
        instance._change_reason = _history_reason(reason)
    instance.delete()


def _apply(instance, allowed: Iterable[str], fields: dict[str, Any]) -> list[str]:
    """Set the given fields; return the names whose value actually changed."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"{type(instance).__name__}: fields not editable here: {sorted(unknown)}")
    changed = []
    for name, value in fields.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _same_programme(obj, programme_id: int, field: str) -> None:
    owner_id = obj.program_id if isinstance(obj, Tema) else obj.tema.program_id
    if owner_id != programme_id:
        raise ValidationError(
            {
                field: _("%(field)s: choose one from the same programme.")
                % {"field": _label(Tiltak, field).capitalize()}
            }
        )


def _ordered_positions(items: list, item, position: int | None) -> list:
    """`items` with `item` moved to the 1-based `position` (clamped); None puts it last."""
    others = [i for i in items if i.pk != item.pk]
    index = len(others) if position is None else min(max(position, 1), len(others) + 1) - 1
    others.insert(index, item)
    return others


def _reorder(objects: list, *, actor, field: str = "rekkefoelge") -> None:
    """Give `objects` the order 0..n-1 in `field`; only rows whose value changes are saved."""
    for index, obj in enumerate(objects):
        if getattr(obj, field) != index:
            setattr(obj, field, index)
            _save(obj, actor=actor)


def _refresh_locked(model, obj, manager: str = "objects"):
    """The row as it is now, locked for this transaction (a no-op lock on SQLite, whose writes
    are serialised anyway)."""
    return getattr(model, manager).select_for_update().get(pk=obj.pk)


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
    return _save(tema, actor=actor)


@transaction.atomic
def tema_update(*, actor, tema: Tema, reason: str = "", **fields) -> Tema:
    """Change the fields named in TEMA_FIELDS. The number changes only with `tema_move`."""
    check_perm(actor, "tiltak.edit_structure", tema)
    tema = Tema.objects.select_related("program").get(pk=tema.pk)
    if _apply(tema, TEMA_FIELDS, fields):
        _save(tema, actor=actor, reason=reason)
    return tema


@transaction.atomic
def tema_delete(*, actor, tema: Tema) -> None:
    """Delete a tema with its delmål and satsingsområder. Refused (ServiceError) while it holds
    any tiltak, deleted ones included: those are kept records and must be moved first."""
    check_perm(actor, "tiltak.edit_structure", tema)
    tema = _refresh_locked(Tema, tema)
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
        _delete(s, actor=actor)
    for d in Delmaal.objects.filter(tema=tema):
        _delete(d, actor=actor)
    _delete(tema, actor=actor)


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
    ordered = _ordered_positions(temaer, tema, position)
    moving = [(t, n) for t, n in zip(ordered, numbers, strict=True) if t.nummer != n]
    # Two phases, so the unique (program, nummer) constraint never sees two temaer on a number.
    for i, (t, _n) in enumerate(moving):
        Tema.objects.filter(pk=t.pk).update(nummer=_PARKING_NUMBER + i)
    for t, n in moving:
        t.nummer = n
        _save(t, actor=actor)
    return ordered


# --- Delmål -------------------------------------------------------------------------------


@transaction.atomic
def delmaal_create(
    *, actor, tema: Tema, navn: str, nummer: str = "", smarte_maal: str = ""
) -> Delmaal:
    """A new delmål, last in its tema. `nummer` ("3.1") is optional but unique in the tema."""
    check_perm(actor, "tiltak.edit_structure", tema)
    last = Delmaal.objects.filter(tema=tema).aggregate(m=Max("rekkefoelge"))["m"]
    delmaal = Delmaal(
        tema=tema,
        navn=navn,
        nummer=nummer.strip(),
        smarte_maal=smarte_maal,
        rekkefoelge=0 if last is None else last + 1,
    )
    return _save(delmaal, actor=actor)


@transaction.atomic
def delmaal_update(*, actor, delmaal: Delmaal, reason: str = "", **fields) -> Delmaal:
    """Change the fields named in DELMAAL_FIELDS."""
    check_perm(actor, "tiltak.edit_structure", delmaal)
    delmaal = Delmaal.objects.select_related("tema__program").get(pk=delmaal.pk)
    if "nummer" in fields:
        fields["nummer"] = (fields["nummer"] or "").strip()
    if _apply(delmaal, DELMAAL_FIELDS, fields):
        _save(delmaal, actor=actor, reason=reason)
    return delmaal


@transaction.atomic
def delmaal_delete(*, actor, delmaal: Delmaal) -> None:
    """Delete a delmål and its (empty) satsingsområder. Refused while any tiltak, deleted ones
    included, sits under it."""
    check_perm(actor, "tiltak.edit_structure", delmaal)
    delmaal = _refresh_locked(Delmaal, delmaal)
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
        _delete(s, actor=actor)
    _delete(delmaal, actor=actor)


@transaction.atomic
def delmaal_move(
    *, actor, delmaal: Delmaal, position: int | None = None, tema: Tema | None = None
) -> Delmaal:
    """Move the delmål to the 1-based `position` in `tema` (default: its own tema; position
    None = last). Moving to another tema of the same programme takes its satsingsområder and
    tiltak along; the tiltak get the next free numbers in the new tema."""
    check_perm(actor, "tiltak.edit_structure", delmaal)
    delmaal = _refresh_locked(Delmaal, delmaal)
    target = tema or delmaal.tema
    if target.pk != delmaal.tema_id:
        check_perm(actor, "tiltak.edit_structure", target)
        _same_programme(target, delmaal.tema.program_id, "tema")
        delmaal.tema = target
        _save(delmaal, actor=actor)
        for s in Satsingsomraade.objects.filter(delmaal=delmaal):
            s.tema = target
            _save(s, actor=actor)
        for t in Tiltak.alle.filter(delmaal=delmaal).order_by("nummer", "rekkefoelge", "id"):
            _place_tiltak(t, actor=actor, tema=target, delmaal=delmaal, satsing=t.satsingsomraade)
    siblings = list(Delmaal.objects.filter(tema=target).order_by("rekkefoelge", "id"))
    _reorder(_ordered_positions(siblings, delmaal, position), actor=actor)
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
    return _save(satsing, actor=actor)


@transaction.atomic
def satsingsomraade_update(
    *, actor, satsingsomraade: Satsingsomraade, reason: str = "", **fields
) -> Satsingsomraade:
    """Change the fields named in SATSINGSOMRAADE_FIELDS."""
    check_perm(actor, "tiltak.edit_structure", satsingsomraade)
    satsing = Satsingsomraade.objects.select_related("tema__program").get(pk=satsingsomraade.pk)
    if _apply(satsing, SATSINGSOMRAADE_FIELDS, fields):
        _save(satsing, actor=actor, reason=reason)
    return satsing


@transaction.atomic
def satsingsomraade_delete(*, actor, satsingsomraade: Satsingsomraade) -> None:
    """Delete a satsingsområde. Refused while any tiltak (deleted ones included) sits under it:
    the database would silently unplace them."""
    check_perm(actor, "tiltak.edit_structure", satsingsomraade)
    satsingsomraade = _refresh_locked(Satsingsomraade, satsingsomraade)
    count = Tiltak.alle.filter(satsingsomraade=satsingsomraade).count()
    if count:
        raise ServiceError(
            _(
                "The priority area “%(navn)s” still holds %(count)s measure(s) (deleted ones "
                "included). Move them first."
            )
            % {"navn": satsingsomraade.navn, "count": count}
        )
    _delete(satsingsomraade, actor=actor)


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
    satsing = _refresh_locked(Satsingsomraade, satsingsomraade)
    programme_id = satsing.tema.program_id
    if delmaal is None and tema is None:
        new_tema, new_delmaal = satsing.tema, satsing.delmaal
    else:
        new_tema, new_delmaal = _satsing_parent(tema, delmaal)
    if (new_tema.pk, getattr(new_delmaal, "pk", None)) != (satsing.tema_id, satsing.delmaal_id):
        check_perm(actor, "tiltak.edit_structure", new_tema)
        _same_programme(new_tema, programme_id, "tema")
        satsing.tema, satsing.delmaal = new_tema, new_delmaal
        _save(satsing, actor=actor)
        for t in Tiltak.alle.filter(satsingsomraade=satsing).order_by("nummer", "id"):
            _place_tiltak(t, actor=actor, tema=new_tema, delmaal=new_delmaal, satsing=satsing)
    siblings = list(
        Satsingsomraade.objects.filter(tema=new_tema, delmaal=new_delmaal).order_by(
            "rekkefoelge", "id"
        )
    )
    _reorder(_ordered_positions(siblings, satsing, position), actor=actor)
    return Satsingsomraade.objects.get(pk=satsing.pk)


# --- Tiltak -------------------------------------------------------------------------------


def next_tiltak_nummer(tema: Tema) -> int:
    """The next free number in the tema: one above the highest number of its tiltak that are
    not deleted (a deleted tiltak's number may be reused, as the database allows)."""
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


def _place_tiltak(
    t: Tiltak,
    *,
    actor,
    tema: Tema,
    delmaal: Delmaal | None,
    satsing: Satsingsomraade | None,
    nummer: int | None = None,
    bump: bool = True,
) -> Tiltak:
    """`t` must be the row locked in this transaction (select_for_update or a claimed version)."""
    new_tema = tema.pk != t.tema_id
    t.tema, t.delmaal, t.satsingsomraade = tema, delmaal, satsing
    if nummer is not None:
        t.nummer = nummer
    elif new_tema and t.nummer is not None:
        # Deleted tiltak are outside the unique constraint and keep their old number.
        t.nummer = next_tiltak_nummer(tema) if t.slettet is None else t.nummer
    if new_tema:
        t.rekkefoelge = _next_rekkefoelge(t.program_id)
    if bump:
        t.versjon += 1
    return _save(t, actor=actor)


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
    tiltak = Tiltak(
        program_id=tema.program_id,
        tema=tema,
        delmaal=delmaal,
        satsingsomraade=satsing,
        tittel=tittel,
        nummer=next_tiltak_nummer(tema) if nummer is None else nummer,
        rekkefoelge=_next_rekkefoelge(tema.program_id),
    )
    _apply(tiltak, TILTAK_FIELDS, fields)
    return _save(tiltak, actor=actor, reason=reason)


@dataclass(frozen=True)
class FieldChange:
    """One field someone else changed: `before` is the value at the version the editor
    started from, `after` is the saved value. `base_known` is False when that version is not
    in the history (then `before` is None and means "unknown")."""

    field: str
    label: str
    before: Any
    after: Any
    before_display: str
    after_display: str
    base_known: bool = True


def _display(field_name: str, value: Any) -> str:
    field = Tiltak._meta.get_field(field_name)
    if value in (None, ""):
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _field_change(name: str, before: Any, after: Any) -> FieldChange:
    return FieldChange(
        field=name,
        label=_label(Tiltak, name),
        before=before,
        after=after,
        before_display=_display(name, before),
        after_display=_display(name, after),
    )


HISTORY_COMPARED_FIELDS = (*TILTAK_FIELDS, "nummer", "tema_id", "delmaal_id", "satsingsomraade_id")


def tiltak_changes_since(*, tiltak: Tiltak, versjon: int) -> list[FieldChange] | None:
    """What changed in the tiltak between `versjon` (as last saved at that version, from its
    history) and its current state; None when that version is not in the history (rows made
    by bulk loads have none). Placement changes are reported as the fields tema, delmaal,
    satsingsomraade with ids as values."""
    base = (
        Tiltak.history.filter(id=tiltak.pk, versjon=versjon)
        .order_by("-history_date", "-history_id")
        .first()
    )
    if base is None:
        return None
    changes = []
    for attname in HISTORY_COMPARED_FIELDS:
        before, after = getattr(base, attname), getattr(tiltak, attname)
        if before == after:
            continue
        name = attname.removesuffix("_id")
        if name == attname:
            changes.append(_field_change(name, before, after))
            continue
        model = Tiltak._meta.get_field(name).related_model
        names = {o.pk: str(o) for o in model.objects.filter(pk__in=[before, after])}
        changes.append(
            FieldChange(
                field=name,
                label=_label(Tiltak, name),
                before=before,
                after=after,
                before_display=names.get(before, ""),
                after_display=names.get(after, ""),
            )
        )
    return changes


class ConcurrencyConflict(Conflict):
    """Someone saved the tiltak after the editor loaded it. Nothing was written.

    - `current`: the tiltak as saved now (its `versjon` is what to send on the next try)
    - `expected_versjon`: the version the editor started from
    - `changes`: list[FieldChange], what the other person changed since then; when that
      version is not in the history, the saved fields that differ from what was submitted
    - `changed_fields`: the names in `changes`
    - `changed_by`: the user of the latest save, or None
    """

    def __init__(
        self,
        *,
        current: Tiltak,
        expected_versjon: int,
        changes: list[FieldChange],
        changed_by=None,
    ):
        self.current = current
        self.expected_versjon = expected_versjon
        self.changes = changes
        self.changed_by = changed_by
        super().__init__(
            _(
                "Someone else saved this measure while you were editing it. Nothing was "
                "saved. Compare their changes with yours and save again."
            )
        )

    @property
    def changed_fields(self) -> list[str]:
        return [c.field for c in self.changes]

    def body(self) -> dict[str, Any]:
        """What the API answers with 409: the current version to retry with, and what the
        other person changed."""
        user = self.changed_by
        return {
            "detail": str(self),
            "versjon": self.current.versjon,
            "changed_fields": self.changed_fields,
            "changes": [
                {
                    "field": c.field,
                    "label": c.label,
                    "before": c.before,
                    "after": c.after,
                    "before_display": c.before_display,
                    "after_display": c.after_display,
                }
                for c in self.changes
            ],
            "changed_by": (user.get_full_name() or user.email) if user else None,
        }


def _conflict(*, pk: int, expected_versjon: int, submitted: dict[str, Any]) -> ConcurrencyConflict:
    current = Tiltak.alle.select_related("program", "tema").get(pk=pk)
    changes = tiltak_changes_since(tiltak=current, versjon=expected_versjon)
    if changes is None:
        changes = [
            replace(_field_change(name, None, getattr(current, name)), base_known=False)
            for name, value in submitted.items()
            if getattr(current, name) != value
        ]
    last = Tiltak.history.filter(id=pk).order_by("-history_date", "-history_id").first()
    return ConcurrencyConflict(
        current=current,
        expected_versjon=expected_versjon,
        changes=changes,
        changed_by=last.history_user if last else None,
    )


def _locked_tiltak(tiltak: Tiltak) -> Tiltak:
    """The tiltak row locked for this transaction; a deleted one is a ServiceError."""
    current = Tiltak.alle.select_for_update().get(pk=tiltak.pk)
    if current.slettet is not None:
        raise ServiceError(_("This measure has been deleted; restore it before editing."))
    return current


def _claim_versjon(tiltak: Tiltak, expected_versjon: int, submitted: dict[str, Any]) -> Tiltak:
    """Raise the version in the database only if it is still `expected_versjon` (one atomic
    UPDATE ... WHERE versjon = expected, which also locks the row until commit), and return
    the row as it now is. Otherwise raise ConcurrencyConflict."""
    if Tiltak.alle.filter(pk=tiltak.pk, slettet__isnull=False).exists():
        raise ServiceError(_("This measure has been deleted; restore it before editing."))
    claimed = Tiltak.objects.filter(pk=tiltak.pk, versjon=expected_versjon).update(
        versjon=expected_versjon + 1
    )
    if not claimed:
        raise _conflict(pk=tiltak.pk, expected_versjon=expected_versjon, submitted=submitted)
    return Tiltak.objects.select_related("program", "tema").get(pk=tiltak.pk)


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
            % {"fields": ", ".join(_label(Tiltak, name) for name in structural)}
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
    current = _claim_versjon(tiltak, expected_versjon, fields)
    changed = _apply(current, TILTAK_FIELDS, fields)
    _refuse_locked_fields(actor, current, changed)
    return _save(current, actor=actor, reason=reason)


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
    _same_programme(new_tema, tiltak.program_id, "tema")
    if expected_versjon is not None:
        current, bump = _claim_versjon(tiltak, expected_versjon, {}), False
    else:
        current, bump = _locked_tiltak(tiltak), True
    return _place_tiltak(
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
    order follows. Only tiltak whose number changes get a history row and a new version."""
    check_perm(actor, "tiltak.edit_structure", tema)
    tiltak = {t.pk: t for t in Tiltak.objects.select_for_update().filter(tema=tema)}
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
        t.nummer, t.rekkefoelge = nummer, rekkefoelge
        t.versjon += 1
        _save(t, actor=actor, reason=_("Renumbered"))
    return [tiltak[pk] for pk in order]


# Checks that say a tiltak has left traces others rely on, so deleting it must keep the row.
# hoering (hearing answers) and rapportering (reports) add theirs from their AppConfig.ready()
# with register_trace_check(); tiltak must not import them (dependency direction).
TraceCheck = Callable[[Tiltak], bool]
_TRACE_CHECKS: list[TraceCheck] = []


def register_trace_check(check: TraceCheck) -> TraceCheck:
    """Add a check `check(tiltak) -> bool` (usable as a decorator); True keeps the tiltak on
    delete. Registering the same function twice has no effect."""
    if check not in _TRACE_CHECKS:
        _TRACE_CHECKS.append(check)
    return check


@register_trace_check
def _has_history_beyond_creation(tiltak: Tiltak) -> bool:
    return Tiltak.history.filter(id=tiltak.pk).exclude(history_type="+").exists()


@register_trace_check
def _is_linked_by_rolling(tiltak: Tiltak) -> bool:
    # A successor or merged tiltak in another period points here; a hard delete would cut it.
    return Tiltak.alle.filter(forgjenger=tiltak).exists() or (
        Tiltak.alle.filter(slaatt_sammen_med=tiltak).exists()
    )


def tiltak_has_traces(tiltak: Tiltak) -> bool:
    """True when the tiltak must be kept on delete: it was changed after it was created, other
    tiltak were rolled or merged from it, or a registered check (hearing answers, reports)
    says so."""
    return any(check(tiltak) for check in _TRACE_CHECKS)


@transaction.atomic
def tiltak_delete(
    *, actor, tiltak: Tiltak, reason: str, expected_versjon: int | None = None
) -> Literal["soft", "hard"]:
    """Delete a tiltak; `reason` is required (ValidationError on `slettet_grunn`).

    With traces (`tiltak_has_traces`) it is kept: marked deleted with the time and reason,
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
    if expected_versjon is not None:
        current = _claim_versjon(tiltak, expected_versjon, {})
    else:
        current = _locked_tiltak(tiltak)
        current.versjon += 1
    if tiltak_has_traces(current):
        current.slettet = timezone.now()
        current.slettet_grunn = reason
        _save(current, actor=actor, reason=reason)
        return "soft"
    for a in Ansvar.objects.filter(tiltak=current):
        _delete(a, actor=actor, reason=reason)
    _delete(current, actor=actor, reason=reason)
    return "hard"


@transaction.atomic
def tiltak_restore_deleted(*, actor, tiltak: Tiltak) -> Tiltak:
    """Bring back a soft-deleted tiltak. If another tiltak took its number meanwhile, it gets
    the next free number in its tema."""
    current = Tiltak.alle.select_for_update().get(pk=tiltak.pk)
    check_perm(actor, "tiltak.edit_structure", current)
    if current.slettet is None:
        raise ServiceError(_("This measure is not deleted."))
    if (
        current.nummer is not None
        and Tiltak.objects.filter(tema_id=current.tema_id, nummer=current.nummer).exists()
    ):
        current.nummer = next_tiltak_nummer(current.tema)
    current.slettet = None
    current.slettet_grunn = ""
    current.versjon += 1
    return _save(current, actor=actor, reason=_("Restored after deletion"))


# --- Responsibilities ---------------------------------------------------------------------


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
    return _save(ansvar, actor=actor)


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
    return _save(ansvar, actor=actor)


@transaction.atomic
def ansvar_remove(*, actor, ansvar: Ansvar) -> None:
    """Take the organisation's role off the tiltak (recorded in the Ansvar history)."""
    ansvar = Ansvar.objects.select_related("tiltak__program").get(pk=ansvar.pk)
    _check_ansvar_tiltak(actor, ansvar.tiltak)
    _delete(ansvar, actor=actor)


@transaction.atomic
def ansvar_reorder(*, actor, tiltak: Tiltak, rolle: str, order: list[int]) -> list[Ansvar]:
    """Order the tiltak's parties in one role as the Ansvar ids in `order` (each of them
    exactly once, else ServiceError)."""
    _check_ansvar_tiltak(actor, tiltak)
    rows = {a.pk: a for a in Ansvar.objects.filter(tiltak=tiltak, rolle=rolle)}
    if len(order) != len(set(order)) or set(order) != set(rows):
        raise ServiceError(_("The list to reorder must hold each party of the role exactly once."))
    ordered = [rows[pk] for pk in order]
    _reorder(ordered, actor=actor)
    return ordered
