"""Input no field can hold, sent to every kind of endpoint: a NUL character (PostgreSQL can
neither store nor compare it), a number longer than Python reads (over 4,300 digits) and
control characters (they make the Excel export unreadable). Pages, API lists and details,
HTML forms and JSON writes all answer 400 with a message and write nothing; never a 500.

The pages and endpoints are generated from the URLconf and the API router, so a new one is
covered without being listed. Run on SQLite and on PostgreSQL (where a NUL was a 500)."""

import json
from importlib import import_module

import pytest
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from partnerskap.api_router import api_routes
from partnerskap.middleware import MAX_INT_DIGITS
from partnerskap.models import Organisasjon, OrganisasjonAlias, Region
from partnerskap.validators import no_control_characters
from tests.factories import (
    AnsvarFactory,
    DelmaalFactory,
    HandlingsprogramFactory,
    SatsingsomraadeFactory,
    TemaFactory,
    TiltakFactory,
)
from tests.tiltak.test_limits import LIMITS
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

pytestmark = pytest.mark.django_db

HUGE = "9" * 5000
CONTROL_MESSAGE = (
    "The text contains an invisible control character (U+0001) that cannot be saved. Remove "
    "it, for example by typing the text again."
)


def nul_message(name: str) -> str:
    return (
        f"“{name}” contains a null character (NUL), which cannot be searched for or saved. "
        "Remove it and try again."
    )


def number_message(name: str) -> str:
    return f"“{name}” is a number with 5000 digits; at most {MAX_INT_DIGITS} can be read."


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
    history_id = Tiltak.history.filter(id=tiltak.pk).values_list("history_id", flat=True)[0]
    return {
        "program": programme,
        "tema": tema,
        "delmaal": delmaal,
        "satsingsomraade": satsing,
        "tiltak": tiltak,
        "ansvar": ansvar,
        "history_id": history_id,
        "organisasjon": users["kommune"],
    }


@pytest.fixture
def admin(client_for):
    client = client_for("administrator")
    client.cookies["portal_language"] = "en"
    return client


def snapshot() -> dict:
    """Every row a write could add or change, with the history, to prove nothing was written."""
    counts = {
        model.__name__: model._default_manager.count()
        for model in (Handlingsprogram, Tema, Delmaal, Satsingsomraade, Ansvar, Organisasjon)
    }
    for model in (Handlingsprogram, Tema, Delmaal, Satsingsomraade, Tiltak, Ansvar):
        counts[f"{model.__name__} history"] = model.history.count()
    counts["tiltak"] = sorted(Tiltak.alle.values_list("id", "tittel", "versjon", "slettet"))
    return counts


def page_urls(objects) -> list[str]:
    """Every page of the site that takes a GET: the programme app's (with objects for their
    ids), the account pages and the API's lists, details and schema."""
    from partnerskap.urls_accounts import urlpatterns as account_patterns
    from tiltak.urls import urlpatterns

    urls = []
    for pattern in urlpatterns:
        kwargs = {}
        first = str(pattern.pattern).split("/")[0]
        for param in pattern.pattern.converters:
            kwargs[param] = {
                "pk": objects.get(first, objects["program"]).pk,
                "tiltak_pk": objects["tiltak"].pk,
                "history_id": objects["history_id"],
                "slug": objects["organisasjon"].slug,
            }[param]
        urls.append(reverse(f"tiltak:{pattern.name}", kwargs=kwargs))
    # The apps that plug in (hearings, workshops, reporting, the dashboard): the middleware
    # refuses the request before any view, so an id that does not exist does as well.
    dummy = {
        "pk": objects["program"].pk,
        "program_pk": objects["program"].pk,
        "tiltak_pk": objects["tiltak"].pk,
        "ipk": 1,
        "token": "ukjent",
        "aar": 2019,
        "kind": "standpunkt",
    }
    for module in (
        "hoering.urls",
        "rapportering.urls",
        "rapportering.urls_aarsrapport",
        "rapportering.urls_dashboard",
    ):
        urlconf = import_module(module)
        for pattern in urlconf.urlpatterns:
            kwargs = {param: dummy[param] for param in pattern.pattern.converters}
            urls.append(reverse(f"{urlconf.app_name}:{pattern.name}", kwargs=kwargs))
    for pattern in account_patterns:
        if not pattern.pattern.converters:
            urls.append(reverse(pattern.name))
        elif pattern.name == "account_user_update":
            urls.append(reverse(pattern.name, kwargs={"pk": objects["user"].pk}))
    api_objects = {
        "programme": objects["program"].pk,
        "tiltak": objects["tiltak"].pk,
        "organisasjon": objects["organisasjon"].slug,
        "tema": objects["tema"].pk,
        "delmaal": objects["delmaal"].pk,
        "satsingsomraade": objects["satsingsomraade"].pk,
        "ansvar": objects["ansvar"].pk,
    }
    for pattern in api_routes():
        # the route's basename: "programme-list", "programme-slettede-tiltak" → "programme"
        basename = next((b for b in api_objects if pattern.name.startswith(f"{b}-")), None)
        # The other apps' routes: any id (refused before the view).
        value = api_objects[basename] if basename else 1
        kwargs = dict.fromkeys(pattern.pattern.regex.groupindex, value)
        if "aar" in kwargs:
            kwargs["aar"] = 2019
        urls.append(reverse(f"api:{pattern.name}", kwargs=kwargs))
    urls.append(reverse("api:schema"))
    return urls


