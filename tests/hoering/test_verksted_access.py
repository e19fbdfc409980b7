"""The permission matrix of the workshop pages and API: every view and endpoint × every role of
the `users` fixture. A non-public workshop: the planner of the organiser (and the admin)
manage; the member of the invited organisation and the board see it; the other organisation's
planner and member and anonymous visitors get 404."""

import pytest
from django.urls import reverse

from hoering.models import Innspill
from tests.conftest import ROLES
from tests.hoering.verksted_helpers import make_workshop

pytestmark = pytest.mark.django_db

SEE = {"administrator", "planner", "member", "board"}
MANAGE = {"administrator", "planner"}
# Participants: the invited organisation's member, and the organiser's own people (the board
# member of the `users` fixture belongs to the organising county).
ADD = {"administrator", "planner", "member", "board"}


def _expected(role: str, allowed: set[str], seen: set[str] = SEE) -> set[int]:
    if role in allowed:
        return {200, 302}
    if role not in seen:
        return {404}
    return {302} if role == "anonymous" else {403}


def _pages(v, q, i):
    """(name, method, url, who may) for every workshop view; POSTs with harmless data."""
    return [
        ("verksted_detail", "get", reverse("hoering:verksted_detail", args=[v.pk]), SEE),
        ("verksted_live", "get", reverse("hoering:verksted_live", args=[v.pk]), SEE),
        (
            "verksted_live_content",
            "get",
            reverse("hoering:verksted_live_content", args=[v.pk]),
            SEE,
        ),
        ("verksted_summary", "get", reverse("hoering:verksted_summary", args=[v.pk]), SEE),
        (
            "verksted_summary_pdf",
            "get",
            reverse("hoering:verksted_summary", args=[v.pk]) + "?format=pdf",
            SEE,
        ),
        (
            "verksted_summary_xlsx",
            "get",
            reverse("hoering:verksted_summary", args=[v.pk]) + "?format=xlsx",
            SEE,
        ),
        (
            "verksted_innspill_csv",
            "get",
            reverse("hoering:verksted_innspill_csv", args=[v.pk]),
            SEE,
        ),
        ("verksted_grupper", "get", reverse("hoering:verksted_grupper", args=[v.pk]), MANAGE),
        ("verksted_grupper_post", "post", reverse("hoering:verksted_grupper", args=[v.pk]), MANAGE),
        ("verksted_forslag", "post", reverse("hoering:verksted_forslag", args=[v.pk]), MANAGE),
        (
            "verksted_spoersmaal_add",
            "post",
            reverse("hoering:verksted_spoersmaal_add", args=[v.pk]),
            MANAGE,
        ),
        (
            "verksted_innspill_create",
            "get",
            reverse("hoering:verksted_innspill_create", args=[q.pk]),
            ADD,
        ),
        # Only its author (the member) edits an input.
        (
            "verksted_innspill_update",
            "get",
            reverse("hoering:verksted_innspill_update", args=[i.pk]),
            {"member"},
        ),
        # Last: it closes the question.
        (
            "verksted_spoersmaal_toggle",
            "post",
            reverse("hoering:verksted_spoersmaal_toggle", args=[q.pk]),
            MANAGE,
        ),
    ]


def test_every_workshop_url_is_in_the_matrix(users):
    from hoering.urls import verksted_patterns

    v, _, _ = make_workshop(users)
    q = v.spoersmaal.first()
    names = {
        name.removesuffix("_pdf").removesuffix("_xlsx").removesuffix("_post")
        for name, *_ in _pages(v, q, Innspill.objects.first())
    }
    assert {p.name for p in verksted_patterns} - {"verksted_list", "verksted_create"} == names


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_pages(users, client_for, role):
    v, _, _ = make_workshop(users)
    q = v.spoersmaal.first()
    i = Innspill.objects.filter(spoersmaal=q).first()
    client = client_for(role)
    for name, method, url, allowed in _pages(v, q, i):
        response = getattr(client, method)(url)
        assert response.status_code in _expected(role, allowed), (name, role, response.status_code)
        if role in allowed and method == "get":
            assert response.status_code == 200, (name, role)


