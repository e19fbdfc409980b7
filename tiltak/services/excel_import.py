"""Import of a programme's tiltak from the Excel format that `tiltak.exports.programme_xlsx`
writes: first a preview that writes nothing, then an atomic apply.

Contract
- `programme_import_preview(*, actor, programme, data)` reads the file and returns an
  `ImportPreview`: rows that are new (empty ID), changed (field by field, old → new), removed
  (tiltak of the programme whose ID is not in the file), the number unchanged, the organisation
  names the registry does not know, and `errors` (each naming the row and column as Excel shows
  them). It never writes. Its `fingerprint` identifies the state of the programme it compared
  against.
- `programme_import_apply(*, actor, programme, data, org_mapping, expected_fingerprint)` reads
  the file again and writes everything in one transaction, or nothing: it raises
  `ImportRefused` (the file has errors, or an unknown organisation has no choice),
  `ImportStale` (the programme changed since the preview) or PermissionDenied.
- Both need `tiltak.import_programme` (owning planner or administrator, draft programmes only).

The file
- The first sheet (or the one called "Tiltak"), headers in row 1, matched by name in any order.
  ID, Tema, Nr and Tiltak are required; a missing optional column leaves that field as it is.
  Other columns are ignored.
- Tema, Delmål and Satsingsområde must name existing levels of the programme (by number or
  name); the import does not create or rename levels, and an unknown one is an error for its
  row. Prioritert handling belongs to the satsingsområde and is not changed by the import (a
  differing text is reported as a warning).
- Hovedansvar and Samarbeidsparter: organisation names (or abbreviations or known alternative
  names) separated by ";". Parties are compared as the list of organisations in order; only a
  role whose list changed is rewritten, new rows keep the name as written (`tekst_som_skrevet`).
- Refused with nothing written: not an .xlsx workbook, larger than MAX_FILE_BYTES or unpacking
  to more than MAX_UNPACKED_BYTES (zip bombs), more than MAX_DATA_ROWS rows (counting stops
  there, the sheet is streamed in read-only mode), formulas or Excel errors in any cell.

Writes: removed tiltak go through hierarchy.tiltak_delete one by one, with the reason
REMOVED_REASON (it keeps a tiltak that has history as deleted, and removes one without);
unknown organisations are created with partnerskap.services.organisasjon_create. New and
changed tiltak and their parties are written directly (new ones in bulk), each with one history
row (actor and reason), after the model validation the hierarchy services run (done already in
the preview, so its errors name row and column): through the services one by one, with their
per-row validation queries, a 3,000-row file took minutes. The rules are the hierarchy services':
versions raised by one per changed tiltak (parties do not raise it), a tiltak moved to another
tema goes last in the programme's order, a new row without a number gets the next free one.
"""

from __future__ import annotations

import copy
import hashlib
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from simple_history.utils import bulk_create_with_history

from partnerskap.errors import ServiceError
from partnerskap.models import Organisasjon, OrganisasjonAlias, OrganisasjonType
from partnerskap.services import organisasjon_create
from tiltak.selectors.search import programme_tiltak

