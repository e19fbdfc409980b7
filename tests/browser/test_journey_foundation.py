"""The foundation journey as a user does it in a real browser, with axe-core on every page.

The visible texts below are the bokmål a user reads (the portal is bokmål without a language
cookie); they come from locale/nb, so a missing or wrong translation fails here. Nynorsk strings
are read from locale/nn/LC_MESSAGES/django.po rather than hard-coded.
"""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, save_screenshot
from tiltak.models import Handlingsprogram

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Bokmål UI texts this journey depends on (msgid → what the user sees).
NB_FIND_MEASURES = "Finn tiltak"  # "Find measures" (main menu link)
NB_ORGANISATION = "Organisasjon"  # "Organisation" (filter label)
NB_ROLE = "Rolle"  # "Role" (filter label)
NB_LEAD = "Hovedansvar"  # "Lead responsibility" (role option, headings, role tag)
NB_COLLABORATOR = "Samarbeidspart"  # "Collaborator" (role tag on the organisation page)

HALLINGDAL = "Regionrådet for Hallingdal"
HALLINGDAL_SLUG = "regionradet-hallingdal"
HALLINGDAL_AS_WRITTEN = "Regionrådet i Hallingdal"


def translation(language: str, msgid: str) -> str:
    po_path = Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"
    assert po_path.exists(), f"{po_path} is missing"
    entry = polib.pofile(str(po_path)).find(msgid)
    assert entry is not None and entry.msgstr and not entry.fuzzy, (
        f"{msgid!r} is not translated in {po_path}"
    )
    return entry.msgstr


@pytest.fixture
def buskerud(demo_data):
    return Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)


def result_rows(page):
    return page.locator("table.portal-tiltak-table tbody tr")


def row_numbered(table_rows, nummer: str):
    """The table row whose first cell is exactly the tiltak number."""
    return table_rows.filter(
        has=table_rows.page.locator(
            "td:first-child", has_text=re.compile(rf"^\s*{re.escape(nummer)}\s*$")
        )
    )


def test_find_measures_by_organisation_and_switch_to_nynorsk(page, buskerud):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(
        page.get_by_role("link", name=re.compile(r"Smart samhandling i Buskerud 2019"))
    ).to_be_visible()
    assert_accessible(page)

    page.locator("header nav").get_by_role("link", name=NB_FIND_MEASURES, exact=True).click()
    expect(page).to_have_url(re.compile(r"/tiltak/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(NB_FIND_MEASURES)
    assert_accessible(page)
    save_screenshot(page, "search")

    search = page.get_by_role("search")
    search.get_by_label(NB_ORGANISATION, exact=True).select_option(label=HALLINGDAL)
    search.get_by_label(NB_ROLE, exact=True).select_option(label=NB_LEAD)
    search.get_by_role("button").click()

    expect(page).to_have_url(re.compile(rf"organisasjon={HALLINGDAL_SLUG}"))
    expect(page).to_have_url(re.compile(r"rolle=hovedansvar"))
    # "6 tiltak funnet": its own two leads and four that groups it belongs to lead
    # («Regionrådene»: 3.8, 7.32; «Kommuneregionene»: 3.19, 6.18), marked as such.
    expect(page.locator("#resultat")).to_have_text(re.compile(r"^\s*6\b"))
    rows = result_rows(page)
    expect(rows).to_have_count(6)
    expect(rows.locator("td:first-child")).to_have_text(
        ["3.8", "3.19", "3.23", "3.36", "6.18", "7.32"]
    )
    expect(row_numbered(rows, "3.8").locator('li[data-via="regionradene"]')).to_have_count(1)
    expect(row_numbered(rows, "3.36").locator("li[data-via]")).to_have_count(0)
    # The filters keep what the user chose.
    expect(search.get_by_label(NB_ORGANISATION, exact=True)).to_have_value(HALLINGDAL_SLUG)
    expect(search.get_by_label(NB_ROLE, exact=True)).to_have_value("hovedansvar")
    assert_accessible(page)

    row_numbered(rows, "3.23").locator("td").nth(1).get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/tiltak/\d+/$"))
    tiltak_url = page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text("Styrke omdømme i Buskerud")
    lead = page.get_by_role("region", name=NB_LEAD, exact=True)
    expect(lead.get_by_role("link", name=HALLINGDAL, exact=True)).to_be_visible()
    # The source wrote «Regionrådet i Hallingdal», the party assigned: the assigned party is
    # the party, and the source's text is shown only where it differs (issue 7.8).
    expect(lead).not_to_contain_text(f"«{HALLINGDAL_AS_WRITTEN}»")
    assert_accessible(page)

    # Language switch with the keyboard only: focus the select, arrow to nynorsk, Tab, Enter.
    nn_lead = translation("nn", "Lead responsibility")
    assert nn_lead != NB_LEAD
    select = page.locator("#sprakvalg")
    select.focus()
    expect(select).to_be_focused()
    for _ in range(len(settings.LANGUAGES)):
        chosen = select.evaluate("s => s.options[s.selectedIndex].textContent").strip()
        if "nynorsk" in chosen.lower():
            break
        page.keyboard.press("ArrowDown")
    expect(select).to_have_value("nn")
    page.keyboard.press("Tab")
    expect(page.locator("form.portal-lang button[type=submit]")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("html")).to_have_attribute("lang", "nn")
    assert page.url == tiltak_url
    lead_nn = page.get_by_role("region", name=nn_lead, exact=True)
    expect(lead_nn.get_by_role("link", name=HALLINGDAL, exact=True)).to_be_visible()
    expect(page.get_by_role("region", name=NB_LEAD, exact=True)).to_have_count(0)
    expect(page.locator("#sprakvalg")).to_have_value("nn")
    assert_accessible(page)


def test_programme_page_skip_link_and_accessibility(page, buskerud):
    page.goto(buskerud.get_absolute_url())
    expect(result_rows(page)).to_have_count(164)
    save_screenshot(page, "programme", full_page=False)

    page.keyboard.press("Tab")
    skip = page.locator("a.ds-skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_attribute("href", "#innhold")
    box = skip.bounding_box()
    assert box and box["width"] > 1 and box["height"] > 1, f"skip link not visible on focus: {box}"
    page.keyboard.press("Enter")
    expect(page.locator("main#innhold")).to_be_focused()
    # The next Tab continues inside main, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")

    assert_accessible(page)


def test_organisation_page_lists_roles(page, demo_data):
    page.goto(f"/organisasjoner/{HALLINGDAL_SLUG}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(HALLINGDAL)
    rows = page.locator("main table tbody tr")
    for nummer, role in [("3.23", NB_LEAD), ("3.36", NB_LEAD), ("4.6", NB_COLLABORATOR)]:
        row = row_numbered(rows, nummer)
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(2).locator(".ds-tag")).to_have_text(role)
    # What reaches it through «Regionrådene» is listed too, and says so.
    expect(row_numbered(rows, "3.8").locator(".ds-tag")).to_have_count(0)
    expect(row_numbered(rows, "3.8").locator('li[data-via="regionradene"]')).to_have_count(1)
    assert_accessible(page)