@pytest.mark.parametrize("role", ROLES)
def test_list_and_create(users, client_for, role):
    v, _, _ = make_workshop(users)
    client = client_for(role)
    response = client.get(reverse("hoering:verksted_list"))
    assert response.status_code == 200
    assert (v.tittel in response.content.decode()) == (role in SEE)
    response = client.get(reverse("hoering:verksted_create"))
    if role in {"administrator", "planner", "other_planner"}:
        assert response.status_code == 200
    elif role == "anonymous":
        assert response.status_code == 302 and "/konto/" in response["Location"]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_public_workshop_is_read_by_everyone_but_written_by_participants(users, client_for, role):
    v, _, _ = make_workshop(users, offentlig=True)
    q = v.spoersmaal.first()
    client = client_for(role)
    assert client.get(reverse("hoering:verksted_detail", args=[v.pk])).status_code == 200
    assert client.get(reverse("hoering:verksted_summary", args=[v.pk])).status_code == 200
    before = Innspill.objects.count()
    response = client.post(
        reverse("hoering:verksted_innspill_create", args=[q.pk]), {"tekst": "Et nytt innspill"}
    )
    writes = role in ADD
    assert Innspill.objects.count() == before + (1 if writes else 0), (role, response.status_code)
    assert client.get(reverse("hoering:verksted_grupper", args=[v.pk])).status_code in (
        {200} if role in MANAGE else {302} if role == "anonymous" else {403}
    )


API_SEE = SEE


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_api(users, client_for, role):
    v, _, tema = make_workshop(users)
    q = v.spoersmaal.first()
    i = Innspill.objects.filter(spoersmaal=q).first()
    client = client_for(role)
    sees = role in API_SEE
    # Reads: a workshop the user may not see is absent (list) and 404 (detail).
    assert client.get(f"/api/verksteder/{v.pk}/").status_code == (200 if sees else 404)
    assert client.get(f"/api/verksted-spoersmaal/{q.pk}/").status_code == (200 if sees else 404)
    assert client.get(f"/api/verksted-innspill/{i.pk}/").status_code == (200 if sees else 404)
    listed = client.get("/api/verksted-innspill/").json()["count"]
    assert listed == (6 if sees else 0)
    # Writes.
    r = client.post(
        "/api/verksted-innspill/",
        {"spoersmaal": q.pk, "tekst": "Via API"},
        content_type="application/json",
    )
    expected_add = {
        "administrator": 201,
        "planner": 201,
        "member": 201,
        "board": 201,
        "anonymous": 401,
    }
    assert r.status_code == expected_add.get(role, 400), (role, r.status_code, r.content)
    r = client.patch(
        f"/api/verksted-innspill/{i.pk}/",
        {"tekst": "Endret", "versjon": 1},
        content_type="application/json",
    )
    expected_edit = {"member": 200, "anonymous": 401}
    assert r.status_code == expected_edit.get(role, 403 if sees else 404), (role, r.status_code)
    r = client.post(
        "/api/verksted-temaer/",
        {"verksted": v.pk, "etikett": "Tema", "innspill": [i.pk]},
        content_type="application/json",
    )
    expected_group = {"administrator": 201, "planner": 201, "anonymous": 401}
    assert r.status_code == expected_group.get(role, 403 if sees else 400), (role, r.status_code)
    r = client.post(
        f"/api/verksted-innspill/{i.pk}/foreslaa/",
        {"tema": tema.pk},
        content_type="application/json",
    )
    expected_convert = {"administrator": 201, "planner": 201, "anonymous": 401}
    assert r.status_code == expected_convert.get(role, 403 if sees else 404), (role, r.status_code)
    r = client.post(f"/api/verksted-spoersmaal/{q.pk}/lukk/")
    expected_close = {"administrator": 200, "planner": 200, "anonymous": 401}
    assert r.status_code == expected_close.get(role, 403 if sees else 404), (role, r.status_code)
