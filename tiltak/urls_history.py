"""URLs for this capability; included by tiltak/urls.py inside the "tiltak" namespace."""

from django.urls import path

from . import views_history

urlpatterns: list = [
    path("tiltak/<int:pk>/historikk/", views_history.tiltak_history, name="tiltak_history"),
    path(
        "tiltak/<int:pk>/historikk/<int:history_id>/gjenopprett/",
        views_history.tiltak_restore_confirm,
        name="tiltak_restore",
    ),
    path("program/<int:pk>/historikk/", views_history.programme_history, name="programme_history"),
    path("program/<int:pk>/status/", views_history.programme_status, name="programme_status"),
]
