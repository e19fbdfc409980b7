"""Organisations and the tiltak each leads or collaborates on («Ansvar»), directly or through
the groups it belongs to ("Regionrådene" ∋ Regionrådet for Hallingdal)."""

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Count, Q, QuerySet

from partnerskap.models import Organisasjon
from partnerskap.selectors import Grupperelasjoner, Gruppetilhoerighet, fold, organisasjon_grupper
from tiltak.models import Ansvar, Handlingsprogram, Rolle, Tema, Tiltak


def organisasjon_list(*, programmes: QuerySet[Handlingsprogram]) -> QuerySet[Organisasjon]:
    """Organisations with their number of lead and collaborator roles in the given programmes."""
    in_scope = Q(ansvar__tiltak__program__in=programmes, ansvar__tiltak__slettet__isnull=True)
    return (
        Organisasjon.objects.select_related("region")
        .annotate(
            antall_hovedansvar=Count(
                "ansvar", filter=in_scope & Q(ansvar__rolle=Rolle.HOVEDANSVAR), distinct=True
            ),
            antall_samarbeid=Count(
                "ansvar", filter=in_scope & Q(ansvar__rolle=Rolle.SAMARBEIDSPART), distinct=True
            ),
        )
        .order_by("navn")
    )


class GruppeRolle(NamedTuple):
    """A role that reaches the organisation through a group it belongs to."""

    rolle: str
    via: Gruppetilhoerighet  # .gruppe holds the role; .gjennom the groups in between

    @property
    def rolle_display(self) -> str:
        return str(Rolle(self.rolle).label)


@dataclass
class AnsvarRad:
    """One tiltak on the organisation's page: its own roles, the roles that reach it through
    its groups, and every party of the tiltak."""

    tiltak: Tiltak
    roller: list[str] = field(default_factory=list)  # the organisation's own roles
    via_grupper: list[GruppeRolle] = field(default_factory=list)
    parter: list[Ansvar] = field(default_factory=list)  # every party, the organisation included

    @property
    def direkte(self) -> bool:
        return bool(self.roller)

    @property
    def roller_via_grupper(self) -> set[str]:
        return {g.rolle for g in self.via_grupper}


@dataclass
class AnsvarTema:
    tema: Tema
    rader: list[AnsvarRad] = field(default_factory=list)


@dataclass
class AnsvarTall:
    """Counts of one programme or of all: tiltak with an own role (`direkte`), tiltak reached
    only through groups (`bare_via_grupper`); own roles and roles through groups by kind (a
    tiltak led through two groups counts once)."""

    direkte: int = 0
    bare_via_grupper: int = 0
    hovedansvar: int = 0
    samarbeid: int = 0
    hovedansvar_via_grupper: int = 0
    samarbeid_via_grupper: int = 0

    @property
    def tiltak(self) -> int:
        return self.direkte + self.bare_via_grupper

    @property
    def via_grupper(self) -> int:
        return self.hovedansvar_via_grupper + self.samarbeid_via_grupper

    def add(self, rad: AnsvarRad) -> None:
        if rad.direkte:
            self.direkte += 1
        else:
            self.bare_via_grupper += 1
        self.hovedansvar += rad.roller.count(Rolle.HOVEDANSVAR)
        self.samarbeid += rad.roller.count(Rolle.SAMARBEIDSPART)
        via = rad.roller_via_grupper
        self.hovedansvar_via_grupper += Rolle.HOVEDANSVAR in via
        self.samarbeid_via_grupper += Rolle.SAMARBEIDSPART in via


@dataclass
class AnsvarProgram:
    program: Handlingsprogram
    temaer: list[AnsvarTema] = field(default_factory=list)
    tall: AnsvarTall = field(default_factory=AnsvarTall)
    utvidet: bool = True  # shown in full (rows with their parties), or by its counts

    # The names the page and the tests have used since before groups: own roles.
    @property
    def antall_hovedansvar(self) -> int:
        return self.tall.hovedansvar

    @property
    def antall_samarbeid(self) -> int:
        return self.tall.samarbeid

    @property
    def antall_tiltak(self) -> int:
        return self.tall.tiltak

    @property
    def rader(self) -> list[AnsvarRad]:
        return [rad for t in self.temaer for rad in t.rader]


