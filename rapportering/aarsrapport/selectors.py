"""The annual report of a programme for a year: every table the page, the PDF, the .xlsx and the
API show, read in a constant number of queries (about a dozen, whatever the size).

The tiltak of a year are the programme's tiltak (not deleted) whose period covers it (no start
year or one at or before it; no end year or one at or after it). Tables:

- type × top level: tiltak per type (TiltakType, in its order; «no type» when any) and top-level
  number, with totals (seed 003's table);
- per top level and per delmål (tiltak without a delmål get a row of their own);
- status distribution: the status in the year's status reports that have been submitted or
  approved (drafts are the lead organisation's own), and the tiltak without one;
- change since the previous year, where the previous year is in the programme's period and has
  a reporting round: per top level and status distribution, then and now;
- collaboration: the share of tiltak with at least one collaborator, the organisations that
  lead and that collaborate on most tiltak, and the pairs of organisations that take part in
  the same tiltak most often (lead or collaborator);
- delmål with fewer than `threshold` tiltak;
- indicators against baseline and target: the value of the year for the whole area (or the
  latest before it), the year's target, whether it is met in the indicator's good direction.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations

from django.db.models import Count, Prefetch, Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rapportering.models import (
    Behandling,
    Indikator,
    Indikatormaal,
    Indikatorverdi,
    Rapporteringsrunde,
    RapportStatus,
    Retning,
    Statusrapport,
)
from tiltak.models import Ansvar, Delmaal, Handlingsprogram, Rolle, Tema, Tiltak, TiltakType

DEFAULT_THRESHOLD = 5
MAX_THRESHOLD = 1000
TOP = 10
COUNTED_STATES = (Behandling.INNSENDT, Behandling.GODKJENT)
NO_TYPE = ""
NOT_REPORTED = "ikke_rapportert"


def tiltak_of_year(programme: Handlingsprogram, year: int):
    return Tiltak.objects.filter(program=programme).filter(
        Q(start_aar__isnull=True) | Q(start_aar__lte=year),
        Q(slutt_aar__isnull=True) | Q(slutt_aar__gte=year),
    )


def type_label(value: str, language: str | None = None) -> str:
    """A type's label in the active language, or in `language`."""
    label = gettext_lazy("No type") if value == NO_TYPE else TiltakType(value).label
    if language is None:
        return str(label)
    with translation.override(language):
        return str(label)


def status_label(value: str) -> str:
    if value == NOT_REPORTED:
        return _("Not reported")
    return str(RapportStatus(value).label)


@dataclass
class DelmaalRow:
    tema: Tema
    delmaal: Delmaal | None
    antall: int
    forrige: int | None = None

    @property
    def key(self) -> str:
        if self.delmaal is None:
            return f"{self.tema.nummer} –"
        return self.delmaal.nummer or self.delmaal.navn

    @property
    def navn(self) -> str:
        return self.delmaal.navn if self.delmaal else _("Without a sub-goal")


@dataclass
class OrgCount:
    id: int
    navn: str
    antall: int


@dataclass
class PairCount:
    a: OrgCount
    b: OrgCount
    antall: int


@dataclass
class Samarbeid:
    total: int = 0
    med_samarbeidspart: int = 0
    hovedansvar: list[OrgCount] = field(default_factory=list)
    samarbeidsparter: list[OrgCount] = field(default_factory=list)
    par: list[PairCount] = field(default_factory=list)

    @property
    def andel(self) -> float | None:
        return self.med_samarbeidspart / self.total if self.total else None

    @property
    def prosent(self) -> str:
        return "–" if self.andel is None else f"{round(100 * self.andel)} %"


@dataclass
class IndikatorRad:
    indikator: Indikator
    verdi_aar: int | None = None
    verdi: Decimal | None = None
    maal: Decimal | None = None

    @property
    def maal_naadd(self) -> bool | None:
        if self.verdi is None or self.maal is None or self.verdi_aar != self.aar:
            return None
        if self.indikator.retning == Retning.LAVERE:
            return self.verdi <= self.maal
        return self.verdi >= self.maal

    aar: int = 0


@dataclass
class Forrige:
    aar: int
    per_toppnivaa: dict[int, int]
    status: dict[str, int]


