"""Query budgets of the dashboard: the Buskerud programme and one ten times its size cost the
same number of queries (tests/budgets.py)."""

import pytest
from django.urls import reverse

from partnerskap.models import BrukerRolle
from rapportering.dashboard import selectors
from tests.budgets import assert_same_queries, count_queries
from tests.factories import BrukerFactory
from tiltak.models import Handlingsprogram, Tiltak, TiltakStatus
from tiltak.services import tiltak as tiltak_services
from tiltak.synthetic import build_large_programme

pytestmark = pytest.mark.django_db

SINCE = "?siden=2000-01-01"


def _pages(client, programme) -> dict[str, int]:
    dashboard = reverse("dashboard:dashboard", args=[programme.pk])
    colour = reverse("dashboard:dashboard_tiltak", args=[programme.pk])
    return {
        "dashboard": count_queries(client, dashboard + SINCE),
        "colour list": count_queries(client, colour + "?farge=amber"),
    }


def _touch(programme, actor) -> None:
    """One saved change, so «since the last meeting» has history to read in both."""
    t = Tiltak.objects.filter(program=programme).order_by("id").first()
    tiltak_services.tiltak_update(
        actor=actor, tiltak=t, expected_versjon=t.versjon, status=TiltakStatus.PAAGAAR
    )


def test_dashboard_queries_do_not_grow_with_the_programme(demo_data, client):
    admin = BrukerFactory(email="admin-budsjett@example.no", rolle=BrukerRolle.ADMINISTRATOR)
    client.force_login(admin)
    small = Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)
    _touch(small, admin)
    small_counts = _pages(client, small)
    large = build_large_programme(factor=10)
    _touch(large, admin)
    large_counts = _pages(client, large)

    n_small = Tiltak.objects.filter(program=small).count()
    n_large = Tiltak.objects.filter(program=large).count()
    amber_small = len(selectors.tiltak_with_colour(programme=small, colour="amber"))
    amber_large = len(selectors.tiltak_with_colour(programme=large, colour="amber"))
    assert_same_queries(
        small_counts,
        large_counts,
        ceiling={"dashboard": 20, "colour list": 12},
        sizes={"dashboard": (n_small, n_large), "colour list": (amber_small, amber_large)},
    )
