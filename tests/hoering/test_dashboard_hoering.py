"""The hearing's sections (hoering/dashboard.py): the «Høring» tile and the answers «since the
last meeting» on the board's dashboard, with numbers equal to counts made with the ORM here;
drafts never shown; the tile only while a hearing runs or recently closed; a constant number
of queries for a hearing ten times larger; the summary part's fingerprint."""

from datetime import timedelta

import lxml.html
import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from hoering import dashboard
from hoering.models import Hoeringssvar, Invitasjon, Standpunkt, StandpunktValg, SvarStatus
from tests.budgets import assert_same_queries, count_queries
from tests.hoering import planner_data as d
from tiltak.models import Ansvar, Rolle, Tiltak

pytestmark = pytest.mark.django_db

DURING = d.FRIST - timedelta(days=10)
SINCE = "?siden=2018-09-01"


def _hearing(users, n_orgs, n_tiltak, prefix):
    programme, tiltak = d.programme_with_tiltak(users["county"], n_tiltak=n_tiltak, prefix=prefix)
    orgs = d.regional_councils(n_orgs + 1, prefix=f"Råd {prefix}")
    d.parties(tiltak, orgs[:-1])
    hoering = d.hearing(programme)
    for i, org in enumerate(orgs[:-1]):
        d.invite(hoering, org)
        d.full_answer(hoering, org, tiltak, index=i)
    # The last one invited has only a draft, with a text the board must never see.
    d.invite(hoering, orgs[-1])
    draft = Hoeringssvar.objects.create(
        hoering=hoering,
        organisasjon=orgs[-1],
        status=SvarStatus.UTKAST,
        generelle_merknader="HEMMELIG UTKAST",
    )
    Standpunkt.objects.create(
        svar=draft, tiltak=tiltak[0], standpunkt=StandpunktValg.KAN_IKKE, tekst="UTKAST NEI"
    )
    return hoering, tiltak


def _page(client, programme, query=SINCE):
    return client.get(reverse("dashboard:dashboard", args=[programme.pk]) + query)


def _orm_unconfirmed(hoering) -> tuple[int, int]:
    """Tiltak whose lead organisation did not confirm in a submitted answer (either «takes the
    lead» or «confirms», as the planner's overview counts it), and those a lead declined."""
    unconfirmed = declined = 0
    for t in Tiltak.objects.filter(program=hoering.program):
        leads = set(
            Ansvar.objects.filter(tiltak=t, rolle=Rolle.HOVEDANSVAR).values_list(
                "organisasjon_id", flat=True
            )
        )
        said = Standpunkt.objects.filter(
            tiltak=t, svar__hoering=hoering, svar__status=SvarStatus.INNSENDT
        )
        confirmed = set(
            said.filter(
                standpunkt__in=[
                    StandpunktValg.PAATAR_HOVEDANSVAR,
                    StandpunktValg.BEKREFTER_SAMARBEID,
                ]
            ).values_list("svar__organisasjon_id", flat=True)
        )
        declining = set(
            said.filter(standpunkt=StandpunktValg.KAN_IKKE).values_list(
                "svar__organisasjon_id", flat=True
            )
        )
        if not leads & confirmed:
            unconfirmed += 1
            declined += bool(leads & declining)
    return unconfirmed, declined


