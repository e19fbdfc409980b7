"""Selectors that turn django-simple-history rows into what a reader asks of a change log:
who (name and organisation), when, which fields, old → new.

Values are shown as a person reads them: choice labels rather than codes, organisation,
theme and measure names rather than ids, field names by their verbose_name. Related objects are
looked up in one query per model for the whole page, and the previous version of every row in
one query per history table, so the number of queries does not grow with the data.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, cast

from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import IntegerField, OuterRef, Q, Subquery, Value
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from partnerskap.models import Organisasjon
from tiltak.models import (
    Ansvar,
    Delmaal,
    Handlingsprogram,
    Rolle,
    Satsingsomraade,
    Tema,
    Tiltak,
)

# Bookkeeping fields that every save changes or that never change: not shown as changes.
HIDDEN_FIELDS = frozenset({"id", "versjon"})

CREATED, CHANGED, DELETED = "+", "~", "-"


@dataclass
class FieldChange:
    name: str  # the field's name in code, for tests and CSS
    label: str  # verbose_name, translated
    old: str
    new: str


class ActedBy:
    """Who did it, as the history pages show it: a dataclass with a `user` field (or None for
    the system, e.g. the demo loader) gets `user_name` and `user_organisation`."""

    user: Any

    @property
    def user_name(self) -> str:
        if self.user is None:
            return ""
        return self.user.get_full_name() or self.user.email

    @property
    def user_organisation(self) -> str:
        org = getattr(self.user, "organisasjon", None)
        return org.navn if org else ""


@dataclass
class HistoryEntry(ActedBy):
    kind: str  # programme | tema | delmaal | satsingsomraade | tiltak | ansvar
    kind_label: str
    history_id: int
    history_type: str  # + ~ -
    date: datetime.datetime
    user: Any  # Bruker or None (loaded before users were recorded)
    reason: str
    object_id: int
    object_label: str
    changes: list[FieldChange] = field(default_factory=list)
    tiltak_id: int | None = None  # the tiltak this change belongs to, for links
    versjon: int | None = None  # tiltak only
    # Ansvar only: the party and role as of this row.
    party: str = ""
    role: str = ""
    restorable: bool = False

    @property
    def action(self) -> str:
        """created | changed | deleted | party_added | party_removed | role_changed"""
        if self.kind == "ansvar":
            if self.history_type == CREATED:
                return "party_added"
            if self.history_type == DELETED:
                return "party_removed"
            if any(c.name == "rolle" for c in self.changes):
                return "role_changed"
            return "changed"
        return {CREATED: "created", DELETED: "deleted"}.get(self.history_type, "changed")


KINDS: dict[str, type[models.Model]] = {
    "programme": Handlingsprogram,
    "tema": Tema,
    "delmaal": Delmaal,
    "satsingsomraade": Satsingsomraade,
    "tiltak": Tiltak,
    "ansvar": Ansvar,
}
# A stable number per kind, for the union query and its ordering.
KIND_CODES = {kind: n for n, kind in enumerate(KINDS)}
KIND_BY_CODE = {n: kind for kind, n in KIND_CODES.items()}


def _history_model(kind: str) -> Any:
    """The historical model of a kind: a class django-simple-history builds at run time, with
    the model's fields and its own; `history` has no type stubs."""
    return cast(Any, KINDS[kind]).history.model


def _related_model(f: models.Field) -> type[models.Model]:
    """The model a relation field points to (a class once the app registry is ready)."""
    model = f.related_model
    assert isinstance(model, type)
    return model


def _shown_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in HIDDEN_FIELDS]


def _visible_to(viewer) -> models.QuerySet[Handlingsprogram] | None:
    if viewer is None:
        return None
    from .programmes import visible_programmes

    return visible_programmes(viewer)


# --- Looking up related objects in bulk ----------------------------------------------------


