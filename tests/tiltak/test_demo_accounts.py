"""Every role can be tried at once (issue 7, point 13): `load_demo` creates one account per role in
development, prints their sign-in and the login page shows it; never in production, and a second
load changes nothing (a changed password stays changed)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from partnerskap.models import Bruker, BrukerRolle
from tiltak.demo import ACCOUNTS_FILE, SOURCE_DIR, DemoDataError, demo_accounts_load

pytestmark = pytest.mark.django_db

LOGIN_URL = "/konto/logg-inn/"
ACCOUNTS = json.loads((SOURCE_DIR / ACCOUNTS_FILE).read_text(encoding="utf-8"))["kontoer"]
EMAILS = [a["email"] for a in ACCOUNTS]


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _text(response) -> str:
    # The page may break an address before its @ (<wbr>); what a reader sees is whole.
    return response.content.decode().replace("<wbr>", "")


def _rows():
    return list(
        Bruker.objects.filter(email__in=EMAILS)
        .order_by("email")
        .values("email", "password", "rolle", "organisasjon__slug", "is_active", "is_staff")
    )


def test_one_account_per_role_each_signs_in_with_the_password_printed():
    output = _load()
    accounts = {b.email: b for b in Bruker.objects.filter(email__in=EMAILS)}
    assert {b.rolle for b in accounts.values()} == set(BrukerRolle.values)
    assert accounts["planlegger@demo.test"].organisasjon.navn == "Buskerud fylkeskommune"
    assert accounts["hallingdal@demo.test"].organisasjon.navn == "Regionrådet for Hallingdal"
    assert accounts["admin@demo.test"].rolle == BrukerRolle.ADMINISTRATOR
    assert accounts["styret@demo.test"].rolle == BrukerRolle.STYREMEDLEM
    assert "Demokontoer (kun i utvikling)" in output
    for entry in ACCOUNTS:
        assert entry["email"] in output and entry["passord"] in output
        client = Client()
        response = client.post(
            LOGIN_URL, {"username": entry["email"], "password": entry["passord"]}
        )
        assert response.status_code == 302, entry["email"]
        assert client.session["_auth_user_id"] == str(accounts[entry["email"]].pk)


def test_the_buskerud_planner_may_edit_the_buskerud_programme():
    from tiltak.models import Handlingsprogram

    _load()
    planner = Bruker.objects.get(email="planlegger@demo.test")
    buskerud = Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)
    assert buskerud.eier == planner.organisasjon
    assert planner.has_perm("tiltak.edit_structure", buskerud)


def test_a_second_load_changes_nothing_and_keeps_a_changed_password():
    _load()
    planner = Bruker.objects.get(email="planlegger@demo.test")
    planner.set_password("Mitt-eget-passord-42")
    planner.save()
    before = _rows()
    output = _load()
    assert _rows() == before
    assert Bruker.objects.filter(email__in=EMAILS).count() == len(ACCOUNTS)
    assert "fantes fra før, ikke endret" in output
    assert Client().login(username=planner.email, password="Mitt-eget-passord-42")


def test_an_account_with_the_same_email_in_another_case_is_left_alone():
    from tests.factories import BrukerFactory

    mine = BrukerFactory(email="Admin@Demo.TEST", rolle=BrukerRolle.MEDLEM)
    _load()
    mine.refresh_from_db()
    assert mine.rolle == BrukerRolle.MEDLEM
    assert Bruker.objects.filter(email__iexact="admin@demo.test").count() == 1


def test_production_refuses_to_create_them(settings):
    settings.PRODUCTION = True
    with pytest.raises(DemoDataError, match="never created in production"):
        demo_accounts_load()
    output = _load()
    assert not Bruker.objects.filter(email__in=EMAILS).exists()
    assert "opprettes ikke i produksjon" in output
    assert all(entry["passord"] not in output for entry in ACCOUNTS)


def test_the_login_page_shows_them_in_development_only(settings, client):
    _load()
    client.cookies["portal_language"] = "en"
    page = _text(client.get(LOGIN_URL))
    assert "Demo accounts (development only)" in page
    for entry in ACCOUNTS:
        assert entry["email"] in page and entry["passord"] in page
    assert "Regionrådet for Hallingdal" in page

    settings.PRODUCTION = True
    page = _text(client.get(LOGIN_URL))
    assert "Demo accounts" not in page
    assert all(entry["passord"] not in page for entry in ACCOUNTS)


def test_the_login_page_lists_only_accounts_that_exist_and_are_active(client):
    _load()
    Bruker.objects.filter(email="styret@demo.test").update(is_active=False)
    Bruker.objects.filter(email="admin@demo.test").delete()
    page = _text(client.get(LOGIN_URL))
    assert "planlegger@demo.test" in page
    assert "styret@demo.test" not in page
    assert "admin@demo.test" not in page
    Bruker.objects.filter(email__in=EMAILS).delete()
    assert 'data-testid="demo-accounts"' not in _text(client.get(LOGIN_URL))
