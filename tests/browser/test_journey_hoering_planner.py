"""A planner runs a hearing (issue 9): creates it from the programme page, puts the regional
councils on the høringsliste, opens it (the programme goes on hearing, the invitations go out),
reads the overview, assesses an input, learns that proposals wait for the deadline, and after
the deadline turns a proposed tiltak into a tiltak whose page says where it came from. On a
desktop and on a phone, with axe-core on every page."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from hoering.models import Hoering, Tiltaksforslag
from partnerskap.models import BrukerRolle, OrganisasjonType
from tests.browser.conftest import assert_accessible, save_screenshot
from tests.browser.test_journey_editing import log_in
from tests.factories import BrukerFactory, OrganisasjonFactory
from tests.hoering import planner_data as d
from tiltak.models import ProgramStatus, Tiltak

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    county = OrganisasjonFactory(
        navn="Buskerud fylkeskommune", slug="bfk", type=OrganisasjonType.FYLKESKOMMUNE
    )
    planner = BrukerFactory(
        email="planlegger@bfk.no", organisasjon=county, rolle=BrukerRolle.PLANLEGGER
    )
    councils = d.regional_councils(2)
    for c in councils:
        BrukerFactory(email=f"post@{c.slug}.no", organisasjon=c)
    programme, tiltak = d.programme_with_tiltak(county, n_tiltak=4)
    d.parties(tiltak, councils)
    return {"planner": planner, "councils": councils, "programme": programme, "tiltak": tiltak}


def test_planner_opens_a_hearing_assesses_and_turns_a_proposal_into_a_measure(page, world):
    programme = world["programme"]
    log_in(page, world["planner"])
    page.goto(programme.get_absolute_url())
    page.locator(
        f"a[href='{reverse('hoering:hoering_create', args=[programme.pk])}']"
    ).first.click()
    assert_accessible(page)
    today = timezone.localdate()
    page.locator("#id_tittel").fill("Høring på handlingsprogrammet")
    page.locator("#id_innledning").fill("Vi ber om svar innen fristen.")
    page.locator("#id_aapner_dato").fill(today.isoformat())
    page.locator("#id_aapner_tid").fill("00:00")
    page.locator("#id_frist_dato").fill((today + timedelta(days=10)).isoformat())
    page.locator("#id_frist_tid").fill("23:59")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/hoeringsliste/$"))
    hoering = Hoering.objects.get()
    assert_accessible(page)

    # Every regional council at once.
    page.locator("#id_bulk_type").select_option(OrganisasjonType.REGIONRAAD)
    page.locator(
        f"form[action='{reverse('hoering:hoeringsliste_bulk', args=[hoering.pk])}'] button[type=submit]"
    ).click()
    expect(page.locator("table.portal-stack tbody tr")).to_have_count(2)
    assert_accessible(page)

    # Open: a confirmation that says what happens, then the invitations go out.
    page.goto(reverse("hoering:hoering_open", args=[hoering.pk]))
    expect(page.locator("#open-consequence")).to_be_visible()
    assert_accessible(page)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/oversikt/$"))
    assert len(mail.outbox) == 2
    programme.refresh_from_db()
    assert programme.status == ProgramStatus.PAA_HOERING
    assert_accessible(page)

    # A council answers (written directly: the organisations' pages are another branch).
    svar = d.full_answer(hoering, world["councils"][0], world["tiltak"])
    forslag = Tiltaksforslag.objects.get(svar=svar)
    page.reload()
    expect(page.locator("#matrise")).to_be_visible()
    assert_accessible(page)
    save_screenshot(page, "hoering-oversikt")

    # Assess the proposal: «not adopted» without a reason is refused, then partly adopted.
    page.goto(reverse("hoering:innspill", args=[hoering.pk]))
    assert_accessible(page)
    page.locator(
        f"a[href='{reverse('hoering:innspill_detail', args=[hoering.pk, 'tiltaksforslag', forslag.pk])}']"
    ).first.click()
    expect(page.locator("#blocked")).to_be_visible()  # said before: after the deadline
    assert_accessible(page)
    page.locator("#vurdering input[value=delvis]").check()
    page.locator("#id_vurdering_begrunnelse").fill("Tas inn i tema 1 etter høringen.")
    page.locator("#vurdering button[type=submit]").click()
    expect(page.locator("#vurdering input[value=delvis]")).to_be_checked()
    forslag.refresh_from_db()
    assert forslag.vurdering == "delvis"
    assert_accessible(page)

    # After the deadline the structure is open again: one step to a new tiltak.
    with time_machine.travel(hoering.frist + timedelta(seconds=1), tick=True):
        page.reload()
        page.locator("#id_tittel").fill("Livskvalitet i regionen")
        page.locator("#gjennomfoer button[type=submit]").click()
        new = Tiltak.objects.get(tittel="Livskvalitet i regionen")
        expect(page).to_have_url(re.compile(rf"/tiltak/{new.pk}/$"))
        expect(page.locator("#hoering-kilde")).to_be_visible()
        expect(page.locator("main")).to_contain_text(world["councils"][0].navn)
        assert_accessible(page)
        save_screenshot(page, "hoering-tiltak-fra-innspill")
