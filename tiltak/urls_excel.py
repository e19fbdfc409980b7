"""URLs for this capability; included by tiltak/urls.py inside the "tiltak" namespace."""

from django.urls import path

from . import views_excel

urlpatterns: list = [
    path(
        "program/<int:pk>/eksport.xlsx",
        views_excel.programme_export,
        name="programme_export",
    ),
    path("program/<int:pk>/import/", views_excel.programme_import, name="programme_import"),
    path(
        "program/<int:pk>/import/forhaandsvisning/",
        views_excel.programme_import_preview,
        name="programme_import_preview",
    ),
    path(
        "program/<int:pk>/import/ferdig/",
        views_excel.programme_import_done,
        name="programme_import_done",
    ),
]