class Labels:
    """Collects the ids of related objects a page mentions, then fetches each model once.

    With `visible` (the programmes the viewer may read), a programme outside it — a draft a
    public successor was rolled from — and the tiltak in it are named only as such, never by
    name or title."""

    def __init__(self, visible: models.QuerySet[Handlingsprogram] | None = None):
        self.wanted: dict[type[models.Model], set[int]] = defaultdict(set)
        self.found: dict[type[models.Model], dict[int, Any]] = {}
        self.visible = visible
        self.hidden_programmes: set[int] = set()

    def want_row(self, row, model: type[models.Model]) -> None:
        for f in model._meta.concrete_fields:
            if f.is_relation:
                value = getattr(row, f.attname)
                if value is not None:
                    self.wanted[_related_model(f)].add(value)

    def want_entry(self, kind: str, row, prev, *, object_label: bool) -> None:
        """Only what an entry shows: the related objects of fields that changed, and those its
        label names (a tiltak's theme number; an Ansvar's organisation, and its tiltak)."""
        model = KINDS[kind]
        if prev is not None and row.history_type == CHANGED:
            for f in _shown_fields(model):
                old, new = getattr(prev, f.attname), getattr(row, f.attname)
                if f.is_relation and old != new:
                    self.wanted[_related_model(f)].update(v for v in (old, new) if v is not None)
        if kind == "ansvar":
            self.wanted[Organisasjon].add(row.organisasjon_id)
            if object_label:
                self.wanted[Tiltak].add(row.tiltak_id)
        elif kind == "tiltak" and object_label:
            self.wanted[Tema].add(row.tema_id)

    def load(self) -> None:
        for model, ids in self.wanted.items():
            qs: models.QuerySet[Any]
            if model is Tiltak:
                qs = Tiltak.alle.select_related("tema")
            elif model is Delmaal:
                qs = Delmaal.objects.all()
            elif model is Satsingsomraade:
                qs = Satsingsomraade.objects.all()
            elif model is Handlingsprogram:
                qs = Handlingsprogram.objects.all()
            elif model is Organisasjon:
                qs = Organisasjon.objects.only("id", "navn")
            else:
                qs = model._default_manager.all()
            self.found[model] = {obj.pk: obj for obj in qs.filter(pk__in=ids).order_by()}
        if self.visible is not None:
            mentioned = set(self.found.get(Handlingsprogram, {}))
            mentioned |= {t.program_id for t in self.found.get(Tiltak, {}).values()}
            if mentioned:
                seen = set(self.visible.filter(pk__in=mentioned).values_list("pk", flat=True))
                self.hidden_programmes = mentioned - seen

    def get(self, model: type[models.Model], pk: int | None):
        if pk is None:
            return None
        return self.found.get(model, {}).get(pk)

    def label(self, model: type[models.Model], pk: int | None) -> str:
        if pk is None:
            return ""
        obj = self.get(model, pk)
        if obj is None:
            return _("#%(id)s (deleted)") % {"id": pk}
        if isinstance(obj, Handlingsprogram) and obj.pk in self.hidden_programmes:
            return _("a programme you do not have access to")
        if isinstance(obj, Tiltak) and obj.program_id in self.hidden_programmes:
            return _("a measure in a programme you do not have access to")
        return _object_label(obj)


def _object_label(obj) -> str:
    if isinstance(obj, Organisasjon):
        return obj.navn
    if isinstance(obj, Tiltak):
        return f"{obj.tema.nummer}.{obj.nummer} {obj.tittel}" if obj.nummer else obj.tittel
    if isinstance(obj, Satsingsomraade):
        return obj.navn
    return str(obj)


