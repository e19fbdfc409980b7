"""Every page fits a phone (WCAG 2.1 1.4.10 Reflow): at 320 and 390 CSS px no page is wider
than the screen, tables stack or scroll inside their own focusable region, and axe-core finds
nothing serious on any of them. Each page is visited as a role that may see it.

/api/docs/ is left out: it is the vendored Swagger UI (drf-spectacular-sidecar) with its own
layout and stylesheet, not a portal page.
"""

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from partnerskap.models import BrukerRolle, Organisasjon
from tests.browser.conftest import assert_accessible, page_overflow, save_screenshot
from tests.factories import BrukerFactory
from tiltak.models import Handlingsprogram, Tiltak
from tiltak.services.rolling import programme_roll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HALLINGDAL_SLUG = "regionradet-hallingdal"


@pytest.fixture(params=[320, 390], ids=lambda w: f"{w}px")
def viewport(request) -> dict:
    """Overrides conftest's desktop/phone pair: the two phone widths of WCAG's Reflow."""
    return {"width": request.param, "height": 800}


@pytest.fixture
def site(demo_data):
    """Buskerud 2019–2020 (on hearing) rolled to 2021–2022 (a draft), and who may see what."""
    buskerud = Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)
    bfk = Organisasjon.objects.get(slug="bfk")
    planner = BrukerFactory(
        email="planlegger@bfk.no", organisasjon=bfk, rolle=BrukerRolle.PLANLEGGER
    )
    admin = BrukerFactory(email="admin@bfk.no", organisasjon=bfk, rolle=BrukerRolle.ADMINISTRATOR)
    rolled = programme_roll(actor=planner, programme=buskerud, start_aar=2021, slutt_aar=2022)
    return {
        "buskerud": buskerud,
        "rolled": rolled,
        "tiltak": Tiltak.objects.filter(program=buskerud).order_by("tema__nummer", "nummer")[0],
        "draft_tiltak": Tiltak.objects.filter(program=rolled).order_by("tema__nummer", "nummer")[0],
        "planner": planner,
        "admin": admin,
    }


def pages(site) -> list[tuple[str, str]]:
    """(role, path) for every page of issue 7's list, as the role that uses it (the programme
    page also as a planner, with its actions and the status panel htmx loads into it)."""
    b, r = site["buskerud"], site["rolled"]
    t, dt = site["tiltak"], site["draft_tiltak"]
    return [
        ("anonymous", "/"),
        ("anonymous", b.get_absolute_url()),
        ("anonymous", reverse("tiltak:tiltak_search") + "?q=samhandling"),
        ("anonymous", reverse("tiltak:tiltak_search") + f"?organisasjon={HALLINGDAL_SLUG}"),
        ("anonymous", t.get_absolute_url()),
        ("anonymous", reverse("tiltak:organisasjon_list")),
        ("anonymous", reverse("tiltak:organisasjon_detail", args=[HALLINGDAL_SLUG])),
        ("anonymous", reverse("login")),
        ("planner", b.get_absolute_url()),
        ("planner", reverse("tiltak:programme_edit", args=[r.pk])),
        ("planner", reverse("tiltak:tiltak_edit", args=[dt.pk])),
        ("planner", reverse("tiltak:tiltak_history", args=[t.pk])),
        ("planner", reverse("tiltak:programme_history", args=[b.pk])),
        ("planner", reverse("tiltak:programme_status", args=[b.pk])),
        ("planner", reverse("tiltak:programme_status", args=[b.pk]) + "?til=utkast"),
        ("planner", reverse("tiltak:programme_utfall", args=[r.pk])),
        ("planner", reverse("tiltak:programme_compare") + f"?fra={b.pk}&til={r.pk}"),
        ("planner", reverse("tiltak:programme_import", args=[r.pk])),
        ("planner", reverse("account_profile")),
        ("admin", reverse("account_user_list")),
    ]


def add_session(context, user, url: str) -> None:
    """Log the browser context in with a session made by Django's test client (the login page
    is one of the pages checked; the editing journey logs in through it)."""
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url}]
    )


