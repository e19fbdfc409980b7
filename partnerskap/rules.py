"""Who may do what: one django-rules permission per action. Views, the API and templates all
check these names (`user.has_perm(...)`, DRF's permission class, `{% has_perm %}`), never roles.

The role predicates live here (the foundation); the programme rules are in tiltak/rules.py."""

import rules

from .models import BrukerRolle


def _role(user) -> str | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return BrukerRolle.ADMINISTRATOR
    return user.rolle


@rules.predicate
def is_administrator(user) -> bool:
    return _role(user) == BrukerRolle.ADMINISTRATOR


@rules.predicate
def is_planner(user) -> bool:
    return _role(user) == BrukerRolle.PLANLEGGER


@rules.predicate
def is_board_member(user) -> bool:
    return _role(user) == BrukerRolle.STYREMEDLEM


@rules.predicate
def is_organisation_member(user) -> bool:
    return _role(user) == BrukerRolle.MEDLEM


@rules.predicate
def has_organisation(user) -> bool:
    return _role(user) is not None and user.organisasjon_id is not None


# People
rules.add_perm("partnerskap.manage_users", is_administrator)
# The type-ahead picker can create a missing organisation while a planner assigns parties.
rules.add_perm("partnerskap.create_organisasjon", is_administrator | is_planner)
