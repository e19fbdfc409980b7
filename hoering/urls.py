"""Every hearing page, in grouped lists (included at /hoering/ by partnerskap/urls.py)."""

from django.urls import path

from .views import planner
from .views import svar as svar_views
from .views import verksted as v

app_name = "hoering"

# The planner: the round, the høringsliste, extensions, the overview, assessments, the summary.
planner_patterns: list = [
    path("", planner.hoering_list, name="hoering_list"),
    path("ny/<int:program_pk>/", planner.hoering_create, name="hoering_create"),
    path("<int:pk>/rediger/", planner.hoering_edit, name="hoering_edit"),
    path("<int:pk>/aapne/", planner.hoering_open, name="hoering_open"),
    path("<int:pk>/hoeringsliste/", planner.hoeringsliste, name="hoeringsliste"),
    path("<int:pk>/hoeringsliste/flere/", planner.hoeringsliste_bulk, name="hoeringsliste_bulk"),
    path("hoeringsliste/<int:pk>/endre/", planner.invitasjon_update, name="invitasjon_update"),
    path("hoeringsliste/<int:pk>/fjern/", planner.invitasjon_remove, name="invitasjon_remove"),
    path("hoeringsliste/<int:pk>/send/", planner.invitasjon_resend, name="invitasjon_resend"),
    path("<int:pk>/utsettelse/", planner.utsettelse, name="utsettelse"),
    path("<int:pk>/oversikt/", planner.oversikt, name="oversikt"),
    path("<int:pk>/innspill/", planner.innspill, name="innspill"),
    path(
        "<int:pk>/innspill/<slug:kind>/<int:ipk>/",
        planner.innspill_detail,
        name="innspill_detail",
    ),
    path(
        "<int:pk>/innspill/<slug:kind>/<int:ipk>/gjennomfoer/",
        planner.innspill_convert,
        name="innspill_convert",
    ),
    path("<int:pk>/oppsummering/", planner.oppsummering, name="oppsummering"),
]

# The organisations: the invitation link, the answer (draft, submit), the receipt.
svar_patterns: list = [
    path("<int:pk>/", svar_views.hoering_detail, name="hoering_detail"),
    path("invitasjon/<str:token>/", svar_views.invitation_accept, name="invitation_accept"),
    path("<int:pk>/svar/", svar_views.svar_start, name="svar_start"),
    path("svar/<int:pk>/", svar_views.svar_detail, name="svar_detail"),
    path("svar/<int:pk>/rediger/", svar_views.svar_edit, name="svar_edit"),
    path("svar/<int:pk>/send-inn/", svar_views.svar_submit, name="svar_submit"),
    path("svar/<int:pk>/kvittering/", svar_views.svar_receipt, name="svar_receipt"),
    path("svar/<int:pk>/ny-versjon/", svar_views.svar_new_version, name="svar_new_version"),
    path("svar/<int:pk>/vedtak.pdf", svar_views.svar_vedlegg, name="svar_vedlegg"),
]

# Workshops (verksted): hoering/views/verksted.py.
verksted_patterns: list = [
    path("verksted/", v.verksted_list, name="verksted_list"),
    path("verksted/ny/", v.verksted_create, name="verksted_create"),
    path("verksted/<int:pk>/", v.verksted_detail, name="verksted_detail"),
    path(
        "verksted/<int:pk>/spoersmaal/ny/",
        v.verksted_spoersmaal_add,
        name="verksted_spoersmaal_add",
    ),
    path(
        "verksted/spoersmaal/<int:pk>/aapne-lukke/",
        v.verksted_spoersmaal_toggle,
        name="verksted_spoersmaal_toggle",
    ),
    path(
        "verksted/spoersmaal/<int:pk>/innspill/ny/",
        v.verksted_innspill_create,
        name="verksted_innspill_create",
    ),
    path(
        "verksted/innspill/<int:pk>/endre/",
        v.verksted_innspill_update,
        name="verksted_innspill_update",
    ),
    path("verksted/<int:pk>/live/", v.verksted_live, name="verksted_live"),
    path(
        "verksted/<int:pk>/live/innhold/",
        v.verksted_live_content,
        name="verksted_live_content",
    ),
    path("verksted/<int:pk>/temaer/", v.verksted_grupper, name="verksted_grupper"),
    path("verksted/<int:pk>/forslag/", v.verksted_forslag, name="verksted_forslag"),
    path("verksted/<int:pk>/oppsummering/", v.verksted_summary, name="verksted_summary"),
    path("verksted/<int:pk>/innspill.csv", v.verksted_innspill_csv, name="verksted_innspill_csv"),
]

urlpatterns = planner_patterns + svar_patterns + verksted_patterns
