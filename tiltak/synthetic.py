"""Synthetic data for query budgets and benchmarks: copies of the Buskerud programme, made with
bulk inserts (services/copying.py, the routine rolling uses) so 10× (and 3,000-tiltak) data
builds in seconds. Without history rows or links to the original. Never used for the demo."""

from django.db import transaction
from django.db.models import F

from partnerskap.models import Organisasjon, OrganisasjonType

from .models import Ansvar, Handlingsprogram, Rolle, Tema, Tiltak
from .services.copying import copy_tree

TEMPLATE_NAME = "Smart samhandling i Buskerud"


@transaction.atomic
def build_synthetic_copies(
    *, copies: int, template: Handlingsprogram | None = None
) -> list[Handlingsprogram]:
    """Clone the template programme `copies` times (public status kept), each copy with its
    own organisations as well, so lists of programmes, tiltak and organisations all grow."""
    template = template or Handlingsprogram.objects.get(navn=TEMPLATE_NAME, start_aar=2019)
    # Numbered by the synthetic organisations, which outlive merged or renamed copies.
    start = Organisasjon.objects.filter(slug__startswith="syntetisk-").count()
    made = []
    for n in range(start + 1, start + copies + 1):
        extra_org = Organisasjon.objects.create(
            navn=f"Syntetisk organisasjon {n}", slug=f"syntetisk-{n}", type=OrganisasjonType.ANNET
        )
        program = Handlingsprogram.objects.create(
            navn=f"Syntetisk program {n}",
            start_aar=template.start_aar,
            slutt_aar=template.slutt_aar,
            eier=template.eier,
            status=template.status,
            nivaa_betegnelse=template.nivaa_betegnelse,
        )
        program.planer.set(template.planer.all())
        copied = copy_tree(
            source=template, target=program, link_predecessors=False, record_history=False
        )
        # Every copied tiltak also gets the copy's own organisation as a collaborator.
        Ansvar.objects.bulk_create(
            Ansvar(
                tiltak_id=new_id,
                organisasjon=extra_org,
                rolle=Rolle.SAMARBEIDSPART,
                rekkefoelge=99,
            )
            for new_id in copied.tiltak.values()
        )
        made.append(program)
    return made


@transaction.atomic
def build_large_programme(*, factor: int = 10) -> Handlingsprogram:
    """One programme `factor` times the size of the Buskerud demo programme (164 tiltak →
    1,640 at 10×): synthetic copies merged into the first one, temaer renumbered 3 → 13, 23, …"""
    copies = build_synthetic_copies(copies=factor)
    first, rest = copies[0], copies[1:]
    for k, copy in enumerate(rest, start=1):
        Tema.objects.filter(program=copy).update(program=first, nummer=F("nummer") + 10 * k)
        Tiltak.alle.filter(program=copy).update(program=first)
        copy.delete()
    first.navn = f"Stort syntetisk program ({factor}×)"
    first.save()
    return first