def test_the_tile_counts_what_the_orm_counts_and_links_for_planners(users):
    hoering, _tiltak = _hearing(users, 3, 8, "A")
    submitted = Hoeringssvar.objects.filter(hoering=hoering, status=SvarStatus.INNSENDT)
    submitted.update(innsendt=DURING - timedelta(days=1))
    early = submitted.order_by("id").first()
    Hoeringssvar.objects.filter(pk=early.pk).update(innsendt=d.AAPNER + timedelta(days=3))
    with time_machine.travel(DURING, tick=True):
        board, planner = Client(), Client()
        board.force_login(users["board"])
        planner.force_login(users["planner"])
        response = _page(board, hoering.program)
        assert response.status_code == 200
        body = response.content.decode()
        tree = lxml.html.fromstring(body)
        tile = tree.get_element_by_id("tile-hoering").getparent()

        answered = (
            Hoeringssvar.objects.filter(hoering=hoering, status=SvarStatus.INNSENDT)
            .values("organisasjon")
            .distinct()
            .count()
        )
        invited = Invitasjon.objects.filter(hoering=hoering).count()
        objections = Standpunkt.objects.filter(
            svar__hoering=hoering,
            svar__status=SvarStatus.INNSENDT,
            standpunkt=StandpunktValg.KAN_IKKE,
        ).count()
        unconfirmed, declined = _orm_unconfirmed(hoering)
        assert (answered, invited) == (3, 4) and objections > 0 and unconfirmed > 0

        def number(name):
            return " ".join(tile.xpath(f'.//*[@data-count="{name}"]')[0].text_content().split())

        words = number("answered").split()
        assert (words[0], words[2]) == (str(answered), str(invited))
        assert number("unconfirmed").split()[0] == str(unconfirmed)
        if declined:
            assert f"({declined} " in number("unconfirmed")
        assert number("objections") == str(objections)
        # The board has no planner's overview: no link. The draft is nowhere.
        assert reverse("hoering:oversikt", args=[hoering.pk]) not in body
        assert "HEMMELIG UTKAST" not in body and "UTKAST NEI" not in body

        planner_body = _page(planner, hoering.program).content.decode()
        assert reverse("hoering:oversikt", args=[hoering.pk]) + "#ubekreftet" in planner_body

        # Since the chosen date: the submitted answers, each linked; none before it.
        since = tree.xpath('//*[@data-count="answers-since"]')[0].text_content()
        assert since.split()[0] == str(answered)
        later = lxml.html.fromstring(_page(board, hoering.program, "?siden=2018-09-10").content)
        since_later = later.xpath('//*[@data-count="answers-since"]')[0].text_content()
        after = submitted.filter(innsendt__date__gte="2018-09-10").count()
        assert since_later.split()[0] == str(after) == str(answered - 1)
        assert (
            early.organisasjon.navn
            not in later.xpath('//*[@data-count="answers-since"]')[0].getnext().text_content()
        )


def test_the_tile_shows_while_a_hearing_runs_or_recently_closed(users):
    hoering, _tiltak = _hearing(users, 1, 2, "B")
    board = Client()
    board.force_login(users["board"])
    for moment, shown in (
        (DURING, True),
        (d.FRIST + timedelta(days=dashboard.RECENT_DAYS - 1), True),
        (d.FRIST + timedelta(days=dashboard.RECENT_DAYS + 1), False),
    ):
        with time_machine.travel(moment, tick=True):
            body = _page(board, hoering.program, "").content.decode()
            assert ('id="tile-hoering"' in body) is shown, moment
    # A hearing that was never opened is no one's business yet.
    hoering.aapnet = None
    hoering.save()
    with time_machine.travel(DURING, tick=True):
        assert 'id="tile-hoering"' not in _page(board, hoering.program, "").content.decode()


def test_dashboard_queries_do_not_grow_with_the_hearing(users):
    small, _ = _hearing(users, 2, 4, "S")
    large, _ = _hearing(users, 20, 40, "L")
    client = Client()
    client.force_login(users["planner"])
    with time_machine.travel(DURING, tick=True):
        counts = {
            label: count_queries(
                client, reverse("dashboard:dashboard", args=[h.program.pk]) + SINCE
            )
            for label, h in (("small", small), ("large", large))
        }
        n = {
            label: Standpunkt.objects.filter(
                svar__hoering=h, svar__status=SvarStatus.INNSENDT
            ).count()
            for label, h in (("small", small), ("large", large))
        }
    assert_same_queries(
        counts["small"], counts["large"], ceiling=45, sizes=(n["small"], n["large"])
    )


def test_the_summary_fingerprint_follows_answers_and_assessments(users):
    hoering, tiltak = _hearing(users, 2, 4, "F")
    programme = hoering.program
    first = dashboard.summary_fingerprint(programme)
    assert dashboard.summary_fingerprint(programme) == first
    p = Standpunkt.objects.filter(svar__hoering=hoering, svar__status=SvarStatus.INNSENDT).first()
    p.vurdering = "tatt_til_foelge"
    p.vurdering_begrunnelse = "Tas inn i programmet."
    p.save()
    second = dashboard.summary_fingerprint(programme)
    assert second != first
    # A draft changing does not change the summary.
    Hoeringssvar.objects.filter(hoering=hoering, status=SvarStatus.UTKAST).update(
        generelle_merknader="Endret utkast"
    )
    assert dashboard.summary_fingerprint(programme) == second
    # A newly submitted answer does.
    org = d.regional_councils(1, prefix="Ny")[0]
    d.submitted(hoering, org)
    assert dashboard.summary_fingerprint(programme) != second
    context = dashboard.summary_context(programme)
    assert context["s"].counts["answers"] == 3
    assert all(a.status == SvarStatus.INNSENDT for a in context["s"].answers)
    assert context["hoering"] == hoering
