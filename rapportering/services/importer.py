"""Import of one indicator's values from a .csv or .xlsx file as a statistics bank (SSB's
statistikkbanken) exports it, with a preview before anything is written.

Accepted shapes (the first row with two or more filled cells is the header; a title line above
it, as SSB writes, is skipped):

- long: a year column («år», «year», «tid»), a value column («verdi», «value», or else the last
  column that is not year, place, note, unit or «statistikkvariabel»), optionally a place column
  («region», «kommune», «område», «sted») and a note column («merknad»);
- wide: one column per year (headers «2018», «2019», …), optionally a place column.

Cells: semicolon, comma or tab separated; UTF-8 with or without BOM, or Windows-1252; decimal
comma or point, spaces as thousands separators; «..», «:», «.», «-» and empty cells mean the
figure is missing (the row is skipped, and the preview says so). A place is a Region or a
municipality (Organisasjon of type kommune: name, name without «kommune», an alias); SSB's code
prefix («3005 Drammen») and period suffix («Drammen (2020-2023)») are understood; empty, «I
alt», «Hele landet», «Total» or the county's name mean the whole area.

Errors name the row and column: a figure that is not a number, an unknown place, a year that is
not a year or is outside MIN_YEAR … this year, the same year and place twice in the file.
Values already stored for a year and place (with another figure) are duplicates: the planner
chooses explicitly to replace them or keep them; the apply is atomic and refuses a file whose
check has changed since the preview (a fingerprint of the file and the stored values)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from partnerskap.errors import Conflict, ServiceError
from partnerskap.models import Organisasjon, OrganisasjonAlias, OrganisasjonType, Region
from rapportering.models import VALUE_DECIMALS, VALUE_MAX_DIGITS, Indikator, Indikatorverdi
from tiltak.models import MIN_YEAR
from tiltak.services.common import check_perm, stamp_history

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_ERRORS_SHOWN = 200
MISSING = {"", "..", ":", ".", "-", "…", "...", "x"}
WHOLE_AREA = {"i alt", "hele landet", "total", "totalt", "alle", "hele området", "hele omradet"}

YEAR_HEADERS = {"år", "aar", "year", "tid", "årstall", "aarstall"}
PLACE_HEADERS = {"region", "kommune", "område", "omraade", "sted", "fylke", "region/kommune"}
VALUE_HEADERS = {"verdi", "value", "tall"}
NOTE_HEADERS = {"merknad", "note", "kommentar", "fotnote"}
IGNORED_HEADERS = {"statistikkvariabel", "contents", "enhet", "unit", "kjønn", "kjonn", "alder"}

REPLACE, KEEP = "replace", "keep"


@dataclass(frozen=True)
class Issue:
    row: int | None
    column: str
    message: str

    @property
    def location(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(_("Row %(row)s") % {"row": self.row})
        if self.column:
            parts.append(_("column “%(column)s”") % {"column": self.column})
        return ", ".join(parts)


@dataclass(frozen=True)
class Row:
    row: int
    aar: int
    verdi: Decimal
    region_id: int | None
    kommune_id: int | None
    sted: str
    merknad: str = ""

    @property
    def key(self) -> tuple:
        return (self.aar, self.region_id, self.kommune_id)


@dataclass(frozen=True)
class Duplicate:
    row: Row
    stored: Indikatorverdi


@dataclass
class Preview:
    new: list[Row] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    unchanged: list[Row] = field(default_factory=list)
    missing: list[Issue] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    fingerprint: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors_shown(self) -> list[Issue]:
        return self.errors[:MAX_ERRORS_SHOWN]

    @property
    def errors_not_shown(self) -> int:
        return max(0, len(self.errors) - MAX_ERRORS_SHOWN)


# --- Reading the file -------------------------------------------------------------------------


class UnreadableFile(Exception):
    pass


def sniff_kind(data: bytes) -> str:
    """«xlsx» for a zip with an Excel workbook in it, «csv» for text; UnreadableFile otherwise
    (the name the file came with is not trusted)."""
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "xl/workbook.xml" in archive.namelist():
                    return "xlsx"
        except zipfile.BadZipFile:
            pass
        raise UnreadableFile(_("The file is a zip archive but not an Excel workbook (.xlsx)."))
    if b"\x00" in data[:4096]:
        raise UnreadableFile(_("The file is neither a .csv text file nor an .xlsx workbook."))
    return "csv"


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(text: str) -> str:
    for line in text.splitlines():
        if line.strip() and (line.count(";") or line.count(",") or line.count("\t")):
            counts = {d: line.count(d) for d in (";", "\t", ",")}
            return max(counts, key=lambda d: (counts[d], d == ";"))
    return ";"


def read_cells(data: bytes) -> list[list[str]]:
    """The file's rows as lists of stripped strings (row 1 first)."""
    kind = sniff_kind(data)
    if kind == "xlsx":
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken workbook
            raise UnreadableFile(_("The Excel workbook cannot be read.")) from exc
        try:
            sheet = book.worksheets[0]
            rows = []
            for values in sheet.iter_rows(values_only=True):
                rows.append([_cell_text(v) for v in values])
                if len(rows) > MAX_ROWS:
                    break
            return rows
        finally:
            book.close()
    text = _decode(data)
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    rows = []
    try:
        for values in reader:
            rows.append([v.strip() for v in values])
            if len(rows) > MAX_ROWS:
                break
    except csv.Error as exc:
        raise UnreadableFile(
            _("The file cannot be read as CSV: %(error)s") % {"error": exc}
        ) from exc
    return rows


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    return str(value).strip()


