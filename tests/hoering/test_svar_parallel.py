"""Double clicks and retried requests, sent truly in parallel against the live server (each
request in its own thread and database connection): ten submissions of one draft store it
exactly once and all get the same receipt; ten members starting the draft at once share one;
two saves from the same version: one wins, the other gets 409. Never a 500.

PostgreSQL only: SQLite serialises every write, so nothing races there."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections import Counter

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from hoering.models import Hoeringssvar, SvarStatus
from hoering.services import svar as services
from partnerskap.models import BrukerRolle
from tests.factories import BrukerFactory
from tests.hoering.svar_helpers import make_hearing
from tests.tiltak.test_parallel_writes import parallel

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises all writes, so there is no race to test; run on PostgreSQL",
    ),
]


def _client(live_server, user):
    """call(path, data, method="POST") -> (status, JSON body), as `user` with a token."""
    token = Token.objects.get_or_create(user=user)[0].key

    def call(path: str, data: dict, method: str = "POST") -> tuple[int, dict]:
        request = urllib.request.Request(  # noqa: S310 (http only)
            live_server.url + path,
            data=json.dumps(data).encode(),
            method=method,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Token {token}",
                "Cookie": "portal_language=en",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                status, body = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode(errors="replace")
        try:
            return status, json.loads(body)
        except ValueError:
            return status, {"body": body[:500]}

    return call


def test_ten_parallel_submissions_store_one(live_server, users):
    world = make_hearing(users)
    svar = services.svar_start(actor=users["member"], hoering=world["hoering"])
    svar = services.svar_save(
        actor=users["member"], svar=svar, versjon=1, fields={"generelle_merknader": "Ja"}
    )
    call = _client(live_server, users["member"])
    answers = parallel(
        [
            lambda: call(
                f"/api/hoeringssvar/{svar.pk}/send-inn/",
                {"signatar": "Kari", "versjon": svar.versjon},
            )
            for _ in range(10)
        ]
    )
    assert Counter(code for code, _ in answers) == {200: 10}, answers
    assert len({json.dumps(body, sort_keys=True) for _, body in answers}) == 1
    assert Hoeringssvar.objects.filter(status=SvarStatus.INNSENDT).count() == 1
    assert Hoeringssvar.objects.count() == 1


def test_members_starting_at_once_share_one_draft(live_server, users):
    world = make_hearing(users)
    members = [
        BrukerFactory(organisasjon=users["kommune"], rolle=BrukerRolle.MEDLEM) for _ in range(8)
    ]
    calls = [_client(live_server, m) for m in members]
    answers = parallel(
        [lambda c=c: c("/api/hoeringssvar/", {"hoering": world["hoering"].pk}) for c in calls]
    )
    assert {code for code, _ in answers} <= {200, 201}, answers
    assert len({body["id"] for _, body in answers}) == 1
    assert Hoeringssvar.objects.count() == 1


def test_two_saves_from_one_version_one_wins(live_server, users):
    world = make_hearing(users)
    svar = services.svar_start(actor=users["member"], hoering=world["hoering"])
    colleague = BrukerFactory(organisasjon=users["kommune"], rolle=BrukerRolle.MEDLEM)
    a, b = _client(live_server, users["member"]), _client(live_server, colleague)
    answers = parallel(
        [
            lambda: a(f"/api/hoeringssvar/{svar.pk}/", {"versjon": 1, "saksnummer": "A"}, "PATCH"),
            lambda: b(f"/api/hoeringssvar/{svar.pk}/", {"versjon": 1, "saksnummer": "B"}, "PATCH"),
        ]
    )
    assert sorted(code for code, _ in answers) == [200, 409], answers
    svar.refresh_from_db()
    assert svar.versjon == 2 and svar.saksnummer in ("A", "B")
