"""Lists of tiltak to download: an organisation's «Ansvar» and the search results, as .xlsx and
as CSV. Pure functions that return bytes, like tiltak/exports.py.

Unlike the programme's Excel file (an import format, always bokmål), these are for reading: the
headers and labels are in the user's language, and every row has the full texts (description,
instrument, funding, expected result) and the tiltak's web address.

The CSV is what Norwegian Excel opens by double-click: UTF-8 with a byte order mark (else æøå
come out garbled), semicolons between fields (a comma is the decimal sign), CRLF line ends.
A cell that starts with = + - @ (or a tab or carriage return) is prefixed with ' so that no
spreadsheet runs it as a formula; in the .xlsx every text cell is stored as text, never as a
formula, as tiltak/exports.py does.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from partnerskap.models import Organisasjon
from tiltak.exports import (
    CREATOR,
    HEADER_ALIGNMENT,
    HEADER_BORDER,
    HEADER_FILL,
    HEADER_FONT,
    TOP_ALIGNMENT,
    WRAP_ALIGNMENT,
    clean_text,
    delmaal_text,
    prioritert_text,
    satsing_text,
    tema_text,
)
from tiltak.models import Ansvar, Rolle, Tiltak
from tiltak.selectors.ansvar import GruppeRolle, OrganisasjonAnsvar, TiltakRoller

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
CSV_DELIMITER = ";"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PARTY_SEPARATOR = "; "
SHEET_TITLE_FORBIDDEN = "[]:*?/\\"


@dataclass(frozen=True)
class ListColumn:
    header: str
    width: int = 14
    wrap: bool = False


@dataclass
class Liste:
    """A table to download: a title (the sheet's name and the file's title), the columns and
    the rows (one value per column: str, int or None)."""

    title: str
    columns: list[ListColumn]
    rows: list[list[object]] = field(default_factory=list)


# --- Cell texts ---------------------------------------------------------------------------------


def rolle_label(rolle: str) -> str:
    return str(Rolle(rolle).label)


def via_text(via: GruppeRolle) -> str:
    """«Samarbeidspart via Regionrådene», with the groups in between for a nested membership:
    «Hovedansvar via Kommunene (gjennom Kommunene i Hallingdal)»."""
    text = _("%(role)s via %(group)s") % {"role": via.rolle_display, "group": via.via.gruppe.navn}
    if via.via.gjennom:
        text += " " + _("(through %(groups)s)") % {"groups": via.via.gjennom_navn}
    return text


def own_roles_text(roller: Iterable[str]) -> str:
    return PARTY_SEPARATOR.join(rolle_label(r) for r in roller)


def via_roles_text(via_grupper: Iterable[GruppeRolle]) -> str:
    return PARTY_SEPARATOR.join(via_text(v) for v in via_grupper)


def _parties_text(parter: Iterable[Ansvar], rolle: str) -> str:
    return PARTY_SEPARATOR.join(a.organisasjon.navn for a in parter if a.rolle == rolle)


def _field_header(name: str) -> str:
    return capfirst(str(Tiltak._meta.get_field(name).verbose_name))


# --- The two lists ------------------------------------------------------------------------------


def _tiltak_columns(*, role_columns: list[ListColumn]) -> list[ListColumn]:
    return [
        ListColumn(_("Programme"), 28, wrap=True),
        ListColumn(_("Theme"), 28, wrap=True),
        ListColumn(_("Sub-goal"), 32, wrap=True),
        ListColumn(_("Priority area"), 32, wrap=True),
        ListColumn(_("Prioritised action"), 36, wrap=True),
        ListColumn(_("No."), 7),
        ListColumn(_("Measure"), 45, wrap=True),
        ListColumn(_("Description"), 60, wrap=True),
        ListColumn(_("Instrument"), 30, wrap=True),
        *role_columns,
        ListColumn(_("Lead responsibility"), 32, wrap=True),
        ListColumn(_("Collaborators"), 40, wrap=True),
        ListColumn(_("Type"), 16),
        ListColumn(_("Status"), 14),
        ListColumn(_field_header("start_aar"), 10),
        ListColumn(_field_header("slutt_aar"), 10),
        ListColumn(_("Funding"), 30, wrap=True),
        ListColumn(_("Expected result"), 40, wrap=True),
        ListColumn(_("Link"), 40),
    ]


def _tiltak_cells(
    tiltak: Tiltak, parter: list[Ansvar], role_cells: list[object], url: str
) -> list[object]:
    return [
        f"{tiltak.program.navn} {tiltak.program.periode}",
        tema_text(tiltak.tema),
        delmaal_text(tiltak.delmaal),
        satsing_text(tiltak.satsingsomraade),
        prioritert_text(tiltak.satsingsomraade),
        tiltak.nummer_visning,
        tiltak.tittel,
        tiltak.beskrivelse,
        tiltak.virkemiddel,
        *role_cells,
        _parties_text(parter, Rolle.HOVEDANSVAR),
        _parties_text(parter, Rolle.SAMARBEIDSPART),
        tiltak.get_type_display() if tiltak.type else "",
        tiltak.get_status_display(),
        tiltak.start_aar,
        tiltak.slutt_aar,
        tiltak.finansiering,
        tiltak.forventet_resultat,
        url,
    ]


def _role_columns() -> list[ListColumn]:
    return [
        ListColumn(_("Role"), 22, wrap=True),
        ListColumn(_("Through groups"), 36, wrap=True),
    ]


def ansvar_liste(
    ansvar: OrganisasjonAnsvar, *, organisasjon: Organisasjon, url_for: Callable[[str], str]
) -> Liste:
    """The rows of an organisation's «Ansvar» page, in the page's order: its own roles and
    those through its groups in two columns, then every party of the tiltak. `url_for` makes
    a page's path absolute."""
    liste = Liste(
        title=f"{_('Responsibility')} – {organisasjon.navn}",
        columns=_tiltak_columns(role_columns=_role_columns()),
    )
    for program in ansvar.programmer:
        for rad in program.rader:
            liste.rows.append(
                _tiltak_cells(
                    rad.tiltak,
                    rad.parter,
                    [own_roles_text(rad.roller), via_roles_text(rad.via_grupper)],
                    url_for(rad.tiltak.get_absolute_url()),
                )
            )
    return liste


