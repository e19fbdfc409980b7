"""History, restore and the status workflow in the browser. Thin views: check the permission,
call a selector (tiltak/history.py) or a service (tiltak/services/), render."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import history as history_selectors
from . import selectors
from .models import Handlingsprogram, ProgramStatus, Tiltak
from .services.common import ServiceError
from .services.history import tiltak_restore
from .services.workflow import allowed_transitions, programme_transition


class _LoginRequired(Exception):
    pass


def _require(request, perm: str, obj) -> None:
    """Anonymous users go to the login page, logged-in users without the permission get 403."""
    if not request.user.is_authenticated:
        raise _LoginRequired
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied(perm)


def _guarded(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _LoginRequired:
            return redirect_to_login(request.get_full_path())

    return wrapper


def _visible_programme(request, pk: int) -> Handlingsprogram:
    return get_object_or_404(
        selectors.visible_programmes(request.user).select_related("eier"), pk=pk
    )


def _visible_tiltak(request, pk: int) -> Tiltak:
    # Tiltak.alle: the history of a deleted tiltak can still be read.
    queryset = Tiltak.alle.filter(program__in=selectors.visible_programmes(request.user))
    try:
        return queryset.select_related("program", "program__eier", "tema").get(pk=pk)
    except Tiltak.DoesNotExist as exc:
        raise Http404(_("No such measure.")) from exc


# --- Tiltak history and restore ----------------------------------------------------------


@_guarded
@require_http_methods(["GET"])
def tiltak_history(request, pk: int):
    tiltak = _visible_tiltak(request, pk)
    _require(request, "tiltak.view_history", tiltak)
    can_restore = tiltak.slettet is None and request.user.has_perm("tiltak.edit_structure", tiltak)
    return render(
        request,
        "tiltak/history/tiltak_history.html",
        {
            "tiltak": tiltak,
            "entries": history_selectors.tiltak_history(tiltak=tiltak),
            "can_restore": can_restore,
            "nav": "search",
        },
    )


@_guarded
@require_http_methods(["GET", "POST"])
def tiltak_restore_confirm(request, pk: int, history_id: int):
    """GET, or POST without `confirm`: show what the restore would change. POST with
    `confirm`: restore, then back to the history page."""
    tiltak = _visible_tiltak(request, pk)
    _require(request, "tiltak.view_history", tiltak)
    _require(request, "tiltak.edit_structure", tiltak)
    preview = history_selectors.tiltak_restore_preview(tiltak=tiltak, history_id=history_id)
    if preview is None:
        raise Http404(_("No such version of this measure."))
    errors: list[str] = []
    if request.method == "POST" and request.POST.get("confirm"):
        try:
            tiltak_restore(actor=request.user, tiltak=tiltak, history_id=history_id)
        except ValidationError as exc:
            errors = [m for messages_ in exc.message_dict.values() for m in messages_]
        except ServiceError as exc:
            errors = [str(exc)]
        else:
            messages.success(request, _("The earlier version was restored."))
            return redirect("tiltak:tiltak_history", pk=tiltak.pk)
    return render(
        request,
        "tiltak/history/tiltak_restore.html",
        {"tiltak": tiltak, "preview": preview, "history_id": history_id, "errors": errors},
        status=400 if errors else 200,
    )


# --- Programme change log --------------------------------------------------------------------


@_guarded
@require_http_methods(["GET"])
def programme_history(request, pk: int):
    programme = _visible_programme(request, pk)
    _require(request, "tiltak.view_history", programme)
    page = history_selectors.programme_history_page(
        programme=programme, page_number=request.GET.get("side")
    )
    return render(
        request,
        "tiltak/history/programme_history.html",
        {"programme": programme, "page": page, "nav": "programmes"},
    )


# --- Status workflow --------------------------------------------------------------------------


def _status_context(request, programme: Handlingsprogram, **extra) -> dict:
    can_transition = request.user.has_perm("tiltak.transition_programme", programme)
    return {
        "programme": programme,
        "transitions": allowed_transitions(programme.status) if can_transition else [],
        "can_transition": can_transition,
        "status_history": history_selectors.programme_status_history(programme=programme),
        "status_url": reverse("tiltak:programme_status", kwargs={"pk": programme.pk}),
        "locked": programme.status in (ProgramStatus.VEDTATT, ProgramStatus.ARKIVERT),
        "errors": {},
        "reason": "",
        "nav": "programmes",
        **extra,
    }


@_guarded
@require_http_methods(["GET", "POST"])
def programme_status(request, pk: int):
    """GET: the status panel (for htmx, loaded into the programme page) or the full status
    page. POST `to_status` (+ `reason`): move the programme, then back to the status page."""
    programme = _visible_programme(request, pk)
    _require(request, "tiltak.view_history", programme)
    if request.method == "GET":
        template = (
            "tiltak/history/status_panel.html"
            if request.htmx
            else "tiltak/history/programme_status.html"
        )
        return render(request, template, _status_context(request, programme))

    _require(request, "tiltak.transition_programme", programme)
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
        return render(request, "tiltak/history/programme_status.html", context, status=400)
    messages.success(
        request,
        _("The programme is now “%(status)s”.") % {"status": programme.get_status_display()},
    )
    return redirect("tiltak:programme_status", pk=programme.pk)
