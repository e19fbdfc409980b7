"""The programme's status workflow in the browser: utkast → på høring → vedtatt → arkivert.
Guarded the one way (partnerskap.access, lookups.py); the transition is the workflow service's.

A transition that needs a reason (it takes the programme off the public site, or back from
adopted or archived) is never one click: its button opens a confirmation step
(`?til=<status>`) that says what will happen and asks for the reason; only a POST with
`bekreftet=1` from that step moves the programme."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerskap.access import guarded, require
from tiltak.models import PUBLIC_STATUSES, REASON_MAX_LENGTH, Handlingsprogram
from tiltak.rules import LOCKED_STATUSES
from tiltak.selectors import history as history_selectors
from tiltak.services.workflow import (
    Transition,
    allowed_transitions,
    programme_transition,
)

from .lookups import programme_for


def _status_context(request, programme: Handlingsprogram, **extra) -> dict:
    can_transition = request.user.has_perm("tiltak.transition_programme", programme)
    transitions = allowed_transitions(programme.status) if can_transition else []
    return {
        "programme": programme,
        "transitions": transitions,
        "forward_transitions": [t for t in transitions if not t.reason_required],
        "confirm_transitions": [t for t in transitions if t.reason_required],
        "can_transition": can_transition,
        "status_history": history_selectors.programme_status_history(programme=programme),
        "status_url": reverse("tiltak:programme_status", kwargs={"pk": programme.pk}),
        "locked": programme.status in LOCKED_STATUSES,
        "reason_max_length": REASON_MAX_LENGTH,
        "errors": {},
        "reason": "",
        "nav": "programmes",
        **extra,
    }


def _confirmation_context(
    request, programme: Handlingsprogram, transition: Transition, **extra
) -> dict:
    """What the confirmation step says will happen."""
    return {
        "programme": programme,
        "transition": transition,
        "leaves_public": programme.status in PUBLIC_STATUSES
        and transition.to_status not in PUBLIC_STATUSES,
        "becomes_public": programme.status not in PUBLIC_STATUSES
        and transition.to_status in PUBLIC_STATUSES,
        "status_url": reverse("tiltak:programme_status", kwargs={"pk": programme.pk}),
        "reason_max_length": REASON_MAX_LENGTH,
        "errors": {},
        "reason": "",
        "nav": "programmes",
        **extra,
    }


def _transition_to(programme: Handlingsprogram, to_status: str) -> Transition | None:
    return next(
        (t for t in allowed_transitions(programme.status) if t.to_status == to_status), None
    )


@guarded
@require_http_methods(["GET", "POST"])
def programme_status(request, pk: int):
    """GET: the status panel (for htmx, loaded into the programme page) or the full status
    page; with `?til=<status>` the confirmation step for a transition that needs one.
    POST `to_status` (+ `reason`, + `bekreftet=1` where a confirmation is needed): move the
    programme, then back to the status page."""
    programme = programme_for(request, pk, "tiltak.view_history")
    if request.method == "GET":
        confirm = _transition_to(programme, request.GET.get("til", ""))
        if confirm is not None and confirm.reason_required:
            require(request, "tiltak.transition_programme", programme)
            return render(
                request,
                "tiltak/status/programme_status_confirm.html",
                _confirmation_context(request, programme, confirm),
            )
        template = (
            "tiltak/status/partials/status_panel.html"
            if request.htmx
            else "tiltak/status/programme_status.html"
        )
        return render(request, template, _status_context(request, programme))

    require(request, "tiltak.transition_programme", programme)
    to_status = request.POST.get("to_status", "")
    reason = request.POST.get("reason", "")
    transition = _transition_to(programme, to_status)
    needs_confirmation = transition is not None and transition.reason_required
    if needs_confirmation and request.POST.get("bekreftet") != "1":
        # Straight from a form that skipped the step: ask first, change nothing.
        return render(
            request,
            "tiltak/status/programme_status_confirm.html",
            _confirmation_context(request, programme, transition, reason=reason),
        )
    try:
        programme_transition(
            actor=request.user, programme=programme, to_status=to_status, reason=reason
        )
    except ValidationError as exc:
        if needs_confirmation:
            context = _confirmation_context(
                request, programme, transition, errors=exc.message_dict, reason=reason
            )
            return render(
                request, "tiltak/status/programme_status_confirm.html", context, status=400
            )
        context = _status_context(
            request, programme, errors=exc.message_dict, reason=reason, refused=to_status
        )
        return render(request, "tiltak/status/programme_status.html", context, status=400)
    messages.success(
        request,
        _("The programme is now “%(status)s”.") % {"status": programme.get_status_display()},
    )
    return redirect("tiltak:programme_status", pk=programme.pk)
