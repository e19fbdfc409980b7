"""Issue 7.6: setting up a programme in the browser and the API — create one, change its name,
subtitle, description, period and plans, restore a deleted tiltak, move a delmål or a
satsingsområde to another tema — with a history row for every change, and a permission matrix
over every new page and endpoint × every role, nothing changed on refusal."""

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.conftest import ROLES
from tests.factories import (
    DelmaalFactory,
    HandlingsprogramFactory,
    SatsingsomraadeFactory,
    TemaFactory,
)
from tiltak.models import (
    Delmaal,
    Handlingsprogram,
    NivaaBetegnelse,
    ProgramStatus,
    RegionalPlan,
    Satsingsomraade,
    Tiltak,
)
from tiltak.selectors.history import deleted_tiltak, programme_history_page
from tiltak.selectors.programmes import programme_owners
from tiltak.services import programme as programme_services
from tiltak.services import structure
from tiltak.services import tiltak as tiltak_services

pytestmark = pytest.mark.django_db


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def plan(users):
    return RegionalPlan.objects.create(navn="Regional plan for testfylket 2020-2030")


@pytest.fixture
def setup(users):
    """A draft of the county with two temaer; tema 1 holds delmål 1.1 with a satsingsområde and
    two tiltak (1.1 and 1.2), and a deleted tiltak (formerly 1.3) kept for its history."""
    planner = users["planner"]
    programme = HandlingsprogramFactory(
        eier=users["county"], status=ProgramStatus.UTKAST, navn="Testprogram"
    )
    tema1 = TemaFactory(program=programme, nummer=1, navn="Vertskap")
    tema2 = TemaFactory(program=programme, nummer=2, navn="Kompetanse")
    delmaal = DelmaalFactory(tema=tema1, nummer="1.1", navn="Flere talenter")
    satsing = SatsingsomraadeFactory(tema=tema1, delmaal=delmaal, navn="Nøkkelkompetanse")
    t1 = tiltak_services.tiltak_create(actor=planner, satsingsomraade=satsing, tittel="Trainee")
    t2 = tiltak_services.tiltak_create(actor=planner, satsingsomraade=satsing, tittel="Mentor")
    gone = tiltak_services.tiltak_create(actor=planner, tema=tema1, tittel="Borte")
    gone = tiltak_services.tiltak_update(
        actor=planner, tiltak=gone, expected_versjon=gone.versjon, virkemiddel="Nettverk"
    )
    assert tiltak_services.tiltak_delete(actor=planner, tiltak=gone, reason="Dobbelt") == "soft"
    return {
        "programme": programme,
        "tema1": tema1,
        "tema2": tema2,
        "delmaal": delmaal,
        "satsing": satsing,
        "t1": t1,
        "t2": t2,
        "gone": Tiltak.alle.get(pk=gone.pk),
    }


# --- Services ------------------------------------------------------------------------------


def test_a_planner_creates_a_draft_for_their_own_county_with_history(users, plan):
    planner = users["planner"]
    programme = programme_services.programme_create(
        actor=planner,
        navn="Handlingsprogram næring",
        undertittel="Forslag",
        start_aar=2025,
        slutt_aar=2026,
        eier=users["county"],
        nivaa_betegnelse=NivaaBetegnelse.INNSATSOMRAADE,
        planer=[plan],
        nye_planer=["Regional plan for kunnskap 2024-2030", " "],
    )
    programme.refresh_from_db()
    assert (programme.status, programme.eier, programme.nivaa_betegnelse) == (
        ProgramStatus.UTKAST,
        users["county"],
        NivaaBetegnelse.INNSATSOMRAADE,
    )
    assert sorted(p.navn for p in programme.planer.all()) == [
        "Regional plan for kunnskap 2024-2030",
        "Regional plan for testfylket 2020-2030",
    ]
    assert (
        RegionalPlan.objects.get(navn__startswith="Regional plan for kunnskap").eier
        == (users["county"])
    )
    rows = Handlingsprogram.history.filter(id=programme.pk)
    assert rows.count() >= 1 and all(r.history_user == planner for r in rows)
    assert rows.order_by("history_date", "history_id").first().history_type == "+"


