"""The answer through the API with token auth: fill in, save with the version, 409 when stale,
submit once, the receipt, a new version; 4xx after the deadline; who may see what."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from hoering.models import Fristutsettelse, Hoeringssvar, SvarStatus
from hoering.services import svar as services
from tests.conftest import ROLES
from tests.hoering.svar_helpers import make_hearing

pytestmark = pytest.mark.django_db

BASE = "/api/hoeringssvar/"


@pytest.fixture
def world(users):
    return make_hearing(users)


def api(users, role) -> APIClient:
    client = APIClient()
    if users[role] is not None:
        token, _ = Token.objects.get_or_create(user=users[role])
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_fill_in_and_submit_entirely_through_the_api(users, world):
    client = api(users, "member")
    start = client.post(BASE, {"hoering": world["hoering"].pk}, format="json")
    assert start.status_code == 201, start.content
    body = start.json()
    assert body["status"] == "utkast" and body["versjon"] == 1
    again = client.post(BASE, {"hoering": world["hoering"].pk}, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    own, rest = world["tiltak"]["own"][0], world["tiltak"]["rest"][0]
    tema = world["temaer"][1]
    patch = client.patch(
        f"{BASE}{body['id']}/",
        {
            "versjon": 1,
            "generelle_merknader": "Vi støttar programmet.",
            "saksnummer": "SAK 44/18",
            "vedtaksdato": "2018-10-02",
            "standpunkter": [
                {"tiltak": own.pk, "standpunkt": "paatar_hovedansvar"},
                {"tiltak": rest.pk, "standpunkt": "endring", "tekst": "Fleire regionar"},
            ],
            "aktoerforslag": [
                {"tiltak": rest.pk, "navn": "Yrkesmessa i Hallingdal", "rolle": "samarbeidspart"}
            ],
            "tiltaksforslag": [
                {"tema": tema.pk, "tittel": "Livskvalitet Hallingdal", "hva": "Prosjektet …"}
            ],
        },
        format="json",
    )
    assert patch.status_code == 200, patch.content
    saved = patch.json()
    assert saved["versjon"] == 2 and saved["vedtaksdato"] == "2018-10-02"
    assert {s["tiltak"]: s["foreslaatt_rolle"] for s in saved["standpunkter"]} == {
        own.pk: "hovedansvar",
        rest.pk: "",
    }
    assert saved["aktoerforslag"][0]["navn"] == "Yrkesmessa i Hallingdal"
    assert saved["tiltaksforslag"][0]["tittel"] == "Livskvalitet Hallingdal"

    submit = client.post(
        f"{BASE}{body['id']}/send-inn/",
        {"signatar": "Knut Arne Gurigard", "versjon": 2},
        format="json",
    )
    assert submit.status_code == 200, submit.content
    receipt = submit.json()
    svar = Hoeringssvar.objects.get(pk=body["id"])
    assert receipt["sha256"] == svar.sha256 and len(receipt["sha256"]) == 64
    # a retried request: the same receipt, stored once
    retry = client.post(
        f"{BASE}{body['id']}/send-inn/",
        {"signatar": "Knut Arne Gurigard", "versjon": 2},
        format="json",
    )
    assert retry.status_code == 200 and retry.json() == receipt
    assert Hoeringssvar.objects.filter(status=SvarStatus.INNSENDT).count() == 1
    assert client.get(f"{BASE}{body['id']}/kvittering/").json() == receipt
    # read-only now
    refused = client.patch(f"{BASE}{body['id']}/", {"versjon": 2, "saksnummer": "X"}, format="json")
    assert refused.status_code == 400 and "detail" in refused.json()
    ny = client.post(f"{BASE}{body['id']}/ny-versjon/")
    assert ny.status_code == 201 and ny.json()["versjon_nr"] == 2
    assert ny.json()["saksnummer"] == "SAK 44/18"


def test_stale_draft_is_409_with_what_changed(users, world):
    svar = services.svar_start(actor=users["member"], hoering=world["hoering"])
    client = api(users, "member")
    first = client.patch(f"{BASE}{svar.pk}/", {"versjon": 1, "saksnummer": "A"}, format="json")
    assert first.status_code == 200
    stale = client.patch(f"{BASE}{svar.pk}/", {"versjon": 1, "saksnummer": "B"}, format="json")
    assert stale.status_code == 409
    body = stale.json()
    assert body["versjon"] == 2 and body["changed_fields"] == ["saksnummer"]
    assert body["changes"][0]["saved"] == "A" and body["changes"][0]["yours"] == "B"
    svar.refresh_from_db()
    assert svar.saksnummer == "A"


def test_bad_input_is_400_naming_the_field(users, world):
    svar = services.svar_start(actor=users["member"], hoering=world["hoering"])
    client = api(users, "member")
    own = world["tiltak"]["own"][0]
    for payload, field in (
        (
            {"versjon": 1, "standpunkter": [{"tiltak": own.pk, "standpunkt": "kan_ikke"}]},
            f"standpunkt_{own.pk}",
        ),
        (
            {"versjon": 1, "standpunkter": [{"tiltak": 999999, "standpunkt": "ingen_merknad"}]},
            "standpunkt_999999",
        ),
        ({"versjon": 1, "saksnummer": "bad\x01"}, "saksnummer"),
        ({"versjon": "x"}, "versjon"),
        ({"versjon": 1, "vedtaksdato": "2.10.2018"}, "vedtaksdato"),
    ):
        response = client.patch(f"{BASE}{svar.pk}/", payload, format="json")
        assert response.status_code == 400, (payload, response.content)
        assert field in response.json(), response.json()
    svar.refresh_from_db()
    assert svar.versjon == 1


def test_after_the_deadline_a_clear_4xx_unless_extended(users, world):
    svar = services.svar_start(actor=users["member"], hoering=world["hoering"])
    other = services.svar_start(actor=users["other_member"], hoering=world["hoering"])
    services.svar_save(
        actor=users["other_member"], svar=other, versjon=1, fields={"generelle_merknader": "Noko"}
    )
    Fristutsettelse.objects.create(
        hoering=world["hoering"],
        organisasjon=users["other"],
        ny_frist=world["hoering"].frist + timedelta(hours=1),
        grunn="Styremøte",
    )
    with time_machine.travel(world["hoering"].frist + timedelta(seconds=1)):
        late = api(users, "member").patch(
            f"{BASE}{svar.pk}/", {"versjon": 1, "saksnummer": "A"}, format="json"
        )
        assert late.status_code == 400
        assert "fristen" in late.json()["detail"].lower()  # bokmål, the default
        extended = api(users, "other_member").post(
            f"{BASE}{other.pk}/send-inn/", {"signatar": "Per"}, format="json"
        )
        assert extended.status_code == 200 and extended.json()["med_utsatt_frist"] is True


def test_who_may_see_and_write(users, world):
    svar = services.svar_start(actor=users["member"], hoering=world["hoering"])
    expected_get = {
        "anonymous": 404,
        "administrator": 200,
        "planner": 200,
        "other_planner": 404,
        "member": 200,
        "other_member": 404,
        "board": 200,
    }
    expected_patch = {
        "anonymous": 401,
        "administrator": 403,
        "planner": 403,
        "other_planner": 404,
        "member": 200,
        "other_member": 404,
        "board": 403,
    }
    expected_start = {
        "anonymous": 401,
        "administrator": 403,
        "planner": 403,
        "other_planner": 201,
        "member": 200,
        "other_member": 200,
        "board": 403,
    }
    got_get, got_patch, got_start = {}, {}, {}
    for role in ROLES:
        client = api(users, role)
        got_get[role] = client.get(f"{BASE}{svar.pk}/").status_code
        got_patch[role] = client.patch(
            f"{BASE}{svar.pk}/",
            {"versjon": Hoeringssvar.objects.get(pk=svar.pk).versjon},
            format="json",
        ).status_code
        got_start[role] = client.post(
            BASE, {"hoering": world["hoering"].pk}, format="json"
        ).status_code
    assert got_get == expected_get
    assert got_patch == expected_patch
    assert got_start == expected_start
    listing = api(users, "other_member").get(BASE).json()
    assert svar.pk not in [row["id"] for row in listing["results"]]


def test_published_answers_readable_after_the_deadline(users, world):
    svar = services.svar_start(actor=users["member"], hoering=world["hoering"])
    svar = services.svar_save(
        actor=users["member"], svar=svar, versjon=1, fields={"generelle_merknader": "Offentleg"}
    )
    done = services.svar_submit(actor=users["member"], svar=svar, signatar="Kari")
    assert api(users, "other_member").get(f"{BASE}{done.pk}/").status_code == 404
    with time_machine.travel(world["hoering"].frist + timedelta(seconds=1)):
        client = api(users, "other_member")
        assert client.get(f"{BASE}{done.pk}/").json()["generelle_merknader"] == "Offentleg"
        assert done.pk in [row["id"] for row in client.get(BASE).json()["results"]]
        assert api(users, "anonymous").get(f"{BASE}{done.pk}/").status_code == 200
        assert client.patch(f"{BASE}{done.pk}/", {"versjon": 1}, format="json").status_code == 403


def test_attach_the_decision_through_the_api(users, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    svar = services.svar_start(actor=users["member"], hoering=world["hoering"])
    client = api(users, "member")
    pdf = b"%PDF-1.4\n%%EOF\n"
    fake = client.post(
        f"{BASE}{svar.pk}/vedlegg/",
        {"versjon": 1, "fil": SimpleUploadedFile("v.pdf", b"GIF89a not a pdf")},
        format="multipart",
    )
    assert fake.status_code == 400 and "vedtak_vedlegg" in fake.json()
    ok = client.post(
        f"{BASE}{svar.pk}/vedlegg/",
        {"versjon": 1, "fil": SimpleUploadedFile("SAK 44-18.pdf", pdf)},
        format="multipart",
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["vedlegg"] == "SAK 44-18.pdf" and ok.json()["versjon"] == 2
    stale = client.post(
        f"{BASE}{svar.pk}/vedlegg/",
        {"versjon": 1, "fil": SimpleUploadedFile("x.pdf", pdf)},
        format="multipart",
    )
    assert stale.status_code == 409
    other = api(users, "other_member").post(
        f"{BASE}{svar.pk}/vedlegg/",
        {"versjon": 2, "fil": SimpleUploadedFile("x.pdf", pdf)},
        format="multipart",
    )
    assert other.status_code == 404