def tiltak_liste(
    tiltak: Iterable[Tiltak],
    *,
    title: str,
    url_for: Callable[[str], str],
    organisasjon: Organisasjon | None = None,
    roller: dict[int, TiltakRoller] | None = None,
) -> Liste:
    """Search results (tiltak with their parties prefetched). With an organisation, two
    columns say its role in each: its own, and through which group."""
    with_roles = organisasjon is not None and roller is not None
    liste = Liste(
        title=title,
        columns=_tiltak_columns(role_columns=_role_columns() if with_roles else []),
    )
    for t in tiltak:
        role_cells: list[object] = []
        if with_roles:
            assert roller is not None
            entry = roller.get(t.pk, TiltakRoller([], []))
            role_cells = [own_roles_text(entry.roller), via_roles_text(entry.via_grupper)]
        parter = list(t.ansvar.all())
        liste.rows.append(_tiltak_cells(t, parter, role_cells, url_for(t.get_absolute_url())))
    return liste


# --- Files --------------------------------------------------------------------------------------


def csv_cell(value: object) -> str:
    """A value as a CSV field that no spreadsheet evaluates: a text starting with a formula
    character gets a leading apostrophe, which Excel and LibreOffice show as text."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return str(value)
    text = clean_text(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def liste_csv(liste: Liste) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([csv_cell(c.header) for c in liste.columns])
    for row in liste.rows:
        writer.writerow([csv_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    for char in SHEET_TITLE_FORBIDDEN:
        title = title.replace(char, "-")
    return title[:31].strip() or _("Measures")


def liste_xlsx(liste: Liste) -> bytes:
    """One sheet: a styled, frozen, filterable header row; long texts wrap; landscape pages
    with the header repeated."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(liste.title)
    wb.properties.title = liste.title
    wb.properties.creator = CREATOR
    wb.properties.lastModifiedBy = CREATOR
    for col, column in enumerate(liste.columns, start=1):
        cell = ws.cell(row=1, column=col, value=column.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = HEADER_BORDER
        cell.alignment = HEADER_ALIGNMENT
        ws.column_dimensions[get_column_letter(col)].width = column.width
    for r, row in enumerate(liste.rows, start=2):
        for col, (column, value) in enumerate(zip(liste.columns, row, strict=True), start=1):
            if isinstance(value, str):
                value = clean_text(value)
            if value in ("", None):
                continue
            cell = ws.cell(row=r, column=col, value=value)
            if isinstance(value, str):
                # Stored as text: openpyxl would make a formula of a text starting with "=".
                cell.data_type = "s"
            cell.alignment = WRAP_ALIGNMENT if column.wrap else TOP_ALIGNMENT
    last = get_column_letter(len(liste.columns))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{last}{max(1, len(liste.rows) + 1)}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
