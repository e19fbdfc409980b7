"""Import of a year's list of tiltak as partners and ministries send it: a sibling of the
programme import (package docstring) that reuses its container checks, streaming reader,
matcher, validation and apply, but reads forgivingly and only adds.

Contract
- `programme_list_preview(*, actor, programme, data, filename)` reads an .xlsx or .csv file
  and returns an `ImportPreview` whose `new` rows are the measures it would add; it writes
  nothing and never raises for what the file holds.
- `programme_list_apply(*, actor, programme, data, filename, org_mapping,
  expected_fingerprint)` adds them in one transaction, or nothing (ImportRefused,
  ImportStale, PermissionDenied). Measures already in the programme are never changed or
  removed.
- Both need `tiltak.import_programme` (owning planner or administrator, draft programmes).

The forgiving rules
- Headers by common synonyms, case, spacing and Norwegian letters folded (HEADER_SYNONYMS):
  Område / Innsatsområde / Hovedinnsatsområde / Tema; Delmål; Tiltak (or Beskrivelse when
  there is no Tiltak column); Ansvarlig / Hovedansvar; Samarbeidspartnere / Samarbeidsparter;
  Type / Kategori / Type tiltak. Other columns are ignored with a warning.
- No ID column: every row is new. A row with an ID is an error (changing measures is the
  programme import's job). No Nr column: measures are numbered in file order, after the
  numbers the theme has.
- No theme column: the theme is the number before the dot of the delmål («2.4» → 2).
- Levels (theme, delmål) must exist, by number or name, or the row gets an error naming its
  row and column (matching.Matcher).
- Parties separated by «;» or a line break, and by «,» only where the text is not a known
  organisation name or alias (the registry decides: partnerskap.selectors.organisasjon_by_name
  through the matcher); a run of comma-separated pieces that together are a known name stays
  whole, and so does a piece ending in a hyphen with the next one («Næringsforeningene i
  Drammen-, Kongsberg og Ringerike»).
- Types by their label in bokmål, nynorsk or English, spaces ignored («Råd/utvalg/ nettverk»).
- .csv: separated by semicolons or commas (whichever the header row has more of), UTF-8 with
  or without BOM, or Windows-1252 as older Excel saves it."""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Callable

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from partnerskap.selectors import fold
from tiltak.exports import (
    COL_BESKRIVELSE,
    COL_DELMAAL,
    COL_HOVEDANSVAR,
    COL_ID,
    COL_NR,
    COL_SAMARBEID,
    COL_TEMA,
    COL_TILTAK,
    COL_TYPE,
)
from tiltak.models import Ansvar, Handlingsprogram, Tiltak

from ..common import check_perm
from .apply import BATCH, _desired_parties, _party_writes, _resolve_unknown
from .container import MAX_FILE_BYTES, check_container, open_sheet
from .matching import CurrentProgramme, Matcher
from .preview import PERMISSION, _check_numbers, _validate
from .reader import MAX_COLUMNS, MAX_DATA_ROWS, Reader, cell_text, is_blank, parse_int
from .stream import Cell, shown
from .types import (
    ImportIssue,
    ImportPreview,
    ImportRefused,
    ImportResult,
    ImportRow,
    ImportStale,
    OrgChoice,
    UnknownOrganisation,
    Unreadable,
)

logger = logging.getLogger(__name__)

# The format's column -> the headers that mean it (compared by header_key).
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    COL_ID: ("ID",),
    COL_NR: ("Nr", "Nr.", "Nummer", "Tiltaksnummer", "Tiltaksnr"),
    COL_TEMA: ("Område", "Innsatsområde", "Hovedinnsatsområde", "Tema", "Satsingsområde"),
    COL_DELMAAL: ("Delmål",),
    COL_TILTAK: ("Tiltak", "Tittel"),
    COL_BESKRIVELSE: ("Beskrivelse",),
    COL_TYPE: ("Type", "Kategori", "Type tiltak", "Tiltakstype"),
    COL_HOVEDANSVAR: ("Ansvarlig", "Hovedansvar", "Ansvar"),
    COL_SAMARBEID: (
        "Samarbeidspartnere",
        "Samarbeidsparter",
        "Samarbeidspartner",
        "Samarbeidspart",
        "Samarbeid",
    ),
}
PARTY_SPLIT_RE = re.compile(r"[;\n\r]")
CSV_ENCODINGS = ("utf-8-sig", "cp1252")


