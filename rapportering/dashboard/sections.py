"""The dashboard tiles and case-paper parts that rest on the programme itself, registered as
sections (tiltak/extensions.py) the same way the hearing and reporting apps register theirs."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rapportering import charts_dashboard
from tiltak.extensions import Section, register_section
from tiltak.models import TiltakStatus

from . import selectors

PROGRESS = "progress"
RESPONSIBILITY = "responsibility"
CHANGES = "tiltak_changes"
PROGRAMME_TABLE = "programme_table"


def _report_rule():
    """The rule of the reports' colours (rapportering.dashboard_sections), shown with the
    status rule."""
    from rapportering import dashboard_sections

    return dashboard_sections.REPORT_RULE


def progress_context(programme, **options) -> dict:
    status = selectors.status_per_tema(programme=programme)
    search = reverse("tiltak:tiltak_search")
    colour_list = reverse("dashboard:dashboard_tiltak", args=[programme.pk])
    betegnelse = programme.get_nivaa_betegnelse_display()
    rows = []
    for t in status.temaer:
        rows.append(
            {
                "tema": t.tema,
                "navn": f"{betegnelse} {t.tema.nummer}: {t.tema.navn}",
                "total": t.total,
                "total_url": f"{search}?"
                + selectors.drill_down_query(program=programme.pk, tema=t.tema.pk),
                "statuses": [
                    (
                        label,
                        n,
                        f"{search}?"
                        + selectors.drill_down_query(
                            program=programme.pk, tema=t.tema.pk, status=value
                        ),
                    )
                    for value, label, n in t.status_cells()
                ],
                "colour": t.colour,
                "colour_label": t.colour_label,
                "colours": [
                    (
                        colour,
                        label,
                        n,
                        f"{colour_list}?"
                        + selectors.drill_down_query(farge=colour, tema=t.tema.pk),
                    )
                    for colour, label, n in t.colour_cells()
                ],
            }
        )
    chart = charts_dashboard.status_bars(
        [(f"{t.tema.nummer}. {t.tema.navn[:40]}", t.counts) for t in status.temaer],
        TiltakStatus.choices,
        label=gettext("Measures per status in each theme (the numbers are in the table below)"),
    )
    return {
        "programme": programme,
        "rows": rows,
        "status": status,
        "status_labels": [label for _value, label in TiltakStatus.choices],
        "totals": [
            (
                label,
                n,
                f"{search}?" + selectors.drill_down_query(program=programme.pk, status=value),
            )
            for value, label, n in status.status_totals()
        ],
        "total_url": f"{search}?" + selectors.drill_down_query(program=programme.pk),
        "colour_totals": [
            (c, label, n, f"{colour_list}?" + selectors.drill_down_query(farge=c))
            for c, label, n in status.colour_totals()
        ],
        "rule": selectors.COLOUR_RULE,
        "report_rule": _report_rule(),
        "chart": chart,
    }


def responsibility_context(programme, **options) -> dict:
    temaer = selectors.temaer_of(programme)
    grid = selectors.responsibility_grid(programme=programme, temaer=temaer)
    search = reverse("tiltak:tiltak_search")

    base = f"{search}?program={programme.pk}"

    def link(org, tema, rolle):
        # Built by hand, not urlencode: a grid has thousands of links, and ids, slugs (a
        # SlugField) and the role values need no quoting.
        tema_part = f"&tema={tema.pk}" if tema else ""
        return f"{base}{tema_part}&organisasjon={org.slug}&rolle={rolle}&direkte=1"

    leads_label = gettext("leads %(n)s in theme %(nr)s")
    collaborates_label = gettext("collaborates on %(n)s in theme %(nr)s")
    betegnelse = programme.get_nivaa_betegnelse_display()

    def number(n: int, url: str, label: str) -> str:
        if not n:
            return "0"
        return f'<a class="ds-link" href="{escape(url)}" aria-label="{escape(label)}">{n}</a>'

    def cells_html(row) -> SafeString:
        # Written here rather than in the template: a grid of 150 organisations × 60 temaer is
        # 9,000 cells, which Django's template engine renders in seconds and this in
        # milliseconds. Every text from the data is escaped.
        cells = []
        for tema, leads, collaborates in row.cells:
            nr = tema.nummer
            lead = number(
                leads,
                link(row.organisasjon, tema, "hovedansvar"),
                leads_label % {"n": leads, "nr": nr},
            )
            partner = number(
                collaborates,
                link(row.organisasjon, tema, "samarbeidspart"),
                collaborates_label % {"n": collaborates, "nr": nr},
            )
            cells.append(
                '<td class="portal-num portal-stack__inline" '
                f'data-label="{escape(betegnelse)} {nr}">{lead} / {partner}</td>'
            )
        return mark_safe("".join(cells))  # noqa: S308  (escaped above)

    rows = [
        {
            "organisasjon": row.organisasjon,
            "medlemmer": row.medlemmer,
            "leads": row.leads,
            "collaborates": row.collaborates,
            "leads_url": link(row.organisasjon, None, "hovedansvar"),
            "collaborates_url": link(row.organisasjon, None, "samarbeidspart"),
            "cells_html": cells_html(row),
        }
        for row in grid
    ]
    return {
        "programme": programme,
        "temaer": temaer,
        "rows": rows,
        "betegnelse": betegnelse,
    }


def changes_context(programme, *, since=None, **options) -> dict | None:
    if since is None:
        return None
    return {
        "programme": programme,
        "changes": selectors.changes_since(programme=programme, since=since),
    }


def register() -> None:
    register_section(
        Section(
            slot="dashboard",
            name=PROGRESS,
            title=_("Progress per theme"),
            context=progress_context,
            template="rapportering/dashboard/sections/progress.html",
            order=10,
        )
    )
    register_section(
        Section(
            slot="dashboard",
            name=RESPONSIBILITY,
            title=_("Who is responsible"),
            context=responsibility_context,
            template="rapportering/dashboard/sections/responsibility.html",
            order=50,
        )
    )
    register_section(
        Section(
            slot="dashboard_since",
            name=CHANGES,
            title=_("Measures"),
            context=changes_context,
            template="rapportering/dashboard/sections/changes.html",
            order=10,
        )
    )
    # The programme table of the case papers (rapportering/saksframlegg/document.py builds it
    # from the programme tree; registered so a saksframlegg lists it among its parts).
    from rapportering.saksframlegg import document

    register_section(
        Section(
            slot="saksframlegg",
            name=PROGRAMME_TABLE,
            title=_("The action programme (table)"),
            context=document.programme_table_context,
            template="rapportering/saksframlegg/print/programme_table.html",
            print_template="rapportering/saksframlegg/print/programme_table.html",
            docx=document.programme_table_docx,
            fingerprint=document.programme_fingerprint,
            order=10,
        )
    )
