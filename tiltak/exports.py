"""Files made from a programme: pure functions that return bytes.

The Excel file is also an import format (tiltak/services/excel/ reads it back), so its
column headers and cell texts are a file format, not UI text: they are always Norwegian bokmål,
whatever language the user has chosen.

So that an import can tell an old file from what the portal holds now, the workbook records
each tiltak's version (`Tiltak.versjon`) in the hidden last column «Versjon», and the time of
the export in the custom document property «Eksportert» (ISO 8601, UTC).
"""

import io
import re
from dataclasses import dataclass
from datetime import UTC

from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .models import (
    Ansvar,
    Delmaal,
    Handlingsprogram,
    Rolle,
    Satsingsomraade,
    Tema,
    Tiltak,
    TiltakStatus,
    TiltakType,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SHEET_TITLE = "Tiltak"
CREATOR = "Partnerskapsportalen"
PARTY_SEPARATOR = "; "
# Written to the workbook's properties so an import can tell which programme a file came from.
IDENTIFIER_PREFIX = "handlingsprogram:"
# The custom document property holding the time of the export.
EXPORTED_PROPERTY = "Eksportert"
# Characters XML 1.0 cannot hold (openpyxl refuses the control characters in cells, and writes
# them unchecked into the document properties, which makes the file unreadable): control
# characters but tab and newline, lone surrogates and the two non-characters U+FFFE, U+FFFF.
XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Text that looks like OOXML's escape of a character (_x000D_); Excel would read it as that
# character, so it is written escaped itself (_x005F_ is the underscore).
OOXML_ESCAPE_LIKE_RE = re.compile("_(x[0-9A-Fa-f]{4}_)")


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    wrap: bool = False
    hidden: bool = False


# The file format: headers exactly as in the seed's table, plus the stable ID first.
COL_ID = "ID"
COL_TEMA = "Tema"
COL_DELMAAL = "Delmål"
COL_SATSING = "Satsingsområde"
COL_PRIORITERT = "Prioritert handling"
COL_NR = "Nr"
COL_TILTAK = "Tiltak"
COL_BESKRIVELSE = "Beskrivelse"
COL_VIRKEMIDDEL = "Virkemiddel"
COL_HOVEDANSVAR = "Hovedansvar"
COL_SAMARBEID = "Samarbeidsparter"
COL_TYPE = "Type"
COL_STATUS = "Status"
COL_VERSJON = "Versjon"
VERSJON_COMMENT = (
    "Versjonen av tiltaket da fila ble lastet ned fra portalen. Ikke endre den: importen ser "
    "av den om noen har endret tiltaket i portalen etterpå, og lar deg velge hva som skal "
    "gjelde i stedet for å overskrive endringene deres."
)

COLUMNS: tuple[Column, ...] = (
    Column(COL_ID, 8),
    Column(COL_TEMA, 28, wrap=True),
    Column(COL_DELMAAL, 36, wrap=True),
    Column(COL_SATSING, 36, wrap=True),
    Column(COL_PRIORITERT, 40, wrap=True),
    Column(COL_NR, 6),
    Column(COL_TILTAK, 50, wrap=True),
    Column(COL_BESKRIVELSE, 60, wrap=True),
    Column(COL_VIRKEMIDDEL, 30, wrap=True),
    Column(COL_HOVEDANSVAR, 32, wrap=True),
    Column(COL_SAMARBEID, 40, wrap=True),
    Column(COL_TYPE, 20),
    Column(COL_STATUS, 14),
    # Last, so that the letters of the other columns stay as they were; hidden, because the
    # planner has nothing to do with it; inside the filter range, so sorting keeps it with
    # its row.
    Column(COL_VERSJON, 9, hidden=True),
)
HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS)

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill(fill_type="solid", start_color="FFD9E5F2", end_color="FFD9E5F2")
HEADER_BORDER = Border(bottom=Side(style="thin", color="FF7F96B2"))
HEADER_ALIGNMENT = Alignment(vertical="center", wrap_text=True)
WRAP_ALIGNMENT = Alignment(vertical="top", wrap_text=True)
TOP_ALIGNMENT = Alignment(vertical="top")


def clean_text(value: str | None) -> str:
    """Text as a cell can hold it: without the characters XML forbids (XML_ILLEGAL_RE), with
    plain newlines. The import compares through the same function, so a text that had such
    characters does not show up as changed after a round trip."""
    if not value:
        return ""
    return XML_ILLEGAL_RE.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n")


