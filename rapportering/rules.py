"""Reporting permissions (django-rules). Objects: a Handlingsprogram or anything that belongs to
one (Indikator, Indikatormaal, Indikatorverdi, Rapporteringsrunde), or a Statusrapport (saved,
or unsaved with its `tiltak` and `runde` set: «a report on this tiltak in this round»).

| permission                        | who                                                      |
|-----------------------------------|----------------------------------------------------------|
| rapportering.view_indikator       | whoever may see the programme (the public for on-hearing |
|                                   | and adopted programmes)                                  |
| rapportering.manage_indikator     | admin, planner of the programme's owner: indicators,     |
|                                   | targets, values, the import                              |
| rapportering.manage_runde         | admin, owning planner: create, open and close a round,   |
|                                   | the overview of every report                             |
| rapportering.view_runde           | manage_runde; logged-in users who may see the programme, |
|                                   | once the round is opened (a partner then sees only the   |
|                                   | tiltak its organisation leads: rapportering.selectors)   |
| rapportering.write_statusrapport  | a logged-in member of an organisation with hovedansvar   |
|                                   | for the tiltak (directly: not through a group it belongs |
|                                   | to), while the report is a draft or sent back; the round |
|                                   | being open is checked by the service, with a message     |
| rapportering.view_statusrapport   | members of a lead organisation and the owning planners   |
|                                   | (admin) always; the board once submitted; everyone who   |
|                                   | may see the programme once approved                      |
| rapportering.review_statusrapport | admin, owning planner, while the report is submitted     |
"""

from __future__ import annotations

import rules

from partnerskap.rules import is_board_member
from tiltak.models import Rolle
from tiltak.rules import can_manage, can_view, is_logged_in, programme_of


def _programme(obj):
    from .models import Indikatormaal, Indikatorverdi, Statusrapport

    if isinstance(obj, Indikatormaal | Indikatorverdi):
        obj = obj.indikator
    elif isinstance(obj, Statusrapport):
        obj = obj.runde if obj.runde_id else obj.tiltak
    return programme_of(obj)


@rules.predicate
def can_manage_reporting(user, obj) -> bool:
    programme = _programme(obj)
    return programme is not None and can_manage(user, programme)


@rules.predicate
def programme_is_visible(user, obj) -> bool:
    programme = _programme(obj)
    return programme is not None and can_view(user, programme)


@rules.predicate
def round_is_opened(user, obj) -> bool:
    runde = getattr(obj, "runde", obj)
    return getattr(runde, "aapnet", None) is not None


def lead_organisation_ids(tiltak) -> set[int]:
    """The organisations with hovedansvar for the tiltak, from the prefetched ansvar rows when
    they are there (a list page asks for many tiltak without a query each)."""
    cache = getattr(tiltak, "_prefetched_objects_cache", {})
    if "ansvar" in cache:
        return {a.organisasjon_id for a in tiltak.ansvar.all() if a.rolle == Rolle.HOVEDANSVAR}
    return set(
        tiltak.ansvar.filter(rolle=Rolle.HOVEDANSVAR).values_list("organisasjon_id", flat=True)
    )


@rules.predicate
def is_lead_member(user, rapport) -> bool:
    tiltak = getattr(rapport, "tiltak", None)
    return (
        tiltak is not None
        and bool(getattr(user, "organisasjon_id", None))
        and user.organisasjon_id in lead_organisation_ids(tiltak)
    )


@rules.predicate
def report_is_editable(user, rapport) -> bool:
    from .models import EDITABLE_STATES

    return getattr(rapport, "behandling", None) in EDITABLE_STATES


@rules.predicate
def report_is_submitted(user, rapport) -> bool:
    return getattr(rapport, "behandling", None) in ("innsendt", "godkjent")


@rules.predicate
def report_is_approved(user, rapport) -> bool:
    return getattr(rapport, "behandling", None) == "godkjent"


@rules.predicate
def report_awaits_review(user, rapport) -> bool:
    return getattr(rapport, "behandling", None) == "innsendt"


rules.add_perm("rapportering.view_indikator", programme_is_visible)
rules.add_perm("rapportering.manage_indikator", can_manage_reporting)
rules.add_perm("rapportering.manage_runde", can_manage_reporting)
rules.add_perm(
    "rapportering.view_runde",
    can_manage_reporting | (is_logged_in & programme_is_visible & round_is_opened),
)
rules.add_perm(
    "rapportering.write_statusrapport", is_logged_in & is_lead_member & report_is_editable
)
rules.add_perm(
    "rapportering.view_statusrapport",
    is_logged_in & (is_lead_member | can_manage_reporting)
    | (is_logged_in & is_board_member & report_is_submitted)
    | (report_is_approved & programme_is_visible),
)
rules.add_perm("rapportering.review_statusrapport", can_manage_reporting & report_awaits_review)
