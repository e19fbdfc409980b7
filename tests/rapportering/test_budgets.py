"""Query budgets (tests/budgets.py): the reporting round page, «Dine tiltak å rapportere på»,
the indicator list and an indicator's page cost the same number of queries for a programme with
10× the tiltak, reports, indicators or values."""

from decimal import Decimal

import pytest
from django.urls import reverse

from rapportering.models import Behandling, Indikator, Indikatorverdi
from tests.budgets import assert_same_queries, count_queries
from tests.factories import AnsvarFactory, TiltakFactory
from tiltak.models import Rolle

from .helpers import report, world

pytestmark = pytest.mark.django_db


def _grow(users, w, n: int):
    """n more tiltak led by the member's organisation, half of them reported; n indicators
    with a target and three values each; n more values on the first indicator."""
    for i in range(n):
        t = TiltakFactory(tema=w["tema"], delmaal=w["delmaal"], nummer=100 + i)
        AnsvarFactory(tiltak=t, organisasjon=users["kommune"], rolle=Rolle.HOVEDANSVAR)
        AnsvarFactory(tiltak=t, organisasjon=users["other"], rolle=Rolle.SAMARBEIDSPART)
        if i % 2:
            report(t, w["runde"], Behandling.INNSENDT if i % 4 == 1 else Behandling.UTKAST)
        ind = Indikator.objects.create(program=w["programme"], navn=f"Indikator {i}", enhet="%")
        ind.maal.create(aar=2020, verdi=Decimal(50))
        for aar in (2017, 2018, 2019):
            Indikatorverdi.objects.create(
                indikator=ind, aar=aar, verdi=Decimal(40 + i), region=w["region"]
            )
        Indikatorverdi.objects.create(indikator=w["indikator"], aar=1950 + i, verdi=i)


def _counts(client, w) -> dict[str, int]:
    return {
        "round page": count_queries(client, w["runde"].get_absolute_url()),
        "mine": count_queries(client, reverse("rapportering:mine")),
        "indicator list": count_queries(
            client, reverse("rapportering:indikator_list", args=[w["programme"].pk])
        ),
        "indicator page": count_queries(client, w["indikator"].get_absolute_url()),
    }


@pytest.mark.parametrize("role", ["planner", "member"])
def test_pages_cost_the_same_for_ten_times_the_data(users, client_for, role):
    client = client_for(role)
    small, large = world(users), world(users)
    _grow(users, small, 4)
    _grow(users, large, 60)
    rows = {
        "round page": (
            small["programme"].tiltak.count(),
            large["programme"].tiltak.count(),
        ),
        "indicator list": (
            small["programme"].indikatorer.count(),
            large["programme"].indikatorer.count(),
        ),
        "indicator page": (
            small["indikator"].verdier.count(),
            large["indikator"].verdier.count(),
        ),
    }
    # «mine» lists both programmes' open rounds for the member; measure it with the large
    # programme alone (a round per programme): its rows are the member's tiltak.
    assert_same_queries(
        {k: v for k, v in _counts(client, small).items() if k != "mine"},
        {k: v for k, v in _counts(client, large).items() if k != "mine"},
        ceiling=20,
        sizes=rows if role == "planner" else None,
    )


def test_mine_costs_the_same_for_ten_times_the_tiltak(users, client_for):
    client = client_for("member")
    small = world(users)
    _grow(users, small, 4)
    few = count_queries(client, reverse("rapportering:mine"))
    small["runde"].lukket = small["runde"].aapnet
    small["runde"].save()
    large = world(users)
    _grow(users, large, 60)
    many = count_queries(client, reverse("rapportering:mine"))
    assert_same_queries(few, many, ceiling=20, sizes=(5, 61))


def test_api_lists_cost_the_same(users, client_for):
    client = client_for("planner")
    small = world(users)
    _grow(users, small, 4)
    urls = {
        "values": reverse("api:indikatorverdi-list") + "?page_size=500",
        "reports": reverse("api:statusrapport-list") + "?page_size=500",
        "indicators": reverse("api:indikator-list") + "?page_size=500",
    }
    few = {k: count_queries(client, u) for k, u in urls.items()}
    large = world(users)
    _grow(users, large, 60)
    many = {k: count_queries(client, u) for k, u in urls.items()}
    assert_same_queries(few, many, ceiling=10)
