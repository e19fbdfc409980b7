"""The annual report of seed 003 (Nasjonal kompetansepolitisk strategi 2018), as the public sees
it: from the programme page to the report, the charts with their tables, a new «fewer than»,
and the downloads linked. On a desktop and on a phone, with axe-core on the page."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, save_screenshot
from tiltak.models import Handlingsprogram

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kompetanse(db):
    call_command("load_demo_kompetanse", verbosity=0)
    return Handlingsprogram.objects.get(navn="Nasjonal kompetansepolitisk strategi")


def test_the_public_reads_the_annual_report(page, live_server, kompetanse):
    page.goto(kompetanse.get_absolute_url())
    page.locator(f"a[href='{reverse('aarsrapport:page', args=[kompetanse.pk, 2018])}']").click()
    expect(page.locator("h1")).to_contain_text("2018")
    charts = page.locator("svg.portal-chart[role=img]")
    expect(charts).to_have_count(3)
    # Each chart has its name and its data table beside it.
    type_section = page.locator("#type_x_toppnivaa")
    expect(type_section.locator("svg title")).to_have_count(1)
    expect(type_section.locator("table tbody tr").first).to_contain_text("35")
    assert_accessible(page)
    save_screenshot(page, f"aarsrapport-{page.viewport_size['width']}")

    page.fill("#id_faerre_enn", "3")
    page.get_by_role("button", name="Oppdater").or_(
        page.get_by_role("button", name="Update")
    ).click()
    page.wait_for_url("**faerre_enn=3**")
    rows = page.locator("#faa_tiltak table tbody tr")
    expect(rows).to_have_count(3)  # 1.1 (1), 2.5 (1) and 2.6 (2) have fewer than 3
    assert_accessible(page)
    pdf = page.locator("a[href*='aarsrapport.pdf']")
    expect(pdf).to_have_count(1)
