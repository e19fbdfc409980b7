"""What the answer pages read: «what concerns us» (the tiltak where the organisation, or a group
it belongs to, is proposed as lead or collaborator), the rest of the programme per tema, and the
answer's positions and proposals — in a fixed number of queries whatever the size of the
programme or the answer."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from partnerskap.models import Organisasjon
from partnerskap.selectors import organisasjon_grupper
from tiltak.models import Rolle, Tiltak
from tiltak.selectors.ansvar import GruppeRolle, tiltak_roller
from tiltak.selectors.tree import TemaNode, programme_tree

from ..deadlines import frist_for
from ..models import (
    Aktoerforslag,
    Hoering,
    Hoeringssvar,
    Standpunkt,
    SvarStatus,
    Tiltaksforslag,
)


@dataclass
class TiltakRad:
    """One tiltak on the answer page: the organisation's roles in it (own, through groups)."""

    tiltak: Tiltak
    roller: list[str] = field(default_factory=list)
    via_grupper: list[GruppeRolle] = field(default_factory=list)
    standpunkt: Standpunkt | None = None

    @property
    def alle_roller(self) -> set[str]:
        return set(self.roller) | {g.rolle for g in self.via_grupper}

    @property
    def rolle(self) -> str:
        """The role asked about: hovedansvar before samarbeidspart; '' when not named."""
        roles = self.alle_roller
        if Rolle.HOVEDANSVAR in roles:
            return Rolle.HOVEDANSVAR
        return Rolle.SAMARBEIDSPART if roles else ""

    @property
    def rolle_display(self) -> str:
        return str(Rolle(self.rolle).label) if self.rolle else ""

    @property
    def via(self) -> list[str]:
        """The names of the groups the role comes through (none when it is the org's own)."""
        if self.roller:
            return []
        names: list[str] = []
        for g in self.via_grupper:
            if g.via.gruppe.navn not in names:
                names.append(g.via.gruppe.navn)
        return names


@dataclass
class TemaRader:
    node: TemaNode
    rader: list[TiltakRad] = field(default_factory=list)


@dataclass
class SvarSide:
    hoering: Hoering
    organisasjon: Organisasjon
    angaar: list[TiltakRad]  # what concerns us, in programme order
    temaer: list[TemaRader]  # the rest of the programme, per tema
    antall_hovedansvar: int
    antall_samarbeid: int
    aktoerforslag: list[Aktoerforslag]
    tiltaksforslag: list[Tiltaksforslag]
    tiltak: dict[int, Tiltak]

    @property
    def alle_rader(self) -> list[TiltakRad]:
        return self.angaar + [r for t in self.temaer for r in t.rader]


def svar_side(
    *, hoering: Hoering, organisasjon: Organisasjon, svar: Hoeringssvar | None
) -> SvarSide:
    """Everything the answer page shows, in a constant number of queries: the programme tree
    (5), the organisation's groups (1) and roles (1), the answer's positions and proposals (3)."""
    tree = programme_tree(programme=hoering.program)
    tiltak = {
        t.pk: t for node in tree for d in node.delmaal for s in d.satsingsomraader for t in s.tiltak
    }
    grupper = organisasjon_grupper(organisasjon=organisasjon)
    roller = tiltak_roller(organisasjon=organisasjon, grupper=grupper, tiltak=list(tiltak))
    standpunkter: dict[int, Standpunkt] = {}
    aktoerer: list[Aktoerforslag] = []
    forslag: list[Tiltaksforslag] = []
    if svar is not None:
        standpunkter = {s.tiltak_id: s for s in svar.standpunkter.all()}
        aktoerer = list(svar.aktoerforslag.select_related("tiltak", "tiltak__tema", "organisasjon"))
        forslag = list(svar.tiltaksforslag.select_related("tema", "delmaal", "satsingsomraade"))
    angaar: list[TiltakRad] = []
    temaer: list[TemaRader] = []
    hoved = samarbeid = 0
    for node in tree:
        tema_rader = TemaRader(node)
        for d in node.delmaal:
            for s in d.satsingsomraader:
                for t in s.tiltak:
                    r = roller.get(t.pk)
                    rad = TiltakRad(
                        t,
                        roller=list(r.roller) if r else [],
                        via_grupper=list(r.via_grupper) if r else [],
                        standpunkt=standpunkter.get(t.pk),
                    )
                    if rad.rolle:
                        angaar.append(rad)
                        if rad.rolle == Rolle.HOVEDANSVAR:
                            hoved += 1
                        else:
                            samarbeid += 1
                    else:
                        tema_rader.rader.append(rad)
        temaer.append(tema_rader)
    return SvarSide(
        hoering=hoering,
        organisasjon=organisasjon,
        angaar=angaar,
        temaer=temaer,
        antall_hovedansvar=hoved,
        antall_samarbeid=samarbeid,
        aktoerforslag=aktoerer,
        tiltaksforslag=forslag,
        tiltak=tiltak,
    )


def svar_queryset() -> QuerySet[Hoeringssvar]:
    return Hoeringssvar.objects.select_related(
        "hoering", "hoering__program", "organisasjon", "innsendt_av", "endret_av"
    )


def svar_versjoner(*, hoering: Hoering, organisasjon_id: int) -> list[Hoeringssvar]:
    """Every version of one organisation's answer, newest first."""
    return list(
        Hoeringssvar.objects.filter(hoering=hoering, organisasjon_id=organisasjon_id)
        .select_related("innsendt_av")
        .order_by("-versjon_nr")
    )


def publiserte_svar(*, hoering: Hoering) -> list[Hoeringssvar]:
    """Each organisation's current answer (its newest submitted row), by organisation name."""
    rows = (
        Hoeringssvar.objects.filter(hoering=hoering, status=SvarStatus.INNSENDT)
        .select_related("organisasjon")
        .order_by("organisasjon__navn", "organisasjon_id", "-versjon_nr")
    )
    seen: set[int] = set()
    result = []
    for r in rows:
        if r.organisasjon_id not in seen:
            seen.add(r.organisasjon_id)
            result.append(r)
    return result


def svar_med_innhold(pk: int) -> Hoeringssvar:
    """One answer with its positions and proposals, for the read-only page, the receipt and
    the API (constant queries)."""
    return (
        svar_queryset()
        .prefetch_related(
            Prefetch(
                "standpunkter",
                queryset=Standpunkt.objects.select_related("tiltak", "tiltak__tema").order_by(
                    "tiltak__tema__nummer", "tiltak__nummer", "tiltak_id"
                ),
            ),
            Prefetch(
                "aktoerforslag",
                queryset=Aktoerforslag.objects.select_related(
                    "tiltak", "tiltak__tema", "organisasjon"
                ),
            ),
            Prefetch(
                "tiltaksforslag",
                queryset=Tiltaksforslag.objects.select_related(
                    "tema", "delmaal", "satsingsomraade"
                ),
            ),
        )
        .get(pk=pk)
    )


def org_frist(hoering: Hoering, organisasjon_id: int | None):
    return frist_for(hoering, organisasjon_id)
