"""History and restore in the browser. Thin views: guarded the one way (partnerskap.access,
lookups.py), a selector (tiltak/selectors/history.py) or a service, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerskap.access import guarded, require
from partnerskap.errors import ServiceError
from tiltak.selectors import history as history_selectors
from tiltak.services.history import tiltak_restore

from .lookups import programme_for, tiltak_with_deleted_for

# --- Tiltak history and restore ----------------------------------------------------------


@guarded
@require_http_methods(["GET"])
def tiltak_history(request, pk: int):
    tiltak = tiltak_with_deleted_for(request, pk, "tiltak.view_history")
    can_restore = tiltak.slettet is None and request.user.has_perm("tiltak.edit_structure", tiltak)
    return render(
        request,
        "tiltak/history/tiltak_history.html",
        {
            "tiltak": tiltak,
            "entries": history_selectors.tiltak_history(tiltak=tiltak, viewer=request.user),
            "can_restore": can_restore,
            "nav": "search",
        },
    )


@guarded
@require_http_methods(["GET", "POST"])
def tiltak_restore_confirm(request, pk: int, history_id: int):
    """GET, or POST without `confirm`: show what the restore would change, which parties it
    removes and adds. POST with `confirm`: restore, then back to the history page. A version
    that would remove every party also needs `fjern_alle_parter` (a second, explicit box)."""
    tiltak = tiltak_with_deleted_for(request, pk, "tiltak.view_history")
    require(request, "tiltak.edit_structure", tiltak)
    preview = history_selectors.tiltak_restore_preview(tiltak=tiltak, history_id=history_id)
    if preview is None:
        raise Http404(_("No such version of this measure."))
    errors: list[str] = []
    if request.method == "POST" and request.POST.get("confirm"):
        try:
            tiltak_restore(
                actor=request.user,
                tiltak=tiltak,
                history_id=history_id,
                remove_every_party=bool(request.POST.get("fjern_alle_parter")),
            )
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


@guarded
@require_http_methods(["GET"])
def programme_history(request, pk: int):
    programme = programme_for(request, pk, "tiltak.view_history")
    page = history_selectors.programme_history_page(
        programme=programme, page_number=request.GET.get("side"), viewer=request.user
    )
    return render(
        request,
        "tiltak/history/programme_history.html",
        {"programme": programme, "page": page, "nav": "programmes"},
    )
