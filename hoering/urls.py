"""Every hearing page, in grouped lists (included at /hoering/ by partnerskap/urls.py)."""

from django.urls import path  # noqa: F401

app_name = "hoering"

# The planner: the round, the høringsliste, extensions, the overview, assessments, the summary.
planner_patterns: list = []

# The organisations: the invitation link, the answer (draft, submit), the receipt.
svar_patterns: list = []

urlpatterns = planner_patterns + svar_patterns
