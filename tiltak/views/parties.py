"""Parties of a tiltak (hovedansvar and samarbeidsparter) and the organisation picker: add,
remove, reorder; HTMX gets the parties section back, others a redirect. Guarded the one way
(partnerskap.access, lookups.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from partnerskap.access import guarded, login_guarded
from partnerskap.errors import ServiceError
from partnerskap.models import Organisasjon
from partnerskap.selectors import (
    fold,
    organisasjon_by_name,
    organisasjon_label,
    organisasjon_matches,
)
from partnerskap.services import organisasjon_create
from tiltak.forms import AnsvarAddForm, TiltakForm, add_service_errors
from tiltak.models import Ansvar
from tiltak.services import ansvar as ansvar_services

from .lookups import ansvar_for, move_step, tiltak_for

ORG_SEARCH_LIMIT = 20


# --- Parties ------------------------------------------------------------------------------


def ansvar_form(request, data=None) -> AnsvarAddForm:
    return AnsvarAddForm(
        data,
        can_create=request.user.has_perm("partnerskap.create_organisasjon"),
        auto_id="id_ansvar_%s",
    )


def _parties_response(request, tiltak_pk: int, *, form=None, status_message: str = ""):
    tiltak = tiltak_for(request, tiltak_pk)
    return render(
        request,
        "tiltak/edit/partials/parties.html",
        {
            "tiltak": tiltak,
            "ansvar_form": form or ansvar_form(request),
            "status_message": status_message,
            "oob_status": True,
        },
        status=400 if form is not None and form.errors else 200,
    )


@guarded
@require_POST
def ansvar_add(request, pk: int):
    """Add a party to tiltak `pk`; with "ny_organisasjon" the organisation is created first
    (partnerskap.create_organisasjon). HTMX gets the parties section back, others a redirect."""
    tiltak = tiltak_for(request, pk)
    form = ansvar_form(request, request.POST)
    message = ""
    if form.is_valid():
        try:
            org = form.cleaned_data["organisasjon"]
            if org is None:
                org = organisasjon_create(
                    actor=request.user, navn=form.cleaned_data["ny_organisasjon"]
                )
            ansvar = ansvar_services.ansvar_add(
                actor=request.user,
                tiltak=tiltak,
                organisasjon=org,
                rolle=form.cleaned_data["rolle"],
                tekst_som_skrevet=form.cleaned_data["tekst_som_skrevet"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "navn" in exc.error_dict:
                form.add_error("ny_organisasjon", exc.error_dict["navn"])
            else:
                add_service_errors(form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            message = _("%(org)s was added as %(rolle)s.") % {
                "org": org.navn,
                "rolle": ansvar.get_rolle_display().lower(),
            }
            form = None
    if not request.htmx:
        if form is not None and form.errors:
            return _parties_page(request, tiltak, form)
        messages.success(request, message)
        return redirect(reverse("tiltak:tiltak_edit", kwargs={"pk": tiltak.pk}) + "#parter")
    return _parties_response(request, tiltak.pk, form=form, status_message=message)


def _parties_page(request, tiltak, form):
    """Without JavaScript a refused party shows the tiltak edit page with the party form's
    errors (the tiltak form as saved)."""
    response = render(
        request,
        "tiltak/edit/tiltak_edit.html",
        {
            "tiltak": tiltak,
            "programme": tiltak.program,
            "form": TiltakForm(
                instance=tiltak,
                progress_only=not request.user.has_perm("tiltak.edit_structure", tiltak),
            ),
            "ansvar_form": form,
            "nav": "programmes",
        },
    )
    response.status_code = 400
    return response


def _after_party_change(request, tiltak_pk: int, message: str):
    if request.htmx:
        return _parties_response(request, tiltak_pk, status_message=message)
    messages.success(request, message)
    return redirect(reverse("tiltak:tiltak_edit", kwargs={"pk": tiltak_pk}) + "#parter")


@guarded
@require_POST
def ansvar_remove(request, pk: int):
    removed = _already_removed(request, pk)
    if removed is not None:
        return removed
    ansvar = ansvar_for(request, pk)
    tiltak_pk = ansvar.tiltak_id
    message = _("%(org)s is no longer %(rolle)s.") % {
        "org": ansvar.organisasjon.navn,
        "rolle": ansvar.get_rolle_display().lower(),
    }
    ansvar_services.ansvar_remove(actor=request.user, ansvar=ansvar)
    return _after_party_change(request, tiltak_pk, message)


def _already_removed(request, pk: int):
    """A second «Fjern» (a double click, another tab) finds the party gone: say so on the
    tiltak's page instead of a 404, if the user may still edit that tiltak."""
    if Ansvar.objects.filter(pk=pk).exists():
        return None
    last = Ansvar.history.filter(id=pk).order_by("-history_date").first()
    if last is None:
        return None
    tiltak = tiltak_for(request, last.tiltak_id)
    org = Organisasjon.objects.filter(pk=last.organisasjon_id).first()
    message = _("%(org)s had already been removed from this measure.") % {
        "org": org.navn if org else _("The party")
    }
    return _after_party_change(request, tiltak.pk, message)


@guarded
@require_POST
def ansvar_move(request, pk: int):
    ansvar = ansvar_for(request, pk)
    order = list(
        Ansvar.objects.filter(tiltak_id=ansvar.tiltak_id, rolle=ansvar.rolle)
        .order_by("rekkefoelge", "id")
        .values_list("pk", flat=True)
    )
    index = order.index(ansvar.pk)
    target = index + move_step(request)
    message = ""
    if 0 <= target < len(order):
        order[index], order[target] = order[target], order[index]
        ansvar_services.ansvar_reorder(
            actor=request.user, tiltak=ansvar.tiltak, rolle=ansvar.rolle, order=order
        )
        message = _("%(org)s was moved.") % {"org": ansvar.organisasjon.navn}
    return _after_party_change(request, ansvar.tiltak_id, message)


# --- Organisation picker ------------------------------------------------------------------


@login_guarded
@require_GET
def organisasjon_search(request):
    """JSON for the organisation picker: {"results": [{id, navn, label, alias, exact}],
    "can_create": bool}. At most 20 results."""
    q = request.GET.get("q", "")[:100]
    results = organisasjon_matches(q=q, limit=ORG_SEARCH_LIMIT)
    # Never offer to create what the registry has under any of its spellings (name, «name
    # (ABBR)», abbreviation, alias): the service would refuse it anyway.
    can_create = (
        request.user.has_perm("partnerskap.create_organisasjon")
        and bool(q.strip())
        and not any(r["exact"] for r in results)
        and fold(q) not in organisasjon_by_name()
    )
    return JsonResponse({"results": results, "can_create": can_create})


@login_guarded
@require_POST
def organisasjon_create_json(request):
    """Create an organisation from the picker (POST navn). 201 with {id, navn, label}, or 400
    with {"error": message}; 403 without partnerskap.create_organisasjon."""
    navn = " ".join(request.POST.get("navn", "").split())
    if not navn:
        return JsonResponse({"error": _("Name: write the name of the organisation.")}, status=400)
    if len(navn) > 255:
        return JsonResponse({"error": _("Name: at most 255 characters.")}, status=400)
    try:
        org = organisasjon_create(actor=request.user, navn=navn)
    except PermissionDenied:
        return JsonResponse({"error": _("You may not create organisations.")}, status=403)
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    return JsonResponse(
        {"id": org.pk, "navn": org.navn, "label": organisasjon_label(org)},
        status=201,
    )