# --- Parsing cells ----------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.replace("\ufeff", "").split()).casefold().strip("\"' ")


def parse_number(text: str) -> Decimal | None:
    """A figure as a statistics bank writes it; None when missing; ValueError when not a
    number."""
    cleaned = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if cleaned in MISSING:
        return None
    cleaned = cleaned.replace("−", "-")
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    else:
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[-+]?\d+(\.\d+)?", cleaned):
        raise ValueError(text)
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover (the pattern above only lets numbers by)
        raise ValueError(text) from exc


CODE_PREFIX = re.compile(r"^(?:k-)?\d{2,4}\s+")
PERIOD_SUFFIX = re.compile(r"\s*\([^)]*\)\s*$")


class Places:
    """Names of regions and municipalities → (region id, kommune id)."""

    def __init__(self):
        self.regions = {_norm(r.navn): r for r in Region.objects.all()}
        self.counties = {_norm(f) for f in Region.objects.values_list("fylke", flat=True) if f}
        self.kommuner: dict[str, Organisasjon] = {}
        for org in Organisasjon.objects.filter(type=OrganisasjonType.KOMMUNE):
            name = _norm(org.navn)
            self.kommuner.setdefault(name, org)
            self.kommuner.setdefault(name.removesuffix(" kommune").strip(), org)
        for alias in OrganisasjonAlias.objects.filter(
            organisasjon__type=OrganisasjonType.KOMMUNE
        ).select_related("organisasjon"):
            self.kommuner.setdefault(_norm(alias.navn), alias.organisasjon)

    def find(self, text: str) -> tuple[int | None, int | None, str] | None:
        """(region id, kommune id, name shown) — both None for the whole area — or None when
        the place is unknown."""
        name = _norm(text)
        coded = bool(CODE_PREFIX.match(name))
        name = PERIOD_SUFFIX.sub("", CODE_PREFIX.sub("", name)).strip()
        if not name or name in WHOLE_AREA or name in self.counties:
            return None, None, ""
        region = self.regions.get(name)
        kommune = self.kommuner.get(name) or self.kommuner.get(f"{name} kommune")
        if kommune is not None and (coded or region is None):
            return None, kommune.pk, kommune.navn
        if region is not None:
            return region.pk, None, region.navn
        return None


@dataclass
class Layout:
    header_row: int
    place: int | None = None
    note: int | None = None
    year: int | None = None
    value: int | None = None
    year_columns: dict[int, str] = field(default_factory=dict)  # wide: column → year text
    headers: list[str] = field(default_factory=list)


