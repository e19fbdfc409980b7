"""A small reporting world on top of the `users` fixture: a public programme owned by the
county (the planner's organisation), a tiltak led by the member's organisation («egen»), one
led by the other organisation («annen»), an opened 2019 round and an indicator."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from rapportering.models import (
    Behandling,
    Indikator,
    Indikatorverdi,
    Rapporteringsrunde,
    RapportStatus,
    Statusrapport,
)
from tests.factories import (
    AnsvarFactory,
    DelmaalFactory,
    HandlingsprogramFactory,
    RegionFactory,
    TemaFactory,
    TiltakFactory,
)
from tiltak.models import ProgramStatus, Rolle

OSLO = ZoneInfo("Europe/Oslo")
DEADLINE = datetime(2020, 2, 1, 23, 59, tzinfo=OSLO)


def world(users, *, status=ProgramStatus.PAA_HOERING, opened=True, n_tiltak=1) -> dict:
    programme = HandlingsprogramFactory(status=status, eier=users["county"])
    tema = TemaFactory(program=programme, nummer=4, navn="Kompetanse")
    delmaal = DelmaalFactory(tema=tema, nummer="4.4", navn="Øke yrkesdeltakelsen")
    egen = TiltakFactory(tema=tema, delmaal=delmaal, nummer=1, tittel="Eget tiltak")
    AnsvarFactory(tiltak=egen, organisasjon=users["kommune"], rolle=Rolle.HOVEDANSVAR)
    AnsvarFactory(tiltak=egen, organisasjon=users["other"], rolle=Rolle.SAMARBEIDSPART)
    annen = TiltakFactory(tema=tema, delmaal=delmaal, nummer=2, tittel="Annens tiltak")
    AnsvarFactory(tiltak=annen, organisasjon=users["other"], rolle=Rolle.HOVEDANSVAR)
    for n in range(3, 2 + n_tiltak):
        t = TiltakFactory(tema=tema, delmaal=delmaal, nummer=n, tittel=f"Tiltak {n}")
        AnsvarFactory(tiltak=t, organisasjon=users["kommune"], rolle=Rolle.HOVEDANSVAR)
    runde = Rapporteringsrunde.objects.create(
        program=programme,
        aar=2019,
        frist=DEADLINE,
        aapnet=datetime(2020, 1, 6, 9, 0, tzinfo=OSLO) if opened else None,
    )
    indikator = Indikator.objects.create(
        program=programme,
        navn="Sysselsettingsandel",
        enhet="%",
        tema=tema,
        delmaal=delmaal,
        basis_aar=2017,
        basis_verdi=Decimal("76.1"),
    )
    region = RegionFactory(navn="Hallingdal")
    verdi = Indikatorverdi.objects.create(indikator=indikator, aar=2018, verdi=Decimal("76.6"))
    maal = indikator.maal.create(aar=2020, verdi=Decimal("78"))
    return {
        "programme": programme,
        "tema": tema,
        "delmaal": delmaal,
        "egen": egen,
        "annen": annen,
        "runde": runde,
        "indikator": indikator,
        "verdi": verdi,
        "maal": maal,
        "region": region,
    }


def report(tiltak, runde, behandling=Behandling.UTKAST, **extra) -> Statusrapport:
    submitted = behandling != Behandling.UTKAST
    return Statusrapport.objects.create(
        tiltak=tiltak,
        runde=runde,
        aar=runde.aar,
        status=extra.pop("status", RapportStatus.PAAGAAR),
        fremdrift=extra.pop("fremdrift", "Hemmelig utkasttekst"),
        behandling=behandling,
        innsendt=DEADLINE if submitted else None,
        **extra,
    )
