"""The public pages: what a county planner or a hearing respondent sees, and query budgets that
must not grow from the demo data to 10× synthetic data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import HandlingsprogramFactory, TiltakFactory
from tiltak.models import Handlingsprogram, ProgramStatus, Tiltak
from tiltak.synthetic import build_synthetic_copies

pytestmark = pytest.mark.django_db


@pytest.fixture
def buskerud(demo_data):
    return Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_programme_list_shows_both_demo_programmes(client, demo_data):
    page = html(client.get("/"))
    assert "Smart samhandling i Buskerud" in page
    assert "Vestfold og Telemark" in page
    assert '<html lang="nb"' in page


def test_programme_page_shows_the_whole_tree(client, buskerud):
    page = html(client.get(buskerud.get_absolute_url()))
    for heading in [
        "Vertskapsattraktivitet",
        "SMARTE REGIONER",
        "Øke tilfanget av talenter og bedrifter",
    ]:
        assert heading in page
    # every tiltak is linked from the tree, with number and parties
    for t in Tiltak.objects.filter(program=buskerud):
        assert t.get_absolute_url() in page
    assert ">3.11<" in page
    assert "Regionrådet for Hallingdal" in page


def test_shallow_programme_has_no_empty_levels(client, demo_data):
    vt = Handlingsprogram.objects.get(start_aar=2021)
    page = html(client.get(vt.get_absolute_url()))
    assert "Delmål" not in page and "Sub-goal" not in page
    for t in vt.tiltak.all():
        assert t.get_absolute_url() in page


def test_programme_page_names_each_priority_area_and_sub_goal_once(client, buskerud):
    """Issue 7: the table under a satsingsområde is named by its heading, not by a caption
    repeating the name; a delmål without a number reads «Delmål: …», not «Delmål : …»."""
    import re

    from tiltak.models import Delmaal, Satsingsomraade

    page = html(client.get(buskerud.get_absolute_url()))
    main = page[page.index("<main") :]
    text = " ".join(re.sub(r"<[^>]+>", " ", main).split())
    satsing = Satsingsomraade.objects.get(
        tema__program=buskerud, navn__startswith="Næringsattraktivitet synliggjøres"
    )
    assert main.count(satsing.navn) == 1
    assert f'aria-labelledby="satsing-{satsing.pk}"' in main
    assert "<caption>" not in main  # every tiltak table is named by the heading above it

    unnumbered = Delmaal.objects.filter(tema__program=buskerud, nummer="").first()
    assert unnumbered is not None  # the demo data has sub-goals without a number
    assert "Delmål :" not in text
    assert f"Delmål: {unnumbered.navn}" in text
    numbered = Delmaal.objects.get(tema__program=buskerud, nummer="3.1")
    assert f"Delmål 3.1: {numbered.navn}" in text


def test_draft_programmes_are_not_public(client, db):
    draft = HandlingsprogramFactory(status=ProgramStatus.UTKAST)
    tiltak = TiltakFactory(tema__program=draft)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(tiltak.get_absolute_url()).status_code == 404
    assert draft.navn not in html(client.get("/"))
    assert tiltak.tittel not in html(client.get(reverse("tiltak:tiltak_search")))


def test_search_by_organisation_as_lead(client, buskerud):
    url = reverse("tiltak:tiltak_search") + "?organisasjon=regionradet-hallingdal&rolle=hovedansvar"
    page = html(client.get(url))
    assert "Styrke omdømme i Buskerud" in page  # 3.23
    assert "Videreføre forum for næringssamarbeid i Hallingdal" in page  # 3.36
    response = client.get(url)
    assert response.context["count"] == 2


def test_search_by_organisation_either_role_and_collaborator(client, buskerud):
    base = reverse("tiltak:tiltak_search") + "?organisasjon=regionradet-hallingdal"
    assert client.get(base).context["count"] == 3
    assert client.get(base + "&rolle=samarbeidspart").context["count"] == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tema={tema3}", 45),
        ("q=trainee", None),
        ("region={hallingdal}", None),
        ("program={buskerud}&status=foreslaatt", 164),
    ],
)
def test_search_filters_narrow(client, buskerud, query, expected):
    from partnerskap.models import Region

    values = {
        "tema3": buskerud.temaer.get(nummer=3).pk,
        "hallingdal": Region.objects.get(navn="Hallingdal").pk,
        "buskerud": buskerud.pk,
    }
    response = client.get(reverse("tiltak:tiltak_search") + "?" + query.format(**values))
    count = response.context["count"]
    total = Tiltak.objects.public().count()
    if expected is not None:
        assert count == expected
    else:
        assert 0 < count < total
    # the count shown is the count of rows matching, across pages
    assert str(count) in response.content.decode()


def test_free_text_matches_every_word_across_fields_and_organisations(client, buskerud):
    url = reverse("tiltak:tiltak_search")
    both = client.get(url + "?q=omdømme+Hallingdal").context["count"]
    assert both >= 1
    by_org = client.get(url + "?q=Regionrådet").context["count"]
    assert by_org >= 3  # "Regionrådet for Hallingdal" is named on three tiltak
    assert client.get(url + "?q=finnesikkeiprogrammet").context["count"] == 0


@pytest.mark.parametrize(
    "query",
    ["program=abc", "organisasjon=finnes-ikke", "tema=999999", "status=tull", "side=999", "side=x"],
)
def test_bad_filter_input_is_a_clear_message_not_an_error(client, buskerud, query):
    response = client.get(reverse("tiltak:tiltak_search") + "?" + query)
    assert response.status_code == 200
    if not query.startswith("side"):
        assert response.context["invalid"]
        assert 'role="alert"' in response.content.decode()


def test_tiltak_page_shows_every_field_and_links(client, buskerud):
    tiltak = Tiltak.objects.get(program=buskerud, tema__nummer=3, nummer=23)
    page = html(client.get(tiltak.get_absolute_url()))
    assert tiltak.tittel in page
    assert tiltak.beskrivelse in page
    assert tiltak.virkemiddel in page
    assert reverse("tiltak:organisasjon_detail", args=["regionradet-hallingdal"]) in page
    assert "Regionrådet i Hallingdal" in page  # as written
    assert tiltak.delmaal.navn in page


def test_organisation_page_lists_responsibility_grouped(client, buskerud):
    response = client.get(reverse("tiltak:organisasjon_detail", args=["regionradet-hallingdal"]))
    page = html(response)
    ansvar = response.context["ansvar"]
    assert (ansvar.antall_hovedansvar, ansvar.antall_samarbeid, ansvar.antall_tiltak) == (2, 1, 3)
    [programme] = ansvar.programmer
    assert [t.tema.nummer for t in programme.temaer] == [3, 4]
    for nummer in ("3.23", "3.36", "4.6"):
        assert f">{nummer}<" in page


def test_organisation_list_counts_roles(client, buskerud):
    response = client.get(reverse("tiltak:organisasjon_list"))
    html(response)
    by_slug = {o.slug: o for o in response.context["organisations"]}
    assert by_slug["regionradet-hallingdal"].antall_hovedansvar == 2
    assert by_slug["regionradet-hallingdal"].antall_samarbeid == 1
    assert by_slug["bfk"].antall_hovedansvar > 50
    # organisations without any role are hidden unless asked for
    assert "flaa-kommune" not in by_slug or by_slug["flaa-kommune"].antall_hovedansvar == 0


def _query_count(client, url: str) -> int:
    client.get(url)  # warm caches (ContentType, site) that are not per-request costs
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def _budget_urls(buskerud) -> dict[str, str]:
    tiltak = Tiltak.objects.filter(program=buskerud).order_by("id").first()
    search = reverse("tiltak:tiltak_search")
    return {
        "programme list": "/",
        "programme page": buskerud.get_absolute_url(),
        "search (all)": search,
        "search (filtered)": search + "?organisasjon=bfk&rolle=hovedansvar&q=kompetanse",
        "tiltak page": tiltak.get_absolute_url(),
        "organisation list": reverse("tiltak:organisasjon_list"),
        "organisation page (BFK)": reverse("tiltak:organisasjon_detail", args=["bfk"]),
        "organisation page (Hallingdal)": reverse(
            "tiltak:organisasjon_detail", args=["regionradet-hallingdal"]
        ),
    }


QUERY_BUDGET = 12


def test_query_counts_do_not_grow_with_the_data(client, buskerud):
    urls = _budget_urls(buskerud)
    small = {name: _query_count(client, url) for name, url in urls.items()}
    build_synthetic_copies(copies=9)
    assert Tiltak.objects.count() >= 10 * 164
    large = {name: _query_count(client, url) for name, url in urls.items()}
    assert small == large
    assert max(small.values()) <= QUERY_BUDGET, small
