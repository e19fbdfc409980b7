"""Copying a programme's tree (tema → delmål → satsingsområde → tiltak, and the tiltak's
parties) into another programme with bulk inserts, a handful of queries per level whatever the
size. Used by rolling (rolling.programme_roll, which checks the permission) and by the synthetic
data for query budgets and benchmarks (tiltak/synthetic.py). Not a service of its own: it checks
no permission and leaves the target programme's own fields alone."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from tiltak.models import Ansvar, Delmaal, Handlingsprogram, Satsingsomraade, Tema, Tiltak

# Set by copy_tree itself: placement, links to the predecessor, the outcome of rolling, the
# version (a copy starts at 1) and deletion (deleted tiltak are not copied).
_TILTAK_NOT_COPIED = frozenset(
    {
        "id",
        "program",
        "tema",
        "delmaal",
        "satsingsomraade",
        "forgjenger",
        "utfall",
        "slaatt_sammen_med",
        "versjon",
        "slettet",
        "slettet_grunn",
    }
)


@dataclass(frozen=True)
class CopiedTree:
    """Old id -> new id, per level."""

    temaer: dict[int, int]
    delmaal: dict[int, int]
    satsinger: dict[int, int]
    tiltak: dict[int, int]


def copy_tree(
    *,
    source: Handlingsprogram,
    target: Handlingsprogram,
    link_predecessors: bool = True,
    actor=None,
    reason: str = "",
    record_history: bool = True,
) -> CopiedTree:
    """Copy every tema, delmål, satsingsområde and tiltak that is not deleted from `source`
    into `target`, with the tiltak's parties (order and text as written kept).

    Numbers, order and texts are kept. A copied tiltak starts at version 1 with no outcome of
    rolling; one whose years were exactly the source's period gets the target's period, other
    years (longer or shorter runs) stay. With `link_predecessors`, every copy's `forgjenger`
    points to its original (rolling). With `record_history`, every new row gets a history row
    by `actor` with `reason`; without, none (synthetic data)."""

    # One time for every history row of the copy: a tiltak's row is written before its
    # parties', and a restore to it must find them (history_date <= its own).
    when = timezone.now()

    def bulk(objs: list, model) -> list:
        if record_history:
            return bulk_create_with_history(
                objs, model, default_user=actor, default_change_reason=reason, default_date=when
            )
        return model.objects.bulk_create(objs)

    def link(old) -> int | None:
        return old.id if link_predecessors else None

    temaer = list(Tema.objects.filter(program=source).order_by("nummer", "id"))
    new_temaer = bulk(
        [
            Tema(
                program=target,
                nummer=t.nummer,
                navn=t.navn,
                etikett=t.etikett,
                overordnet_maal=t.overordnet_maal,
                ansvarlig_id=t.ansvarlig_id,
                ansvarlig_tekst=t.ansvarlig_tekst,
                forgjenger_id=link(t),
            )
            for t in temaer
        ],
        Tema,
    )
    tema_map = {old.id: n.id for old, n in zip(temaer, new_temaer, strict=True)}

    delmaal = list(Delmaal.objects.filter(tema__program=source).order_by("id"))
    new_delmaal = bulk(
        [
            Delmaal(
                tema_id=tema_map[d.tema_id],
                nummer=d.nummer,
                navn=d.navn,
                smarte_maal=d.smarte_maal,
                rekkefoelge=d.rekkefoelge,
                forgjenger_id=link(d),
            )
            for d in delmaal
        ],
        Delmaal,
    )
    delmaal_map = {old.id: n.id for old, n in zip(delmaal, new_delmaal, strict=True)}

    satsinger = list(Satsingsomraade.objects.filter(tema__program=source).order_by("id"))
    new_satsinger = bulk(
        [
            Satsingsomraade(
                tema_id=tema_map[s.tema_id],
                delmaal_id=delmaal_map.get(s.delmaal_id) if s.delmaal_id else None,
                navn=s.navn,
                prioritert_handling=s.prioritert_handling,
                rekkefoelge=s.rekkefoelge,
                forgjenger_id=link(s),
            )
            for s in satsinger
        ],
        Satsingsomraade,
    )
    satsing_map = {old.id: n.id for old, n in zip(satsinger, new_satsinger, strict=True)}

    old_period = (source.start_aar, source.slutt_aar)
    copied_fields = [
        f.attname for f in Tiltak._meta.concrete_fields if f.name not in _TILTAK_NOT_COPIED
    ]
    tiltak = list(Tiltak.objects.filter(program=source).order_by("id"))
    new_tiltak = []
    for t in tiltak:
        copy = Tiltak(**{name: getattr(t, name) for name in copied_fields})
        copy.program_id = target.id
        copy.tema_id = tema_map[t.tema_id]
        copy.delmaal_id = delmaal_map.get(t.delmaal_id)
        copy.satsingsomraade_id = satsing_map.get(t.satsingsomraade_id)
        copy.forgjenger_id = link(t)
        copy.versjon = 1
        if (t.start_aar, t.slutt_aar) == old_period:
            copy.start_aar, copy.slutt_aar = target.start_aar, target.slutt_aar
        new_tiltak.append(copy)
    new_tiltak = bulk(new_tiltak, Tiltak)
    tiltak_map = {old.id: n.id for old, n in zip(tiltak, new_tiltak, strict=True)}

    ansvar = Ansvar.objects.filter(tiltak_id__in=tiltak_map.keys()).order_by("id")
    bulk(
        [
            Ansvar(
                tiltak_id=tiltak_map[a.tiltak_id],
                organisasjon_id=a.organisasjon_id,
                rolle=a.rolle,
                rekkefoelge=a.rekkefoelge,
                tekst_som_skrevet=a.tekst_som_skrevet,
            )
            for a in ansvar
        ],
        Ansvar,
    )
    return CopiedTree(
        temaer=tema_map, delmaal=delmaal_map, satsinger=satsing_map, tiltak=tiltak_map
    )
