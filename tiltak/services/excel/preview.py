"""The preview: the file read, matched and compared with the programme, what changed in the
portal since the export found (conflicts.py) and the planner's choices for it applied, every
row validated as the apply would save it. Writes nothing."""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping

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
    COL_VERSJON,
    COL_VIRKEMIDDEL,
    IDENTIFIER_PREFIX,
    delmaal_text,
    parties,
    satsing_text,
    tema_text,
)
from tiltak.models import Handlingsprogram, Tiltak

from ..common import check_perm, field_label
from .conflicts import (
    exported_at,
    find_conflicts,
    label_of,
    number_text,
    resolve_removed_ids,
    status_display,
    type_display,
)
from .container import check_container, open_sheet
from .matching import PARTY_COLUMNS, TEXT_FIELDS, CurrentProgramme, Matcher
from .reader import Reader, stored_text
from .types import (
    CHOICES,
    KEEP_PORTAL,
    CellChange,
    ChangedRow,
    ConflictKind,
    ImportIssue,
    ImportPreview,
    ImportRow,
    UnknownOrganisation,
    Unreadable,
)

PERMISSION = "tiltak.import_programme"
logger = logging.getLogger(__name__)


def _compare(row: ImportRow, tiltak: Tiltak) -> ChangedRow:
    changed = ChangedRow(data=row, tiltak=tiltak, changes=[])
    changes = changed.changes

    def note(column: str, old: str, new: str) -> None:
        changes.append(CellChange(column, old, new))

    tema = row.tema
    assert tema is not None  # only rows without errors are compared
    if tema.pk != tiltak.tema_id:
        note(COL_TEMA, tema_text(tiltak.tema), tema_text(tema))
    if getattr(row.delmaal, "pk", None) != tiltak.delmaal_id:
        note(COL_DELMAAL, delmaal_text(tiltak.delmaal), delmaal_text(row.delmaal))
    if getattr(row.satsingsomraade, "pk", None) != tiltak.satsingsomraade_id:
        note(
            COL_SATSING,
            satsing_text(tiltak.satsingsomraade),
            satsing_text(row.satsingsomraade),
        )
    if row.nummer != tiltak.nummer:
        note(COL_NR, number_text(tiltak.nummer), number_text(row.nummer))
    changed.placement_changed = bool(changes)

    for column, name in TEXT_FIELDS.items():
        if name in row.values and row.values[name] != stored_text(getattr(tiltak, name)):
            changed.fields[name] = row.values[name]
            note(column, stored_text(getattr(tiltak, name)), row.values[name])
    if "type" in row.values and row.values["type"] != tiltak.type:
        changed.fields["type"] = row.values["type"]
        note(COL_TYPE, type_display(tiltak.type), type_display(row.values["type"]))
    if "status" in row.values and row.values["status"] != tiltak.status:
        changed.fields["status"] = row.values["status"]
        note(COL_STATUS, status_display(tiltak.status), status_display(row.values["status"]))

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


def _check_numbers(
    rows: list[ImportRow], reader: Reader, kept: list[Tiltak], current: CurrentProgramme
) -> None:
    """Numbers are unique within a tema among the rows the programme will have: the file's
    rows (a row skipped for the portal's values with the portal's number) and the tiltak the
    file leaves out that are kept."""
    taken = {(t.tema_id, t.nummer): t for t in kept if t.nummer is not None}
    first: dict[tuple[int, int], int] = {}
    for row in rows:
        if row.tema is None or row.nummer is None:
            continue
        other = taken.get((row.tema.pk, row.nummer))
        if other is not None:
            row.ok = False
            reader.error(
                _(
                    "number %(nr)s is also used by measure %(label)s, which is not in the file "
                    "and is kept."
                )
                % {"nr": row.nummer, "label": label_of(other, current)},
                row=row.row,
                column=COL_NR,
                index=reader.columns[COL_NR],
            )
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


