"""Programme permissions (django-rules). The object is a Handlingsprogram or anything that
belongs to one (Tema, Delmaal, Satsingsomraade, Tiltak, Ansvar).

| permission                     | who                                                         |
|--------------------------------|-------------------------------------------------------------|
| tiltak.view_programme          | everyone for on-hearing/adopted; otherwise admin, board,    |
|                                | and planners of the owning county organisation              |
| tiltak.view_history            | logged-in users who may view the programme                  |
| tiltak.change_programme        | admin, owning planner (name, period, plans, description)    |
| tiltak.edit_structure          | admin, owning planner; not when adopted or archived, nor    |
|                                | while another app locks it (a running hearing)              |
| tiltak.edit_tiltak_progress    | admin, owning planner; also when adopted (not archived)     |
| tiltak.transition_programme    | admin, owning planner                                       |
| tiltak.roll_programme          | admin, owning planner                                       |
| tiltak.import_programme        | edit_structure, and the programme is a draft                |
| tiltak.export_programme        | view_programme                                              |
| tiltak.create_programme        | admin, planners                                             |
| tiltak.own_programme           | for an organisation: admin (any), planner of it — who may   |
|                                | make a new programme owned by that organisation             |
"""

import rules

from partnerskap.rules import is_administrator, is_board_member, is_planner

from .extensions import structure_lock_reason
from .models import PUBLIC_STATUSES, Handlingsprogram, ProgramStatus

LOCKED_STATUSES = (ProgramStatus.VEDTATT, ProgramStatus.ARKIVERT)


def programme_of(obj) -> Handlingsprogram | None:
    """The programme an object belongs to, without extra queries when the path is loaded."""
    if obj is None or isinstance(obj, Handlingsprogram):
        return obj
    for path in ("program", "tema.program", "tiltak.program", "delmaal.tema.program"):
        target = obj
        for attr in path.split("."):
            target = getattr(target, attr, None)
            if target is None:
                break
        if isinstance(target, Handlingsprogram):
            return target
    return None


@rules.predicate
def programme_is_public(user, obj) -> bool:
    programme = programme_of(obj)
    return programme is not None and programme.status in PUBLIC_STATUSES


@rules.predicate
def programme_is_draft(user, obj) -> bool:
    programme = programme_of(obj)
    return programme is not None and programme.status == ProgramStatus.UTKAST


@rules.predicate
def programme_is_locked(user, obj) -> bool:
    programme = programme_of(obj)
    return programme is not None and programme.status in LOCKED_STATUSES


@rules.predicate
def programme_is_archived(user, obj) -> bool:
    programme = programme_of(obj)
    return programme is not None and programme.status == ProgramStatus.ARKIVERT


@rules.predicate
def is_owning_planner(user, obj) -> bool:
    programme = programme_of(obj)
    return (
        programme is not None
        and is_planner(user)
        and user.organisasjon_id is not None
        and user.organisasjon_id == programme.eier_id
    )


@rules.predicate
def is_planner_of_organisation(user, organisasjon) -> bool:
    """The object is an Organisasjon (not a programme): the planner belongs to it."""
    return (
        is_planner(user)
        and organisasjon is not None
        and user.organisasjon_id is not None
        and user.organisasjon_id == getattr(organisasjon, "pk", None)
    )


@rules.predicate
def programme_is_frozen(user, obj) -> bool:
    """Another app froze the structure for now (a running hearing: tiltak/extensions.py)."""
    programme = programme_of(obj)
    return programme is not None and structure_lock_reason(programme) is not None


@rules.predicate
def is_logged_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


can_manage = is_administrator | is_owning_planner
can_view = programme_is_public | is_administrator | is_board_member | is_owning_planner

rules.add_perm("tiltak.view_programme", can_view)
rules.add_perm("tiltak.view_history", is_logged_in & can_view)
rules.add_perm("tiltak.change_programme", can_manage & ~programme_is_archived)
rules.add_perm("tiltak.edit_structure", can_manage & ~programme_is_locked & ~programme_is_frozen)
rules.add_perm("tiltak.edit_tiltak_progress", can_manage & ~programme_is_archived)
rules.add_perm("tiltak.transition_programme", can_manage)
rules.add_perm("tiltak.roll_programme", can_manage)
rules.add_perm("tiltak.import_programme", can_manage & programme_is_draft)
rules.add_perm("tiltak.export_programme", can_view)
rules.add_perm("tiltak.create_programme", is_administrator | is_planner)
rules.add_perm("tiltak.own_programme", is_administrator | is_planner_of_organisation)
