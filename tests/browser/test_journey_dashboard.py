"""A board member opens the dashboard of the Buskerud programme from the programme page, follows
a number to the tiltak behind it and picks the date of the last meeting; a planner puts
together case papers and opens the printable page. On a desktop and on a phone, axe-core on
every page; and the programme page printed shows no navigation."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from partnerskap.models import BrukerRolle, Organisasjon
from tests.browser.conftest import assert_accessible, save_screenshot
from tests.browser.test_journey_editing import log_in
from tests.factories import BrukerFactory
from tiltak.models import Handlingsprogram, Tiltak, TiltakStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def buskerud(demo_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)


def test_board_member_reads_the_dashboard(page, buskerud, viewport):
    board = BrukerFactory(
        email="styret-reise@example.no",
        organisasjon=Organisasjon.objects.get(slug="bfk"),
        rolle=BrukerRolle.STYREMEDLEM,
    )
    log_in(page, board)
    page.goto(buskerud.get_absolute_url())
    page.locator(f"main a[href='/styre/program/{buskerud.pk}/']").click()
    expect(page).to_have_url(re.compile(rf"/styre/program/{buskerud.pk}/$"))
    expect(page.locator("svg.portal-chart")).to_be_visible()
    assert_accessible(page)
    save_screenshot(page, f"dashboard-{viewport['width']}")

    # A number in the table leads to exactly those tiltak.
    utsatt = Tiltak.objects.filter(program=buskerud, status=TiltakStatus.PAAGAAR).count()
    link = page.locator(f"tfoot a[href*='status={TiltakStatus.PAAGAAR}']")
    expect(link).to_have_text(str(utsatt))
    link.click()
    expect(page).to_have_url(re.compile(r"/tiltak/\?"))
    assert str(utsatt) in page.locator("main").inner_text()

    # Since the last meeting: a date picked in the form.
    page.go_back()
    page.locator("#id_siden").fill("2018-01-01")
    page.locator("form.portal-dashboard-since button").click()
    expect(page).to_have_url(re.compile(r"siden=2018-01-01"))
    expect(page.locator("#siden-tittel")).to_contain_text("2018")
    assert_accessible(page)


def test_planner_puts_together_case_papers(page, buskerud, viewport):
    planner = BrukerFactory(
        email="planlegger-sak@bfk.no",
        organisasjon=Organisasjon.objects.get(slug="bfk"),
        rolle=BrukerRolle.PLANLEGGER,
    )
    log_in(page, planner)
    page.goto(reverse("dashboard:saksframlegg_create", args=[buskerud.pk]))
    assert_accessible(page)
    page.locator("#id_saksnummer").fill("18/01234")
    page.locator("#id_tittel").fill("Handlingsprogram 2019–2020")
    page.locator("#id_moetedato").fill("2018-11-20")
    page.locator("#id_forslag_til_vedtak").fill("1. Programmet vedtas.")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/saksframlegg/\d+/$"))
    assert_accessible(page)
    page.locator("a[href$='/utskrift/']").click()
    expect(page.locator("h1")).to_have_text("Handlingsprogram 2019–2020")
    # The printable page has its own stylesheet and fits the phone.
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= viewport["width"]


def test_the_printed_programme_page_has_no_navigation(page, buskerud):
    page.goto(buskerud.get_absolute_url())
    expect(page.locator(".portal-header nav")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".portal-header")).to_be_hidden()
    expect(page.locator(".portal-breadcrumbs")).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()


def test_every_new_page_fits_320_px(browser, live_server, buskerud):
    """Issue 11's pages at the narrowest phone width (WCAG 1.4.10), with axe-core."""
    import datetime

    from rapportering.saksframlegg import services
    from tests.browser.conftest import page_overflow
    from tests.browser.test_phone_width import add_session

    planner = BrukerFactory(
        email="planlegger-320@bfk.no",
        organisasjon=Organisasjon.objects.get(slug="bfk"),
        rolle=BrukerRolle.PLANLEGGER,
    )
    sak = services.saksframlegg_create(
        actor=planner,
        programme=buskerud,
        saksnummer="18/01234",
        tittel="Handlingsprogram for Smart samhandling i Buskerud 2019–2020",
        moetedato=datetime.date(2018, 11, 20),
        deler=["programme_table"],
    )
    context = browser.new_context(
        base_url=live_server.url, locale="nb-NO", viewport={"width": 320, "height": 800}
    )
    try:
        add_session(context, planner, live_server.url)
        page = context.new_page()
        page.portal_problems = []
        paths = [
            reverse("dashboard:dashboard", args=[buskerud.pk]) + "?siden=2018-01-01",
            reverse("dashboard:dashboard_tiltak", args=[buskerud.pk]) + "?farge=amber",
            reverse("dashboard:saksframlegg_list", args=[buskerud.pk]),
            reverse("dashboard:saksframlegg_create", args=[buskerud.pk]),
            reverse("dashboard:saksframlegg_edit", args=[sak.pk]),
            sak.get_absolute_url(),
        ]
        for path in paths:
            page.goto(path)
            expect(page.locator("main h1")).to_be_visible()
            assert_accessible(page)
        # The printable page: its own stylesheet, still no wider than the phone.
        page.goto(reverse("dashboard:saksframlegg_print", args=[sak.pk]))
        assert not page_overflow(page), page_overflow(page)
    finally:
        context.close()
