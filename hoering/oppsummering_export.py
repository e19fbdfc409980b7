"""The høringsoppsummering as files: an A4 PDF for the committee's case paper (WeasyPrint, its
own print template and stylesheet, page numbers «Side X av Y», bookmarks per grouping) and an
.xlsx workbook with one sheet per grouping (openpyxl). Pure functions: summary in, bytes out."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .deadlines import format_deadline
from .selectors.oppsummering import Summary

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PRINT_CSS = Path(__file__).with_name("oppsummering_print.css")
# A rendered PDF is kept this long under the SHA-256 of its HTML and stylesheet: the same
# content is never rendered twice (a long summary takes seconds), and any change to an answer
# or an assessment changes the HTML, so a stale PDF is never served.
PDF_CACHE_SECONDS = 7 * 24 * 60 * 60
# While a render is queued or running, asking again does not queue another.
PDF_PENDING_SECONDS = 15 * 60


def _pdf_source(summary: Summary) -> tuple[str, str, str]:
    """The print HTML, the stylesheet and the cache key (SHA-256 of both) in the active
    language."""
    html = render_to_string(
        "hoering/oppsummering/pdf/oppsummering.html",
        {
            "hoering": summary.hoering,
            "programme": summary.hoering.program,
            "s": summary,
            "LANGUAGE_CODE": translation.get_language(),
        },
    )
    css = PRINT_CSS.read_text(encoding="utf-8")
    if translation.get_language() == "en":
        css = css.replace('"Side " counter(page) " av "', '"Page " counter(page) " of "')
    key = "hoering-oppsummering-pdf:" + hashlib.sha256((html + css).encode()).hexdigest()
    return html, css, key


def summary_pdf(summary: Summary) -> bytes:
    """The PDF, rendered now unless the same content is cached."""
    from weasyprint import CSS, HTML

    html, css, key = _pdf_source(summary)
    pdf = cache.get(key)
    if pdf is None:
        pdf = HTML(string=html).write_pdf(stylesheets=[CSS(string=css)])
        cache.set(key, pdf, PDF_CACHE_SECONDS)
    return pdf


def summary_pdf_or_queue(summary: Summary) -> bytes | None:
    """The PDF if it is cached; otherwise its rendering is queued as a task (once, however
    often this is asked while it runs) and None is returned — unless the task ran at once
    (the immediate backend of development and tests), then the PDF. A large summary takes
    minutes to render, longer than a request may take; the worker renders it instead."""
    from .tasks import render_summary_pdf

    _html, _css, key = _pdf_source(summary)
    pdf = cache.get(key)
    if pdf is None:
        if cache.add(key + ":pending", True, PDF_PENDING_SECONDS):
            render_summary_pdf.enqueue(summary.hoering.pk, translation.get_language() or "nb")
        pdf = cache.get(key)
    return pdf


def _rows(items, *, with_org: bool) -> list[list[str]]:
    rows = []
    for i in items:
        row = [
            i.tema.nummer if i.tema else "",
            i.label,
            i.title,
        ]
        if with_org:
            row.append(i.organisasjon.navn)
        row += [
            i.text,
            i.vurdering_display if i.obj.vurdering else "",
            i.obj.vurdering_begrunnelse,
            i.obj.resultat_tiltak.nummer_visning if i.obj.resultat_tiltak else "",
        ]
        rows.append([str(v) for v in row])
    return rows


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list[str]]) -> None:
    ws = wb.create_sheet(title[:31])
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_safe(v) for v in row])
    ws.freeze_panes = "A2"
    for index, _name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(index)].width = 18 if index < 3 else 40
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _safe(value: str) -> str:
    """Text that a spreadsheet would take for a formula is written as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def summary_xlsx(summary: Summary) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    base = [_("Theme"), _("Input"), _("Measure or title")]
    tail = [_("Text"), _("Assessment"), _("Reason for the assessment"), _("Resulting measure")]
    rows = []
    for g in summary.by_tema:
        rows += _rows(g.items, with_org=True)
    _sheet(wb, _("By theme"), [*base, _("Organisation"), *tail], rows)
    org_rows = []
    for g in summary.by_organisation:
        for r in _rows(g.items, with_org=False):
            org_rows.append([g.heading, *r])
    _sheet(wb, _("By organisation"), [_("Organisation"), *base, *tail], org_rows)
    answers = [
        [
            s.organisasjon.navn,
            s.saksnummer,
            format_deadline(s.innsendt) if s.innsendt else "",
            s.signatar,
            s.sha256,
        ]
        for s in summary.answers
    ]
    _sheet(
        wb,
        _("Answers"),
        [_("Organisation"), _("Case number"), _("Submitted"), _("Signed by"), _("SHA-256")],
        answers,
    )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