def _plan_numbers(rows: list[ImportRow], kept: list[Tiltak]) -> None:
    """Give new rows without a number the next free number in their tema, counted from the
    numbers the file gives and those of kept tiltak the file leaves out (which, after the
    import, are the tema's only numbers)."""
    highest: dict[int, int] = {}
    for t in kept:
        if t.nummer is not None:
            highest[t.tema_id] = max(highest.get(t.tema_id, 0), t.nummer)
    for row in rows:
        if row.tema is not None and row.nummer is not None:
            highest[row.tema.pk] = max(highest.get(row.tema.pk, 0), row.nummer)
    for row in rows:
        if row.tema is not None and row.tiltak_id is None and row.nummer is None:
            row.nummer = highest.get(row.tema.pk, 0) + 1
            highest[row.tema.pk] = row.nummer  # the next new row in the tema gets the next one
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
    assert row.tema is not None  # only rows without errors are placed
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
                label = field_label(Tiltak, name) if name in FIELD_COLUMNS else ""
                for message in messages:
                    reader.error(
                        f"{label.capitalize()}: {message}" if label else message,
                        row=row,
                        column=column,
                        index=reader.columns.get(column) if column else None,
                    )

    for change in preview.changed:
        if not (change.placement_changed or change.fields or change.restored):
            continue
        updated = copy.copy(change.tiltak)
        _placed(updated, change.data)
        for name, value in change.fields.items():
            setattr(updated, name, value)
        if change.restored:
            updated.slettet, updated.slettet_grunn = None, ""
        change.updated = updated
        check(updated, change.row)
    for row in preview.new:
        instance = _placed(Tiltak(program=preview.programme), row)
        for name, value in row.values.items():
            setattr(instance, name, value)
        row.instance = instance
        check(instance, row.row)


def build_preview(
    programme: Handlingsprogram, data: bytes, choices: Mapping[int, str] | None = None
) -> ImportPreview:
    """The preview of `data` against the programme as it is now, with no permission check:
    programme_import_preview checks it, and programme_import_apply builds the preview again
    inside its transaction. `choices` decides conflicts by tiltak ID (types.KEEP_PORTAL or
    types.USE_FILE); an undecided conflict is previewed as if the file's values were used.
    Whatever the file holds, this returns a preview: a file that cannot be read is one error."""
    preview = ImportPreview(programme=programme)
    reader = Reader(preview)
    try:
        raw_rows, identifier = _read(preview, reader, data)
        # Loaded only for a file that could be read: a refused file costs no more than reading.
        current = CurrentProgramme(programme)
        preview.fingerprint = current.fingerprint
        _build(preview, reader, current, raw_rows, identifier, choices or {})
    except Unreadable as fatal:
        if len(fatal.args) > 1:
            logger.info("Excel import into programme %s: %s", programme.pk, fatal.args[1])
        message = fatal.args[0] if fatal.args else None
        if message:
            preview.error_count += 1
            preview.errors.append(ImportIssue(message))
    if not preview.ok:
        preview.new, preview.changed, preview.removed, preview.conflicts = [], [], [], []
        preview.unknown_organisations, preview.unchanged = [], 0
    return preview


def _read(
    preview: ImportPreview, reader: Reader, data: bytes
) -> tuple[list[tuple[int, dict[str, object]]], str]:
    """The file's data rows and its programme identifier; raises Unreadable."""
    check_container(data)
    wb, ws = open_sheet(data)
    try:
        identifier = wb.properties.identifier or ""
        preview.exported_at = exported_at(wb)
        raw_rows = reader.read(ws)
    finally:
        wb.close()
    if not raw_rows:
        raise Unreadable(
            _(
                "The file has headers but no rows of measures. Importing it would remove "
                "every measure; delete them in the portal instead if that is what you want."
            )
        )
    return raw_rows, identifier


