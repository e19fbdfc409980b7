"""Optimistic concurrency for tiltak: an editor sends the version (`Tiltak.versjon`) it loaded;
a write claims the next version only if nobody saved in between, and otherwise says what the
other person changed (`ConcurrencyConflict`, answered by the API with 409)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from partnerskap.errors import Conflict, ServiceError
from tiltak.models import Tiltak

from .common import TILTAK_FIELDS, field_label

HISTORY_COMPARED_FIELDS = (*TILTAK_FIELDS, "nummer", "tema_id", "delmaal_id", "satsingsomraade_id")


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
    if isinstance(field, models.Field) and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _field_change(name: str, before: Any, after: Any) -> FieldChange:
    return FieldChange(
        field=name,
        label=field_label(Tiltak, name),
        before=before,
        after=after,
        before_display=_display(name, before),
        after_display=_display(name, after),
    )


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
        assert isinstance(model, type) and issubclass(model, models.Model)
        names = {o.pk: str(o) for o in model._default_manager.filter(pk__in=[before, after])}
        changes.append(
            FieldChange(
                field=name,
                label=field_label(Tiltak, name),
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


def locked_tiltak(tiltak: Tiltak) -> Tiltak:
    """The tiltak row locked for this transaction; a deleted one is a ServiceError."""
    current = Tiltak.alle.select_for_update().get(pk=tiltak.pk)
    if current.slettet is not None:
        raise ServiceError(_("This measure has been deleted; restore it before editing."))
    return current


def claim_versjon(tiltak: Tiltak, expected_versjon: int, submitted: dict[str, Any]) -> Tiltak:
    """Raise the version in the database only if it is still `expected_versjon` (one atomic
    UPDATE ... WHERE versjon = expected, which also locks the row until commit), and return
    the row as it now is. Otherwise raise ConcurrencyConflict, listing what changed (or, when
    the history cannot say, which of the `submitted` fields now differ)."""
    if Tiltak.alle.filter(pk=tiltak.pk, slettet__isnull=False).exists():
        raise ServiceError(_("This measure has been deleted; restore it before editing."))
    claimed = Tiltak.objects.filter(pk=tiltak.pk, versjon=expected_versjon).update(
        versjon=expected_versjon + 1
    )
    if not claimed:
        raise _conflict(pk=tiltak.pk, expected_versjon=expected_versjon, submitted=submitted)
    return Tiltak.objects.select_related("program", "tema").get(pk=tiltak.pk)
