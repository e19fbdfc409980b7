"""The reporting API's routes, added to the project router (partnerskap/api_router.py) from
RapporteringConfig.ready()."""

from rest_framework.routers import SimpleRouter


def register(router: SimpleRouter) -> None:
    from . import views

    views.register(router)
