"""Reporting's sections of the board's dashboard and the case papers (tiltak.extensions),
registered from RapporteringConfig.ready():

- «Indikatorer» (dashboard): each indicator against its baseline and target with a small trend
  chart of its whole-area values (SVG, drawn the way rapportering.charts_dashboard draws);
  example values are marked as such;
- «Statusrapporter» (dashboard_since): the status reports submitted and approved since the date
  (never a draft or one sent back: those are the lead organisation's own);
- «Årsrapport» (saksframlegg): the annual report of the latest year with a reporting round
  (rapportering.aarsrapport), its tables and charts;
- a tiltak signal: red/amber/green from the tiltak's latest submitted or approved report
  (REPORT_RULE says the rule in words; the dashboard shows it under the colour rule).

Every context costs a fixed number of queries whatever the number of indicators or reports.
"""

from __future__ import annotations

import hashlib
import json

import matplotlib
from django.core.cache import cache
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from matplotlib.figure import Figure

from tiltak.extensions import Section, register_section, register_tiltak_signal

from . import charts_dashboard
from .aarsrapport import selectors as aarsrapport
from .models import Behandling, Rapporteringsrunde, RapportStatus, Statusrapport
from .selectors import indikator_list, summaries

INDICATORS = "indikatorer"
REPORTS_SINCE = "statusrapporter"
ANNUAL_REPORT = "aarsrapport"
COUNTED = (Behandling.INNSENDT, Behandling.GODKJENT)

REPORT_RULE = gettext_lazy(
    "The latest submitted or approved status report of a measure sets its colour: red when "
    "postponed or cancelled; not started is amber while the report's year is under way (or "
    "ahead) and red once that year is over; in progress and completed are green. Drafts and "
    "reports sent back do not count."
)


# --- Indicators -------------------------------------------------------------------------------


def _trend_key(points, baseline, targets, label) -> str:
    data = [charts_dashboard.CHART_VERSION, "trend", points, baseline, targets, str(label)]
    return "chart:trend:" + hashlib.sha256(json.dumps(data, default=str).encode()).hexdigest()


def _draw_trend(points, baseline, targets, label) -> str:
    """A small line of the values by year; the targets as hollow markers; the baseline as a
    dotted line. The numbers are in the table next to it."""
    with matplotlib.rc_context(charts_dashboard.RC):
        fig = Figure(figsize=(3.2, 1.4))
        ax = fig.add_subplot()
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", color="#1e6bb8")
        if targets:
            ax.plot(
                [t[0] for t in targets],
                [t[1] for t in targets],
                linestyle="none",
                marker="D",
                markerfacecolor="white",
                color="#1b7f3b",
            )
        if baseline is not None:
            ax.axhline(baseline, color="#5b5b5b", linestyle=":", linewidth=1)
        ax.spines[["top", "right"]].set_visible(False)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.tick_params(labelsize=7)
        return charts_dashboard._svg(fig, label)


def trend_charts(specs: list[tuple]) -> list[str]:
    """The charts of `specs` [(points, baseline, targets, label)], from the cache in one read
    (a query per chart would grow with the number of indicators)."""
    keys = [_trend_key(*spec) for spec in specs]
    found = cache.get_many(keys)
    missing = {}
    for key, spec in zip(keys, specs, strict=True):
        if key not in found:
            found[key] = missing[key] = _draw_trend(*spec)
    if missing:
        cache.set_many(missing, charts_dashboard.CACHE_SECONDS)
    return [found[k] for k in keys]


def _fmt(value) -> str:
    return "–" if value is None else aarsrapport._fmt(value)


def indicators_context(programme, **options) -> dict | None:
    indikatorer = indikator_list(programme=programme)
    if not indikatorer:
        return None
    rows, specs = [], []
    for summary in summaries(indikatorer):
        ind = summary.indikator
        whole = sorted(
            (v for v in ind.verdier.all() if v.region_id is None and v.kommune_id is None),
            key=lambda v: v.aar,
        )
        targets = sorted(ind.maal.all(), key=lambda m: m.aar)
        target = summary.maal or summary.neste_maal or (targets[-1] if targets else None)
        label = _("Trend of %(name)s: values by year, targets as diamonds") % {"name": ind.navn}
        specs.append(
            (
                [(v.aar, float(v.verdi)) for v in whole],
                None if ind.basis_verdi is None else float(ind.basis_verdi),
                [(m.aar, float(m.verdi)) for m in targets],
                label,
            )
        )
        rows.append(
            {
                "indikator": ind,
                "url": ind.get_absolute_url(),
                "enhet": ind.enhet,
                "basis": _fmt(ind.basis_verdi),
                "basis_aar": ind.basis_aar,
                "siste": _fmt(summary.siste.verdi) if summary.siste else "–",
                "siste_aar": summary.siste.aar if summary.siste else None,
                "maal": _fmt(target.verdi) if target else "–",
                "maal_aar": target.aar if target else None,
                "eksempel": ind.eksempelverdier,
            }
        )
    for row, chart in zip(rows, trend_charts(specs), strict=True):
        row["chart"] = chart
    return {
        "programme": programme,
        "rows": rows,
        "any_example": any(r["eksempel"] for r in rows),
    }


