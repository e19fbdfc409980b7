"""Benchmark of the annual report: the page and its PDF at 1× (130 tiltak, the size of seed
003) and 10× (1,300 tiltak), and the WeasyPrint floor (the same HTML turned into a PDF, without
the queries, the charts and the template). Everything it builds is rolled back.

    .venv/bin/python manage.py bench_aarsrapport [--runs 3]
"""

import statistics
import time

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import Client
from django.urls import reverse


class Rollback(Exception):
    pass


def _median_ms(fn, runs: int) -> float:
    fn()  # warm-up: fonts, templates, matplotlib
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


class Command(BaseCommand):
    help = "Time the annual report page and PDF at 1× and 10×, and the WeasyPrint floor."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=3)

    def handle(self, *args, runs: int, **options):
        from partnerskap.models import Bruker, BrukerRolle, Organisasjon, OrganisasjonType
        from rapportering.aarsrapport import exports
        from rapportering.aarsrapport.selectors import annual_report, tables
        from rapportering.aarsrapport.synthetic import build_report_programme

        lines = []
        try:
            with transaction.atomic():
                eier = Organisasjon.objects.create(
                    navn="Benchmark fylkeskommune",
                    slug="bench-fk",
                    type=OrganisasjonType.FYLKESKOMMUNE,
                )
                admin = Bruker.objects.create(
                    email="bench-aarsrapport@example.invalid", rolle=BrukerRolle.ADMINISTRATOR
                )
                client = Client()
                client.force_login(admin)
                lines.append(
                    f"{'':<6}{'tiltak':>8}{'page ms':>10}{'pdf ms':>10}{'floor ms':>10}{'pages':>7}"
                )
                for label, factor in (("1×", 10), ("10×", 100)):
                    p = build_report_programme(eier=eier, factor=factor, name=f"Bench {label}")
                    page_url = reverse("aarsrapport:page", args=[p.pk, 2022])
                    pdf_url = reverse("aarsrapport:pdf", args=[p.pk, 2022])

                    def get(url):
                        response = client.get(url)
                        assert response.status_code == 200, (url, response.status_code)
                        return response

                    page_ms = _median_ms(lambda u=page_url: get(u), runs)
                    pdf_ms = _median_ms(lambda u=pdf_url: get(u), runs)
                    report = annual_report(programme=p, year=2022)
                    html = exports.report_html_for_pdf(
                        report, tables(report), exports.report_charts(report)
                    )
                    floor_ms = _median_ms(lambda h=html: exports.html_to_pdf(h), runs)
                    import io  # noqa: PLC0415

                    from pypdf import PdfReader  # noqa: PLC0415

                    pages = len(PdfReader(io.BytesIO(exports.html_to_pdf(html))).pages)
                    lines.append(
                        f"{label:<6}{13 * factor:>8}{page_ms:>10.0f}{pdf_ms:>10.0f}{floor_ms:>10.0f}{pages:>7}"
                    )
                raise Rollback
        except Rollback:
            pass
        for line in lines:
            self.stdout.write(line)