def _layout(rows: list[list[str]]) -> Layout:
    index = next((i for i, cells in enumerate(rows) if sum(1 for c in cells if c) >= 2), None)
    if index is None:
        raise UnreadableFile(_("The file has no header row with at least two columns."))
    headers = rows[index]
    layout = Layout(header_row=index + 1, headers=headers)
    unassigned = []
    for col, header in enumerate(headers):
        name = _norm(header)
        if name in YEAR_HEADERS and layout.year is None:
            layout.year = col
        elif name in PLACE_HEADERS and layout.place is None:
            layout.place = col
        elif name in VALUE_HEADERS and layout.value is None:
            layout.value = col
        elif name in NOTE_HEADERS and layout.note is None:
            layout.note = col
        elif re.fullmatch(r"\d{4}", name):
            layout.year_columns[col] = name
        elif name and name not in IGNORED_HEADERS:
            unassigned.append(col)
    if layout.year is None and not layout.year_columns:
        raise UnreadableFile(
            _(
                "The header row (row %(row)s) has no year column («år») and no columns named by "
                "year («2019»)."
            )
            % {"row": layout.header_row}
        )
    if layout.year is not None:
        layout.year_columns = {}
        if layout.value is None:
            if not unassigned:
                raise UnreadableFile(
                    _("The header row (row %(row)s) has no value column («verdi»).")
                    % {"row": layout.header_row}
                )
            layout.value = unassigned[-1]
    return layout


def _year(text: str) -> int:
    """A year as a value of a year cell; ValueError with the message to show."""
    cleaned = text.strip()
    if not re.fullmatch(r"\d{4}", cleaned):
        raise ValueError(_("“%(text)s” is not a year.") % {"text": text})
    year = int(cleaned)
    this_year = timezone.localdate().year
    if not MIN_YEAR <= year <= this_year:
        raise ValueError(
            _("Year %(year)s is out of range (%(min)s–%(max)s).")
            % {"year": year, "min": MIN_YEAR, "max": this_year}
        )
    return year


def _check_size(value: Decimal) -> str | None:
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    decimals = max(0, -exponent)
    whole = len(digits) - decimals
    if decimals > VALUE_DECIMALS:
        return _("“%(value)s” has more than %(max)s decimals.") % {
            "value": value,
            "max": VALUE_DECIMALS,
        }
    if whole > VALUE_MAX_DIGITS - VALUE_DECIMALS:
        return _("“%(value)s” is too large.") % {"value": value}
    return None


def parse_rows(rows: list[list[str]], places: Places) -> tuple[list[Row], list[Issue], list[Issue]]:
    """The file's figures, the errors (row, column, message) and the missing figures."""
    layout = _layout(rows)
    header = layout.headers

    def column_name(col: int | None) -> str:
        if col is None:
            return ""
        return header[col] if col < len(header) and header[col] else str(col + 1)

    result: list[Row] = []
    errors: list[Issue] = []
    missing: list[Issue] = []
    seen: dict[tuple, int] = {}
    for index in range(layout.header_row, len(rows)):
        cells = rows[index]
        number = index + 1
        if not any(cells):
            continue

        def cell(col: int | None, cells=cells) -> str:
            return cells[col] if col is not None and col < len(cells) else ""

        place_text = cell(layout.place)
        place = places.find(place_text)
        if place is None:
            errors.append(
                Issue(
                    number,
                    column_name(layout.place),
                    _("“%(place)s” is not a known region or municipality.") % {"place": place_text},
                )
            )
            continue
        region_id, kommune_id, sted = place
        note = cell(layout.note)
        if layout.year is not None:
            pairs = [(cell(layout.year), layout.year, layout.value)]
        else:
            pairs = [(text, col, col) for col, text in layout.year_columns.items()]
        for year_text, year_col, value_col in pairs:
            try:
                aar = _year(year_text)
            except ValueError as exc:
                errors.append(Issue(number, column_name(year_col), str(exc)))
                continue
            raw = cell(value_col)
            try:
                value = parse_number(raw)
            except ValueError:
                errors.append(
                    Issue(
                        number,
                        column_name(value_col),
                        _("“%(value)s” is not a number.") % {"value": raw},
                    )
                )
                continue
            if value is None:
                missing.append(
                    Issue(
                        number,
                        column_name(value_col),
                        _("No figure (“%(value)s”): skipped.") % {"value": raw},
                    )
                )
                continue
            problem = _check_size(value)
            if problem:
                errors.append(Issue(number, column_name(value_col), problem))
                continue
            row = Row(number, aar, value, region_id, kommune_id, sted, note[:1000])
            if row.key in seen:
                errors.append(
                    Issue(
                        number,
                        column_name(year_col),
                        _("%(year)s for %(place)s is already in row %(first)s.")
                        % {
                            "year": aar,
                            "place": sted or _("the whole area"),
                            "first": seen[row.key],
                        },
                    )
                )
                continue
            seen[row.key] = number
            result.append(row)
    return result, errors, missing


