"""The reporting pages fit a phone (WCAG 2.1 1.4.10 Reflow) at 320 px, and axe-core finds
nothing serious on them: the indicator list and page, the import page, the round, the report,
«Dine tiltak å rapportere på» and the report form. Demo data with the example reporting data."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from partnerskap.models import BrukerRolle, Organisasjon
from rapportering.models import Indikator, Rapporteringsrunde, Statusrapport
from tests.browser.conftest import assert_accessible, page_overflow
from tests.browser.test_journey_editing import log_in
from tests.factories import BrukerFactory
from tiltak.models import Tiltak

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def viewport() -> dict:
    return {"width": 320, "height": 800}


def test_reporting_pages_fit_320_px(page, demo_data):
    call_command("load_demo_rapportering", stdout=io.StringIO())
    runde = Rapporteringsrunde.objects.get()
    indikator = Indikator.objects.order_by("pk").first()
    rapport = Statusrapport.objects.order_by("pk").first()
    tiltak = Tiltak.objects.get(program=runde.program, tema__nummer=3, nummer=23)
    planner = BrukerFactory(
        email="planlegger@bfk.no",
        organisasjon=Organisasjon.objects.get(slug="bfk"),
        rolle=BrukerRolle.PLANLEGGER,
    )
    member = BrukerFactory(
        email="marit@hallingdal.no",
        organisasjon=Organisasjon.objects.get(slug="regionradet-hallingdal"),
        rolle=BrukerRolle.MEDLEM,
    )
    planner_pages = [
        reverse("rapportering:indikator_list", args=[runde.program_id]),
        indikator.get_absolute_url(),
        reverse("rapportering:values_import", args=[indikator.pk]),
        reverse("rapportering:runde_list", args=[runde.program_id]),
        runde.get_absolute_url(),
        rapport.get_absolute_url(),
    ]
    member_pages = [
        reverse("rapportering:mine"),
        reverse("rapportering:rapport_edit", args=[runde.pk, tiltak.pk]),
        runde.get_absolute_url(),
    ]
    log_in(page, planner)
    for url in planner_pages:
        page.goto(url)
        assert not page_overflow(page), page_overflow(page)
        assert_accessible(page)
    page.context.clear_cookies()
    log_in(page, member)
    for url in member_pages:
        page.goto(url)
        assert not page_overflow(page), page_overflow(page)
        assert_accessible(page)
