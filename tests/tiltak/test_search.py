"""The tiltak search (issue 7, point 11): numbers like «3.23», folded letters («omdomme» finds
«omdømme»), stemming on PostgreSQL, organisation names, and the theme and sub-goal choices
narrowed by the chosen programme — on the search page and in the API, which share TiltakFilter."""

import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.urls import reverse

from partnerskap.selectors import fold, organisasjon_ids_matching
from tests.factories import (
    AnsvarFactory,
    HandlingsprogramFactory,
    OrganisasjonFactory,
    TemaFactory,
    TiltakFactory,
)
from tiltak.models import Handlingsprogram, Tiltak
from tiltak.selectors.search import tiltak_text_search

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search"
)


@pytest.fixture
def buskerud(demo_data):
    return Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)


@pytest.fixture
def vt(demo_data):
    return Handlingsprogram.objects.get(start_aar=2021)


def search(client, **params):
    response = client.get(reverse("tiltak:tiltak_search") + "?" + urlencode(params))
    assert response.status_code == 200
    return response


def found(client, q: str) -> list[Tiltak]:
    return list(search(client, q=q).context["page"].object_list)


def api_ids(client, **params) -> list[int]:
    response = client.get("/api/tiltak/", params)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# --- Free text ------------------------------------------------------------------------------


def test_a_number_finds_the_tiltak_of_that_theme_and_number(client, buskerud):
    tiltak = Tiltak.objects.get(program=buskerud, tema__nummer=3, nummer=23)
    rows = found(client, "3.23")
    assert tiltak in rows
    # Only tiltak numbered 3.23 (in any programme) or whose text names it.
    for row in rows:
        assert row.nummer_visning == "3.23" or "3.23" in fold(
            " ".join([row.tittel, row.beskrivelse, row.virkemiddel])
        )
    assert tiltak.id in api_ids(client, q="3.23")
    # A number with another word: both must match.
    assert found(client, f"3.23 {tiltak.tittel.split()[0]}") == [tiltak]
    assert found(client, "3.23 finnesikkeiprogrammet") == []


def test_letters_are_folded_in_text_and_in_organisation_names(client, buskerud):
    with_letters = found(client, "omdømme")
    assert with_letters
    assert found(client, "omdomme") == with_letters
    assert found(client, "OMDØMME") == with_letters
    assert found(client, "Ostlandssamarbeidet") == found(client, "Østlandssamarbeidet") != []
    assert found(client, "Regionraadet") == found(client, "Regionrådet") != []

    forskning = OrganisasjonFactory(navn="Østlandsforskning", slug="ostlandsforskning")
    tiltak = Tiltak.objects.get(program=buskerud, tema__nummer=3, nummer=23)
    AnsvarFactory(tiltak=tiltak, organisasjon=forskning)
    assert found(client, "Ostlandsforskning") == [tiltak]
    assert found(client, "østlandsforskning") == [tiltak]
    assert api_ids(client, q="Ostlandsforskning") == [tiltak.id]


def test_accents_and_partial_words_match_in_every_searchable_field(client, db):
    programme = HandlingsprogramFactory()
    cafe = TiltakFactory(tema=TemaFactory(program=programme), tittel="Kafé for næringslivet på Ål")
    other = TiltakFactory(
        tema=cafe.tema, tittel="Noe annet", finansiering="Søknad til Sparebankstiftelsen"
    )
    assert found(client, "kafe") == [cafe]
    assert found(client, "naeringsliv") == [cafe]  # æ→ae, and part of a word
    assert found(client, "NÆRINGSLIVET") == [cafe]
    assert found(client, "Aal kafe") == [cafe]  # aa→a
    assert found(client, "soknad sparebank") == [other]
    assert found(client, "kafe soknad") == []


@on_postgres
def test_stemming_finds_other_forms_of_a_word(client, db):
    programme = HandlingsprogramFactory()
    tiltak = TiltakFactory(
        tema=TemaFactory(program=programme), tittel="Felles plan for hver kommune"
    )
    TiltakFactory(tema=tiltak.tema, tittel="Noe helt annet")
    # «kommunene» is not a substring of «kommune»: the Norwegian stemmer finds it.
    assert found(client, "kommunene") == [tiltak]
    assert found(client, "planene") == [tiltak]


def test_organisation_matching_folds_like_the_search(db):
    org = OrganisasjonFactory(navn="Østlandsforskning", forkortelse="ØF", slug="of")
    for typed in ("Ostlandsforskning", "østlandsforskning", "OSTLANDS", "øf", "of"):
        assert org.pk in organisasjon_ids_matching(typed), typed
    aal = OrganisasjonFactory(navn="Ål kommune", slug="al")
    assert aal.pk in organisasjon_ids_matching("Aal kommune")


