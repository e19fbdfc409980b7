"""What the services share: the permission check, validation with field-named messages, saving
and deleting with the acting user and reason on the history row, reordering, the reason policy,
and the fields each update service accepts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from partnerskap.validators import no_control_characters
from tiltak.models import (
    REASON_MAX_LENGTH,
    Delmaal,
    Handlingsprogram,
    Tema,
    Tiltak,
)

# Fields each update service accepts (anything else is a programming error: TypeError). Here,
# not in structure.py or tiltak.py, because concurrency.py, the forms and the API use them too.
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


def check_perm(actor, perm: str, obj=None) -> None:
    """Services check their own permission with the same django-rules names as the views and the
    API, so the browser, the API and scripts get the same answer. The Django admin is read-only
    for the programme tree (tiltak/admin.py)."""
    if actor is None or not actor.has_perm(perm, obj):
        raise PermissionDenied(perm)


# --- Reasons ----------------------------------------------------------------------------------


def checked_reason(reason: str, *, field: str = "reason") -> str:
    """`reason` as given, if it fits REASON_MAX_LENGTH; otherwise a ValidationError on `field`
    naming the limit (or a control character in it). What the user wrote is kept whole or
    refused, never cut."""
    try:
        no_control_characters(reason)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    if len(reason) > REASON_MAX_LENGTH:
        if field == "slettet_grunn":
            message = _("Reason for deletion: at most %(max)d characters (it has %(count)d).")
        else:
            message = _("Reason: at most %(max)d characters (it has %(count)d).")
        raise ValidationError({field: message % {"max": REASON_MAX_LENGTH, "count": len(reason)}})
    return reason


def history_reason(reason: str | None) -> str:
    """A reason as the history shows it: on one line, whitespace collapsed."""
    return " ".join((reason or "").split())


def composed_reason(text: str) -> str:
    """A reason the system composes from stored names («Rolled from …», «Outcome: merged into
    …»), shortened to REASON_MAX_LENGTH (ending in «…») if a long name makes it longer. Cutting
    is fine here: it only repeats what is stored elsewhere, nothing the user wrote is lost."""
    if len(text) > REASON_MAX_LENGTH:
        text = text[: REASON_MAX_LENGTH - 1] + "…"
    return text


# --- Saving and deleting ----------------------------------------------------------------------


M = TypeVar("M", bound=models.Model)


def stamp_history(instance: models.Model, *, actor, reason: str = "") -> None:
    """Tell django-simple-history who makes the next save or delete of `instance`, and why."""
    setattr(instance, "_history_user", actor)  # noqa: B010  (simple-history reads these)
    if reason:
        setattr(instance, "_change_reason", reason)  # noqa: B010


def save_with_actor(instance: M, *, actor, reason: str = "") -> M:
    """full_clean() and save, with the acting user and reason on the history row. A reason over
    REASON_MAX_LENGTH is refused (ValidationError on "reason")."""
    checked_reason(reason)
    instance.full_clean()
    stamp_history(instance, actor=actor, reason=reason)
    instance.save()
    return instance


def validated_save(instance: M, *, actor, reason: str = "") -> M:
    """Save with every validation message naming its field (`validate`), the acting user and
    the reason (whitespace collapsed) on the history row."""
    validate(instance)
    return save_with_actor(instance, actor=actor, reason=history_reason(reason))


def delete_with_actor(instance: models.Model, *, actor, reason: str = "") -> None:
    """Delete, with the acting user and reason on the history row."""
    reason = checked_reason(history_reason(reason))
    stamp_history(instance, actor=actor, reason=reason)
    instance.delete()


def validate(instance: models.Model) -> None:
    """full_clean(), with every message starting with the name of its field ("Title: This
    field cannot be blank."), and field-named messages in place of the generic ones of
    constraints that span several fields."""
    errors = {name: [msg] for name, msg in precheck(instance).items()}
    try:
        instance.full_clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            if name == NON_FIELD_ERRORS and errors:
                continue  # the constraint messages the prechecks have already put in words
            if name != NON_FIELD_ERRORS:
                label = field_label(type(instance), name).capitalize()
                messages = [m if m.startswith(f"{label}:") else f"{label}: {m}" for m in messages]
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def precheck(instance: models.Model) -> dict[str, str]:
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
    elif isinstance(instance, Handlingsprogram):
        start, slutt = instance.start_aar, instance.slutt_aar
        if isinstance(start, int) and isinstance(slutt, int):
            if slutt < start:
                errors["slutt_aar"] = _("To year: the period cannot end before it starts.")
            elif (
                Handlingsprogram.objects.filter(
                    navn=instance.navn, start_aar=start, slutt_aar=slutt
                )
                .exclude(pk=instance.pk)
                .exists()
            ):
                errors["navn"] = _(
                    "Name: a programme called “%(navn)s” for %(start)s–%(slutt)s already exists."
                ) % {"navn": instance.navn, "start": start, "slutt": slutt}
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


def apply_fields(
    instance: models.Model, allowed: Iterable[str], fields: dict[str, Any]
) -> list[str]:
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


def field_label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def same_programme(obj, programme_id: int, field: str) -> None:
    """A ValidationError on `field` unless `obj` (a tema, or a level under one) belongs to the
    programme."""
    owner_id = obj.program_id if isinstance(obj, Tema) else obj.tema.program_id
    if owner_id != programme_id:
        raise ValidationError(
            {
                field: _("%(field)s: choose one from the same programme.")
                % {"field": field_label(Tiltak, field).capitalize()}
            }
        )


# --- Bulk operations ----------------------------------------------------------------------


def row_label(obj: models.Model) -> str:
    """One row of a bulk operation as a planner names it: «Measure 3.35», «Sub-goal 3.1»,
    «Priority area “…”», «Theme 3» (its verbose name, then its number or its name)."""
    kind = str(obj._meta.verbose_name).capitalize()
    if isinstance(obj, Tiltak):
        if obj.nummer is not None and obj.tema_id:
            return f"{kind} {obj.tema.nummer}.{obj.nummer}"
        return f"{kind} “{(obj.tittel or str(obj.pk))[:80]}”"
    if isinstance(obj, Tema):
        return f"{kind} {obj.nummer}"
    if isinstance(obj, Delmaal) and obj.nummer:
        return f"{kind} {obj.nummer}"
    name = getattr(obj, "navn", "") or str(obj)
    return f"{kind} “{name[:80]}”"


@contextmanager
def row_errors(obj: models.Model) -> Iterator[None]:
    """Inside a bulk operation (renumber, move with what it holds, reorder), a ValidationError
    while saving `obj` says which row it is: every message starts with `row_label(obj)` as the
    row was when the block began («Measure 3.35: Title: This field cannot be blank.»), keyed
    by the same field names. Without it, one bad row fails the whole operation with a message
    that does not say where."""
    label = row_label(obj)
    try:
        yield
    except ValidationError as exc:
        raise ValidationError(_named_row(exc, label)) from exc


def _named_row(exc: ValidationError, label: str) -> dict[str, list[str]] | list[str]:
    def named(message: str) -> str:
        return message if message.startswith(f"{label}:") else f"{label}: {message}"

    if hasattr(exc, "error_dict"):
        return {name: [named(m) for m in messages] for name, messages in exc.message_dict.items()}
    return [named(m) for m in exc.messages]


# --- Order --------------------------------------------------------------------------------


def ordered_positions(items: list, item, position: int | None) -> list:
    """`items` with `item` moved to the 1-based `position` (clamped); None puts it last."""
    others = [i for i in items if i.pk != item.pk]
    index = len(others) if position is None else min(max(position, 1), len(others) + 1) - 1
    others.insert(index, item)
    return others


def reorder(objects: list, *, actor, field: str = "rekkefoelge") -> None:
    """Give `objects` the order 0..n-1 in `field`; only rows whose value changes are saved."""
    for index, obj in enumerate(objects):
        if getattr(obj, field) != index:
            with row_errors(obj):
                setattr(obj, field, index)
                validated_save(obj, actor=actor)


def refresh_locked(model, obj, manager: str = "objects"):
    """The row as it is now, locked for this transaction (a no-op lock on SQLite, whose writes
    are serialised anyway)."""
    return getattr(model, manager).select_for_update().get(pk=obj.pk)
