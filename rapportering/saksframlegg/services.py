"""Writes of the case papers. The error contract of every service (partnerskap/errors.py):
PermissionDenied, ValidationError keyed by field, Conflict when someone saved in between.

- `saksframlegg_create(*, actor, programme, **fields)`: rapportering.change_saksframlegg on
  the programme.
- `saksframlegg_update(*, actor, saksframlegg, expected_versjon, **fields)`: the same
  permission; the version the editor loaded must still be the saved one, otherwise
  `SaksframleggConflict` says what the other person changed and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partnerskap.errors import Conflict
from rapportering.models_saksframlegg import Saksframlegg
from tiltak.extensions import sections
from tiltak.models import Handlingsprogram
from tiltak.services.common import check_perm, field_label, refresh_locked, validated_save

FIELDS = (
    "saksnummer",
    "tittel",
    "utvalg",
    "moetedato",
    "saksopplysninger",
    "vurdering",
    "forslag_til_vedtak",
    "deler",
    "spraak",
)
PERM = "rapportering.change_saksframlegg"


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: Any
    after: Any
    base_known: bool


class SaksframleggConflict(Conflict):
    """Someone saved the case papers after the editor loaded them. Nothing was written.
    `current` is the saved row (send its `versjon` next time), `changes` what differs from the
    version the editor started from (or from what was submitted, when that version is gone)."""

    def __init__(self, *, current: Saksframlegg, changes: list[Change]):
        self.current = current
        self.changes = changes
        super().__init__(
            _(
                "Someone else saved these case papers while you were editing them. Nothing "
                "was saved. Compare their changes with yours and save again."
            )
        )

    def body(self) -> dict[str, Any]:
        return {
            "detail": str(self),
            "versjon": self.current.versjon,
            "changed_fields": [c.field for c in self.changes],
        }


def _check_parts(deler) -> None:
    known = {s.name for s in sections("saksframlegg")}
    if not isinstance(deler, list):
        raise ValidationError({"deler": _("Parts: choose from the list.")})
    unknown = [d for d in deler if d not in known]
    if unknown:
        raise ValidationError(
            {"deler": _("Parts: unknown part %(name)s.") % {"name": ", ".join(map(str, unknown))}}
        )


def _apply(sak: Saksframlegg, fields: dict) -> None:
    extra = set(fields) - set(FIELDS)
    if extra:
        raise TypeError(f"unknown fields: {sorted(extra)}")
    for name, value in fields.items():
        setattr(sak, name, value)


@transaction.atomic
def saksframlegg_create(*, actor, programme: Handlingsprogram, **fields) -> Saksframlegg:
    check_perm(actor, PERM, programme)
    if "deler" in fields:
        _check_parts(fields["deler"])
    sak = Saksframlegg(program=programme, endret_av=actor)
    _apply(sak, fields)
    return validated_save(sak, actor=actor)


def _changes(current: Saksframlegg, expected_versjon: int, submitted: dict) -> list[Change]:
    base = (
        Saksframlegg.history.filter(id=current.pk, versjon=expected_versjon)
        .order_by("-history_date", "-history_id")
        .first()
    )
    changes = []
    for name in FIELDS:
        after = getattr(current, name)
        if base is not None:
            before = getattr(base, name)
            if before != after:
                changes.append(Change(name, field_label(Saksframlegg, name), before, after, True))
        elif name in submitted and submitted[name] != after:
            changes.append(Change(name, field_label(Saksframlegg, name), None, after, False))
    return changes


@transaction.atomic
def saksframlegg_update(
    *, actor, saksframlegg: Saksframlegg, expected_versjon: int, **fields
) -> Saksframlegg:
    check_perm(actor, PERM, saksframlegg)
    current = refresh_locked(Saksframlegg, saksframlegg)
    if current.versjon != expected_versjon:
        raise SaksframleggConflict(
            current=current, changes=_changes(current, expected_versjon, fields)
        )
    if "deler" in fields:
        _check_parts(fields["deler"])
    _apply(current, fields)
    current.versjon += 1
    current.endret_av = actor
    validated_save(current, actor=actor)
    saksframlegg.__dict__.update(current.__dict__)
    return current
