"""The programme app's API routes, added to the project router (partnerskap/api_router.py)
from TiltakConfig.ready()."""

from rest_framework.routers import SimpleRouter

from . import views, write


def register(router: SimpleRouter) -> None:
    # Programmes and tiltak: the read viewsets of views.py extended with writes (write.py);
    # the read routes and their names stay as they were.
    router.register("programmer", write.ProgrammeWriteViewSet, basename="programme")
    router.register("tiltak", write.TiltakWriteViewSet, basename="tiltak")
    router.register("organisasjoner", views.OrganisasjonViewSet, basename="organisasjon")
    router.register("temaer", write.TemaViewSet, basename="tema")
    router.register("delmaal", write.DelmaalViewSet, basename="delmaal")
    router.register("satsingsomraader", write.SatsingsomraadeViewSet, basename="satsingsomraade")
    router.register("ansvar", write.AnsvarViewSet, basename="ansvar")
