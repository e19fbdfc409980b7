"""The annual report as charts (SVG, rapportering.charts), an A4 PDF (WeasyPrint with its own
print template and stylesheet, never the screen CSS) and an .xlsx workbook (one sheet per
table). Pure functions of an Aarsrapport (selectors.py) returning text or bytes."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from rapportering import charts as chartlib

from .selectors import Aarsrapport, Tabell, status_label, tables, type_label

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PRINT_CSS = Path(settings.BASE_DIR) / "static" / "css" / "aarsrapport-print.css"
SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Chart:
    key: str  # the table it shows (Tabell.key)
    svg: str


def report_charts(report: Aarsrapport) -> dict[str, Chart]:
    """The charts by the key of the table that holds their data."""
    r = report
    level = r.programme.get_nivaa_betegnelse_display()
    result: dict[str, Chart] = {}
    if r.total:
        title = _("Measures by type and %(level)s, %(year)s") % {
            "level": level.lower(),
            "year": r.aar,
        }
        desc = (
            _("Stacked bars: for each type the number of measures in each %(level)s.")
            % {"level": level.lower()}
            + " "
            + "; ".join(f"{type_label(v)}: {r.type_total(v)}" for v in r.types)
        )
        result["type_x_toppnivaa"] = Chart(
            "type_x_toppnivaa",
            chartlib.stacked_bars(
                chart_id="figur-type",
                title=title,
                description=desc,
                categories=[type_label(v) for v in r.types],
                series=[
                    (f"{level} {t.nummer}", [r.type_x_toppnivaa[v][t.nummer] for v in r.types])
                    for t in r.temaer
                ],
                ylabel=_("Measures"),
            ),
        )
    if r.per_delmaal:
        result["per_delmaal"] = Chart(
            "per_delmaal",
            chartlib.horizontal_bars(
                chart_id="figur-delmaal",
                title=_("Measures per sub-goal, %(year)s") % {"year": r.aar},
                description=_(
                    "One bar per sub-goal with its number of measures; the dashed line marks %(n)s."
                )
                % {"n": r.threshold}
                + " "
                + "; ".join(f"{row.key}: {row.antall}" for row in r.per_delmaal),
                labels=[row.key for row in r.per_delmaal],
                values=[row.antall for row in r.per_delmaal],
                xlabel=_("Measures"),
                threshold=r.threshold,
            ),
        )
    if r.total:
        result["statusfordeling"] = Chart(
            "statusfordeling",
            chartlib.horizontal_bars(
                chart_id="figur-status",
                title=_("Status of the measures, %(year)s") % {"year": r.aar},
                description=_("One bar per status with its number of measures.")
                + " "
                + "; ".join(f"{status_label(k)}: {n}" for k, n in r.status.items()),
                labels=[status_label(k) for k in r.status],
                values=list(r.status.values()),
                xlabel=_("Measures"),
            ),
        )
    return result


def _sheet_name(title: str, used: set[str]) -> str:
    base = SHEET_NAME_BAD.sub("", title)[:31].strip() or "Tabell"
    name, n = base, 2
    while name.casefold() in used:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name.casefold())
    return name


def report_xlsx(report: Aarsrapport, report_tables: list[Tabell] | None = None) -> bytes:
    """One sheet per table: a title row, the header row, the rows (numbers stay numbers), the
    total row; the programme, year and time of export in the workbook's properties."""
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for table in report_tables or tables(report):
        ws = wb.create_sheet(_sheet_name(table.title, used))
        ws.append([table.title])
        ws["A1"].font = Font(bold=True, size=12)
        ws.append(table.columns)
        for cell in ws[2]:
            cell.font = bold
        for row in table.rows:
            ws.append(row)
        if table.footer:
            ws.append(table.footer)
            for cell in ws[ws.max_row]:
                cell.font = bold
        if table.note:
            ws.append([])
            ws.append([table.note])
        for index, _column in enumerate(table.columns, start=1):
            width = max(
                [len(str(table.columns[index - 1]))]
                + [len(str(r[index - 1])) for r in table.rows if index - 1 < len(r)]
            )
            ws.column_dimensions[get_column_letter(index)].width = min(60, max(8, width + 2))
        ws.freeze_panes = "A3"
    wb.properties.title = f"{report.programme.navn} – {_('Annual report')} {report.aar}"
    wb.properties.creator = "Partnerskapsportalen"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def report_html_for_pdf(report: Aarsrapport, report_tables, report_charts_by_key) -> str:
    return render_to_string(
        "rapportering/aarsrapport/pdf.html",
        {
            "report": report,
            "tables": report_tables,
            "charts": report_charts_by_key,
            "generated": timezone.localtime(),
        },
    )


def html_to_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML  # noqa: PLC0415 - heavy; only when a PDF is made

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[CSS(filename=str(PRINT_CSS))]
    )


def report_pdf(report: Aarsrapport, report_tables=None, report_charts_by_key=None) -> bytes:
    report_tables = report_tables if report_tables is not None else tables(report)
    if report_charts_by_key is None:
        report_charts_by_key = report_charts(report)
    return html_to_pdf(report_html_for_pdf(report, report_tables, report_charts_by_key))
