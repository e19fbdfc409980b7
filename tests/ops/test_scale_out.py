"""Scale-out (issue 8, point 5): two gunicorn servers in production mode on different ports,
against one PostgreSQL database and one Redis, and a journey that alternates between them with
one cookie jar, as a user behind a load balancer would: log in on A, the session works on B;
Excel preview on A, apply on B (the pending upload is in the shared storage); five wrong
passwords spread over A and B lock the account (the throttle counts in Redis); a hearing answer
submitted on A, its receipt on B; through the API, a draft saved on A and read with its version
on B, a stale save on B after that refused with 409, and a submission on B whose receipt and
retried submit on A give the same receipt and one row.

The servers run on a database of their own (created, migrated and loaded here), not on
pytest-django's test database, which they could not see inside its transaction."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import psycopg2
import pytest
import redis
import requests
from django.urls import reverse

from partnerskap.forms import LOGIN_FAILURE_LIMIT
from tests.tiltak.xlsx_helpers import edit, set_cell

from .conftest import (
    ROOT,
    TEST_SECRET_KEY,
    clean_env,
    free_port,
    manage,
    requires_postgres_and_redis,
)
from .test_serve import START_TIMEOUT, _stop

pytestmark = requires_postgres_and_redis

PASSWORD = "Skalering-2026-riktig"
PLANNER = "planlegger.skalering@bfk.example.no"
LOCKED = "laases.skalering@bfk.example.no"
PROGRAMME = "Smart samhandling i Buskerud"

SETUP = f"""
from partnerskap.models import Bruker, BrukerRolle, Organisasjon
from tiltak.models import Handlingsprogram, ProgramStatus
bfk = Organisasjon.objects.get(slug="bfk")
for email in ({PLANNER!r}, {LOCKED!r}):
    Bruker.objects.create_user(
        email=email, password={PASSWORD!r}, rolle=BrukerRolle.PLANLEGGER, organisasjon=bfk
    )