@pytest.mark.parametrize("role", ["other_planner", "planner"])
def test_a_planner_may_not_create_a_programme_for_another_organisation(users, role):
    owner = users["other"] if role == "planner" else users["county"]
    with pytest.raises(ValidationError) as refused:
        programme_services.programme_create(
            actor=users[role], navn="Fremmed", start_aar=2025, slutt_aar=2026, eier=owner
        )
    assert set(refused.value.message_dict) == {"eier"}
    assert not Handlingsprogram.objects.filter(navn="Fremmed").exists()


def test_an_administrator_creates_for_any_organisation_others_not_at_all(users):
    programme = programme_services.programme_create(
        actor=users["administrator"], navn="For Annen", start_aar=2025, slutt_aar=2026,
        eier=users["other"],
    )  # fmt: skip
    assert programme.eier == users["other"]
    for role in ("member", "board"):
        with pytest.raises(PermissionDenied):
            programme_services.programme_create(
                actor=users[role], navn="Nei", start_aar=2025, slutt_aar=2026, eier=users["county"]
            )
    assert not Handlingsprogram.objects.filter(navn="Nei").exists()


def test_owner_choices_follow_the_rule(users):
    for role in ROLES:
        user = users[role]
        if user is None:
            continue
        owners = set(programme_owners(user))
        for org in (users["county"], users["kommune"], users["other"]):
            assert (org in owners) == user.has_perm("tiltak.own_programme", org), (role, org)


def test_bad_programme_input_names_the_field(users, setup):
    planner, county = users["planner"], users["county"]
    cases = [
        ({"navn": "Testprogram", "start_aar": 2019, "slutt_aar": 2020}, "navn"),
        ({"navn": "Baklengs", "start_aar": 2026, "slutt_aar": 2025}, "slutt_aar"),
        ({"navn": "", "start_aar": 2025, "slutt_aar": 2026}, "navn"),
        ({"navn": "Langt fram", "start_aar": 2025, "slutt_aar": 2500}, "slutt_aar"),
    ]
    for data, field in cases:
        with pytest.raises(ValidationError) as refused:
            programme_services.programme_create(actor=planner, eier=county, **data)
        assert field in refused.value.message_dict, (data, refused.value.message_dict)
    assert Handlingsprogram.objects.count() == 1


def test_programme_update_records_fields_and_plans_in_one_history_row(users, setup, plan):
    admin, programme = users["administrator"], setup["programme"]
    rows_before = Handlingsprogram.history.filter(id=programme.pk).count()
    programme_services.programme_update(
        actor=admin,
        programme=programme,
        navn="Nytt navn",
        undertittel="Vedtatt utgave",
        beskrivelse="Om programmet",
        start_aar=2021,
        slutt_aar=2024,
        planer=[plan],
        reason="Rettet periode",
    )
    programme.refresh_from_db()
    assert (programme.navn, programme.periode, programme.undertittel) == (
        "Nytt navn",
        "2021–2024",
        "Vedtatt utgave",
    )
    rows = Handlingsprogram.history.filter(id=programme.pk).order_by("-history_date")
    assert rows.count() == rows_before + 1
    assert (rows[0].history_user, rows[0].history_change_reason) == (admin, "Rettet periode")
    entry = programme_history_page(programme=programme, page_number=1).object_list[0]
    assert {c.name for c in entry.changes} >= {"navn", "start_aar", "slutt_aar", "planer"}

    # Nothing changed, no row.
    programme_services.programme_update(actor=admin, programme=programme, navn="Nytt navn")
    assert Handlingsprogram.history.filter(id=programme.pk).count() == rows_before + 1


