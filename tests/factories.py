import factory
from factory.django import DjangoModelFactory

from partnerskap.models import Bruker, BrukerRolle, Organisasjon, OrganisasjonType, Region
from tiltak.models import (
    Ansvar,
    Delmaal,
    Handlingsprogram,
    ProgramStatus,
    Rolle,
    Satsingsomraade,
    Tema,
    Tiltak,
)


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("navn",)

    navn = factory.Sequence(lambda n: f"Region {n}")
    fylke = "Buskerud"


class OrganisasjonFactory(DjangoModelFactory):
    class Meta:
        model = Organisasjon

    navn = factory.Sequence(lambda n: f"Organisasjon {n}")
    slug = factory.Sequence(lambda n: f"organisasjon-{n}")
    type = OrganisasjonType.KOMMUNE


class HandlingsprogramFactory(DjangoModelFactory):
    class Meta:
        model = Handlingsprogram

    navn = factory.Sequence(lambda n: f"Handlingsprogram {n}")
    start_aar = 2019
    slutt_aar = 2020
    eier = factory.SubFactory(OrganisasjonFactory, type=OrganisasjonType.FYLKESKOMMUNE)
    status = ProgramStatus.VEDTATT


class TemaFactory(DjangoModelFactory):
    class Meta:
        model = Tema

    program = factory.SubFactory(HandlingsprogramFactory)
    nummer = factory.Sequence(lambda n: n + 1)
    navn = factory.Sequence(lambda n: f"Tema {n}")


class DelmaalFactory(DjangoModelFactory):
    class Meta:
        model = Delmaal

    tema = factory.SubFactory(TemaFactory)
    nummer = factory.Sequence(lambda n: f"9.{n + 1}")
    navn = factory.Sequence(lambda n: f"Delmål {n}")


class SatsingsomraadeFactory(DjangoModelFactory):
    class Meta:
        model = Satsingsomraade

    delmaal = factory.SubFactory(DelmaalFactory)
    tema = factory.SelfAttribute("delmaal.tema")
    navn = factory.Sequence(lambda n: f"Satsingsområde {n}")


class TiltakFactory(DjangoModelFactory):
    class Meta:
        model = Tiltak

    tema = factory.SubFactory(TemaFactory)
    program = factory.SelfAttribute("tema.program")
    nummer = factory.Sequence(lambda n: n + 1)
    tittel = factory.Sequence(lambda n: f"Tiltak {n}")


class AnsvarFactory(DjangoModelFactory):
    class Meta:
        model = Ansvar

    tiltak = factory.SubFactory(TiltakFactory)
    organisasjon = factory.SubFactory(OrganisasjonFactory)
    rolle = Rolle.HOVEDANSVAR
    tekst_som_skrevet = factory.SelfAttribute("organisasjon.navn")


class BrukerFactory(DjangoModelFactory):
    class Meta:
        model = Bruker
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"bruker{n}@example.no")
    first_name = "Kari"
    last_name = factory.Sequence(lambda n: f"Nordmann {n}")
    organisasjon = factory.SubFactory(OrganisasjonFactory)
    rolle = BrukerRolle.MEDLEM
    password = factory.PostGenerationMethodCall("set_password", "riktig-passord-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