programme = Handlingsprogram.objects.get(navn={PROGRAMME!r}, start_aar=2019)
Handlingsprogram.objects.filter(pk=programme.pk).update(status=ProgramStatus.UTKAST)
print(programme.pk)
"""

MEMBER = "medlem.skalering@kommune.example.no"

# A hearing on the other demo programme, an organisation invited, one of its members with a
# password, and a draft answer saved through the service: the journey submits it.
SETUP_HEARING = f"""
from datetime import timedelta
from django.utils import timezone
from hoering.models import Hoering, Invitasjon
from hoering.services import svar as services
from partnerskap.models import Bruker, BrukerRolle, Organisasjon
from tiltak.models import Handlingsprogram, ProgramStatus
programme = Handlingsprogram.objects.exclude(navn={PROGRAMME!r}).order_by("pk")[0]
Handlingsprogram.objects.filter(pk=programme.pk).update(status=ProgramStatus.PAA_HOERING)
now = timezone.now()
hoering = Hoering.objects.create(
    program=programme, tittel="Høring i skaleringstesten", innledning="Si hva dere mener.",
    aapner=now - timedelta(days=1), frist=now + timedelta(days=10), aapnet=now - timedelta(days=1),
)
org = Organisasjon.objects.filter(er_gruppe=False).exclude(slug="bfk").order_by("pk")[0]
Invitasjon.objects.create(
    hoering=hoering, organisasjon=org, epost="post@kommune.example.no",
    token="skalering-" + "a" * 40,
)
member = Bruker.objects.create_user(
    email={MEMBER!r}, password={PASSWORD!r}, rolle=BrukerRolle.MEDLEM, organisasjon=org
)
draft = services.svar_start(actor=member, hoering=hoering)
draft = services.svar_save(
    actor=member, svar=draft, versjon=draft.versjon,
    fields={{"generelle_merknader": "Innspill sendt inn på server A"}},
)
print(draft.pk)
"""

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FINGERPRINT_RE = re.compile(r'name="fingerprint" value="([^"]+)"')


class Server:
    def __init__(self, label: str, port: int, process: subprocess.Popen, log: Path):
        self.label, self.port, self.process, self.log = label, port, process, log
        self.base = f"http://127.0.0.1:{port}"

    def url(self, path: str) -> str:
        return self.base + path


def _start(label: str, log_dir: Path, env: dict[str, str]) -> Server:
    port = free_port(18400, 18700)
    log = log_dir / f"{label}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["bash", "scripts/serve.sh"],
            cwd=ROOT,
            env=clean_env(GUNICORN_BIND=f"127.0.0.1:{port}", **env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(label, port, process, log)
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"server {label} exited: {log.read_text()[-3000:]}")
            try:
                if requests.get(server.url("/readyz"), timeout=10).status_code == 200:
                    return server
            except (requests.ConnectionError, requests.Timeout):
                pass
            time.sleep(0.3)
        raise AssertionError(f"server {label} did not get ready: {log.read_text()[-3000:]}")
    except BaseException:
        _stop(server)  # never leave a server running behind a failed start
        raise


@pytest.fixture(scope="module")
def cluster(scratch_databases, redis_url, tmp_path_factory):
    """Two servers, A and B: (A, B, DATABASE_URL, programme pk, MEDIA_ROOT, draft answer pk)."""
    work = tmp_path_factory.mktemp("scale-out")
    media, static = work / "media", work / "static"
    url = scratch_databases.create("scale")
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(media),
        "STATIC_ROOT": str(static),
        "SECRET_KEY": TEST_SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "WEB_CONCURRENCY": "1",
    }
    manage("migrate", "--noinput", "-v", "0", DATABASE_URL=url)
    manage("createcachetable", DATABASE_URL=url)
    manage("load_demo", "-v", "0", DATABASE_URL=url)
    programme = int(manage("shell", "-c", SETUP, DATABASE_URL=url).stdout.split()[-1])
    svar = int(manage("shell", "-c", SETUP_HEARING, DATABASE_URL=url).stdout.split()[-1])
    manage(
        "collectstatic",
        "--noinput",
        "-v",
        "0",
        timeout=START_TIMEOUT,
        DJANGO_PRODUCTION="1",
        **{k: env[k] for k in ("DATABASE_URL", "STATIC_ROOT", "SECRET_KEY")},
    )
    redis.Redis.from_url(redis_url).flushdb()
    servers: list[Server] = []
    try:
        for label in ("a", "b"):
            # Each server has a temporary directory of its own, as two hosts have: what is kept
            # there (as the pending upload once was) is not seen by the other.
            own_tmp = work / f"tmp-{label}"
            own_tmp.mkdir()
            servers.append(
                _start(label, work, {**env, "SERVE_SKIP_PREPARE": "1", "TMPDIR": str(own_tmp)})
            )
        yield servers[0], servers[1], url, programme, media, svar
    finally:
        for server in servers:
            _stop(server)


def _csrf(page: requests.Response) -> str:
    match = CSRF_RE.search(page.text)
    assert match, f"no CSRF token on {page.url}"
    return match.group(1)


def _login(session: requests.Session, server: Server, email: str, password: str):
    login = reverse("login")
    form = session.get(server.url(login), timeout=30)
    assert form.status_code == 200
    return session.post(
        server.url(login),
        data={"username": email, "password": password, "csrfmiddlewaretoken": _csrf(form)},
        headers={"Referer": server.url(login)},
        allow_redirects=False,
        timeout=30,
    )


def _new_session() -> requests.Session:
    session = requests.Session()
    session.cookies.set("portal_language", "en")
    return session


def _title(url: str, pk: int) -> str:
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT tittel FROM tiltak_tiltak WHERE id = %s", (pk,))
            return cursor.fetchone()[0]
    finally:
        connection.close()


def _first_tiltak(url: str, programme: int) -> int:
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT t.id FROM tiltak_tiltak t JOIN tiltak_tema m ON m.id = t.tema_id "
                "WHERE t.program_id = %s AND t.slettet IS NULL "
                "ORDER BY m.nummer, t.rekkefoelge, t.id LIMIT 1",
                (programme,),
            )
            return cursor.fetchone()[0]
    finally:
        connection.close()


def test_two_servers_share_readiness(cluster):
    a, b, *_ = cluster
    for server in (a, b):
        checks = requests.get(server.url("/readyz"), timeout=10).json()["checks"]
        assert {name: check["status"] for name, check in checks.items()} == {
            "database": "ok",
            "cache": "ok",
        }
    assert a.port != b.port


def test_log_in_on_one_server_the_session_works_on_the_other(cluster):
    a, b, *_ = cluster
    session = _new_session()
    response = _login(session, a, PLANNER, PASSWORD)
    assert response.status_code == 302, response.text[:2000]
    profile = reverse("account_profile")
    on_b = session.get(b.url(profile), allow_redirects=False, timeout=30)
    assert on_b.status_code == 200
    assert PLANNER in on_b.text
    # Log out on B: the session is gone on A too.
    logout = session.post(
        b.url(reverse("logout")),
        data={"csrfmiddlewaretoken": _csrf(on_b)},
        headers={"Referer": b.url(profile)},
        allow_redirects=False,
        timeout=30,
    )
    assert logout.status_code == 302
    on_a = session.get(a.url(profile), allow_redirects=False, timeout=30)
    assert on_a.status_code == 302 and reverse("login") in on_a.headers["Location"]


def test_excel_preview_on_one_server_apply_on_the_other(cluster):
    a, b, url, programme, media, _svar = cluster
    session = _new_session()
    assert _login(session, b, PLANNER, PASSWORD).status_code == 302
    tiltak = _first_tiltak(url, programme)
    before = _title(url, tiltak)

    export = session.get(a.url(reverse("tiltak:programme_export", args=[programme])), timeout=60)
    assert export.status_code == 200
    data = edit(export.content, lambda ws: set_cell(ws, tiltak, "G", "Endret via server B"))

    upload_url = reverse("tiltak:programme_import", args=[programme])
    preview_url = reverse("tiltak:programme_import_preview", args=[programme])
    form = session.get(a.url(upload_url), timeout=30)
    uploaded = session.post(
        a.url(upload_url),
        data={"csrfmiddlewaretoken": _csrf(form)},
        files={"fil": ("program.xlsx", data, "application/octet-stream")},
        headers={"Referer": a.url(upload_url)},
        allow_redirects=False,
        timeout=60,
    )
    assert uploaded.status_code == 302, uploaded.text[:3000]
    assert uploaded.headers["Location"] == preview_url
    (pending,) = (media / "excel-pending").iterdir()

    preview = session.get(a.url(preview_url), timeout=60)
    assert preview.status_code == 200 and "Endret via server B" in preview.text
    applied = session.post(
        b.url(preview_url),
        data={
            "csrfmiddlewaretoken": _csrf(preview),
            "fingerprint": FINGERPRINT_RE.search(preview.text).group(1),
            "bekreft": "",
        },
        headers={"Referer": b.url(preview_url)},
        allow_redirects=False,
        timeout=60,
    )
    assert applied.status_code == 302, applied.text[:3000]
    assert applied.headers["Location"] == reverse("tiltak:programme_import_done", args=[programme])
    assert _title(url, tiltak) == "Endret via server B" != before
    assert not pending.exists(), "the applied upload was left in the storage"
    done = session.get(a.url(applied.headers["Location"]), timeout=30)
    assert done.status_code == 200 and "0 measures added, 1 changed" in done.text


def test_wrong_passwords_spread_over_both_servers_lock_the_account(cluster, redis_url):
    a, b, *_ = cluster
    servers = [a, b] * LOGIN_FAILURE_LIMIT
    for server in servers[:LOGIN_FAILURE_LIMIT]:  # A, B, A, B, A: five wrong passwords
        wrong = _login(_new_session(), server, LOCKED, "feil-passord-123")
        assert wrong.status_code == 200
        assert "Wrong email address or password" in wrong.text
    refused = _login(_new_session(), b, LOCKED, PASSWORD)
    assert refused.status_code == 200
    assert "Too many failed login attempts" in refused.text
    refused = _login(_new_session(), a, LOCKED, PASSWORD)
    assert "Too many failed login attempts" in refused.text
    # The count is in Redis, the one both servers share.
    keys = redis.Redis.from_url(redis_url).keys("*login-failures:account:*")
    assert len(keys) == 1


def test_hearing_submission_on_one_server_receipt_on_the_other(cluster):
    a, b, url, _programme, _media, svar = cluster
    session = _new_session()
    assert _login(session, b, MEMBER, PASSWORD).status_code == 302
    submit_url = reverse("hoering:svar_submit", args=[svar])
    review = session.get(a.url(submit_url), timeout=60)
    assert review.status_code == 200, review.text[:2000]
    assert "Innspill sendt inn på server A" in review.text
    versjon = re.search(r'name="versjon" value="(\d+)"', review.text).group(1)
    submitted = session.post(
        a.url(submit_url),
        data={
            "csrfmiddlewaretoken": _csrf(review),
            "signatar": "Kari Nordmann",
            "versjon": versjon,
        },
        headers={"Referer": a.url(submit_url)},
        allow_redirects=False,
        timeout=60,
    )
    assert submitted.status_code == 302, submitted.text[:3000]
    receipt_url = reverse("hoering:svar_receipt", args=[svar])
    assert submitted.headers["Location"] == receipt_url
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sha256, innsendt IS NOT NULL FROM hoering_hoeringssvar WHERE id = %s",
                (svar,),
            )
            sha256, is_submitted = cursor.fetchone()
    finally:
        connection.close()
    assert is_submitted and sha256
    receipt = session.get(b.url(receipt_url), timeout=60)
    assert receipt.status_code == 200
    assert sha256 in receipt.text
    assert "Kari Nordmann" in receipt.text


# A second invited organisation with a member who answers through the API (token), for the
# draft journeys: its draft is not the one the journey above submits.
SECOND_MEMBER = "medlem2.skalering@kommune.example.no"
SETUP_SECOND = f"""
import json
from rest_framework.authtoken.models import Token
from hoering.models import Hoering, Invitasjon
from hoering.services import svar as services
from partnerskap.models import Bruker, BrukerRolle, Organisasjon
hoering = Hoering.objects.get(tittel="Høring i skaleringstesten")
taken = Invitasjon.objects.filter(hoering=hoering).values_list("organisasjon_id", flat=True)
org = Organisasjon.objects.filter(er_gruppe=False).exclude(slug="bfk").exclude(
    pk__in=list(taken)
).order_by("pk")[0]
Invitasjon.objects.create(
    hoering=hoering, organisasjon=org, epost="post2@kommune.example.no",
    token="skalering-" + "b" * 40,
)
member = Bruker.objects.create_user(
    email={SECOND_MEMBER!r}, password={PASSWORD!r}, rolle=BrukerRolle.MEDLEM, organisasjon=org
)
draft = services.svar_start(actor=member, hoering=hoering)
print(json.dumps({{"svar": draft.pk, "token": Token.objects.create(user=member).key}}))
"""


@pytest.fixture(scope="module")
def api_member(cluster):
    """(svar pk, headers with the second member's API token)."""
    url = cluster[2]
    data = json.loads(
        manage("shell", "-c", SETUP_SECOND, DATABASE_URL=url).stdout.strip().splitlines()[-1]
    )
    return data["svar"], {"Authorization": f"Token {data['token']}", "Accept-Language": "en"}


def _submitted_rows(url: str, svar: int) -> list[tuple]:
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s.id, s.versjon_nr, s.sha256, s.innsendt FROM hoering_hoeringssvar s "
                "JOIN hoering_hoeringssvar d ON d.hoering_id = s.hoering_id "
                "AND d.organisasjon_id = s.organisasjon_id "
                "WHERE d.id = %s AND s.status = 'innsendt'",
                (svar,),
            )
            return cursor.fetchall()
    finally:
        connection.close()