# --- Status reports since the last meeting ----------------------------------------------------


def reports_since_context(programme, *, since=None, **options) -> dict | None:
    """Reports submitted or approved since `since` (one query). The board sees submitted
    reports (rapportering.rules: view_statusrapport), so drafts and reports sent back are
    never listed."""
    if since is None:
        return None
    if not Rapporteringsrunde.objects.filter(program=programme).exists():
        return None
    reports = list(
        Statusrapport.objects.filter(tiltak__program=programme, behandling__in=COUNTED)
        .filter(Q(innsendt__gte=since) | Q(behandling=Behandling.GODKJENT, behandlet__gte=since))
        .select_related("tiltak__tema", "organisasjon")
        .order_by("tiltak__tema__nummer", "tiltak__nummer", "tiltak__rekkefoelge", "id")
    )
    approved = [r for r in reports if r.behandling == Behandling.GODKJENT]
    submitted = [r for r in reports if r.behandling == Behandling.INNSENDT]
    return {
        "since": since,
        "approved": approved,
        "submitted": submitted,
        "count": len(reports),
    }


# --- The annual report in the case papers -----------------------------------------------------


def report_year(programme) -> int:
    """The latest year with a reporting round; without one the current year within the
    programme's period."""
    latest = Rapporteringsrunde.objects.filter(program=programme).aggregate(aar=Max("aar"))["aar"]
    if latest is not None:
        return latest
    year = timezone.localdate().year
    return max(programme.start_aar, min(year, programme.slutt_aar or year))


def annual_report_context(programme, **options) -> dict:
    from .aarsrapport.exports import report_charts

    report = aarsrapport.annual_report(programme=programme, year=report_year(programme))
    return {
        "report": report,
        "tables": aarsrapport.tables(report),
        "charts": report_charts(report),
    }


def annual_report_fingerprint(programme) -> str:
    """Every number the part prints (the report as its JSON; about a dozen queries)."""
    year = report_year(programme)
    data = aarsrapport.as_json(aarsrapport.annual_report(programme=programme, year=year))
    text = json.dumps([year, data], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def annual_report_docx(document, context: dict) -> None:
    report = context["report"]
    document.add_paragraph(
        _("%(n)s measures in the programme in %(year)s.") % {"n": report.total, "year": report.aar}
    )
    for table in context["tables"]:
        document.add_heading(str(table.title), level=2)
        grid = document.add_table(
            rows=1 + len(table.rows) + bool(table.footer), cols=len(table.columns)
        )
        grid.style = "Table Grid"
        for cell, label in zip(grid.rows[0].cells, table.columns, strict=True):
            cell.text = str(label)
            cell.paragraphs[0].runs[0].bold = True
        body = [*table.rows, *([table.footer] if table.footer else [])]
        for row, values in zip(grid.rows[1:], body, strict=True):
            for cell, value in zip(row.cells, values, strict=False):
                cell.text = "" if value is None else str(value)
        if not table.rows:
            document.add_paragraph(_("None."))
        if table.note:
            document.add_paragraph(str(table.note))


# --- The colour of a tiltak from its latest report --------------------------------------------


def report_colour(status: str, year: int, today_year: int) -> str | None:
    if status in (RapportStatus.UTSATT, RapportStatus.AVBRUTT):
        return "red"
    if status == RapportStatus.IKKE_STARTET:
        return "red" if year < today_year else "amber"
    if status in (RapportStatus.PAAGAAR, RapportStatus.FULLFOERT):
        return "green"
    return None


def report_signal(programme) -> dict[int, str]:
    """tiltak.extensions signal: {tiltak id: colour} from each tiltak's latest submitted or
    approved report (one query)."""
    today_year = timezone.localdate().year
    latest: dict[int, tuple[int, str]] = {}
    for tiltak_id, year, status in (
        Statusrapport.objects.filter(tiltak__program=programme, behandling__in=COUNTED)
        .order_by("tiltak_id", "aar")
        .values_list("tiltak_id", "aar", "status")
    ):
        latest[tiltak_id] = (year, status)  # the latest year stays
    colours = {}
    for tiltak_id, (year, status) in latest.items():
        colour = report_colour(status, year, today_year)
        if colour:
            colours[tiltak_id] = colour
    return colours


def register() -> None:
    register_section(
        Section(
            slot="dashboard",
            name=INDICATORS,
            title=gettext_lazy("Indicators"),
            context=indicators_context,
            template="rapportering/dashboard/sections/indicators.html",
            order=30,
        )
    )
    register_section(
        Section(
            slot="dashboard_since",
            name=REPORTS_SINCE,
            title=gettext_lazy("Status reports"),
            context=reports_since_context,
            template="rapportering/dashboard/sections/reports_since.html",
            order=30,
        )
    )
    register_section(
        Section(
            slot="saksframlegg",
            name=ANNUAL_REPORT,
            title=gettext_lazy("Annual report"),
            context=annual_report_context,
            template="rapportering/saksframlegg/print/annual_report.html",
            print_template="rapportering/saksframlegg/print/annual_report.html",
            docx=annual_report_docx,
            fingerprint=annual_report_fingerprint,
            order=40,
        )
    )
    register_tiltak_signal(report_signal)
