"""The status workflow of a programme: utkast → på høring → vedtatt → arkivert, by explicit
transitions only.

| from        | to          | reason required |
|-------------|-------------|-----------------|
| utkast      | paa_hoering | no              |
| paa_hoering | vedtatt     | no              |
| paa_hoering | utkast      | yes (takes the programme off the public site)  |
| vedtatt     | arkivert    | yes (takes the programme off the public site)  |
| vedtatt     | paa_hoering | yes (going back from an adopted programme)     |
| vedtatt     | utkast      | yes (going back from an adopted programme)     |
| arkivert    | vedtatt     | yes (reopening an archive taken by mistake)    |

Archived programmes can only be reopened to vedtatt, never straight to draft or hearing: an
archive is the record of what was adopted, so undoing it goes through the adopted state, where
a second reasoned step is needed to edit it again. Every transition that takes a programme off
the public site or back from adopted or archived needs a reason, here, so that neither the
browser nor the API can skip it (the browser also asks for a confirmation first). Every
transition needs
`tiltak.transition_programme`; the reason is stored on the history row
(`history_change_reason`) and shown in the status history.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Handlingsprogram, ProgramStatus
from .common import check_perm, checked_reason, history_reason, save_with_actor

S = ProgramStatus

# (from, to) -> a reason is required
TRANSITIONS: dict[tuple[str, str], bool] = {
    (S.UTKAST, S.PAA_HOERING): False,
    (S.PAA_HOERING, S.UTKAST): True,
    (S.PAA_HOERING, S.VEDTATT): False,
    (S.VEDTATT, S.ARKIVERT): True,
    (S.VEDTATT, S.PAA_HOERING): True,
    (S.VEDTATT, S.UTKAST): True,
    (S.ARKIVERT, S.VEDTATT): True,
}


@dataclass(frozen=True)
class Transition:
    to_status: str
    label: str
    reason_required: bool


def allowed_transitions(status: str) -> list[Transition]:
    """The statuses a programme in `status` may move to, in workflow order."""
    order = list(S.values)
    result = [
        Transition(to, str(S(to).label), needs_reason)
        for (frm, to), needs_reason in TRANSITIONS.items()
        if frm == status
    ]
    return sorted(result, key=lambda t: order.index(t.to_status))


def reason_required(from_status: str, to_status: str) -> bool:
    return TRANSITIONS.get((from_status, to_status), False)


@transaction.atomic
def programme_transition(
    *, actor, programme: Handlingsprogram, to_status: str, reason: str = ""
) -> Handlingsprogram:
    """Move the programme to `to_status`.

    Raises PermissionDenied without `tiltak.transition_programme`, and ValidationError (field
    "status" or "reason") when the status is unknown, the same as now, not an allowed
    transition, when a reason is required but empty, or when the reason is too long. On any
    refusal nothing changes. The reason goes on the history row of the programme."""
    # Lock the row so two planners cannot both move it from the same status.
    current = Handlingsprogram.objects.select_for_update().get(pk=programme.pk)
    check_perm(actor, "tiltak.transition_programme", current)
    reason = history_reason(reason)
    to_status = (to_status or "").strip()
    if to_status not in S.values:
        raise ValidationError(
            {"status": _("Status: “%(value)s” is not a status.") % {"value": to_status}}
        )
    if to_status == current.status:
        raise ValidationError(
            {
                "status": _("Status: the programme is already “%(status)s”.")
                % {"status": S(to_status).label}
            }
        )
    if (current.status, to_status) not in TRANSITIONS:
        raise ValidationError(
            {
                "status": _("Status: a programme cannot go from “%(from)s” to “%(to)s”.")
                % {"from": S(current.status).label, "to": S(to_status).label}
            }
        )
    if TRANSITIONS[(current.status, to_status)] and not reason:
        raise ValidationError(
            {
                "reason": _("Reason: going from “%(from)s” to “%(to)s” needs a reason.")
                % {"from": S(current.status).label, "to": S(to_status).label}
            }
        )
    checked_reason(reason)
    current.status = to_status
    save_with_actor(current, actor=actor, reason=reason)
    programme.status = current.status
    return current
