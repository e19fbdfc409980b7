"""An organisation member reports the status of a tiltak its organisation leads, by keyboard
only (issue 10): from «Dine tiltak å rapportere på» (linked from the programme page and the
reminder email) into the report form,
a draft saved, then submitted. Demo data (Buskerud, the example 2019 round). On a desktop and on
a phone, with axe-core on every page."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from partnerskap.models import BrukerRolle, Organisasjon
from rapportering.models import Behandling, Rapporteringsrunde, Statusrapport
from tests.browser.conftest import assert_accessible, save_screenshot
from tests.browser.test_journey_editing import log_in, tab_to
from tests.factories import BrukerFactory
from tiltak.models import Handlingsprogram, Tiltak

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def buskerud(demo_data):
    call_command("load_demo_rapportering", stdout=io.StringIO())
    return Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)


@pytest.fixture
def member(buskerud):
    return BrukerFactory(
        email="marit@hallingdal.no",
        organisasjon=Organisasjon.objects.get(slug="regionradet-hallingdal"),
        rolle=BrukerRolle.MEDLEM,
    )


def test_a_member_reports_status_on_its_tiltak_by_keyboard(page, buskerud, member):
    runde = Rapporteringsrunde.objects.get(program=buskerud, aar=2019)
    tiltak = Tiltak.objects.get(program=buskerud, tema__nummer=3, nummer=23)
    log_in(page, member)

    # The programme page links to it; the reminder email too — the member follows that link.
    mine = reverse("rapportering:mine")
    page.goto(buskerud.get_absolute_url())
    expect(page.locator(f"#rapportering-programme-panel ~ p a[href='{mine}']")).to_be_visible()
    page.goto(mine)
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".portal-example").first).to_be_visible()
    assert_accessible(page)
    save_screenshot(page, "rapportering-mine")

    edit = reverse("rapportering:rapport_edit", args=[runde.pk, tiltak.pk])
    tab_to(page, f"main a[href='{edit}']")
    page.keyboard.press("Enter")
    expect(page.locator("form #id_status")).to_be_visible()
    assert_accessible(page)

    tab_to(page, "#id_status")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.locator("#id_status").input_value() == "paagaar"
    tab_to(page, "#id_fremdrift")
    page.keyboard.type("Traineeordningen er i gang i tre kommuner.")
    tab_to(page, "#id_resultater")
    page.keyboard.type("Fire traineer rekruttert.")
    tab_to(page, "#id_ressurser")
    page.keyboard.type("0,5 årsverk")
    tab_to(page, "button[name=lagre]")
    page.keyboard.press("Enter")
    expect(page.locator(".portal-messages")).to_be_visible()
    rapport = Statusrapport.objects.get(tiltak=tiltak, aar=2019)
    assert rapport.behandling == Behandling.UTKAST and rapport.skrevet_av == member
    assert page.locator("#id_fremdrift").input_value() == (
        "Traineeordningen er i gang i tre kommuner."
    )
    assert_accessible(page)

    tab_to(page, "button[name=send_inn]")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("2019")
    rapport.refresh_from_db()
    assert rapport.behandling == Behandling.INNSENDT and rapport.innsendt_av == member
    assert rapport.status == "paagaar" and rapport.ressurser == "0,5 årsverk"
    expect(page.locator("main")).to_contain_text("Fire traineer rekruttert.")
    assert_accessible(page)
    save_screenshot(page, "rapportering-innsendt")

    # The tiltak page now says what was reported.
    page.goto(tiltak.get_absolute_url())
    expect(page.locator("#rapportering-panel")).to_be_visible()
    assert_accessible(page)
