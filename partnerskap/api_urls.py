"""/api/: the schema, its documentation page and every app's routes (partnerskap/api_router.py)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .api_router import api_routes

app_name = "api"


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI under the strict CSP: its init script is served as a separate file (the
    split view), and the template loads the vendored sidecar assets, never a CDN."""

    template_name = "api/swagger_ui.html"
    title = _("Partnership portal API")
    url_name = "api:schema"


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", ApiDocsView.as_view(), name="docs"),
    *api_routes(),
]
