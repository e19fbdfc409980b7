"""Every read the pages, the API and the benchmark need, with a query count that does not
grow with the data (select_related/prefetch_related, no per-row lookups)."""

from collections import OrderedDict
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q, QuerySet

from partnerskap.models import Organisasjon
from partnerskap.rules import is_administrator, is_board_member, is_planner

from .models import (
    PUBLIC_STATUSES,
    Ansvar,
    Delmaal,
    Handlingsprogram,
    Rolle,
    Satsingsomraade,
    Tema,
    Tiltak,
)


def _ansvar_prefetch() -> Prefetch:
    return Prefetch(
        "ansvar",
        queryset=Ansvar.objects.select_related("organisasjon").order_by(
            "rolle", "rekkefoelge", "id"
        ),
    )


def programme_list(*, programmes: QuerySet[Handlingsprogram]) -> QuerySet[Handlingsprogram]:
    return (
        programmes.select_related("eier", "forrige_versjon")
        .prefetch_related("planer")
        .annotate(
            antall_tiltak=Count("tiltak", filter=Q(tiltak__slettet__isnull=True), distinct=True),
            antall_temaer=Count("temaer", distinct=True),
        )
        .order_by("-start_aar", "navn")
    )


@dataclass
class SatsingNode:
    satsingsomraade: Satsingsomraade | None
    tiltak: list[Tiltak] = field(default_factory=list)


@dataclass
class DelmaalNode:
    delmaal: Delmaal | None
    satsinger: list[SatsingNode] = field(default_factory=list)

    @property
    def antall_tiltak(self) -> int:
        return sum(len(s.tiltak) for s in self.satsinger)


@dataclass
class TemaNode:
    tema: Tema
    delmaal: list[DelmaalNode] = field(default_factory=list)

    @property
    def antall_tiltak(self) -> int:
        return sum(d.antall_tiltak for d in self.delmaal)


def programme_tree(*, programme: Handlingsprogram) -> list[TemaNode]:
    """The whole hierarchy tema → delmål → satsingsområde → tiltak in five queries.

    Levels a programme does not use (seed 001 has no delmål, some tiltak have no
    satsingsområde) appear as a node whose object is None, so templates skip the heading
    rather than show an empty dummy level.
    """
    temaer = list(
        Tema.objects.filter(program=programme).select_related("ansvarlig").order_by("nummer")
    )
    delmaal = list(Delmaal.objects.filter(tema__program=programme).order_by("rekkefoelge", "id"))
    satsinger = list(
        Satsingsomraade.objects.filter(tema__program=programme).order_by("rekkefoelge", "id")
    )
    tiltak = list(
        Tiltak.objects.filter(program=programme)
        .select_related("tema")
        .prefetch_related(_ansvar_prefetch())
        .order_by("rekkefoelge", "id")
    )

    tree: OrderedDict[int, TemaNode] = OrderedDict((t.id, TemaNode(t)) for t in temaer)
    delmaal_nodes: dict[tuple[int, int | None], DelmaalNode] = {}
    satsing_nodes: dict[tuple[int, int | None, int | None], SatsingNode] = {}

    def delmaal_node(tema_id: int, d: Delmaal | None) -> DelmaalNode:
        key = (tema_id, d.id if d else None)
        if key not in delmaal_nodes:
            delmaal_nodes[key] = DelmaalNode(d)
            tree[tema_id].delmaal.append(delmaal_nodes[key])
        return delmaal_nodes[key]

    def satsing_node(
        tema_id: int, delmaal_id: int | None, s: Satsingsomraade | None
    ) -> SatsingNode:
        key = (tema_id, delmaal_id, s.id if s else None)
        if key not in satsing_nodes:
            satsing_nodes[key] = SatsingNode(s)
            d = delmaal_by_id.get(delmaal_id) if delmaal_id else None
            delmaal_node(tema_id, d).satsinger.append(satsing_nodes[key])
        return satsing_nodes[key]

    delmaal_by_id = {d.id: d for d in delmaal}
    for d in delmaal:
        delmaal_node(d.tema_id, d)
    for s in satsinger:
        satsing_node(s.tema_id, s.delmaal_id, s)
    satsing_by_id = {s.id: s for s in satsinger}
    for t in tiltak:
        s = satsing_by_id.get(t.satsingsomraade_id)
        satsing_node(t.tema_id, t.delmaal_id, s).tiltak.append(t)
    # Tiltak without satsingsområde go first within their delmål, as in the source tables.
    for node in tree.values():
        for dnode in node.delmaal:
            dnode.satsinger.sort(key=lambda sn: sn.satsingsomraade is not None)
    return list(tree.values())


