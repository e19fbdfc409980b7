"""Every hearing page, in grouped lists (included at /hoering/ by partnerskap/urls.py)."""

from django.urls import path

from .views import svar as svar_views

app_name = "hoering"

# The planner: the round, the høringsliste, extensions, the overview, assessments, the summary.
planner_patterns: list = []

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

urlpatterns = planner_patterns + svar_patterns
