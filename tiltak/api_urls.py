# Mounted in partnerskap/urls.py with: path("api/", include("tiltak.api_urls")),
from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from . import api, api_write

app_name = "api"

router = SimpleRouter()
# Programmes and tiltak: the read-only viewsets of api.py, extended with writes (api_write.py);
# the read routes and their names stay as they were.
router.register("programmer", api_write.ProgrammeWriteViewSet, basename="programme")
router.register("tiltak", api_write.TiltakWriteViewSet, basename="tiltak")
router.register("organisasjoner", api.OrganisasjonViewSet, basename="organisasjon")
router.register("temaer", api_write.TemaViewSet, basename="tema")
router.register("delmaal", api_write.DelmaalViewSet, basename="delmaal")
router.register("satsingsomraader", api_write.SatsingsomraadeViewSet, basename="satsingsomraade")
router.register("ansvar", api_write.AnsvarViewSet, basename="ansvar")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", api.ApiDocsView.as_view(), name="docs"),
    *router.urls,
]
