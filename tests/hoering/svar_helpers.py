"""A hearing for the organisation-side tests: a programme of the `users` fixture's county on
hearing, the member's municipality («Testby kommune») in a group, tiltak where it leads, where
its group collaborates and where its group leads, and the member's and the other member's
organisations on the høringsliste."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from hoering.models import Hoering, Invitasjon
from partnerskap.models import Gruppemedlemskap
from tests.factories import (
    AnsvarFactory,
    DelmaalFactory,
    HandlingsprogramFactory,
    OrganisasjonFactory,
    SatsingsomraadeFactory,
    TemaFactory,
    TiltakFactory,
)
from tiltak.models import ProgramStatus, Rolle


def make_hearing(
    users,
    *,
    size: int = 1,
    opens: datetime | None = None,
    deadline: datetime | None = None,
    publiser_svar: bool = True,
    gruppe_navn: str = "Testregionen",
) -> dict:
    """`size` tiltak of each kind (own lead, group collaborates, group leads, not named) in each
    of two temaer. Open now unless `opens`/`deadline` say otherwise."""
    now = timezone.now()
    opens = opens or now - timedelta(days=1)
    deadline = deadline or now + timedelta(days=10)
    programme = HandlingsprogramFactory(eier=users["county"], status=ProgramStatus.PAA_HOERING)
    gruppe = OrganisasjonFactory(navn=gruppe_navn, er_gruppe=True)
    Gruppemedlemskap.objects.create(gruppe=gruppe, medlem=users["kommune"])
    annen_part = OrganisasjonFactory()
    temaer, tiltak = [], {"own": [], "via_group": [], "group_lead": [], "rest": []}
    nummer = 0
    for tn in (1, 2):
        tema = TemaFactory(program=programme, nummer=tn, navn=f"Tema {tn}")
        delmaal = DelmaalFactory(tema=tema, nummer=f"{tn}.1")
        SatsingsomraadeFactory(tema=tema, delmaal=delmaal)
        temaer.append(tema)
        for kind, org, rolle in (
            ("own", users["kommune"], Rolle.HOVEDANSVAR),
            ("via_group", gruppe, Rolle.SAMARBEIDSPART),
            ("group_lead", gruppe, Rolle.HOVEDANSVAR),
            ("rest", annen_part, Rolle.HOVEDANSVAR),
        ):
            for _ in range(size):
                nummer += 1
                t = TiltakFactory(
                    tema=tema, nummer=nummer, rekkefoelge=nummer, tittel=f"Tiltak {kind} {nummer}"
                )
                AnsvarFactory(tiltak=t, organisasjon=org, rolle=rolle)
                AnsvarFactory(tiltak=t, organisasjon=annen_part, rolle=Rolle.SAMARBEIDSPART)
                tiltak[kind].append(t)
    hoering = Hoering.objects.create(
        program=programme,
        tittel="Høring på testprogrammet",
        innledning="Si hva dere mener.",
        aapner=opens,
        frist=deadline,
        aapnet=opens,
        publiser_svar=publiser_svar,
    )
    invitations = {
        key: Invitasjon.objects.create(
            hoering=hoering,
            organisasjon=users[key],
            epost=f"post@{key}.example.no",
            token=f"token-{key}-{hoering.pk}-abcdefghijklmnop",
        )
        for key in ("kommune", "other")
    }
    return {
        "programme": programme,
        "hoering": hoering,
        "gruppe": gruppe,
        "temaer": temaer,
        "tiltak": tiltak,
        "invitations": invitations,
    }