def test_the_generated_list_covers_every_kind_of_page(users, tree):
    urls = page_urls({**tree, "user": users["member"]})
    assert len(urls) >= 60
    for expected in ["/organisasjoner/", "/tiltak/", "/konto/brukere/", "/api/tiltak/"]:
        assert expected in urls
    assert f"/api/temaer/{tree['tema'].pk}/" in urls
    assert f"/program/{tree['program'].pk}/eksport.xlsx" in urls


@pytest.mark.parametrize(
    ("query", "name", "message"),
    [
        ("q=%00", "q", nul_message("q")),
        ("side=%00", "side", nul_message("side")),
        ("page=1&q=ok%00ok", "q", nul_message("q")),
        (f"program={HUGE}", "program", number_message("program")),
        (f"side={HUGE}", "side", number_message("side")),
    ],
    ids=["q-nul", "side-nul", "nul-inside", "program-5000-digits", "side-5000-digits"],
)
def test_every_page_refuses_a_nul_or_a_huge_number_in_the_address(
    users, tree, admin, query, name, message
):
    before = snapshot()
    for url in page_urls({**tree, "user": users["member"]}):
        response = admin.get(f"{url}?{query}")
        assert response.status_code == 400, (url, response.status_code)
        if url.startswith("/api/"):
            assert response.json() == {name: [message]}, url
        else:
            assert message in response.content.decode(), url
    assert snapshot() == before


def test_anonymous_visitors_get_the_same_answer(tree):
    client = Client()
    client.cookies["portal_language"] = "en"
    for url in ["/", "/organisasjoner/", "/tiltak/", "/api/tiltak/", "/api/organisasjoner/"]:
        response = client.get(url, {"q": "\x00"})
        assert response.status_code == 400, url
    page = client.get("/organisasjoner/", {"q": "\x00"}).content.decode()
    assert "The request could not be read" in page
    assert "Nothing was searched for or saved." in page


def post_urls(objects) -> list[str]:
    """Every page of the programme app and the account pages that take a POST."""
    return [
        url
        for url in page_urls(objects)
        if not url.startswith("/api/") and not url.endswith((".xlsx", "/konto/logg-ut/"))
    ]


NUL_FORM = {
    "navn": "Ny\x00navn",
    "tittel": "Tittel\x00",
    "grunn": "\x00",
    "reason": "Fordi\x00",
    "to_status": "paa_hoering",
    "versjon": "1",
    "status": "foreslaatt",
    "rolle": "samarbeidspart",
    "ny_organisasjon": "Org\x00",
    "email": "ny@example.no",
}


def test_every_form_refuses_a_nul_and_writes_nothing(users, tree, admin):
    before = snapshot()
    for url in post_urls({**tree, "user": users["member"]}):
        response = admin.post(url, NUL_FORM)
        assert response.status_code == 400, (url, response.status_code)
        assert "contains a null character (NUL)" in response.content.decode(), url
    assert snapshot() == before


