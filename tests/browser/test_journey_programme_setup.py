"""Issue 7.6 and 7.4 in a real browser: a planner creates a programme, moves a delmål to another
tema, deletes and restores a tiltak, and sees a restore that would remove every party ask for a
second confirmation. axe-core runs on every new page.

Locators use ids, names and URLs rather than visible texts: the new texts' bokmål translations
are filled in later."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from partnerskap.models import BrukerRolle, Organisasjon
from tests.browser.conftest import assert_accessible
from tests.browser.test_journey_editing import log_in
from tests.factories import BrukerFactory
from tiltak.models import Ansvar, Delmaal, Handlingsprogram, Rolle, Tiltak
from tiltak.services import ansvar as ansvar_services
from tiltak.services import tiltak as tiltak_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def buskerud(demo_data):
    return Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)


@pytest.fixture
def planner(buskerud):
    return BrukerFactory(
        email="planlegger@bfk.no",
        organisasjon=Organisasjon.objects.get(slug="bfk"),
        rolle=BrukerRolle.PLANLEGGER,
    )


def test_planner_creates_a_programme(page, planner, buskerud):
    log_in(page, planner)
    page.goto(reverse("tiltak:programme_list"))
    page.locator(f'a[href="{reverse("tiltak:programme_create")}"]').click()
    assert_accessible(page)
    page.locator("#id_navn").fill("Handlingsprogram for næringsutvikling")
    page.locator("#id_start_aar").fill("2025")
    page.locator("#id_slutt_aar").fill("2026")
    page.locator("#id_nivaa_betegnelse").select_option("innsatsomraade")
    page.locator("#id_planer_0").check()
    page.locator("main form button[type=submit]").click()
    programme = Handlingsprogram.objects.get(navn="Handlingsprogram for næringsutvikling")
    expect(page).to_have_url(re.compile(reverse("tiltak:programme_edit", args=[programme.pk])))
    assert programme.eier.slug == "bfk" and programme.planer.count() == 1
    assert_accessible(page)


def test_planner_moves_a_delmaal_and_restores_a_deleted_tiltak(page, planner, buskerud):
    delmaal = Delmaal.objects.get(tema__program=buskerud, nummer="3.2")
    tema4 = buskerud.temaer.get(nummer=4)
    log_in(page, planner)
    page.goto(reverse("tiltak:programme_edit", args=[buskerud.pk]))
    page.locator(f'a[href="{reverse("tiltak:delmaal_move_to", args=[delmaal.pk])}"]').click()
    assert_accessible(page)
    page.locator("#id_tema").select_option(str(tema4.pk))
    page.locator("#id_nummer").fill("4.7")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(f"#delmaal-{delmaal.pk}")).to_be_visible()
    assert "4.28" in page.locator("main").inner_text()  # the new numbers are listed
    delmaal.refresh_from_db()
    assert (delmaal.tema_id, delmaal.nummer) == (tema4.pk, "4.7")

    t = Tiltak.objects.get(program=buskerud, tema__nummer=3, nummer=11)
    t = tiltak_services.tiltak_update(
        actor=planner, tiltak=t, expected_versjon=t.versjon, virkemiddel="Endret"
    )
    tiltak_services.tiltak_delete(actor=planner, tiltak=t, reason="Slått sammen med 3.12")
    page.goto(reverse("tiltak:programme_deleted", args=[buskerud.pk]))
    assert_accessible(page)
    page.locator(f'form[action="{reverse("tiltak:tiltak_undelete", args=[t.pk])}"] button').click()
    expect(page.locator(f"#slettet-{t.pk}")).to_have_count(0)
    assert Tiltak.objects.get(pk=t.pk).nummer_visning == "3.11"


def test_a_restore_that_removes_every_party_asks_twice(page, planner, buskerud):
    tema = buskerud.temaer.get(nummer=5)
    t = tiltak_services.tiltak_create(actor=planner, tema=tema, tittel="Nytt tiltak")
    ansvar_services.ansvar_add(
        actor=planner,
        tiltak=t,
        organisasjon=Organisasjon.objects.get(slug="bfk"),
        rolle=Rolle.HOVEDANSVAR,
    )
    first = Tiltak.history.filter(id=t.pk).earliest()
    tiltak_services.tiltak_update(actor=planner, tiltak=t, expected_versjon=1, tittel="Endret")
    log_in(page, planner)
    page.goto(reverse("tiltak:tiltak_restore", args=[t.pk, first.history_id]))
    assert_accessible(page)
    box = page.locator("#id_fjern_alle_parter")
    expect(box).to_be_visible()
    # The box is required: the browser does not send the form without it.
    page.locator("main form button[type=submit]").click()
    assert Ansvar.objects.filter(tiltak=t).count() == 1
    box.check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(reverse("tiltak:tiltak_history", args=[t.pk])))
    assert not Ansvar.objects.filter(tiltak=t).exists()
