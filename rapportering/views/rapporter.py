"""The annual status reporting round: the planner's rounds (create, open, close, overview,
review) and the partners' «Dine tiltak å rapportere på» and report form (draft, submit; a stale
save is refused with 409 and the other person's text shown). Thin views."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnerskap.access import guarded, login_guarded, require
from partnerskap.errors import ServiceError
from rapportering import selectors
from rapportering.forms import ReviewForm, RundeForm, StatusrapportForm
from rapportering.models import Rapporteringsrunde, Statusrapport
from rapportering.services import rapporter as rapport_services
from rapportering.services import runder as runde_services
from rapportering.services.rapporter import REPORT_FIELDS, StatusrapportConflict
from tiltak.forms import add_service_errors
from tiltak.views.lookups import programme_for

from .lookups import rapport_for, runde_for, tiltak_in


@guarded
@require_http_methods(["GET", "POST"])
def runde_list(request, pk: int):
    """A programme's reporting rounds and, for its planners, the form for a new one."""
    programme = programme_for(request, pk, "rapportering.manage_runde")
    form = RundeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            runde = runde_services.runde_create(
                actor=request.user, programme=programme, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The reporting round was created. Open it when ready."))
            return redirect(runde.get_absolute_url())
    runder = Rapporteringsrunde.objects.filter(program=programme).order_by("-aar")
    return render(
        request,
        "rapportering/runde_list.html",
        {"programme": programme, "runder": runder, "form": form, "nav": "programmes"},
        status=400 if form.errors else 200,
    )


@guarded
@require_GET
def runde_detail(request, pk: int):
    runde = runde_for(request, pk)
    rows = selectors.runde_rows(runde=runde, user=request.user)
    return render(
        request,
        "rapportering/runde_detail.html",
        {
            "runde": runde,
            "programme": runde.program,
            "rows": rows,
            "counts": selectors.status_counts(rows),
            "can_manage": request.user.has_perm("rapportering.manage_runde", runde),
            "nav": "programmes",
        },
    )


@guarded
@require_POST
def runde_open(request, pk: int):
    runde = runde_for(request, pk, "rapportering.manage_runde")
    runde_services.runde_open(actor=request.user, runde=runde)
    messages.success(request, _("The reporting round is open."))
    return redirect(runde.get_absolute_url())


@guarded
@require_POST
def runde_close(request, pk: int):
    runde = runde_for(request, pk, "rapportering.manage_runde")
    runde_services.runde_close(actor=request.user, runde=runde)
    messages.success(request, _("The reporting round is closed."))
    return redirect(runde.get_absolute_url())


@login_guarded
@require_GET
def mine(request):
    return render(
        request,
        "rapportering/mine.html",
        {"runder": selectors.mine(user=request.user), "nav": "reporting"},
    )


def _edit_context(runde, tiltak, rapport, form, **extra) -> dict:
    return {
        "runde": runde,
        "programme": runde.program,
        "tiltak": tiltak,
        "rapport": rapport,
        "form": form,
        "conflict": None,
        "nav": "reporting",
        **extra,
    }


@guarded
@require_http_methods(["GET", "POST"])
def rapport_edit(request, pk: int, tiltak_pk: int):
    """The report on one tiltak in the round: the form for a member of a lead organisation
    (draft: «Lagre utkast», or «Send inn»)."""
    runde = runde_for(request, pk)
    tiltak = tiltak_in(runde, tiltak_pk)
    rapport = (
        Statusrapport.objects.select_related("skrevet_av", "behandlet_av")
        .filter(tiltak=tiltak, aar=runde.aar)
        .first()
    )
    probe = rapport or Statusrapport(tiltak=tiltak, runde=runde, aar=runde.aar)
    may_write = request.user.has_perm("rapportering.write_statusrapport", probe)
    if (
        not may_write
        and request.method == "GET"
        and rapport is not None
        and (request.user.has_perm("rapportering.view_statusrapport", rapport))
    ):
        return redirect(rapport.get_absolute_url())
    require(request, "rapportering.write_statusrapport", probe)
    if request.method == "GET":
        initial = {"versjon": rapport.versjon if rapport else None}
        if rapport:
            initial.update({name: getattr(rapport, name) for name in REPORT_FIELDS})
        form = StatusrapportForm(initial=initial)
        return render(
            request, "rapportering/rapport_form.html", _edit_context(runde, tiltak, rapport, form)
        )
    form = StatusrapportForm(request.POST)
    status = 400
    conflict = None
    if form.is_valid():
        data = form.cleaned_data
        submit = "send_inn" in request.POST
        try:
            saved = rapport_services.statusrapport_save(
                actor=request.user,
                runde=runde,
                tiltak=tiltak,
                versjon=data["versjon"],
                submit=submit,
                **{name: data[name] for name in REPORT_FIELDS},
            )
        except StatusrapportConflict as exc:
            conflict, status = exc, 409
            # The form keeps the user's text; the version becomes the current one, so the
            # next save (after comparing) goes through.
            form = StatusrapportForm({**request.POST.dict(), "versjon": exc.current.versjon})
            form.is_valid()
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            if submit:
                messages.success(request, _("The report was submitted. Thank you!"))
                return redirect(saved.get_absolute_url())
            messages.success(request, _("The draft was saved."))
            return redirect("rapportering:rapport_edit", pk=runde.pk, tiltak_pk=tiltak.pk)
    return render(
        request,
        "rapportering/rapport_form.html",
        _edit_context(runde, tiltak, rapport, form, conflict=conflict),
        status=status,
    )


@guarded
@require_GET
def rapport_detail(request, pk: int):
    rapport = rapport_for(request, pk)
    return _rapport_page(request, rapport)


def _rapport_page(request, rapport, *, form=None, status=200):
    can_review = request.user.has_perm("rapportering.review_statusrapport", rapport)
    can_write = request.user.has_perm("rapportering.write_statusrapport", rapport)
    return render(
        request,
        "rapportering/rapport_detail.html",
        {
            "rapport": rapport,
            "runde": rapport.runde,
            "tiltak": rapport.tiltak,
            "programme": rapport.runde.program,
            "can_review": can_review,
            "can_write": can_write and rapport.runde.er_aapen,
            "review_form": form or ReviewForm(initial={"versjon": rapport.versjon}),
            "nav": "reporting",
        },
        status=status,
    )


@guarded
@require_POST
def rapport_review(request, pk: int):
    rapport = rapport_for(request, pk, "rapportering.review_statusrapport")
    form = ReviewForm(request.POST)
    approve = "godkjenn" in request.POST
    if not approve and "send_tilbake" not in request.POST:
        raise Http404(_("Unknown action."))
    if form.is_valid():
        try:
            rapport_services.statusrapport_review(
                actor=request.user,
                rapport=rapport,
                versjon=form.cleaned_data["versjon"],
                approve=approve,
                kommentar=form.cleaned_data["kommentar"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The report was approved.") if approve else _("The report was sent back."),
            )
            return redirect(rapport.runde.get_absolute_url())
    return _rapport_page(request, rapport, form=form, status=400)
