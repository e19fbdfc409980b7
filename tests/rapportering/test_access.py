"""The permission matrix of every reporting page (generated from rapportering.urls, so a new
view cannot slip past) × every role of the `users` fixture, and of the API endpoints.

The member («member») belongs to the organisation that leads «egen»; «other_member» belongs to
the organisation that leads «annen» and only collaborates on «egen»: it may not report on, nor
see the drafts of, a tiltak it does not lead."""

import pytest
from django.urls import reverse

from rapportering.models import Behandling, Indikator, Indikatorverdi, Statusrapport
from tests.conftest import ROLES
from tiltak.models import ProgramStatus

from .helpers import report, world

pytestmark = pytest.mark.django_db

L, F, N, OK, GONE = "login", 403, 404, 200, 405
MANAGERS = {"administrator", "planner"}


def _row(anonymous, managers, others, **special):
    row = dict.fromkeys(ROLES, others)
    row["anonymous"] = anonymous
    for role in MANAGERS:
        row[role] = managers
    row.update(special)
    return row


# GET: url name → (object key, expected per role)
GET_MATRIX = {
    "indikator_list": ("programme", _row(OK, OK, OK)),
    "indikator_detail": ("indikator", _row(OK, OK, OK)),
    "indikator_create": ("programme", _row(L, OK, F)),
    "indikator_edit": ("indikator", _row(L, OK, F)),
    "indikator_delete": ("indikator", _row(GONE, GONE, GONE)),
    "maal_set": ("indikator", _row(GONE, GONE, GONE)),
    "verdi_create": ("indikator", _row(GONE, GONE, GONE)),
    "values_import": ("indikator", _row(L, OK, F)),
    # No file waits: managers are sent back to the upload.
    "values_import_preview": ("indikator", _row(L, 302, F)),
    "maal_delete": ("maal", _row(GONE, GONE, GONE)),
    "verdi_edit": ("verdi", _row(L, OK, F)),
    "verdi_delete": ("verdi", _row(GONE, GONE, GONE)),
    "mine": (None, _row(L, OK, OK)),
    "runde_list": ("programme", _row(L, OK, F)),
    "runde_detail": ("runde", _row(L, OK, OK)),
    "runde_open": ("runde", _row(GONE, GONE, GONE)),
    "runde_close": ("runde", _row(GONE, GONE, GONE)),
    # Only a member of the lead organisation writes the report.
    # Planners may read the report (a redirect to it), not write it.
    "rapport_edit": ("runde+egen", _row(L, 302, F, member=OK)),
    # A draft: the lead organisation and the programme's planners; a 404 for everyone else.
    "rapport_detail": ("utkast", _row(N, OK, N, member=OK)),
    "rapport_review": ("innsendt", _row(GONE, GONE, GONE)),
}


def _objects(users, status=ProgramStatus.PAA_HOERING):
    w = world(users, status=status)
    w["utkast"] = report(w["egen"], w["runde"])
    w["innsendt"] = report(w["annen"], w["runde"], Behandling.INNSENDT)
    return w


def _url(name, key, w):
    if key is None:
        return reverse(f"rapportering:{name}")
    if key == "runde+egen":
        return reverse(f"rapportering:{name}", args=[w["runde"].pk, w["egen"].pk])
    return reverse(f"rapportering:{name}", args=[w[key].pk])


def _check(response, expected, label):
    if expected == L:
        assert response.status_code == 302, label
        assert response["Location"].startswith(reverse("login")), label
    else:
        assert response.status_code == expected, (label, response.status_code)


def test_every_url_is_in_the_matrix():
    from rapportering.urls import urlpatterns

    assert {p.name for p in urlpatterns} == set(GET_MATRIX)


@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(users, client_for, role):
    w = _objects(users)
    client = client_for(role)
    for name, (key, expected) in GET_MATRIX.items():
        _check(client.get(_url(name, key, w)), expected[role], (role, name))


# POST with no data, by everyone who may not change: a login redirect or 403 (404 where the
# object is hidden from them), and nothing changes.
POST_REFUSED = {
    "indikator_create": "programme",
    "indikator_edit": "indikator",
    "indikator_delete": "indikator",
    "maal_set": "indikator",
    "verdi_create": "indikator",
    "values_import": "indikator",
    "values_import_preview": "indikator",
    "maal_delete": "maal",
    "verdi_edit": "verdi",
    "verdi_delete": "verdi",
    "runde_list": "programme",
    "runde_open": "runde",
    "runde_close": "runde",
    "rapport_review": "innsendt",
}


