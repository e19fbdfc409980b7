"""URLs for editing a programme's tree in the browser; included by tiltak/urls.py inside the
"tiltak" namespace. Paths in Norwegian like the rest of the site: rediger = edit, ny/nytt = new,
slett = delete, flytt = move, nummerering = numbering, fjern = remove, sok = search."""

from django.urls import path

from . import views_edit as v

urlpatterns: list = [
    path("program/<int:pk>/rediger/", v.programme_edit, name="programme_edit"),
    path("program/<int:pk>/tema/ny/", v.tema_create, name="tema_create"),
    path("program/<int:pk>/tiltak/nytt/", v.tiltak_create, name="tiltak_create"),
    path("tema/<int:pk>/rediger/", v.tema_update, name="tema_update"),
    path("tema/<int:pk>/slett/", v.tema_delete, name="tema_delete"),
    path("tema/<int:pk>/flytt/", v.tema_move, name="tema_move"),
    path("tema/<int:pk>/delmaal/ny/", v.delmaal_create, name="delmaal_create"),
    path("tema/<int:pk>/satsingsomraade/ny/", v.satsing_create, name="satsing_create"),
    path("tema/<int:pk>/nummerering/", v.tiltak_renumber, name="tiltak_renumber"),
    path("delmaal/<int:pk>/rediger/", v.delmaal_update, name="delmaal_update"),
    path("delmaal/<int:pk>/slett/", v.delmaal_delete, name="delmaal_delete"),
    path("delmaal/<int:pk>/flytt/", v.delmaal_move, name="delmaal_move"),
    path("satsingsomraade/<int:pk>/rediger/", v.satsing_update, name="satsing_update"),
    path("satsingsomraade/<int:pk>/slett/", v.satsing_delete, name="satsing_delete"),
    path("satsingsomraade/<int:pk>/flytt/", v.satsing_move, name="satsing_move"),
    path("tiltak/<int:pk>/rediger/", v.tiltak_edit, name="tiltak_edit"),
    path("tiltak/<int:pk>/hurtigredigering/", v.tiltak_quick_edit, name="tiltak_quick_edit"),
    path("tiltak/<int:pk>/flytt/", v.tiltak_move, name="tiltak_move"),
    path("tiltak/<int:pk>/slett/", v.tiltak_delete, name="tiltak_delete"),
    path("tiltak/<int:pk>/ansvar/", v.ansvar_add, name="ansvar_add"),
    path("ansvar/<int:pk>/fjern/", v.ansvar_remove, name="ansvar_remove"),
    path("ansvar/<int:pk>/flytt/", v.ansvar_move, name="ansvar_move"),
    # Two segments below organisasjoner/, so they never meet organisasjoner/<slug>/, which
    # tiltak/urls.py lists before this file.
    path("organisasjoner/sok/json/", v.organisasjon_search, name="organisasjon_search"),
    path("organisasjoner/ny/json/", v.organisasjon_create_json, name="organisasjon_create_json"),
]
