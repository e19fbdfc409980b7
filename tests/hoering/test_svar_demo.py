"""The demo hearing and Regionrådet for Hallingdal's real answer (seed 000, SAK 44/18) as the
JSON gives it: loaded through the services, submitted inside the window, its nynorsk text kept
exactly as written, its positions and proposals where the planner will look for them."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from hoering.deadlines import format_deadline
from hoering.demo import DEADLINE, OPENS, SOURCE, SUBMITTED
from hoering.models import Hoering, Hoeringssvar, Invitasjon, SvarStatus
from hoering.services.svar import content_sha256

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    return json.loads(SOURCE.read_text(encoding="utf-8"))


@pytest.fixture
def demo(demo_data):
    call_command("load_demo_hoering", verbosity=0)
    return Hoering.objects.get()


def _by_number(svar):
    return {s.tiltak.nummer_visning: s for s in svar.standpunkter.select_related("tiltak__tema")}


def test_demo_hearing(demo):
    assert demo.program.navn == "Smart samhandling i Buskerud"
    assert (demo.program.start_aar, demo.program.slutt_aar) == (2019, 2020)
    with translation.override("nb"):
        assert format_deadline(demo.frist) == "23. oktober 2018 kl. 23.59"
    assert timezone.localtime(demo.aapner).date() == date(2018, 9, 5)
    assert demo.aapner == OPENS and demo.frist == DEADLINE and demo.aapnet is not None
    invited = set(Invitasjon.objects.values_list("organisasjon__navn", flat=True))
    assert {"Regionrådet for Hallingdal", "Regionrådet for Midt-Buskerud"} <= invited
    assert {"Drammen kommune", "Gol kommune"} <= invited
    assert Invitasjon.objects.get(organisasjon__slug="regionradet-hallingdal").spraak == "nn"


def test_hallingdal_answer_as_in_the_json(demo, source):
    svar = Hoeringssvar.objects.get(organisasjon__slug="regionradet-hallingdal")
    assert svar.status == SvarStatus.INNSENDT and svar.innsendt == SUBMITTED
    assert demo.aapner <= svar.innsendt <= demo.frist
    assert svar.saksnummer == "SAK 44/18" == source["document"]["case_number"]
    assert svar.vedtaksdato == date(2018, 8, 24)
    assert svar.signatar == "Knut Arne Gurigard, Dagleg leiar"
    assert svar.sha256 == content_sha256(svar)
    # nynorsk kept as written, every general remark whole and in order
    for remark in source["general_remarks"]:
        assert remark["text"] in svar.generelle_merknader
    assert "høyringsfristen" in svar.generelle_merknader
    positions = _by_number(svar)
    assert positions["3.36"].standpunkt == "paatar_hovedansvar"
    assert positions["3.36"].foreslaatt_rolle == "hovedansvar"
    assert positions["4.6"].standpunkt == "bekrefter_samarbeid"
    assert positions["4.6"].foreslaatt_rolle == "samarbeidspart"
    assert positions["3.31"].standpunkt == "bekrefter_samarbeid"
    assert positions["3.31"].foreslaatt_rolle == ""  # the programme does not name the council
    assert positions["3.23"].standpunkt == "ingen_merknad"
    assert "så har Regionrådet for Hallingdal fått hovudansvar" in positions["3.23"].tekst
    change = source["proposed_changes_to_existing_tiltak"][0]
    assert positions["3.10"].standpunkt == "endring"
    assert positions["3.10"].tekst.startswith(change["proposal"])
    assert "«Arbeide for å legge til rette for fleire lærlingplassar»" in positions["3.10"].tekst
    assert positions["3.11"].standpunkt == "endring"
    # the tiltak found only by searching the programme get no position: the text says nothing
    assert not {"3.8", "3.40", "7.32"} & set(positions)
    actor = svar.aktoerforslag.select_related("tiltak__tema", "organisasjon").get()
    assert actor.tiltak.nummer_visning == "4.22"
    assert actor.navn == "Yrkesmessa i Hallingdal"
    assert actor.organisasjon.navn == "Yrkesmessa i Hallingdal"
    assert actor.begrunnelse == source["proposed_additional_actors"][0]["text"]
    forslag = svar.tiltaksforslag.select_related("tema").get()
    assert forslag.tittel == "Livskvalitet Hallingdal"
    assert forslag.tema.nummer == 7 and forslag.delmaal is None
    assert source["proposed_new_tiltak"][0]["description"] in forslag.hva


def test_load_is_idempotent(demo):
    before = list(Hoeringssvar.objects.values_list("pk", "sha256", "versjon"))
    call_command("load_demo_hoering", verbosity=0)
    assert Hoering.objects.count() == 1 and Invitasjon.objects.count() == 10
    assert list(Hoeringssvar.objects.values_list("pk", "sha256", "versjon")) == before


def test_demo_answer_pages(demo, client):
    svar = Hoeringssvar.objects.get()
    # published after the deadline (which has passed): readable by everyone
    page = client.get(svar.get_absolute_url())
    assert page.status_code == 200
    assert "Livskvalitet Hallingdal" in page.content.decode()
    assert client.get(demo.get_absolute_url()).status_code == 200
