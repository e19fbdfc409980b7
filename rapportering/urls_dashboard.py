"""The board's dashboard (/styre/) and the case papers (/saksframlegg/), included by
partnerskap/urls.py. styre = board, program = programme, tiltak = measures, ny = new,
rediger = edit, utskrift = printable page."""

from django.urls import path

from .dashboard import views as dashboard
from .saksframlegg import views as saksframlegg

app_name = "dashboard"

dashboard_patterns = [
    path("styre/program/<int:pk>/", dashboard.dashboard, name="dashboard"),
    path("styre/program/<int:pk>/tiltak/", dashboard.dashboard_tiltak, name="dashboard_tiltak"),
]

saksframlegg_patterns = [
    path(
        "saksframlegg/program/<int:pk>/", saksframlegg.saksframlegg_list, name="saksframlegg_list"
    ),
    path(
        "saksframlegg/program/<int:pk>/ny/",
        saksframlegg.saksframlegg_create,
        name="saksframlegg_create",
    ),
    path("saksframlegg/<int:pk>/", saksframlegg.saksframlegg_detail, name="saksframlegg_detail"),
    path(
        "saksframlegg/<int:pk>/rediger/", saksframlegg.saksframlegg_edit, name="saksframlegg_edit"
    ),
    path(
        "saksframlegg/<int:pk>/utskrift/",
        saksframlegg.saksframlegg_print,
        name="saksframlegg_print",
    ),
    path("saksframlegg/<int:pk>/pdf/", saksframlegg.saksframlegg_pdf, name="saksframlegg_pdf"),
    path("saksframlegg/<int:pk>/docx/", saksframlegg.saksframlegg_docx, name="saksframlegg_docx"),
]

urlpatterns = dashboard_patterns + saksframlegg_patterns