def header_key(text: str) -> str:
    """A header as compared: folded (case, accents, æøå) with spaces and a trailing colon or
    full stop dropped."""
    return re.sub(r"[\s:.]+", "", fold(text))


SYNONYMS = {header_key(s): column for column, names in HEADER_SYNONYMS.items() for s in names}


def split_parties(text: str, known: Callable[[str], bool]) -> list[str]:
    """The party names in a cell: split at «;» and line breaks, and at commas where the
    registry does not know the text as one name (module docstring)."""
    names: list[str] = []
    for part in PARTY_SPLIT_RE.split(text or ""):
        part = " ".join(part.split())
        if not part:
            continue
        if "," not in part or known(part):
            names.append(part)
            continue
        pieces = [p.strip() for p in part.split(",")]
        i = 0
        while i < len(pieces):
            end = None
            for j in range(len(pieces) - 1, i, -1):
                if known(", ".join(pieces[i : j + 1])):
                    end = j
                    break
            if end is None:
                end = i
                while end + 1 < len(pieces) and pieces[end].endswith("-"):
                    end += 1
            name = ", ".join(p for p in pieces[i : end + 1] if p)
            if name:
                names.append(name)
            i = end + 1
    return names


class ListReader(Reader):
    """The programme import's reader with headers matched by synonym; Tiltak and a theme or
    delmål column are required."""

    def _read_header(self, header: list[Cell]) -> None:
        seen: dict[str, int] = {}
        found: list[tuple[str, int, str]] = []
        for cell in header:
            index = cell.column - 1
            if cell.problem:
                self.error(cell.problem, row=1, index=index)
                continue
            if is_blank(cell.value):
                continue
            if cell.data_type == "f":
                self.error(_("the header is a formula; write the column name."), row=1, index=index)
                continue
            text = cell_text(cell.value)
            column = SYNONYMS.get(header_key(text))
            if column is None:
                self.header_text[index] = text
                self.warn(
                    _("the column “%(name)s” is not one the list import reads and is ignored.")
                    % {"name": shown(text)},
                    row=1,
                    index=index,
                )
                continue
            found.append((column, index, text))
        # «Beskrivelse» is the title when there is no Tiltak column.
        if not any(c == COL_TILTAK for c, _i, _t in found):
            found = [(COL_TILTAK if c == COL_BESKRIVELSE else c, i, t) for c, i, t in found]
        for column, index, _text in found:
            self.header_text[index] = column
            if column in seen:
                self.error(
                    _("the column means the same as column %(other)s (%(name)s).")
                    % {"other": _letter(seen[column]), "name": column},
                    row=1,
                    column=column,
                    index=index,
                )
                continue
            seen[column] = index
        self.columns = seen
        if COL_TILTAK not in seen:
            self.error(
                _("the file has no column of measures. Row 1 must name it Tiltak or Beskrivelse."),
                column=COL_TILTAK,
            )
        if COL_TEMA not in seen and COL_DELMAAL not in seen:
            self.error(
                _(
                    "the file has no column saying where each measure belongs. Row 1 must have "
                    "Område (or Innsatsområde, Hovedinnsatsområde, Tema) or Delmål."
                ),
                column=COL_TEMA,
            )
        if self.preview.error_count:
            raise Unreadable(None)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    return get_column_letter(index + 1)