from ..exports import (
    COL_BESKRIVELSE,
    COL_DELMAAL,
    COL_HOVEDANSVAR,
    COL_ID,
    COL_NR,
    COL_PRIORITERT,
    COL_SAMARBEID,
    COL_SATSING,
    COL_STATUS,
    COL_TEMA,
    COL_TILTAK,
    COL_TYPE,
    COL_VIRKEMIDDEL,
    HEADERS,
    IDENTIFIER_PREFIX,
    SHEET_TITLE,
    clean_text,
    delmaal_text,
    parties,
    satsing_text,
    tema_text,
)
from ..models import (
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
from . import hierarchy
from .common import check_perm

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 1000
MAX_DATA_ROWS = 5000
# Rows read at all, empty ones included, before giving up (formatted empty rows cost time too).
MAX_SHEET_ROWS = 4 * MAX_DATA_ROWS
MAX_COLUMNS = 60
# Errors listed; the rest are counted.
MAX_ERRORS = 100
MAX_NUMBER = 32767
REMOVED_REASON = "Fjernet ved import"
REQUIRED_COLUMNS = (COL_ID, COL_TEMA, COL_NR, COL_TILTAK)
PERMISSION = "tiltak.import_programme"

# Text columns and the Tiltak fields they fill.
TEXT_FIELDS = {COL_TILTAK: "tittel", COL_BESKRIVELSE: "beskrivelse", COL_VIRKEMIDDEL: "virkemiddel"}
PARTY_COLUMNS = {COL_HOVEDANSVAR: Rolle.HOVEDANSVAR, COL_SAMARBEID: Rolle.SAMARBEIDSPART}
ANSVAR_TEXT_MAX = 500
ORGANISASJON_NAVN_MAX = 255


def _norm(value: str | None) -> str:
    """For comparing names: whitespace collapsed, case folded."""
    return " ".join(clean_text(value).split()).casefold()


def _text(value: str | None) -> str:
    """A stored text as the file would hold it, for comparing with a cell."""
    return clean_text(value).strip()


# --- Results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportIssue:
    """An error or warning, located as Excel shows it: row 5, column Nr (F)."""

    message: str
    row: int | None = None
    column: str | None = None
    letter: str | None = None

    @property
    def location(self) -> str:
        column = self.column or ""
        if self.letter:
            column = f"{column} ({self.letter})" if column else self.letter
        if self.row and column:
            return _("Row %(row)s, column %(column)s") % {"row": self.row, "column": column}
        if self.row:
            return _("Row %(row)s") % {"row": self.row}
        if column:
            return _("Column %(column)s") % {"column": column}
        return ""

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


@dataclass
class PartyName:
    tekst: str
    organisasjon: Organisasjon | None  # None: not in the registry

    @property
    def key(self) -> str:
        return _norm(self.tekst)

    @property
    def display(self) -> str:
        return self.organisasjon.navn if self.organisasjon else self.tekst


@dataclass
class ImportRow:
    """One data row of the file, parsed and matched against the programme."""

    row: int
    tiltak_id: int | None = None
    tema: Tema | None = None
    delmaal: Delmaal | None = None
    satsingsomraade: Satsingsomraade | None = None
    nummer: int | None = None
    # Tiltak field -> text, for the columns present in the file.
    values: dict[str, str] = field(default_factory=dict)
    # Rolle -> parties, for the party columns present in the file.
    parties: dict[str, list[PartyName]] = field(default_factory=dict)
    columns: frozenset[str] = frozenset()
    ok: bool = True
    # A new row with an empty Nr gets the next free number in its tema (as in the browser).
    nummer_planned: bool = False
    # The tiltak this new row becomes, validated in the preview and saved by the apply.
    instance: Tiltak | None = None

    @property
    def tittel(self) -> str:
        return self.values.get("tittel", "")

    def party_display(self, rolle: str) -> str:
        return "; ".join(p.display for p in self.parties.get(rolle, []))

    @property
    def hovedansvar_display(self) -> str:
        return self.party_display(Rolle.HOVEDANSVAR)

    @property
    def samarbeidsparter_display(self) -> str:
        return self.party_display(Rolle.SAMARBEIDSPART)


@dataclass(frozen=True)
class CellChange:
    column: str
    old: str
    new: str


@dataclass
class ChangedRow:
    data: ImportRow
    tiltak: Tiltak
    changes: list[CellChange]
    placement_changed: bool = False
    fields: dict[str, str] = field(default_factory=dict)
    parties_changed: dict[str, list[PartyName]] = field(default_factory=dict)
    # A copy of the tiltak with the new values, validated in the preview (None when only
    # parties change).
    updated: Tiltak | None = None

    @property
    def row(self) -> int:
        return self.data.row


@dataclass
class UnknownOrganisation:
    navn: str  # as first written
    key: str
    rows: list[int] = field(default_factory=list)


@dataclass
class ImportPreview:
    programme: Handlingsprogram
    fingerprint: str = ""
    errors: list[ImportIssue] = field(default_factory=list)
    error_count: int = 0
    warnings: list[ImportIssue] = field(default_factory=list)
    new: list[ImportRow] = field(default_factory=list)
    changed: list[ChangedRow] = field(default_factory=list)
    removed: list[Tiltak] = field(default_factory=list)
    unchanged: int = 0
    unknown_organisations: list[UnknownOrganisation] = field(default_factory=list)
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        return not self.error_count

    @property
    def has_changes(self) -> bool:
        return bool(self.new or self.changed or self.removed)

    @property
    def errors_not_shown(self) -> int:
        return self.error_count - len(self.errors)


@dataclass(frozen=True)
class OrgChoice:
    """What to do with an organisation name the registry does not know: use an existing
    organisation (`organisasjon_id`) or create one of type `create_type`."""

    organisasjon_id: int | None = None
    create_type: str = ""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    kept_as_deleted: int = 0
    unchanged: int = 0
    organisations_created: list[str] = field(default_factory=list)


class ImportRefused(ServiceError):
    """The file cannot be imported; `issues` says where and why. Nothing was written."""

    def __init__(self, issues: list[ImportIssue], message: str | None = None):
        self.issues = issues
        super().__init__(message or _("The file cannot be imported. Nothing was changed."))


class ImportStale(ServiceError):
    """The programme changed after the preview was made. Nothing was written."""

    def __init__(self):
        super().__init__(
            _(
                "The programme was changed by someone else after the preview was made. Nothing "
                "was imported. Check the new preview and import again."
            )
        )


class _Fatal(Exception):
    """Stops reading the file: it is not something we can read row by row."""


# --- What the file is compared with -----------------------------------------------------------


def _choice_lookup(choices) -> dict[str, str]:
    """Label (bokmål first, then nynorsk and English) or stored value -> value."""
    lookup: dict[str, str] = {}
    for language in ("nb", "nn", "en"):
        with translation.override(language):
            for value, label in choices:
                lookup.setdefault(_norm(str(label)), value)
    for value, _label in choices:
        lookup.setdefault(_norm(value), value)
    return lookup


class _Programme:
    """The programme as it is now, loaded in a constant number of queries."""

    def __init__(self, programme: Handlingsprogram):
        self.programme = programme
        self.tiltak = list(programme_tiltak(programme=programme))
        self.by_id = {t.pk: t for t in self.tiltak}
        self.deleted_ids = set(
            Tiltak.alle.filter(program=programme, slettet__isnull=False).values_list(
                "id", flat=True
            )
        )
        self.temaer = list(Tema.objects.filter(program=programme).order_by("nummer"))
        self.delmaal = list(
            Delmaal.objects.filter(tema__program=programme).order_by("tema_id", "rekkefoelge", "id")
        )
        self.satsinger = list(
            Satsingsomraade.objects.filter(tema__program=programme).order_by(
                "tema_id", "rekkefoelge", "id"
            )
        )
        # Related objects set from what is loaded, so the services' permission checks
        # (which walk tiltak.program, tema.program) cost no query per row.
        for t in self.temaer:
            t.program = programme
        for t in self.tiltak:
            t.program = programme
        tema_by_id = {t.pk: t for t in self.temaer}
        delmaal_by_id = {d.pk: d for d in self.delmaal}
        for d in self.delmaal:
            d.tema = tema_by_id[d.tema_id]
        for s in self.satsinger:
            s.tema = tema_by_id[s.tema_id]
            s.delmaal = delmaal_by_id.get(s.delmaal_id)

        self.tema_by_text = {_norm(tema_text(t)): t for t in self.temaer}
        self.tema_by_number = {t.nummer: t for t in self.temaer}
        self.tema_by_name: dict[str, Tema] = {}
        for t in self.temaer:
            self.tema_by_name.setdefault(_norm(t.navn), t)
        self.delmaal_in: dict[int, list[Delmaal]] = {}
        for d in self.delmaal:
            self.delmaal_in.setdefault(d.tema_id, []).append(d)
        self.satsing_in: dict[tuple[int, int | None], list[Satsingsomraade]] = {}
        for s in self.satsinger:
            self.satsing_in.setdefault((s.tema_id, s.delmaal_id), []).append(s)
        self.fingerprint = self._fingerprint()

    def _fingerprint(self) -> str:
        """Changes whenever a tiltak, a party or a level the import matches against changes.
        Parties are included because they do not raise the tiltak's version."""
        parts: list = [self.programme.pk, self.programme.status]
        for t in sorted(self.tiltak, key=lambda t: t.pk):
            parts.append(("t", t.pk, t.versjon))
            for a in sorted(t.ansvar.all(), key=lambda a: a.pk):
                parts.append(("a", a.pk, a.organisasjon_id, a.rolle, a.rekkefoelge))
        parts += [("tema", t.pk, t.nummer, t.navn) for t in self.temaer]
        parts += [("d", d.pk, d.tema_id, d.nummer, d.navn) for d in self.delmaal]
        parts += [
            ("s", s.pk, s.tema_id, s.delmaal_id, s.navn, s.prioritert_handling)
            for s in self.satsinger
        ]
        return hashlib.sha256(repr(parts).encode()).hexdigest()


class _Registry:
    """Organisations by name, abbreviation and alternative name (case-insensitive)."""

    def __init__(self):
        self.by_key: dict[str, Organisasjon] = {}
        orgs = list(Organisasjon.objects.all())
        for org in orgs:
            self.by_key.setdefault(_norm(org.navn), org)
        for org in orgs:
            self.by_key.setdefault(_norm(str(org)), org)
            if org.forkortelse:
                self.by_key.setdefault(_norm(org.forkortelse), org)
        by_pk = {o.pk: o for o in orgs}
        for alias in OrganisasjonAlias.objects.all():
            if alias.organisasjon_id in by_pk:
                self.by_key.setdefault(_norm(alias.navn), by_pk[alias.organisasjon_id])

    def find(self, name: str) -> Organisasjon | None:
        return self.by_key.get(_norm(name))


# --- Reading the file -------------------------------------------------------------------------


def _check_container(data: bytes) -> None:
    if not data:
        raise _Fatal(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise _Fatal(
            _("The file is larger than %(mb)s MB. Split it or remove what is not needed.")
            % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
        )
    not_xlsx = _(
        "The file is not an Excel workbook (.xlsx). Open it in Excel and save it as "
        "“Excel Workbook (.xlsx)”, or start from the programme's export."
    )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _Fatal(not_xlsx)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            names = {info.filename for info in entries}
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError) as exc:
        raise _Fatal(not_xlsx) from exc
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise _Fatal(not_xlsx)
    if len(entries) > MAX_ZIP_ENTRIES or sum(i.file_size for i in entries) > MAX_UNPACKED_BYTES:
        raise _Fatal(_("The file unpacks to too much data to be a programme. Nothing was read."))


def _open_sheet(data: bytes):
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (data validation, conditional formats).
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any failure to read means "not a workbook"
        raise _Fatal(
            _(
                "The file could not be read as an Excel workbook (.xlsx). Save it again from "
                "Excel as “Excel Workbook (.xlsx)”."
            )
        ) from exc
    sheets = wb.worksheets
    if not sheets:
        wb.close()
        raise _Fatal(_("The workbook has no sheets."))
    ws = next((s for s in sheets if s.title == SHEET_TITLE), sheets[0])
    return wb, ws


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return clean_text(str(value)).strip()


def _parse_int(value) -> int | None:
    """None for an empty cell; raises ValueError for anything but a whole number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        return int(value)
    raise ValueError


class _Reader:
    """Streams the sheet once: the header, then the data rows as {header: raw value}."""

    def __init__(self, preview: ImportPreview):
        self.preview = preview
        self.columns: dict[str, int] = {}  # header -> 0-based index
        self.header_text: dict[int, str] = {}  # index -> text in row 1

    def error(self, message: str, *, row=None, column=None, index=None) -> None:
        self.preview.error_count += 1
        if len(self.preview.errors) < MAX_ERRORS:
            letter = get_column_letter(index + 1) if index is not None else None
            self.preview.errors.append(ImportIssue(message, row, column, letter))

    def warn(self, message: str, *, row=None, column=None, index=None) -> None:
        letter = get_column_letter(index + 1) if index is not None else None
        if len(self.preview.warnings) < MAX_ERRORS:
            self.preview.warnings.append(ImportIssue(message, row, column, letter))

    def column_name(self, index: int) -> str | None:
        return self.header_text.get(index) or None

    def read(self, ws) -> list[tuple[int, dict[str, object]]]:
        # The <dimension> a file claims may be wrong; trusting it could silently drop rows.
        ws.reset_dimensions()
        rows = ws.iter_rows(min_row=1, max_col=MAX_COLUMNS)
        header = next(rows, None)
        if header is None or all(_is_blank(c.value) for c in header):
            raise _Fatal(_("The sheet is empty: row 1 must hold the column headers."))
        self._read_header(header)
        data_rows: list[tuple[int, dict[str, object]]] = []
        # Rows come in order from row 1, missing ones filled in, so the count is the row number.
        for row_number, cells in enumerate(rows, start=2):
            if row_number > MAX_SHEET_ROWS:
                raise _Fatal(
                    _("The sheet has more than %(max)s rows. Nothing was read.")
                    % {"max": _thousands(MAX_SHEET_ROWS)}
                )
            values = self._read_row(row_number, cells)
            if values is None:
                continue
            if len(data_rows) >= MAX_DATA_ROWS:
                raise _Fatal(
                    _(
                        "The file has more than %(max)s rows of measures (row %(row)s is one "
                        "too many). Nothing was read; split the file."
                    )
                    % {"max": _thousands(MAX_DATA_ROWS), "row": row_number}
                )
            data_rows.append((row_number, values))
        return data_rows

    def _read_row(self, row_number: int, cells) -> dict[str, object] | None:
        """The row's values by header; None when the row is empty."""
        values: dict[str, object] = {}
        empty = True
        for index, cell in enumerate(cells):
            value = cell.value
            if _is_blank(value):
                continue
            empty = False
            if cell.data_type == "f":
                self.error(
                    _(
                        "the cell holds a formula. Formulas are not imported: copy the column "
                        "and paste it back as values."
                    ),
                    row=row_number,
                    column=self.column_name(index),
                    index=index,
                )
                continue
            if cell.data_type == "e":
                self.error(
                    _("the cell holds the Excel error %(error)s.") % {"error": value},
                    row=row_number,
                    column=self.column_name(index),
                    index=index,
                )
                continue
            name = self.header_text.get(index)
            if name is not None and self.columns.get(name) == index:
                values[name] = value
        return None if empty else values

    def _read_header(self, header) -> None:
        known = {_norm(h): h for h in HEADERS}
        seen: dict[str, int] = {}
        for index, cell in enumerate(header):
            value = cell.value
            if _is_blank(value):
                continue
            if cell.data_type == "f":
                self.error(_("the header is a formula; write the column name."), row=1, index=index)
                continue
            text = _cell_text(value)
            name = known.get(_norm(text))
            if name is None:
                self.header_text[index] = text
                self.warn(
                    _("the column “%(name)s” is not part of the format and is ignored.")
                    % {"name": text},
                    row=1,
                    index=index,
                )
                continue
            self.header_text[index] = name
            if name in seen:
                self.error(
                    _("the column appears twice (also column %(other)s).")
                    % {"other": get_column_letter(seen[name] + 1)},
                    row=1,
                    column=name,
                    index=index,
                )
                continue
            seen[name] = index
        self.columns = seen
        missing = [name for name in REQUIRED_COLUMNS if name not in seen]
        for name in missing:
            self.error(
                _(
                    "the column is missing. Row 1 must hold the headers %(headers)s (the "
                    "programme's export has them all)."
                )
                % {"headers": ", ".join(REQUIRED_COLUMNS)},
                column=name,
            )
        if missing or self.preview.error_count:
            raise _Fatal(None)


# --- Matching rows against the programme ------------------------------------------------------


class _Matcher:
    def __init__(self, reader: _Reader, current: _Programme, registry: _Registry):
        self.reader = reader
        self.current = current
        self.registry = registry
        self.types = _choice_lookup(TiltakType.choices)
        self.statuses = _choice_lookup(TiltakStatus.choices)
        self.type_labels = ", ".join(str(label) for _v, label in TiltakType.choices)
        self.status_labels = ", ".join(str(label) for _v, label in TiltakStatus.choices)

    def error(self, row: ImportRow, column: str, message: str) -> None:
        row.ok = False
        self.reader.error(message, row=row.row, column=column, index=self.reader.columns[column])

    def warn(self, row: ImportRow, column: str, message: str) -> None:
        self.reader.warn(message, row=row.row, column=column, index=self.reader.columns[column])

    def parse(self, row_number: int, raw: dict[str, object]) -> ImportRow:
        columns = frozenset(self.reader.columns)
        row = ImportRow(row=row_number, columns=columns)

        try:
            row.tiltak_id = _parse_int(raw.get(COL_ID))
        except ValueError:
            self.error(
                row,
                COL_ID,
                _(
                    "“%(value)s” is not an ID. Keep the ID from the export, or leave it empty "
                    "for a new measure."
                )
                % {"value": _cell_text(raw.get(COL_ID))},
            )
        existing = self.current.by_id.get(row.tiltak_id) if row.tiltak_id else None
        if row.tiltak_id is not None and existing is None:
            if row.tiltak_id in self.current.deleted_ids:
                message = _(
                    "ID %(id)s is a deleted measure. Restore it first, or leave the ID empty "
                    "to add it as a new measure."
                )
            else:
                message = _(
                    "ID %(id)s is not a measure of this programme. Leave the ID empty to add "
                    "the row as a new measure."
                )
            self.error(row, COL_ID, message % {"id": row.tiltak_id})

        self._placement(row, raw, existing)

        try:
            row.nummer = _parse_int(raw.get(COL_NR))
        except ValueError:
            self.error(
                row,
                COL_NR,
                _("“%(value)s” is not a whole number. Write the measure's number, e.g. 11.")
                % {"value": _cell_text(raw.get(COL_NR))},
            )
        else:
            if row.nummer is not None and row.nummer > MAX_NUMBER:
                self.error(
                    row,
                    COL_NR,
                    _("the number must be at most %(max)s.") % {"max": MAX_NUMBER},
                )
            if row.nummer is None and existing is not None and existing.nummer is not None:
                self.error(
                    row,
                    COL_NR,
                    _("the number is empty. An existing measure keeps a number; write it."),
                )

        for column, name in TEXT_FIELDS.items():
            if column in columns:
                row.values[name] = _cell_text(raw.get(column))
        if not row.tittel and (existing is None or _text(existing.tittel)):
            self.error(row, COL_TILTAK, _("the measure needs a title."))

        if COL_TYPE in columns:
            text = _cell_text(raw.get(COL_TYPE))
            value = self.types.get(_norm(text)) if text else ""
            if value is None:
                self.error(
                    row,
                    COL_TYPE,
                    _("“%(value)s” is not a type. Use one of: %(types)s, or leave it empty.")
                    % {"value": text, "types": self.type_labels},
                )
            else:
                row.values["type"] = value
        if COL_STATUS in columns:
            text = _cell_text(raw.get(COL_STATUS))
            value = self.statuses.get(_norm(text)) if text else None
            if not text and existing is None:
                value = TiltakStatus.FORESLAATT
            if value is None:
                self.error(
                    row,
                    COL_STATUS,
                    _("“%(value)s” is not a status. Use one of: %(statuses)s.")
                    % {"value": text, "statuses": self.status_labels},
                )
            else:
                row.values["status"] = value

        for column, rolle in PARTY_COLUMNS.items():
            if column in columns:
                row.parties[rolle] = self._parties(row, column, raw.get(column))
        return row

    def _placement(self, row: ImportRow, raw: dict, existing: Tiltak | None) -> None:
        columns = row.columns
        text = _cell_text(raw.get(COL_TEMA))
        if not text:
            self.error(row, COL_TEMA, _("choose the theme the measure belongs to."))
            return
        tema = self._tema(row, text)
        if tema is None:
            return
        row.tema = tema
        same_tema = existing is not None and existing.tema_id == tema.pk

        if COL_DELMAAL in columns:
            text = _cell_text(raw.get(COL_DELMAAL))
            row.delmaal = self._delmaal(row, tema, text) if text else None
            if text and row.delmaal is None:
                return
        elif same_tema:
            row.delmaal = existing.delmaal

        if COL_SATSING in columns:
            text = _cell_text(raw.get(COL_SATSING))
            row.satsingsomraade = (
                self._satsing(row, tema, row.delmaal, text, existing) if text else None
            )
        elif same_tema and existing.satsingsomraade_id:
            s = existing.satsingsomraade
            if s.delmaal_id in (None, getattr(row.delmaal, "pk", None)):
                row.satsingsomraade = s

        if COL_PRIORITERT in columns:
            text = _cell_text(raw.get(COL_PRIORITERT))
            current = _text(row.satsingsomraade.prioritert_handling if row.satsingsomraade else "")
            if text and _norm(text) != _norm(current):
                self.warn(
                    row,
                    COL_PRIORITERT,
                    _(
                        "differs from the priority area's prioritised action. The import does "
                        "not change it; edit the priority area in the portal."
                    ),
                )

    def _tema(self, row: ImportRow, text: str) -> Tema | None:
        c = self.current
        tema = c.tema_by_text.get(_norm(text))
        if tema is not None:
            return tema
        m = re.match(r"^(\d+)\b[\s.:)\-–]*(.*)$", text, re.S)
        if m and int(m[1]) in c.tema_by_number:
            tema = c.tema_by_number[int(m[1])]
            if m[2].strip() and _norm(m[2]) != _norm(tema.navn):
                self.warn(
                    row,
                    COL_TEMA,
                    _(
                        "matched by its number to “%(tema)s”; the name in the file differs and "
                        "is not changed by the import."
                    )
                    % {"tema": tema_text(tema)},
                )
            return tema
        tema = c.tema_by_name.get(_norm(text))
        if tema is not None:
            return tema
        examples = "; ".join(tema_text(t) for t in c.temaer[:3])
        self.error(
            row,
            COL_TEMA,
            _(
                "“%(value)s” is not a theme of this programme. Write its number and name as in "
                "the export (e.g. %(examples)s). The import does not create themes."
            )
            % {"value": text, "examples": examples},
        )
        return None

    def _delmaal(self, row: ImportRow, tema: Tema, text: str) -> Delmaal | None:
        candidates = self.current.delmaal_in.get(tema.pk, [])
        key = _norm(text)
        for d in candidates:
            if _norm(delmaal_text(d)) == key:
                return d
        first = text.split(maxsplit=1)[0]
        for d in candidates:
            if d.nummer and d.nummer == first:
                return d
        for d in candidates:
            if _norm(d.navn) == key:
                return d
        self.error(
            row,
            COL_DELMAAL,
            _(
                "“%(value)s” is not a sub-goal of theme %(tema)s. Use one from the export or "
                "leave it empty; the import does not create sub-goals."
            )
            % {"value": text, "tema": tema_text(tema)},
        )
        return None

    def _satsing(
        self,
        row: ImportRow,
        tema: Tema,
        delmaal: Delmaal | None,
        text: str,
        existing: Tiltak | None,
    ) -> Satsingsomraade | None:
        key = _norm(text)
        delmaal_id = delmaal.pk if delmaal else None
        for s in self.current.satsing_in.get((tema.pk, delmaal_id), []):
            if _norm(s.navn) == key:
                return s
        # A priority area directly under the tema, for a tiltak that has a delmål, is a
        # placement only old data has; keep it when unchanged, never make it anew.
        if existing is not None and existing.delmaal_id == delmaal_id:
            s = existing.satsingsomraade
            if s is not None and s.delmaal_id is None and _norm(s.navn) == key:
                return s
        where = delmaal_text(delmaal) if delmaal else tema_text(tema)
        self.error(
            row,
            COL_SATSING,
            _(
                "“%(value)s” is not a priority area under %(where)s. Use one from the export or "
                "leave it empty; the import does not create priority areas."
            )
            % {"value": text, "where": where},
        )
        return None

    def _parties(self, row: ImportRow, column: str, value) -> list[PartyName]:
        result: list[PartyName] = []
        seen: set = set()
        for part in _cell_text(value).replace("\n", ";").split(";"):
            tekst = " ".join(part.split())
            if not tekst:
                continue
            if len(tekst) > ORGANISASJON_NAVN_MAX:
                self.error(
                    row,
                    column,
                    _("“%(value)s…” is too long for an organisation name (at most %(max)s).")
                    % {"value": tekst[:40], "max": ORGANISASJON_NAVN_MAX},
                )
                continue
            org = self.registry.find(tekst)
            key = ("org", org.pk) if org else ("name", _norm(tekst))
            if key in seen:
                continue
            seen.add(key)
            result.append(PartyName(tekst, org))
        return result


# --- Comparing --------------------------------------------------------------------------------


def _type_display(value: str) -> str:
    return str(dict(TiltakType.choices).get(value, value)) if value else ""


def _status_display(value: str) -> str:
    return str(dict(TiltakStatus.choices).get(value, value)) if value else ""


def _number_text(value: int | None) -> str:
    return "" if value is None else str(value)


def _compare(row: ImportRow, tiltak: Tiltak) -> ChangedRow:
    changed = ChangedRow(data=row, tiltak=tiltak, changes=[])
    changes = changed.changes

    def note(column: str, old: str, new: str) -> None:
        changes.append(CellChange(column, old, new))

    if row.tema.pk != tiltak.tema_id:
        note(COL_TEMA, tema_text(tiltak.tema), tema_text(row.tema))
    if getattr(row.delmaal, "pk", None) != tiltak.delmaal_id:
        note(COL_DELMAAL, delmaal_text(tiltak.delmaal), delmaal_text(row.delmaal))
    if getattr(row.satsingsomraade, "pk", None) != tiltak.satsingsomraade_id:
        note(
            COL_SATSING,
            satsing_text(tiltak.satsingsomraade),
            satsing_text(row.satsingsomraade),
        )
    if row.nummer != tiltak.nummer:
        note(COL_NR, _number_text(tiltak.nummer), _number_text(row.nummer))
    changed.placement_changed = bool(changes)

    for column, name in TEXT_FIELDS.items():
        if name in row.values and row.values[name] != _text(getattr(tiltak, name)):
            changed.fields[name] = row.values[name]
            note(column, _text(getattr(tiltak, name)), row.values[name])
    if "type" in row.values and row.values["type"] != tiltak.type:
        changed.fields["type"] = row.values["type"]
        note(COL_TYPE, _type_display(tiltak.type), _type_display(row.values["type"]))
    if "status" in row.values and row.values["status"] != tiltak.status:
        changed.fields["status"] = row.values["status"]
        note(COL_STATUS, _status_display(tiltak.status), _status_display(row.values["status"]))

    for column, rolle in PARTY_COLUMNS.items():
        if rolle not in row.parties:
            continue
        old = parties(tiltak, rolle)
        new = row.parties[rolle]
        old_ids = [a.organisasjon_id for a in old]
        new_ids = [p.organisasjon.pk if p.organisasjon else None for p in new]
        if old_ids != new_ids:
            changed.parties_changed[rolle] = new
            note(
                column,
                "; ".join(a.organisasjon.navn for a in old),
                "; ".join(p.display for p in new),
            )
    return changed


def _check_numbers(rows: list[ImportRow], reader: _Reader) -> None:
    """Numbers are unique within a tema among the rows the programme will have."""
    first: dict[tuple[int, int], int] = {}
    for row in rows:
        if row.tema is None or row.nummer is None:
            continue
        key = (row.tema.pk, row.nummer)
        if key in first:
            row.ok = False
            reader.error(
                _("number %(nr)s is also used in row %(other)s, in the same theme.")
                % {"nr": row.nummer, "other": first[key]},
                row=row.row,
                column=COL_NR,
                index=reader.columns[COL_NR],
            )
        else:
            first[key] = row.row


def _check_ids(rows: list[ImportRow], reader: _Reader) -> None:
    first: dict[int, int] = {}
    for row in rows:
        if row.tiltak_id is None:
            continue
        if row.tiltak_id in first:
            row.ok = False
            reader.error(
                _("ID %(id)s is also in row %(other)s. Each measure may appear once.")
                % {"id": row.tiltak_id, "other": first[row.tiltak_id]},
                row=row.row,
                column=COL_ID,
                index=reader.columns[COL_ID],
            )
        else:
            first[row.tiltak_id] = row.row


def _plan_numbers(rows: list[ImportRow]) -> None:
    """Give new rows without a number the next free number in their tema, counted from the
    numbers the file gives (which, after the import, are the tema's only numbers)."""
    highest: dict[int, int] = {}
    for row in rows:
        if row.nummer is not None:
            highest[row.tema.pk] = max(highest.get(row.tema.pk, 0), row.nummer)
    for row in rows:
        if row.tiltak_id is None and row.nummer is None:
            row.nummer = highest.get(row.tema.pk, 0) + 1
            row.nummer_planned = True
            highest[row.tema.pk] = row.nummer


# Where a model field's error shows in the file.
FIELD_COLUMNS = {
    "tema": COL_TEMA,
    "delmaal": COL_DELMAAL,
    "satsingsomraade": COL_SATSING,
    "nummer": COL_NR,
    "tittel": COL_TILTAK,
    "beskrivelse": COL_BESKRIVELSE,
    "virkemiddel": COL_VIRKEMIDDEL,
    "type": COL_TYPE,
    "status": COL_STATUS,
}
# Related rows come from what the preview loaded, so their existence needs no query per row;
# numbers are unique by _check_numbers, choices by the parser.
TILTAK_UNCHECKED = [
    "program",
    "tema",
    "delmaal",
    "satsingsomraade",
    "forgjenger",
    "slaatt_sammen_med",
]
ANSVAR_UNCHECKED = ["tiltak", "organisasjon"]


def _placed(tiltak: Tiltak, row: ImportRow) -> Tiltak:
    tiltak.tema = row.tema
    tiltak.delmaal = row.delmaal
    tiltak.satsingsomraade = row.satsingsomraade
    tiltak.nummer = row.nummer
    return tiltak


def _validate(preview: ImportPreview, reader: _Reader) -> None:
    """Build the tiltak the import would save and run the model's validation on them, so a
    value the database would refuse is an error of the preview, with its row and column."""

    def check(instance: Tiltak, row: int) -> None:
        try:
            instance.full_clean(
                exclude=TILTAK_UNCHECKED, validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                column = FIELD_COLUMNS.get(name)
                label = (
                    str(Tiltak._meta.get_field(name).verbose_name) if name in FIELD_COLUMNS else ""
                )
                for message in messages:
                    reader.error(
                        f"{label.capitalize()}: {message}" if label else message,
                        row=row,
                        column=column,
                        index=reader.columns.get(column) if column else None,
                    )

    for change in preview.changed:
        if not (change.placement_changed or change.fields):
            continue
        updated = copy.copy(change.tiltak)
        _placed(updated, change.data)
        for name, value in change.fields.items():
            setattr(updated, name, value)
        change.updated = updated
        check(updated, change.row)
    for row in preview.new:
        instance = _placed(Tiltak(program=preview.programme), row)
        for name, value in row.values.items():
            setattr(instance, name, value)
        row.instance = instance
        check(instance, row.row)


def _build_preview(programme: Handlingsprogram, data: bytes) -> ImportPreview:
    current = _Programme(programme)
    preview = ImportPreview(programme=programme, fingerprint=current.fingerprint)
    reader = _Reader(preview)
    try:
        _check_container(data)
        wb, ws = _open_sheet(data)
        try:
            identifier = wb.properties.identifier or ""
            raw_rows = reader.read(ws)
        finally:
            wb.close()
    except _Fatal as fatal:
        message = fatal.args[0] if fatal.args else None
        if message:
            preview.error_count += 1
            preview.errors.append(ImportIssue(message))
        return preview
    if not raw_rows:
        preview.error_count += 1
        preview.errors.append(
            ImportIssue(
                _(
                    "The file has headers but no rows of measures. Importing it would remove "
                    "every measure; delete them in the portal instead if that is what you want."
                )
            )
        )
        return preview
    if identifier.startswith(IDENTIFIER_PREFIX) and identifier != (
        f"{IDENTIFIER_PREFIX}{programme.pk}"
    ):
        preview.warnings.insert(
            0,
            ImportIssue(
                _(
                    "The file was exported from another programme. Rows with an ID from that "
                    "programme are refused; rows without an ID are added as new measures."
                )
            ),
        )

    matcher = _Matcher(reader, current, _Registry())
    rows = [matcher.parse(number, raw) for number, raw in raw_rows]
    preview.rows_read = len(rows)
    _check_ids(rows, reader)
    _check_numbers(rows, reader)
    if preview.error_count:
        return preview
    _plan_numbers(rows)

    in_file = set()
    unknown: dict[str, UnknownOrganisation] = {}
    for row in rows:
        for names in row.parties.values():
            for p in names:
                if p.organisasjon is None:
                    u = unknown.setdefault(p.key, UnknownOrganisation(p.tekst, p.key))
                    if row.row not in u.rows:
                        u.rows.append(row.row)
        if row.tiltak_id is None:
            preview.new.append(row)
            continue
        in_file.add(row.tiltak_id)
        changed = _compare(row, current.by_id[row.tiltak_id])
        if changed.changes:
            preview.changed.append(changed)
        else:
            preview.unchanged += 1
    preview.removed = [t for t in current.tiltak if t.pk not in in_file]
    preview.unknown_organisations = list(unknown.values())
    _validate(preview, reader)
    return preview


def programme_import_preview(*, actor, programme: Handlingsprogram, data: bytes) -> ImportPreview:
    """Read `data` (the bytes of an uploaded .xlsx) and compare it with the programme. Writes
    nothing; see the module docstring for what the preview holds."""
    check_perm(actor, PERMISSION, programme)
    return _build_preview(programme, data)


# --- Applying ---------------------------------------------------------------------------------


def _resolve_unknown(
    *, actor, preview: ImportPreview, org_mapping: dict[str, OrgChoice]
) -> tuple[dict[str, Organisasjon], list[str]]:
    missing = [u for u in preview.unknown_organisations if u.key not in org_mapping]
    if missing:
        raise ImportRefused(
            [
                ImportIssue(
                    _("Choose an existing organisation for “%(name)s”, or create it.")
                    % {"name": u.navn},
                    row=u.rows[0],
                )
                for u in missing
            ],
            _("Some organisation names are not in the registry. Nothing was changed."),
        )
    wanted = {
        org_mapping[u.key].organisasjon_id
        for u in preview.unknown_organisations
        if org_mapping[u.key].organisasjon_id
    }
    existing = Organisasjon.objects.in_bulk(wanted)
    resolved: dict[str, Organisasjon] = {}
    created: list[str] = []
    issues: list[ImportIssue] = []
    for u in preview.unknown_organisations:
        choice = org_mapping[u.key]
        if choice.organisasjon_id:
            org = existing.get(choice.organisasjon_id)
            if org is None:
                issues.append(
                    ImportIssue(
                        _("The organisation chosen for “%(name)s” no longer exists.")
                        % {"name": u.navn},
                        row=u.rows[0],
                    )
                )
                continue
            resolved[u.key] = org
        elif choice.create_type in OrganisasjonType.values:
            try:
                resolved[u.key] = organisasjon_create(
                    actor=actor, navn=u.navn, type=choice.create_type
                )
            except ValidationError as exc:
                issues.append(ImportIssue(" ".join(exc.messages), row=u.rows[0]))
                continue
            created.append(resolved[u.key].navn)
        else:
            issues.append(
                ImportIssue(
                    _("Choose a type for the new organisation “%(name)s”.") % {"name": u.navn},
                    row=u.rows[0],
                )
            )
    if issues:
        raise ImportRefused(issues)
    return resolved, created


def _desired_parties(
    names: list[PartyName], resolved: dict[str, Organisasjon]
) -> list[tuple[Organisasjon, str]]:
    """The organisations of one role in order, each once, with the name as written."""
    result: list[tuple[Organisasjon, str]] = []
    seen: set[int] = set()
    for p in names:
        org = p.organisasjon or resolved[p.key]
        if org.pk not in seen:
            seen.add(org.pk)
            result.append((org, p.tekst))
    return result


def _party_writes(
    *, tiltak: Tiltak, rolle: str, desired: list[tuple[Organisasjon, str]], existing: list[Ansvar]
) -> tuple[list[Ansvar], list[Ansvar], list[Ansvar]]:
    """(to create, to reorder, to remove) to make the role's parties `desired`, in order."""
    by_org = {a.organisasjon_id: a for a in existing}
    wanted = {org.pk for org, _tekst in desired}
    create, reorder = [], []
    for index, (org, tekst) in enumerate(desired):
        ansvar = by_org.get(org.pk)
        if ansvar is None:
            create.append(
                Ansvar(
                    tiltak=tiltak,
                    organisasjon=org,
                    rolle=rolle,
                    rekkefoelge=index,
                    tekst_som_skrevet=tekst,
                )
            )
        elif ansvar.rekkefoelge != index:
            ansvar.rekkefoelge = index
            reorder.append(ansvar)
    remove = [a for a in existing if a.organisasjon_id not in wanted]
    return create, reorder, remove


def _remove(*, actor, removed: list[Tiltak], result: ImportResult) -> None:
    """Delete the tiltak missing from the file, as hierarchy.tiltak_delete does.

    A tiltak that was changed after it was created, or that others were rolled or merged
    from, has traces by hierarchy.tiltak_has_traces's contract and is kept as deleted: those
    are found with three queries and marked deleted in bulk (one history row each), so
    removing thousands does not take minutes. Every other one goes through tiltak_delete,
    which also asks the checks other apps register (hearing answers, reports)."""
    ids = [t.pk for t in removed]
    traced = set(
        Tiltak.history.filter(id__in=ids).exclude(history_type="+").values_list("id", flat=True)
    )
    traced |= set(Tiltak.alle.filter(forgjenger_id__in=ids).values_list("forgjenger_id", flat=True))
    traced |= set(
        Tiltak.alle.filter(slaatt_sammen_med_id__in=ids).values_list(
            "slaatt_sammen_med_id", flat=True
        )
    )
    now = timezone.now()
    kept = [t for t in removed if t.pk in traced]
    for t in kept:
        t.slettet, t.slettet_grunn, t.versjon = now, REMOVED_REASON, t.versjon + 1
    for start in range(0, len(kept), BATCH):
        batch = kept[start : start + BATCH]
        Tiltak.objects.filter(pk__in=[t.pk for t in batch]).update(
            slettet=now, slettet_grunn=REMOVED_REASON, versjon=F("versjon") + 1
        )
    Tiltak.history.bulk_history_create(
        kept,
        batch_size=BATCH,
        update=True,
        default_user=actor,
        default_change_reason=REMOVED_REASON,
    )
    result.kept_as_deleted += len(kept)
    try:
        for tiltak in removed:
            if tiltak.pk in traced:
                continue
            outcome = hierarchy.tiltak_delete(
                actor=actor, tiltak=tiltak, reason=REMOVED_REASON, expected_versjon=tiltak.versjon
            )
            if outcome == "soft":
                result.kept_as_deleted += 1
            else:
                result.deleted += 1
    except hierarchy.ConcurrencyConflict as exc:
        raise ImportStale() from exc


def _save_validated(instance, *, actor, reason: str, fields: list[str]) -> None:
    """Save an instance the preview has validated already; the history row (actor, reason)
    comes from django-simple-history's post_save."""
    instance._history_user = actor
    instance._change_reason = reason
    instance.save(update_fields=fields)


PLACEMENT_FIELDS = {"tema", "delmaal", "satsingsomraade", "nummer", "rekkefoelge"}
BATCH = 500


@transaction.atomic
def programme_import_apply(
    *,
    actor,
    programme: Handlingsprogram,
    data: bytes,
    org_mapping: dict[str, OrgChoice],
    expected_fingerprint: str,
) -> ImportResult:
    """Write what the preview of `data` showed, in one transaction, or nothing.

    `org_mapping` has an OrgChoice for each `UnknownOrganisation.key` of the preview;
    `expected_fingerprint` is the preview's `fingerprint`. Raises ImportStale when the
    programme changed since, ImportRefused when the file or a choice is not valid (with
    `issues`), PermissionDenied without `tiltak.import_programme`.

    Removed tiltak are deleted as hierarchy.tiltak_delete does (see _remove). New and changed tiltak and their parties are written
    directly (new ones in bulk), each with its history row (actor, reason), after the same
    validation as the services run (done in the preview): a 3,000-row file takes seconds. The
    programme's tiltak are locked first, so no edit in the browser can slip in between the
    fingerprint check and the writes; the versions of changed tiltak are raised by one."""
    check_perm(actor, PERMISSION, programme)
    # Serialises imports into the same programme, and sees its status as it is now.
    programme = Handlingsprogram.objects.select_for_update().get(pk=programme.pk)
    check_perm(actor, PERMISSION, programme)
    list(Tiltak.objects.select_for_update().filter(program=programme).values_list("pk"))
    preview = _build_preview(programme, data)
    if preview.fingerprint != expected_fingerprint:
        raise ImportStale()
    if not preview.ok:
        raise ImportRefused(preview.errors)
    resolved, created_orgs = _resolve_unknown(actor=actor, preview=preview, org_mapping=org_mapping)
    result = ImportResult(unchanged=preview.unchanged, organisations_created=created_orgs)
    reason = _("Imported from Excel")

    _remove(actor=actor, removed=preview.removed, result=result)

    last = Tiltak.alle.filter(program=programme).aggregate(m=Max("rekkefoelge"))["m"]
    next_rekkefoelge = 0 if last is None else last + 1

    # Changed tiltak. Numbers that move are freed first, so swapping two numbers never meets
    # the unique (tema, nummer) constraint half-way; the final numbers were checked.
    updated = [c.updated for c in preview.changed if c.updated is not None]
    moving = [c.tiltak.pk for c in preview.changed if c.placement_changed]
    if moving:
        Tiltak.objects.filter(pk__in=moving).update(nummer=None)
    for change in preview.changed:
        if change.updated is None:
            continue
        change.updated.versjon = change.tiltak.versjon + 1
        if change.updated.tema_id != change.tiltak.tema_id:
            # Last in the new tema, as hierarchy.tiltak_move places it.
            change.updated.rekkefoelge = next_rekkefoelge
            next_rekkefoelge += 1
    # One UPDATE per batch for each set of changed fields: Django's bulk_update builds a CASE
    # per field and row, so sending only the fields that changed keeps it fast.
    groups: dict[tuple[str, ...], list[Tiltak]] = {}
    for change in preview.changed:
        if change.updated is not None:
            fields = {*change.fields, "versjon"}
            if change.placement_changed:
                fields |= PLACEMENT_FIELDS
            groups.setdefault(tuple(sorted(fields)), []).append(change.updated)
    for fields, objs in groups.items():
        Tiltak.objects.bulk_update(objs, fields, batch_size=BATCH)
    Tiltak.history.bulk_history_create(
        updated, batch_size=BATCH, update=True, default_user=actor, default_change_reason=reason
    )
    result.updated = len(preview.changed)

    # New tiltak, in the order of the file.
    new = []
    for row in preview.new:
        row.instance.rekkefoelge = next_rekkefoelge
        next_rekkefoelge += 1
        new.append(row.instance)
    bulk_create_with_history(
        new, Tiltak, batch_size=BATCH, default_user=actor, default_change_reason=reason
    )
    result.created = len(new)

    # Parties: all of a new tiltak's; for a changed tiltak only the roles whose list changed.
    create: list[Ansvar] = []
    reorder: list[Ansvar] = []
    remove: list[Ansvar] = []
    for row in preview.new:
        for rolle, names in row.parties.items():
            c, _r, _d = _party_writes(
                tiltak=row.instance,
                rolle=rolle,
                desired=_desired_parties(names, resolved),
                existing=[],
            )
            create.extend(c)
    for change in preview.changed:
        for rolle, names in change.parties_changed.items():
            c, r, d = _party_writes(
                tiltak=change.tiltak,
                rolle=rolle,
                desired=_desired_parties(names, resolved),
                existing=parties(change.tiltak, rolle),
            )
            create.extend(c)
            reorder.extend(r)
            remove.extend(d)
    for ansvar in remove:
        ansvar._history_user = actor
        ansvar._change_reason = reason
        ansvar.delete()
    for ansvar in create:
        try:
            ansvar.full_clean(
                exclude=ANSVAR_UNCHECKED, validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            raise ImportRefused([ImportIssue(" ".join(exc.messages))]) from exc
    for ansvar in reorder:
        _save_validated(ansvar, actor=actor, reason=reason, fields=["rekkefoelge"])
    bulk_create_with_history(
        create, Ansvar, batch_size=BATCH, default_user=actor, default_change_reason=reason
    )
    return result


def summary(result: ImportResult) -> str:
    """One sentence for the user about what an import did."""
    parts = [
        ngettext("%(n)s measure added", "%(n)s measures added", result.created)
        % {"n": result.created},
        ngettext("%(n)s changed", "%(n)s changed", result.updated) % {"n": result.updated},
        ngettext("%(n)s removed", "%(n)s removed", result.deleted + result.kept_as_deleted)
        % {"n": result.deleted + result.kept_as_deleted},
        ngettext("%(n)s unchanged", "%(n)s unchanged", result.unchanged) % {"n": result.unchanged},
    ]
    if result.organisations_created:
        parts.append(
            ngettext(
                "%(n)s organisation created",
                "%(n)s organisations created",
                len(result.organisations_created),
            )
            % {"n": len(result.organisations_created)}
        )
    return ", ".join(parts) + "."
