"""The read-only API: exact payloads, visibility of drafts, every filter, bad input, schema,
documentation page and query budgets."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from drf_spectacular.validation import validate_schema

from partnerskap.api import Pagination
from partnerskap.models import OrganisasjonAlias, OrganisasjonType
from tests.budgets import assert_same_queries, count_queries
from tests.factories import (
    AnsvarFactory,
    DelmaalFactory,
    HandlingsprogramFactory,
    OrganisasjonFactory,
    RegionFactory,
    SatsingsomraadeFactory,
    TemaFactory,
    TiltakFactory,
)
from tiltak.models import ProgramStatus, RegionalPlan, Rolle, TiltakStatus, TiltakType
from tiltak.synthetic import build_synthetic_copies

pytestmark = pytest.mark.django_db

HOST = "http://testserver"


def get(client, path, **params):
    # English labels, whatever the default language, so "display" values are predictable.
    return client.get(path, params, headers={"accept-language": "en"})


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def world():
    """Two public programmes (2017-2018 rolled into 2019-2020) and a draft 2021-2022."""
    hallingdal_region = RegionFactory(navn="Hallingdal")
    kongsberg_region = RegionFactory(navn="Kongsberg-regionen")
    bfk = OrganisasjonFactory(
        navn="Buskerud fylkeskommune",
        slug="bfk",
        forkortelse="BFK",
        type=OrganisasjonType.FYLKESKOMMUNE,
    )
    usn = OrganisasjonFactory(
        navn="Universitetet i Sørøst-Norge",
        slug="usn",
        forkortelse="USN",
        type=OrganisasjonType.UTDANNING_FORSKNING,
        region=kongsberg_region,
    )
    hallingdal = OrganisasjonFactory(
        navn="Regionrådet for Hallingdal",
        slug="regionraadet-hallingdal",
        type=OrganisasjonType.REGIONRAAD,
        region=hallingdal_region,
    )
    OrganisasjonAlias.objects.create(organisasjon=hallingdal, navn="Regionrådet i Hallingdal")
    kommunene = OrganisasjonFactory(navn="Kommunene", slug="kommunene", er_gruppe=True)

    previous = HandlingsprogramFactory(
        navn="Smart samhandling i Buskerud", start_aar=2017, slutt_aar=2018, eier=bfk
    )
    programme = HandlingsprogramFactory(
        navn="Smart samhandling i Buskerud",
        undertittel="Felles handlingsprogram",
        start_aar=2019,
        slutt_aar=2020,
        eier=bfk,
        forrige_versjon=previous,
        status=ProgramStatus.PAA_HOERING,
    )
    plan = RegionalPlan.objects.create(navn="Regional plan for kunnskapssamfunnet 2016-2020")
    programme.planer.add(plan)
    draft = HandlingsprogramFactory(
        navn="Utkast", start_aar=2021, slutt_aar=2022, eier=bfk, status=ProgramStatus.UTKAST
    )

    tema3 = TemaFactory(
        program=programme, nummer=3, navn="Vertskapsattraktivitet", etikett="SMARTE REGIONER"
    )
    tema4 = TemaFactory(program=programme, nummer=4, navn="Kompetanse")
    delmaal = DelmaalFactory(
        tema=tema3, nummer="3.1", navn="Øke tilfanget av talenter og bedrifter"
    )
    satsing = SatsingsomraadeFactory(
        delmaal=delmaal,
        navn="Regionene tiltrekker seg nøkkelkompetanse",
        prioritert_handling="Traineeordninger",
    )
    trainee = TiltakFactory(
        tema=tema3,
        delmaal=delmaal,
        satsingsomraade=satsing,
        nummer=11,
        tittel="Traineemodeller i regionene etableres",
        beskrivelse="Et traineeprogram per region.",
        virkemiddel="Prosjektmidler",
        type=TiltakType.PROSJEKT,
        status=TiltakStatus.PLANLAGT,
        start_aar=2019,
        slutt_aar=2020,
        finansiering="Egne budsjett",
        forventet_resultat="Flere talenter blir i regionen",
        hovedansvar_tekst="USN",
        samarbeidsparter_tekst="Regionrådet i Hallingdal; kommunene",
        rekkefoelge=1,
    )
    AnsvarFactory(tiltak=trainee, organisasjon=usn, rolle=Rolle.HOVEDANSVAR)
    AnsvarFactory(
        tiltak=trainee,
        organisasjon=hallingdal,
        rolle=Rolle.SAMARBEIDSPART,
        tekst_som_skrevet="Regionrådet i Hallingdal",
    )
    AnsvarFactory(
        tiltak=trainee,
        organisasjon=kommunene,
        rolle=Rolle.SAMARBEIDSPART,
        rekkefoelge=1,
        tekst_som_skrevet="kommunene",
    )
    portal = TiltakFactory(
        tema=tema3,
        delmaal=delmaal,
        nummer=12,
        tittel="Felles rekrutteringsportal",
        type=TiltakType.INFORMASJON,
        rekkefoelge=2,
    )
    AnsvarFactory(tiltak=portal, organisasjon=hallingdal, rolle=Rolle.HOVEDANSVAR)
    karriere = TiltakFactory(
        tema=tema4,
        nummer=1,
        tittel="Karrieresenter for voksne",
        status=TiltakStatus.PAAGAAR,
        rekkefoelge=1,
    )
    AnsvarFactory(tiltak=karriere, organisasjon=bfk, rolle=Rolle.HOVEDANSVAR)
    AnsvarFactory(tiltak=karriere, organisasjon=usn, rolle=Rolle.SAMARBEIDSPART)

    old = TiltakFactory(
        tema=TemaFactory(program=previous, nummer=1), nummer=1, tittel="Gammelt tiltak"
    )
    AnsvarFactory(tiltak=old, organisasjon=hallingdal, rolle=Rolle.SAMARBEIDSPART)

    draft_tema = TemaFactory(program=draft, nummer=1, navn="Utkasttema")
    secret = TiltakFactory(tema=draft_tema, nummer=1, tittel="Hemmelig utkasttiltak")
    AnsvarFactory(tiltak=secret, organisasjon=usn, rolle=Rolle.HOVEDANSVAR)

    return {
        "regions": {"hallingdal": hallingdal_region, "kongsberg": kongsberg_region},
        "orgs": {"bfk": bfk, "usn": usn, "hallingdal": hallingdal, "kommunene": kommunene},
        "previous": previous,
        "programme": programme,
        "draft": draft,
        "plan": plan,
        "tema3": tema3,
        "tema4": tema4,
        "draft_tema": draft_tema,
        "delmaal": delmaal,
        "satsing": satsing,
        "trainee": trainee,
        "portal": portal,
        "karriere": karriere,
        "old": old,
        "secret": secret,
    }


# Own Client instances, so a test can compare them with the anonymous `client`.
@pytest.fixture
def staff_client(django_user_model):
    c = Client()
    c.force_login(
        django_user_model.objects.create_user(email="redaktoer@bfk.no", rolle="administrator")
    )
    return c


@pytest.fixture
def user_client(django_user_model):
    c = Client()
    c.force_login(django_user_model.objects.create_user(email="partner@hol.kommune.no"))
    return c


# --- Programmes ---------------------------------------------------------------------------


def test_programme_list_exact_payload(client, world):
    p, previous = world["programme"], world["previous"]
    response = get(client, "/api/programmer/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [p.id, previous.id]
    assert body["results"][0] == {
        "id": p.id,
        "navn": "Smart samhandling i Buskerud",
        "undertittel": "Felles handlingsprogram",
        "periode": {"start_aar": 2019, "slutt_aar": 2020},
        "status": {"code": "paa_hoering", "display": "På høring"},
        "eier": {
            "id": world["orgs"]["bfk"].id,
            "navn": "Buskerud fylkeskommune",
            "forkortelse": "BFK",
        },
        "planer": ["Regional plan for kunnskapssamfunnet 2016-2020"],
        "forrige_versjon": previous.id,
        "antall_tiltak": 3,
        "url": f"{HOST}/program/{p.id}/",
    }
    assert body["results"][1]["forrige_versjon"] is None
    assert body["results"][1]["antall_tiltak"] == 1


def test_programme_detail_has_the_whole_tree(client, world):
    p = world["programme"]
    response = get(client, f"/api/programmer/{p.id}/")
    assert response.status_code == 200
    body = response.json()
    assert body["antall_tiltak"] == 3
    assert body["url"] == f"{HOST}/program/{p.id}/"
    no_satsing = {"id": None, "navn": None, "prioritert_handling": None}
    assert body["temaer"] == [
        {
            "id": world["tema3"].id,
            "nummer": 3,
            "navn": "Vertskapsattraktivitet",
            "etikett": "SMARTE REGIONER",
            "overordnet_maal": "",
            "delmaal": [
                {
                    "id": world["delmaal"].id,
                    "nummer": "3.1",
                    "navn": "Øke tilfanget av talenter og bedrifter",
                    "satsingsomraader": [
                        # Tiltak without a satsingsområde come first, as in the source tables.
                        {
                            **no_satsing,
                            "tiltak": [
                                {
                                    "id": world["portal"].id,
                                    "nummer": 12,
                                    "nummer_visning": "3.12",
                                    "tittel": "Felles rekrutteringsportal",
                                }
                            ],
                        },
                        {
                            "id": world["satsing"].id,
                            "navn": "Regionene tiltrekker seg nøkkelkompetanse",
                            "prioritert_handling": "Traineeordninger",
                            "tiltak": [
                                {
                                    "id": world["trainee"].id,
                                    "nummer": 11,
                                    "nummer_visning": "3.11",
                                    "tittel": "Traineemodeller i regionene etableres",
                                }
                            ],
                        },
                    ],
                }
            ],
        },
        {
            "id": world["tema4"].id,
            "nummer": 4,
            "navn": "Kompetanse",
            "etikett": "",
            "overordnet_maal": "",
            "delmaal": [
                {
                    "id": None,
                    "nummer": None,
                    "navn": None,
                    "satsingsomraader": [
                        {
                            **no_satsing,
                            "tiltak": [
                                {
                                    "id": world["karriere"].id,
                                    "nummer": 1,
                                    "nummer_visning": "4.1",
                                    "tittel": "Karrieresenter for voksne",
                                }
                            ],
                        }
                    ],
                }
            ],
        },
    ]


def test_programme_detail_query_count_does_not_grow_with_the_tree(client, world):
    p = world["programme"]
    url = reverse("api:programme-detail", args=[p.id])
    small = count_queries(client, url, headers=EN)
    small_size = get(client, url).json()["antall_tiltak"]
    for n in range(5, 10):
        tema = TemaFactory(program=p, nummer=n)
        for _ in range(2):
            delmaal = DelmaalFactory(tema=tema)
            satsing = SatsingsomraadeFactory(delmaal=delmaal)
            for _ in range(3):
                t = TiltakFactory(tema=tema, delmaal=delmaal, satsingsomraade=satsing)
                AnsvarFactory(tiltak=t, organisasjon=world["orgs"]["usn"])
    large = count_queries(client, url, headers=EN)
    large_size = get(client, url).json()["antall_tiltak"]
    assert (small_size, large_size) == (3, 3 + 5 * 2 * 3)
    # programme, planer, five for the tree
    assert_same_queries(small, large, ceiling=7, sizes=(small_size, large_size))


def test_anonymous_and_plain_users_cannot_see_a_draft_programme(client, user_client, world):
    for c in (client, user_client):
        assert ids(get(c, "/api/programmer/")) == [world["programme"].id, world["previous"].id]
        assert get(c, f"/api/programmer/{world['draft'].id}/").status_code == 404


def test_staff_see_draft_programmes(staff_client, world):
    assert ids(get(staff_client, "/api/programmer/")) == [
        world["draft"].id,
        world["programme"].id,
        world["previous"].id,
    ]
    response = get(staff_client, f"/api/programmer/{world['draft'].id}/")
    assert response.status_code == 200
    assert response.json()["status"] == {"code": "utkast", "display": "Utkast"}
    assert response.json()["temaer"][0]["navn"] == "Utkasttema"


# --- Tiltak -------------------------------------------------------------------------------


def test_tiltak_detail_exact_payload(client, world):
    t = world["trainee"]
    usn, hallingdal, kommunene = (world["orgs"][k] for k in ("usn", "hallingdal", "kommunene"))
    response = get(client, f"/api/tiltak/{t.id}/")
    assert response.status_code == 200
    assert response.json() == {
        "id": t.id,
        "program": world["programme"].id,
        "tema": {"id": world["tema3"].id, "nummer": 3, "navn": "Vertskapsattraktivitet"},
        "delmaal": {
            "id": world["delmaal"].id,
            "nummer": "3.1",
            "navn": "Øke tilfanget av talenter og bedrifter",
        },
        "satsingsomraade": {
            "id": world["satsing"].id,
            "navn": "Regionene tiltrekker seg nøkkelkompetanse",
        },
        "nummer": 11,
        "nummer_visning": "3.11",
        "tittel": "Traineemodeller i regionene etableres",
        "beskrivelse": "Et traineeprogram per region.",
        "virkemiddel": "Prosjektmidler",
        "type": {"code": "prosjekt", "display": "Prosjekt"},
        "status": {"code": "planlagt", "display": "Planlagt"},
        "start_aar": 2019,
        "slutt_aar": 2020,
        "finansiering": "Egne budsjett",
        "forventet_resultat": "Flere talenter blir i regionen",
        "hovedansvar": [
            {
                "id": usn.id,
                "slug": "usn",
                "navn": "Universitetet i Sørøst-Norge",
                "forkortelse": "USN",
                "tekst_som_skrevet": "Universitetet i Sørøst-Norge",
            }
        ],
        "samarbeidsparter": [
            {
                "id": hallingdal.id,
                "slug": "regionraadet-hallingdal",
                "navn": "Regionrådet for Hallingdal",
                "forkortelse": "",
                "tekst_som_skrevet": "Regionrådet i Hallingdal",
            },
            {
                "id": kommunene.id,
                "slug": "kommunene",
                "navn": "Kommunene",
                "forkortelse": "",
                "tekst_som_skrevet": "kommunene",
            },
        ],
        "hovedansvar_tekst": "USN",
        "samarbeidsparter_tekst": "Regionrådet i Hallingdal; kommunene",
        "organisasjon_roller": None,  # only with the organisation filter
        "url": f"{HOST}/tiltak/{t.id}/",
    }


def test_tiltak_without_delmaal_satsing_or_type_gives_nulls(client, world):
    body = get(client, f"/api/tiltak/{world['karriere'].id}/").json()
    assert body["delmaal"] is None
    assert body["satsingsomraade"] is None
    assert body["type"] is None
    assert body["status"] == {"code": "paagaar", "display": "Pågår"}
    assert body["nummer_visning"] == "4.1"


def test_tiltak_list_in_programme_order_without_drafts(client, world):
    response = get(client, "/api/tiltak/")
    assert response.json()["count"] == 4
    assert ids(response) == [
        world["old"].id,
        world["trainee"].id,
        world["portal"].id,
        world["karriere"].id,
    ]
    # List rows carry the same fields as the detail.
    row = response.json()["results"][1]
    assert row == get(client, f"/api/tiltak/{world['trainee'].id}/").json()


def test_draft_tiltak_hidden_from_anonymous_and_plain_users(client, user_client, world):
    secret = world["secret"]
    for c in (client, user_client):
        assert secret.id not in ids(get(c, "/api/tiltak/"))
        assert get(c, f"/api/tiltak/{secret.id}/").status_code == 404


def test_staff_see_draft_tiltak(staff_client, world):
    secret = world["secret"]
    assert ids(get(staff_client, "/api/tiltak/"))[-1] == secret.id
    assert (
        get(staff_client, f"/api/tiltak/{secret.id}/").json()["tittel"] == "Hemmelig utkasttiltak"
    )
    assert ids(get(staff_client, "/api/tiltak/", program=world["draft"].id)) == [secret.id]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"program": "programme"}, ["trainee", "portal", "karriere"]),
        ({"program": "previous"}, ["old"]),
        ({"tema": "tema4"}, ["karriere"]),
        ({"delmaal": "delmaal"}, ["trainee", "portal"]),
        ({"organisasjon": "usn"}, ["trainee", "karriere"]),
        ({"organisasjon": "usn", "rolle": "hovedansvar"}, ["trainee"]),
        ({"organisasjon": "usn", "rolle": "samarbeidspart"}, ["karriere"]),
        ({"organisasjon": "regionraadet-hallingdal"}, ["old", "trainee", "portal"]),
        ({"organisasjon": "regionraadet-hallingdal", "rolle": "hovedansvar"}, ["portal"]),
        (
            {"organisasjon": "regionraadet-hallingdal", "rolle": "samarbeidspart"},
            ["old", "trainee"],
        ),
        ({"type": "prosjekt"}, ["trainee"]),
        ({"type": "informasjon"}, ["portal"]),
        ({"status": "paagaar"}, ["karriere"]),
        ({"status": "foreslaatt"}, ["old", "portal"]),
        ({"region": "kongsberg"}, ["trainee", "karriere"]),
        ({"region": "hallingdal"}, ["old", "trainee", "portal"]),
        # Free text: title, then organisation name and abbreviation, then both words at once.
        ({"q": "traineemodeller"}, ["trainee"]),
        ({"q": "sørøst"}, ["trainee", "karriere"]),
        ({"q": "bfk"}, ["karriere"]),
        ({"q": "regionene sørøst"}, ["trainee"]),
        ({"q": "hemmelig"}, []),
        ({"program": "programme", "type": "prosjekt", "organisasjon": "usn"}, ["trainee"]),
    ],
)
def test_tiltak_filters_narrow(client, world, params, expected):
    resolved = {}
    for key, value in params.items():
        if key in ("program", "tema", "delmaal"):
            value = world[value].id
        elif key == "region":
            value = world["regions"][value].id
        resolved[key] = value
    assert ids(get(client, "/api/tiltak/", **resolved)) == [world[name].id for name in expected]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"program": "abc"}, "program"),
        ({"program": "999999"}, "program"),
        ({"tema": "abc"}, "tema"),
        ({"delmaal": "-1"}, "delmaal"),
        ({"organisasjon": "does-not-exist"}, "organisasjon"),
        ({"rolle": "eier"}, "rolle"),
        ({"type": "bogus"}, "type"),
        ({"status": "bogus"}, "status"),
        ({"region": "abc"}, "region"),
    ],
)
def test_invalid_tiltak_filter_gives_400_naming_the_field(client, world, params, field):
    response = get(client, "/api/tiltak/", **params)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert response.json()[field][0]


def test_filtering_on_a_draft_is_an_invalid_choice_for_anonymous(client, world):
    for key, obj in (("program", world["draft"]), ("tema", world["draft_tema"])):
        response = get(client, "/api/tiltak/", **{key: obj.id})
        assert response.status_code == 400
        assert key in response.json()


def test_page_size_is_capped_and_a_page_past_the_end_is_404(client, world, monkeypatch):
    monkeypatch.setattr(Pagination, "max_page_size", 2)
    response = get(client, "/api/tiltak/", page_size=100000)
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2
    assert response.json()["count"] == 4
    assert get(client, "/api/tiltak/", page=999999).status_code == 404
    assert Pagination.page_size_query_param == "page_size"


def test_page_size_cap_is_500():
    assert Pagination.max_page_size == 500


# --- Organisations ------------------------------------------------------------------------


def test_organisation_list_and_detail_exact_payload(client, world):
    orgs = world["orgs"]
    response = get(client, "/api/organisasjoner/")
    assert ids(response) == [orgs[k].id for k in ("bfk", "kommunene", "hallingdal", "usn")]
    hallingdal = orgs["hallingdal"]
    expected = {
        "id": hallingdal.id,
        "slug": "regionraadet-hallingdal",
        "navn": "Regionrådet for Hallingdal",
        "forkortelse": "",
        "type": {"code": "regionraad", "display": "Regionråd"},
        "er_gruppe": False,
        "region": {"id": world["regions"]["hallingdal"].id, "navn": "Hallingdal"},
        "aliaser": ["Regionrådet i Hallingdal"],
        "antall_hovedansvar": 1,
        "antall_samarbeid": 2,
        "url": f"{HOST}/organisasjoner/regionraadet-hallingdal/",
    }
    assert response.json()["results"][2] == expected
    detail = get(client, "/api/organisasjoner/regionraadet-hallingdal/").json()
    # The detail adds what its «Ansvar» page shows (it belongs to no group here).
    ansvar = detail.pop("ansvar")
    assert detail == expected | {
        "grupper": [],
        "medlemmer": [],
        "antall_tiltak": 3,
        "antall_direkte": 3,
        "antall_bare_via_grupper": 0,
        "antall_hovedansvar_via_grupper": 0,
        "antall_samarbeid_via_grupper": 0,
    }
    assert [(a["tiltak"]["tittel"], a["roller"]) for a in ansvar] == [
        (title, [{"rolle": rolle, "via": None, "gjennom": []}])
        for title, rolle in [
            ("Traineemodeller i regionene etableres", "samarbeidspart"),
            ("Felles rekrutteringsportal", "hovedansvar"),
            ("Gammelt tiltak", "samarbeidspart"),
        ]
    ]
    assert get(client, "/api/organisasjoner/does-not-exist/").status_code == 404


def test_organisation_counts_only_visible_programmes(client, staff_client, world):
    # USN leads the draft's only tiltak: counted for staff, not for anyone else.
    body = get(client, "/api/organisasjoner/usn/").json()
    assert (body["antall_hovedansvar"], body["antall_samarbeid"]) == (1, 1)
    body = get(staff_client, "/api/organisasjoner/usn/").json()
    assert (body["antall_hovedansvar"], body["antall_samarbeid"]) == (2, 1)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "regionraad"}, ["hallingdal"]),
        ({"type": "kommune"}, ["kommunene"]),
        ({"region": "kongsberg"}, ["usn"]),
        ({"er_gruppe": "true"}, ["kommunene"]),
        ({"er_gruppe": "false"}, ["bfk", "hallingdal", "usn"]),
        ({"q": "bfk"}, ["bfk"]),
        ({"q": "sørøst"}, ["usn"]),
        ({"q": "i Hallingdal"}, ["hallingdal"]),  # an alternative name
        ({"q": "nothing like it"}, []),
    ],
)
def test_organisation_filters_narrow(client, world, params, expected):
    if "region" in params:
        params = {"region": world["regions"][params["region"]].id}
    assert ids(get(client, "/api/organisasjoner/", **params)) == [
        world["orgs"][k].id for k in expected
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"type": "bogus"}, "type"),
        ({"region": "abc"}, "region"),
        ({"er_gruppe": "maybe"}, "er_gruppe"),
    ],
)
def test_invalid_organisation_filter_gives_400_naming_the_field(client, world, params, field):
    response = get(client, "/api/organisasjoner/", **params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


# --- Schema and documentation -------------------------------------------------------------


def test_schema_is_valid_openapi_with_every_endpoint_and_filter(client, db):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    assert {
        "/api/programmer/",
        "/api/programmer/{id}/",
        "/api/tiltak/",
        "/api/tiltak/{id}/",
        "/api/organisasjoner/",
        "/api/organisasjoner/{slug}/",
    } <= set(schema["paths"])
    params = {p["name"] for p in schema["paths"]["/api/tiltak/"]["get"]["parameters"]}
    assert params >= {
        "q",
        "program",
        "tema",
        "delmaal",
        "organisasjon",
        "rolle",
        "type",
        "status",
        "region",
        "page",
        "page_size",
    }


def test_docs_page_uses_no_inline_or_external_script(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert len(scripts) == 3
    for attrs, body in scripts:
        src = re.search(r'src="([^"]+)"', attrs)
        assert src, f"inline script: {body[:80]}"
        assert body.strip() == ""
        assert not re.match(r"(https?:)?//", src.group(1)), src.group(1)
    assert "<style" not in html
    assert not re.search(r"""(href|src)="(https?:)?//""", html)

    # The init script is a separate same-origin file pointing at the schema.
    script_url = re.findall(r'<script src="([^"]+)"', html)[-1].replace("&amp;", "&")
    script = client.get(script_url)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