@dataclass
class OrganisasjonAnsvar:
    programmer: list[AnsvarProgram]
    grupper: Grupperelasjoner
    tall: AnsvarTall

    @property
    def antall_hovedansvar(self) -> int:
        return self.tall.hovedansvar

    @property
    def antall_samarbeid(self) -> int:
        return self.tall.samarbeid

    @property
    def antall_tiltak(self) -> int:
        return self.tall.tiltak


def _roles_in_scope(
    *, organisasjon: Organisasjon, grupper: Grupperelasjoner, programmes
) -> QuerySet[Ansvar]:
    return Ansvar.objects.filter(
        organisasjon_id__in=[organisasjon.pk, *grupper.gruppe_ids],
        tiltak__program__in=programmes,
        tiltak__slettet__isnull=True,
    )


def organisasjon_ansvar(
    *,
    organisasjon: Organisasjon,
    programmes: QuerySet[Handlingsprogram],
    grupper: Grupperelasjoner | None = None,
    collapse: bool = False,
    expanded: int | None = None,
) -> OrganisasjonAnsvar:
    """Every tiltak where the organisation leads or collaborates, directly or through a group
    it belongs to (nested groups included), grouped by programme and tema; each row says which
    roles are the organisation's own and which come through which group. Three queries
    whatever the data: the memberships (unless `grupper` is given), the roles, the parties.
    `collapse`: only one programme is shown in full (`expanded`, or else the first, the
    newest), the others by their counts; only its rows get their parties
    (AnsvarProgram.utvidet), so the page's cost is bounded by its largest programme."""
    if grupper is None:
        grupper = organisasjon_grupper(organisasjon=organisasjon)
    roles = list(
        _roles_in_scope(organisasjon=organisasjon, grupper=grupper, programmes=programmes)
        .select_related(
            "tiltak",
            "tiltak__tema",
            "tiltak__program",
            "tiltak__delmaal",
            "tiltak__satsingsomraade",
        )
        .order_by(
            "-tiltak__program__start_aar",
            "tiltak__program_id",
            "tiltak__tema__nummer",
            "tiltak__rekkefoelge",
            "tiltak_id",
            "rolle",
        )
    )
    if collapse and expanded is None and roles:
        expanded = roles[0].tiltak.program_id

    def shown(program_id: int) -> bool:
        return not collapse or program_id == expanded

    tiltak_ids = {a.tiltak_id for a in roles if shown(a.tiltak.program_id)}
    others = (
        Ansvar.objects.filter(tiltak_id__in=tiltak_ids)
        .select_related("organisasjon")
        .order_by("rolle", "rekkefoelge", "id")
    )
    parties: dict[int, list[Ansvar]] = {}
    for a in others:
        parties.setdefault(a.tiltak_id, []).append(a)

    group_order = {g.gruppe.pk: i for i, g in enumerate(grupper.grupper)}
    programmer: OrderedDict[int, AnsvarProgram] = OrderedDict()
    rows: dict[int, AnsvarRad] = {}
    for a in roles:
        t = a.tiltak
        prog = programmer.setdefault(
            t.program_id, AnsvarProgram(t.program, utvidet=shown(t.program_id))
        )
        if not prog.temaer or prog.temaer[-1].tema.id != t.tema_id:
            prog.temaer.append(AnsvarTema(t.tema))
        if t.id not in rows:
            rows[t.id] = AnsvarRad(t, parter=parties.get(t.id, []))
            prog.temaer[-1].rader.append(rows[t.id])
        if a.organisasjon_id == organisasjon.pk:
            rows[t.id].roller.append(a.rolle)
        else:
            via = grupper.via(a.organisasjon_id)
            assert via is not None  # the query asked for these groups only
            rows[t.id].via_grupper.append(GruppeRolle(a.rolle, via))
    total = AnsvarTall()
    for prog in programmer.values():
        for rad in prog.rader:
            rad.via_grupper.sort(key=lambda g: (group_order[g.via.gruppe.pk], g.rolle))
            prog.tall.add(rad)
            total.add(rad)
    return OrganisasjonAnsvar(list(programmer.values()), grupper, total)


