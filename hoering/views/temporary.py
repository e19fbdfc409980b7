"""TEMPORARY (h9plan): stand-ins for h9org's `hoering_detail` and `invitation_accept` until that
branch is merged; the lead deletes this module at merge (see hoering/urls.py)."""

from django.http import Http404
from django.shortcuts import redirect

from partnerskap.access import guarded

from .planner import hoering_for


@guarded
def hoering_detail(request, pk: int):
    hoering = hoering_for(request, pk, "hoering.view_hoering")
    if request.user.has_perm("hoering.manage_hoering", hoering):
        return redirect("hoering:oversikt", pk=hoering.pk)
    return redirect(hoering.program.get_absolute_url())


def invitation_accept(request, token: str):
    raise Http404("h9org implements the invitation link")
