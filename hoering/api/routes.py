"""The hearing app's API routes, added to the project router (partnerskap/api_router.py) from
HoeringConfig.ready(). The planner's side (planner.py) and the organisations' side (svar.py)
each add theirs."""

from rest_framework.routers import SimpleRouter

from . import planner


def register(router: SimpleRouter) -> None:
    # The planner's side (h9plan).
    router.register("hoeringer", planner.HoeringViewSet, basename="hoering")
    router.register(
        "hoeringsinvitasjoner", planner.InvitasjonViewSet, basename="hoeringsinvitasjon"
    )
    router.register("fristutsettelser", planner.FristutsettelseViewSet, basename="fristutsettelse")
    # The organisations' side (h9org) adds its registrations here.
