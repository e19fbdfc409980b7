from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from partnerskap import health

admin.site.site_header = _("Partnership portal – administration")
admin.site.site_title = _("Partnership portal")
admin.site.index_title = _("Administration")

urlpatterns = [
    # Probes for load balancers and orchestrators (partnerskap/health.py); no trailing slash.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("rapporter/", include("rapportering.urls_aarsrapport")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("konto/", include("partnerskap.urls_accounts")),
    path("api/", include("partnerskap.api_urls")),
    path("hoering/", include("hoering.urls")),
    path("rapportering/", include("rapportering.urls")),
    # The board's dashboard at /styre/ and the case papers at /saksframlegg/ (issue 11).
    path("", include("rapportering.urls_dashboard")),
    path("", include("tiltak.urls")),
]

handler400 = "partnerskap.handlers.bad_request"
handler403 = "partnerskap.handlers.permission_denied"
handler404 = "partnerskap.handlers.not_found"
handler500 = "partnerskap.handlers.server_error"