def test_docs_assets_are_vendored_and_found_by_staticfiles(client, db):
    # Needs "drf_spectacular_sidecar" in INSTALLED_APPS, or the page loads nothing.
    html = client.get("/api/docs/").content.decode()
    paths = re.findall(r'(?:src|href)="/static/([^"?]+)"', html)
    assert len(paths) == 4  # favicon, css, two scripts
    for path in paths:
        assert finders.find(path), f"static file not found: {path}"


# --- Query budgets ------------------------------------------------------------------------

EN = {"accept-language": "en"}

# Queries per request, anonymous, page_size=500: COUNT + rows + one prefetch per relation.
LIST_CEILING = 3  # programmes: planer; tiltak: ansvar+organisasjon; organisations: aliaser


def test_list_budgets_are_the_same_with_ten_times_the_demo_data(client, demo_data):
    urls = {
        "programmes": reverse("api:programme-list") + "?page_size=500",
        "tiltak": reverse("api:tiltak-list") + "?page_size=500",
        "tiltak of one organisation": reverse("api:tiltak-list")
        + "?page_size=500&organisasjon=regionradet-hallingdal",
        "organisations": reverse("api:organisasjon-list") + "?page_size=500",
    }

    def measure():
        queries = {name: count_queries(client, url, headers=EN) for name, url in urls.items()}
        rows = {name: len(get(client, url).json()["results"]) for name, url in urls.items()}
        return queries, rows

    small, small_rows = measure()
    build_synthetic_copies(copies=9)
    large, large_rows = measure()
    assert all(small_rows.values()), small_rows
    # 178 → 500 tiltak (a full page), 2 → 11 programmes, 3 → 30 tiltak for Hallingdal.
    assert large_rows["tiltak"] == 500 and large_rows["programmes"] == 11
    one = "tiltak of one organisation"
    assert_same_queries(
        small,
        large,
        # the organisation filter looks the organisation up, its groups and its roles
        ceiling={**dict.fromkeys(urls, LIST_CEILING), one: LIST_CEILING + 3},
        sizes={one: (small_rows[one], large_rows[one])},
    )


