"""Issue 7 in a real browser: someone trying the portal signs in with a demo account copied from
the login page's box (desktop and phone width, axe-core on each), and narrows the search to one
programme, whose themes alone the theme list then offers (a plain submit, no JavaScript needed).
"""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, save_screenshot
from tiltak.models import Handlingsprogram

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


def _box_fits(page) -> None:
    """Nothing in the demo box reaches past the box or the viewport. (The page as a whole is the
    phone layout's business: at 320 px the header's language form is wider, with or without the
    box.)"""
    overflowing = page.evaluate(
        """() => {
            const box = document.querySelector('[data-testid=demo-accounts]');
            const limit = Math.min(box.getBoundingClientRect().right,
                                   document.documentElement.clientWidth);
            return Array.from(box.querySelectorAll('*'))
                .filter(e => e.getBoundingClientRect().right > limit)
                .map(e => e.tagName + ' ' + e.textContent.trim().slice(0, 40));
        }"""
    )
    assert not overflowing, overflowing


@pytest.mark.parametrize("width", [1280, 320])
def test_sign_in_with_a_demo_account_from_the_login_page(page, demo, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(reverse("login"))
    box = page.locator("[data-testid=demo-accounts]")
    expect(box).to_be_visible()
    assert_accessible(page)
    _box_fits(page)
    save_screenshot(page, f"login-demo-accounts-{width}")
    # Copy the Hallingdal member's sign-in from the box, as a visitor would.
    entry = box.locator("[data-testid=demo-account]", has_text="hallingdal@demo.test")
    email, password = entry.locator("code").all_inner_texts()
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/konto/logg-inn/"))


def test_choosing_a_programme_narrows_the_theme_list(page, demo):
    vt = Handlingsprogram.objects.get(start_aar=2021)
    page.goto(reverse("tiltak:tiltak_search"))
    themes = page.locator("select[name=tema]")
    assert themes.locator("optgroup").count() == 2
    assert_accessible(page)
    page.locator("select[name=program]").select_option(str(vt.pk))
    page.locator("main form[role=search] button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"program={vt.pk}"))
    assert themes.locator("optgroup").count() == 0
    offered = sorted(
        int(v)
        for v in themes.locator("option").evaluate_all(
            "options => options.map(o => o.value).filter(Boolean)"
        )
    )
    assert offered == sorted(vt.temaer.values_list("pk", flat=True))
    assert_accessible(page)