class CsvSheet:
    """A CSV file as the rows SheetStream gives (row number, cells), for ListReader.read."""

    def __init__(self, text: str):
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") >= first.count(",") else ","
        self.reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows(self):
        for number, values in enumerate(self.reader, start=1):
            if number > 4 * MAX_DATA_ROWS:
                raise Unreadable(
                    _("The file has more than %(max)s rows. Nothing was read; split the file.")
                    % {"max": MAX_DATA_ROWS}
                )
            yield (
                number,
                [
                    Cell(column=i + 1, value=v, data_type="s")
                    for i, v in enumerate(values[:MAX_COLUMNS])
                    if v.strip()
                ],
            )


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise Unreadable(
            _("The file is not a CSV text file (it holds binary data). Save it as .csv or .xlsx.")
        )
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable(_("The CSV file's characters could not be read. Save it as UTF-8."))


def is_csv(data: bytes, filename: str) -> bool:
    return filename.lower().endswith(".csv") or not data.startswith((b"PK", b"\xd0\xcf"))


def _read_rows(reader: ListReader, data: bytes, filename: str) -> list[tuple[int, dict]]:
    if not data:
        raise Unreadable(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise Unreadable(
            _("The file is larger than %(mb)s MB. Split it or remove what is not needed.")
            % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
        )
    if is_csv(data, filename):
        sheet = CsvSheet(_decode(data))
        rows = sheet.rows()
        first = next(rows, None)
        if first is None or not first[1]:
            raise Unreadable(_("The sheet is empty: row 1 must hold the column headers."))
        reader._read_header(first[1])
        result = []
        for number, cells in rows:
            values = reader._read_row(number, cells)
            if values is not None:
                result.append((number, values))
            if len(result) > MAX_DATA_ROWS:
                raise Unreadable(
                    _("The file has more than %(max)s rows of measures. Split the file.")
                    % {"max": MAX_DATA_ROWS}
                )
    else:
        check_container(data)
        wb, ws = open_sheet(data)
        try:
            result = reader.read(ws)
        finally:
            wb.close()
    if not result:
        raise Unreadable(_("The file has headers but no rows of measures."))
    return result


class ListMatcher(Matcher):
    """The programme import's matcher, with types compared without spaces."""

    def __init__(self, reader, current):
        super().__init__(reader, current)
        for key, value in list(self.types.items()):
            self.types.setdefault(key.replace(" ", ""), value)

    def known(self, text: str) -> bool:
        return fold(text) in self.organisations

    def prepare(self, raw: dict) -> dict:
        """The forgiving reading of one row, into the values the matcher reads."""
        raw = dict(raw)
        for column in (COL_HOVEDANSVAR, COL_SAMARBEID):
            if column in raw:
                raw[column] = ";".join(split_parties(cell_text(raw[column]), self.known))
        if COL_TYPE in raw:
            text = cell_text(raw[COL_TYPE])
            compact = fold(text).replace(" ", "")
            if fold(text) not in self.types and compact in self.types:
                raw[COL_TYPE] = compact
        if COL_TEMA not in self.reader.columns and COL_DELMAAL in raw:
            m = re.match(r"^\s*(\d+)\s*[.]", cell_text(raw[COL_DELMAAL]))
            raw[COL_TEMA] = m[1] if m else ""
        return raw


def _number_in_file_order(rows: list[ImportRow], current: CurrentProgramme) -> None:
    """Rows without a number get the next free number of their theme, in file order, after
    the numbers the theme's measures and the file's rows have."""
    highest: dict[int, int] = {}
    for t in current.tiltak:
        if t.nummer is not None:
            highest[t.tema_id] = max(highest.get(t.tema_id, 0), t.nummer)
    for row in rows:
        if row.tema is not None and row.nummer is not None:
            highest[row.tema.pk] = max(highest.get(row.tema.pk, 0), row.nummer)
    for row in rows:
        if row.tema is not None and row.nummer is None:
            highest[row.tema.pk] = row.nummer = highest.get(row.tema.pk, 0) + 1
            row.nummer_planned = True


def build_list_preview(programme: Handlingsprogram, data: bytes, filename: str) -> ImportPreview:
    """The preview with no permission check (programme_list_preview checks it)."""
    preview = ImportPreview(programme=programme)
    reader = ListReader(preview)
    try:
        raw_rows = _read_rows(reader, data, filename)
        current = CurrentProgramme(programme)
        preview.fingerprint = current.fingerprint
        if COL_TEMA not in reader.columns:
            # Errors about the theme point at the delmål column it was read from.
            reader.columns[COL_TEMA] = reader.columns[COL_DELMAAL]
        matcher = ListMatcher(reader, current)
        rows = []
        for number, raw in raw_rows:
            try:
                has_id = parse_int(raw.get(COL_ID)) is not None
            except ValueError:
                has_id = True
            raw = matcher.prepare({k: v for k, v in raw.items() if k != COL_ID})
            row = matcher.parse(number, raw)
            if has_id:
                matcher.error(
                    row,
                    COL_ID,
                    _(
                        "the row has an ID. The list import only adds measures; leave the ID "
                        "empty, or change existing measures with the programme's Excel import."
                    ),
                )
            rows.append(row)
        preview.rows_read = len(rows)
        _check_numbers(rows, reader, list(current.tiltak), current)
        if preview.error_count:
            raise Unreadable(None)
        _number_in_file_order(rows, current)
        unknown: dict[str, UnknownOrganisation] = {}
        for row in rows:
            for names in row.parties.values():
                for p in names:
                    if p.organisasjon is None:
                        u = unknown.setdefault(p.key, UnknownOrganisation(p.tekst, p.key))
                        if row.row not in u.rows:
                            u.rows.append(row.row)
        preview.new = rows
        preview.unknown_organisations = list(unknown.values())
        _validate(preview, reader)
    except Unreadable as fatal:
        if len(fatal.args) > 1:
            logger.info("List import into programme %s: %s", programme.pk, fatal.args[1])
        message = fatal.args[0] if fatal.args else None
        if message:
            preview.error_count += 1
            preview.errors.append(ImportIssue(message))
    if not preview.ok:
        preview.new, preview.unknown_organisations = [], []
    return preview


def programme_list_preview(
    *, actor, programme: Handlingsprogram, data: bytes, filename: str = ""
) -> ImportPreview:
    check_perm(actor, PERMISSION, programme)
    return build_list_preview(programme, data, filename)


@transaction.atomic
def programme_list_apply(
    *,
    actor,
    programme: Handlingsprogram,
    data: bytes,
    filename: str = "",
    org_mapping: dict[str, OrgChoice],
    expected_fingerprint: str,
) -> ImportResult:
    """Add the measures of the list, in the order of the file, with their parties; unknown
    organisations mapped or created as `org_mapping` says. One transaction, or nothing."""
    check_perm(actor, PERMISSION, programme)
    programme = Handlingsprogram.objects.select_for_update().get(pk=programme.pk)
    check_perm(actor, PERMISSION, programme)
    list(Tiltak.objects.select_for_update().filter(program=programme).values_list("pk"))
    preview = build_list_preview(programme, data, filename)
    if preview.fingerprint != expected_fingerprint:
        raise ImportStale()
    if not preview.ok:
        raise ImportRefused(preview.errors)
    resolved, created_orgs = _resolve_unknown(actor=actor, preview=preview, org_mapping=org_mapping)
    result = ImportResult(organisations_created=created_orgs)
    reason = _("Imported from a list of measures")
    last = Tiltak.alle.filter(program=programme).aggregate(m=Max("rekkefoelge"))["m"]
    order = 0 if last is None else last + 1
    new: list[Tiltak] = []
    for row in preview.new:
        assert row.instance is not None  # built by the preview's validation
        row.instance.rekkefoelge = order
        order += 1
        new.append(row.instance)
    bulk_create_with_history(
        new, Tiltak, batch_size=BATCH, default_user=actor, default_change_reason=reason
    )
    create: list[Ansvar] = []
    for row, instance in zip(preview.new, new, strict=True):
        for rolle, names in row.parties.items():
            c, _r, _d = _party_writes(
                tiltak=instance, rolle=rolle, desired=_desired_parties(names, resolved), existing=[]
            )
            create.extend(c)
    bulk_create_with_history(
        create, Ansvar, batch_size=BATCH, default_user=actor, default_change_reason=reason
    )
    result.created = len(new)
    return result
