"""Every hearing page, in grouped lists (included at /hoering/ by partnerskap/urls.py)."""

from django.urls import path

from .views import verksted as v

app_name = "hoering"

# The planner: the round, the høringsliste, extensions, the overview, assessments, the summary.
planner_patterns: list = []

# The organisations: the invitation link, the answer (draft, submit), the receipt.
svar_patterns: list = []

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