def _display(f: models.Field, value, labels: Labels) -> str:
    if value is None or value == "":
        return ""
    if f.is_relation:
        return labels.label(_related_model(f), value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return str(value)


def _row_label(kind: str, row, labels: Labels) -> str:
    """The object's name as of this history row, without touching the database."""
    if kind == "programme":
        return f"{row.navn} {row.start_aar}–{row.slutt_aar}"
    if kind == "tema":
        return f"{row.nummer} {row.navn}"
    if kind == "delmaal":
        return f"{row.nummer} {row.navn}".strip()
    if kind == "satsingsomraade":
        return row.navn
    if kind == "tiltak":
        tema = labels.get(Tema, row.tema_id)
        if row.nummer is not None and tema is not None:
            return f"{tema.nummer}.{row.nummer} {row.tittel}"
        return row.tittel
    if kind == "ansvar":
        # In a programme's log the party's tiltak is what the reader needs to place the change.
        return labels.label(Tiltak, row.tiltak_id)
    return str(row.pk)


def _changes(model, row, prev, labels: Labels) -> list[FieldChange]:
    if prev is None or row.history_type != CHANGED:
        return []
    changes = []
    for f in _shown_fields(model):
        old, new = getattr(prev, f.attname), getattr(row, f.attname)
        if old != new:
            changes.append(
                FieldChange(
                    f.name,
                    str(f.verbose_name),
                    _display(f, old, labels),
                    _display(f, new, labels),
                )
            )
    return changes


def _entry(kind: str, row, prev, labels: Labels) -> HistoryEntry:
    model = KINDS[kind]
    entry = HistoryEntry(
        kind=kind,
        kind_label=str(model._meta.verbose_name),
        history_id=row.history_id,
        history_type=row.history_type,
        date=row.history_date,
        user=row.history_user,
        reason=row.history_change_reason or "",
        object_id=row.id,
        object_label=_row_label(kind, row, labels),
        changes=_changes(model, row, prev, labels),
    )
    if kind == "tiltak":
        entry.tiltak_id = row.id
        entry.versjon = row.versjon
    elif kind == "ansvar":
        entry.tiltak_id = row.tiltak_id
        entry.party = labels.label(Organisasjon, row.organisasjon_id)
        entry.role = str(Rolle(row.rolle).label) if row.rolle in Rolle.values else row.rolle
    return entry


def _newest_first(entries: list[HistoryEntry]) -> list[HistoryEntry]:
    return sorted(entries, key=lambda e: (e.date, KIND_CODES[e.kind], e.history_id), reverse=True)


# --- One tiltak ----------------------------------------------------------------------------


def _pair_with_previous(rows: list) -> list[tuple[Any, Any]]:
    """(row, previous row of the same object) for rows sorted by date within each object."""
    last: dict[int, Any] = {}
    pairs = []
    for row in rows:
        pairs.append((row, last.get(row.id)))
        last[row.id] = row
    return pairs


def _is_baseline(row) -> bool:
    from tiltak.services.history import BASELINE_REASON

    return row.history_user_id is None and row.history_change_reason == BASELINE_REASON


def tiltak_history(*, tiltak: Tiltak, viewer=None) -> list[HistoryEntry]:
    """Every change to the tiltak and to its responsibilities, newest first, interleaved in
    time. Each tiltak version is restorable (`tiltak_restore`), except one in which the tiltak
    was deleted and the newest one when no party changed after it (it is the current state).
    A fixed number of queries. With `viewer`, other programmes they may not read are not
    named (Labels)."""
    order = ("history_date", "history_id")
    tiltak_rows = list(
        Tiltak.history.filter(id=tiltak.pk)
        .select_related("history_user__organisasjon")
        .order_by(*order)
    )
    ansvar_rows = list(
        Ansvar.history.filter(tiltak_id=tiltak.pk)
        .select_related("history_user__organisasjon")
        .order_by(*order)
    )
    tiltak_pairs = _pair_with_previous(tiltak_rows)
    ansvar_pairs = _pair_with_previous(ansvar_rows)
    labels = Labels(_visible_to(viewer))
    for row, prev in tiltak_pairs:
        labels.want_entry("tiltak", row, prev, object_label=False)
    for row, prev in ansvar_pairs:
        labels.want_entry("ansvar", row, prev, object_label=False)
    labels.load()

    entries = [_entry("tiltak", row, prev, labels) for row, prev in tiltak_pairs]
    # History starts at the demo loader's baseline: the rows before it were saved while the
    # tiltak was being loaded, before its parties (restoring them would remove every party).
    baseline = max((i for i, row in enumerate(tiltak_rows) if _is_baseline(row)), default=-1)
    for index, (entry, row) in enumerate(zip(entries, tiltak_rows, strict=True)):
        entry.restorable = index >= baseline and row.history_type != DELETED and row.slettet is None
    if entries:
        # The newest version is the current one, unless parties changed since.
        newest = tiltak_rows[-1].history_date
        entries[-1].restorable = entries[-1].restorable and any(
            row.history_date > newest for row in ansvar_rows
        )
    entries += [_entry("ansvar", row, prev, labels) for row, prev in ansvar_pairs]
    return _newest_first(entries)


# --- A whole programme ---------------------------------------------------------------------


def _programme_querysets(programme_id: int) -> dict[str, models.QuerySet]:
    """History rows of every object in the programme's tree, also of objects deleted since
    (found through their own history rows, not the live tables)."""
    tema_ids = Tema.history.filter(program_id=programme_id).values("id")
    tiltak_ids = Tiltak.history.filter(program_id=programme_id).values("id")
    return {
        "programme": Handlingsprogram.history.filter(id=programme_id),
        "tema": Tema.history.filter(program_id=programme_id),
        "delmaal": Delmaal.history.filter(tema_id__in=tema_ids),
        "satsingsomraade": Satsingsomraade.history.filter(tema_id__in=tema_ids),
        "tiltak": Tiltak.history.filter(program_id=programme_id),
        "ansvar": Ansvar.history.filter(tiltak_id__in=tiltak_ids),
    }


PROGRAMME_LOG_PAGE_SIZE = 50


def programme_history_page(
    *,
    programme: Handlingsprogram,
    page_number,
    per_page: int = PROGRAMME_LOG_PAGE_SIZE,
    viewer=None,
) -> Page:
    """One page of every change in the programme's tree, newest first. `page.object_list`
    is a list of HistoryEntry. About 20 queries at most, whatever the size of the history."""
    querysets = _programme_querysets(programme.pk)
    parts = [
        qs.annotate(kind=Value(KIND_CODES[kind], output_field=IntegerField()))
        .values_list("history_date", "kind", "history_id")
        .order_by()
        for kind, qs in querysets.items()
    ]
    keys = parts[0]
    for part in parts[1:]:
        keys = keys.union(part, all=True)
    keys = keys.order_by("-history_date", "-kind", "-history_id")
    page = Paginator(keys, per_page).get_page(page_number)
    page.object_list = _entries_for_keys(
        list(page.object_list), querysets, Labels(_visible_to(viewer))
    )
    return page


def _entries_for_keys(
    keys: list[tuple], querysets: dict[str, models.QuerySet], labels: Labels
) -> list:
    wanted: dict[str, list[int]] = defaultdict(list)
    for _date, code, history_id in keys:
        wanted[KIND_BY_CODE[code]].append(history_id)

    rows: dict[str, list] = {}
    prevs: dict[str, dict[int, Any]] = {}
    for kind, history_ids in wanted.items():
        history_model = _history_model(kind)
        earlier = (
            history_model.objects.filter(id=OuterRef("id"))
            .filter(
                Q(history_date__lt=OuterRef("history_date"))
                | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
            )
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        rows[kind] = list(
            history_model.objects.filter(history_id__in=history_ids)
            .select_related("history_user__organisasjon")
            .annotate(prev_history_id=Subquery(earlier))
        )
        prev_ids = [r.prev_history_id for r in rows[kind] if r.prev_history_id]
        prevs[kind] = (
            {p.history_id: p for p in history_model.objects.filter(history_id__in=prev_ids)}
            if prev_ids
            else {}
        )

    for kind, kind_rows in rows.items():
        for row in kind_rows:
            prev = prevs[kind].get(row.prev_history_id)
            labels.want_entry(kind, row, prev, object_label=True)
    labels.load()

    plan_changes = _plan_changes(rows.get("programme", []), prevs.get("programme", {}))
    entries = []
    for kind, kind_rows in rows.items():
        for row in kind_rows:
            entry = _entry(kind, row, prevs[kind].get(row.prev_history_id), labels)
            if kind == "programme" and row.history_id in plan_changes:
                entry.changes.append(plan_changes[row.history_id])
            entries.append(entry)
    return _newest_first(entries)


def _plan_changes(rows: list, prevs: dict[int, Any]) -> dict[int, FieldChange]:
    """The regional plans a programme serves are a many-to-many field, kept by simple-history
    as a snapshot per programme row. One query for the page."""
    changed = [r for r in rows if r.history_type == CHANGED and r.prev_history_id in prevs]
    if not changed:
        return {}
    through = apps.get_model("tiltak", "HistoricalHandlingsprogram_planer")
    history_ids = {r.history_id for r in changed} | {r.prev_history_id for r in changed}
    snapshot: dict[int, set[str]] = defaultdict(set)
    names: dict[int, str] = {}
    for m2m in through.objects.filter(history_id__in=history_ids).select_related("regionalplan"):
        if m2m.regionalplan is not None:
            snapshot[m2m.history_id].add(m2m.regionalplan.navn)
            names[m2m.regionalplan_id] = m2m.regionalplan.navn
    label = str(Handlingsprogram._meta.get_field("planer").verbose_name)
    result = {}
    for r in changed:
        old, new = snapshot[r.prev_history_id], snapshot[r.history_id]
        if old != new:
            result[r.history_id] = FieldChange(
                "planer", label, "; ".join(sorted(old)), "; ".join(sorted(new))
            )
    return result


# --- Status history of a programme ---------------------------------------------------------


@dataclass
class StatusChange(ActedBy):
    date: datetime.datetime
    user: Any
    old: str
    new: str
    reason: str


def programme_status_history(*, programme: Handlingsprogram) -> list[StatusChange]:
    """Every status the programme has had, newest first, with who moved it and why. One
    query: the programme's own history rows are few (one per edit of its own fields)."""
    rows = (
        Handlingsprogram.history.filter(id=programme.pk)
        .select_related("history_user__organisasjon")
        .order_by("history_date", "history_id")
    )
    labels = dict(Handlingsprogram._meta.get_field("status").flatchoices)
    changes: list[StatusChange] = []
    previous = None
    for row in rows:
        if row.status != previous:
            changes.append(
                StatusChange(
                    date=row.history_date,
                    user=row.history_user,
                    old=str(labels.get(previous, previous or "")),
                    new=str(labels.get(row.status, row.status)),
                    reason=row.history_change_reason or "",
                )
            )
            previous = row.status
    return list(reversed(changes))


# --- What a restore would change ------------------------------------------------------------


@dataclass
class PartyChange:
    party: str
    role: str
    action: str  # added | removed


@dataclass
class RestorePreview(ActedBy):
    date: datetime.datetime
    user: Any
    versjon: int
    changes: list[FieldChange]  # current → as in that version
    parties: list[PartyChange]
    party_count: int = 0  # the parties the tiltak has now
    is_baseline: bool = False  # the demo loader's «Innlest fra kilden»

    @property
    def removed(self) -> list[PartyChange]:
        return [p for p in self.parties if p.action == "removed"]

    @property
    def added(self) -> list[PartyChange]:
        return [p for p in self.parties if p.action == "added"]

    @property
    def removed_text(self) -> str:
        return _party_list(self.removed)

    @property
    def added_text(self) -> str:
        return _party_list(self.added)

    @property
    def removes_every_party(self) -> bool:
        """The version has no parties and the tiltak has: restoring it leaves none, which
        `tiltak_restore` does only when told so explicitly."""
        return self.party_count > 0 and len(self.removed) == self.party_count and not self.added


def _party_list(parties: list[PartyChange]) -> str:
    """«Universitetet i Sørøst-Norge (hovedansvar), Regionrådet for Hallingdal (samarbeidspart)»"""
    return ", ".join(f"{p.party} ({p.role.lower()})" for p in parties)


def tiltak_restore_preview(*, tiltak: Tiltak, history_id: int) -> RestorePreview | None:
    """What restoring history row `history_id` would change, field by field and party by
    party (which parties it removes and which it adds, and whether it removes every one);
    None when the row is not a version of this tiltak. A fixed number of queries."""
    from tiltak.services.history import NOT_RESTORED, parties_as_of

    record = (
        Tiltak.history.filter(id=tiltak.pk, history_id=history_id)
        .select_related("history_user__organisasjon")
        .first()
    )
    if record is None:
        return None
    labels = Labels()
    labels.want_row(record, Tiltak)
    labels.want_row(tiltak, Tiltak)
    current_parties = list(Ansvar.objects.filter(tiltak=tiltak))
    target_parties = parties_as_of(tiltak_id=tiltak.pk, when=record.history_date)
    for a in [*current_parties, *target_parties]:
        labels.wanted[Organisasjon].add(a.organisasjon_id)
    labels.load()

    changes = []
    for f in Tiltak._meta.concrete_fields:
        if f.name in NOT_RESTORED:
            continue
        old, new = getattr(tiltak, f.attname), getattr(record, f.attname)
        if old != new:
            changes.append(
                FieldChange(
                    f.name, str(f.verbose_name), _display(f, old, labels), _display(f, new, labels)
                )
            )
    now = {(a.organisasjon_id, a.rolle) for a in current_parties}
    then = {(a.organisasjon_id, a.rolle) for a in target_parties}

    def party(key, action):
        org_id, rolle = key
        role = str(Rolle(rolle).label) if rolle in Rolle.values else rolle
        return PartyChange(labels.label(Organisasjon, org_id), role, action)

    # Leads before collaborators, as everywhere else; then by name.
    def order(key, action):
        org_id, rolle = key
        rank = Rolle.values.index(rolle) if rolle in Rolle.values else len(Rolle.values)
        return (action, rank, labels.label(Organisasjon, org_id))

    changed = [(k, "added") for k in then - now] + [(k, "removed") for k in now - then]
    parties = [party(k, action) for k, action in sorted(changed, key=lambda c: order(*c))]
    return RestorePreview(
        date=record.history_date,
        user=record.history_user,
        versjon=record.versjon,
        changes=changes,
        parties=parties,
        party_count=len(now),
        is_baseline=_is_baseline(record),
    )


# --- Deleted tiltak of a programme ----------------------------------------------------------


@dataclass
class DeletedTiltak(ActedBy):
    tiltak: Tiltak
    user: Any  # who deleted it (Bruker), or None
    number_taken: bool  # another tiltak has its number now: restored, it gets the next free one


def deleted_tiltak(*, programme: Handlingsprogram) -> list[DeletedTiltak]:
    """The programme's soft-deleted tiltak (kept because they have history or other records),
    most recently deleted first, with who deleted them and whether their number has been taken
    since. Three queries whatever their number."""
    from django.contrib.auth import get_user_model

    deleted_by = (
        Tiltak.history.filter(id=OuterRef("pk"), slettet=OuterRef("slettet"))
        .order_by("history_date", "history_id")
        .values("history_user_id")[:1]
    )
    rows = list(
        Tiltak.alle.filter(program=programme, slettet__isnull=False)
        .select_related("tema", "delmaal", "satsingsomraade")
        .annotate(slettet_av_id=Subquery(deleted_by))
        .order_by("-slettet", "-id")
    )
    users = (
        get_user_model()
        .objects.select_related("organisasjon")
        .in_bulk({t.slettet_av_id for t in rows if t.slettet_av_id})
    )
    numbered = [t for t in rows if t.nummer is not None]
    taken = set(
        Tiltak.objects.filter(
            tema_id__in={t.tema_id for t in numbered}, nummer__in={t.nummer for t in numbered}
        ).values_list("tema_id", "nummer")
    )
    return [
        DeletedTiltak(
            tiltak=t,
            user=users.get(t.slettet_av_id),
            number_taken=(t.tema_id, t.nummer) in taken,
        )
        for t in rows
    ]
