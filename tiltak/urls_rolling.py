"""URLs for rolling and comparison; included by tiltak/urls.py inside the "tiltak" namespace."""

from django.urls import path

from . import views_rolling

urlpatterns = [
    path("program/sammenlign/", views_rolling.programme_compare, name="programme_compare"),
    path("program/<int:pk>/rull/", views_rolling.programme_roll, name="programme_roll"),
    path("program/<int:pk>/utfall/", views_rolling.programme_utfall, name="programme_utfall"),
    path(
        "program/<int:pk>/utfall/<int:tiltak_pk>/",
        views_rolling.tiltak_utfall_set,
        name="tiltak_utfall_set",
    ),
]