@pytest.mark.parametrize("role", ["anonymous", "other_planner", "member", "other_member", "board"])
def test_post_refused_for_those_who_may_not_change(users, client_for, role):
    w = _objects(users)
    client = client_for(role)
    for name, key in POST_REFUSED.items():
        response = client.post(_url(name, key, w), {"godkjenn": "1", "versjon": "1"})
        if name == "rapport_review" and role in ("anonymous", "member"):
            # another organisation's submitted report is hidden from them
            assert response.status_code == 404, (role, name)
            continue
        _check(response, L if role == "anonymous" else F, (role, name))
    assert Indikator.objects.filter(pk=w["indikator"].pk).exists()
    assert Indikatorverdi.objects.filter(pk=w["verdi"].pk).exists()
    w["runde"].refresh_from_db()
    assert w["runde"].er_aapen
    assert Statusrapport.objects.get(pk=w["innsendt"].pk).behandling == Behandling.INNSENDT


@pytest.mark.parametrize("role", ["anonymous", "planner", "other_planner", "other_member", "board"])
def test_only_a_lead_member_may_post_a_report(users, client_for, role):
    w = _objects(users)
    url = reverse("rapportering:rapport_edit", args=[w["runde"].pk, w["egen"].pk])
    response = client_for(role).post(
        url, {"versjon": w["utkast"].versjon, "status": "fullfoert", "fremdrift": "Overskrevet"}
    )
    _check(response, L if role == "anonymous" else F, role)
    assert Statusrapport.objects.get(pk=w["utkast"].pk).fremdrift == "Hemmelig utkasttekst"


@pytest.mark.parametrize("role", ["anonymous", "member", "other_planner"])
def test_a_draft_programme_hides_everything_with_404(users, client_for, role):
    w = _objects(users, status=ProgramStatus.UTKAST)
    client = client_for(role)
    for name, (key, _expected) in GET_MATRIX.items():
        if key is None:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(_url(name, key, w))
            if response.status_code == 405:
                continue
            assert response.status_code == 404, (role, name, method, response.status_code)


def test_an_unopened_round_exists_only_for_its_planners(users, client_for):
    w = world(users, opened=False)
    url = reverse("rapportering:runde_detail", args=[w["runde"].pk])
    for role in ROLES:
        expected = OK if role in MANAGERS else N
        assert client_for(role).get(url).status_code == expected, role


def test_an_approved_report_is_public(users, client_for):
    w = world(users)
    godkjent = report(w["annen"], w["runde"], Behandling.GODKJENT)
    for role in ROLES:
        response = client_for(role).get(godkjent.get_absolute_url())
        assert response.status_code == OK, role


def test_the_board_sees_submitted_reports_not_drafts(users, client_for):
    w = _objects(users)
    board = client_for("board")
    assert board.get(w["innsendt"].get_absolute_url()).status_code == OK
    assert board.get(w["utkast"].get_absolute_url()).status_code == N


def test_the_round_page_shows_a_partner_only_its_own_tiltak(users, client_for):
    w = _objects(users)
    url = reverse("rapportering:runde_detail", args=[w["runde"].pk])
    member_page = client_for("member").get(url).content.decode()
    assert "Eget tiltak" in member_page and "Annens tiltak" not in member_page
    other_page = client_for("other_member").get(url).content.decode()
    assert "Annens tiltak" in other_page and "Eget tiltak" not in other_page
    planner_page = client_for("planner").get(url).content.decode()
    assert "Eget tiltak" in planner_page and "Annens tiltak" in planner_page


def test_mine_lists_the_tiltak_to_report_on(users, client_for):
    w = _objects(users)
    page = client_for("member").get(reverse("rapportering:mine")).content.decode()
    assert "Eget tiltak" in page and "Annens tiltak" not in page
    assert reverse("rapportering:rapport_edit", args=[w["runde"].pk, w["egen"].pk]) in page
    # Collaborating is not leading: «egen» is not the other organisation's to report on.
    page = client_for("other_member").get(reverse("rapportering:mine")).content.decode()
    assert "Annens tiltak" in page and "Eget tiltak" not in page


# --- API --------------------------------------------------------------------------------------

API_LISTS = [
    "indikator-list",
    "indikatormaal-list",
    "indikatorverdi-list",
    "rapporteringsrunde-list",
    "statusrapport-list",
]