def test_draft_saved_on_one_server_read_with_its_version_on_the_other(cluster, api_member):
    a, b, url, *_ = cluster
    svar, headers = api_member
    path = f"/api/hoeringssvar/{svar}/"
    first = requests.get(a.url(path), headers=headers, timeout=30)
    assert first.status_code == 200, first.text[:2000]
    read_versjon = first.json()["versjon"]

    saved = requests.patch(
        a.url(path),
        json={"versjon": read_versjon, "generelle_merknader": "Lagret på server A"},
        headers=headers,
        timeout=30,
    )
    assert saved.status_code == 200, saved.text[:2000]
    assert saved.json()["versjon"] == read_versjon + 1

    on_b = requests.get(b.url(path), headers=headers, timeout=30)
    assert on_b.status_code == 200
    assert on_b.json()["versjon"] == read_versjon + 1
    assert on_b.json()["generelle_merknader"] == "Lagret på server A"

    # A colleague on B still has the version read before A's save: refused, nothing written.
    stale = requests.patch(
        b.url(path),
        json={"versjon": read_versjon, "generelle_merknader": "Gammel fane på server B"},
        headers=headers,
        timeout=30,
    )
    assert stale.status_code == 409, stale.text[:2000]
    body = stale.json()
    assert body["versjon"] == read_versjon + 1
    assert body["changed_fields"] == ["generelle_merknader"]
    assert body["changes"][0]["saved"] == "Lagret på server A"
    assert body["changes"][0]["yours"] == "Gammel fane på server B"
    after = requests.get(a.url(path), headers=headers, timeout=30).json()
    assert after["generelle_merknader"] == "Lagret på server A"
    assert after["versjon"] == read_versjon + 1

    # Re-read on B and save again: now it is saved, and A sees it.
    retried = requests.patch(
        b.url(path),
        json={"versjon": body["versjon"], "generelle_merknader": "Lagret på server B"},
        headers=headers,
        timeout=30,
    )
    assert retried.status_code == 200, retried.text[:2000]
    assert requests.get(a.url(path), headers=headers, timeout=30).json()["versjon"] == (
        read_versjon + 2
    )


