"""Reporting's sections (rapportering/dashboard_sections.py) and the hearing's summary part in
the case papers: the «Indikatorer» tile, status reports «since the last meeting», the colour
signal from the latest report, the dashboard's query budget at 10× with every section, and the
saksframlegg PDF/.docx with the hearing summary and the annual report — never a draft answer
or a draft report."""

import datetime
import io
import re
from decimal import Decimal

import docx
import lxml.html
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pypdf import PdfReader

from hoering.models import Hoering, Hoeringssvar, Standpunkt, SvarStatus
from partnerskap.models import BrukerRolle, Organisasjon
from rapportering import dashboard_sections as ds
from rapportering.dashboard import selectors
from rapportering.models import (
    Behandling,
    Indikator,
    Indikatorverdi,
    Rapporteringsrunde,
    RapportStatus,
    Statusrapport,
)
from rapportering.saksframlegg import document, services
from tests.budgets import assert_same_queries, count_queries
from tests.factories import AnsvarFactory, BrukerFactory
from tests.rapportering.helpers import report, world
from tiltak.models import Handlingsprogram, Rolle, Tiltak

pytestmark = pytest.mark.django_db

SINCE = "?siden=2019-01-01"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _dashboard(client, programme, query=SINCE):
    response = client.get(reverse("dashboard:dashboard", args=[programme.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


def _indicators(programme, n, *, prefix="Indikator"):
    for i in range(n):
        ind = Indikator.objects.create(
            program=programme,
            navn=f"{prefix} {i}",
            enhet="%",
            basis_aar=2017,
            basis_verdi=Decimal("50.5"),
            eksempelverdier=i % 2 == 0,
            rekkefoelge=10 + i,
        )
        for aar in (2017, 2018, 2019):
            Indikatorverdi.objects.create(indikator=ind, aar=aar, verdi=Decimal(50 + aar - 2017))
        ind.maal.create(aar=2020, verdi=Decimal("60"))


def test_the_indicator_tile_shows_each_indicator_with_baseline_target_and_trend(users, client_for):
    data = world(users)
    programme = data["programme"]
    _indicators(programme, 3)
    body = _dashboard(client_for("board"), programme)
    tree = lxml.html.fromstring(body)
    rows = tree.xpath('//*[@id="tile-indikatorer"]/..//tr[@data-indicator]')
    assert len(rows) == Indikator.objects.filter(program=programme).count() == 4
    first = " ".join(rows[0].text_content().split())  # Sysselsettingsandel (world)
    assert "Sysselsettingsandel" in first
    assert "76,1 (2017)" in first and "76,6 (2018)" in first and "78 (2020)" in first
    assert all(r.xpath(".//svg[@role='img']") for r in rows)
    # Example values are marked, on the tile and on each such row.
    examples = Indikator.objects.filter(program=programme, eksempelverdier=True).count()
    marked = [r for r in rows if "Eksempelverdier – ikke statistikk" in r.text_content()]
    assert len(marked) == examples == 2
    assert "Eksempelverdier" in tree.xpath('//*[@id="tile-indikatorer"]/..')[0].text_content()


def test_reports_since_the_date_are_the_submitted_and_approved_ones(users, client_for):
    data = world(users, n_tiltak=5)
    programme, runde = data["programme"], data["runde"]
    tiltak = list(Tiltak.objects.filter(program=programme).order_by("nummer"))
    now = timezone.now()
    report(tiltak[0], runde, Behandling.GODKJENT, behandlet=now)
    report(tiltak[1], runde, Behandling.INNSENDT)
    report(tiltak[2], runde, Behandling.SENDT_TILBAKE, behandlet=now)
    report(tiltak[3], runde, Behandling.UTKAST)
    tree = lxml.html.fromstring(_dashboard(client_for("board"), programme))
    since = datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC)
    reports = Statusrapport.objects.filter(tiltak__program=programme)
    submitted = reports.filter(behandling=Behandling.INNSENDT, innsendt__gte=since).count()
    approved = reports.filter(behandling=Behandling.GODKJENT, behandlet__gte=since).count()

    def count(name):
        text = tree.xpath(f'//*[@data-count="{name}"]')[0].text_content()
        return int(re.search(r"\((\d+)\)", text).group(1))

    assert (count("submitted"), count("approved")) == (submitted, approved) == (1, 1)
    block = tree.xpath('//*[@data-count="submitted"]/..')[0].text_content()
    assert tiltak[0].tittel in block and tiltak[1].tittel in block
    # Sent back and drafts are the lead organisation's own: not listed.
    assert tiltak[2].tittel not in block and tiltak[3].tittel not in block


def test_the_latest_counted_report_sets_the_colour(users):
    data = world(users, n_tiltak=4)
    programme, runde = data["programme"], data["runde"]
    tiltak = list(Tiltak.objects.filter(program=programme).order_by("nummer"))
    report(tiltak[0], runde, Behandling.INNSENDT, status=RapportStatus.UTSATT)
    report(
        tiltak[1], runde, Behandling.GODKJENT, status=RapportStatus.AVBRUTT, behandlet=runde.frist
    )
    report(tiltak[2], runde, Behandling.UTKAST, status=RapportStatus.UTSATT)
    report(tiltak[3], runde, Behandling.INNSENDT, status=RapportStatus.FULLFOERT)
    signal = ds.report_signal(programme)
    assert signal == {tiltak[0].pk: "red", tiltak[1].pk: "red", tiltak[3].pk: "green"}
    red = selectors.tiltak_with_colour(programme=programme, colour="red")
    assert {t.pk for t in red} >= {tiltak[0].pk, tiltak[1].pk}
    assert tiltak[2].pk not in signal  # a draft says nothing
    # Not started: amber while the year is under way, red once it is over.
    this_year = timezone.localdate().year
    assert ds.report_colour(RapportStatus.IKKE_STARTET, this_year, this_year) == "amber"
    assert ds.report_colour(RapportStatus.IKKE_STARTET, this_year - 1, this_year) == "red"
    assert ds.report_colour(RapportStatus.PAAGAAR, this_year, this_year) == "green"
    # A later year's report wins over an earlier one.
    runde_2020 = Rapporteringsrunde.objects.create(program=programme, aar=2020, frist=runde.frist)
    report(tiltak[0], runde_2020, Behandling.INNSENDT, status=RapportStatus.PAAGAAR)
    assert ds.report_signal(programme)[tiltak[0].pk] == "green"


def test_the_rule_is_written_where_the_dashboard_shows_its_rule(users, client_for):
    data = world(users)
    body = _dashboard(client_for("board"), data["programme"])
    rule = lxml.html.fromstring(body).xpath('//*[contains(@class, "portal-rule")]')[0]
    text = " ".join(rule.text_content().split())
    with translation.override("nb"):
        assert " ".join(str(ds.REPORT_RULE).split()) in text


def _reporting_programme(users, n_tiltak, n_indicators, prefix):
    data = world(users, n_tiltak=n_tiltak)
    programme, runde = data["programme"], data["runde"]
    _indicators(programme, n_indicators, prefix=prefix)
    for i, t in enumerate(Tiltak.objects.filter(program=programme).order_by("id")):
        report(
            t,
            runde,
            (Behandling.INNSENDT, Behandling.GODKJENT, Behandling.UTKAST)[i % 3],
            behandlet=timezone.now(),
        )
    return programme


def test_dashboard_queries_do_not_grow_with_indicators_and_reports(users):
    small = _reporting_programme(users, 1, 1, "S")  # 2 indicators, 2 reports
    large = _reporting_programme(users, 20, 19, "L")  # 20 indicators, 21 reports
    client = Client()
    client.force_login(users["board"])
    counts = {
        label: count_queries(client, reverse("dashboard:dashboard", args=[p.pk]) + SINCE)
        for label, p in (("small", small), ("large", large))
    }
    indicators = [Indikator.objects.filter(program=p).count() for p in (small, large)]
    reports = [Statusrapport.objects.filter(tiltak__program=p).count() for p in (small, large)]
    assert indicators[1] >= 10 * indicators[0] and reports[1] >= 10 * reports[0]
    sizes = [i + r for i, r in zip(indicators, reports, strict=True)]
    assert_same_queries(counts["small"], counts["large"], ceiling=45, sizes=tuple(sizes))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_case_papers_with_the_hearing_summary_and_the_annual_report(demo_data, client):
    call_command("load_demo_hoering", verbosity=0)
    call_command("load_demo_rapportering", verbosity=0)
    programme = Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)
    hoering = Hoering.objects.get(program=programme)
    hallingdal = Hoeringssvar.objects.get(
        hoering=hoering, status=SvarStatus.INNSENDT, organisasjon__navn__contains="Hallingdal"
    )
    position = Standpunkt.objects.filter(svar=hallingdal).order_by("id").first()
    position.vurdering = "delvis"
    position.vurdering_begrunnelse = "Vurdert av fylkesrådmannen: tas delvis til følge."
    position.save()
    # A draft answer and a draft report with texts that must never reach the board.
    other = (
        Organisasjon.objects.exclude(pk=hallingdal.organisasjon_id)
        .exclude(hoeringssvar__hoering=hoering)
        .first()
    )
    Hoeringssvar.objects.create(
        hoering=hoering,
        organisasjon=other,
        status=SvarStatus.UTKAST,
        generelle_merknader="Hemmelig utkast til høringssvar",
    )
    statuses_before = ds.annual_report_context(programme)["report"].status

    planner = BrukerFactory(
        email="planlegger-plug@bfk.no", organisasjon=programme.eier, rolle=BrukerRolle.PLANLEGGER
    )
    board = BrukerFactory(email="styret-plug@bfk.no", rolle=BrukerRolle.STYREMEDLEM)
    sak = services.saksframlegg_create(
        actor=planner,
        programme=programme,
        saksnummer="18/04321",
        tittel="Høringen og årsrapporten",
        moetedato=datetime.date(2020, 3, 1),
        deler=["hoering_summary", "aarsrapport"],
    )
    client.force_login(board)
    response = client.get(reverse("dashboard:saksframlegg_pdf", args=[sak.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = _squash(" ".join(page.extract_text() for page in reader.pages))
    with translation.override("nb"):
        summary_title = _("Hearing summary")
        table_heading = _("Status of the measures")
        annual_title = _("Annual report")
    assert _squash(hallingdal.organisasjon.navn) in text
    assert _squash(position.vurdering_begrunnelse) in text
    assert _squash(summary_title) in text and _squash(annual_title) in text
    assert _squash(table_heading) in text
    assert _squash("Hemmelig utkast til høringssvar") not in text

    word = docx.Document(
        io.BytesIO(
            b"".join(
                client.get(reverse("dashboard:saksframlegg_docx", args=[sak.pk])).streaming_content
            )
        )
    )
    paragraphs = [p.text for p in word.paragraphs]
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    everything = "\n".join(paragraphs + cells)
    assert (
        summary_title in paragraphs and annual_title in paragraphs and table_heading in paragraphs
    )
    assert hallingdal.organisasjon.navn in paragraphs
    assert position.vurdering_begrunnelse in everything
    assert "Hemmelig utkast til høringssvar" not in everything

    # The annual report counts only submitted and approved reports: a new draft changes
    # nothing, a submitted one changes the numbers and the case papers' cache key.
    key = document.content_key(sak)
    runde = Rapporteringsrunde.objects.get(program=programme, aar=ds.report_year(programme))
    unreported = (
        Tiltak.objects.filter(program=programme).exclude(statusrapporter__aar=runde.aar).first()
    )
    AnsvarFactory(tiltak=unreported, organisasjon=other, rolle=Rolle.SAMARBEIDSPART)
    draft = report(unreported, runde, Behandling.UTKAST, status=RapportStatus.UTSATT)
    assert ds.annual_report_context(programme)["report"].status == statuses_before
    assert document.content_key(sak) == key
    Statusrapport.objects.filter(pk=draft.pk).update(
        behandling=Behandling.INNSENDT, innsendt=timezone.now()
    )
    assert document.content_key(sak) != key
