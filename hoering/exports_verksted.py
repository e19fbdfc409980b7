"""The workshop summary «Oppsummering fra verkstedet» as an A4 PDF and as .xlsx, and every input
as CSV. Pure functions returning bytes (like tiltak/exports_lists.py, whose CSV and .xlsx
conventions they reuse: BOM, semicolons, formula-safe cells, text cells never formulas).

The PDF has its own print template (templates/hoering/verksted/pdf/summary.html) and a small
print stylesheet (static/css/pdf/verksted.css) — never the screen CSS, which WeasyPrint chokes
on."""

from __future__ import annotations

import io
from collections.abc import Callable

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from hoering.models import Innspill, Verksted
from hoering.selectors.verksted import SummaryQuestion
from tiltak.exports import (
    CREATOR,
    HEADER_ALIGNMENT,
    HEADER_BORDER,
    HEADER_FILL,
    HEADER_FONT,
    TOP_ALIGNMENT,
    WRAP_ALIGNMENT,
    clean_text,
)
from tiltak.exports_lists import ListColumn, Liste, liste_csv, sheet_title

PRINT_STYLESHEET = "css/pdf/verksted.css"


def _dates(verksted: Verksted) -> str:
    return ", ".join(date_format(d.dato, "DATE_FORMAT") for d in verksted.dager.all())


def summary_pdf(verksted: Verksted, summary: list[SummaryQuestion], *, request=None) -> bytes:
    from weasyprint import CSS, HTML

    html = render_to_string(
        "hoering/verksted/pdf/summary.html",
        {
            "verksted": verksted,
            "summary": summary,
            "dates": _dates(verksted),
            "total": sum(s.antall for s in summary),
            "made": timezone.localtime(),
        },
        request=request,
    )
    stylesheet = CSS(filename=finders.find(PRINT_STYLESHEET))
    return HTML(string=html).write_pdf(stylesheets=[stylesheet])


def _header(ws, columns: list[ListColumn]) -> None:
    for col, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=col, value=column.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = HEADER_BORDER
        cell.alignment = HEADER_ALIGNMENT
        ws.column_dimensions[get_column_letter(col)].width = column.width
    ws.freeze_panes = "A2"


def _put(ws, row: int, columns: list[ListColumn], values: list) -> None:
    for col, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
        if isinstance(value, str):
            value = clean_text(value)
        if value in ("", None):
            continue
        cell = ws.cell(row=row, column=col, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # text, never a formula
        cell.alignment = WRAP_ALIGNMENT if column.wrap else TOP_ALIGNMENT


def summary_xlsx(verksted: Verksted, summary: list[SummaryQuestion]) -> bytes:
    """Two sheets: the questions with their counts, and every input under its question."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(_("Summary"))
    wb.properties.title = f"{_('Summary from the workshop')} {verksted.tittel}"
    wb.properties.creator = CREATOR
    cols = [
        ListColumn(_("No."), 6),
        ListColumn(_("Question"), 80, wrap=True),
        ListColumn(_("Inputs"), 10),
    ]
    _header(ws, cols)
    for n, s in enumerate(summary, start=1):
        label = (
            f"{s.spoersmaal.overskrift}: {s.spoersmaal.tekst}"
            if s.spoersmaal.overskrift
            else s.spoersmaal.tekst
        )
        _put(ws, n + 1, cols, [n, label, s.antall])
    total_row = len(summary) + 2
    _put(ws, total_row, cols, [None, _("In all"), sum(s.antall for s in summary)])

    ws2 = wb.create_sheet(sheet_title(_("Inputs")))
    cols2 = [
        ListColumn(_("No."), 6),
        ListColumn(_("Question"), 40, wrap=True),
        ListColumn(_("Input"), 80, wrap=True),
        ListColumn(_("Group or table"), 16),
        ListColumn(_("Organisation"), 24, wrap=True),
        ListColumn(_("Theme"), 20, wrap=True),
    ]
    _header(ws2, cols2)
    row = 2
    for n, s in enumerate(summary, start=1):
        for i in s.innspill:
            _put(
                ws2,
                row,
                cols2,
                [
                    n,
                    s.spoersmaal.tekst,
                    i.tekst,
                    i.gruppe,
                    i.organisasjon.navn if i.organisasjon_id else "",
                    i.tema.etikett if i.tema_id else "",
                ],
            )
            row += 1
    ws2.auto_filter.ref = f"A1:{get_column_letter(len(cols2))}{max(1, row - 1)}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def inputs_csv(verksted: Verksted, rows: list[Innspill], *, url_for: Callable[[str], str]) -> bytes:
    """Every input, one per line, for those who analyse them elsewhere."""
    liste = Liste(
        title=verksted.tittel,
        columns=[
            ListColumn(_("Question no.")),
            ListColumn(_("Question")),
            ListColumn(_("Day")),
            ListColumn(_("Input")),
            ListColumn(_("Group or table")),
            ListColumn(_("Organisation")),
            ListColumn(_("Typed by the facilitator for the group")),
            ListColumn(_("Theme")),
            ListColumn(_("Measure")),
            ListColumn(_("Measure (web address)")),
            ListColumn(_("Created")),
        ],
    )
    order: dict[int, int] = {}
    for i in rows:
        order.setdefault(i.spoersmaal_id, len(order) + 1)
        forslag = list(i.forslag.all())
        tiltak = forslag[0].tiltak if forslag else None
        liste.rows.append(
            [
                order[i.spoersmaal_id],
                i.spoersmaal.tekst,
                i.spoersmaal.dag.dato.isoformat() if i.spoersmaal.dag_id else "",
                i.tekst,
                i.gruppe,
                i.organisasjon.navn if i.organisasjon_id else "",
                _("yes") if i.for_gruppen else "",
                i.tema.etikett if i.tema_id else "",
                str(tiltak) if tiltak else "",
                url_for(tiltak.get_absolute_url()) if tiltak else "",
                timezone.localtime(i.opprettet).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return liste_csv(liste)