def test_every_page_fits_a_phone(browser, live_server, viewport, site):
    width = viewport["width"]
    contexts = {}

    def page_as(role):
        if role not in contexts:
            context = browser.new_context(
                base_url=live_server.url, locale="nb-NO", viewport=viewport
            )
            context.set_default_timeout(15_000)
            if role != "anonymous":
                add_session(context, site[role], live_server.url)
            page = context.new_page()
            problems: list[str] = []
            page.on("console", lambda m: m.type == "error" and problems.append(m.text))
            page.on(
                "response",
                lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"),
            )
            page.portal_problems = problems
            contexts[role] = page
        return contexts[role]

    too_wide = []
    try:
        for role, path in pages(site):
            page = page_as(role)
            page.goto(path)
            expect(page.locator("main h1")).to_be_visible()
            if page.locator("[hx-trigger=load]").count():
                expect(page.locator("#status")).to_be_visible()  # the panel htmx loads
            overflow = page_overflow(page)
            if overflow:
                too_wide.append(overflow)
            else:
                assert_accessible(page)
            name = path.strip("/").replace("/", "-").replace("?", "-") or "forside"
            save_screenshot(page, f"phone-{width}-{name}", full_page=False)
        assert not too_wide, f"Wider than a {width} px phone:\n" + "\n".join(too_wide)
    finally:
        for page in contexts.values():
            page.context.close()


def test_tables_stack_into_labelled_rows_and_the_comparison_scrolls_in_a_region(
    browser, live_server, viewport, site
):
    """On a phone a tiltak row reads «Nr. 3.1 / Tiltak … / Hovedansvar …» (labels from the
    column headers), and the comparison table stays a table in a focusable, named region."""
    context = browser.new_context(base_url=live_server.url, locale="nb-NO", viewport=viewport)
    try:
        page = context.new_page()
        page.goto(site["buskerud"].get_absolute_url())
        first = page.locator("table.portal-tiltak-table tbody tr").first
        cell = first.locator("td").nth(1)
        label = cell.evaluate("td => getComputedStyle(td, '::before').content")
        assert label == '"Tiltak"', label  # the column header «Tiltak», shown on the cell
        assert first.evaluate("tr => getComputedStyle(tr).display") == "block"
        number = first.locator("td").first
        assert number.evaluate("td => getComputedStyle(td, '::before').content") == '"Nr."'

        add_session(context, site["planner"], live_server.url)
        Tiltak.objects.filter(pk=site["draft_tiltak"].pk).update(tittel="Ny tittel i 2021")
        b, r = site["buskerud"], site["rolled"]
        page.goto(reverse("tiltak:programme_compare") + f"?fra={b.pk}&til={r.pk}")
        region = page.locator("[role=region]:has(table.portal-compare-table)").first
        expect(region).to_have_attribute("tabindex", "0")
        assert region.evaluate("e => getComputedStyle(e).overflowX") == "auto"
        name = region.evaluate(
            "e => e.getAttribute('aria-labelledby').split(' ')"
            ".map(id => document.getElementById(id).textContent.trim()).join(' ')"
        )
        assert "Ny tittel i 2021" in name
        region.focus()
        expect(region).to_be_focused()
        assert region.locator("table thead").evaluate("t => getComputedStyle(t).position") != (
            "absolute"
        )
    finally:
        context.close()


def test_compare_dropdowns_show_name_period_and_status_unclipped(browser, live_server, site):
    """Issue 7: on a desktop the closed «fra»/«til» selects show the whole «name period
    (status)», so two versions of a programme are told apart without opening the list."""
    context = browser.new_context(
        base_url=live_server.url, locale="nb-NO", viewport={"width": 1280, "height": 900}
    )
    try:
        add_session(context, site["planner"], live_server.url)
        page = context.new_page()
        b, r = site["buskerud"], site["rolled"]
        page.goto(reverse("tiltak:programme_compare") + f"?fra={b.pk}&til={r.pk}")
        for field, programme in (("fra", b), ("til", r)):
            select = page.locator(f"select[name={field}]")
            label = f"{programme.navn} {programme.periode} ({programme.get_status_display()})"
            expect(select.locator("option:checked")).to_have_text(label)
            room = select.evaluate(
                """s => {
                    const style = getComputedStyle(s);
                    const ctx = document.createElement('canvas').getContext('2d');
                    ctx.font = style.font;
                    const text = ctx.measureText(s.options[s.selectedIndex].text).width;
                    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
                    return s.clientWidth - padding - text;
                }"""
            )
            assert room > 0, f"«{label}» is cut off in the closed select by {-room:.0f} px"
    finally:
        context.close()
