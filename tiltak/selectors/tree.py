"""A programme's whole hierarchy tema → delmål → satsingsområde → tiltak."""

from collections import OrderedDict
from dataclasses import dataclass, field

from tiltak.models import Delmaal, Handlingsprogram, Satsingsomraade, Tema, Tiltak

from .programmes import ansvar_prefetch


@dataclass
class SatsingsomraadeNode:
    satsingsomraade: Satsingsomraade | None
    tiltak: list[Tiltak] = field(default_factory=list)


@dataclass
class DelmaalNode:
    delmaal: Delmaal | None
    satsingsomraader: list[SatsingsomraadeNode] = field(default_factory=list)

    @property
    def antall_tiltak(self) -> int:
        return sum(len(s.tiltak) for s in self.satsingsomraader)


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
    satsingsomraader = list(
        Satsingsomraade.objects.filter(tema__program=programme).order_by("rekkefoelge", "id")
    )
    tiltak = list(
        Tiltak.objects.filter(program=programme)
        .select_related("tema")
        .prefetch_related(ansvar_prefetch())
        .order_by("rekkefoelge", "id")
    )

    tree: OrderedDict[int, TemaNode] = OrderedDict((t.id, TemaNode(t)) for t in temaer)
    delmaal_nodes: dict[tuple[int, int | None], DelmaalNode] = {}
    satsingsomraade_nodes: dict[tuple[int, int | None, int | None], SatsingsomraadeNode] = {}

    def delmaal_node(tema_id: int, d: Delmaal | None) -> DelmaalNode:
        key = (tema_id, d.id if d else None)
        if key not in delmaal_nodes:
            delmaal_nodes[key] = DelmaalNode(d)
            tree[tema_id].delmaal.append(delmaal_nodes[key])
        return delmaal_nodes[key]

    def satsingsomraade_node(
        tema_id: int, delmaal_id: int | None, s: Satsingsomraade | None
    ) -> SatsingsomraadeNode:
        key = (tema_id, delmaal_id, s.id if s else None)
        if key not in satsingsomraade_nodes:
            satsingsomraade_nodes[key] = SatsingsomraadeNode(s)
            d = delmaal_by_id.get(delmaal_id) if delmaal_id else None
            delmaal_node(tema_id, d).satsingsomraader.append(satsingsomraade_nodes[key])
        return satsingsomraade_nodes[key]

    delmaal_by_id = {d.id: d for d in delmaal}
    for d in delmaal:
        delmaal_node(d.tema_id, d)
    for s in satsingsomraader:
        satsingsomraade_node(s.tema_id, s.delmaal_id, s)
    satsing_by_id = {s.id: s for s in satsingsomraader}
    for t in tiltak:
        satsing = satsing_by_id.get(t.satsingsomraade_id)
        satsingsomraade_node(t.tema_id, t.delmaal_id, satsing).tiltak.append(t)
    # Tiltak without satsingsområde go first within their delmål, as in the source tables.
    for node in tree.values():
        for dnode in node.delmaal:
            dnode.satsingsomraader.sort(key=lambda sn: sn.satsingsomraade is not None)
    return list(tree.values())
