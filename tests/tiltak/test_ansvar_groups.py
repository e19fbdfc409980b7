"""What reaches an organisation through the groups it belongs to: its «Ansvar» page, the tiltak
search by organisation and the API mark each such role «via <group>», and their query counts do
not grow with the data (the same page for a small and a ten times larger organisation)."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerskap.models import Gruppemedlemskap, Organisasjon
from tests.tiltak.group_helpers import build_world
from tiltak.models import Rolle, Tiltak

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world(size=2)


@pytest.fixture
def client(client):
    """English texts (the language switch's cookie), whatever the catalogues hold: the new
    texts are asserted as written in the code."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _search(**params) -> str:
    from urllib.parse import urlencode

    return reverse("tiltak:tiltak_search") + "?" + urlencode(params)


# --- The «Ansvar» page --------------------------------------------------------------------------


def test_ansvar_page_shows_what_reaches_the_organisation_through_its_groups(client, world):
    response = client.get(world["gol"].get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    ansvar = response.context["ansvar"]
    # 2 of its own, 4 through its groups (2 through each); the draft and «Regionrådene»'s not.
    assert (ansvar.tall.tiltak, ansvar.tall.direkte, ansvar.tall.bare_via_grupper) == (6, 2, 4)
    assert (ansvar.tall.hovedansvar, ansvar.tall.samarbeid) == (2, 0)
    assert (ansvar.tall.hovedansvar_via_grupper, ansvar.tall.samarbeid_via_grupper) == (2, 2)
    assert "6 measures: 2 directly, 4 only through groups." in page
    assert "Through groups: lead responsibility for 2, collaborator in 2." in page
    rows = {rad.tiltak.pk: rad for rad in ansvar.programmer[0].rader}
    own, via_hallingdal, via_kommunene = (
        world[k][0] for k in ("own", "via_hallingdal", "via_kommunene")
    )
    assert rows[own.pk].roller == [Rolle.HOVEDANSVAR] and rows[own.pk].via_grupper == []
    [via] = rows[via_hallingdal.pk].via_grupper
    assert (via.rolle, via.via.gruppe.slug, via.via.gjennom) == (
        Rolle.SAMARBEIDSPART,
        "kommunene-hallingdal",
        (),
    )
    [via] = rows[via_kommunene.pk].via_grupper
    assert (via.rolle, via.via.gruppe.slug) == (Rolle.HOVEDANSVAR, "kommunene")
    assert [g.slug for g in via.via.gjennom] == ["kommunene-hallingdal"]
    # Each row says which group, the nested one with the way there.
    assert "Collaborator via Kommunene i Hallingdal" in page
    assert "Lead responsibility via Kommunene" in page
    assert "(through Kommunene i Hallingdal)" in page
    assert page.count('data-via="kommunene"') == 2
    assert "Regionrådenes tiltak" not in page
    assert "Hemmelig utkast" not in page
    # Its groups are named and linked at the top.
    assert world["kommunene"].get_absolute_url() in page
    assert world["hallingdal"].get_absolute_url() in page


def test_a_group_page_lists_its_members_and_its_own_responsibility(client, world):
    response = client.get(world["hallingdal"].get_absolute_url())
    page = response.content.decode()
    assert [o.slug for o in response.context["ansvar"].grupper.medlemmer] == ["gol-kommune"]
    assert world["gol"].get_absolute_url() in page
    # Its own two and, as a member of «Kommunene», two more.
    assert (response.context["ansvar"].tall.direkte, response.context["ansvar"].tall.tiltak) == (
        2,
        4,
    )


def test_an_organisation_without_groups_keeps_the_page_it_had(client, world):
    part = Organisasjon.objects.get(navn="Part 0")
    response = client.get(part.get_absolute_url())
    page = response.content.decode()
    assert "6 measures: lead responsibility for 0, collaborator in 6." in page
    assert "through groups" not in page


def test_drafts_reach_members_only_for_those_who_may_see_them(client, client_for, users, world):
    draft_programme = world["draft"].program
    draft_programme.eier = users["county"]
    draft_programme.save()
    # Every programme in full (the page opens only the newest by default).
    url = world["gol"].get_absolute_url() + "?program=alle"
    assert "Hemmelig utkast" not in client.get(url).content.decode()
    page = client_for("planner").get(url).content.decode()
    assert "Hemmelig utkast for kommunene" in page


# --- The search ---------------------------------------------------------------------------------


def test_search_by_organisation_includes_its_groups_and_marks_them(client, world):
    response = client.get(_search(organisasjon="gol-kommune"))
    assert response.context["count"] == 6
    marks = {row.tiltak.pk: row.roller for row in response.context["rows"]}
    assert marks[world["own"][0].pk].roller == [Rolle.HOVEDANSVAR]
    assert [g.via.gruppe.slug for g in marks[world["via_kommunene"][0].pk].via_grupper] == [
        "kommunene"
    ]
    page = response.content.decode()
    assert "Role of Gol kommune" in page
    assert "Lead responsibility via Kommunene" in page
    # The role narrows own and group roles alike; `direkte` leaves out the groups.
    assert (
        client.get(_search(organisasjon="gol-kommune", rolle="hovedansvar")).context["count"] == 4
    )
    assert (
        client.get(_search(organisasjon="gol-kommune", rolle="samarbeidspart")).context["count"]
        == 2
    )
    own_only = client.get(_search(organisasjon="gol-kommune", direkte="on"))
    assert own_only.context["count"] == 2
    assert all(not row.roller.via_grupper for row in own_only.context["rows"])


def test_search_without_organisation_has_no_role_column(client, world):
    response = client.get(_search(q="Full beskrivelse"))
    assert response.context["count"] == 6
    assert "Role of" not in response.content.decode()
    assert all(row.roller is None for row in response.context["rows"])


# --- The API ------------------------------------------------------------------------------------


def test_api_tiltak_filter_includes_groups_and_says_which(client, world):
    body = client.get("/api/tiltak/", {"organisasjon": "gol-kommune"}).json()
    assert body["count"] == 6
    roles = {row["id"]: row["organisasjon_roller"] for row in body["results"]}
    assert roles[world["own"][0].pk] == [{"rolle": "hovedansvar", "via": None, "gjennom": []}]
    hallingdal, kommunene = world["hallingdal"], world["kommunene"]
    ref = {"id": hallingdal.pk, "slug": "kommunene-hallingdal", "navn": "Kommunene i Hallingdal"}
    assert roles[world["via_hallingdal"][0].pk] == [
        {"rolle": "samarbeidspart", "via": ref, "gjennom": []}
    ]
    assert roles[world["via_kommunene"][0].pk] == [
        {
            "rolle": "hovedansvar",
            "via": {"id": kommunene.pk, "slug": "kommunene", "navn": "Kommunene"},
            "gjennom": [ref],
        }
    ]
    own = client.get("/api/tiltak/", {"organisasjon": "gol-kommune", "direkte": "true"}).json()
    assert own["count"] == 2
    assert (
        client.get("/api/tiltak/", {"organisasjon": "gol-kommune", "direkte": "0"}).json()["count"]
        == 6
    )
    unfiltered = client.get("/api/tiltak/").json()
    assert all(row["organisasjon_roller"] is None for row in unfiltered["results"])


def test_api_organisation_detail_shows_groups_members_and_what_reaches_it(client, world):
    body = client.get("/api/organisasjoner/gol-kommune/").json()
    assert [(g["slug"], [x["slug"] for x in g["gjennom"]]) for g in body["grupper"]] == [
        ("kommunene-hallingdal", []),
        ("kommunene", ["kommunene-hallingdal"]),
    ]
    assert body["medlemmer"] == []
    assert (
        body["antall_tiltak"],
        body["antall_direkte"],
        body["antall_bare_via_grupper"],
        body["antall_hovedansvar"],
        body["antall_hovedansvar_via_grupper"],
        body["antall_samarbeid_via_grupper"],
    ) == (6, 2, 4, 2, 2, 2)
    by_title = {a["tiltak"]["tittel"]: a["roller"] for a in body["ansvar"]}
    assert by_title[world["via_kommunene"][0].tittel][0]["via"]["slug"] == "kommunene"
    assert "Hemmelig utkast for kommunene" not in by_title
    group = client.get("/api/organisasjoner/kommunene-hallingdal/").json()
    assert [m["slug"] for m in group["medlemmer"]] == ["gol-kommune"]


# --- Query counts: the same page for a small and a ten times larger organisation ----------------


def _count(client, url: str) -> int:
    client.get(url)  # warm per-process caches (content types, translations)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def _budget_urls() -> dict[str, str]:
    gol = reverse("tiltak:organisasjon_detail", args=["gol-kommune"])
    return {
        "Ansvar page": gol,
        "Ansvar .xlsx": gol + "?format=xlsx",
        "Ansvar .csv": gol + "?format=csv",
        "search page": _search(organisasjon="gol-kommune"),
        "search .xlsx": _search(organisasjon="gol-kommune", format="xlsx"),
        "search .csv": _search(organisasjon="gol-kommune", format="csv"),
        "API organisation": "/api/organisasjoner/gol-kommune/",
        "API tiltak filter": "/api/tiltak/?organisasjon=gol-kommune&page_size=500",
    }


ANSVAR_PAGE_BUDGET = 6


def test_query_counts_are_the_same_for_a_small_and_a_ten_times_larger_organisation(client):
    build_world(size=2)
    small = {name: _count(client, url) for name, url in _budget_urls().items()}
    Tiltak.objects.all().delete()
    Gruppemedlemskap.objects.all().delete()
    Organisasjon.objects.exclude(handlingsprogrammer__isnull=False).delete()
    build_world(size=20)
    assert client.get(_budget_urls()["Ansvar page"]).context["ansvar"].tall.tiltak == 60
    large = {name: _count(client, url) for name, url in _budget_urls().items()}
    assert small == large
    assert small["Ansvar page"] <= ANSVAR_PAGE_BUDGET, small
