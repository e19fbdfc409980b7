"""Hearing permissions (django-rules). Objects: a Hoering, or a Hoeringssvar.

| permission               | who                                                              |
|--------------------------|------------------------------------------------------------------|
| hoering.manage_hoering   | admin, planner of the programme's owner: create, edit, open the  |
|                          | round, høringsliste, extensions, overview, assessments, turning  |
|                          | proposals into tiltak, the summary with every answer             |
| hoering.view_hoering     | manage_hoering; board; everyone once the round is opened and the |
|                          | programme is visible to them                                     |
| hoering.answer_hoering   | a logged-in user of an organisation that is invited, or of any   |
|                          | organisation when the round is open to all (the clock is checked  |
|                          | by the services, with a message, not here)                       |
| hoering.view_svar        | members of the answering organisation; manage_hoering; the board; |
|                          | everyone for a submitted answer once the deadline has passed and  |
|                          | the round publishes its answers                                  |
| hoering.edit_svar        | members of the answering organisation, while the answer is a     |
|                          | draft                                                            |
"""

from __future__ import annotations

import rules
from django.utils import timezone

from partnerskap.rules import has_organisation, is_board_member
from tiltak.rules import can_manage, can_view, is_logged_in


def _hoering_of(obj):
    from .models import Hoering, Hoeringssvar

    if isinstance(obj, Hoering):
        return obj
    if isinstance(obj, Hoeringssvar):
        return obj.hoering
    return getattr(obj, "hoering", None)


def _programme(obj):
    hoering = _hoering_of(obj)
    return hoering.program if hoering is not None else None


@rules.predicate
def can_manage_hearing(user, obj) -> bool:
    programme = _programme(obj)
    return programme is not None and can_manage(user, programme)


@rules.predicate
def hearing_is_opened(user, obj) -> bool:
    hoering = _hoering_of(obj)
    return hoering is not None and hoering.aapnet is not None


@rules.predicate
def programme_is_visible(user, obj) -> bool:
    programme = _programme(obj)
    return programme is not None and can_view(user, programme)


@rules.predicate
def organisation_may_answer(user, obj) -> bool:
    hoering = _hoering_of(obj)
    if hoering is None or not user.organisasjon_id:
        return False
    if hoering.aapen_for_alle:
        return True
    return hoering.invitasjoner.filter(organisasjon_id=user.organisasjon_id).exists()


@rules.predicate
def is_answering_member(user, svar) -> bool:
    return (
        bool(user.organisasjon_id)
        and getattr(svar, "organisasjon_id", None) == user.organisasjon_id
    )


@rules.predicate
def answer_is_draft(user, svar) -> bool:
    return getattr(svar, "status", None) == "utkast"


@rules.predicate
def answer_is_published(user, svar) -> bool:
    hoering = _hoering_of(svar)
    return (
        hoering is not None
        and getattr(svar, "status", None) == "innsendt"
        and hoering.publiser_svar
        and hoering.aapnet is not None
        and timezone.now() > hoering.frist
    )


rules.add_perm("hoering.manage_hoering", can_manage_hearing)
rules.add_perm(
    "hoering.view_hoering",
    can_manage_hearing | (hearing_is_opened & (is_board_member | programme_is_visible)),
)
rules.add_perm(
    "hoering.answer_hoering",
    is_logged_in & has_organisation & hearing_is_opened & organisation_may_answer,
)
rules.add_perm(
    "hoering.view_svar",
    is_logged_in & (is_answering_member | can_manage_hearing | is_board_member)
    | (answer_is_published & programme_is_visible),
)
rules.add_perm("hoering.edit_svar", is_logged_in & is_answering_member & answer_is_draft)
