"""A programme itself in the browser: create one, change its name, subtitle, description, period
and plans, and the page of its deleted tiltak with «Restore». Thin views, guarded the one way
(partnerskap.access, lookups.py): a selector or a service, render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from partnerskap.access import guarded, require
from partnerskap.errors import ServiceError
from tiltak.forms import ProgrammeForm, add_service_errors
from tiltak.models import Tiltak
from tiltak.selectors import history as history_selectors
from tiltak.selectors.programmes import programme_owners
from tiltak.services import programme as programme_services
from tiltak.services import tiltak as tiltak_services

from .lookups import programme_for, tiltak_with_deleted_for


@guarded
@require_http_methods(["GET", "POST"])
def programme_create(request):
    """A new, empty programme in draft; then on to its tree to add temaer and tiltak."""
    require(request, "tiltak.create_programme")
    form = ProgrammeForm(request.POST or None, owners=programme_owners(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            programme = programme_services.programme_create(
                actor=request.user, **form.service_fields()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The programme %(name)s was created as a draft. Add its themes and measures.")
                % {"name": f"{programme.navn} {programme.periode}"},
            )
            return redirect("tiltak:programme_edit", pk=programme.pk)
    return render(
        request,
        "tiltak/programme/programme_form.html",
        {"form": form, "programme": None, "nav": "programmes"},
        status=400 if request.method == "POST" else 200,
    )


@guarded
@require_http_methods(["GET", "POST"])
def programme_update(request, pk: int):
    """Name, subtitle, description, period, plans and the name of the top level."""
    programme = programme_for(request, pk, "tiltak.change_programme")
    initial = {
        "navn": programme.navn,
        "undertittel": programme.undertittel,
        "start_aar": programme.start_aar,
        "slutt_aar": programme.slutt_aar,
        "nivaa_betegnelse": programme.nivaa_betegnelse,
        "planer": list(programme.planer.all()),
        "beskrivelse": programme.beskrivelse,
    }
    form = ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            programme_services.programme_update(
                actor=request.user, programme=programme, **form.service_fields()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The programme was saved."))
            return redirect(programme.get_absolute_url())
    return render(
        request,
        "tiltak/programme/programme_form.html",
        {"form": form, "programme": programme, "nav": "programmes"},
        status=400 if request.method == "POST" else 200,
    )


@guarded
@require_http_methods(["GET"])
def programme_deleted(request, pk: int):
    """The programme's deleted tiltak (kept because they have history or other records), with
    «Restore» for those who may change the tree."""
    programme = programme_for(request, pk, "tiltak.view_history")
    return render(
        request,
        "tiltak/programme/deleted_tiltak.html",
        {
            "programme": programme,
            "rows": history_selectors.deleted_tiltak(programme=programme),
            "can_restore": request.user.has_perm("tiltak.edit_structure", programme),
            "nav": "programmes",
        },
    )


@guarded
@require_POST
def tiltak_undelete(request, pk: int):
    """Bring back a deleted tiltak; back to the list of deleted tiltak with the outcome."""
    tiltak = tiltak_with_deleted_for(request, pk, "tiltak.edit_structure")
    try:
        restored = tiltak_services.tiltak_restore_deleted(actor=request.user, tiltak=tiltak)
    except (ServiceError, ValidationError) as exc:
        text = str(exc) if isinstance(exc, ServiceError) else " ".join(exc.messages)
        messages.error(request, text)
    else:
        # The number may differ from the one it had: it was taken meanwhile (the list said so).
        restored = Tiltak.objects.select_related("tema").get(pk=restored.pk)
        messages.success(
            request,
            _("“%(title)s” was restored as %(number)s.")
            % {"title": restored.tittel[:80], "number": restored.nummer_visning or "–"},
        )
    return redirect("tiltak:programme_deleted", pk=tiltak.program_id)
