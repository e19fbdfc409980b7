"""A workshop in a real browser: a participant (the invited municipality's member) adds an input
by keyboard only, the room's live view shows it, and the planner turns it into a proposed tiltak,
whose page names the input it came from. axe-core on every page, at 1280 and 390 px."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from hoering.models import Innspill, Verkstedforslag
from tests.browser.conftest import assert_accessible
from tests.browser.test_journey_editing import log_in, tab_to
from tests.hoering.verksted_helpers import make_workshop
from tiltak.models import TiltakStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "Felles lærlingordning for små bedrifter i Hallingdal"


def test_participant_adds_input_by_keyboard_and_planner_proposes_it(page, users):
    verksted, _, tema = make_workshop(users, inputs_per_question=0)
    q = verksted.spoersmaal.first()

    log_in(page, users["member"])
    page.goto(reverse("hoering:verksted_detail", args=[verksted.pk]))
    assert_accessible(page)
    tab_to(page, f"#id_q{q.pk}_tekst")
    page.keyboard.type(TEXT)
    page.keyboard.press("Tab")
    page.keyboard.type("Bord 3")
    tab_to(page, f'form[action$="/spoersmaal/{q.pk}/innspill/ny/"] button[type=submit]')
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text(TEXT)
    innspill = Innspill.objects.get(tekst=TEXT)
    assert (innspill.gruppe, innspill.skrevet_av) == ("Bord 3", users["member"])
    assert_accessible(page)

    page.goto(reverse("hoering:verksted_live", args=[verksted.pk]))
    expect(page.locator(".portal-live")).to_contain_text(TEXT)
    assert_accessible(page)

    page.context.clear_cookies()
    log_in(page, users["planner"])
    page.goto(reverse("hoering:verksted_grupper", args=[verksted.pk]))
    assert_accessible(page)
    page.locator("#tema-for-innspill").select_option(str(tema.pk))
    page.locator(f'button[name="innspill"][value="{innspill.pk}"]').click()
    expect(page).to_have_url(re.compile(r"/tiltak/\d+/"))
    forslag = Verkstedforslag.objects.get()
    assert forslag.tiltak.status == TiltakStatus.FORESLAATT
    assert forslag.tiltak.beskrivelse == TEXT
    expect(page.locator("main")).to_contain_text(verksted.tittel)
    assert_accessible(page)

    page.goto(reverse("hoering:verksted_detail", args=[verksted.pk]))
    expect(
        page.locator(f"#innspill-{innspill.pk} a[href='{forslag.tiltak.get_absolute_url()}']")
    ).to_be_visible()
    assert_accessible(page)
