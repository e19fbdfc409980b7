"""Permission matrix over every page of the dashboard and the case papers (generated from
rapportering/urls_dashboard.py, so a new page cannot slip past) × every role, on a draft and on
an adopted programme:

- board members, administrators and the owning planner read; administrators and the owning
  planner write;
- a draft programme is a 404 for everyone else, anonymous visitors included;
- on a public programme, others get a 403 (logged in) or the login page (anonymous)."""

import datetime

import pytest
from django.urls import reverse

from rapportering.models import Saksframlegg
from rapportering.urls_dashboard import urlpatterns
from tests.factories import HandlingsprogramFactory, TemaFactory, TiltakFactory
from tiltak.models import ProgramStatus

pytestmark = pytest.mark.django_db

WRITE_PAGES = {"saksframlegg_create", "saksframlegg_edit"}
PROGRAMME_PAGES = {"dashboard", "dashboard_tiltak", "saksframlegg_list", "saksframlegg_create"}
READERS = {"administrator", "planner", "board"}
WRITERS = {"administrator", "planner"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _objects(status, owner):
    programme = HandlingsprogramFactory(status=status, eier=owner)
    tema = TemaFactory(program=programme, nummer=1)
    TiltakFactory(tema=tema, nummer=1, tittel="Et tiltak")
    sak = Saksframlegg.objects.create(
        program=programme,
        saksnummer="24/1",
        tittel="Sak",
        moetedato=datetime.date(2024, 5, 1),
        deler=["programme_table"],
    )
    return programme, sak


def _urls(programme, sak):
    for pattern in urlpatterns:
        pk = programme.pk if pattern.name in PROGRAMME_PAGES else sak.pk
        yield pattern.name, reverse(f"dashboard:{pattern.name}", args=[pk])


def test_every_page_is_in_the_matrix(users):
    names = {name for name, _url in _urls(*_objects(ProgramStatus.UTKAST, users["county"]))}
    assert names == {
        "dashboard",
        "dashboard_tiltak",
        "saksframlegg_list",
        "saksframlegg_create",
        "saksframlegg_detail",
        "saksframlegg_edit",
        "saksframlegg_print",
        "saksframlegg_pdf",
        "saksframlegg_docx",
    }


def _expected(role, name, status):
    allowed = WRITERS if name in WRITE_PAGES else READERS
    if role in allowed:
        return 200
    if status == ProgramStatus.UTKAST and role not in READERS:
        return 404  # they may not see the programme at all
    return 302 if role == "anonymous" else 403


@pytest.mark.parametrize("status", [ProgramStatus.UTKAST, ProgramStatus.VEDTATT])
@pytest.mark.parametrize(
    "role",
    ["anonymous", "administrator", "planner", "other_planner", "member", "other_member", "board"],
)
def test_permission_matrix(users, client_for, role, status):
    programme, sak = _objects(status, users["county"])
    client = client_for(role)
    for name, url in _urls(programme, sak):
        response = client.get(url)
        expected = _expected(role, name, status)
        assert response.status_code == expected, (role, status, name, response.status_code)
        if expected == 302:
            assert response["Location"].startswith(reverse("login")), name


@pytest.mark.parametrize("role", ["anonymous", "other_planner", "member", "board"])
def test_those_who_may_not_write_change_nothing(users, client_for, role):
    programme, sak = _objects(ProgramStatus.VEDTATT, users["county"])
    client = client_for(role)
    data = {
        "saksnummer": "99/9",
        "tittel": "Endret",
        "utvalg": "Fylkesutvalget",
        "moetedato": "2024-06-01",
        "spraak": "nb",
        "versjon": sak.versjon,
    }
    client.post(reverse("dashboard:saksframlegg_edit", args=[sak.pk]), data)
    client.post(reverse("dashboard:saksframlegg_create", args=[programme.pk]), data)
    assert Saksframlegg.objects.get().tittel == "Sak"
    assert Saksframlegg.objects.count() == 1


def test_read_pages_refuse_post(users, client_for):
    programme, sak = _objects(ProgramStatus.VEDTATT, users["county"])
    client = client_for("planner")
    for name, url in _urls(programme, sak):
        if name not in WRITE_PAGES:
            assert client.post(url).status_code == 405, name
