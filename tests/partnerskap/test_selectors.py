"""organisasjon_by_name: the one index of organisation names that the Excel import and the demo
loader match parties as written against."""

import pytest

from partnerskap.models import OrganisasjonAlias
from partnerskap.selectors import fold, organisasjon_by_name
from tests.factories import OrganisasjonFactory

pytestmark = pytest.mark.django_db


def test_names_abbreviations_labels_and_aliases_are_found_folded():
    usn = OrganisasjonFactory(navn="Universitetet i Sørøst-Norge", forkortelse="USN")
    OrganisasjonAlias.objects.create(organisasjon=usn, navn="Høgskolen i Sørøst-Norge")
    index = organisasjon_by_name()
    for written in (
        "universitetet i  SØRØST-NORGE",
        "usn",
        "Universitetet i Sørøst-Norge (USN)",
        " høgskolen i sørøst-norge ",
    ):
        assert index[fold(written)] == usn, written


def test_a_name_wins_over_an_abbreviation_or_alias_spelled_the_same():
    named = OrganisasjonFactory(navn="Kommunene")
    abbreviated = OrganisasjonFactory(navn="Kongsberg næringsforum", forkortelse="KNF")
    OrganisasjonAlias.objects.create(organisasjon=abbreviated, navn="kommunene")
    by_alias = OrganisasjonFactory(navn="Kongsberg Næringsråd")
    OrganisasjonAlias.objects.create(organisasjon=by_alias, navn="Knf")
    index = organisasjon_by_name()
    assert index["kommunene"] == named
    assert index["knf"] == abbreviated
