"""The board's dashboard: every number it shows equals a count made here straight from the data
(ORM counts written in the test, not the selectors again), every number links to the tiltak
behind it, and «since the last meeting» lists what the history says changed."""

import datetime

import lxml.html
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from rapportering.dashboard import selectors
from tests.rapportering.dashboard_helpers import links, small_programme
from tiltak.models import Ansvar, Rolle, Tiltak, TiltakStatus
from tiltak.services import tiltak as tiltak_services

pytestmark = pytest.mark.django_db

RED = [TiltakStatus.UTSATT]
AMBER = [TiltakStatus.FORESLAATT, TiltakStatus.PLANLAGT]
GREEN = [TiltakStatus.PAAGAAR, TiltakStatus.GJENNOMFOERT]


@pytest.fixture
def data(users):
    return small_programme(users["county"])


def _dashboard(client, programme, query=""):
    response = client.get(reverse("dashboard:dashboard", args=[programme.pk]) + query)
    assert response.status_code == 200
    return response


def test_status_numbers_per_tema_are_the_counts_in_the_data(client_for, data):
    programme = data["programme"]
    response = _dashboard(client_for("board"), programme)
    search = reverse("tiltak:tiltak_search")
    seen = 0
    for path, query, text, _label in links(response.content):
        if path != search or "status" not in query or "tema" not in query:
            continue
        expected = Tiltak.objects.filter(
            program=programme, tema_id=int(query["tema"]), status=query["status"]
        ).count()
        assert int(text) == expected, (query, text, expected)
        assert expected > 0  # zero is shown as plain text, not a link
        seen += 1
    # Every (tema, status) pair with tiltak has its link.
    pairs = Tiltak.objects.filter(program=programme).values("tema", "status").distinct().count()
    assert seen == pairs == 8
    # Totals per status over the programme.
    for path, query, text, _label in links(response.content):
        if path == search and set(query) == {"program", "status"}:
            assert (
                int(text)
                == Tiltak.objects.filter(program=programme, status=query["status"]).count()
            )


def test_a_status_link_finds_as_many_tiltak_as_the_number_says(client_for, data):
    client = client_for("board")
    programme, tema = data["programme"], data["temaer"][0]
    url = reverse("tiltak:tiltak_search") + (
        f"?program={programme.pk}&tema={tema.pk}&status={TiltakStatus.UTSATT}"
    )
    response = client.get(url)
    assert response.status_code == 200
    expected = Tiltak.objects.filter(tema=tema, status=TiltakStatus.UTSATT)
    assert expected.count() == 2
    body = response.content.decode()
    for t in expected:
        assert t.tittel in body
    for t in Tiltak.objects.filter(tema=tema).exclude(status=TiltakStatus.UTSATT):
        assert t.tittel not in body


def test_colour_rollup_follows_the_rule_shown(client_for, data):
    programme = data["programme"]
    response = _dashboard(client_for("board"), programme)
    body = response.content.decode()
    assert str(selectors.COLOUR_RULE)[:60] in body
    colour_path = reverse("dashboard:dashboard_tiltak", args=[programme.pk])
    checked = 0
    for path, query, text, _label in links(response.content):
        if path != colour_path:
            continue
        label, number = text.rsplit(":", 1)
        statuses = {"red": RED, "amber": AMBER, "green": GREEN}[query["farge"]]
        filters = {"program": programme, "status__in": statuses}
        if "tema" in query:
            filters["tema_id"] = int(query["tema"])
        assert int(number) == Tiltak.objects.filter(**filters).count(), (query, text)
        checked += 1
    assert checked >= 6
    # Tema 1: 2 of 3 counted are postponed → red; tema 2: 1 of 4 amber → green; tema 3 amber.
    status = selectors.status_per_tema(programme=programme)
    assert [t.colour for t in status.temaer] == ["red", "green", "amber"]
    tema_rows = response.content.decode().split('data-rag="')[1:]
    assert [r.split('"')[0] for r in tema_rows[1:4]] == ["red", "green", "amber"]


def test_colour_drill_down_lists_the_tiltak_behind_the_number(client_for, data):
    programme, tema = data["programme"], data["temaer"][2]
    url = reverse("dashboard:dashboard_tiltak", args=[programme.pk])
    response = client_for("board").get(f"{url}?farge=amber&tema={tema.pk}")
    assert response.status_code == 200
    body = response.content.decode()
    for t in Tiltak.objects.filter(tema=tema, status__in=AMBER):
        assert t.tittel in body
    assert Tiltak.objects.filter(tema=tema, status__in=AMBER).count() == 2
    for t in Tiltak.objects.filter(program=programme).exclude(tema=tema):
        assert f">{t.tittel}<" not in body


@pytest.mark.parametrize("query", ["?farge=lilla", "?tema=abc", "?tema=99999999999999999999999"])
def test_colour_list_with_bad_input_says_so(client_for, data, query):
    url = reverse("dashboard:dashboard_tiltak", args=[data["programme"].pk])
    response = client_for("board").get(url + query)
    assert response.status_code == 200
    assert "ds-alert" in response.content.decode()