@pytest.mark.parametrize("role", ROLES)
def test_api_reads_and_draft_visibility(users, client_for, role):
    w = _objects(users)
    client = client_for(role)
    for name in API_LISTS:
        assert client.get(reverse(f"api:{name}")).status_code == 200, (role, name)
    ids = {r["id"] for r in client.get(reverse("api:statusrapport-list")).json()["results"]}
    sees_draft = role in ("administrator", "planner", "member")
    assert (w["utkast"].pk in ids) == sees_draft, role
    # «innsendt» is on «annen», led by the other organisation (other_member, other_planner).
    sees_submitted = role in ("administrator", "planner", "board", "other_member", "other_planner")
    assert (w["innsendt"].pk in ids) == sees_submitted, role
    detail = client.get(reverse("api:statusrapport-detail", args=[w["utkast"].pk]))
    assert detail.status_code == (200 if sees_draft else 404), role
    runder = client.get(reverse("api:rapporteringsrunde-list")).json()["results"]
    assert bool(runder) == (role != "anonymous"), role


@pytest.mark.parametrize(
    "role,expected",
    [
        ("anonymous", 401),
        ("administrator", 403),
        ("planner", 403),
        ("other_planner", 403),
        ("member", 201),
        ("other_member", 403),
        ("board", 403),
    ],
)
def test_api_report_create_matrix(users, client_for, role, expected):
    w = world(users)
    response = client_for(role).post(
        reverse("api:statusrapport-list"),
        {"runde": w["runde"].pk, "tiltak": w["egen"].pk, "status": "paagaar", "fremdrift": "x"},
        content_type="application/json",
    )
    assert response.status_code == expected, response.content
    assert Statusrapport.objects.filter(tiltak=w["egen"]).exists() == (expected == 201)


@pytest.mark.parametrize(
    "role,expected",
    [
        ("anonymous", 401),
        ("administrator", 201),
        ("planner", 201),
        ("other_planner", 403),
        ("member", 403),
        ("other_member", 403),
        ("board", 403),
    ],
)
def test_api_indicator_write_matrix(users, client_for, role, expected):
    w = world(users)
    client = client_for(role)
    response = client.post(
        reverse("api:indikator-list"),
        {"program": w["programme"].pk, "navn": "Ny indikator", "enhet": "%"},
        content_type="application/json",
    )
    assert response.status_code == expected, response.content
    response = client.post(
        reverse("api:indikatorverdi-list"),
        {"indikator": w["indikator"].pk, "aar": 2019, "verdi": "77.0"},
        content_type="application/json",
    )
    assert response.status_code == expected, response.content
    response = client.post(
        reverse("api:rapporteringsrunde-lukk", args=[w["runde"].pk]),
        content_type="application/json",
    )
    assert response.status_code == (200 if expected == 201 else expected), response.content


@pytest.mark.parametrize(
    "role,expected",
    [
        ("anonymous", 401),
        ("administrator", 200),
        ("planner", 200),
        ("other_planner", 403),
        ("member", 403),
        ("other_member", 403),
        ("board", 403),
    ],
)
def test_api_review_matrix(users, client_for, role, expected):
    w = world(users)
    innsendt = report(w["annen"], w["runde"], Behandling.INNSENDT)
    response = client_for(role).post(
        reverse("api:statusrapport-godkjenn", args=[innsendt.pk]),
        {"versjon": innsendt.versjon},
        content_type="application/json",
    )
    # Those who may not see a submitted report (anonymous, other_planner, member) may get
    # 404 rather than 403; what matters is that nothing changed.
    if expected != 200 and response.status_code == 404:
        assert role in ("other_planner", "member", "anonymous")
    else:
        assert response.status_code == expected, (role, response.content)
    innsendt.refresh_from_db()
    assert (innsendt.behandling == Behandling.GODKJENT) == (expected == 200)


def test_api_filters(users, client_for):
    w = world(users)
    client = client_for("anonymous")
    url = reverse("api:indikatorverdi-list")
    assert client.get(url, {"program": w["programme"].pk, "aar": 2018}).json()["count"] == 1
    assert client.get(url, {"aar": 2019}).json()["count"] == 0
    assert client.get(url, {"indikator": w["indikator"].pk}).json()["count"] == 1
    assert client.get(url, {"region": w["region"].pk}).json()["count"] == 0
    assert client.get(url, {"hele_omraadet": "true"}).json()["count"] == 1
    for bad in ({"aar": "tjue"}, {"program": "-1"}, {"aar": "99999"}, {"region": "9" * 30}):
        assert client.get(url, bad).status_code == 400, bad
