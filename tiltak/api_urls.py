# Mounted in partnerskap/urls.py with: path("api/", include("tiltak.api_urls")),
from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from . import api

app_name = "api"

router = SimpleRouter()
router.register("programmer", api.ProgrammeViewSet, basename="programme")
router.register("tiltak", api.TiltakViewSet, basename="tiltak")
router.register("organisasjoner", api.OrganisasjonViewSet, basename="organisasjon")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", api.ApiDocsView.as_view(), name="docs"),
    *router.urls,
]
