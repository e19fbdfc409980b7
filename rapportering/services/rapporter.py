"""Status reports: a member of a lead organisation writes the report on a tiltak for the year of
an open round (draft, then submit); the planner approves it or sends it back with a comment;
a sent-back report is edited and submitted again.

No silent overwrite: every save names the `versjon` it started from; if someone saved since,
nothing is written and `StatusrapportConflict` (409) says what they changed. A report that does
not exist yet is created with `versjon=None`; if someone created it in the meantime, that is a
conflict too.

Error contract (partnerskap/errors.py): PermissionDenied; ValidationError keyed by field;
ServiceError when the round is not open or the report's state does not allow the step;
StatusrapportConflict (a Conflict) for a stale save."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerskap.errors import Conflict, ServiceError
from rapportering.models import (
    EDITABLE_STATES,
    Behandling,
    Rapporteringsrunde,
    Statusrapport,
)
from rapportering.rules import is_lead_member
from tiltak.models import Tiltak
from tiltak.rules import is_logged_in
from tiltak.services.common import (
    check_perm,
    checked_reason,
    field_label,
    stamp_history,
    validated_save,
)

REPORT_FIELDS = ("status", "fremdrift", "resultater", "ressurser")


class StatusrapportConflict(Conflict):
    """Someone saved the report after the user loaded it; nothing was written. `current` is
    the report as saved now (send its `versjon` to retry), `changes` what differs from what
    the user submitted: [(field, label, theirs)]."""

    def __init__(self, *, current: Statusrapport, expected_versjon: int | None, submitted: dict):
        self.current = current
        self.expected_versjon = expected_versjon
        self.changes = [
            (name, field_label(Statusrapport, name), _display(current, name))
            for name in REPORT_FIELDS
            if name in submitted and getattr(current, name) != submitted[name]
        ]
        self.changed_by = current.skrevet_av
        super().__init__(
            _(
                "Someone else saved this report while you were writing it. Nothing was saved. "
                "Compare their text with yours and save again."
            )
        )

    @property
    def changed_fields(self) -> list[str]:
        return [name for name, _label, _value in self.changes]

    def body(self) -> dict[str, Any]:
        user: Any = self.changed_by
        return {
            "detail": str(self),
            "versjon": self.current.versjon,
            "behandling": self.current.behandling,
            "changed_fields": self.changed_fields,
            "changes": [
                {"field": name, "label": label, "after": getattr(self.current, name)}
                for name, label, _value in self.changes
            ],
            "changed_by": (user.get_full_name() or user.email) if user else None,
        }


def _display(rapport: Statusrapport, name: str) -> str:
    if name == "status":
        return str(rapport.get_status_display())
    return getattr(rapport, name)


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(REPORT_FIELDS)
    if unknown:
        raise TypeError(f"Statusrapport: fields not editable here: {sorted(unknown)}")
    return {k: ("" if v is None else v) for k, v in fields.items()}


def _check_round(runde: Rapporteringsrunde, tiltak: Tiltak) -> None:
    if tiltak.program_id != runde.program_id:
        raise ValidationError({"tiltak": _("Measure: choose one from the round's programme.")})
    if not runde.er_aapen:
        raise ServiceError(
            _("The reporting round for %(aar)s is not open: reports cannot be changed.")
            % {"aar": runde.aar}
        )


@transaction.atomic
def statusrapport_save(
    *,
    actor,
    runde: Rapporteringsrunde,
    tiltak: Tiltak,
    versjon: int | None,
    submit: bool = False,
    **fields,
) -> Statusrapport:
    """Save the report on `tiltak` for the round's year as a draft (or, with `submit`, submit
    it: the status is then required). `versjon` is the version the user started from (None:
    the report did not exist). Returns the saved report (its versjon raised by one)."""
    fields = _clean_fields(fields)
    runde = Rapporteringsrunde.objects.select_related("program").get(pk=runde.pk)
    existing = (
        Statusrapport.objects.select_for_update(of=("self",))
        .select_related("tiltak__program", "runde__program", "skrevet_av")
        .filter(tiltak=tiltak, aar=runde.aar)
        .first()
    )
    rapport = existing or Statusrapport(
        tiltak=tiltak, runde=runde, aar=runde.aar, organisasjon_id=actor.organisasjon_id
    )
    if (
        existing is not None
        and existing.behandling not in EDITABLE_STATES
        and is_logged_in(actor)
        and is_lead_member(actor, existing)
    ):
        if versjon != existing.versjon:
            raise StatusrapportConflict(
                current=existing, expected_versjon=versjon, submitted=fields
            )
        raise ServiceError(_("The report has been submitted and can no longer be changed."))
    check_perm(actor, "rapportering.write_statusrapport", rapport)
    _check_round(runde, tiltak)
    if existing is None and versjon is not None:
        raise ValidationError({"versjon": _("Version: the report does not exist yet.")})
    if existing is not None and versjon != existing.versjon:
        raise StatusrapportConflict(current=existing, expected_versjon=versjon, submitted=fields)
    for name, value in fields.items():
        setattr(rapport, name, value)
    now = timezone.now()
    rapport.skrevet_av, rapport.endret = actor, now
    if existing is not None:
        rapport.versjon = existing.versjon + 1
    if submit:
        if not rapport.status:
            raise ValidationError({"status": _("Status: choose how the measure stands.")})
        rapport.behandling = Behandling.INNSENDT
        rapport.innsendt, rapport.innsendt_av = now, actor
    try:
        with transaction.atomic():
            validated_save(rapport, actor=actor, reason=_("Submitted") if submit else "")
    except IntegrityError:
        # Someone created the report for this tiltak and year at the same moment.
        current = Statusrapport.objects.get(tiltak=tiltak, aar=runde.aar)
        raise StatusrapportConflict(
            current=current, expected_versjon=versjon, submitted=fields
        ) from None
    return rapport


@transaction.atomic
def statusrapport_review(
    *, actor, rapport: Statusrapport, versjon: int, approve: bool, kommentar: str = ""
) -> Statusrapport:
    """The planner approves the submitted report, or sends it back to the lead organisation
    with a comment (required) saying what to change."""
    current = (
        Statusrapport.objects.select_for_update(of=("self",))
        .select_related("tiltak__program", "runde__program", "skrevet_av")
        .get(pk=rapport.pk)
    )
    check_perm(actor, "rapportering.review_statusrapport", current)
    if versjon != current.versjon:
        raise StatusrapportConflict(current=current, expected_versjon=versjon, submitted={})
    kommentar = checked_reason(kommentar, field="kommentar")
    if not approve and not kommentar.strip():
        raise ValidationError({"kommentar": _("Comment: say what the organisation should change.")})
    current.behandling = Behandling.GODKJENT if approve else Behandling.SENDT_TILBAKE
    current.kommentar = kommentar
    current.behandlet, current.behandlet_av = timezone.now(), actor
    current.versjon += 1
    stamp_history(current, actor=actor, reason=_("Approved") if approve else _("Sent back"))
    current.full_clean()
    current.save()
    return current