def test_an_archived_programme_cannot_be_changed(users, setup):
    programme = setup["programme"]
    Handlingsprogram.objects.filter(pk=programme.pk).update(status=ProgramStatus.ARKIVERT)
    programme.refresh_from_db()
    with pytest.raises(PermissionDenied):
        programme_services.programme_update(
            actor=users["administrator"], programme=programme, navn="Arkivert endret"
        )
    assert Handlingsprogram.objects.get(pk=programme.pk).navn == "Testprogram"


# --- Pages ---------------------------------------------------------------------------------


def test_create_a_programme_in_the_browser(client_for, users, plan):
    client = _english(client_for("planner"))
    page = client.get(reverse("tiltak:programme_list")).content.decode()
    assert reverse("tiltak:programme_create") in page
    url = reverse("tiltak:programme_create")
    form = client.get(url)
    assert form.status_code == 200
    owner_options = form.context["form"].fields["eier"].queryset
    assert list(owner_options) == [users["county"]]

    response = client.post(
        url,
        {
            "navn": "Handlingsprogram for næring",
            "undertittel": "Utkast",
            "start_aar": "2025",
            "slutt_aar": "2024",
            "eier": users["county"].pk,
            "nivaa_betegnelse": "omraade",
            "planer": [plan.pk],
            "nye_planer": "",
            "beskrivelse": "",
        },
    )
    assert response.status_code == 400
    assert "To year: the period cannot end before it starts." in response.content.decode()
    assert not Handlingsprogram.objects.exists()

    response = client.post(
        url,
        {
            "navn": "Handlingsprogram for næring",
            "undertittel": "Utkast",
            "start_aar": "2025",
            "slutt_aar": "2026",
            "eier": users["county"].pk,
            "nivaa_betegnelse": "omraade",
            "planer": [plan.pk],
            "nye_planer": "Ny plan for kunnskap\n",
            "beskrivelse": "Hva programmet er",
        },
    )
    programme = Handlingsprogram.objects.get(navn="Handlingsprogram for næring")
    assert response.status_code == 302
    assert response.url == reverse("tiltak:programme_edit", args=[programme.pk])
    assert programme.get_nivaa_betegnelse_display() == "Area"
    assert programme.planer.count() == 2
    edit = client.get(response.url).content.decode()
    assert "was created as a draft" in edit and "Add area" in edit


def test_a_planner_cannot_pick_another_owner_in_the_browser(client_for, users):
    response = client_for("planner").post(
        reverse("tiltak:programme_create"),
        {
            "navn": "Fremmed",
            "start_aar": "2025",
            "slutt_aar": "2026",
            "eier": users["other"].pk,
            "nivaa_betegnelse": "tema",
        },
    )
    assert response.status_code == 400
    assert not Handlingsprogram.objects.filter(navn="Fremmed").exists()


