"""Query budgets of the overview and the summary (page, and the selectors behind the PDF and
xlsx): the same count for a small hearing and one ten times larger (10× the tiltak, invitees,
answers and inputs)."""

import pytest
from django.test import Client
from django.urls import reverse

from hoering.selectors.oppsummering import hearing_summary
from hoering.selectors.oversikt import hearing_overview
from tests.budgets import assert_same_queries, count_queries
from tests.hoering import planner_data as d

pytestmark = pytest.mark.django_db


def _hearing(users, n_orgs, n_tiltak, prefix):
    programme, tiltak = d.programme_with_tiltak(users["county"], n_tiltak=n_tiltak, prefix=prefix)
    orgs = d.regional_councils(n_orgs, prefix=f"Råd {prefix}")
    group = d.group_of(orgs[: max(1, n_orgs // 2)], navn=f"Gruppe {prefix}")
    d.parties(tiltak, orgs, group)
    hoering = d.hearing(programme)
    for i, org in enumerate(orgs):
        d.invite(hoering, org)
        d.full_answer(hoering, org, tiltak, index=i)
    return hoering


def test_overview_and_summary_do_not_grow_with_the_hearing(users):
    small = _hearing(users, 2, 4, "S")
    large = _hearing(users, 20, 40, "L")
    client = Client()
    client.force_login(users["planner"])
    counts, sizes = {}, {}
    for label, h in (("small", small), ("large", large)):
        counts[label] = {
            "overview": count_queries(client, reverse("hoering:oversikt", args=[h.pk])),
            "summary": count_queries(client, reverse("hoering:oppsummering", args=[h.pk])),
            "inputs": count_queries(client, reverse("hoering:innspill", args=[h.pk])),
            "xlsx": count_queries(
                client, reverse("hoering:oppsummering", args=[h.pk]) + "?format=xlsx"
            ),
        }
        o = hearing_overview(h)
        s = hearing_summary(h)
        sizes[label] = {
            "overview": len(o.invitees) * sum(len(sec.rows) for sec in o.sections),
            "summary": s.counts["inputs"],
            "inputs": s.counts["inputs"],
            "xlsx": s.counts["inputs"],
        }
    assert_same_queries(
        counts["small"],
        counts["large"],
        ceiling={"overview": 25, "summary": 20, "inputs": 20, "xlsx": 20},
        sizes={k: (sizes["small"][k], sizes["large"][k]) for k in sizes["small"]},
    )
