"""The reporting demo data: loaded after the programme demo, idempotent, and every invented
figure marked and shown as an example value, never as statistics."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from rapportering.models import Indikator, Indikatorverdi, Rapporteringsrunde, Statusrapport

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Indikator.objects.count(),
        Indikatorverdi.objects.count(),
        Rapporteringsrunde.objects.count(),
        Statusrapport.objects.count(),
    )


def test_demo_is_idempotent_and_marked_as_examples(demo_data, client, settings):
    call_command("load_demo_rapportering", stdout=io.StringIO())
    first = _counts()
    assert first[0] >= 5 and first[1] >= 15 and first[2] == 1 and first[3] >= 3
    call_command("load_demo_rapportering", stdout=io.StringIO())
    assert _counts() == first
    assert not Indikator.objects.filter(eksempelverdier=False).exists()
    assert not Rapporteringsrunde.objects.filter(eksempeldata=False).exists()
    assert all("ikke statistikk" in v.merknad for v in Indikatorverdi.objects.all())

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    indikator = Indikator.objects.order_by("pk").first()
    page = client.get(reverse("rapportering:indikator_list", args=[indikator.program_id]))
    assert page.status_code == 200
    assert page.content.decode().count("Example values – not statistics") >= 6
    page = client.get(indikator.get_absolute_url()).content.decode()
    assert "Example values – not statistics" in page and "(example)" in page
    values = client.get(reverse("api:indikatorverdi-list")).json()
    assert values["count"] == first[1]
    assert all(v["eksempelverdi"] for v in values["results"])
    indicators = client.get(reverse("api:indikator-list")).json()["results"]
    assert all(i["eksempelverdier"] for i in indicators)


def test_demo_member_has_tiltak_to_report_on(demo_data, client, settings):
    from partnerskap.models import Bruker

    call_command("load_demo_rapportering", stdout=io.StringIO())
    client.force_login(Bruker.objects.get(email="hallingdal@demo.test"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("rapportering:mine")).content.decode()
    assert "Example data" in page
    runde = Rapporteringsrunde.objects.get()
    assert page.count(f"/rapportering/runde/{runde.pk}/tiltak/") == 2  # 3.23 and 3.36
