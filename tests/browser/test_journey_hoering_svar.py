"""A regional council's member answers a hearing in a real browser, with the keyboard only:
follows the invitation link, creates an account tied to the council, gives positions on the
tiltak that concern the council, saves the draft, submits with a signatory, and downloads the
receipt PDF (opened and checked). axe-core on every page, at 1280 and 390 px.

Locators use ids, names and URLs rather than visible texts: the bokmål translations of this
branch's strings are merged later."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from hoering.models import Hoering, Hoeringssvar, Invitasjon, SvarStatus
from partnerskap.models import Bruker, Organisasjon
from tests.browser.conftest import assert_accessible
from tiltak.models import Handlingsprogram, Tiltak

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TABS = 200
PASSWORD = "Hallingdal-svarer-2018"


@pytest.fixture
def hearing(demo_data):
    programme = Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)
    now = timezone.now()
    hoering = Hoering.objects.create(
        program=programme,
        tittel="Høring: Smart samhandling i Buskerud",
        innledning="Hovedhensikten med høringen er å sikre forankring.",
        aapner=now - timedelta(days=1),
        frist=now + timedelta(days=20),
        aapnet=now - timedelta(days=1),
    )
    council = Organisasjon.objects.get(slug="regionradet-hallingdal")
    invitation = Invitasjon.objects.create(
        hoering=hoering,
        organisasjon=council,
        epost="post@hallingdal.example.no",
        spraak="nn",
        token="hallingdal-browser-token-0123456789abcdef",
    )
    return {"hoering": hoering, "invitation": invitation, "programme": programme}


def focused(page, selector: str) -> bool:
    return page.evaluate(
        "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
    )


def tab_to(page, selector: str) -> None:
    """Press Tab until the element matching `selector` has focus, as a keyboard user would."""
    for _ in range(MAX_TABS):
        if focused(page, selector):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"{selector} was not reached with {MAX_TABS} presses of Tab")


def test_council_member_answers_with_the_keyboard(page, hearing):
    programme = hearing["programme"]
    t336 = Tiltak.objects.get(program=programme, tema__nummer=3, nummer=36)
    t46 = Tiltak.objects.get(program=programme, tema__nummer=4, nummer=6)

    # The invitation link: create an account for the council.
    page.goto(reverse("hoering:invitation_accept", args=[hearing["invitation"].token]))
    expect(page.locator("#id_email")).to_have_value("post@hallingdal.example.no")
    assert_accessible(page)
    tab_to(page, "#id_first_name")
    page.keyboard.type("Marit")
    page.keyboard.press("Tab")
    page.keyboard.type("Medlem")
    tab_to(page, "#id_password1")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/hoering/svar/\d+/rediger/$"))
    user = Bruker.objects.get(email="post@hallingdal.example.no")
    assert user.organisasjon.slug == "regionradet-hallingdal"

    # What concerns the council comes first, with the roles through its groups marked.
    angaar = page.locator("#angaar").locator("xpath=..")
    expect(angaar.locator(f"#sp-{t336.pk}")).to_be_visible()
    expect(angaar.locator(f"#sp-{t46.pk}")).to_be_visible()
    expect(angaar).to_contain_text("via Regionrådene")
    assert_accessible(page)

    # 3.36: takes on the lead — Tab into the radio group, arrow to the choice, a comment.
    tab_to(page, f'input[name="sp-{t336.pk}"]:checked')
    page.keyboard.press("ArrowDown")
    assert focused(page, f"#sp-{t336.pk}-paatar_hovedansvar")
    page.keyboard.press("Tab")
    assert focused(page, f"#sptekst-{t336.pk}")
    page.keyboard.type("Etablert tiltak; Regionrådet har påteke seg ansvar.")
    # 4.6: confirms collaboration (two steps down).
    tab_to(page, f'input[name="sp-{t46.pk}"]:checked')
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert focused(page, f"#sp-{t46.pk}-bekrefter_samarbeid")
    tab_to(page, "#saksnummer")
    page.keyboard.type("SAK 44/18")
    tab_to(page, 'button[value="save"]')
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/rediger/#lagre$"))
    expect(page.locator("#saksnummer")).to_have_value("SAK 44/18")
    expect(page.locator(f"#sp-{t336.pk}-paatar_hovedansvar")).to_be_checked()
    svar = Hoeringssvar.objects.get(organisasjon=user.organisasjon)
    assert svar.status == SvarStatus.UTKAST and svar.standpunkter.count() == 2
    assert_accessible(page)

    # To submission, a signatory, submit.
    tab_to(page, 'button[value="review"]')
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/send-inn/$"))
    assert_accessible(page)
    tab_to(page, "#id_signatar")
    page.keyboard.type("Knut Arne Gurigard, dagleg leiar")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/kvittering/$"))
    svar.refresh_from_db()
    assert svar.status == SvarStatus.INNSENDT
    expect(page.locator(".portal-hash")).to_have_text(svar.sha256)
    assert_accessible(page)

    # The receipt PDF, downloaded with the keyboard and opened.
    pdf_link = f'a[href$="{reverse("hoering:svar_receipt", args=[svar.pk])}?format=pdf"]'
    tab_to(page, pdf_link)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    data = open(download.value.path(), "rb").read()  # noqa: PTH123, SIM115
    assert data.startswith(b"%PDF-")
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert svar.sha256[:24] in text.replace(" ", "")
    assert "Regionrådet for Hallingdal" in text and "Knut Arne Gurigard" in text
    assert "SAK 44/18" in text