def _build(
    preview: ImportPreview,
    reader: Reader,
    current: CurrentProgramme,
    raw_rows: list[tuple[int, dict[str, object]]],
    identifier: str,
    choices: Mapping[int, str],
) -> None:
    programme = preview.programme
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
    preview.versions_known = COL_VERSJON in reader.columns
    if not preview.versions_known:
        preview.warnings.insert(
            0,
            ImportIssue(
                _(
                    "The file has no Versjon column (it was exported before the portal "
                    "recorded versions, or the rows were copied to another workbook), so "
                    "changes made in the portal since the export cannot be detected: the "
                    "file's values replace them. Download the programme again to be safe."
                )
            ),
        )

    matcher = Matcher(reader, current)
    rows = [matcher.parse(number, raw) for number, raw in raw_rows]
    preview.rows_read = len(rows)
    _check_ids(rows, reader)
    gone = resolve_removed_ids(rows, matcher)
    if preview.versions_known and preview.exported_at is None:
        for row in rows:
            if row.ok and row.tiltak_id is not None and row.versjon is None:
                reader.warn(
                    _(
                        "the version is empty, so changes made in the portal since the export "
                        "cannot be detected for this row."
                    ),
                    row=row.row,
                    column=COL_VERSJON,
                    index=reader.columns[COL_VERSJON],
                )

    # The rows compared with their tiltak (kept-as-deleted ones included).
    in_file = {row.tiltak_id for row in rows if row.tiltak_id is not None}
    changed: dict[int, ChangedRow] = {}
    unchanged: list[ImportRow] = []
    for row in rows:
        if not row.ok or row.tiltak_id is None or row.gone == "hard":
            continue
        tiltak = current.by_id.get(row.tiltak_id) or current.deleted[row.tiltak_id]
        change = _compare(row, tiltak)
        if row.gone == "soft":
            change.restored = change.placement_changed = True
        if change.changes or change.restored:
            changed[row.row] = change
        else:
            unchanged.append(row)
    removed = [t for t in current.tiltak if t.pk not in in_file]
    preview.conflicts = find_conflicts(
        current=current,
        rows=[r for r in rows if r.ok],
        changed=changed,
        removed=removed,
        gone=gone,
        exported=preview.exported_at,
    )

    # The choices: a conflict decided for the portal leaves its row (or tiltak) as it is.
    kept: list[Tiltak] = []
    by_row = {row.row: row for row in rows}
    for conflict in preview.conflicts:
        choice = choices.get(conflict.tiltak_id, "")
        conflict.choice = choice if choice in CHOICES else ""
        keep = conflict.choice == KEEP_PORTAL
        if conflict.row is None:  # a tiltak the file leaves out
            if keep and conflict.tiltak is not None:
                removed.remove(conflict.tiltak)
                kept.append(conflict.tiltak)
                preview.kept_from_portal += 1
            continue
        row = by_row[conflict.row]
        if keep:
            row.skip = True
            changed.pop(row.row, None)
            preview.kept_from_portal += 1
            if conflict.kind == ConflictKind.CHANGED and conflict.tiltak is not None:
                # The row keeps the portal's place and number.
                row.tema, row.nummer = conflict.tiltak.tema, conflict.tiltak.nummer
        elif conflict.kind == ConflictKind.DELETED and not conflict.restorable:
            # Deleted for good: the file's row can only come back as a new measure.
            row.tiltak_id = None
    active = [r for r in rows if not (r.skip and r.gone)]
    _check_numbers(active, reader, kept, current)
    if preview.error_count:
        return
    _plan_numbers([r for r in rows if not r.skip], kept)

    unknown: dict[str, UnknownOrganisation] = {}
    for row in rows:
        if row.skip:
            continue
        for names in row.parties.values():
            for p in names:
                if p.organisasjon is None:
                    u = unknown.setdefault(p.key, UnknownOrganisation(p.tekst, p.key))
                    if row.row not in u.rows:
                        u.rows.append(row.row)
        if row.tiltak_id is None:
            preview.new.append(row)
        elif row.row in changed:
            preview.changed.append(changed[row.row])
    preview.unchanged = len(unchanged)
    preview.removed = removed
    preview.unknown_organisations = list(unknown.values())
    _validate(preview, reader)


def programme_import_preview(*, actor, programme: Handlingsprogram, data: bytes) -> ImportPreview:
    """Read `data` (the bytes of an uploaded .xlsx) and compare it with the programme. Writes
    nothing; the package docstring (tiltak/services/excel) says what the preview holds."""
    check_perm(actor, PERMISSION, programme)
    return build_preview(programme, data)
