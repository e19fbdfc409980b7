"""What changed in the portal after the file was exported, so that an older file does not
silently undo it.

The export records each tiltak's version (`Tiltak.versjon`, raised by every write to the tiltak
row) in the column Versjon, and the time of the export (tiltak.exports). Against those:

- a row whose version is older than the tiltak's, and whose file value differs from the
  portal's in a column the portal changed since (the tiltak's history at the row's version
  says what it was), is a CHANGED conflict. A row whose Versjon cell is empty is judged by the
  export time instead. Parties do not raise the version: a party column counts as changed in
  the portal when the parties of that role have a history row after the export;
- a row whose tiltak was deleted since (kept as deleted, or removed, known from its history)
  is a DELETED conflict;
- a tiltak the file leaves out that was added or changed after the export is an ADDED or
  CHANGED_NOT_IN_FILE conflict (only when the file says when it was exported).

Rows that only differ where the portal did not change anything are ordinary changes: the
planner's own edits. Each conflict waits for a choice (types.KEEP_PORTAL or types.USE_FILE);
preview.py applies the choices, apply.py refuses while any is missing. The history is read in
a constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from itertools import islice
from typing import Any

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
    EXPORTED_PROPERTY,
    delmaal_text,
    satsing_text,
    tema_text,
)
from tiltak.models import Ansvar, Tiltak, TiltakStatus, TiltakType

from .matching import PARTY_COLUMNS, CurrentProgramme, Matcher
from .reader import stored_text
from .types import (
    ChangedRow,
    Conflict,
    ConflictColumn,
    ConflictKind,
    ImportRow,
)

TEXT_COLUMNS = {
    COL_TILTAK: "tittel",
    COL_BESKRIVELSE: "beskrivelse",
    COL_VIRKEMIDDEL: "virkemiddel",
}
BATCH = 500


def type_display(value: str) -> str:
    return str(dict(TiltakType.choices).get(value, value)) if value else ""


def status_display(value: str) -> str:
    return str(dict(TiltakStatus.choices).get(value, value)) if value else ""


def number_text(value: int | None) -> str:
    return "" if value is None else str(value)


def exported_at(wb) -> datetime | None:
    """The time of the export the workbook records, if it does (and it is a time)."""
    try:
        props = list(wb.custom_doc_props)
    except (AttributeError, TypeError):
        return None
    for prop in props:
        if getattr(prop, "name", None) != EXPORTED_PROPERTY:
            continue
        value = getattr(prop, "value", None)
        try:
            when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        except ValueError:
            return None
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    return None


def label_of(tiltak, current: CurrentProgramme) -> str:
    """ "3.11 Title" for a tiltak or a historical row of one."""
    tema = current.tema_by_id.get(tiltak.tema_id)
    number = f"{tema.nummer}.{number_text(tiltak.nummer) or '–'}" if tema else ""
    title = stored_text(tiltak.tittel)
    if len(title) > 80:
        title = title[:80] + "…"
    return f"{number} {title}".strip()


def _exported_text(base, column: str, current: CurrentProgramme) -> str | None:
    """A column's value in the file's terms as the historical row `base` had it; None when
    it cannot be told (a party column, or a level deleted since)."""
    if column == COL_TEMA:
        tema = current.tema_by_id.get(base.tema_id)
        return tema_text(tema) if tema else None
    if column == COL_DELMAAL:
        if base.delmaal_id is None:
            return ""
        delmaal = current.delmaal_by_id.get(base.delmaal_id)
        return delmaal_text(delmaal) if delmaal else None
    if column == COL_SATSING:
        if base.satsingsomraade_id is None:
            return ""
        satsing = current.satsing_by_id.get(base.satsingsomraade_id)
        return satsing_text(satsing) if satsing else None
    if column == COL_NR:
        return number_text(base.nummer)
    if column in TEXT_COLUMNS:
        return stored_text(getattr(base, TEXT_COLUMNS[column]))
    if column == COL_TYPE:
        return type_display(base.type)
    if column == COL_STATUS:
        return status_display(base.status)
    return None


def _batches(ids):
    it = iter(sorted(set(ids)))
    while batch := list(islice(it, BATCH)):
        yield batch


def _tiltak_history(ids) -> dict[int, list]:
    """Every history row of these tiltak, oldest first, with the user and organisation."""
    rows: dict[int, list] = defaultdict(list)
    for batch in _batches(ids):
        for h in (
            Tiltak.history.filter(id__in=batch)
            .select_related("history_user__organisasjon")
            .order_by("history_date", "history_id")
        ):
            rows[h.id].append(h)
    return rows


def _party_history_after(ids, after: datetime) -> dict[int, list]:
    """History rows of the parties of these tiltak after `after`, oldest first."""
    rows: dict[int, list] = defaultdict(list)
    for batch in _batches(ids):
        for h in (
            Ansvar.history.filter(tiltak_id__in=batch, history_date__gt=after)
            .select_related("history_user__organisasjon")
            .order_by("history_date", "history_id")
        ):
            rows[h.tiltak_id].append(h)
    return rows


def resolve_removed_ids(rows: list[ImportRow], matcher: Matcher) -> dict[int, Any]:
    """Rows whose ID is no tiltak of the programme now: a tiltak of this programme deleted for
    good since the export (its last history row is the deletion), or an error of the row.
    Returns the deletion's history row by ID."""
    current = matcher.current
    ids = [r.tiltak_id for r in rows if r.gone == "hard" and r.tiltak_id is not None]
    last: dict[int, Any] = {}
    for batch in _batches(ids):
        for h in (
            Tiltak.history.filter(id__in=batch, program_id=current.programme.pk)
            .select_related("history_user__organisasjon")
            .order_by("history_date", "history_id")
        ):
            last[h.id] = h
    found: dict[int, Any] = {}
    for row in rows:
        if row.gone != "hard" or row.tiltak_id is None:
            continue
        h = last.get(row.tiltak_id)
        if (
            h is not None
            and h.history_type == "-"
            and (row.versjon is None or row.versjon < h.versjon)
        ):
            found[row.tiltak_id] = h
            continue
        row.gone = ""
        matcher.error(
            row,
            COL_ID,
            _(
                "ID %(id)s is not a measure of this programme. Leave the ID empty to add "
                "the row as a new measure."
            )
            % {"id": row.tiltak_id},
        )
    return found