def test_results_keep_the_programme_theme_number_order(client, buskerud, vt):
    rows = list(search(client, q="kompetanse").context["page"].paginator.object_list)
    assert len({row.program_id for row in rows}) == 2
    # Unnumbered tiltak last in their theme, as on the programme page.
    keys = [
        (row.program.start_aar, row.program_id, row.tema.nummer, row.nummer or 10**6, row.id)
        for row in rows
    ]
    assert keys == sorted(keys)


def test_the_search_selector_narrows_any_queryset(buskerud, vt):
    everything = Tiltak.objects.all()
    assert tiltak_text_search(everything, "   ").count() == everything.count()
    only_vt = Tiltak.objects.filter(program=vt)
    assert set(tiltak_text_search(only_vt, "kompetanse")) <= set(only_vt)


@on_postgres
def test_postgres_search_uses_both_indexes(buskerud):
    # Both GIN indexes of 0004_search answer the search: the expressions must stay the same.
    queryset = tiltak_text_search(Tiltak.objects.all(), "kommunene")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = queryset.explain()
    assert "tiltak_search_fulltext" in plan
    assert "tiltak_search_folded" in plan


# --- Theme and sub-goal choices narrowed by the programme ----------------------------------


def _options(html: str, name: str) -> tuple[list[str], list[str]]:
    """The option values and the optgroup labels of the select `name`."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select, name
    values = re.findall(r'<option value="(\d*)"', select.group(0))
    groups = re.findall(r'<optgroup label="([^"]*)"', select.group(0))
    return values, groups


def test_without_a_programme_the_choices_are_grouped_by_programme(client, buskerud, vt):
    html = search(client).content.decode()
    tema_values, tema_groups = _options(html, "tema")
    assert len(tema_groups) == 2
    assert any(g.startswith("Smart samhandling i Buskerud") for g in tema_groups)
    assert len([v for v in tema_values if v]) == buskerud.temaer.count() + vt.temaer.count()
    _delmaal_values, delmaal_groups = _options(html, "delmaal")
    assert delmaal_groups  # only Buskerud has sub-goals
    assert all(g.startswith("Smart samhandling i Buskerud") for g in delmaal_groups)


def test_a_chosen_programme_narrows_the_theme_and_sub_goal_choices(client, buskerud, vt):
    html = search(client, program=vt.pk).content.decode()
    tema_values, tema_groups = _options(html, "tema")
    assert not tema_groups
    assert sorted(int(v) for v in tema_values if v) == sorted(
        vt.temaer.values_list("pk", flat=True)
    )
    delmaal_values, _ = _options(html, "delmaal")
    assert [v for v in delmaal_values if v] == []  # Vestfold og Telemark has no sub-goals

    tema3 = buskerud.temaer.get(nummer=3)
    response = search(client, program=buskerud.pk, tema=tema3.pk)
    assert not response.context["invalid"]
    assert response.context["count"] == tema3.tiltak.count()
    tema_values, _ = _options(response.content.decode(), "tema")
    assert str(tema3.pk) in tema_values
    assert re.search(rf'<option value="{tema3.pk}" selected>', response.content.decode())


def test_a_theme_of_another_programme_is_a_clear_message(client, buskerud, vt):
    tema3 = buskerud.temaer.get(nummer=3)
    delmaal = tema3.delmaal.first()
    client.cookies["portal_language"] = "en"
    response = search(client, program=vt.pk, tema=tema3.pk, delmaal=delmaal.pk)
    assert response.context["invalid"]
    assert response.context["count"] == 0
    errors = response.context["filter"].form.errors
    assert errors["tema"] == [
        "Theme: the theme is not in the chosen programme. Choose one of its themes, or “All”."
    ]
    assert errors["delmaal"][0].startswith("Sub-goal: the sub-goal is not in the chosen programme")
    html = response.content.decode()
    assert "Theme: the theme is not in the chosen programme." in html

    api = client.get("/api/tiltak/", {"program": vt.pk, "tema": tema3.pk})
    assert api.status_code == 400
    assert list(api.json()) == ["tema"]


@pytest.mark.parametrize("program", ["abc", "99999999999999999999999", "-1"])
def test_a_bad_programme_leaves_the_choices_whole_and_says_so(client, buskerud, program):
    response = search(client, program=program, tema=buskerud.temaer.first().pk)
    assert response.context["invalid"]
    assert "program" in response.context["filter"].form.errors
    assert "tema" not in response.context["filter"].form.errors
