"""The public pages: what a county planner or a hearing respondent sees, and query budgets that
must not grow with the size of the object shown (a programme with 10× the tiltak, an organisation
with 10× the roles) or, for lists, from the demo data to 10× synthetic data."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from partnerskap.models import Organisasjon, Region
from tests.budgets import assert_same_queries, count_queries
from tests.factories import HandlingsprogramFactory, TiltakFactory
from tiltak.models import Ansvar, Handlingsprogram, ProgramStatus, Rolle, Tiltak
from tiltak.synthetic import build_large_programme, build_synthetic_copies

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
    response = client.get(url)
    page = html(response)
    assert "Styrke omdømme i Buskerud" in page  # 3.23
    assert "Videreføre forum for næringssamarbeid i Hallingdal" in page  # 3.36
    # Its own two leads, and four that «Regionrådene» and «Kommuneregionene» lead (it is a
    # member of both): 3.8 and 7.32, 3.19 and 6.18.
    assert response.context["count"] == 6
    # Only its own roles when asked.
    assert client.get(url + "&direkte=on").context["count"] == 2


def test_search_by_organisation_either_role_and_collaborator(client, buskerud):
    base = reverse("tiltak:tiltak_search") + "?organisasjon=regionradet-hallingdal"
    assert client.get(base + "&direkte=on").context["count"] == 3
    assert client.get(base + "&direkte=on&rolle=samarbeidspart").context["count"] == 1
    assert client.get(base).context["count"] == 10
    # 4.6 its own; 3.2, 3.23, 3.40, 6.13 as a member of a group that collaborates.
    assert client.get(base + "&rolle=samarbeidspart").context["count"] == 5


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
    # The source wrote «Regionrådet i Hallingdal», the party assigned: nothing differs, so the
    # source's text is not repeated beside the party (issue 7.8).
    assert "Regionrådet for Hallingdal" in page
    assert "I høringsutkastet stod" not in page
    assert tiltak.delmaal.navn in page


def test_organisation_page_lists_responsibility_grouped(client, buskerud):
    response = client.get(reverse("tiltak:organisasjon_detail", args=["regionradet-hallingdal"]))
    page = html(response)
    ansvar = response.context["ansvar"]
    # Its own roles: lead in 3.23 and 3.36, collaborator in 4.6; seven more through its groups.
    assert (ansvar.antall_hovedansvar, ansvar.antall_samarbeid, ansvar.antall_tiltak) == (2, 1, 10)
    assert (ansvar.tall.direkte, ansvar.tall.bare_via_grupper) == (3, 7)
    [programme] = ansvar.programmer
    assert [t.tema.nummer for t in programme.temaer] == [3, 4, 6, 7]
    for nummer in ("3.23", "3.36", "4.6", "3.8", "7.32", "3.40"):
        assert f">{nummer}<" in page


def test_organisation_list_counts_roles(client, buskerud):
    response = client.get(reverse("tiltak:organisasjon_list"))
    html(response)
    by_slug = {o.slug: o for o in response.context["organisations"]}
    assert by_slug["regionradet-hallingdal"].antall_hovedansvar == 2
    assert by_slug["regionradet-hallingdal"].antall_samarbeid == 1
    assert by_slug["bfk"].antall_hovedansvar > 50
    # Flå kommune is in the register but named on no tiltak: hidden unless asked for.
    assert "fla-kommune" not in by_slug
    response = client.get(reverse("tiltak:organisasjon_list") + "?alle=1")
    every = {o.slug: o for o in response.context["organisations"]}
    assert (every["fla-kommune"].antall_hovedansvar, every["fla-kommune"].antall_samarbeid) == (
        0,
        0,
    )
    assert "Flå kommune" in html(response)


# --- Query budgets ------------------------------------------------------------------------

HALLINGDAL = "regionradet-hallingdal"

# Session-less anonymous requests: the object, its tree or rows, the parties of each row.
PAGE_CEILING = 12


def _search(**params) -> str:
    return reverse("tiltak:tiltak_search") + "?" + urlencode(params)


def _add_parties(tiltak, count: int) -> None:
    """`count` more collaborating organisations on the tiltak, each with a region."""
    region = Region.objects.get(navn="Hallingdal")
    orgs = Organisasjon.objects.bulk_create(
        Organisasjon(
            navn=f"Partner {tiltak.pk}-{n}", slug=f"partner-{tiltak.pk}-{n}", region=region
        )
        for n in range(count)
    )
    Ansvar.objects.bulk_create(
        Ansvar(tiltak=tiltak, organisasjon=o, rolle=Rolle.SAMARBEIDSPART, rekkefoelge=10 + n)
        for n, o in enumerate(orgs)
    )


def test_object_pages_cost_the_same_for_an_object_ten_times_larger(client, buskerud):
    hallingdal = Organisasjon.objects.get(slug=HALLINGDAL)
    small_tiltak = Tiltak.objects.get(program=buskerud, tema__nummer=3, nummer=23)
    organisation_url = reverse("tiltak:organisasjon_detail", args=[HALLINGDAL])
    small = {
        "programme page": count_queries(
            client, reverse("tiltak:programme_detail", args=[buskerud.pk])
        ),
        "tiltak page": count_queries(
            client, reverse("tiltak:tiltak_detail", args=[small_tiltak.pk])
        ),
        "organisation page": count_queries(client, organisation_url),
    }
    sizes = {
        "programme page": [Tiltak.objects.filter(program=buskerud).count()],
        "tiltak page": [small_tiltak.ansvar.count()],
        "organisation page": [hallingdal.ansvar.count()],
    }

    # A programme of 10× the tiltak, with 10× Hallingdal's roles, and a tiltak in it with 10×
    # the parties.
    large_programme = build_large_programme(factor=10)
    large_tiltak = Tiltak.objects.filter(program=large_programme).order_by("id").first()
    _add_parties(large_tiltak, 10 * small_tiltak.ansvar.count() - large_tiltak.ansvar.count())
    large = {
        "programme page": count_queries(
            client, reverse("tiltak:programme_detail", args=[large_programme.pk])
        ),
        "tiltak page": count_queries(
            client, reverse("tiltak:tiltak_detail", args=[large_tiltak.pk])
        ),
        "organisation page": count_queries(client, organisation_url),
    }
    sizes["programme page"].append(Tiltak.objects.filter(program=large_programme).count())
    sizes["tiltak page"].append(large_tiltak.ansvar.count())
    sizes["organisation page"].append(hallingdal.ansvar.count())
    assert_same_queries(small, large, ceiling=PAGE_CEILING, sizes=sizes)
    # The large pages show what they should.
    page = html(client.get(large_programme.get_absolute_url()))
    assert page.count('href="/tiltak/') >= 1640
    tall = client.get(organisation_url).context["ansvar"].tall
    # Its own 3 tiltak and the 7 it gets through its groups, in Buskerud and in the 10× programme.
    assert (tall.direkte, tall.bare_via_grupper) == (3 + 10 * 3, 7 + 10 * 7)


def test_list_pages_cost_the_same_with_ten_times_the_data(client, buskerud):
    urls = {
        "programme list": reverse("tiltak:programme_list"),
        "search (all)": reverse("tiltak:tiltak_search"),
        "search (one organisation)": _search(organisasjon=HALLINGDAL),
        "search (filtered)": _search(organisasjon="bfk", rolle="hovedansvar", q="kompetanse"),
        "search (free text)": _search(q="Hallingdal"),
        "search (folded words, number)": _search(q="omdomme kommunene 3.23"),
        "search (programme narrows themes)": _search(program=buskerud.pk, q="kompetanse"),
        "organisation list": reverse("tiltak:organisasjon_list"),
        "organisation list (all)": reverse("tiltak:organisasjon_list") + "?alle=1",
    }
    small = {name: count_queries(client, url) for name, url in urls.items()}
    small_rows = client.get(urls["search (one organisation)"]).context["count"]
    build_synthetic_copies(copies=9)
    assert Tiltak.objects.count() >= 10 * 164
    large = {name: count_queries(client, url) for name, url in urls.items()}
    large_rows = client.get(urls["search (one organisation)"]).context["count"]
    # Hallingdal's three tiltak are copied into each copy: a page of 3 rows becomes 30. The
    # other lists grow too (11 programmes, 50-row pages, 9 more organisations).
    assert_same_queries(
        small,
        large,
        # Organisation and free text together: the organisation, its groups, their roles, the
        # folded organisation names for the words, and the full-text subqueries.
        ceiling={**dict.fromkeys(urls, PAGE_CEILING), "search (filtered)": PAGE_CEILING + 1},
        sizes={"search (one organisation)": (small_rows, large_rows)},
    )


# --- Issue 7.8: the assigned parties are the parties; the source's text is only the source ------


def test_as_loaded_no_tiltak_shows_the_source_text_beside_its_parties(buskerud):
    """The loader assigned every party the source names, so nothing differs anywhere."""
    from tiltak.selectors.ansvar import source_parties
    from tiltak.selectors.search import tiltak_list

    differing = [
        (t.nummer_visning, rolle)
        for t in tiltak_list(queryset=Tiltak.objects.all())
        for rolle, source in source_parties(t).items()
        if source.differs
    ]
    assert differing == []


def test_the_tiltak_page_shows_the_source_text_only_when_the_parties_differ(client, buskerud):
    from django.conf import settings

    from tests.factories import BrukerFactory
    from tiltak.services import ansvar as ansvar_services

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    t = Tiltak.objects.get(program=buskerud, tema__nummer=3, nummer=23)
    assert "The hearing draft said" not in html(client.get(t.get_absolute_url()))

    admin = BrukerFactory(rolle="administrator")
    usn = Organisasjon.objects.get(forkortelse="USN")
    ansvar_services.ansvar_add(actor=admin, tiltak=t, organisasjon=usn, rolle=Rolle.HOVEDANSVAR)
    page = " ".join(html(client.get(t.get_absolute_url())).split())
    # USN is now a lead: the page names it with the council, and says what the draft wrote.
    assert reverse("tiltak:organisasjon_detail", args=[usn.slug]) in page
    assert "The hearing draft said: «Regionrådet i Hallingdal»" in page
    # The collaborators did not change: their source text is not repeated.
    assert page.count("The hearing draft said") == 1

    hallingdal = t.ansvar.get(organisasjon__slug="regionradet-hallingdal", rolle=Rolle.HOVEDANSVAR)
    ansvar_services.ansvar_remove(actor=admin, ansvar=hallingdal)
    page = " ".join(html(client.get(t.get_absolute_url())).split())
    leads = page.split('id="hovedansvar"')[1].split('id="samarbeidsparter"')[0]
    assert reverse("tiltak:organisasjon_detail", args=["regionradet-hallingdal"]) not in leads
    assert reverse("tiltak:organisasjon_detail", args=[usn.slug]) in leads
    assert "The hearing draft said: «Regionrådet i Hallingdal»" in leads


def test_a_party_assigned_by_its_abbreviation_is_what_the_source_wrote():
    from tests.factories import AnsvarFactory, OrganisasjonFactory, TiltakFactory
    from tiltak.selectors.ansvar import source_parties

    usn = OrganisasjonFactory(navn="Universitetet i Sørøst-Norge", forkortelse="USN")
    t = TiltakFactory(hovedansvar_tekst="USN", samarbeidsparter_tekst="")
    AnsvarFactory(tiltak=t, organisasjon=usn, rolle=Rolle.HOVEDANSVAR, tekst_som_skrevet="")
    assert not source_parties(t)["hovedansvar"].differs
    assert not source_parties(t)["samarbeidspart"].differs
    AnsvarFactory(tiltak=t, rolle=Rolle.HOVEDANSVAR, tekst_som_skrevet="")
    assert source_parties(Tiltak.objects.get(pk=t.pk))["hovedansvar"].differs