class TiltakRoller(NamedTuple):
    """An organisation's roles in one tiltak: its own, and those through its groups."""

    roller: list[str]
    via_grupper: list[GruppeRolle]


def tiltak_roller(
    *, organisasjon: Organisasjon, grupper: Grupperelasjoner, tiltak: QuerySet[Tiltak] | list[int]
) -> dict[int, TiltakRoller]:
    """For each of `tiltak` (a queryset, used as a subquery, or ids) where the organisation has
    a role directly or through a group, that role: how a search by organisation marks its
    results. One query."""
    in_scope = [organisasjon.pk, *grupper.gruppe_ids]
    rows = (
        Ansvar.objects.filter(organisasjon_id__in=in_scope, tiltak__in=tiltak)
        .order_by("tiltak_id", "rolle")
        .values_list("tiltak_id", "organisasjon_id", "rolle")
    )
    group_order = {g.gruppe.pk: i for i, g in enumerate(grupper.grupper)}
    result: dict[int, TiltakRoller] = {}
    for tiltak_id, org_id, rolle in rows:
        entry = result.setdefault(tiltak_id, TiltakRoller([], []))
        if org_id == organisasjon.pk:
            entry.roller.append(rolle)
        else:
            via = grupper.via(org_id)
            assert via is not None
            entry.via_grupper.append(GruppeRolle(rolle, via))
    for entry in result.values():
        entry.via_grupper.sort(key=lambda g: (group_order[g.via.gruppe.pk], g.rolle))
    return result


# --- Parties as written in the source vs parties assigned ------------------------------------


@dataclass(frozen=True)
class SourceParties:
    """What the source document wrote for one role of a tiltak (`hovedansvar_tekst`,
    `samarbeidsparter_tekst`), beside the parties assigned (Ansvar rows, THE parties).
    `differs` is True when the source names parties that are not assigned, or the other way
    round: only then is the source text worth showing («The hearing draft said: …»)."""

    rolle: str
    text: str
    differs: bool


def _names(ansvar: Ansvar) -> set[str]:
    """Every way the source may have written this party: its text as written (one cell may
    name several parties: "USN; IN"), the organisation's name and its abbreviation."""
    names = {fold(part) for part in ansvar.tekst_som_skrevet.split(";")}
    names |= {fold(ansvar.organisasjon.navn), fold(ansvar.organisasjon.forkortelse)}
    return names - {""}


def source_parties(tiltak: Tiltak) -> dict[str, SourceParties]:
    """Per role ("hovedansvar", "samarbeidspart"), the source's text and whether the assigned
    parties differ from it. Reads the tiltak's prefetched parties (ansvar_prefetch): no query."""
    result = {}
    for rolle, text in (
        (Rolle.HOVEDANSVAR, tiltak.hovedansvar_tekst),
        (Rolle.SAMARBEIDSPART, tiltak.samarbeidsparter_tekst),
    ):
        written = {fold(part) for part in (text or "").split(";")} - {""}
        assigned = [_names(a) for a in tiltak.ansvar.all() if a.rolle == rolle]
        every_written_assigned = all(any(w in names for names in assigned) for w in written)
        every_assigned_written = all(names & written for names in assigned)
        differs = bool(written) and not (every_written_assigned and every_assigned_written)
        result[str(rolle)] = SourceParties(str(rolle), text or "", differs)
    return result
