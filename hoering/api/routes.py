"""The hearing app's API routes, added to the project router (partnerskap/api_router.py) from
HoeringConfig.ready(): the planner's side (planner.py) and the organisations' side (svar.py)."""

from rest_framework.routers import SimpleRouter

from . import planner, svar


def register(router: SimpleRouter) -> None:
    # The planner's side: rounds, the høringsliste, extensions, assessments, conversions.
    router.register("hoeringer", planner.HoeringViewSet, basename="hoering")
    router.register(
        "hoeringsinvitasjoner", planner.InvitasjonViewSet, basename="hoeringsinvitasjon"
    )
    router.register("fristutsettelser", planner.FristutsettelseViewSet, basename="fristutsettelse")
    # The organisations' side: their answer.
    router.register("hoeringssvar", svar.HoeringssvarViewSet, basename="hoeringssvar")
