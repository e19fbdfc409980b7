"""Every read of the board's dashboard, each in a constant number of queries whatever the size of
the programme (tests/rapportering/test_dashboard_budget.py grows it 10×).

- `status_per_tema`: how many tiltak of each tema have each status, and a red/amber/green
  roll-up (`COLOUR_RULE` says the rule in words; other apps' signals, e.g. the latest report,
  override a tiltak's colour: tiltak.extensions.register_tiltak_signal);
- `responsibility_grid`: organisation × tema, how many tiltak each leads and collaborates on;
- `changes_since`: new, changed, completed and deleted tiltak since a date, from the history.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from partnerskap.models import Gruppemedlemskap, Organisasjon
from tiltak.extensions import tiltak_signals
from tiltak.models import Ansvar, Handlingsprogram, Rolle, Tema, Tiltak, TiltakStatus

RED, AMBER, GREEN, NONE = "red", "amber", "green", "none"
COLOURS = (RED, AMBER, GREEN)
COLOUR_LABELS = {RED: _("Red"), AMBER: _("Amber"), GREEN: _("Green"), NONE: _("No measures")}

# A tiltak's own colour from its status; a discontinued tiltak is not counted.
STATUS_COLOUR: dict[str, str] = {
    TiltakStatus.UTSATT: RED,
    TiltakStatus.FORESLAATT: AMBER,
    TiltakStatus.PLANLAGT: AMBER,
    TiltakStatus.PAAGAAR: GREEN,
    TiltakStatus.GJENNOMFOERT: GREEN,
}
RED_SHARE = 0.25
AMBER_SHARE = 0.5

COLOUR_RULE = _(
    "Each measure is red when postponed, amber when proposed or planned (not started), green "
    "when in progress or completed; discontinued measures are not counted. A later report on "
    "a measure overrides the colour of its status. A theme is red when at least a quarter of "
    "its measures are red, amber when any is red or at least half are amber, and green "
    "otherwise."
)


def tiltak_colour(status: str) -> str | None:
    return STATUS_COLOUR.get(status)


def rollup(counts: Counter) -> str:
    """The colour of a group of tiltak from how many are red, amber and green."""
    total = counts[RED] + counts[AMBER] + counts[GREEN]
    if total == 0:
        return NONE
    if counts[RED] >= RED_SHARE * total:
        return RED
    if counts[RED] or counts[AMBER] >= AMBER_SHARE * total:
        return AMBER
    return GREEN


@dataclass
class TemaStatus:
    tema: Tema
    counts: dict[str, int]  # status → number of tiltak
    colours: Counter = field(default_factory=Counter)  # colour → number of tiltak

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def colour(self) -> str:
        return rollup(self.colours)

    @property
    def colour_label(self) -> str:
        return str(COLOUR_LABELS[self.colour])

    def status_cells(self) -> list[tuple[str, str, int]]:
        """(status value, label, count) in the order of TiltakStatus."""
        return [
            (value, str(label), self.counts.get(value, 0)) for value, label in TiltakStatus.choices
        ]

    def colour_cells(self) -> list[tuple[str, str, int]]:
        return [(c, str(COLOUR_LABELS[c]), self.colours.get(c, 0)) for c in COLOURS]


@dataclass
class ProgrammeStatus:
    temaer: list[TemaStatus]

    @property
    def totals(self) -> dict[str, int]:
        totals: Counter = Counter()
        for t in self.temaer:
            totals.update(t.counts)
        return dict(totals)

    @property
    def colours(self) -> Counter:
        totals: Counter = Counter()
        for t in self.temaer:
            totals.update(t.colours)
        return totals

    @property
    def colour(self) -> str:
        return rollup(self.colours)

    @property
    def colour_label(self) -> str:
        return str(COLOUR_LABELS[self.colour])

    @property
    def total(self) -> int:
        return sum(t.total for t in self.temaer)

    def status_totals(self) -> list[tuple[str, str, int]]:
        totals = self.totals
        return [(value, str(label), totals.get(value, 0)) for value, label in TiltakStatus.choices]

    def colour_totals(self) -> list[tuple[str, str, int]]:
        colours = self.colours
        return [(c, str(COLOUR_LABELS[c]), colours.get(c, 0)) for c in COLOURS]


def temaer_of(programme: Handlingsprogram) -> list[Tema]:
    return list(Tema.objects.filter(program=programme).order_by("nummer"))


def status_per_tema(
    *, programme: Handlingsprogram, temaer: list[Tema] | None = None
) -> ProgrammeStatus:
    """Counts of (tema, status) in one query, colours from the statuses and the registered
    signals (one id/status/tema list, plus whatever the signals cost)."""
    temaer = temaer if temaer is not None else temaer_of(programme)
    rows = Tiltak.objects.filter(program=programme).values_list("id", "tema_id", "status")
    signals = tiltak_signals(programme)
    counts: dict[int, Counter] = defaultdict(Counter)
    colours: dict[int, Counter] = defaultdict(Counter)
    for tiltak_id, tema_id, status in rows:
        counts[tema_id][status] += 1
        colour = signals.get(tiltak_id) or tiltak_colour(status)
        if colour in COLOURS:
            colours[tema_id][colour] += 1
    return ProgrammeStatus(
        [TemaStatus(t, dict(counts.get(t.id, {})), colours.get(t.id, Counter())) for t in temaer]
    )


def tiltak_with_colour(
    *, programme: Handlingsprogram, colour: str, tema: Tema | None = None
) -> list[Tiltak]:
    """The tiltak behind one colour count of `status_per_tema` (the dashboard's drill-down)."""
    queryset = Tiltak.objects.filter(program=programme).select_related("tema")
    if tema is not None:
        queryset = queryset.filter(tema=tema)
    signals = tiltak_signals(programme)
    return [
        t
        for t in queryset.order_by("tema__nummer", "nummer", "rekkefoelge", "id")
        if (signals.get(t.id) or tiltak_colour(t.status)) == colour
    ]


@dataclass
class GridRow:
    organisasjon: Organisasjon
    cells: list[tuple[Tema, int, int]]  # (tema, leads, collaborates on)
    medlemmer: int = 0  # members, when the organisation is a group

    @property
    def leads(self) -> int:
        return sum(c[1] for c in self.cells)

    @property
    def collaborates(self) -> int:
        return sum(c[2] for c in self.cells)


def responsibility_grid(
    *, programme: Handlingsprogram, temaer: list[Tema] | None = None
) -> list[GridRow]:
    """Organisation × tema: how many tiltak the organisation leads and collaborates on (its own
    responsibilities, not those of groups it belongs to: a group is a row of its own, marked,
    with its number of members). Three queries. Sorted by most led, then name."""
    temaer = temaer if temaer is not None else temaer_of(programme)
    rows = (
        Ansvar.objects.filter(tiltak__program=programme, tiltak__slettet__isnull=True)
        .values("organisasjon_id", "tiltak__tema_id", "rolle")
        .annotate(n=Count("tiltak_id", distinct=True))
    )
    counts: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in rows:
        index = 0 if row["rolle"] == Rolle.HOVEDANSVAR else 1
        counts[row["organisasjon_id"]][row["tiltak__tema_id"]][index] += row["n"]
    organisations = Organisasjon.objects.filter(pk__in=counts.keys()).order_by("navn")
    members = dict(
        Gruppemedlemskap.objects.filter(gruppe_id__in=counts.keys())
        .values("gruppe_id")
        .annotate(n=Count("medlem_id"))
        .values_list("gruppe_id", "n")
    )
    grid = [
        GridRow(
            organisasjon=o,
            cells=[(t, *counts[o.pk].get(t.id, (0, 0))) for t in temaer],
            medlemmer=members.get(o.pk, 0),
        )
        for o in organisations
    ]
    grid.sort(key=lambda r: (-r.leads, -r.collaborates, r.organisasjon.navn))
    return grid


@dataclass
class Change:
    tiltak_id: int
    label: str  # "3.11 Tittel" as it reads now (or when deleted)
    url: str
    when: datetime.datetime


@dataclass
class ChangesSince:
    since: datetime.datetime
    new: list[Change]
    changed: list[Change]
    completed: list[Change]
    deleted: list[Change]

    @property
    def total(self) -> int:
        return len(self.new) + len(self.changed) + len(self.completed) + len(self.deleted)


def changes_since(*, programme: Handlingsprogram, since: datetime.datetime) -> ChangesSince:
    """What happened to the programme's tiltak since `since`, from the history (four queries):

    - new: made since then (and not deleted);
    - completed: «Completed» now and not at `since` (its last history row before `since` had
      another status, or it did not exist);
    - deleted: deleted since then;
    - changed: any other tiltak saved since then, or whose parties changed since then.

    A tiltak is listed once, under the first of deleted, new, completed, changed that fits.
    Rows loaded in bulk without history are not seen (nothing to compare with)."""
    rows = list(
        Tiltak.history.filter(program_id=programme.pk, history_date__gte=since)
        .order_by("history_date", "history_id")
        .values("id", "history_type", "history_date", "status", "tittel")
    )
    ansvar_rows = list(
        Ansvar.history.filter(tiltak__program_id=programme.pk, history_date__gte=since).values_list(
            "tiltak_id", "history_date"
        )
    )
    ids = {r["id"] for r in rows} | {t for t, _ in ansvar_rows}
    current = {
        t.id: t for t in Tiltak.alle.filter(pk__in=ids, program=programme).select_related("tema")
    }
    before: dict[int, str] = {}
    for tiltak_id, status in (
        Tiltak.history.filter(id__in=ids, history_date__lt=since)
        .exclude(history_type="-")
        .order_by("id", "history_date", "history_id")
        .values_list("id", "status")
    ):
        before[tiltak_id] = status  # the last one before `since` stays

    latest: dict[int, datetime.datetime] = {}
    created, removed = set(), {}
    for r in rows:
        latest[r["id"]] = r["history_date"]
        if r["history_type"] == "+":
            created.add(r["id"])
        elif r["history_type"] == "-":
            removed[r["id"]] = r["tittel"]
    for tiltak_id, when in ansvar_rows:
        if tiltak_id not in latest or when > latest[tiltak_id]:
            latest[tiltak_id] = when

    result = ChangesSince(since=since, new=[], changed=[], completed=[], deleted=[])
    for tiltak_id in sorted(latest, key=lambda i: latest[i], reverse=True):
        tiltak = current.get(tiltak_id)
        if tiltak is None:  # removed for good: only its history tells what it was
            if tiltak_id in removed and tiltak_id not in created:
                result.deleted.append(Change(tiltak_id, removed[tiltak_id], "", latest[tiltak_id]))
            continue
        change = Change(
            tiltak_id=tiltak_id,
            label=str(tiltak),
            url=tiltak.get_absolute_url(),
            when=latest[tiltak_id],
        )
        if tiltak.slettet is not None:
            if tiltak.slettet >= since and tiltak_id not in created:
                change.url = ""  # a deleted tiltak has no page of its own
                result.deleted.append(change)
        elif tiltak_id in created and tiltak_id not in before:
            result.new.append(change)
        elif tiltak.status == TiltakStatus.GJENNOMFOERT and (
            before.get(tiltak_id) != TiltakStatus.GJENNOMFOERT
        ):
            result.completed.append(change)
        else:
            result.changed.append(change)
    return result


def drill_down_query(**params) -> str:
    """The query string of the tiltak search (tiltak/filters.py) for a dashboard number."""
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})
