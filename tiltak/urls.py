from django.urls import include, path

from . import views

app_name = "tiltak"

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("program/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("tiltak/", views.tiltak_search, name="tiltak_search"),
    path("tiltak/<int:pk>/", views.tiltak_detail, name="tiltak_detail"),
    path("organisasjoner/", views.organisasjon_list, name="organisasjon_list"),
    path("organisasjoner/<slug:slug>/", views.organisasjon_detail, name="organisasjon_detail"),
    path("", include("tiltak.urls_edit")),
    path("", include("tiltak.urls_history")),
    path("", include("tiltak.urls_excel")),
    path("", include("tiltak.urls_rolling")),
]
