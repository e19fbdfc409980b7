"""The preview: the file read, matched and compared with the programme, every row validated as
the apply would save it. Writes nothing."""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tiltak.exports import (
    COL_BESKRIVELSE,
    COL_DELMAAL,
    COL_ID,
    COL_NR,
    COL_SATSING,
    COL_STATUS,
    COL_TEMA,
    COL_TILTAK,
    COL_TYPE,
    COL_VIRKEMIDDEL,
    IDENTIFIER_PREFIX,
    delmaal_text,
    parties,
    satsing_text,
    tema_text,
)
from tiltak.models import Handlingsprogram, Tiltak, TiltakStatus, TiltakType

from ..common import check_perm
from .container import check_container, open_sheet
from .matching import PARTY_COLUMNS, TEXT_FIELDS, CurrentProgramme, Matcher
from .reader import Reader, stored_text
from .types import (
    CellChange,
    ChangedRow,
    ImportIssue,
    ImportPreview,
    ImportRow,
    UnknownOrganisation,
    Unreadable,
)

PERMISSION = "tiltak.import_programme"


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
        if name in row.values and row.values[name] != stored_text(getattr(tiltak, name)):
            changed.fields[name] = row.values[name]
            note(column, stored_text(getattr(tiltak, name)), row.values[name])
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


def _check_numbers(rows: list[ImportRow], reader: Reader) -> None:
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


def _check_ids(rows: list[ImportRow], reader: Reader) -> None:
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


def _placed(tiltak: Tiltak, row: ImportRow) -> Tiltak:
    tiltak.tema = row.tema
    tiltak.delmaal = row.delmaal
    tiltak.satsingsomraade = row.satsingsomraade
    tiltak.nummer = row.nummer
    return tiltak


def _validate(preview: ImportPreview, reader: Reader) -> None:
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


def build_preview(programme: Handlingsprogram, data: bytes) -> ImportPreview:
    """The preview of `data` against the programme as it is now, with no permission check:
    programme_import_preview checks it, and programme_import_apply builds the preview again
    inside its transaction."""
    current = CurrentProgramme(programme)
    preview = ImportPreview(programme=programme, fingerprint=current.fingerprint)
    reader = Reader(preview)
    try:
        check_container(data)
        wb, ws = open_sheet(data)
        try:
            identifier = wb.properties.identifier or ""
            raw_rows = reader.read(ws)
        finally:
            wb.close()
    except Unreadable as fatal:
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

    matcher = Matcher(reader, current)
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
    nothing; the package docstring (tiltak/services/excel) says what the preview holds."""
    check_perm(actor, PERMISSION, programme)
    return build_preview(programme, data)
