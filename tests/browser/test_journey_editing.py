"""A county planner edits the programme in a real browser: logs in on the login page, changes a
tiltak's title, adds a collaborator with the keyboard only through the type-ahead organisation
picker, saves, and finds both on the tiltak page and in its history. axe-core runs on every page.

Locators use ids, roles and URLs rather than visible texts where the texts are new msgids whose
bokmål translations are filled in later.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from partnerskap.models import BrukerRolle, Organisasjon
from tests.browser.conftest import assert_accessible, save_screenshot
from tests.factories import BrukerFactory
from tiltak.models import Ansvar, Handlingsprogram, Rolle, Tiltak

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "riktig-passord-123"
NEW_TITLE = "Traineemodeller i alle regionene etableres"
PARTY = "Regionrådet for Hallingdal"
MAX_TABS = 60


@pytest.fixture
def buskerud(demo_data):
    return Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)


@pytest.fixture
def planner(buskerud):
    # The Buskerud demo programme is owned by Buskerud fylkeskommune (slug "bfk").
    return BrukerFactory(
        email="planlegger@bfk.no",
        organisasjon=Organisasjon.objects.get(slug="bfk"),
        rolle=BrukerRolle.PLANLEGGER,
    )


@pytest.fixture
def tiltak_311(buskerud):
    t = Tiltak.objects.get(program=buskerud, tema__nummer=3, nummer=11)
    assert not Ansvar.objects.filter(tiltak=t, organisasjon__navn=PARTY).exists()
    return t


def log_in(page, user):
    """Through the real login page (/konto/logg-inn/)."""
    page.goto(reverse("login"))
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/konto/logg-inn/"))


def tab_to(page, selector: str) -> None:
    """Press Tab until the element matching `selector` has focus, as a keyboard user would."""
    for _ in range(MAX_TABS):
        if page.evaluate(
            "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"{selector} was not reached with {MAX_TABS} presses of Tab")


def test_planner_edits_title_and_adds_collaborator_with_keyboard(
    page, planner, buskerud, tiltak_311
):
    log_in(page, planner)

    # The programme page links to the editing tree.
    page.goto(buskerud.get_absolute_url())
    edit_programme = reverse("tiltak:programme_edit", args=[buskerud.pk])
    page.locator(f'a[href="{edit_programme}"]').click()
    expect(page).to_have_url(re.compile(re.escape(edit_programme) + "$"))
    expect(page.locator(f"#tiltak-{tiltak_311.pk}")).to_be_visible()
    assert_accessible(page)
    save_screenshot(page, "programme-edit", full_page=False)

    # The tiltak page links to its edit page.
    page.goto(tiltak_311.get_absolute_url())
    assert_accessible(page)
    edit_url = reverse("tiltak:tiltak_edit", args=[tiltak_311.pk])
    page.locator(f'main a[href="{edit_url}"]').click()
    expect(page).to_have_url(re.compile(re.escape(edit_url) + "$"))
    expect(page.locator("input[name=versjon]")).to_have_value(str(tiltak_311.versjon))
    assert_accessible(page)
    save_screenshot(page, "tiltak-edit")

    title = page.locator("#id_tittel")
    title.fill(NEW_TITLE)

    # The organisation picker, keyboard only: Tab to it, type, arrow down, Enter.
    combobox = page.locator("input[role=combobox]")
    expect(combobox).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#id_ansvar_organisasjon_valg")).to_be_hidden()  # the no-JS select
    tab_to(page, "#id_ansvar_organisasjon")
    expect(combobox).to_be_focused()
    page.keyboard.type("regionrådet for hall")
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    expect(combobox).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options.first).to_contain_text(PARTY)
    expect(page.locator("[data-org-picker-live]")).not_to_be_empty()
    assert_accessible(page)
    save_screenshot(page, "org-picker-open", full_page=False)

    # Escape closes the list; ArrowDown opens it again on the first option.
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(combobox).to_have_attribute("aria-expanded", "false")
    expect(combobox).to_have_value("regionrådet for hall")
    page.keyboard.press("ArrowDown")
    expect(listbox).to_be_visible()
    active_id = combobox.get_attribute("aria-activedescendant")
    assert active_id, "ArrowDown did not set aria-activedescendant"
    expect(page.locator(f"#{active_id}")).to_have_attribute("aria-selected", "true")
    expect(page.locator(f"#{active_id}")).to_contain_text(PARTY)
    page.keyboard.press("Enter")
    expect(combobox).to_have_attribute("aria-expanded", "false")
    expect(listbox).to_be_hidden()
    expect(combobox).to_have_value(re.compile(re.escape(PARTY)))
    # Enter chose the option; it did not submit a form.
    expect(page).to_have_url(re.compile(re.escape(edit_url) + "$"))

    # Role: collaborator is preselected; Tab reaches the checked radio, then on to the button.
    page.keyboard.press("Tab")
    collaborator = page.locator("input[name=rolle][value=samarbeidspart]")
    expect(collaborator).to_be_focused()
    expect(collaborator).to_be_checked()
    tab_to(page, ".portal-party-form button[type=submit]")
    page.keyboard.press("Enter")

    # htmx swapped the parties section in place: no page load, the title typed is still there.
    collaborators = page.locator("section[aria-labelledby=samarbeidsparter-tittel]")
    expect(collaborators.locator(".portal-party-list__name", has_text=PARTY)).to_be_visible()
    expect(page.locator("#parter-status")).to_contain_text(PARTY)
    expect(title).to_have_value(NEW_TITLE)
    assert Ansvar.objects.filter(
        tiltak=tiltak_311, organisasjon__navn=PARTY, rolle=Rolle.SAMARBEIDSPART
    ).exists()
    # Focus is back in the picker, ready for the next party.
    expect(page.locator("input[role=combobox]")).to_be_focused()
    assert_accessible(page)

    # Save the title: back on the tiltak page, which says it was saved.
    page.locator("form.portal-edit-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(tiltak_311.get_absolute_url()) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(NEW_TITLE)
    expect(page.locator(".portal-messages [role=status]")).to_have_text("Tiltaket er lagret.")
    on_page = page.locator("section[aria-labelledby=samarbeidsparter]")
    expect(on_page.get_by_role("link", name=PARTY, exact=True)).to_be_visible()
    assert_accessible(page)
    save_screenshot(page, "tiltak-after-edit")

    # The history page (tiltak/views/history.py) shows both changes, by this planner.
    page.goto(reverse("tiltak:tiltak_history", args=[tiltak_311.pk]))
    history = page.locator("ol.portal-history")
    expect(history).to_contain_text(NEW_TITLE)
    expect(history).to_contain_text(PARTY)
    expect(history.locator("li").first).to_contain_text(planner.get_full_name())
    assert_accessible(page)
    saved = Tiltak.objects.get(pk=tiltak_311.pk)
    assert (saved.tittel, saved.versjon) == (NEW_TITLE, tiltak_311.versjon + 1)
    row = Tiltak.history.filter(id=saved.pk).first()
    assert (row.tittel, row.history_user_id) == (NEW_TITLE, planner.pk)


def test_quick_edit_in_the_tree_and_the_conflict_message(page, planner, buskerud, tiltak_311):
    log_in(page, planner)
    page.goto(reverse("tiltak:programme_edit", args=[buskerud.pk]))
    row = page.locator(f"#tiltak-{tiltak_311.pk}")
    quick = reverse("tiltak:tiltak_quick_edit", args=[tiltak_311.pk])
    row.locator(f'a[hx-get="{quick}"]').click()
    title = page.locator(f"#id_t{tiltak_311.pk}_tittel")
    expect(title).to_be_focused()  # autofocus after the swap
    assert_accessible(page)

    # Meanwhile someone else saves the same tiltak.
    from tiltak.services.tiltak import tiltak_update

    tiltak_update(
        actor=planner, tiltak=tiltak_311, expected_versjon=tiltak_311.versjon, status="paagaar"
    )
    title.fill("Min raske tittel")
    page.locator(f"#tiltak-{tiltak_311.pk} button[type=submit]").click()
    alert = page.locator(f"#tiltak-{tiltak_311.pk} .ds-alert")
    expect(alert).to_be_visible()
    save_screenshot(page, "quick-edit-conflict", full_page=False)
    expect(page.locator(f"#id_t{tiltak_311.pk}_tittel")).to_have_value("Min raske tittel")
    assert Tiltak.objects.get(pk=tiltak_311.pk).tittel == tiltak_311.tittel
    assert_accessible(page)
    # Saving again goes through on top of the new version and the row is shown again.
    page.locator(f"#tiltak-{tiltak_311.pk} button[type=submit]").click()
    expect(page.locator(f"#tiltak-{tiltak_311.pk} form")).to_have_count(0)
    expect(page.locator(f"#tiltak-{tiltak_311.pk}")).to_contain_text("Min raske tittel")
    saved = Tiltak.objects.get(pk=tiltak_311.pk)
    assert (saved.tittel, saved.status) == ("Min raske tittel", "paagaar")


def test_picker_creates_a_missing_organisation(page, planner, tiltak_311):
    log_in(page, planner)
    page.goto(reverse("tiltak:tiltak_edit", args=[tiltak_311.pk]))
    combobox = page.locator("input[role=combobox]")
    combobox.focus()
    page.keyboard.type("Nore og Uvdal Næringsforum")
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    create = listbox.locator(".portal-combobox__option--create")
    expect(create).to_contain_text("«Nore og Uvdal Næringsforum»")
    # The create option is the only one: one ArrowDown reaches it.
    page.keyboard.press("ArrowDown")
    expect(create).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    hidden_select = page.locator("#id_ansvar_organisasjon_valg")
    expect(hidden_select).not_to_have_value("")  # set once the organisation exists
    expect(listbox).to_be_hidden()
    created = Organisasjon.objects.get(navn="Nore og Uvdal Næringsforum")
    expect(hidden_select).to_have_value(str(created.pk))
    expect(combobox).to_have_value("Nore og Uvdal Næringsforum")
    tab_to(page, ".portal-party-form button[type=submit]")
    page.keyboard.press("Enter")
    collaborators = page.locator("section[aria-labelledby=samarbeidsparter-tittel]")
    expect(
        collaborators.locator(".portal-party-list__name", has_text="Nore og Uvdal Næringsforum")
    ).to_be_visible()
    assert Ansvar.objects.filter(tiltak=tiltak_311, organisasjon=created).exists()
    assert_accessible(page)