def test_detail_budgets_are_the_same_for_an_object_ten_times_larger(client, world):
    """A tiltak with 10× the parties, an organisation with 10× the aliases and roles."""
    hallingdal = world["orgs"]["hallingdal"]  # one alias, three roles
    trainee = world["trainee"]  # three parties
    small = {
        "tiltak": count_queries(client, reverse("api:tiltak-detail", args=[trainee.id])),
        "organisation": count_queries(
            client, reverse("api:organisasjon-detail", args=[hallingdal.slug])
        ),
    }
    big_tiltak = TiltakFactory(tema=world["tema4"], nummer=2, tittel="Stort partnerskap")
    for n in range(30):
        AnsvarFactory(
            tiltak=big_tiltak, rolle=Rolle.SAMARBEIDSPART if n else Rolle.HOVEDANSVAR, rekkefoelge=n
        )
    big_org = OrganisasjonFactory(
        navn="Stor partner", slug="stor-partner", region=hallingdal.region
    )
    for n in range(10):
        OrganisasjonAlias.objects.create(organisasjon=big_org, navn=f"Stor partner {n}")
    for n in range(30):
        AnsvarFactory(
            tiltak=TiltakFactory(tema=world["tema3"], nummer=100 + n), organisasjon=big_org
        )
    large = {
        "tiltak": count_queries(client, reverse("api:tiltak-detail", args=[big_tiltak.id])),
        "organisation": count_queries(
            client, reverse("api:organisasjon-detail", args=[big_org.slug])
        ),
    }
    body = get(client, reverse("api:tiltak-detail", args=[big_tiltak.id])).json()
    assert len(body["hovedansvar"]) + len(body["samarbeidsparter"]) == 30
    body = get(client, reverse("api:organisasjon-detail", args=[big_org.slug])).json()
    assert (len(body["aliaser"]), body["antall_hovedansvar"]) == (10, 30)
    assert_same_queries(
        small,
        large,
        # tiltak: the tiltak and its parties; organisation: aliases, groups, members, roles
        ceiling=5,
        sizes={
            "tiltak": (trainee.ansvar.count(), big_tiltak.ansvar.count()),
            "organisation": (hallingdal.aliaser.count(), big_org.aliaser.count()),
        },
    )