@dataclass
class Aarsrapport:
    programme: Handlingsprogram
    aar: int
    threshold: int
    temaer: list[Tema]
    total: int
    # type value -> tema number -> count
    type_x_toppnivaa: dict[str, dict[int, int]]
    per_toppnivaa: dict[int, int]
    per_delmaal: list[DelmaalRow]
    status: dict[str, int]
    forrige: Forrige | None
    samarbeid: Samarbeid
    indikatorer: list[IndikatorRad]

    @property
    def types(self) -> list[str]:
        return list(self.type_x_toppnivaa)

    @property
    def faa_tiltak(self) -> list[DelmaalRow]:
        return [r for r in self.per_delmaal if r.delmaal is not None and r.antall < self.threshold]

    def type_total(self, value: str) -> int:
        return sum(self.type_x_toppnivaa[value].values())


def _counts(programme: Handlingsprogram, year: int):
    """(type × tema, per tema, per (tema, delmål), total) of the tiltak of the year: one query."""
    rows = (
        tiltak_of_year(programme, year)
        .values("tema_id", "delmaal_id", "type")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_type: dict[tuple[str, int], int] = Counter()
    by_tema: dict[int, int] = Counter()
    by_delmaal: dict[tuple[int, int | None], int] = Counter()
    for r in rows:
        by_type[(r["type"] or NO_TYPE, r["tema_id"])] += r["n"]
        by_tema[r["tema_id"]] += r["n"]
        by_delmaal[(r["tema_id"], r["delmaal_id"])] += r["n"]
    return by_type, by_tema, by_delmaal


def _status(programme: Handlingsprogram, year: int, total: int) -> dict[str, int]:
    rows = (
        Statusrapport.objects.filter(
            aar=year, behandling__in=COUNTED_STATES, tiltak__in=tiltak_of_year(programme, year)
        )
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    found = {r["status"]: r["n"] for r in rows}
    result = {value: found.get(value, 0) for value in RapportStatus.values}
    result[NOT_REPORTED] = total - sum(result.values())
    return result


def _samarbeid(programme: Handlingsprogram, year: int, total: int) -> Samarbeid:
    rows = (
        Ansvar.objects.filter(tiltak__in=tiltak_of_year(programme, year))
        .values_list("tiltak_id", "organisasjon_id", "rolle", "organisasjon__navn")
        .order_by()
    )
    names: dict[int, str] = {}
    lead: Counter = Counter()
    collab: Counter = Counter()
    members: dict[int, set[int]] = {}
    with_collab: set[int] = set()
    for tiltak_id, org_id, rolle, navn in rows:
        names[org_id] = navn
        members.setdefault(tiltak_id, set()).add(org_id)
        if rolle == Rolle.HOVEDANSVAR:
            lead[org_id] += 1
        else:
            collab[org_id] += 1
            with_collab.add(tiltak_id)
    pairs: Counter = Counter()
    for orgs in members.values():
        for a, b in combinations(sorted(orgs, key=lambda o: (names[o].casefold(), o)), 2):
            pairs[(a, b)] += 1

    def top(counter: Counter) -> list[OrgCount]:
        ranked = sorted(counter.items(), key=lambda kv: (-kv[1], names[kv[0]].casefold()))
        return [OrgCount(o, names[o], n) for o, n in ranked[:TOP]]

    ranked_pairs = sorted(
        pairs.items(),
        key=lambda kv: (-kv[1], names[kv[0][0]].casefold(), names[kv[0][1]].casefold()),
    )
    return Samarbeid(
        total=total,
        med_samarbeidspart=len(with_collab),
        hovedansvar=top(lead),
        samarbeidsparter=top(collab),
        par=[
            PairCount(OrgCount(a, names[a], lead[a]), OrgCount(b, names[b], lead[b]), n)
            for (a, b), n in ranked_pairs[:TOP]
        ],
    )


def _indikatorer(programme: Handlingsprogram, year: int) -> list[IndikatorRad]:
    indikatorer = (
        Indikator.objects.filter(program=programme)
        .select_related("tema", "delmaal")
        .prefetch_related(
            Prefetch("maal", queryset=Indikatormaal.objects.filter(aar=year), to_attr="maal_aar"),
            Prefetch(
                "verdier",
                queryset=Indikatorverdi.objects.filter(
                    aar__lte=year, region__isnull=True, kommune__isnull=True
                ).order_by("-aar"),
                to_attr="verdier_til_aar",
            ),
        )
        .order_by("rekkefoelge", "id")
    )
    rows = []
    for ind in indikatorer:
        row = IndikatorRad(indikator=ind, aar=year)
        if ind.verdier_til_aar:
            row.verdi_aar, row.verdi = ind.verdier_til_aar[0].aar, ind.verdier_til_aar[0].verdi
        if ind.maal_aar:
            row.maal = ind.maal_aar[0].verdi
        rows.append(row)
    return rows


def annual_report(
    *, programme: Handlingsprogram, year: int, threshold: int = DEFAULT_THRESHOLD
) -> Aarsrapport:
    """The annual report of `programme` for `year` (module docstring). The caller checks that
    the user may see the programme and that the year is in its period."""
    temaer = list(Tema.objects.filter(program=programme).order_by("nummer"))
    delmaal = list(
        Delmaal.objects.filter(tema__program=programme).order_by(
            "tema__nummer", "rekkefoelge", "id"
        )
    )
    by_type, by_tema, by_delmaal = _counts(programme, year)
    total = sum(by_tema.values())
    types = list(TiltakType.values) + ([NO_TYPE] if any(k[0] == NO_TYPE for k in by_type) else [])
    type_x = {v: {t.nummer: by_type.get((v, t.pk), 0) for t in temaer} for v in types}
    per_tema = {t.nummer: by_tema.get(t.pk, 0) for t in temaer}

    previous_year = year - 1
    forrige = None
    prev_delmaal: dict[tuple[int, int | None], int] = {}
    if (
        previous_year >= programme.start_aar
        and Rapporteringsrunde.objects.filter(program=programme, aar=previous_year).exists()
    ):
        _pt, prev_tema, prev_delmaal = _counts(programme, previous_year)
        prev_total = sum(prev_tema.values())
        forrige = Forrige(
            aar=previous_year,
            per_toppnivaa={t.nummer: prev_tema.get(t.pk, 0) for t in temaer},
            status=_status(programme, previous_year, prev_total),
        )

    rows: list[DelmaalRow] = []
    delmaal_in: dict[int, list[Delmaal]] = {}
    for d in delmaal:
        delmaal_in.setdefault(d.tema_id, []).append(d)
    for t in temaer:
        for d in delmaal_in.get(t.pk, []):
            d.tema = t
            rows.append(
                DelmaalRow(
                    t,
                    d,
                    by_delmaal.get((t.pk, d.pk), 0),
                    prev_delmaal.get((t.pk, d.pk), 0) if forrige else None,
                )
            )
        without = by_delmaal.get((t.pk, None), 0)
        if without:
            rows.append(
                DelmaalRow(t, None, without, prev_delmaal.get((t.pk, None), 0) if forrige else None)
            )
    return Aarsrapport(
        programme=programme,
        aar=year,
        threshold=threshold,
        temaer=temaer,
        total=total,
        type_x_toppnivaa=type_x,
        per_toppnivaa=per_tema,
        per_delmaal=rows,
        status=_status(programme, year, total),
        forrige=forrige,
        samarbeid=_samarbeid(programme, year, total),
        indikatorer=_indikatorer(programme, year),
    )


def parse_threshold(value) -> int:
    """The «fewer than» of the query string (faerre_enn): empty is the default, else a whole
    number from 1 to MAX_THRESHOLD; anything else raises ValueError with a message."""
    if value is None or not str(value).strip():
        return DEFAULT_THRESHOLD
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_THRESHOLD:
        raise ValueError(
            _("“Fewer than” must be a whole number from 1 to %(max)s.") % {"max": MAX_THRESHOLD}
        )
    return int(text)


# --- The report as tables: one list for the page, the PDF and the .xlsx ------------------------


@dataclass
class Tabell:
    key: str  # also the sheet's name (short, ASCII) and the anchor on the page
    title: str
    columns: list[str]
    rows: list[list]
    footer: list | None = None
    note: str = ""

    @property
    def labelled_rows(self) -> list[list[tuple[str, object]]]:
        """Each row as (column, value) pairs: the cells' data-label on phones."""
        return [list(zip(self.columns, row, strict=False)) for row in self.rows]

    @property
    def labelled_footer(self) -> list[tuple[str, object]]:
        return list(zip(self.columns, self.footer or [], strict=False))


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return "–"
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def tables(report: Aarsrapport) -> list[Tabell]:
    """Every table of the report, headers and labels in the active language; numbers as numbers
    (the .xlsx keeps them numeric), other cells as text."""
    r = report
    level = r.programme.get_nivaa_betegnelse_display()
    tema_cols = [f"{level} {t.nummer}" for t in r.temaer]
    result = [
        Tabell(
            "type_x_toppnivaa",
            _("Measures by type and %(level)s") % {"level": level.lower()},
            [_("Type"), _("Total"), *tema_cols],
            [
                [
                    type_label(v),
                    r.type_total(v),
                    *(r.type_x_toppnivaa[v][t.nummer] for t in r.temaer),
                ]
                for v in r.types
            ],
            [_("Total"), r.total, *(r.per_toppnivaa[t.nummer] for t in r.temaer)],
        ),
    ]
    has_prev = r.forrige is not None
    delmaal_cols = [_("Sub-goal"), _("Name"), _("Measures")]
    if has_prev:
        delmaal_cols.append(str(r.forrige.aar))
    result.append(
        Tabell(
            "per_delmaal",
            _("Measures per sub-goal"),
            delmaal_cols,
            [
                [row.key, row.navn, row.antall, *([row.forrige] if has_prev else [])]
                for row in r.per_delmaal
            ],
            [
                _("Total"),
                "",
                r.total,
                *([sum(x.forrige or 0 for x in r.per_delmaal)] if has_prev else []),
            ],
        )
    )
    result.append(
        Tabell(
            "statusfordeling",
            _("Status of the measures"),
            [_("Status"), _("Measures")],
            [[status_label(k), n] for k, n in r.status.items()],
            [_("Total"), r.total],
            note=_("From the status reports for %(year)s that have been submitted or approved.")
            % {"year": r.aar},
        )
    )
    if r.forrige is not None:
        f = r.forrige
        rows = [
            [
                f"{level} {t.nummer}",
                f.per_toppnivaa.get(t.nummer, 0),
                r.per_toppnivaa[t.nummer],
                r.per_toppnivaa[t.nummer] - f.per_toppnivaa.get(t.nummer, 0),
            ]
            for t in r.temaer
        ]
        rows += [
            [status_label(k), f.status.get(k, 0), n, n - f.status.get(k, 0)]
            for k, n in r.status.items()
        ]
        result.append(
            Tabell(
                "endring",
                _("Change since %(year)s") % {"year": f.aar},
                ["", str(f.aar), str(r.aar), _("Change")],
                rows,
            )
        )
    s = r.samarbeid
    result.append(
        Tabell(
            "samarbeid",
            _("Collaboration"),
            ["", _("Value")],
            [
                [_("Measures"), s.total],
                [_("Measures with at least one collaborator"), s.med_samarbeidspart],
                [_("Share with at least one collaborator"), s.prosent],
            ],
        )
    )
    result.append(
        Tabell(
            "hovedansvar",
            _("Organisations leading most measures"),
            [_("Organisation"), _("Measures")],
            [[o.navn, o.antall] for o in s.hovedansvar],
        )
    )
    result.append(
        Tabell(
            "samarbeidsparter",
            _("Organisations collaborating on most measures"),
            [_("Organisation"), _("Measures")],
            [[o.navn, o.antall] for o in s.samarbeidsparter],
        )
    )
    result.append(
        Tabell(
            "par",
            _("Organisations working together most often"),
            [_("Organisation"), _("Organisation"), _("Measures together")],
            [[p.a.navn, p.b.navn, p.antall] for p in s.par],
        )
    )
    result.append(
        Tabell(
            "faa_tiltak",
            _("Sub-goals with fewer than %(n)s measures") % {"n": r.threshold},
            [_("Sub-goal"), _("Name"), _("Measures")],
            [[row.key, row.navn, row.antall] for row in r.faa_tiltak],
        )
    )
    result.append(
        Tabell(
            "indikatorer",
            _("Indicators against baseline and target"),
            [
                _("Indicator"),
                _("Unit"),
                _("Baseline"),
                _("Value"),
                _("Target %(year)s") % {"year": r.aar},
                _("Target met"),
            ],
            [
                [
                    i.indikator.navn
                    + (
                        f" ({_('example values, not statistics')})"
                        if i.indikator.eksempelverdier
                        else ""
                    ),
                    i.indikator.enhet,
                    f"{_fmt(i.indikator.basis_verdi)} ({i.indikator.basis_aar})"
                    if i.indikator.basis_aar
                    else "–",
                    f"{_fmt(i.verdi)} ({i.verdi_aar})" if i.verdi_aar else "–",
                    _fmt(i.maal),
                    {True: _("Yes"), False: _("No"), None: "–"}[i.maal_naadd],
                ]
                for i in r.indikatorer
            ],
        )
    )
    return result


# --- The report as JSON (GET /api/rapporter/<programme>/<year>/) -------------------------------


def _d(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def as_json(report: Aarsrapport) -> dict:
    """Machine keys: types by their bokmål label (as seed 003 names them), top levels and
    delmål by number, statuses by their code."""
    r = report
    s = r.samarbeid
    data = {
        "program": {
            "id": r.programme.pk,
            "navn": r.programme.navn,
            "start_aar": r.programme.start_aar,
            "slutt_aar": r.programme.slutt_aar,
        },
        "aar": r.aar,
        "antall_tiltak": r.total,
        "type_x_toppnivaa": {
            type_label(v, "nb"): {str(n): c for n, c in r.type_x_toppnivaa[v].items()}
            for v in r.types
        },
        "per_toppnivaa": {str(n): c for n, c in r.per_toppnivaa.items()},
        "per_delmaal": {row.key: row.antall for row in r.per_delmaal},
        "statusfordeling": dict(r.status),
        "endring_fra_forrige_aar": None,
        "samarbeid": {
            "antall_tiltak": s.total,
            "antall_med_samarbeidspart": s.med_samarbeidspart,
            "andel_med_samarbeidspart": None if s.andel is None else round(s.andel, 4),
            "flest_hovedansvar": [
                {"id": o.id, "navn": o.navn, "antall": o.antall} for o in s.hovedansvar
            ],
            "flest_samarbeid": [
                {"id": o.id, "navn": o.navn, "antall": o.antall} for o in s.samarbeidsparter
            ],
            "par": [
                {
                    "organisasjoner": [p.a.navn, p.b.navn],
                    "ider": [p.a.id, p.b.id],
                    "antall": p.antall,
                }
                for p in s.par
            ],
        },
        "delmaal_faerre_enn": {
            "grense": r.threshold,
            "delmaal": [
                {"nummer": row.key, "navn": row.navn, "antall": row.antall} for row in r.faa_tiltak
            ],
        },
        "indikatorer": [
            {
                "id": i.indikator.pk,
                "navn": i.indikator.navn,
                "enhet": i.indikator.enhet,
                "retning": i.indikator.retning,
                "eksempelverdier": i.indikator.eksempelverdier,
                "basis": {"aar": i.indikator.basis_aar, "verdi": _d(i.indikator.basis_verdi)},
                "verdi": {"aar": i.verdi_aar, "verdi": _d(i.verdi)},
                "maal": {"aar": r.aar, "verdi": _d(i.maal)},
                "maal_naadd": i.maal_naadd,
            }
            for i in r.indikatorer
        ],
    }
    if r.forrige is not None:
        f = r.forrige
        data["endring_fra_forrige_aar"] = {
            "aar": f.aar,
            "per_toppnivaa": {
                str(t.nummer): {
                    "forrige": f.per_toppnivaa.get(t.nummer, 0),
                    "i_aar": r.per_toppnivaa[t.nummer],
                }
                for t in r.temaer
            },
            "statusfordeling": {
                k: {"forrige": f.status.get(k, 0), "i_aar": n} for k, n in r.status.items()
            },
        }
    return data
