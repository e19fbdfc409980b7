"""The write API: a permission matrix of every role × every write endpoint (allowed and refused,
nothing changed on refusal), token authentication, and the 400/401/403/404/409 answers."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.budgets import assert_same_queries, count_queries
from tests.factories import (
    AnsvarFactory,
    DelmaalFactory,
    HandlingsprogramFactory,
    SatsingsomraadeFactory,
    TemaFactory,
    TiltakFactory,
)
from tiltak.models import (
    Ansvar,
    Delmaal,
    Handlingsprogram,
    ProgramStatus,
    Rolle,
    Satsingsomraade,
    Tema,
    Tiltak,
)
from tiltak.selectors import history
from tiltak.services.workflow import programme_transition

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "administrator",
    "planner",
    "other_planner",
    "member",
    "other_member",
    "board",
]
MAY_WRITE = {"administrator", "planner"}
SEES_DRAFTS = {"administrator", "planner", "board"}


@pytest.fixture
def tree(users):
    programme = HandlingsprogramFactory(eier=users["county"], status=ProgramStatus.UTKAST)
    tema = TemaFactory(program=programme, nummer=1, navn="Vertskapsattraktivitet")
    delmaal = DelmaalFactory(tema=tema, nummer="1.1")
    satsing = SatsingsomraadeFactory(tema=tema, delmaal=delmaal)
    tiltak = TiltakFactory(
        tema=tema, program=programme, delmaal=delmaal, satsingsomraade=satsing, nummer=1
    )
    ansvar = AnsvarFactory(tiltak=tiltak, organisasjon=users["kommune"], rolle=Rolle.HOVEDANSVAR)
    return {
        "programme": programme,
        "tema": tema,
        "delmaal": delmaal,
        "satsing": satsing,
        "tiltak": tiltak,
        "ansvar": ansvar,
        # empty ones, for the delete endpoints
        "empty_tema": TemaFactory(program=programme, nummer=2),
        "empty_delmaal": DelmaalFactory(tema=tema, nummer="1.2"),
        "empty_satsing": SatsingsomraadeFactory(tema=tema, delmaal=delmaal),
        "lone_tiltak": TiltakFactory(tema=tema, program=programme, nummer=2),
    }


def call(client, method: str, url: str, data=None):
    kwargs = {"headers": {"accept-language": "en"}}
    if data is not None:
        kwargs.update(data=json.dumps(data), content_type="application/json")
    return getattr(client, method)(url, **kwargs)


def snapshot(programme) -> dict:
    """Everything a write could change, to prove a refused one changed nothing."""
    return {
        "status": Handlingsprogram.objects.get(pk=programme.pk).status,
        "temaer": sorted(Tema.objects.filter(program=programme).values_list("id", "navn")),
        "delmaal": sorted(
            Delmaal.objects.filter(tema__program=programme).values_list("id", "navn", "tema_id")
        ),
        "satsingsomraader": sorted(
            Satsingsomraade.objects.filter(tema__program=programme).values_list(
                "id", "navn", "prioritert_handling"
            )
        ),
        "tiltak": sorted(
            Tiltak.alle.filter(program=programme).values_list(
                "id", "tittel", "status", "versjon", "slettet"
            )
        ),
        "ansvar": sorted(
            Ansvar.objects.filter(tiltak__program=programme).values_list(
                "id", "organisasjon_id", "rolle", "tekst_som_skrevet"
            )
        ),
    }


# Each write endpoint: (method, url, body, expected status when allowed).
def endpoints(t, users):
    tiltak = t["tiltak"]
    target = {
        ProgramStatus.UTKAST: ProgramStatus.PAA_HOERING,
        ProgramStatus.PAA_HOERING: ProgramStatus.VEDTATT,
    }[Handlingsprogram.objects.get(pk=t["programme"].pk).status]
    return {
        "tema_create": ("post", "/api/temaer/", {"program": t["programme"].pk, "navn": "Ny"}, 201),
        "tema_update": ("patch", f"/api/temaer/{t['tema'].pk}/", {"navn": "Nytt navn"}, 200),
        "tema_delete": ("delete", f"/api/temaer/{t['empty_tema'].pk}/", None, 204),
        "delmaal_create": ("post", "/api/delmaal/", {"tema": t["tema"].pk, "navn": "Nytt"}, 201),
        "delmaal_update": ("patch", f"/api/delmaal/{t['delmaal'].pk}/", {"navn": "Endret"}, 200),
        "delmaal_delete": ("delete", f"/api/delmaal/{t['empty_delmaal'].pk}/", None, 204),
        "satsingsomraade_create": (
            "post",
            "/api/satsingsomraader/",
            {"delmaal": t["delmaal"].pk, "navn": "Ny satsing"},
            201,
        ),
        "satsingsomraade_update": (
            "patch",
            f"/api/satsingsomraader/{t['satsing'].pk}/",
            {"prioritert_handling": "Gjør noe"},
            200,
        ),
        "satsingsomraade_delete": (
            "delete",
            f"/api/satsingsomraader/{t['empty_satsing'].pk}/",
            None,
            204,
        ),
        "tiltak_create": (
            "post",
            "/api/tiltak/",
            {"satsingsomraade": t["satsing"].pk, "tittel": "Nytt tiltak", "type": "fou"},
            201,
        ),
        "tiltak_update": (
            "patch",
            f"/api/tiltak/{tiltak.pk}/",
            {"versjon": tiltak.versjon, "tittel": "Ny tittel"},
            200,
        ),
        "tiltak_delete": (
            "delete",
            f"/api/tiltak/{t['lone_tiltak'].pk}/",
            {"slettet_grunn": "Dublett"},
            200,
        ),
        "ansvar_create": (
            "post",
            "/api/ansvar/",
            {"tiltak": tiltak.pk, "organisasjon": users["other"].pk, "rolle": "samarbeidspart"},
            201,
        ),
        "ansvar_update": (
            "patch",
            f"/api/ansvar/{t['ansvar'].pk}/",
            {"tekst_som_skrevet": "Kommunene"},
            200,
        ),
        "ansvar_delete": ("delete", f"/api/ansvar/{t['ansvar'].pk}/", None, 204),
        "transition": (
            "post",
            f"/api/programmer/{t['programme'].pk}/status/",
            {"status": target},
            200,
        ),
    }


ENDPOINTS = [
    "tema_create",
    "tema_update",
    "tema_delete",
    "delmaal_create",
    "delmaal_update",
    "delmaal_delete",
    "satsingsomraade_create",
    "satsingsomraade_update",
    "satsingsomraade_delete",
    "tiltak_create",
    "tiltak_update",
    "tiltak_delete",
    "ansvar_create",
    "ansvar_update",
    "ansvar_delete",
    "transition",
]


def expected_refusal(role: str, endpoint: str, public: bool) -> int:
    if role == "anonymous":
        return 401
    if public or role in SEES_DRAFTS:
        return 403
    # The programme is invisible: its objects are 404, and as a parent in a new object's
    # body the id is an invalid choice (400).
    return 400 if endpoint.endswith("_create") else 404


@pytest.mark.parametrize("public", [False, True], ids=["draft", "on_hearing"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client_for, users, tree, role, endpoint, public):
    if public:
        Handlingsprogram.objects.filter(pk=tree["programme"].pk).update(
            status=ProgramStatus.PAA_HOERING
        )
    method, url, body, ok = endpoints(tree, users)[endpoint]
    before = snapshot(tree["programme"])
    response = call(client_for(role), method, url, body)
    if role in MAY_WRITE:
        assert response.status_code == ok, response.content
        assert snapshot(tree["programme"]) != before
    else:
        assert response.status_code == expected_refusal(role, endpoint, public), response.content
        assert snapshot(tree["programme"]) == before


def test_anonymous_write_is_401_with_a_token_challenge(client, tree):
    response = call(client, "post", "/api/temaer/", {"program": tree["programme"].pk})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


# --- Token authentication -----------------------------------------------------------------


def test_token_authentication_writes_as_the_token_user(users, tree):
    token = Token.objects.create(user=users["planner"])
    client = Client()  # no session
    t = tree["tiltak"]
    response = client.patch(
        f"/api/tiltak/{t.pk}/",
        data=json.dumps({"versjon": t.versjon, "tittel": "Skrevet med token"}),
        content_type="application/json",
        headers={"authorization": f"Token {token.key}"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["tittel"] == "Skrevet med token"
    row = Tiltak.history.filter(id=t.pk).latest()
    assert row.history_user == users["planner"]

    # a token also lets a script read drafts it may see
    response = client.get(
        f"/api/tiltak/{t.pk}/redigering/", headers={"authorization": f"Token {token.key}"}
    )
    assert response.status_code == 200
    assert Client().get(f"/api/tiltak/{t.pk}/redigering/").status_code == 404


def test_a_wrong_token_is_401_and_changes_nothing(tree):
    before = snapshot(tree["programme"])
    response = Client().post(
        "/api/temaer/",
        data=json.dumps({"program": tree["programme"].pk, "navn": "Ny"}),
        content_type="application/json",
        headers={"authorization": "Token feil"},
    )
    assert response.status_code == 401
    assert snapshot(tree["programme"]) == before


def test_token_of_a_user_without_the_right_is_403(users, tree):
    token = Token.objects.create(user=users["board"])
    response = Client().post(
        "/api/temaer/",
        data=json.dumps({"program": tree["programme"].pk, "navn": "Ny"}),
        content_type="application/json",
        headers={"authorization": f"Token {token.key}"},
    )
    assert response.status_code == 403


# --- Validation (400) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("endpoint", "body", "field"),
    [
        ("tiltak", {"tittel": "Uten versjon"}, "versjon"),
        ("tiltak", {"versjon": 1, "type": "ukjent"}, "type"),
        ("tiltak", {"versjon": 1, "tittel": ""}, "tittel"),
        ("tiltak", {"versjon": 1, "start_aar": "neste år"}, "start_aar"),
        ("tiltak", {"versjon": 1, "start_aar": 2030, "slutt_aar": 2020}, "slutt_aar"),
        ("tiltak", {"versjon": 1, "nummer": 2}, "nummer"),  # taken by lone_tiltak
        ("tiltak", {"versjon": 1, "tema": 999999}, "tema"),
        ("tema", {"navn": ""}, "navn"),
        ("tema", {"navn": "x" * 256}, "navn"),
        ("delmaal", {"nummer": "1.2"}, "nummer"),  # taken by empty_delmaal
    ],
)
def test_invalid_input_is_400_naming_the_field(client_for, tree, endpoint, body, field):
    obj = {"tiltak": tree["tiltak"], "tema": tree["tema"], "delmaal": tree["delmaal"]}[endpoint]
    url = {"tiltak": "/api/tiltak/", "tema": "/api/temaer/", "delmaal": "/api/delmaal/"}[endpoint]
    before = snapshot(tree["programme"])
    response = call(client_for("planner"), "patch", f"{url}{obj.pk}/", body)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert all(isinstance(m, str) and m for m in response.json()[field])
    assert snapshot(tree["programme"]) == before


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "/api/temaer/", {"navn": "Uten program"}, "program"),
        ("post", "/api/temaer/", {"program": "{programme}", "navn": "Ny", "nummer": 1}, None),
        ("post", "/api/tiltak/", {"tittel": "Uten plass"}, "tema"),
        ("post", "/api/tiltak/", {"tema": "{tema}", "tittel": ""}, "tittel"),
        ("post", "/api/satsingsomraader/", {"navn": "Uten plass"}, "tema"),
        (
            "post",
            "/api/ansvar/",
            {"tiltak": "{tiltak}", "organisasjon": "{kommune}", "rolle": "hovedansvar"},
            "organisasjon",
        ),
        (
            "post",
            "/api/ansvar/",
            {"tiltak": "{tiltak}", "organisasjon": "{kommune}", "rolle": "sjef"},
            "rolle",
        ),
        ("delete", "/api/tiltak/{tiltak}/", {}, "slettet_grunn"),
        ("delete", "/api/temaer/{tema}/", None, "detail"),  # still holds tiltak
        ("post", "/api/programmer/{programme}/status/", {"status": "vedtatt"}, "status"),
        ("post", "/api/programmer/{programme}/status/", {"status": "tull"}, "status"),
    ],
)
def test_invalid_writes_are_400_and_change_nothing(
    client_for, users, tree, method, path, body, field
):
    ids = {
        "programme": tree["programme"].pk,
        "tema": tree["tema"].pk,
        "tiltak": tree["tiltak"].pk,
        "kommune": users["kommune"].pk,
    }
    if body:
        body = {k: int(v.format(**ids)) if str(v).startswith("{") else v for k, v in body.items()}
    before = snapshot(tree["programme"])
    response = call(client_for("planner"), method, path.format(**ids), body)
    assert response.status_code == 400, response.content
    payload = response.json()
    if field:
        assert field in payload, payload
    else:
        assert payload  # a message, whatever the field
    assert snapshot(tree["programme"]) == before


def test_going_back_from_adopted_needs_a_reason_over_the_api(client_for, users, tree):
    programme = tree["programme"]
    Handlingsprogram.objects.filter(pk=programme.pk).update(status=ProgramStatus.VEDTATT)
    client = client_for("planner")
    url = f"/api/programmer/{programme.pk}/status/"
    response = call(client, "post", url, {"status": "utkast"})
    assert response.status_code == 400
    assert "reason" in response.json()
    response = call(client, "post", url, {"status": "utkast", "reason": "Feil i vedtaket"})
    assert response.status_code == 200, response.content
    assert response.json()["status"]["code"] == "utkast"
    row = Handlingsprogram.history.filter(id=programme.pk).latest()
    assert row.history_change_reason == "Feil i vedtaket"
    assert row.history_user == users["planner"]


# --- Concurrency (409) --------------------------------------------------------------------


def test_second_save_from_the_same_version_is_409_with_the_other_changes(client_for, tree):
    t = tree["tiltak"]
    first = call(
        client_for("planner"),
        "patch",
        f"/api/tiltak/{t.pk}/",
        {"versjon": t.versjon, "tittel": "Planleggerens tittel"},
    )
    assert first.status_code == 200
    assert first.json()["versjon"] == t.versjon + 1
    before = snapshot(tree["programme"])

    second = call(
        client_for("administrator"),
        "patch",
        f"/api/tiltak/{t.pk}/",
        {"versjon": t.versjon, "tittel": "Adminens tittel", "virkemiddel": "Penger"},
    )
    assert second.status_code == 409
    body = second.json()
    assert body["versjon"] == t.versjon + 1
    assert body["changed_fields"] == ["tittel"]
    assert body["changes"][0]["after"] == "Planleggerens tittel"
    assert body["changed_by"] and body["detail"]
    assert snapshot(tree["programme"]) == before

    third = call(
        client_for("administrator"),
        "patch",
        f"/api/tiltak/{t.pk}/",
        {"versjon": body["versjon"], "virkemiddel": "Penger"},
    )
    assert third.status_code == 200
    assert third.json()["tittel"] == "Planleggerens tittel"


def test_a_move_with_a_stale_version_is_409(client_for, tree):
    t = tree["tiltak"]
    Tiltak.objects.filter(pk=t.pk).update(versjon=5)
    response = call(
        client_for("planner"),
        "patch",
        f"/api/tiltak/{t.pk}/",
        {"versjon": 4, "tema": tree["empty_tema"].pk},
    )
    assert response.status_code == 409
    assert Tiltak.objects.get(pk=t.pk).tema_id == tree["tema"].pk


def test_update_and_move_in_one_patch_are_atomic(client_for, users, tree):
    t = tree["tiltak"]
    other_programme = HandlingsprogramFactory(eier=users["county"], status=ProgramStatus.UTKAST)
    foreign_tema = TemaFactory(program=other_programme, nummer=1)
    before = snapshot(tree["programme"])
    response = call(
        client_for("planner"),
        "patch",
        f"/api/tiltak/{t.pk}/",
        {"versjon": t.versjon, "tittel": "Ny", "tema": foreign_tema.pk},
    )
    assert response.status_code == 400
    assert "tema" in response.json()
    assert snapshot(tree["programme"]) == before

    response = call(
        client_for("planner"),
        "patch",
        f"/api/tiltak/{t.pk}/",
        {"versjon": t.versjon, "tittel": "Ny", "tema": tree["empty_tema"].pk},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["tittel"], body["tema"], body["delmaal"], body["nummer"]) == (
        "Ny",
        tree["empty_tema"].pk,
        None,
        1,
    )
    assert body["versjon"] == t.versjon + 2


# --- The lock after adoption ---------------------------------------------------------------


def test_adopted_programme_refuses_structure_but_takes_tiltak_status(client_for, users, tree):
    programme = tree["programme"]
    programme_transition(actor=users["planner"], programme=programme, to_status="paa_hoering")
    programme_transition(actor=users["planner"], programme=programme, to_status="vedtatt")
    client = client_for("planner")
    t = tree["tiltak"]
    before = snapshot(programme)
    refused = [
        ("post", "/api/temaer/", {"program": programme.pk, "navn": "Ny"}, 403),
        ("patch", f"/api/temaer/{tree['tema'].pk}/", {"navn": "Ny"}, 403),
        ("delete", f"/api/delmaal/{tree['empty_delmaal'].pk}/", None, 403),
        ("post", "/api/tiltak/", {"tema": tree["tema"].pk, "tittel": "Ny"}, 403),
        ("patch", f"/api/tiltak/{t.pk}/", {"versjon": t.versjon, "tittel": "Ny"}, 400),
        (
            "patch",
            f"/api/tiltak/{t.pk}/",
            {"versjon": t.versjon, "tema": tree["empty_tema"].pk},
            403,
        ),
        ("delete", f"/api/tiltak/{t.pk}/", {"slettet_grunn": "Feil"}, 403),
        ("delete", f"/api/ansvar/{tree['ansvar'].pk}/", None, 403),
    ]
    for method, url, body, code in refused:
        response = call(client, method, url, body)
        assert response.status_code == code, (url, response.content)
        assert response.json()["detail"]
    assert snapshot(programme) == before

    response = call(
        client, "patch", f"/api/tiltak/{t.pk}/", {"versjon": t.versjon, "status": "paagaar"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "paagaar"


# --- Representation, history, budgets ------------------------------------------------------


def test_edit_representation_has_version_place_and_party_ids(client_for, users, tree):
    t = tree["tiltak"]
    response = call(client_for("planner"), "get", f"/api/tiltak/{t.pk}/redigering/")
    assert response.status_code == 200
    body = response.json()
    assert body["versjon"] == t.versjon
    assert (body["tema"], body["delmaal"], body["satsingsomraade"]) == (
        tree["tema"].pk,
        tree["delmaal"].pk,
        tree["satsing"].pk,
    )
    assert body["ansvar"] == [
        {
            "id": tree["ansvar"].pk,
            "tiltak": t.pk,
            "organisasjon": {
                "id": users["kommune"].pk,
                "navn": "Testby kommune",
                "forkortelse": "",
            },
            "rolle": "hovedansvar",
            "rekkefoelge": 0,
            "tekst_som_skrevet": tree["ansvar"].tekst_som_skrevet,
        }
    ]
    # the read endpoint keeps its own payload
    assert "versjon" not in call(client_for("planner"), "get", f"/api/tiltak/{t.pk}/").json()


def test_api_edits_appear_in_the_history_with_who_and_what(client_for, users, tree):
    t = tree["tiltak"]
    call(
        client_for("administrator"),
        "patch",
        f"/api/tiltak/{t.pk}/",
        {"versjon": t.versjon, "tittel": "Endret over API", "type": "prosjekt"},
    )
    call(
        client_for("planner"),
        "post",
        "/api/ansvar/",
        {"tiltak": t.pk, "organisasjon": users["other"].pk, "rolle": "samarbeidspart"},
    )
    entries = history.tiltak_history(tiltak=t)
    added, edit = entries[0], entries[1]
    assert (added.action, added.party, added.user) == (
        "party_added",
        "Annen fylkeskommune",
        users["planner"],
    )
    assert edit.user == users["administrator"]
    changes = {c.name: (c.old, c.new) for c in edit.changes}
    assert changes["tittel"] == (t.tittel, "Endret over API")
    assert changes["type"][0] == ""
    assert changes["type"][1] in ("Prosjekt", "Project")


def test_soft_delete_over_the_api_keeps_a_tiltak_with_history(client_for, users, tree):
    t = tree["tiltak"]
    client = client_for("planner")
    call(client, "patch", f"/api/tiltak/{t.pk}/", {"versjon": t.versjon, "tittel": "Endret"})
    response = call(client, "delete", f"/api/tiltak/{t.pk}/?slettet_grunn=Utgått")
    assert response.status_code == 200, response.content
    assert response.json() == {"id": t.pk, "sletting": "soft"}
    kept = Tiltak.alle.get(pk=t.pk)
    assert kept.slettet is not None and kept.slettet_grunn == "Utgått"
    assert call(client, "get", f"/api/tiltak/{t.pk}/redigering/").status_code == 404


def test_edit_read_budget_is_the_same_for_a_tiltak_with_ten_times_the_parties(client_for, tree):
    client = client_for("planner")
    t = tree["tiltak"]  # one party
    url = reverse("api:tiltak-redigering", args=[t.pk])
    small, small_parties = count_queries(client, url), t.ansvar.count()
    for n in range(10):
        AnsvarFactory(tiltak=t, rolle=Rolle.SAMARBEIDSPART)
        TiltakFactory(tema=tree["tema"], program=tree["programme"], nummer=10 + n)
    large, large_parties = count_queries(client, url), t.ansvar.count()
    assert len(call(client, "get", url).json()["ansvar"]) == 11
    assert_same_queries(small, large, ceiling=8, sizes=(small_parties, large_parties))
