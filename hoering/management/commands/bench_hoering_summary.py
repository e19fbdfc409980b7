"""Benchmark of the høringsoppsummering and the planner's overview: a hearing of the demo's size
on the Buskerud programme (164 tiltak; 15 invitees, 5 submitted answers with a position on 30
tiltak each, a proposed actor, a proposed tiltak and general remarks), and one ten times larger
(150 invitees, 50 answers). Builds them in a throw-away test database, requests the pages
through Django's full request stack and prints p50/p95 latency, query counts and the PDF's
render time and size. Figures, not a pass/fail test:

    manage.py bench_hoering_summary [--runs 10]
"""

import os
import statistics
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import (
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import reverse

from hoering.models import (
    Aktoerforslag,
    Hoering,
    Hoeringssvar,
    Invitasjon,
    Standpunkt,
    StandpunktValg,
    SvarStatus,
    Tiltaksforslag,
)
from hoering.services.runde import new_token
from partnerskap.models import Bruker, BrukerRolle, Organisasjon
from tiltak.demo import demo_load
from tiltak.models import Handlingsprogram, Rolle

OSLO = ZoneInfo("Europe/Oslo")
FRIST = datetime(2018, 10, 23, 23, 59, 59, tzinfo=OSLO)
VALG = [
    (StandpunktValg.PAATAR_HOVEDANSVAR, ""),
    (StandpunktValg.BEKREFTER_SAMARBEID, ""),
    (StandpunktValg.KAN_IKKE, "Vi har ikkje kapasitet i perioden."),
    (StandpunktValg.ENDRING, "Tiltaket bør også omfatte reiselivet i regionen."),
    (StandpunktValg.INGEN_MERKNAD, ""),
]


def build_hearing(programme, *, invitees: int, answers: int, tag: str) -> Hoering:
    hoering = Hoering.objects.create(
        program=programme,
        tittel=f"Høring {tag}",
        aapner=FRIST - timedelta(days=50),
        frist=FRIST,
        aapnet=FRIST - timedelta(days=50),
    )
    orgs = list(Organisasjon.objects.filter(er_gruppe=False).order_by("id")[:invitees])
    for i in range(len(orgs), invitees):
        orgs.append(Organisasjon.objects.create(navn=f"Benk {tag} {i}", slug=f"benk-{tag}-{i}"))
    tiltak = list(programme.tiltak.select_related("tema").order_by("id"))
    Invitasjon.objects.bulk_create(
        Invitasjon(hoering=hoering, organisasjon=o, epost=f"post@{o.slug}.no", token=new_token())
        for o in orgs
    )
    for a, org in enumerate(orgs[:answers]):
        svar = Hoeringssvar.objects.create(
            hoering=hoering,
            organisasjon=org,
            status=SvarStatus.INNSENDT,
            innsendt=FRIST - timedelta(days=1),
            sha256="0" * 64,
            generelle_merknader="Vi støttar i hovudsak handlingsprogrammet. " * 5,
            saksnummer=f"SAK {a}/18",
        )
        Standpunkt.objects.bulk_create(
            Standpunkt(
                svar=svar,
                tiltak=t,
                standpunkt=VALG[(a + j) % len(VALG)][0],
                tekst=VALG[(a + j) % len(VALG)][1],
            )
            for j, t in enumerate(tiltak[(a * 7) % 130 : (a * 7) % 130 + 30])
        )
        Aktoerforslag.objects.create(
            svar=svar, tiltak=tiltak[a % len(tiltak)], navn="Yrkesmessa", rolle=Rolle.SAMARBEIDSPART
        )
        Tiltaksforslag.objects.create(
            svar=svar,
            tema=tiltak[a % len(tiltak)].tema,
            tittel=f"Livskvalitet {org.navn}",
            hva="Eit treårig prosjekt for livskvalitet. " * 5,
            hvem="Kommunane og regionrådet",
            maal="Betre folkehelse",
        )
    return hoering


class Command(BaseCommand):
    help = "Measure the hearing summary (page, PDF, xlsx) and overview at demo size and 10×."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=10, help="requests per page (default 10)")
        parser.add_argument(
            "--pdf-runs", type=int, default=2, help="PDF renders per hearing (default 2)"
        )
        parser.add_argument("--only-10x", action="store_true", help="only the 10× hearing")

    def measure(self, client, url, runs, *, uncached=False):
        times = []
        if uncached:
            # The PDF is cached by its content: clear the cache to measure the rendering
            # (no warm-up: a render takes seconds).
            for _ in range(runs):
                cache.clear()
                t0 = time.perf_counter()
                with CaptureQueriesContext(connection) as ctx:
                    response = client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
            queries = len(ctx.captured_queries)
            times.sort()
            p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
            return statistics.median(times), p95, queries, response
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        queries = len(ctx.captured_queries)
        for _ in range(runs):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
        return statistics.median(times), p95, queries, response

    def handle(self, *args, runs, pdf_runs, only_10x, **options):
        setup_test_environment()
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            demo_load()
            programme = Handlingsprogram.objects.get(
                navn="Smart samhandling i Buskerud", start_aar=2019
            )
            admin = Bruker.objects.create(
                email="bench@example.no", rolle=BrukerRolle.ADMINISTRATOR, is_superuser=True
            )
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(admin)
            load = os.getloadavg()[0]
            self.stdout.write(
                f"Database: {connection.vendor}, {runs} requests per page, "
                f"load average {load:.1f} on {os.cpu_count()} cores"
            )
            self.stdout.write(
                f"{'hearing':<24} {'page':<26} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'bytes':>9}"
            )
            sizes = [("demo", 15, 5), ("10x", 150, 50)]
            for tag, invitees, answers in sizes[1:] if only_10x else sizes:
                t0 = time.perf_counter()
                h = build_hearing(programme, invitees=invitees, answers=answers, tag=tag)
                built = time.perf_counter() - t0
                label = f"{tag} ({invitees} inv., {answers} svar)"
                summary = reverse("hoering:oppsummering", args=[h.pk])
                for name, url, n, uncached in (
                    ("oppsummering", summary, runs, False),
                    ("oversikt", reverse("hoering:oversikt", args=[h.pk]), runs, False),
                    ("oppsummering.xlsx", summary + "?format=xlsx", max(3, runs // 2), False),
                    ("oppsummering.pdf (render)", summary + "?format=pdf", pdf_runs, True),
                    ("oppsummering.pdf (cached)", summary + "?format=pdf", runs, False),
                ):
                    p50, p95, queries, response = self.measure(client, url, n, uncached=uncached)
                    self.stdout.write(
                        f"{label:<24} {name:<26} {p50:>8.1f} {p95:>8.1f} {queries:>8} "
                        f"{len(response.content):>9}"
                    )
                self.stdout.write(f"{label:<24} (built in {built:.1f} s)")
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()