def test_a_nul_in_a_number_field_or_a_huge_number_in_a_form_is_refused(tree, admin):
    url = reverse("tiltak:tiltak_edit", kwargs={"pk": tree["tiltak"].pk})
    for data, message in [
        ({"versjon": HUGE, "tittel": "Ny"}, number_message("versjon")),
        ({"versjon": "1", "tittel": "Ny", "start_aar": "20\x0019"}, nul_message("start_aar")),
    ]:
        response = admin.post(url, data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert Tiltak.objects.get(pk=tree["tiltak"].pk).versjon == 1


def api_writes(t) -> list[tuple[str, str, dict, str]]:
    """(method, url, body, text field) for every write of the API."""
    tiltak, ansvar = t["tiltak"], t["ansvar"]
    return [
        ("post", "/api/temaer/", {"program": t["program"].pk, "navn": "{}"}, "navn"),
        ("patch", f"/api/temaer/{t['tema'].pk}/", {"overordnet_maal": "{}"}, "overordnet_maal"),
        ("post", "/api/delmaal/", {"tema": t["tema"].pk, "navn": "{}"}, "navn"),
        ("patch", f"/api/delmaal/{t['delmaal'].pk}/", {"smarte_maal": "{}"}, "smarte_maal"),
        (
            "post",
            "/api/satsingsomraader/",
            {"tema": t["tema"].pk, "navn": "Ok", "prioritert_handling": "{}"},
            "prioritert_handling",
        ),
        ("patch", f"/api/satsingsomraader/{t['satsingsomraade'].pk}/", {"navn": "{}"}, "navn"),
        ("post", "/api/tiltak/", {"tema": t["tema"].pk, "tittel": "{}"}, "tittel"),
        (
            "patch",
            f"/api/tiltak/{tiltak.pk}/",
            {"versjon": 1, "beskrivelse": "{}"},
            "beskrivelse",
        ),
        ("patch", f"/api/tiltak/{tiltak.pk}/", {"versjon": 1, "reason": "{}"}, "reason"),
        ("delete", f"/api/tiltak/{tiltak.pk}/", {"slettet_grunn": "{}"}, "slettet_grunn"),
        (
            "post",
            "/api/ansvar/",
            {
                "tiltak": tiltak.pk,
                "organisasjon": t["other_org"].pk,
                "rolle": "samarbeidspart",
                "tekst_som_skrevet": "{}",
            },
            "tekst_som_skrevet",
        ),
        ("patch", f"/api/ansvar/{ansvar.pk}/", {"tekst_som_skrevet": "{}"}, "tekst_som_skrevet"),
        (
            "post",
            f"/api/programmer/{t['program'].pk}/status/",
            {"status": "paa_hoering", "reason": "{}"},
            "reason",
        ),
    ]


def _json(client, method: str, url: str, body: dict, text: str):
    data = {k: v.format(text) if v == "{}" else v for k, v in body.items()}
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


@pytest.mark.parametrize(
    ("text", "message"),
    [("Ny\x00verdi", nul_message), ("Ny\x01verdi", lambda _name: CONTROL_MESSAGE)],
    ids=["nul", "control-character"],
)
def test_every_api_write_refuses_a_nul_or_a_control_character(users, tree, admin, text, message):
    objects = {**tree, "other_org": users["other"]}
    before = snapshot()
    writes = api_writes(objects)
    for method, url, body, field in writes:
        response = _json(admin, method, url, body, text)
        assert response.status_code == 400, (method, url, response.status_code)
        assert response.json() == {field: [message(field)]}, (method, url)
    assert snapshot() == before
    assert len(writes) == 13


def test_a_huge_number_in_json_is_refused_naming_the_field(tree, admin):
    body = f'{{"program": {tree["program"].pk}, "navn": "Nytt", "nummer": {HUGE}}}'
    response = admin.post("/api/temaer/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"nummer": [number_message("nummer")]}
    assert Tema.objects.count() == 1


def test_tabs_and_line_breaks_are_kept(tree, admin):
    text = "Første linje\r\nAndre linje\n\tInnrykket"
    response = _json(
        admin,
        "patch",
        f"/api/tiltak/{tree['tiltak'].pk}/",
        {"versjon": 1, "beskrivelse": "{}"},
        text,
    )
    assert response.status_code == 200, response.content
    assert Tiltak.objects.get(pk=tree["tiltak"].pk).beskrivelse == text


# The inline edit in the tree answers HTMX with 200 and the row's form with its errors (htmx
# swaps only 2xx answers); without HTMX it sends a failed save to the full edit page.
INLINE = "hurtigredigering"


def html_forms(t) -> list[tuple[str, dict, str]]:
    """(url, form data, label of the poisoned field) for every HTML form with a typed text."""
    tiltak = t["tiltak"]
    edit = {"versjon": 1, "tittel": "Ok", "status": "foreslaatt"}
    return [
        (reverse("tiltak:tema_create", args=[t["program"].pk]), {"navn": "{}"}, "Name"),
        (reverse("tiltak:tema_update", args=[t["tema"].pk]), {"navn": "{}"}, "Name"),
        (reverse("tiltak:delmaal_create", args=[t["tema"].pk]), {"navn": "{}"}, "Sub-goal"),
        (
            reverse("tiltak:delmaal_update", args=[t["delmaal"].pk]),
            {"navn": "Ok", "nummer": "{}"},
            "Number",
        ),
        (
            reverse("tiltak:satsingsomraade_create", args=[t["tema"].pk]),
            {"navn": "{}"},
            "Priority area",
        ),
        (
            reverse("tiltak:satsingsomraade_update", args=[t["satsingsomraade"].pk]),
            {"navn": "Ok", "prioritert_handling": "{}"},
            "Prioritised action",
        ),
        (
            reverse("tiltak:tiltak_create", args=[t["program"].pk]),
            {"plassering": f"tema:{t['tema'].pk}", "tittel": "{}", "status": "foreslaatt"},
            "Title",
        ),
        (
            reverse("tiltak:tiltak_edit", args=[tiltak.pk]),
            {**edit, "merknader": "{}"},
            "Notes",
        ),
        (
            reverse("tiltak:tiltak_edit", args=[tiltak.pk]),
            {**edit, "endringsgrunn": "{}"},
            "Reason for the change",
        ),
        (
            reverse("tiltak:tiltak_quick_edit", args=[tiltak.pk]),
            {**edit, "tittel": "{}"},
            "Title",
        ),
        (
            reverse("tiltak:tiltak_delete", args=[tiltak.pk]),
            {"versjon": 1, "grunn": "{}"},
            "Reason for deletion",
        ),
        (
            reverse("tiltak:ansvar_add", args=[tiltak.pk]),
            {"ny_organisasjon": "{}", "rolle": "samarbeidspart"},
            "Or a new organisation",
        ),
        (
            reverse("tiltak:ansvar_add", args=[tiltak.pk]),
            {
                "organisasjon": t["other_org"].pk,
                "rolle": "samarbeidspart",
                "tekst_som_skrevet": "{}",
            },
            "As written (optional)",
        ),
        (
            reverse("tiltak:programme_roll", args=[t["program"].pk]),
            {"navn": "{}", "start_aar": 2021, "slutt_aar": 2022},
            "Name",
        ),
    ]


def test_every_form_refuses_a_control_character_naming_the_field(users, tree, admin):
    before = snapshot()
    for url, data, label in html_forms({**tree, "other_org": users["other"]}):
        posted = {k: "Før\x01etter" if v == "{}" else v for k, v in data.items()}
        htmx = {"hx-request": "true"} if INLINE in url else {}
        response = admin.post(url, posted, headers=htmx)
        assert response.status_code == (200 if htmx else 400), (url, label, response.status_code)
        assert f"{label}: {CONTROL_MESSAGE}" in response.content.decode(), (url, label)
    assert snapshot() == before


def test_the_organisation_picker_refuses_a_control_character(tree, admin):
    response = admin.post(reverse("tiltak:organisasjon_create_json"), {"navn": "Ny\x07org"})
    assert response.status_code == 400
    assert response.json() == {"error": CONTROL_MESSAGE.replace("U+0001", "U+0007")}
    assert not Organisasjon.objects.filter(navn__startswith="Ny").exists()


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\ud800", "\uffff"])
def test_the_models_refuse_control_characters_in_every_typed_text(character):
    for model, name in LIMITS:
        field = model._meta.get_field(name)
        assert no_control_characters in field.validators, (model, name)
        with pytest.raises(Exception, match="invisible control character"):
            field.run_validators(f"a{character}b")
    for instance, name in [
        (Organisasjon(navn=f"Org{character}", slug="org", type="annet"), "navn"),
        (
            Organisasjon(navn="Org", forkortelse=f"O{character}", slug="org", type="annet"),
            "forkortelse",
        ),
        (OrganisasjonAlias(navn=f"Alias{character}"), "navn"),
        (Region(navn=f"Region{character}"), "navn"),
    ]:
        with pytest.raises(Exception) as exc:
            instance.clean()
        assert name in exc.value.message_dict


def test_a_cookie_with_a_nul_is_ignored_not_a_500(tree):
    client = Client(HTTP_COOKIE="sessionid=abcdefghij\x00klmnop; portal_language=en")
    response = client.get("/")
    assert response.status_code == 200
    assert "Log in" in response.content.decode()


def test_a_header_with_a_nul_is_refused(tree):
    client = Client(HTTP_COOKIE="portal_language=en")
    response = client.get("/api/tiltak/", headers={"authorization": "Token abc\x00def"})
    assert response.status_code == 400
    assert response.json() == {"Authorization": [nul_message("Authorization")]}


def test_a_write_refused_by_the_database_is_409_with_a_message(tree, admin, monkeypatch):
    """The safety net for a race the services do not serialise: never a 500."""
    from tiltak.services import structure

    def collide(**kwargs):
        raise IntegrityError('duplicate key value violates unique constraint "tema_unique"')

    monkeypatch.setattr(structure, "tema_update", collide)
    expected = (
        "Someone else saved a change to the same thing at the same moment, so yours was not "
        "saved. Load the page again and try again."
    )
    url = reverse("tiltak:tema_update", args=[tree["tema"].pk])
    response = admin.post(url, {"navn": "Nytt navn"})
    assert response.status_code == 409
    assert expected in response.content.decode()
    response = _json(admin, "patch", f"/api/temaer/{tree['tema'].pk}/", {"navn": "{}"}, "Nytt")
    assert response.status_code == 409
    assert response.json() == {"detail": expected}


def test_a_lone_surrogate_in_json_is_one_message(tree, admin):
    body = f'{{"program": {tree["program"].pk}, "navn": "a\\ud800b"}}'
    response = admin.post("/api/temaer/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"navn": [CONTROL_MESSAGE.replace("U+0001", "U+D800")]}


def test_other_bad_requests_get_the_portals_page_not_a_bare_one(tree):
    """Django's own 400 (here: too many parameters) uses the same page, without a message."""
    client = Client(HTTP_COOKIE="portal_language=en")
    query = "&".join(f"f{i}=1" for i in range(1100))
    page = client.get(f"/tiltak/?{query}")
    assert page.status_code == 400
    assert "The request could not be read" in page.content.decode()
    api = client.get(f"/api/tiltak/?{query}")
    assert (api.status_code, api.json()) == (400, {"detail": "Bad request."})


def test_the_organisation_picker_gets_its_own_json_error(tree, admin):
    for method, url, data in [
        ("get", reverse("tiltak:organisasjon_search"), {"q": "Hal\x00"}),
        ("post", reverse("tiltak:organisasjon_create_json"), {"navn": "Ny\x00org"}),
    ]:
        response = getattr(admin, method)(url, data, headers={"accept": "application/json"})
        assert response.status_code == 400, url
        key = "q" if method == "get" else "navn"
        assert response.json() == {"error": nul_message(key)}, url


def test_a_nul_in_a_repeated_parameter_is_found(tree, admin):
    url = reverse("tiltak:programme_compare")
    pk = tree["program"].pk
    response = admin.get(f"{url}?fra={pk}&til={pk}&til=%00")
    assert response.status_code == 400
    assert nul_message("til") in response.content.decode()
