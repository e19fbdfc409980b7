"""Test data for the planner's hearing tests: a programme with tiltak and parties, a hearing,
invitees and submitted answers made directly with the models (the organisations' services are
h9org's)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hoering.models import (
    Aktoerforslag,
    Hoering,
    Hoeringssvar,
    Invitasjon,
    Standpunkt,
    StandpunktValg,
    SvarStatus,
    Tiltaksforslag,
)
from hoering.services.runde import new_token
from partnerskap.models import Gruppemedlemskap, OrganisasjonType
from tests.factories import (
    AnsvarFactory,
    HandlingsprogramFactory,
    OrganisasjonFactory,
    TemaFactory,
    TiltakFactory,
)
from tiltak.models import ProgramStatus, Rolle

OSLO = ZoneInfo("Europe/Oslo")
FRIST = datetime(2018, 10, 23, 23, 59, 59, tzinfo=OSLO)
AAPNER = datetime(2018, 9, 1, 8, 0, tzinfo=OSLO)


def programme_with_tiltak(owner, *, n_tiltak=4, status=ProgramStatus.UTKAST, prefix="T"):
    programme = HandlingsprogramFactory(status=status, eier=owner)
    tema1 = TemaFactory(program=programme, nummer=1, navn="Kompetanse")
    tema2 = TemaFactory(program=programme, nummer=2, navn="Næringsliv")
    tiltak = []
    for i in range(n_tiltak):
        tema = tema1 if i % 2 == 0 else tema2
        tiltak.append(TiltakFactory(tema=tema, nummer=i // 2 + 1, tittel=f"{prefix} tiltak {i}"))
    return programme, tiltak


def hearing(programme, *, opened=True, **extra) -> Hoering:
    return Hoering.objects.create(
        program=programme,
        tittel=extra.pop("tittel", "Høring på handlingsprogrammet"),
        aapner=extra.pop("aapner", AAPNER),
        frist=extra.pop("frist", FRIST),
        aapnet=AAPNER if opened else None,
        **extra,
    )


def invite(hoering, org, *, epost=None, spraak="nb") -> Invitasjon:
    return Invitasjon.objects.create(
        hoering=hoering,
        organisasjon=org,
        epost=epost or f"post@{org.slug}.no",
        spraak=spraak,
        token=new_token(),
    )


def submitted(hoering, org, *, versjon_nr=1, merknader="Generelle merknader", **extra):
    return Hoeringssvar.objects.create(
        hoering=hoering,
        organisasjon=org,
        status=SvarStatus.INNSENDT,
        versjon_nr=versjon_nr,
        generelle_merknader=merknader,
        innsendt=hoering.frist - timedelta(days=1),
        sha256=hashlib.sha256(f"{org.pk}-{versjon_nr}".encode()).hexdigest(),
        signatar="Ola Nordmann",
        **extra,
    )


def full_answer(hoering, org, tiltak, *, index=0):
    """A submitted answer with a position on each tiltak (confirm, decline, change), a
    proposed actor and a proposed new tiltak."""
    svar = submitted(hoering, org)
    choices = [
        (StandpunktValg.PAATAR_HOVEDANSVAR, ""),
        (StandpunktValg.KAN_IKKE, "Vi har ikke kapasitet."),
        (StandpunktValg.ENDRING, "Ny tekst for tiltaket."),
        (StandpunktValg.BEKREFTER_SAMARBEID, ""),
    ]
    for i, t in enumerate(tiltak):
        valg, tekst = choices[(i + index) % len(choices)]
        Standpunkt.objects.create(svar=svar, tiltak=t, standpunkt=valg, tekst=tekst)
    Aktoerforslag.objects.create(
        svar=svar, tiltak=tiltak[0], navn="Yrkesmessa", rolle=Rolle.SAMARBEIDSPART
    )
    Tiltaksforslag.objects.create(
        svar=svar,
        tema=tiltak[0].tema,
        tittel=f"Livskvalitet {org.navn}",
        hva="Eit prosjekt for livskvalitet.",
        hvem="Kommunane",
        maal="Betre helse",
    )
    return svar


def parties(tiltak, orgs, group=None):
    """Each tiltak led by one of `orgs` and the group as collaborator."""
    for i, t in enumerate(tiltak):
        AnsvarFactory(tiltak=t, organisasjon=orgs[i % len(orgs)], rolle=Rolle.HOVEDANSVAR)
        if group is not None:
            AnsvarFactory(tiltak=t, organisasjon=group, rolle=Rolle.SAMARBEIDSPART)


def regional_councils(n, prefix="Regionrådet"):
    return [
        OrganisasjonFactory(
            navn=f"{prefix} {i}",
            slug=f"{prefix.lower()}-{i}".replace("å", "a").replace("ø", "o"),
            type=OrganisasjonType.REGIONRAAD,
        )
        for i in range(n)
    ]


def group_of(members, navn="Regionrådene"):
    group = OrganisasjonFactory(navn=navn, slug=navn.lower().replace("å", "a"), er_gruppe=True)
    for m in members:
        Gruppemedlemskap.objects.create(gruppe=group, medlem=m)
    return group