def tema_text(tema: Tema) -> str:
    return f"{tema.nummer} {tema.navn}"


def delmaal_text(delmaal: Delmaal | None) -> str:
    if delmaal is None:
        return ""
    return f"{delmaal.nummer} {delmaal.navn}" if delmaal.nummer else delmaal.navn


def satsing_text(satsing: Satsingsomraade | None) -> str:
    return satsing.navn if satsing is not None else ""


def prioritert_text(satsing: Satsingsomraade | None) -> str:
    return satsing.prioritert_handling if satsing is not None else ""


def parties(tiltak: Tiltak, rolle: str) -> list[Ansvar]:
    """The tiltak's parties in one role, in their order (from the prefetched rows)."""
    rows = [a for a in tiltak.ansvar.all() if a.rolle == rolle]
    return sorted(rows, key=lambda a: (a.rekkefoelge, a.pk))


def parties_text(tiltak: Tiltak, rolle: str) -> str:
    return PARTY_SEPARATOR.join(a.organisasjon.navn for a in parties(tiltak, rolle))


def choice_label(choices, value: str) -> str:
    """The bokmål label of a choice value ("" stays "")."""
    if not value:
        return ""
    with translation.override("nb"):
        return str(dict(choices).get(value, value))


def export_filename(programme: Handlingsprogram) -> str:
    """ "<name> <period>.xlsx", without characters file systems refuse."""
    name = clean_text(f"{programme.navn} {programme.periode}")
    for char in '\\/:*?"<>|':
        name = name.replace(char, "-")
    return f"{' '.join(name.split())}.xlsx"


def _labels(choices) -> dict[str, str]:
    with translation.override("nb"):
        return {value: str(label) for value, label in choices}


def tiltak_row(tiltak: Tiltak, *, labels: tuple[dict, dict] | None = None) -> list:
    """One row of the sheet, in the order of COLUMNS. `labels`: the bokmål labels of the types
    and statuses, looked up once for a whole sheet (else per row)."""
    types, statuses = labels or (_labels(TiltakType.choices), _labels(TiltakStatus.choices))
    return [
        tiltak.pk,
        tema_text(tiltak.tema),
        delmaal_text(tiltak.delmaal),
        satsing_text(tiltak.satsingsomraade),
        prioritert_text(tiltak.satsingsomraade),
        tiltak.nummer,
        tiltak.tittel,
        tiltak.beskrivelse,
        tiltak.virkemiddel,
        parties_text(tiltak, Rolle.HOVEDANSVAR),
        parties_text(tiltak, Rolle.SAMARBEIDSPART),
        types.get(tiltak.type, tiltak.type) if tiltak.type else "",
        statuses.get(tiltak.status, tiltak.status) if tiltak.status else "",
        tiltak.versjon,
    ]


def _cell_text(value: str) -> str:
    return OOXML_ESCAPE_LIKE_RE.sub(r"_x005F_\1", clean_text(value))


def programme_rows(programme: Handlingsprogram) -> list[list]:
    """Every row of the sheet (`tiltak_row` of each tiltak that is not deleted, in the
    programme's order), read as plain values: two queries and no model objects, which cost
    about a third of the export when every tiltak, party and organisation was one."""
    types, statuses = _labels(TiltakType.choices), _labels(TiltakStatus.choices)
    names: dict[tuple[int, str], list[tuple[int, int, str]]] = {}
    for tiltak_id, rolle, order, pk, navn in (
        Ansvar.objects.filter(tiltak__program=programme, tiltak__slettet__isnull=True)
        .order_by()
        .values_list("tiltak_id", "rolle", "rekkefoelge", "pk", "organisasjon__navn")
    ):
        names.setdefault((tiltak_id, rolle), []).append((order, pk, navn))

    def joined(tiltak_id: int, rolle: str) -> str:
        return PARTY_SEPARATOR.join(n for _o, _p, n in sorted(names.get((tiltak_id, rolle), ())))

    rows = []
    for (
        pk,
        tema_nummer,
        tema_navn,
        delmaal_id,
        delmaal_nummer,
        delmaal_navn,
        satsing_id,
        satsing_navn,
        prioritert,
        nummer,
        tittel,
        beskrivelse,
        virkemiddel,
        type_,
        status,
        versjon,
    ) in (
        Tiltak.objects.filter(program=programme)
        .order_by("tema__nummer", "rekkefoelge", "id")
        .values_list(
            "pk",
            "tema__nummer",
            "tema__navn",
            "delmaal_id",
            "delmaal__nummer",
            "delmaal__navn",
            "satsingsomraade_id",
            "satsingsomraade__navn",
            "satsingsomraade__prioritert_handling",
            "nummer",
            "tittel",
            "beskrivelse",
            "virkemiddel",
            "type",
            "status",
            "versjon",
        )
    ):
        if delmaal_id is None:
            delmaal = ""
        else:
            delmaal = f"{delmaal_nummer} {delmaal_navn}" if delmaal_nummer else delmaal_navn
        rows.append(
            [
                pk,
                f"{tema_nummer} {tema_navn}",
                delmaal,
                satsing_navn if satsing_id is not None else "",
                prioritert if satsing_id is not None else "",
                nummer,
                tittel,
                beskrivelse,
                virkemiddel,
                joined(pk, Rolle.HOVEDANSVAR),
                joined(pk, Rolle.SAMARBEIDSPART),
                types.get(type_, type_) if type_ else "",
                statuses.get(status, status) if status else "",
                versjon,
            ]
        )
    return rows


