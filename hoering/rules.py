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


# ============================================================================================
# Workshops (verksted) — hoering/models/verksted.py. Objects: a Verksted, or anything of one
# (VerkstedDag, Spoersmaal, Innspill, Innspillgruppe, Verkstedforslag).
#
# | permission                      | who                                                     |
# |---------------------------------|---------------------------------------------------------|
# | hoering.create_verksted         | admin, planners (for their own organisation)            |
# | hoering.manage_verksted         | admin, planner of the organiser (eier): edit, questions, |
# |                                 | close/reopen, groups (merge, split, label), turning     |
# |                                 | inputs into tiltak proposals, exports                   |
# | hoering.facilitate_verksted     | manage_verksted; the workshop's facilitators: close and |
# |                                 | reopen questions, type inputs for a group in the room   |
# | hoering.view_verksted           | facilitate; board; logged-in members of an invited      |
# |                                 | organisation or of the organiser; EVERYONE (anonymous   |
# |                                 | too) when the workshop is public (`offentlig`)          |
# | hoering.add_innspill_verksted   | (object: Spoersmaal) logged in, may view, and is a      |
# |                                 | facilitator/manager or of an invited organisation or    |
# |                                 | the organiser; the question is open                     |
# | hoering.edit_innspill_verksted  | (object: Innspill) its author only, while the question  |
# |                                 | is open (facilitators' inputs typed for a group are     |
# |                                 | theirs); planners never rewrite what was said           |
#
# Visibility, decided: a workshop is NOT public by default — its inputs are unedited working
# notes («ufiltrert», seed 002). Anonymous visitors and other organisations see nothing of it
# (404, as for a draft programme). The organiser makes it public (seed 002 was published); then
# everyone reads the questions, inputs and the summary, but only logged-in participants write.
# ============================================================================================


def _verksted_of(obj):
    from .models import Verksted

    if obj is None or isinstance(obj, Verksted):
        return obj
    for path in ("verksted", "spoersmaal.verksted"):
        target = obj
        for attr in path.split("."):
            target = getattr(target, attr, None)
            if target is None:
                break
        if isinstance(target, Verksted):
            return target
    return None


def _ids(verksted, name: str) -> set[int]:
    """The ids of a many-to-many, from the prefetch when there is one (no query per row)."""
    cache = getattr(verksted, "_prefetched_objects_cache", {})
    if name in cache:
        return {o.pk for o in cache[name]}
    return set(getattr(verksted, name).values_list("pk", flat=True))


@rules.predicate
def is_verksted_planner(user, obj) -> bool:
    from partnerskap.rules import is_planner

    verksted = _verksted_of(obj)
    return (
        verksted is not None
        and is_planner(user)
        and user.organisasjon_id is not None
        and user.organisasjon_id == verksted.eier_id
    )


@rules.predicate
def is_facilitator(user, obj) -> bool:
    verksted = _verksted_of(obj)
    return (
        verksted is not None
        and getattr(user, "is_authenticated", False)
        and user.pk in _ids(verksted, "fasilitatorer")
    )


@rules.predicate
def is_participant_org(user, obj) -> bool:
    """A member of an invited organisation or of the organiser."""
    verksted = _verksted_of(obj)
    org = getattr(user, "organisasjon_id", None)
    return (
        verksted is not None
        and org is not None
        and (org == verksted.eier_id or org in _ids(verksted, "inviterte"))
    )


@rules.predicate
def verksted_is_public(user, obj) -> bool:
    verksted = _verksted_of(obj)
    return verksted is not None and verksted.offentlig


@rules.predicate
def question_is_open(user, obj) -> bool:
    spoersmaal = obj if hasattr(obj, "lukket") else getattr(obj, "spoersmaal", None)
    return spoersmaal is not None and spoersmaal.lukket is None


@rules.predicate
def is_input_author(user, innspill) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and getattr(innspill, "skrevet_av_id", None) == user.pk
    )


from partnerskap.rules import is_administrator, is_planner  # noqa: E402

can_manage_verksted = is_administrator | is_verksted_planner
can_facilitate_verksted = can_manage_verksted | is_facilitator
can_view_verksted = (
    can_facilitate_verksted
    | (is_logged_in & (is_board_member | is_participant_org))
    | verksted_is_public
)

rules.add_perm("hoering.create_verksted", is_administrator | is_planner)
rules.add_perm("hoering.manage_verksted", can_manage_verksted)
rules.add_perm("hoering.facilitate_verksted", can_facilitate_verksted)
rules.add_perm("hoering.view_verksted", can_view_verksted)
rules.add_perm(
    "hoering.add_innspill_verksted",
    is_logged_in
    & (can_facilitate_verksted | (has_organisation & is_participant_org))
    & question_is_open,
)
rules.add_perm("hoering.edit_innspill_verksted", is_logged_in & is_input_author & question_is_open)
