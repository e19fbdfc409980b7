"""Indicators: the list per programme (public for public programmes), one indicator with its
targets and values, and the planners' pages for entering them by hand. Thin views: parse,
check the permission, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnerskap.access import guarded
from rapportering import selectors
from rapportering.forms import IndikatorForm, MaalForm, VerdiForm
from rapportering.services import indikatorer as services
from tiltak.forms import add_service_errors
from tiltak.views.lookups import programme_for

from .lookups import indikator_for, maal_for, verdi_for


@guarded
@require_GET
def indikator_list(request, pk: int):
    programme = programme_for(request, pk, "rapportering.view_indikator")
    rows = selectors.summaries(selectors.indikator_list(programme=programme))
    return render(
        request,
        "rapportering/indikator_list.html",
        {
            "programme": programme,
            "rows": rows,
            "any_example": any(r.indikator.eksempelverdier for r in rows),
            "can_manage": request.user.has_perm("rapportering.manage_indikator", programme),
            "nav": "programmes",
        },
    )


def _indikator_fields(data: dict) -> dict:
    return {
        name: data.get(name)
        if name not in ("beskrivelse", "enhet", "kilde")
        else data.get(name, "")
        for name in services.INDIKATOR_FIELDS
    }


@guarded
@require_http_methods(["GET", "POST"])
def indikator_create(request, pk: int):
    programme = programme_for(request, pk, "rapportering.manage_indikator")
    form = IndikatorForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            indikator = services.indikator_create(
                actor=request.user, programme=programme, **_indikator_fields(form.cleaned_data)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The indicator was created."))
            return redirect(indikator.get_absolute_url())
    return render(
        request,
        "rapportering/indikator_form.html",
        {"programme": programme, "form": form, "indikator": None, "nav": "programmes"},
        status=400 if form.errors else 200,
    )


@guarded
@require_http_methods(["GET", "POST"])
def indikator_edit(request, pk: int):
    indikator = indikator_for(request, pk)
    if request.method == "POST":
        form = IndikatorForm(request.POST, programme=indikator.program)
        versjon = request.POST.get("versjon", "")
        if form.is_valid():
            try:
                services.indikator_update(
                    actor=request.user,
                    indikator=indikator,
                    versjon=int(versjon) if versjon.isdigit() else None,
                    **_indikator_fields(form.cleaned_data),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The indicator was saved."))
                return redirect(indikator.get_absolute_url())
    else:
        initial = {name: getattr(indikator, name) for name in services.INDIKATOR_FIELDS}
        form = IndikatorForm(initial=initial, programme=indikator.program)
    return render(
        request,
        "rapportering/indikator_form.html",
        {
            "programme": indikator.program,
            "form": form,
            "indikator": indikator,
            "nav": "programmes",
        },
        status=400 if form.errors else 200,
    )


@guarded
@require_POST
def indikator_delete(request, pk: int):
    indikator = indikator_for(request, pk)
    programme = indikator.program
    services.indikator_delete(actor=request.user, indikator=indikator)
    messages.success(request, _("The indicator was deleted."))
    return redirect("rapportering:indikator_list", pk=programme.pk)


def _detail(request, indikator, *, maal_form=None, verdi_form=None, status=200):
    verdier = sorted(
        indikator.verdier.all(),
        key=lambda v: (-v.aar, v.region is not None, v.kommune is not None, v.sted),
    )
    return render(
        request,
        "rapportering/indikator_detail.html",
        {
            "programme": indikator.program,
            "indikator": indikator,
            "verdier": verdier,
            "maal": sorted(indikator.maal.all(), key=lambda m: m.aar),
            "can_manage": request.user.has_perm("rapportering.manage_indikator", indikator),
            "maal_form": maal_form or MaalForm(prefix="maal"),
            "verdi_form": verdi_form or VerdiForm(prefix="verdi"),
            "nav": "programmes",
        },
        status=status,
    )


@guarded
@require_GET
def indikator_detail(request, pk: int):
    indikator = indikator_for(request, pk, "rapportering.view_indikator")
    return _detail(request, indikator)


@guarded
@require_POST
def maal_set(request, pk: int):
    indikator = indikator_for(request, pk)
    form = MaalForm(request.POST, prefix="maal")
    if form.is_valid():
        try:
            services.maal_set(actor=request.user, indikator=indikator, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The target was saved."))
            return redirect(indikator.get_absolute_url())
    return _detail(request, indikator, maal_form=form, status=400)


@guarded
@require_POST
def maal_delete(request, pk: int):
    maal = maal_for(request, pk)
    indikator = maal.indikator
    services.maal_delete(actor=request.user, maal=maal)
    messages.success(request, _("The target was deleted."))
    return redirect(indikator.get_absolute_url())


@guarded
@require_POST
def verdi_create(request, pk: int):
    indikator = indikator_for(request, pk)
    form = VerdiForm(request.POST, prefix="verdi")
    if form.is_valid():
        try:
            services.verdi_create(actor=request.user, indikator=indikator, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The value was saved."))
            return redirect(indikator.get_absolute_url())
    return _detail(request, indikator, verdi_form=form, status=400)


@guarded
@require_http_methods(["GET", "POST"])
def verdi_edit(request, pk: int):
    verdi = verdi_for(request, pk)
    if request.method == "POST":
        form = VerdiForm(request.POST)
        if form.is_valid():
            try:
                services.verdi_update(actor=request.user, verdi=verdi, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The value was saved."))
                return redirect(verdi.indikator.get_absolute_url())
    else:
        form = VerdiForm(
            initial={n: getattr(verdi, n) for n in ("aar", "verdi", "region", "kommune", "merknad")}
        )
    return render(
        request,
        "rapportering/verdi_form.html",
        {
            "verdi": verdi,
            "indikator": verdi.indikator,
            "programme": verdi.indikator.program,
            "form": form,
            "nav": "programmes",
        },
        status=400 if form.errors else 200,
    )


@guarded
@require_POST
def verdi_delete(request, pk: int):
    verdi = verdi_for(request, pk)
    indikator = verdi.indikator
    services.verdi_delete(actor=request.user, verdi=verdi)
    messages.success(request, _("The value was deleted."))
    return redirect(indikator.get_absolute_url())
