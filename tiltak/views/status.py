"""The programme's status workflow in the browser: utkast → på høring → vedtatt → arkivert.
Guarded the one way (partnerskap.access, lookups.py); the transition is the workflow service's."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerskap.access import guarded, require
from tiltak.models import Handlingsprogram
from tiltak.rules import LOCKED_STATUSES
from tiltak.selectors import history as history_selectors
from tiltak.services.workflow import allowed_transitions, programme_transition

from .lookups import programme_for


def _status_context(request, programme: Handlingsprogram, **extra) -> dict:
    can_transition = request.user.has_perm("tiltak.transition_programme", programme)
    return {
        "programme": programme,
        "transitions": allowed_transitions(programme.status) if can_transition else [],
        "can_transition": can_transition,
        "status_history": history_selectors.programme_status_history(programme=programme),
        "status_url": reverse("tiltak:programme_status", kwargs={"pk": programme.pk}),
        "locked": programme.status in LOCKED_STATUSES,
        "errors": {},
        "reason": "",
        "nav": "programmes",
        **extra,
    }


@guarded
@require_http_methods(["GET", "POST"])
def programme_status(request, pk: int):
    """GET: the status panel (for htmx, loaded into the programme page) or the full status
    page. POST `to_status` (+ `reason`): move the programme, then back to the status page."""
    programme = programme_for(request, pk, "tiltak.view_history")
    if request.method == "GET":
        template = (
            "tiltak/status/partials/status_panel.html"
            if request.htmx
            else "tiltak/status/programme_status.html"
        )
        return render(request, template, _status_context(request, programme))

    require(request, "tiltak.transition_programme", programme)
    to_status = request.POST.get("to_status", "")
    reason = request.POST.get("reason", "")
    try:
        programme_transition(
            actor=request.user, programme=programme, to_status=to_status, reason=reason
        )
    except ValidationError as exc:
        context = _status_context(
            request, programme, errors=exc.message_dict, reason=reason, refused=to_status
        )
        return render(request, "tiltak/status/programme_status.html", context, status=400)
    messages.success(
        request,
        _("The programme is now “%(status)s”.") % {"status": programme.get_status_display()},
    )
    return redirect("tiltak:programme_status", pk=programme.pk)