# --- Preview and apply ------------------------------------------------------------------------


def _fingerprint(data: bytes, stored: list[Indikatorverdi]) -> str:
    digest = hashlib.sha256(data)
    for v in sorted(stored, key=lambda v: v.pk):
        digest.update(f"|{v.pk}:{v.aar}:{v.region_id}:{v.kommune_id}:{v.verdi}".encode())
    return digest.hexdigest()


def values_preview(*, actor, indikator: Indikator, data: bytes) -> Preview:
    """What importing `data` into `indikator` would do; writes nothing."""
    check_perm(actor, "rapportering.manage_indikator", indikator)
    preview = Preview()
    if len(data) > MAX_FILE_BYTES:
        preview.errors.append(
            Issue(
                None, "", _("The file is larger than %(mb)s MB.") % {"mb": MAX_FILE_BYTES // 2**20}
            )
        )
        return preview
    try:
        rows = read_cells(data)
        if len(rows) > MAX_ROWS:
            raise UnreadableFile(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
        parsed, preview.errors, preview.missing = parse_rows(rows, Places())
    except UnreadableFile as exc:
        preview.errors.append(Issue(None, "", str(exc)))
        return preview
    stored = list(indikator.verdier.all())
    by_key = {(v.aar, v.region_id, v.kommune_id): v for v in stored}
    for row in parsed:
        existing = by_key.get(row.key)
        if existing is None:
            preview.new.append(row)
        elif existing.verdi == row.verdi:
            preview.unchanged.append(row)
        else:
            preview.duplicates.append(Duplicate(row, existing))
    if not parsed and not preview.errors:
        preview.errors.append(Issue(None, "", _("The file has no figures to import.")))
    preview.fingerprint = _fingerprint(data, stored)
    return preview


@transaction.atomic
def values_apply(
    *,
    actor,
    indikator: Indikator,
    data: bytes,
    fingerprint: str,
    duplicates: str | None,
    filename: str = "",
) -> tuple[int, int]:
    """Write the previewed values in one transaction: the new ones, and the duplicates when
    `duplicates` is «replace» (with «keep» they stay as stored). Returns (created, replaced).
    Refused (nothing written) when the file has errors, when the check differs from the
    preview's `fingerprint` (Conflict), or when there are duplicates and no explicit choice."""
    check_perm(actor, "rapportering.manage_indikator", indikator)
    indikator = Indikator.objects.select_for_update().get(pk=indikator.pk)
    preview = values_preview(actor=actor, indikator=indikator, data=data)
    if not preview.ok:
        raise ServiceError(_("The file has errors; nothing was imported."))
    if preview.fingerprint != fingerprint:
        raise Conflict(
            _(
                "The indicator's values changed since the preview. Nothing was imported; look "
                "at the new preview and import again."
            )
        )
    if preview.duplicates and duplicates not in (REPLACE, KEEP):
        raise ValidationError(
            {
                "duplikater": _(
                    "Stored values: choose whether the file's figures replace them or the "
                    "stored ones are kept."
                )
            }
        )
    reason = _("Imported from %(file)s") % {"file": filename} if filename else _("Imported")
    now = timezone.now()
    new = [
        Indikatorverdi(
            indikator=indikator,
            aar=row.aar,
            verdi=row.verdi,
            region_id=row.region_id,
            kommune_id=row.kommune_id,
            merknad=row.merknad,
            registrert_av=actor,
            registrert=now,
        )
        for row in preview.new
    ]
    for verdi in new:
        verdi.full_clean(validate_unique=False, validate_constraints=False)
    bulk_create_with_history(new, Indikatorverdi, default_user=actor, default_change_reason=reason)
    replaced = 0
    if duplicates == REPLACE:
        for dup in preview.duplicates:
            stored = dup.stored
            stored.verdi = dup.row.verdi
            if dup.row.merknad:
                stored.merknad = dup.row.merknad
            stored.registrert_av, stored.registrert = actor, now
            stamp_history(stored, actor=actor, reason=reason)
            stored.full_clean()
            stored.save()
            replaced += 1
    return len(new), replaced