def tiltak_list(*, queryset: QuerySet[Tiltak]) -> QuerySet[Tiltak]:
    return (
        queryset.select_related("program", "tema", "delmaal", "satsingsomraade")
        .prefetch_related(_ansvar_prefetch())
        .order_by(
            "program__start_aar",
            "program_id",
            "tema__nummer",
            F("nummer").asc(nulls_last=True),
            "id",
        )
    )


def tiltak_detail(*, queryset: QuerySet[Tiltak], pk: int) -> Tiltak:
    return (
        queryset.select_related(
            "program", "program__eier", "tema", "tema__ansvarlig", "delmaal", "satsingsomraade"
        )
        .prefetch_related(_ansvar_prefetch())
        .get(pk=pk)
    )


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


@dataclass
class AnsvarTema:
    tema: Tema
    rader: list[tuple[Tiltak, list[str]]] = field(default_factory=list)


@dataclass
class AnsvarProgram:
    program: Handlingsprogram
    temaer: list[AnsvarTema] = field(default_factory=list)
    antall_hovedansvar: int = 0
    antall_samarbeid: int = 0

    @property
    def antall_tiltak(self) -> int:
        return sum(len(t.rader) for t in self.temaer)


@dataclass
class OrganisasjonAnsvar:
    programmer: list[AnsvarProgram]
    antall_hovedansvar: int
    antall_samarbeid: int

    @property
    def antall_tiltak(self) -> int:
        return sum(p.antall_tiltak for p in self.programmer)


def organisasjon_ansvar(
    *, organisasjon: Organisasjon, programmes: QuerySet[Handlingsprogram]
) -> OrganisasjonAnsvar:
    """Every tiltak where the organisation leads or collaborates, grouped by programme and
    tema, with its roles in each. One query for the roles, one for the other parties."""
    roles = list(
        Ansvar.objects.filter(
            organisasjon=organisasjon,
            tiltak__program__in=programmes,
            tiltak__slettet__isnull=True,
        )
        .select_related("tiltak", "tiltak__tema", "tiltak__program", "tiltak__delmaal")
        .order_by(
            "-tiltak__program__start_aar",
            "tiltak__program_id",
            "tiltak__tema__nummer",
            "tiltak__rekkefoelge",
            "tiltak_id",
            "rolle",
        )
    )
    tiltak_ids = {a.tiltak_id for a in roles}
    others = (
        Ansvar.objects.filter(tiltak_id__in=tiltak_ids)
        .select_related("organisasjon")
        .order_by("rolle", "rekkefoelge", "id")
    )
    parties: dict[int, list[Ansvar]] = {}
    for a in others:
        parties.setdefault(a.tiltak_id, []).append(a)

    programmer: OrderedDict[int, AnsvarProgram] = OrderedDict()
    rows: dict[int, tuple[Tiltak, list[str]]] = {}
    total_lead = total_collab = 0
    for a in roles:
        t = a.tiltak
        t.parter = parties.get(t.id, [])
        prog = programmer.setdefault(t.program_id, AnsvarProgram(t.program))
        if not prog.temaer or prog.temaer[-1].tema.id != t.tema_id:
            prog.temaer.append(AnsvarTema(t.tema))
        if t.id not in rows:
            rows[t.id] = (t, [])
            prog.temaer[-1].rader.append(rows[t.id])
        rows[t.id][1].append(a.rolle)
        if a.rolle == Rolle.HOVEDANSVAR:
            prog.antall_hovedansvar += 1
            total_lead += 1
        else:
            prog.antall_samarbeid += 1
            total_collab += 1
    return OrganisasjonAnsvar(list(programmer.values()), total_lead, total_collab)


def visible_programmes(user) -> QuerySet[Handlingsprogram]:
    """The programmes this user may read, as a queryset: the same rule as the permission
    `tiltak.view_programme` (tiltak/rules.py), which a test checks object by object."""
    if is_administrator(user) or is_board_member(user):
        return Handlingsprogram.objects.all()
    public = Q(status__in=PUBLIC_STATUSES)
    if is_planner(user) and user.organisasjon_id:
        return Handlingsprogram.objects.filter(public | Q(eier_id=user.organisasjon_id))
    return Handlingsprogram.objects.filter(public)