def _latest(*candidates):
    """The history row with the latest date among those given (None ignored)."""
    rows = [c for c in candidates if c is not None]
    return max(rows, key=lambda h: h.history_date) if rows else None


def find_conflicts(
    *,
    current: CurrentProgramme,
    rows: list[ImportRow],
    changed: dict[int, ChangedRow],
    removed: list[Tiltak],
    gone: dict[int, Any],
    exported: datetime | None,
) -> list[Conflict]:
    """The conflicts of the file, in the order of its rows, then the tiltak it leaves out.
    `changed` is by row number, for rows whose tiltak exists (or is kept as deleted) and
    whose file values differ from it."""
    candidates = [
        r
        for r in rows
        if r.row in changed
        and r.gone != "hard"
        and (
            r.gone == "soft"
            or (r.versjon is not None and r.versjon < changed[r.row].tiltak.versjon)
            or (r.versjon is None and exported is not None)
        )
    ]
    history = _tiltak_history([r.tiltak_id for r in candidates])
    party_rows = [
        r.tiltak_id
        for r in rows
        if r.row in changed and r.gone == "" and changed[r.row].parties_changed
    ]
    parties = _party_history_after(party_rows, exported) if exported and party_rows else {}

    conflicts: list[Conflict] = []
    for row in rows:
        if row.gone == "hard" and row.tiltak_id is not None and row.tiltak_id in gone:
            h = gone[row.tiltak_id]
            conflicts.append(
                Conflict(
                    kind=ConflictKind.DELETED,
                    tiltak_id=row.tiltak_id,
                    label=label_of(h, current),
                    row=row.row,
                    file_versjon=row.versjon,
                    portal_versjon=h.versjon,
                    user=h.history_user,
                    date=h.history_date,
                    reason=h.history_change_reason or "",
                )
            )
            continue
        change = changed.get(row.row)
        if change is None:
            continue
        tiltak = change.tiltak
        tiltak_rows = history.get(tiltak.pk, [])
        if row.gone == "soft":
            deletion = tiltak_rows[-1] if tiltak_rows else None
            change.conflict = Conflict(
                kind=ConflictKind.DELETED,
                tiltak_id=tiltak.pk,
                label=label_of(tiltak, current),
                row=row.row,
                tiltak=tiltak,
                file_versjon=row.versjon,
                portal_versjon=tiltak.versjon,
                columns=[
                    ConflictColumn(c.column, None, c.old, c.new, False) for c in change.changes
                ],
                user=getattr(deletion, "history_user", None),
                date=tiltak.slettet,
                reason=tiltak.slettet_grunn,
            )
            conflicts.append(change.conflict)
            continue
        # The tiltak as the file saw it: the history row at the file's version, or else the
        # last one saved before the export.
        base = None
        newer: list = []
        stale = False
        if row.versjon is not None:
            stale = row.versjon < tiltak.versjon
            if stale:
                base = next((h for h in reversed(tiltak_rows) if h.versjon == row.versjon), None)
                newer = [h for h in tiltak_rows if h.versjon > row.versjon]
        elif exported is not None:
            newer = [h for h in tiltak_rows if h.history_date > exported]
            stale = bool(newer)
            if stale:
                base = next((h for h in reversed(tiltak_rows) if h.history_date <= exported), None)
        party_changes = parties.get(tiltak.pk, [])
        roles_changed = {h.rolle for h in party_changes}
        columns = []
        for c in change.changes:
            if c.column in PARTY_COLUMNS:
                exported_value = None
                flagged = PARTY_COLUMNS[c.column] in roles_changed
            else:
                exported_value = _exported_text(base, c.column, current) if base else None
                flagged = stale and (exported_value is None or exported_value != c.old)
            columns.append(ConflictColumn(c.column, exported_value, c.old, c.new, flagged))
        if not any(col.changed_in_portal for col in columns):
            continue
        latest = _latest(newer[-1] if newer else None, party_changes[-1] if party_changes else None)
        conflict = Conflict(
            kind=ConflictKind.CHANGED,
            tiltak_id=tiltak.pk,
            label=label_of(tiltak, current),
            row=row.row,
            tiltak=tiltak,
            file_versjon=row.versjon,
            portal_versjon=tiltak.versjon,
            columns=columns,
            user=getattr(latest, "history_user", None),
            date=getattr(latest, "history_date", None),
        )
        change.conflict = conflict
        conflicts.append(conflict)

    if exported is not None and removed:
        after = defaultdict(list)
        for batch in _batches(t.pk for t in removed):
            for h in (
                Tiltak.history.filter(id__in=batch, history_date__gt=exported)
                .select_related("history_user__organisasjon")
                .order_by("history_date", "history_id")
            ):
                after[h.id].append(h)
        for tiltak in removed:
            if not after.get(tiltak.pk):
                continue
            newer = after[tiltak.pk]
            added = any(h.history_type == "+" for h in newer)
            conflicts.append(
                Conflict(
                    kind=ConflictKind.ADDED if added else ConflictKind.CHANGED_NOT_IN_FILE,
                    tiltak_id=tiltak.pk,
                    label=label_of(tiltak, current),
                    row=None,
                    tiltak=tiltak,
                    portal_versjon=tiltak.versjon,
                    user=newer[-1].history_user,
                    date=newer[-1].history_date,
                )
            )
    return conflicts