def test_responsibility_grid_counts_leads_and_collaborators_per_tema(client_for, data):
    programme = data["programme"]
    response = _dashboard(client_for("planner"), programme)
    search = reverse("tiltak:tiltak_search")
    checked = 0
    for path, query, text, _label in links(response.content):
        if path != search or "organisasjon" not in query:
            continue
        filters = {
            "organisasjon__slug": query["organisasjon"],
            "rolle": query["rolle"],
            "tiltak__program": programme,
        }
        if "tema" in query:
            filters["tiltak__tema_id"] = int(query["tema"])
        expected = Ansvar.objects.filter(**filters).values("tiltak").distinct().count()
        assert int(text) == expected, (query, text)
        assert query["direkte"] == "1"
        checked += 1
    assert checked >= 8
    # The group is marked, with its number of members (2); the other rows are not marked.
    tree = lxml.html.fromstring(response.content)
    marks = {
        th.text.strip(): th.findtext("span").strip()
        for th in tree.xpath("//caption[@id='grid-caption']/../tbody/tr/th")
        if th.find("span") is not None
    }
    assert list(marks) == ["Regionrådene"]
    assert "2" in marks["Regionrådene"]


def test_a_grid_link_finds_as_many_tiltak_as_the_number_says(client_for, data):
    programme, partner = data["programme"], data["partner"]
    expected = Ansvar.objects.filter(
        organisasjon=partner, rolle=Rolle.SAMARBEIDSPART, tiltak__program=programme
    )
    url = reverse("tiltak:tiltak_search") + (
        f"?program={programme.pk}&organisasjon=partner&rolle=samarbeidspart&direkte=1"
    )
    body = client_for("board").get(url).content.decode()
    for a in expected:
        assert a.tiltak.tittel in body
    for t in Tiltak.objects.filter(program=programme).exclude(pk__in=expected.values("tiltak")):
        assert f">{t.tittel}<" not in body


def test_changes_since_a_date(users, client_for):
    planner = users["planner"]
    with time_machine.travel(datetime.datetime(2024, 1, 10, 12, tzinfo=datetime.UTC)):
        data = small_programme(users["county"], status="utkast")
        programme = data["programme"]
        before_meeting = Tiltak.objects.get(pk=data["tiltak"][4].pk)
    with time_machine.travel(datetime.datetime(2024, 3, 1, 12, tzinfo=datetime.UTC)):
        new = tiltak_services.tiltak_create(
            actor=planner, tema=data["temaer"][0], tittel="Nytt etter møtet"
        )
        done = tiltak_services.tiltak_update(
            actor=planner,
            tiltak=before_meeting,
            expected_versjon=before_meeting.versjon,
            status=TiltakStatus.GJENNOMFOERT,
        )
        changed = Tiltak.objects.get(pk=data["tiltak"][0].pk)
        tiltak_services.tiltak_update(
            actor=planner, tiltak=changed, expected_versjon=changed.versjon, tittel="Nytt navn"
        )
        gone = Tiltak.objects.get(pk=data["tiltak"][9].pk)
        tiltak_services.tiltak_delete(actor=planner, tiltak=gone, reason="Ikke aktuelt")
    since = timezone.make_aware(datetime.datetime(2024, 2, 1))
    result = selectors.changes_since(programme=programme, since=since)
    assert [c.tiltak_id for c in result.new] == [new.pk]
    assert [c.tiltak_id for c in result.completed] == [done.pk]
    assert [c.tiltak_id for c in result.changed] == [changed.pk]
    assert [c.label for c in result.deleted] == [gone.tittel]
    # Nothing before the tiltak were made is "changed"; all of them are new then.
    early = selectors.changes_since(
        programme=programme, since=timezone.make_aware(datetime.datetime(2024, 1, 1))
    )
    assert len(early.new) == Tiltak.objects.filter(program=programme).count()
    assert early.deleted == []

    with time_machine.travel(datetime.datetime(2024, 3, 2, 12, tzinfo=datetime.UTC)):
        response = _dashboard(client_for("planner"), programme, "?siden=2024-02-01")
    body = response.content.decode()
    assert "Nytt etter møtet" in body and "Nytt navn" in body and gone.tittel in body
    assert "1. februar 2024" in body


@pytest.mark.parametrize("value", ["i går", "2024-13-45", "2999-01-01", "0001-01-01"])
def test_a_bad_since_date_says_so_and_shows_the_default(client_for, data, value):
    response = _dashboard(client_for("board"), data["programme"], f"?siden={value}")
    body = response.content.decode()
    assert 'role="alert"' in body
    assert "2018-10-23" in body  # the message shows how to write it


def test_the_chart_is_svg_with_text_and_its_data_as_a_table(client_for, data):
    programme = data["programme"]
    response = _dashboard(client_for("board"), programme)
    tree = lxml.html.fromstring(response.content)
    svg = tree.xpath("//figure[@class='portal-chart-figure']/svg")
    assert len(svg) == 1
    assert svg[0].get("role") == "img" and svg[0].get("aria-label")
    assert svg[0].get("width") is None  # scales with the page
    texts = " ".join(t.text_content() for t in svg[0].iter("text"))
    for tema in data["temaer"]:
        assert tema.navn in texts  # text stays text (svg.fonttype none)
    # The same numbers as a table right after it.
    assert tree.xpath("//table[caption[@id='progress-caption']]")
    # The same data gives the same chart.
    again = lxml.html.fromstring(_dashboard(client_for("board"), programme).content)
    assert lxml.html.tostring(again.xpath("//svg")[0]) == lxml.html.tostring(svg[0])


def test_the_programme_page_links_to_the_dashboard_for_those_who_may_see_it(client_for, data):
    url = data["programme"].get_absolute_url()
    dashboard = reverse("dashboard:dashboard", args=[data["programme"].pk])
    assert dashboard in client_for("board").get(url).content.decode()
    assert dashboard in client_for("planner").get(url).content.decode()
    assert dashboard not in client_for("member").get(url).content.decode()
    assert dashboard not in client_for("anonymous").get(url).content.decode()
