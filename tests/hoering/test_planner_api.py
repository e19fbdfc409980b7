"""The planner's hearing API with the same rules and error contract as the pages: create,
change with the version (409 when stale), open, the høringsliste, extensions, assessments and
conversions (refused with a clear 400 while the hearing runs)."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from hoering.models import Fristutsettelse, Hoering, Invitasjon, Tiltaksforslag
from tests.hoering import planner_data as d
from tiltak.models import ProgramStatus, Tiltak

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(users):
    client = Client()
    client.force_login(users["planner"])

    def call(method, url, body=None):
        return getattr(client, method)(url, body or {}, content_type="application/json")

    return call


def test_create_change_and_open_through_the_api(users, api):
    programme, _ = d.programme_with_tiltak(users["county"])
    with time_machine.travel(d.AAPNER - timedelta(days=1), tick=False):
        response = api(
            "post",
            reverse("api:hoering-list"),
            {
                "program": programme.pk,
                "tittel": "Høring",
                "aapner": d.AAPNER.isoformat(),
                "frist": d.FRIST.isoformat(),
            },
        )
        assert response.status_code == 201, response.content
        h = response.json()
        bad = api(
            "post",
            reverse("api:hoering-list"),
            {
                "program": programme.pk,
                "tittel": "X",
                "aapner": d.FRIST.isoformat(),
                "frist": d.AAPNER.isoformat(),
            },
        )
        assert bad.status_code == 400 and "frist" in bad.json()
        url = reverse("api:hoering-detail", args=[h["id"]])
        ok = api("patch", url, {"versjon": h["versjon"], "tittel": "Høring 2018"})
        assert ok.status_code == 200 and ok.json()["versjon"] == h["versjon"] + 1
        stale = api("patch", url, {"versjon": h["versjon"], "tittel": "Annen"})
        assert stale.status_code == 409 and stale.json()["versjon"] == h["versjon"] + 1
        assert Hoering.objects.get(pk=h["id"]).tittel == "Høring 2018"
        inv = api(
            "post",
            reverse("api:hoeringsinvitasjon-list"),
            {
                "hoering": h["id"],
                "organisasjon": users["kommune"].pk,
                "epost": "post@testby.no",
                "spraak": "nn",
            },
        )
        assert inv.status_code == 201, inv.content
        twice = api(
            "post",
            reverse("api:hoeringsinvitasjon-list"),
            {
                "hoering": h["id"],
                "organisasjon": users["kommune"].pk,
                "epost": "x@testby.no",
            },
        )
        assert twice.status_code == 400 and "organisasjon" in twice.json()
        listed = api("get", reverse("api:hoeringsinvitasjon-list") + f"?hoering={h['id']}").json()
        rows = listed["results"] if isinstance(listed, dict) else listed
        assert [r["epost"] for r in rows] == ["post@testby.no"]
    with time_machine.travel(d.AAPNER + timedelta(minutes=1), tick=False):
        opened = api("post", reverse("api:hoering-aapne", args=[h["id"]]))
        assert opened.status_code == 200 and opened.json()["aapnet"]
        assert len(mail.outbox) == 1
        again = api("post", reverse("api:hoering-aapne", args=[h["id"]]))
        assert again.status_code == 400 and "detail" in again.json()
        programme.refresh_from_db()
        assert programme.status == ProgramStatus.PAA_HOERING
        resend = api("post", reverse("api:hoeringsinvitasjon-send", args=[inv.json()["id"]]))
        assert resend.status_code == 200 and len(mail.outbox) == 2
        ext = api(
            "post",
            reverse("api:fristutsettelse-list"),
            {
                "hoering": h["id"],
                "organisasjon": users["kommune"].pk,
                "ny_frist": (d.FRIST + timedelta(days=3)).isoformat(),
                "grunn": "Møte 26. oktober",
            },
        )
        assert ext.status_code == 201, ext.content
        no_reason = api(
            "post",
            reverse("api:fristutsettelse-list"),
            {
                "hoering": h["id"],
                "organisasjon": users["kommune"].pk,
                "ny_frist": (d.FRIST + timedelta(days=3)).isoformat(),
                "grunn": " ",
            },
        )
        assert no_reason.status_code == 400
        assert Fristutsettelse.objects.get().grunn == "Møte 26. oktober"


def test_assess_and_convert_through_the_api(users, api):
    programme, tiltak = d.programme_with_tiltak(users["county"], status=ProgramStatus.PAA_HOERING)
    hoering = d.hearing(programme)
    svar = d.full_answer(hoering, users["kommune"], tiltak)
    forslag = Tiltaksforslag.objects.get(svar=svar)
    url = reverse("api:hoering-vurder", args=[hoering.pk])
    convert = reverse("api:hoering-gjennomfoer", args=[hoering.pk])
    with time_machine.travel(d.FRIST - timedelta(hours=1), tick=False):
        r = api("post", url, {"kind": "tiltaksforslag", "id": forslag.pk, "vurdering": "ikke"})
        assert r.status_code == 400 and "vurdering_begrunnelse" in r.json()
        r = api("post", url, {"kind": "merknader", "id": svar.pk, "vurdering": "tatt_til_foelge"})
        assert r.status_code == 200
        svar.refresh_from_db()
        assert svar.vurdering == "tatt_til_foelge"
        r = api("post", convert, {"kind": "tiltaksforslag", "id": forslag.pk})
        assert (
            r.status_code == 400 and "fristen" in r.json()["detail"].lower()
        )  # bokmål, the default
        r = api("post", convert, {"kind": "tiltaksforslag", "id": 999999})
        assert r.status_code == 404
    with time_machine.travel(d.FRIST + timedelta(seconds=1), tick=False):
        r = api("post", convert, {"kind": "tiltaksforslag", "id": forslag.pk, "tittel": "Nytt"})
        assert r.status_code == 200, r.content
        assert Tiltak.objects.get(pk=r.json()["tiltak"]).tittel == "Nytt"
        forslag.refresh_from_db()
        assert forslag.resultat_tiltak_id == r.json()["tiltak"]
        missing = api("post", convert, {"kind": "standpunkt", "id": svar.standpunkter.first().pk})
        assert missing.status_code == 400 and "field" in missing.json()
    assert Invitasjon.objects.count() == 0
