"""Workshops for the verksted tests: one on a draft programme owned by the `users` county, the
member's organisation (kommune) invited, no facilitator but the planner."""

import datetime

from hoering.models import Innspill
from hoering.services import verksted as services
from tests.factories import HandlingsprogramFactory, TemaFactory
from tiltak.models import ProgramStatus


def make_workshop(users, *, inputs_per_question: int = 1, offentlig: bool = False, questions=None):
    programme = HandlingsprogramFactory(status=ProgramStatus.UTKAST, eier=users["county"])
    tema = TemaFactory(program=programme, nummer=1)
    verksted = services.verksted_create(
        actor=users["planner"],
        tittel="Verksted om yrkesdeltagelse",
        program=programme,
        dager=[datetime.date(2026, 3, 2), datetime.date(2026, 3, 3)],
        sted="Drammen",
        offentlig=offentlig,
        fasilitatorer=[users["planner"]],
        inviterte=[users["kommune"]],
        spoersmaal=questions,
    )
    member = users["member"]
    for q in verksted.spoersmaal.all():
        for n in range(inputs_per_question):
            Innspill.objects.create(
                spoersmaal=q,
                tekst=f"Innspill {n} til {q.tekst}",
                gruppe=f"Bord {n % 5}",
                organisasjon=users["kommune"],
                skrevet_av=member,
                rekkefoelge=n,
            )
    return verksted, programme, tema
