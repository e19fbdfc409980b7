"""A planner takes a programme on hearing back to draft (issue 7): the danger button only
opens a confirmation step that says the programme leaves the public site, the reason is
required, and once confirmed the reason is in the status history and the public no longer
sees the programme. On a desktop and on a phone, with axe-core on every page."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from partnerskap.models import BrukerRolle, Organisasjon
from tests.browser.conftest import assert_accessible, save_screenshot
from tests.browser.test_journey_editing import log_in
from tests.factories import BrukerFactory
from tiltak.models import Handlingsprogram, ProgramStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Fylkesutvalget vil ha et nytt kapittel om kollektivtrafikk"


@pytest.fixture
def buskerud(demo_data):
    programme = Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)
    assert programme.status == ProgramStatus.PAA_HOERING
    return programme


@pytest.fixture
def planner(buskerud):
    return BrukerFactory(
        email="planlegger@bfk.no",
        organisasjon=Organisasjon.objects.get(slug="bfk"),
        rolle=BrukerRolle.PLANLEGGER,
    )


def test_taking_a_programme_off_the_public_site_is_confirmed_with_a_reason(
    page, browser, live_server, buskerud, planner
):
    log_in(page, planner)
    status_url = reverse("tiltak:programme_status", args=[buskerud.pk])
    page.goto(status_url)
    forward = page.locator("button[name=to_status][value=vedtatt]")
    back = page.locator("button[name=til][value=utkast]")
    expect(forward).to_have_attribute("data-variant", "primary")
    expect(back).to_have_attribute("data-color", "danger")
    expect(back).to_have_attribute("data-variant", "secondary")
    assert forward.evaluate("b => getComputedStyle(b).backgroundColor") != back.evaluate(
        "b => getComputedStyle(b).backgroundColor"
    )
    assert_accessible(page)

    # The danger button changes nothing by itself: it opens the confirmation step.
    back.click()
    expect(page).to_have_url(re.compile(r"\?til=utkast$"))
    assert Handlingsprogram.objects.get(pk=buskerud.pk).status == ProgramStatus.PAA_HOERING
    consequence = page.locator("#status-consequence")
    expect(consequence).to_be_visible()
    expect(page.locator("#status-reason")).to_have_attribute("required", "")
    assert_accessible(page)
    save_screenshot(page, "status-confirm")

    # Without a reason: refused, with the error linked to the field.
    confirm = page.locator("main form[method=post] button[type=submit]")
    expect(confirm).to_have_attribute("data-color", "danger")
    confirm.click()
    expect(page.locator(".ds-error-summary")).to_contain_text("Begrunnelse")
    expect(page.locator("#status-reason")).to_have_attribute("aria-invalid", "true")
    assert Handlingsprogram.objects.get(pk=buskerud.pk).status == ProgramStatus.PAA_HOERING
    # The refused form is answered with 400 on purpose; that is the only "problem" expected.
    assert page.portal_problems == [
        f"HTTP 400: {live_server.url}{status_url}",
        "console error: Failed to load resource: the server responded with a status of 400 "
        "(Bad Request)",
    ]
    page.portal_problems.clear()
    assert_accessible(page)

    # With the keyboard: type the reason, Tab to the confirm button, Enter.
    page.locator("#status-reason").fill(REASON)
    page.locator("#status-reason").focus()
    page.keyboard.press("Tab")
    expect(confirm).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(status_url) + "$"))
    expect(page.locator(".portal-messages [role=status]")).to_contain_text("Utkast")
    history = page.locator("table[aria-labelledby=status-history-heading] tbody tr").first
    expect(history).to_contain_text(REASON)
    expect(history).to_contain_text("På høring → Utkast")
    assert_accessible(page)
    assert Handlingsprogram.objects.get(pk=buskerud.pk).status == ProgramStatus.UTKAST

    # Off the public site: an anonymous visitor gets a 404 and no longer finds it on the list.
    anonymous = browser.new_context(base_url=live_server.url, locale="nb-NO")
    try:
        visitor = anonymous.new_page()
        assert visitor.goto(buskerud.get_absolute_url()).status == 404
        visitor.goto("/")
        expect(visitor.get_by_role("link", name=re.compile("Smart samhandling"))).to_have_count(0)
    finally:
        anonymous.close()
