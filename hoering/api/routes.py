"""The hearing app's API routes, added to the project router (partnerskap/api_router.py) from
HoeringConfig.ready(). The planner side and the organisation side each add theirs here."""

from rest_framework.routers import SimpleRouter

from . import svar


def register(router: SimpleRouter) -> None:
    # The organisation side: its answer (hoering/api/svar.py).
    router.register("hoeringssvar", svar.HoeringssvarViewSet, basename="hoeringssvar")
