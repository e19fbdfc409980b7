"""Every reporting page, in grouped lists (included at /rapportering/ by partnerskap/urls.py)."""

from django.urls import path

from .views import importer, indikatorer, rapporter

app_name = "rapportering"

# Indicators: public list and detail; the planners' entry and import.
indikator_patterns = [
    path("program/<int:pk>/indikatorer/", indikatorer.indikator_list, name="indikator_list"),
    path("program/<int:pk>/indikatorer/ny/", indikatorer.indikator_create, name="indikator_create"),
    path("indikator/<int:pk>/", indikatorer.indikator_detail, name="indikator_detail"),
    path("indikator/<int:pk>/endre/", indikatorer.indikator_edit, name="indikator_edit"),
    path("indikator/<int:pk>/slett/", indikatorer.indikator_delete, name="indikator_delete"),
    path("indikator/<int:pk>/maal/", indikatorer.maal_set, name="maal_set"),
    path("indikator/<int:pk>/verdier/", indikatorer.verdi_create, name="verdi_create"),
    path("indikator/<int:pk>/import/", importer.values_import, name="values_import"),
    path(
        "indikator/<int:pk>/import/forhaandsvisning/",
        importer.values_import_preview,
        name="values_import_preview",
    ),
    path("maal/<int:pk>/slett/", indikatorer.maal_delete, name="maal_delete"),
    path("verdi/<int:pk>/endre/", indikatorer.verdi_edit, name="verdi_edit"),
    path("verdi/<int:pk>/slett/", indikatorer.verdi_delete, name="verdi_delete"),
]

# The annual status reporting round.
rapport_patterns = [
    path("mine/", rapporter.mine, name="mine"),
    path("program/<int:pk>/runder/", rapporter.runde_list, name="runde_list"),
    path("runde/<int:pk>/", rapporter.runde_detail, name="runde_detail"),
    path("runde/<int:pk>/aapne/", rapporter.runde_open, name="runde_open"),
    path("runde/<int:pk>/lukk/", rapporter.runde_close, name="runde_close"),
    path("runde/<int:pk>/tiltak/<int:tiltak_pk>/", rapporter.rapport_edit, name="rapport_edit"),
    path("rapport/<int:pk>/", rapporter.rapport_detail, name="rapport_detail"),
    path("rapport/<int:pk>/behandle/", rapporter.rapport_review, name="rapport_review"),
]

urlpatterns = indikator_patterns + rapport_patterns
