"""The annual report of a programme and year as a page, an A4 PDF and an .xlsx workbook
(rapportering/aarsrapport). Whoever may see the programme may see its report: public for
programmes on hearing or adopted, otherwise as tiltak.view_programme says (a 404 for others).
Thin views: look up, check, call the selector and the exports, render."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from partnerskap.access import guarded
from rapportering.aarsrapport import exports
from rapportering.aarsrapport.selectors import (
    DEFAULT_THRESHOLD,
    annual_report,
    parse_threshold,
    tables,
)
from tiltak.models import PUBLIC_STATUSES
from tiltak.views.excel import attachment_header
from tiltak.views.lookups import programme_for


def _report(request, pk: int, aar: int):
    programme = programme_for(request, pk, "tiltak.view_programme")
    if not programme.start_aar <= aar <= programme.slutt_aar:
        raise Http404(_("The programme has no report for that year."))
    message = ""
    try:
        threshold = parse_threshold(request.GET.get("faerre_enn"))
    except ValueError as exc:
        threshold, message = DEFAULT_THRESHOLD, str(exc)
    return programme, annual_report(programme=programme, year=aar, threshold=threshold), message


def _cache(response, programme) -> HttpResponse:
    public = programme.status in PUBLIC_STATUSES
    response["Cache-Control"] = "private, max-age=60" if public else "private, no-store"
    return response


@guarded
@require_GET
def aarsrapport_page(request, pk: int, aar: int):
    programme, report, message = _report(request, pk, aar)
    report_tables = tables(report)
    charts = exports.report_charts(report)
    response = render(
        request,
        "rapportering/aarsrapport/page.html",
        {
            "programme": programme,
            "report": report,
            "sections": [(t, charts.get(t.key)) for t in report_tables],
            "years": list(range(programme.start_aar, programme.slutt_aar + 1)),
            "api_url": reverse("api:aarsrapport-aar", args=[programme.pk, aar]),
            "message": message,
            "nav": "programmes",
        },
    )
    return _cache(response, programme)


def _filename(report, suffix: str) -> str:
    return f"{_('Annual report')} {report.aar} – {report.programme.navn}.{suffix}"


@guarded
@require_GET
def aarsrapport_pdf(request, pk: int, aar: int):
    programme, report, _message = _report(request, pk, aar)
    response = HttpResponse(exports.report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = attachment_header(_filename(report, "pdf"))
    return _cache(response, programme)


@guarded
@require_GET
def aarsrapport_xlsx(request, pk: int, aar: int):
    programme, report, _message = _report(request, pk, aar)
    response = HttpResponse(exports.report_xlsx(report), content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(_filename(report, "xlsx"))
    return _cache(response, programme)
