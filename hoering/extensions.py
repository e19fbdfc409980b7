"""The hearing's panels on the programme's pages (tiltak.extensions), registered from
HoeringConfig.ready(): on the programme page «Høring: frist …» with the link to the hearing
and, while it runs, why the structure is frozen; on a tiltak page «Kom fra høringsinnspill fra
…» when an input led to it."""

from __future__ import annotations

from tiltak.extensions import Panel, register_panel

from .models import Aktoerforslag, Hoering, Hoeringssvar, Standpunkt, Tiltaksforslag


def programme_panel(request, programme) -> dict | None:
    user = getattr(request, "user", None)
    if user is None:
        return None
    hearings = [
        h
        for h in Hoering.objects.filter(program=programme).order_by("-frist", "id")
        if user.has_perm("hoering.view_hoering", h)
    ]
    can_create = user.has_perm("hoering.manage_hoering", Hoering(program=programme))
    if not hearings and not can_create:
        return None
    from .deadlines import running_hearing_lock

    return {
        "programme": programme,
        "hearings": [(h, user.has_perm("hoering.manage_hoering", h)) for h in hearings],
        "can_create": can_create,
        "lock": running_hearing_lock(programme) if can_create else None,
    }


def tiltak_panel(request, tiltak) -> dict | None:
    """The inputs that led to this tiltak (a new tiltak, a change, an added party)."""
    sources = []
    for model in (Tiltaksforslag, Aktoerforslag, Standpunkt):
        for i in model.objects.filter(resultat_tiltak=tiltak).select_related(
            "svar__organisasjon", "svar__hoering"
        ):
            sources.append((i, i.svar))
    for s in Hoeringssvar.objects.filter(resultat_tiltak=tiltak).select_related(
        "organisasjon", "hoering"
    ):
        sources.append((s, s))
    if not sources:
        return None
    user = request.user
    return {
        "sources": [
            {
                "innspill": i,
                "svar": svar,
                "kind": type(i).__name__.lower()
                if not isinstance(i, Hoeringssvar)
                else "merknader",
                "can_manage": user.has_perm("hoering.manage_hoering", svar.hoering),
                # Who gave the input is shown as the answer itself is: to those who may read
                # it (its organisation, the planners, the board; everyone once published).
                "can_see": user.has_perm("hoering.view_svar", svar),
            }
            for i, svar in sources
        ]
    }


PROGRAMME_PANEL = Panel(
    slot="programme_detail",
    template="hoering/planner/panel_programme.html",
    context=programme_panel,
    order=10,
    name="hoering",
)
TILTAK_PANEL = Panel(
    slot="tiltak_detail",
    template="hoering/planner/panel_tiltak.html",
    context=tiltak_panel,
    order=10,
    name="hoering",
)


def register() -> None:
    register_panel(PROGRAMME_PANEL)
    register_panel(TILTAK_PANEL)
