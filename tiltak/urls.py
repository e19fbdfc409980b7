"""Every page of the programme app, grouped by what it is for. Paths are Norwegian like the rest
of the site: program = programme, rediger = edit, ny/nytt = new, slett = delete, flytt = move,
nummerering = numbering, fjern = remove, sok = search, historikk = history, rull = roll,
utfall = outcome, sammenlign = compare, innstillinger = settings (name, period, plans),
slettede = deleted, gjenopprett = restore, flytt-til = move to another parent. No two patterns
overlap, so their order does not matter.
"""

from django.urls import path

from .views import browse, edit, excel, history, liste, parties, programme, rolling, status

app_name = "tiltak"

browsing = [
    path("", browse.programme_list, name="programme_list"),
    path("program/<int:pk>/", browse.programme_detail, name="programme_detail"),
    path("tiltak/", browse.tiltak_search, name="tiltak_search"),
    path("tiltak/<int:pk>/", browse.tiltak_detail, name="tiltak_detail"),
    path("organisasjoner/", browse.organisasjon_list, name="organisasjon_list"),
    path("organisasjoner/<slug:slug>/", browse.organisasjon_detail, name="organisasjon_detail"),
]

programme_setup = [
    path("program/nytt/", programme.programme_create, name="programme_create"),
    path("program/<int:pk>/innstillinger/", programme.programme_update, name="programme_update"),
    path("program/<int:pk>/slettede/", programme.programme_deleted, name="programme_deleted"),
    path("tiltak/<int:pk>/gjenopprett/", programme.tiltak_undelete, name="tiltak_undelete"),
]

editing = [
    path("program/<int:pk>/rediger/", edit.programme_edit, name="programme_edit"),
    path("program/<int:pk>/tema/ny/", edit.tema_create, name="tema_create"),
    path("program/<int:pk>/tiltak/nytt/", edit.tiltak_create, name="tiltak_create"),
    path("tema/<int:pk>/rediger/", edit.tema_update, name="tema_update"),
    path("tema/<int:pk>/slett/", edit.tema_delete, name="tema_delete"),
    path("tema/<int:pk>/flytt/", edit.tema_move, name="tema_move"),
    path("tema/<int:pk>/delmaal/ny/", edit.delmaal_create, name="delmaal_create"),
    path(
        "tema/<int:pk>/satsingsomraade/ny/",
        edit.satsingsomraade_create,
        name="satsingsomraade_create",
    ),
    path("tema/<int:pk>/nummerering/", edit.tiltak_renumber, name="tiltak_renumber"),
    path("delmaal/<int:pk>/rediger/", edit.delmaal_update, name="delmaal_update"),
    path("delmaal/<int:pk>/slett/", edit.delmaal_delete, name="delmaal_delete"),
    path("delmaal/<int:pk>/flytt/", edit.delmaal_move, name="delmaal_move"),
    path("delmaal/<int:pk>/flytt-til/", edit.delmaal_move_to, name="delmaal_move_to"),
    path(
        "satsingsomraade/<int:pk>/rediger/",
        edit.satsingsomraade_update,
        name="satsingsomraade_update",
    ),
    path(
        "satsingsomraade/<int:pk>/slett/",
        edit.satsingsomraade_delete,
        name="satsingsomraade_delete",
    ),
    path("satsingsomraade/<int:pk>/flytt/", edit.satsingsomraade_move, name="satsingsomraade_move"),
    path(
        "satsingsomraade/<int:pk>/flytt-til/",
        edit.satsingsomraade_move_to,
        name="satsingsomraade_move_to",
    ),
    path("tiltak/<int:pk>/rediger/", edit.tiltak_edit, name="tiltak_edit"),
    path("tiltak/<int:pk>/hurtigredigering/", edit.tiltak_quick_edit, name="tiltak_quick_edit"),
    path("tiltak/<int:pk>/flytt/", edit.tiltak_move, name="tiltak_move"),
    path("tiltak/<int:pk>/slett/", edit.tiltak_delete, name="tiltak_delete"),
]

party_pages = [
    path("tiltak/<int:pk>/ansvar/", parties.ansvar_add, name="ansvar_add"),
    path("ansvar/<int:pk>/fjern/", parties.ansvar_remove, name="ansvar_remove"),
    path("ansvar/<int:pk>/flytt/", parties.ansvar_move, name="ansvar_move"),
    # Two segments below organisasjoner/, so they never meet organisasjoner/<slug>/.
    path("organisasjoner/sok/json/", parties.organisasjon_search, name="organisasjon_search"),
    path(
        "organisasjoner/ny/json/",
        parties.organisasjon_create_json,
        name="organisasjon_create_json",
    ),
]

excel_pages = [
    path("program/<int:pk>/eksport.xlsx", excel.programme_export, name="programme_export"),
    path("program/<int:pk>/import/", excel.programme_import, name="programme_import"),
    path(
        "program/<int:pk>/import/forhaandsvisning/",
        excel.programme_import_preview,
        name="programme_import_preview",
    ),
    path(
        "program/<int:pk>/import/ferdig/",
        excel.programme_import_done,
        name="programme_import_done",
    ),
    path(
        "program/<int:pk>/tiltaksliste/", liste.programme_list_import, name="programme_list_import"
    ),
    path(
        "program/<int:pk>/tiltaksliste/forhaandsvisning/",
        liste.programme_list_preview,
        name="programme_list_preview",
    ),
]

history_pages = [
    path("tiltak/<int:pk>/historikk/", history.tiltak_history, name="tiltak_history"),
    path(
        "tiltak/<int:pk>/historikk/<int:history_id>/gjenopprett/",
        history.tiltak_restore_confirm,
        name="tiltak_restore",
    ),
    path("program/<int:pk>/historikk/", history.programme_history, name="programme_history"),
]

status_pages = [
    path("program/<int:pk>/status/", status.programme_status, name="programme_status"),
]

rolling_pages = [
    path("program/sammenlign/", rolling.programme_compare, name="programme_compare"),
    path("program/<int:pk>/rull/", rolling.programme_roll, name="programme_roll"),
    path("program/<int:pk>/utfall/", rolling.programme_utfall, name="programme_utfall"),
    path(
        "program/<int:pk>/utfall/alle/",
        rolling.programme_utfall_bulk,
        name="programme_utfall_bulk",
    ),
    path(
        "program/<int:pk>/utfall/<int:tiltak_pk>/",
        rolling.tiltak_utfall_set,
        name="tiltak_utfall_set",
    ),
]

urlpatterns = [
    *browsing,
    *programme_setup,
    *editing,
    *party_pages,
    *excel_pages,
    *history_pages,
    *status_pages,
    *rolling_pages,
]