def test_api_submission_on_one_server_receipt_and_retry_on_the_other(cluster, api_member):
    a, b, url, *_ = cluster
    svar, headers = api_member
    path = f"/api/hoeringssvar/{svar}/"
    current = requests.get(b.url(path), headers=headers, timeout=30).json()
    if not current["generelle_merknader"]:
        saved = requests.patch(
            b.url(path),
            json={"versjon": current["versjon"], "generelle_merknader": "Svar fra server B"},
            headers=headers,
            timeout=30,
        )
        assert saved.status_code == 200, saved.text[:2000]
        current = saved.json()
    submit = {"signatar": "Ola Nordmann", "versjon": current["versjon"]}
    on_b = requests.post(b.url(path + "send-inn/"), json=submit, headers=headers, timeout=60)
    assert on_b.status_code == 200, on_b.text[:2000]
    receipt = on_b.json()
    assert receipt["id"] == svar and len(receipt["sha256"]) == 64

    # The receipt on A; the same submit retried on A (a lost answer, sent again): the same
    # receipt back, no second row.
    on_a = requests.get(a.url(path + "kvittering/"), headers=headers, timeout=30)
    assert on_a.status_code == 200
    assert on_a.json() == receipt
    again = requests.post(a.url(path + "send-inn/"), json=submit, headers=headers, timeout=60)
    assert again.status_code == 200
    assert again.json() == receipt
    rows = _submitted_rows(url, svar)
    assert len(rows) == 1
    assert rows[0][0] == svar and rows[0][2] == receipt["sha256"]
