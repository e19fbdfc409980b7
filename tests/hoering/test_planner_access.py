"""The permission matrix of every page and API endpoint of the planner's side × every role of
the `users` fixture (and a superuser), generated from the URLconf so a new view cannot slip
past: a hearing the user may not see is a 404 for everyone; one the user may see but not
manage is a login redirect (anonymous) or a 403; the owning county's planner and the
administrators get the page. Refused requests change nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from hoering.models import Fristutsettelse, Hoering, Invitasjon, Tiltaksforslag
from hoering.urls import planner_patterns
from partnerskap.models import Bruker
from tests.conftest import ROLES
from tests.hoering import planner_data as d
from tiltak.models import ProgramStatus, Tiltak

pytestmark = pytest.mark.django_db

ALLOWED = {"administrator", "planner", "superuser"}
ALL_ROLES = [*ROLES, "superuser"]
NO_OBJECT = {"hoering_list"}


def _client(users, role) -> Client:
    client = Client()
    if role == "superuser":
        user = Bruker.objects.filter(is_superuser=True).first() or Bruker.objects.create_superuser(
            "root@example.no", "x"
        )
        client.force_login(user)
    elif users[role] is not None:
        client.force_login(users[role])
    return client


def _world(users, *, opened: bool):
    status = ProgramStatus.PAA_HOERING if opened else ProgramStatus.UTKAST
    programme, tiltak = d.programme_with_tiltak(users["county"], status=status)
    hoering = d.hearing(programme, opened=opened)
    inv = d.invite(hoering, users["kommune"])
    svar = d.full_answer(hoering, users["kommune"], tiltak)
    return {
        "programme": programme,
        "hoering": hoering,
        "inv": inv,
        "forslag": Tiltaksforslag.objects.get(svar=svar),
    }


def _urls(w) -> list[tuple[str, str]]:
    urls = []
    for pattern in planner_patterns:
        if pattern.name in NO_OBJECT:
            continue
        route = str(pattern.pattern)
        kwargs = {}
        for param in pattern.pattern.converters:
            if param == "program_pk":
                kwargs[param] = w["programme"].pk
            elif param == "pk":
                kwargs[param] = (
                    w["inv"].pk if route.startswith("hoeringsliste/") else w["hoering"].pk
                )
            elif param == "kind":
                kwargs[param] = "tiltaksforslag"
            elif param == "ipk":
                kwargs[param] = w["forslag"].pk
        urls.append((pattern.name, reverse(f"hoering:{pattern.name}", kwargs=kwargs)))
    return urls


def _state():
    return (
        Hoering.objects.count(),
        list(Hoering.objects.values_list("versjon", "aapnet")),
        Invitasjon.objects.count(),
        Fristutsettelse.objects.count(),
        Tiltak.objects.count(),
        list(Tiltaksforslag.objects.values_list("vurdering", "resultat_tiltak")),
    )


def test_every_planner_url_is_covered(users):
    names = {name for name, _ in _urls(_world(users, opened=True))}
    assert {
        "hoering_create",
        "hoering_open",
        "oversikt",
        "oppsummering",
        "innspill_convert",
    } <= names
    assert len(names) == len(planner_patterns) - len(NO_OBJECT)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_matrix_on_an_opened_hearing_of_a_public_programme(users, role):
    w = _world(users, opened=True)
    client = _client(users, role)
    before = _state()
    for name, url in _urls(w):
        for method in ("get", "post"):
            if role in ALLOWED and method == "post":
                continue  # the writes themselves are tested in test_planner_flow
            response = getattr(client, method)(url)
            if response.status_code == 405:
                continue
            if role in ALLOWED:
                expected = 200
            elif role == "anonymous":
                expected = 302
            else:
                expected = 403
            assert response.status_code == expected, (role, name, method, response.status_code)
            if expected == 302:
                assert response["Location"].startswith(reverse("login")), (
                    name,
                    response["Location"],
                )
    assert _state() == before
    # The list of hearings is public for an opened hearing on a public programme.
    assert client.get(reverse("hoering:hoering_list")).status_code == 200
    assert w["hoering"].tittel in client.get(reverse("hoering:hoering_list")).content.decode()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_matrix_on_a_draft_hearing_others_may_not_see(users, role):
    w = _world(users, opened=False)
    client = _client(users, role)
    before = _state()
    for name, url in _urls(w):
        for method in ("get", "post"):
            if role in ALLOWED and method == "post":
                continue
            response = getattr(client, method)(url)
            if response.status_code == 405:
                continue
            expected = 200 if role in ALLOWED else 404
            if name == "hoering_create" and role == "board":
                expected = 403  # the board sees draft programmes, and may not start a hearing
            assert response.status_code == expected, (role, name, method, response.status_code)
    assert _state() == before
    listed = w["hoering"].tittel in client.get(reverse("hoering:hoering_list")).content.decode()
    assert listed == (role in ALLOWED)


def _api(w) -> list[tuple[str, str, dict]]:
    h, inv = w["hoering"].pk, w["inv"].pk
    return [
        (
            "post",
            reverse("api:hoering-list"),
            {
                "program": w["programme"].pk,
                "tittel": "X",
                "aapner": "2030-01-01T08:00:00+01:00",
                "frist": "2030-02-01T23:59:59+01:00",
            },
        ),
        ("patch", reverse("api:hoering-detail", args=[h]), {"versjon": 1, "tittel": "Y"}),
        ("post", reverse("api:hoering-aapne", args=[h]), {}),
        (
            "post",
            reverse("api:hoering-vurder", args=[h]),
            {
                "kind": "tiltaksforslag",
                "id": w["forslag"].pk,
                "vurdering": "ikke",
                "vurdering_begrunnelse": "Nei",
            },
        ),
        (
            "post",
            reverse("api:hoering-gjennomfoer", args=[h]),
            {"kind": "tiltaksforslag", "id": w["forslag"].pk},
        ),
        (
            "post",
            reverse("api:hoeringsinvitasjon-list"),
            {"hoering": h, "organisasjon": users_other_id(w), "epost": "a@b.no"},
        ),
        ("patch", reverse("api:hoeringsinvitasjon-detail", args=[inv]), {"epost": "ny@b.no"}),
        ("delete", reverse("api:hoeringsinvitasjon-detail", args=[inv]), {}),
        ("post", reverse("api:hoeringsinvitasjon-send", args=[inv]), {}),
        (
            "post",
            reverse("api:fristutsettelse-list"),
            {
                "hoering": h,
                "organisasjon": w["inv"].organisasjon_id,
                "ny_frist": "2030-01-01T00:00:00Z",
                "grunn": "x",
            },
        ),
    ]


def users_other_id(w):
    from partnerskap.models import Organisasjon

    return Organisasjon.objects.get(slug="annen").pk


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if r not in ALLOWED])
def test_api_writes_are_refused_for_everyone_else(users, role):
    w = _world(users, opened=True)
    client = _client(users, role)
    before = _state()
    for method, url, body in _api(w):
        response = getattr(client, method)(url, body, content_type="application/json")
        if role == "anonymous":
            assert response.status_code == 401, (role, method, url, response.status_code)
        else:
            # A hearing they may see: 403; a create naming it: 403; an invitation (only the
            # managers list them): 404; the create of an invitation/extension: 404 (not theirs).
            assert response.status_code in (403, 404), (role, method, url, response.status_code)
            if "hoeringer" in url:
                assert response.status_code in (403, 400) or url.endswith("hoeringer/"), url
    assert _state() == before
    # Lists: the invitations and extensions are the managers' only.
    for name in ("api:hoeringsinvitasjon-list", "api:fristutsettelse-list"):
        data = client.get(reverse(name)).json()
        rows = data["results"] if isinstance(data, dict) else data
        assert rows == [], (role, name)


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if r not in ALLOWED])
def test_api_hides_draft_hearings(users, role):
    w = _world(users, opened=False)
    client = _client(users, role)
    assert client.get(reverse("api:hoering-detail", args=[w["hoering"].pk])).status_code == 404
    response = client.post(
        reverse("api:hoering-aapne", args=[w["hoering"].pk]), content_type="application/json"
    )
    assert response.status_code in (401, 404)
    assert Hoering.objects.get(pk=w["hoering"].pk).aapnet is None
