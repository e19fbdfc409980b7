"""Query budgets: every workshop page and API list costs the same for a workshop with 2 inputs
per question and one with 20 (tests/budgets.py)."""

import pytest
from django.urls import reverse

from hoering.models import Innspill
from hoering.services import verksted as services
from tests.budgets import assert_same_queries, count_queries
from tests.hoering.verksted_helpers import make_workshop

pytestmark = pytest.mark.django_db


def _pages(v):
    return {
        "detail": reverse("hoering:verksted_detail", args=[v.pk]),
        "live": reverse("hoering:verksted_live_content", args=[v.pk]),
        "themes": reverse("hoering:verksted_grupper", args=[v.pk]),
        "summary": reverse("hoering:verksted_summary", args=[v.pk]),
        "xlsx": reverse("hoering:verksted_summary", args=[v.pk]) + "?format=xlsx",
        "csv": reverse("hoering:verksted_innspill_csv", args=[v.pk]),
        "api inputs": f"/api/verksted-innspill/?spoersmaal__verksted={v.pk}&page_size=1000",
        "api questions": f"/api/verksted-spoersmaal/?verksted={v.pk}",
        "api themes": f"/api/verksted-temaer/?verksted={v.pk}",
    }


def _grouped(users, n):
    v, _, tema = make_workshop(users, inputs_per_question=n)
    rows = list(Innspill.objects.filter(spoersmaal__verksted=v).order_by("id"))
    for k in range(0, len(rows), 3):
        services.gruppe_create(
            actor=users["planner"], verksted=v, etikett=f"Tema {k}", innspill=rows[k : k + 3]
        )
    services.forslag_create(actor=users["planner"], verksted=v, tema=tema, innspill=rows[0])
    return v, len(rows)


@pytest.mark.parametrize("role", ["planner", "member"])
def test_pages_cost_the_same_for_a_10x_workshop(users, client_for, role):
    small, n_small = _grouped(users, 2)
    large, n_large = _grouped(users, 20)
    client = client_for(role)
    pages_small, pages_large = _pages(small), _pages(large)
    if role != "planner":
        for name in ("themes", "api themes"):
            pages_small.pop(name), pages_large.pop(name)
    counts_small = {name: count_queries(client, url) for name, url in pages_small.items()}
    counts_large = {name: count_queries(client, url) for name, url in pages_large.items()}
    assert_same_queries(
        counts_small,
        counts_large,
        ceiling=25,
        sizes=dict.fromkeys(counts_small, (n_small, n_large)),
    )


def test_tiltak_panel_costs_the_same(users, client_for):
    from hoering.models import Verkstedforslag

    small, _ = _grouped(users, 1)
    large, _ = _grouped(users, 10)
    # One proposal made of every input of the workshop: 6 inputs vs 60.
    counts = {}
    for v in (small, large):
        f = Verkstedforslag.objects.filter(verksted=v).first()
        f.innspill.set(Innspill.objects.filter(spoersmaal__verksted=v))
        counts[v.pk] = count_queries(client_for("planner"), f.tiltak.get_absolute_url())
    assert_same_queries(counts[small.pk], counts[large.pk], ceiling=60, sizes=(6, 60))
