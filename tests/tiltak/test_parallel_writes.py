"""Writes that race for a number or a name, sent truly in parallel: every thread is its own
HTTP client against the live server, which answers each request in a thread of its own with
its own database connection. Twenty tiltak created at once in one tema all get distinct
numbers, and so do ten temaer created at once in one programme; of two rolls of one programme
at the same moment one creates the new programme and the other is refused with a message.
Never a 500.

PostgreSQL only: SQLite serialises every write to the whole file, so nothing races there.
`make test` runs the suite on PostgreSQL too, where these run."""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request
from collections import Counter
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client
from django.utils import translation
from rest_framework.authtoken.models import Token

from tests.factories import HandlingsprogramFactory, TemaFactory, TiltakFactory
from tiltak.models import Handlingsprogram, ProgramStatus, Tema, Tiltak
from tiltak.services.rolling import programme_roll

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises all writes, so there is no race to test; run on PostgreSQL",
    ),
]

TIMEOUT = 60


def parallel(calls) -> list:
    """Run the callables at the same moment, one thread each; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait(timeout=TIMEOUT)
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a request did not finish"
    return results


def http(url: str, *, data: bytes | None = None, headers: dict) -> tuple[int, str]:
    """(status, body) of one request; redirects are not followed."""
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 (http only)
    opener = urllib.request.build_opener(NoRedirect())
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def programme(users):
    return HandlingsprogramFactory(
        navn="Smart samhandling", eier=users["county"], status=ProgramStatus.UTKAST
    )


@pytest.fixture
def api_post(live_server, users):
    """POST JSON to the API as the planner (token), in English: (status, JSON body)."""
    token = Token.objects.create(user=users["planner"]).key

    def post(path: str, data: dict) -> tuple[int, dict]:
        status, body = http(
            live_server.url + path,
            data=json.dumps(data).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Token {token}",
                "Cookie": "portal_language=en",
            },
        )
        try:
            return status, json.loads(body)
        except ValueError:
            return status, {"body": body[:500]}

    return post


def test_twenty_parallel_tiltak_creates_in_one_tema_all_get_distinct_numbers(api_post, programme):
    tema = TemaFactory(program=programme, nummer=3)
    TiltakFactory(tema=tema, program=programme, nummer=1)

    answers = parallel(
        [
            lambda i=i: api_post("/api/tiltak/", {"tema": tema.pk, "tittel": f"Parallelt {i}"})
            for i in range(20)
        ]
    )

    assert Counter(code for code, _body in answers) == {201: 20}, answers
    assert sorted(body["nummer"] for _code, body in answers) == list(range(2, 22))
    numbers = sorted(Tiltak.objects.filter(tema=tema).values_list("nummer", flat=True))
    assert numbers == list(range(1, 22))


def test_ten_parallel_tema_creates_in_one_programme_all_get_distinct_numbers(api_post, programme):
    answers = parallel(
        [
            lambda i=i: api_post("/api/temaer/", {"program": programme.pk, "navn": f"Tema {i}"})
            for i in range(10)
        ]
    )

    assert Counter(code for code, _body in answers) == {201: 10}, answers
    numbers = sorted(Tema.objects.filter(program=programme).values_list("nummer", flat=True))
    assert numbers == list(range(1, 11))


def test_two_parallel_rolls_of_one_programme_create_one_and_refuse_the_other(
    live_server, programme, users
):
    """Two browser tabs (or a double click) send the roll form at the same moment."""
    TiltakFactory(tema=TemaFactory(program=programme, nummer=1), program=programme, nummer=1)
    path = f"/program/{programme.pk}/rull/"
    browser = Client()
    browser.force_login(users["planner"])
    cookies = f"sessionid={browser.cookies['sessionid'].value}; portal_language=en"
    status, page = http(live_server.url + path, headers={"Cookie": cookies})
    assert status == 200, page[:500]
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"csrfmiddlewaretoken": csrf, "navn": programme.navn, "start_aar": 2021}
    headers = {"Cookie": f"{cookies}; csrftoken={csrf}", "Referer": live_server.url + path}

    def send_roll():
        data = urlencode({**form, "slutt_aar": 2022}).encode()
        return http(live_server.url + path, data=data, headers=headers)

    answers = parallel([send_roll, send_roll])

    assert sorted(code for code, _page in answers) == [302, 400], [
        (code, page[:300]) for code, page in answers
    ]
    refused = next(page for code, page in answers if code == 400)
    assert "a programme called “Smart samhandling” for 2021–2022 already exists" in refused
    rolled = Handlingsprogram.objects.get(forrige_versjon=programme)
    assert rolled.temaer.count() == 1


def test_two_programmes_rolled_to_the_same_name_at_once_give_one_and_a_message(users):
    """Not held up by each other's lock (different sources): the database's unique name and
    period decides, and the loser gets the same message as when it comes second."""
    sources = [
        HandlingsprogramFactory(navn=f"Kilde {i}", eier=users["county"], start_aar=2019)
        for i in range(2)
    ]

    def roll(source):
        try:
            with translation.override("en"):
                programme_roll(
                    actor=users["planner"],
                    programme=source,
                    navn="Felles neste",
                    start_aar=2021,
                    slutt_aar=2022,
                )
            return "created"
        except ValidationError as exc:
            return exc.message_dict
        finally:
            connections.close_all()

    outcomes = parallel([lambda s=s: roll(s) for s in sources])

    assert sorted(outcomes, key=str) == [
        "created",
        {"navn": ["Name: a programme called “Felles neste” for 2021–2022 already exists."]},
    ]
    assert Handlingsprogram.objects.filter(navn="Felles neste").count() == 1