def programme_xlsx(programme: Handlingsprogram) -> bytes:
    """The programme as an Excel workbook: one row per tiltak that is not deleted, its ID (the
    tiltak's primary key) first, then the seed's columns. The header row is styled, frozen and
    filterable; long columns wrap. The import reads this same format back, and the versions
    and export time (module docstring) tell it what changed in the portal since.

    Written in openpyxl's write-only mode (rows streamed, no cell objects kept), with each
    column's styled cell made once and reused for every row, the rows read as plain values
    (`programme_rows`); `manage.py bench` compares it with openpyxl writing the same values
    without any style."""
    # Taken before the tiltak are read: a change saved meanwhile counts as after the export.
    exported = timezone.now()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_TITLE)
    title = clean_text(f"{programme.navn} {programme.periode}")
    wb.properties.title = title
    wb.properties.creator = CREATOR
    wb.properties.lastModifiedBy = CREATOR
    wb.properties.subject = clean_text(programme.undertittel) or None
    wb.properties.identifier = f"{IDENTIFIER_PREFIX}{programme.pk}"
    wb.custom_doc_props.append(
        StringProperty(name=EXPORTED_PROPERTY, value=exported.astimezone(UTC).isoformat())
    )

    header = []
    for col, column in enumerate(COLUMNS, start=1):
        dimension = ws.column_dimensions[get_column_letter(col)]
        dimension.width = column.width
        if column.hidden:
            dimension.hidden = True
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = HEADER_BORDER
        cell.alignment = HEADER_ALIGNMENT
        if column.header == COL_VERSJON:
            cell.comment = Comment(VERSJON_COMMENT, CREATOR, width=300, height=120)
        header.append(cell)
    # Before the first row is written (write-only sheets write their head with it).
    last_col = get_column_letter(len(COLUMNS))
    ws.freeze_panes = "B2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    tiltak = programme_rows(programme)
    ws.auto_filter.ref = f"A1:{last_col}{len(tiltak) + 1}"
    # The sheet's size in its head (<dimension>), as a normal workbook has it: readers size the
    # sheet from it, and the import tells a cut-off sheet by it. openpyxl writes it for any
    # sheet that can calculate it, which a write-only sheet cannot by itself.
    ws.calculate_dimension = lambda: f"A1:{last_col}{len(tiltak) + 1}"
    ws.append(header)

    # One cell per column, styled once and reused for every row: a write-only sheet writes a
    # row's cells as soon as it is appended, so the next row may set new values in them.
    cells = []
    for column in COLUMNS:
        cell = WriteOnlyCell(ws)
        cell.alignment = WRAP_ALIGNMENT if column.wrap else TOP_ALIGNMENT
        cells.append(cell)
    for row in tiltak:
        out = []
        for cell, value in zip(cells, row, strict=True):
            # Set without openpyxl's guessing (cell.value = … would turn text starting with
            # "=" into a formula, and costs a type check per cell); the values are only text,
            # integers and None (programme_rows). An empty cell keeps its column's style.
            if isinstance(value, str):
                cell._value, cell.data_type = _cell_text(value) or None, "s"
            elif value is None:
                cell._value, cell.data_type = None, "n"
            else:
                cell._value, cell.data_type = int(value), "n"
            out.append(cell)
        ws.append(out)

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
