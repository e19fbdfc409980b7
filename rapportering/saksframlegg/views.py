"""The case papers (saksframlegg) of a programme: the list, a new one, its page, editing (with
the version it was loaded at), the printable page, the PDF (made in the background, served from
storage) and the Word file. Read: rapportering.view_saksframlegg; write:
rapportering.change_saksframlegg; a programme the user may not see is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from partnerskap.access import guarded, require, visible_or_404
from partnerskap.errors import ServiceError
from rapportering.models_saksframlegg import Saksframlegg
from tiltak.forms import add_service_errors
from tiltak.selectors.programmes import visible_programmes
from tiltak.views.lookups import programme_for

from . import cache, document, services
from .forms import SaksframleggForm

VIEW = "rapportering.view_saksframlegg"
CHANGE = "rapportering.change_saksframlegg"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
REFRESH_SECONDS = 3


def saksframlegg_for(request, pk: int, perm: str = VIEW) -> Saksframlegg:
    sak = visible_or_404(
        Saksframlegg.objects.filter(program__in=visible_programmes(request.user)).select_related(
            "program__eier", "endret_av"
        ),
        _("No such case paper."),
        pk=pk,
    )
    require(request, perm, sak)
    return sak


@guarded
@require_GET
def saksframlegg_list(request, pk: int):
    programme = programme_for(request, pk, VIEW)
    return render(
        request,
        "rapportering/saksframlegg/list.html",
        {
            "programme": programme,
            "saker": Saksframlegg.objects.filter(program=programme).order_by("-moetedato", "-id"),
            "can_change": request.user.has_perm(CHANGE, programme),
            "nav": "programmes",
        },
    )


@guarded
@require_http_methods(["GET", "POST"])
def saksframlegg_create(request, pk: int):
    programme = programme_for(request, pk, CHANGE)
    form = SaksframleggForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                sak = services.saksframlegg_create(
                    actor=request.user, programme=programme, **form.service_fields()
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The case paper was saved."))
                return redirect(sak.get_absolute_url())
    response = render(
        request,
        "rapportering/saksframlegg/form.html",
        {"programme": programme, "form": form, "sak": None, "nav": "programmes"},
    )
    response.status_code = status
    return response


@guarded
@require_GET
def saksframlegg_detail(request, pk: int):
    sak = saksframlegg_for(request, pk)
    return render(
        request,
        "rapportering/saksframlegg/detail.html",
        {
            "sak": sak,
            "programme": sak.program,
            "parts": document.included_parts(sak),
            "forslag": document.markup.to_html(sak.forslag_til_vedtak),
            "can_change": request.user.has_perm(CHANGE, sak),
            "nav": "programmes",
        },
    )


def _conflict_rows(conflict: services.SaksframleggConflict, form) -> list[dict]:
    return [
        {
            "label": change.label,
            "field": change.field,
            "theirs": change.after,
            "yours": form.data.get(change.field, ""),
        }
        for change in conflict.changes
    ]


@guarded
@require_http_methods(["GET", "POST"])
def saksframlegg_edit(request, pk: int):
    sak = saksframlegg_for(request, pk, CHANGE)
    form = SaksframleggForm(request.POST or None, instance=sak)
    conflict, conflict_rows, status = None, [], 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            fields = form.service_fields()
            expected = form.cleaned_data.get("versjon") or sak.versjon
            try:
                services.saksframlegg_update(
                    actor=request.user, saksframlegg=sak, expected_versjon=expected, **fields
                )
            except services.SaksframleggConflict as exc:
                # Nothing typed is lost: the form keeps the user's values, now based on the
                # saved version, so saving again is a deliberate choice.
                conflict, status = exc, 409
                data = request.POST.copy()
                data["versjon"] = str(exc.current.versjon)
                form = SaksframleggForm(data, instance=exc.current)
                form.is_valid()
                conflict_rows = _conflict_rows(exc, form)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The case paper was saved."))
                return redirect(sak.get_absolute_url())
    response = render(
        request,
        "rapportering/saksframlegg/form.html",
        {
            "programme": sak.program,
            "form": form,
            "sak": sak,
            "conflict": conflict,
            "conflict_rows": conflict_rows,
            "nav": "programmes",
        },
    )
    response.status_code = status
    return response


@guarded
@require_GET
def saksframlegg_print(request, pk: int):
    """The same document as the PDF, as a page to print from the browser (its own
    stylesheet, no site navigation)."""
    sak = saksframlegg_for(request, pk)
    return HttpResponse(document.render_html(sak, for_pdf=False))


def _filename(sak: Saksframlegg, extension: str) -> str:
    return f"saksframlegg-{slugify(sak.saksnummer) or sak.pk}.{extension}"


@guarded
@require_GET
def saksframlegg_pdf(request, pk: int):
    sak = saksframlegg_for(request, pk)
    state, path = cache.pdf_state(sak)
    if state == "ready":
        return FileResponse(
            default_storage.open(path, "rb"),
            content_type="application/pdf",
            filename=_filename(sak, "pdf"),
        )
    response = render(
        request,
        "rapportering/saksframlegg/pending.html",
        {
            "sak": sak,
            "programme": sak.program,
            "failed": state == cache.FAILED,
            "refresh": REFRESH_SECONDS,
            "nav": "programmes",
        },
        status=503 if state == cache.FAILED else 202,
    )
    response["Retry-After"] = str(REFRESH_SECONDS if state == cache.PENDING else 60)
    if state == cache.PENDING:
        response["Refresh"] = str(REFRESH_SECONDS)  # the page reloads itself, no script
    return response


@guarded
@require_GET
def saksframlegg_docx(request, pk: int):
    sak = saksframlegg_for(request, pk)
    path = cache.docx_path(sak)
    return FileResponse(
        default_storage.open(path, "rb"),
        content_type=DOCX_CONTENT_TYPE,
        as_attachment=True,
        filename=_filename(sak, "docx"),
    )
