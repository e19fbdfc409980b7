"""The demo data is the real Buskerud programme: counts per tema and delmål must equal the table
in shared/data/README.md, and every party as written must be linked to a registry entry."""

import json
from collections import Counter

import pytest
from django.core.management import call_command

from partnerskap.models import Organisasjon
from tiltak.demo import BUSKERUD_FILE, SOURCE_DIR, VT_FILE
from tiltak.models import Ansvar, Delmaal, Handlingsprogram, Rolle, Tema, Tiltak

pytestmark = pytest.mark.django_db

# The table of shared/data/README.md.
EXPECTED_PER_TEMA = {3: 45, 4: 27, 5: 10, 6: 19, 7: 38, 8: 25}
EXPECTED_PER_DELMAAL = {
    "3.1": 16, "3.2": 2, "3.3": 11, "3.4": 9, "3.5": 7,
    "4.1": 5, "4.2": 5, "4.3": 4, "4.4": 6, "4.5": 3, "4.6": 4,
    "5.1": 3, "5.2": 4, "5.3": 3,
    "6.1": 6, "6.2": 9, "6.3": 4,
    "7.1": 8, "7.2": 13, "7.3": 9, "7.4": 8,
}  # fmt: skip
EXPECTED_TEMA8_UNNUMBERED = [15, 5, 3, 2]


@pytest.fixture
def buskerud(demo_data):
    return Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)


def test_buskerud_has_164_tiltak_per_tema_as_in_the_source(buskerud):
    assert Tiltak.objects.filter(program=buskerud).count() == 164
    per_tema = Counter(
        Tiltak.objects.filter(program=buskerud).values_list("tema__nummer", flat=True)
    )
    assert dict(per_tema) == EXPECTED_PER_TEMA
    assert sorted(Tema.objects.filter(program=buskerud).values_list("nummer", flat=True)) == [
        3,
        4,
        5,
        6,
        7,
        8,
    ]


def test_tiltak_per_delmaal_as_in_the_source(buskerud):
    per_delmaal = Counter(
        Tiltak.objects.filter(program=buskerud, delmaal__nummer__gt="").values_list(
            "delmaal__nummer", flat=True
        )
    )
    assert dict(per_delmaal) == EXPECTED_PER_DELMAAL
    tema8 = Delmaal.objects.filter(tema__program=buskerud, tema__nummer=8).order_by("rekkefoelge")
    assert [d.nummer for d in tema8] == ["", "", "", ""]
    assert [d.tiltak.count() for d in tema8] == EXPECTED_TEMA8_UNNUMBERED


def test_one_tiltak_without_number_in_delmaal_3_5(buskerud):
    unnumbered = Tiltak.objects.filter(program=buskerud, nummer__isnull=True)
    assert [t.delmaal.nummer for t in unnumbered] == ["3.5"]


def test_every_party_as_written_is_linked_to_an_organisation(buskerud):
    source = json.loads((SOURCE_DIR / BUSKERUD_FILE).read_text(encoding="utf-8"))
    linked = {}
    for a in Ansvar.objects.filter(tiltak__program=buskerud).select_related(
        "tiltak", "tiltak__tema"
    ):
        key = (a.tiltak.tema.nummer, a.tiltak.delmaal_id, a.tiltak.nummer, a.tiltak.tittel, a.rolle)
        linked.setdefault(key, set()).update(a.tekst_som_skrevet.split("; "))
    checked = 0
    for t in source["temaer"]:
        for d in t["delmal"]:
            delmaal = Delmaal.objects.get(
                tema__program=buskerud, tema__nummer=t["number"], navn=d["name"]
            )
            for s in d["satsingsomrader"]:
                for ti in s["tiltak"]:
                    for rolle, parties in (
                        (Rolle.HOVEDANSVAR, ti["hovedansvar"]),
                        (Rolle.SAMARBEIDSPART, ti["samarbeidsparter"]),
                    ):
                        key = (t["number"], delmaal.id, ti["number"], ti["title"] or "", rolle)
                        assert set(parties) <= linked.get(key, set()), (t["number"], ti["number"])
                        checked += len(parties)
    assert checked > 400  # every party of 164 tiltak, not an empty loop


def test_as_written_text_is_kept_beside_the_links(buskerud):
    # Seed 000: the council has hovedansvar for 3.23 and 3.36, written "Regionrådet i Hallingdal".
    leads = Tiltak.objects.filter(
        program=buskerud,
        ansvar__organisasjon__slug="regionradet-hallingdal",
        ansvar__rolle=Rolle.HOVEDANSVAR,
    )
    assert sorted(t.nummer_visning for t in leads) == ["3.23", "3.36"]
    tiltak = Tiltak.objects.get(program=buskerud, tema__nummer=3, nummer=23)
    assert tiltak.hovedansvar_tekst == "Regionrådet i Hallingdal"
    row = tiltak.ansvar.get(organisasjon__slug="regionradet-hallingdal", rolle=Rolle.HOVEDANSVAR)
    assert row.tekst_som_skrevet == "Regionrådet i Hallingdal"
    # "USN, IN, Inkubatorer" is one cell naming three organisations: three links, one text.
    cell = Ansvar.objects.filter(tiltak__program=buskerud, tekst_som_skrevet="USN, IN, Inkubatorer")
    assert {a.organisasjon.forkortelse for a in cell} >= {"USN", "IN"}


def test_abbreviations_are_expanded(demo_data):
    assert Organisasjon.objects.get(forkortelse="BFK").navn == "Buskerud fylkeskommune"
    assert Organisasjon.objects.get(forkortelse="USN").navn == "Universitetet i Sørøst-Norge"
    assert Organisasjon.objects.get(forkortelse="IN").navn == "Innovasjon Norge"
    hallingdal = Organisasjon.objects.get(slug="regionradet-hallingdal")
    assert hallingdal.navn == "Regionrådet for Hallingdal"
    assert hallingdal.region.navn == "Hallingdal"
    assert hallingdal.aliaser.filter(navn="Regionrådet i Hallingdal").exists()


def test_tema_lead_partner_and_plans(buskerud):
    assert buskerud.planer.count() == 2
    assert Tema.objects.get(program=buskerud, nummer=7).ansvarlig.forkortelse == "USN"
    assert Tema.objects.get(program=buskerud, nummer=3).ansvarlig_tekst == "kommunene"


def test_vestfold_telemark_is_a_shallower_programme(demo_data):
    source = json.loads((SOURCE_DIR / VT_FILE).read_text(encoding="utf-8"))
    vt = Handlingsprogram.objects.get(start_aar=2021, slutt_aar=2022)
    assert vt.nivaa_betegnelse == "innsatsomraade"
    assert vt.temaer.count() == 4 == len(source["innsatsomrader"])
    assert vt.tiltak.count() == sum(len(a["tiltak"]) for a in source["innsatsomrader"])
    # No invented levels: innsatsområde → tiltak directly.
    assert not Delmaal.objects.filter(tema__program=vt).exists()
    assert not vt.tiltak.filter(delmaal__isnull=False).exists()


def test_load_demo_is_idempotent_and_keeps_edits(demo_data):
    tiltak = Tiltak.objects.order_by("id").first()
    tiltak.tittel = "Endret i portalen"
    tiltak.save()
    before = (Tiltak.objects.count(), Ansvar.objects.count(), Organisasjon.objects.count())
    call_command("load_demo", verbosity=0)
    assert (Tiltak.objects.count(), Ansvar.objects.count(), Organisasjon.objects.count()) == before
    tiltak.refresh_from_db()
    assert tiltak.tittel == "Endret i portalen"