def test_change_name_subtitle_description_and_period_in_the_browser(client_for, setup):
    programme = setup["programme"]
    client = _english(client_for("planner"))
    assert (
        reverse("tiltak:programme_update", args=[programme.pk])
        in client.get(programme.get_absolute_url()).content.decode()
    )
    url = reverse("tiltak:programme_update", args=[programme.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'value="Testprogram"' in page.content.decode()
    data = {
        "navn": "Nytt programnavn",
        "undertittel": "Høringsutkast",
        "start_aar": "2020",
        "slutt_aar": "2021",
        "nivaa_betegnelse": "tema",
        "beskrivelse": "Beskrivelse",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.navn, programme.undertittel, programme.periode, programme.beskrivelse) == (
        "Nytt programnavn",
        "Høringsutkast",
        "2020–2021",
        "Beskrivelse",
    )
    assert "Nytt programnavn" in client.get(response.url).content.decode()
    log = client.get(reverse("tiltak:programme_history", args=[programme.pk])).content.decode()
    assert "Nytt programnavn" in log


def test_deleted_tiltak_are_listed_and_restored_in_the_browser(client_for, users, setup):
    gone = setup["gone"]
    client = _english(client_for("planner"))
    url = reverse("tiltak:programme_deleted", args=[setup["programme"].pk])
    assert (
        url
        in client.get(
            reverse("tiltak:programme_edit", args=[setup["programme"].pk])
        ).content.decode()
    )
    page = " ".join(client.get(url).content.decode().split())
    assert "Borte" in page and "Dobbelt" in page and "1.3" in page
    assert reverse("tiltak:tiltak_undelete", args=[gone.pk]) in page
    assert "Kari Nordmann" in page  # who deleted it

    # Its number has been taken meanwhile: restored, it gets the next free one.
    tiltak_services.tiltak_create(actor=users["planner"], tema=setup["tema1"], tittel="Ny 1.3")
    assert "1.3 is used by another measure now" in " ".join(
        client.get(url).content.decode().split()
    )
    response = client.post(reverse("tiltak:tiltak_undelete", args=[gone.pk]))
    assert response.status_code == 302 and response.url == url
    restored = Tiltak.objects.get(pk=gone.pk)
    assert restored.nummer_visning == "1.4" and not restored.slettet_grunn
    after = " ".join(client.get(url).content.decode().split())
    assert "“Borte” was restored as 1.4." in after
    assert "The programme has no deleted measures." in after
    last = Tiltak.history.filter(id=gone.pk).latest()
    assert last.history_user == users["planner"] and last.slettet is None

    # Restoring it again is refused with a message, not a 500.
    response = client.post(reverse("tiltak:tiltak_undelete", args=[gone.pk]), follow=True)
    assert "This measure is not deleted." in response.content.decode()


def test_the_board_sees_deleted_tiltak_without_the_restore_button(client_for, setup):
    page = client_for("board").get(
        reverse("tiltak:programme_deleted", args=[setup["programme"].pk])
    )
    assert page.status_code == 200
    assert "Borte" in page.content.decode()
    assert reverse("tiltak:tiltak_undelete", args=[setup["gone"].pk]) not in (page.content.decode())


def test_move_a_delmaal_to_another_tema_in_the_browser(client_for, users, setup):
    client = _english(client_for("planner"))
    delmaal, tema2 = setup["delmaal"], setup["tema2"]
    edit = client.get(reverse("tiltak:programme_edit", args=[setup["programme"].pk]))
    url = reverse("tiltak:delmaal_move_to", args=[delmaal.pk])
    assert url in edit.content.decode()
    page = " ".join(client.get(url).content.decode().split())
    assert "Its 2 measures move with it." in page

    # The number is taken in the new tema: said on the field, nothing moved.
    DelmaalFactory(tema=tema2, nummer="2.1")
    response = client.post(url, {"tema": tema2.pk, "nummer": "2.1"})
    assert response.status_code == 400
    assert "the theme already has a sub-goal 2.1" in response.content.decode()
    assert Delmaal.objects.get(pk=delmaal.pk).tema_id == setup["tema1"].pk

    response = client.post(url, {"tema": tema2.pk, "nummer": "2.2"}, follow=True)
    assert response.status_code == 200
    assert "Its measures got new numbers: 1.1 → 2.1, 1.2 → 2.2." in response.content.decode()
    delmaal.refresh_from_db()
    assert (delmaal.tema_id, delmaal.nummer) == (tema2.pk, "2.2")
    assert Satsingsomraade.objects.get(pk=setup["satsing"].pk).tema_id == tema2.pk
    for t in (setup["t1"], setup["t2"]):
        row = Tiltak.history.filter(id=t.pk).latest()
        assert row.tema_id == tema2.pk and row.history_user == users["planner"]
    assert Delmaal.history.filter(id=delmaal.pk).latest().history_user == users["planner"]


def test_move_a_satsingsomraade_to_a_delmaal_of_another_tema_in_the_browser(
    client_for, users, setup
):
    client = _english(client_for("planner"))
    target = DelmaalFactory(tema=setup["tema2"], nummer="2.1", navn="Kompetanse i arbeidslivet")
    satsing = setup["satsing"]
    url = reverse("tiltak:satsingsomraade_move_to", args=[satsing.pk])
    assert (
        url
        in client.get(
            reverse("tiltak:programme_edit", args=[setup["programme"].pk])
        ).content.decode()
    )
    response = client.post(url, {"plassering": f"delmaal:{target.pk}"}, follow=True)
    assert "got new numbers: 1.1 → 2.1, 1.2 → 2.2" in response.content.decode()
    satsing.refresh_from_db()
    assert (satsing.tema_id, satsing.delmaal_id) == (setup["tema2"].pk, target.pk)
    assert Tiltak.objects.get(pk=setup["t1"].pk).delmaal_id == target.pk

    # Directly under tema 1 again.
    response = client.post(url, {"plassering": f"tema:{setup['tema1'].pk}"})
    assert response.status_code == 302
    satsing.refresh_from_db()
    assert (satsing.tema_id, satsing.delmaal_id) == (setup["tema1"].pk, None)
    assert client.post(url, {"plassering": "satsing:1"}).status_code == 400


def test_a_bad_row_in_a_move_is_named_and_nothing_moves(users, setup):
    Tiltak.objects.filter(pk=setup["t2"].pk).update(tittel="")
    with pytest.raises(ValidationError) as refused:
        structure.delmaal_move(
            actor=users["planner"], delmaal=setup["delmaal"], tema=setup["tema2"]
        )
    assert refused.value.message_dict["tittel"][0].startswith("Measure 1.2: ")
    assert Delmaal.objects.get(pk=setup["delmaal"].pk).tema_id == setup["tema1"].pk
    assert Tiltak.objects.get(pk=setup["t1"].pk).nummer_visning == "1.1"


# --- API -----------------------------------------------------------------------------------


def _api(client, method, url, data=None):
    return getattr(client, method)(url, data or {}, content_type="application/json")


def test_api_create_and_change_a_programme(client_for, users, plan):
    client = client_for("planner")
    response = _api(
        client,
        "post",
        "/api/programmer/",
        {
            "navn": "API-programmet",
            "start_aar": 2025,
            "slutt_aar": 2026,
            "eier": users["county"].pk,
            "nivaa_betegnelse": "innsatsomraade",
            "planer": [plan.pk],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["nivaa_betegnelse"], body["planer"]) == (
        "utkast",
        "innsatsomraade",
        [plan.pk],
    )
    pk = body["id"]
    response = _api(client, "patch", f"/api/programmer/{pk}/", {"slutt_aar": 2024, "navn": "API 2"})
    assert response.status_code == 400
    assert "slutt_aar" in response.json()
    response = _api(
        client,
        "patch",
        f"/api/programmer/{pk}/",
        {"navn": "API 2", "undertittel": "U", "beskrivelse": "B", "planer": []},
    )
    assert response.status_code == 200
    assert (response.json()["navn"], response.json()["planer"]) == ("API 2", [])

    response = _api(
        client,
        "post",
        "/api/programmer/",
        {"navn": "Fremmed", "start_aar": 2025, "slutt_aar": 2026, "eier": users["other"].pk},
    )
    assert response.status_code == 400 and "eier" in response.json()


def test_api_lists_and_restores_deleted_tiltak(client_for, setup):
    client = client_for("planner")
    listed = client.get(f"/api/programmer/{setup['programme'].pk}/slettede-tiltak/").json()
    assert [(r["id"], r["nummer_visning"], r["slettet_grunn"]) for r in listed] == [
        (setup["gone"].pk, "1.3", "Dobbelt")
    ]
    response = _api(client, "post", f"/api/tiltak/{setup['gone'].pk}/gjenopprett/")
    assert response.status_code == 200
    assert response.json()["nummer_visning"] == "1.3"
    assert Tiltak.objects.filter(pk=setup["gone"].pk).exists()
    response = _api(client, "post", f"/api/tiltak/{setup['gone'].pk}/gjenopprett/")
    assert response.status_code == 400 and "detail" in response.json()


def test_api_moves_a_delmaal_and_a_satsingsomraade_to_another_tema(client_for, setup):
    client = client_for("planner")
    response = _api(
        client, "patch", f"/api/delmaal/{setup['delmaal'].pk}/", {"tema": setup["tema2"].pk}
    )
    assert response.status_code == 200 and response.json()["tema"] == setup["tema2"].pk
    assert Tiltak.objects.get(pk=setup["t1"].pk).nummer_visning == "2.1"
    response = _api(
        client,
        "patch",
        f"/api/satsingsomraader/{setup['satsing'].pk}/",
        {"tema": setup["tema1"].pk},
    )
    assert response.status_code == 200
    assert (response.json()["tema"], response.json()["delmaal"]) == (setup["tema1"].pk, None)


# --- The permission matrix -----------------------------------------------------------------

CAN_VIEW_DRAFT = {"administrator", "planner", "board"}
MANAGES = {"administrator", "planner"}
CREATES = {"administrator", "planner", "other_planner"}


def _snapshot(setup) -> tuple:
    """Everything the new pages and endpoints could change."""
    programme = Handlingsprogram.objects.get(pk=setup["programme"].pk)
    delmaal = Delmaal.objects.get(pk=setup["delmaal"].pk)
    satsing = Satsingsomraade.objects.get(pk=setup["satsing"].pk)
    return (
        Handlingsprogram.objects.count(),
        (programme.navn, programme.undertittel, programme.start_aar, programme.slutt_aar),
        (delmaal.tema_id, delmaal.nummer, satsing.tema_id, satsing.delmaal_id),
        Tiltak.alle.get(pk=setup["gone"].pk).slettet,
        Handlingsprogram.history.count(),
        Tiltak.history.count(),
        Delmaal.history.count(),
        Satsingsomraade.history.count(),
        RegionalPlan.objects.count(),
    )


def _requests(setup, users, role):
    """(name, kind, api, method, url, data): every new page and endpoint."""
    p, d, s, gone = setup["programme"], setup["delmaal"], setup["satsing"], setup["gone"]
    own = users[role].organisasjon if users[role] is not None else users["county"]
    create = {
        "navn": f"Nytt av {role}",
        "start_aar": 2025,
        "slutt_aar": 2026,
        "eier": own.pk,
        "nivaa_betegnelse": "tema",
    }
    change = {
        "navn": "Endret",
        "undertittel": "",
        "start_aar": 2019,
        "slutt_aar": 2021,
        "nivaa_betegnelse": "tema",
    }
    tema2 = setup["tema2"].pk
    return [
        ("create page", "create", False, "get", reverse("tiltak:programme_create"), None),
        ("create", "create", False, "post", reverse("tiltak:programme_create"), create),
        ("update page", "change", False, "get", reverse("tiltak:programme_update", args=[p.pk]), None),
        ("update", "change", False, "post", reverse("tiltak:programme_update", args=[p.pk]), change),
        ("deleted page", "read", False, "get", reverse("tiltak:programme_deleted", args=[p.pk]), None),
        ("undelete", "change", False, "post", reverse("tiltak:tiltak_undelete", args=[gone.pk]), {}),
        ("delmaal move page", "change", False, "get", reverse("tiltak:delmaal_move_to", args=[d.pk]), None),
        ("delmaal move", "change", False, "post", reverse("tiltak:delmaal_move_to", args=[d.pk]), {"tema": tema2, "nummer": "2.1"}),
        ("satsing move page", "change", False, "get", reverse("tiltak:satsingsomraade_move_to", args=[s.pk]), None),
        ("satsing move", "change", False, "post", reverse("tiltak:satsingsomraade_move_to", args=[s.pk]), {"plassering": f"tema:{tema2}"}),
        ("api create", "create", True, "post", "/api/programmer/", create),
        ("api update", "change", True, "patch", f"/api/programmer/{p.pk}/", {"navn": "Endret"}),
        ("api deleted", "read", True, "get", f"/api/programmer/{p.pk}/slettede-tiltak/", None),
        ("api undelete", "change", True, "post", f"/api/tiltak/{gone.pk}/gjenopprett/", {}),
        ("api delmaal move", "change", True, "patch", f"/api/delmaal/{d.pk}/", {"tema": tema2}),
        ("api satsing move", "change", True, "patch", f"/api/satsingsomraader/{s.pk}/", {"tema": tema2}),
    ]  # fmt: skip


def _expected(role: str, public: bool, kind: str, api: bool, method: str) -> int:
    ok = {"get": 200, "patch": 200, "post": 201 if kind == "create" else 200}[method]
    if not api and method == "post":
        ok = 302
    anonymous = 401 if api else 302
    if kind == "create":
        if role == "anonymous":
            return anonymous
        return ok if role in CREATES else 403
    if not (public or role in CAN_VIEW_DRAFT):
        # Not visible: 404, except that an API write asks an anonymous caller to log in first.
        return 401 if api and role == "anonymous" and method != "get" else 404
    if role == "anonymous":
        return anonymous
    if kind == "read":
        return ok
    return ok if role in MANAGES else 403


@pytest.mark.parametrize("public", [False, True], ids=["draft", "on hearing"])
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_of_the_new_pages_and_endpoints(client_for, users, setup, role, public):
    if public:
        Handlingsprogram.objects.filter(pk=setup["programme"].pk).update(
            status=ProgramStatus.PAA_HOERING
        )
    for name, kind, api, method, url, data in _requests(setup, users, role):
        before = _snapshot(setup)
        client = client_for(role)
        if api:
            response = _api(client, method, url, data)
        elif method == "post":
            response = client.post(url, data)
        else:
            response = client.get(url)
        expected = _expected(role, public, kind, api, method)
        assert response.status_code == expected, (name, role, public, response.status_code)
        if expected == 302 and role == "anonymous":
            assert response["Location"].startswith(reverse("login")), name
        if expected >= 400 or method == "get" or (role == "anonymous" and not api):
            assert _snapshot(setup) == before, (name, role, "changed on refusal")
        elif kind != "read":
            assert _snapshot(setup) != before, (name, role, "allowed but nothing changed")
            _restore(setup)


def _restore(setup):
    """Put the tree back after an allowed change, so the next request meets the same state."""
    Handlingsprogram.objects.exclude(pk=setup["programme"].pk).delete()
    Handlingsprogram.objects.filter(pk=setup["programme"].pk).update(
        navn="Testprogram", undertittel="", start_aar=2019, slutt_aar=2020
    )
    Delmaal.objects.filter(pk=setup["delmaal"].pk).update(tema=setup["tema1"], nummer="1.1")
    Satsingsomraade.objects.filter(pk=setup["satsing"].pk).update(
        tema=setup["tema1"], delmaal=setup["delmaal"]
    )
    Tiltak.alle.filter(pk__in=[setup["t1"].pk, setup["t2"].pk]).update(tema=setup["tema1"])
    Tiltak.alle.filter(pk=setup["t1"].pk).update(nummer=1)
    Tiltak.alle.filter(pk=setup["t2"].pk).update(nummer=2)
    Tiltak.alle.filter(pk=setup["gone"].pk).update(
        slettet=setup["gone"].slettet, slettet_grunn="Dobbelt", nummer=3
    )


def test_deleted_tiltak_selector_costs_the_same_for_many(django_assert_num_queries, users, setup):
    with django_assert_num_queries(3):
        assert len(deleted_tiltak(programme=setup["programme"])) == 1
    planner = users["planner"]
    for n in range(10):
        t = tiltak_services.tiltak_create(actor=planner, tema=setup["tema2"], tittel=f"T{n}")
        t = tiltak_services.tiltak_update(
            actor=planner, tiltak=t, expected_versjon=t.versjon, virkemiddel="V"
        )
        tiltak_services.tiltak_delete(actor=planner, tiltak=t, reason="Nei")
    with django_assert_num_queries(3):
        assert len(deleted_tiltak(programme=setup["programme"])) == 11
