"""Benchmark: builds 1× and 10× data in a throw-away test database, requests the key pages
through Django's full request stack (the test client) and prints p50/p95 latency and the query
count per page. Figures, not a pass/fail test."""

import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import (
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import reverse

from partnerskap.models import Organisasjon
from tiltak.demo import demo_load
from tiltak.models import Handlingsprogram
from tiltak.synthetic import build_large_programme, build_synthetic_copies


def _pages() -> list[tuple[str, str]]:
    program = Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)
    org = Organisasjon.objects.get(slug="regionradet-hallingdal")
    tiltak_id = program.tiltak.order_by("id").values_list("id", flat=True).first()
    return [
        ("programliste", reverse("tiltak:programme_list")),
        ("programside (Buskerud)", program.get_absolute_url()),
        ("tiltakssøk (alle)", reverse("tiltak:tiltak_search")),
        (
            "tiltakssøk (Hallingdal, hovedansvar)",
            reverse("tiltak:tiltak_search") + f"?organisasjon={org.slug}&rolle=hovedansvar",
        ),
        ("tiltakssøk (fritekst «kompetanse»)", reverse("tiltak:tiltak_search") + "?q=kompetanse"),
        ("tiltaksside", reverse("tiltak:tiltak_detail", args=[tiltak_id])),
        ("organisasjonsliste", reverse("tiltak:organisasjon_list")),
        ("Ansvar: Regionrådet for Hallingdal", org.get_absolute_url()),
        ("Ansvar: Buskerud fylkeskommune", reverse("tiltak:organisasjon_detail", args=["bfk"])),
        ("API: programmer", "/api/programmer/"),
        ("API: tiltak", "/api/tiltak/"),
        ("API: organisasjoner", "/api/organisasjoner/"),
    ]


class Command(BaseCommand):
    help = "Measure p50/p95 latency and query counts of the key pages at 1× and 10× data."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=20, help="requests per page (default 20)")

    def measure(self, client: Client, url: str, runs: int) -> tuple[float, float, int, int]:
        client.get(url)  # warm-up: template and URL caches
        times = []
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        queries = len(ctx.captured_queries)
        for _ in range(runs):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
        return statistics.median(times), p95, queries, response.status_code

    def report(self, label: str, runs: int):
        client = Client(HTTP_HOST="127.0.0.1")
        from tiltak.models import Tiltak  # noqa: PLC0415

        self.stdout.write(
            f"\n{label}: {Handlingsprogram.objects.count()} programmer, "
            f"{Tiltak.objects.count()} tiltak, {Organisasjon.objects.count()} organisasjoner"
        )
        self.stdout.write(
            f"{'side':<42} {'p50 ms':>8} {'p95 ms':>8} {'spørringer':>10} {'status':>6}"
        )
        for name, url in _pages():
            p50, p95, queries, status = self.measure(client, url, runs)
            self.stdout.write(f"{name:<42} {p50:>8.1f} {p95:>8.1f} {queries:>10} {status:>6}")

    def _admin(self):
        from partnerskap.models import Bruker, BrukerRolle  # noqa: PLC0415

        admin, _ = Bruker.objects.get_or_create(
            email="bench-admin@example.no",
            defaults={"rolle": BrukerRolle.ADMINISTRATOR, "is_superuser": True},
        )
        return admin

    def editing(self, runs: int):
        """Planner pages at 10× data, logged in as an administrator."""
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(self._admin())
        program = Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)
        tiltak = program.tiltak.order_by("id").first()
        self.stdout.write("\nRedigering ved 10× (innlogget administrator)")
        self.stdout.write(
            f"{'side':<42} {'p50 ms':>8} {'p95 ms':>8} {'spørringer':>10} {'status':>6}"
        )
        for name, url in [
            ("rediger program (Buskerud)", reverse("tiltak:programme_edit", args=[program.pk])),
            ("rediger tiltak", reverse("tiltak:tiltak_edit", args=[tiltak.pk])),
            ("tiltakshistorikk", reverse("tiltak:tiltak_history", args=[tiltak.pk])),
            ("programlogg", reverse("tiltak:programme_history", args=[program.pk])),
        ]:
            p50, p95, queries, status = self.measure(client, url, runs)
            self.stdout.write(f"{name:<42} {p50:>8.1f} {p95:>8.1f} {queries:>10} {status:>6}")

    def comparison(self, runs: int):
        from tiltak.services.rolling import programme_roll  # noqa: PLC0415

        admin = self._admin()
        t0 = time.perf_counter()
        large = build_large_programme(factor=10)
        built = time.perf_counter() - t0
        t0 = time.perf_counter()
        rolled = programme_roll(actor=admin, programme=large, start_aar=2031, slutt_aar=2032)
        rolled_s = time.perf_counter() - t0
        n = large.tiltak.count()
        self.stdout.write(
            f"\nSammenligning: program med {n} tiltak bygget på {built:.2f} s, "
            f"rullert på {rolled_s:.2f} s"
        )
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(admin)
        url = reverse("tiltak:programme_compare") + f"?fra={large.pk}&til={rolled.pk}"
        p50, p95, queries, status = self.measure(client, url, max(3, runs // 4))
        self.stdout.write(
            f"{'sammenligning ' + str(n) + ' tiltak':<42} {p50:>8.1f} {p95:>8.1f} {queries:>10} {status:>6}"
        )

    def excel(self):
        """Export and import of a programme with about 3,000 tiltak."""
        from io import BytesIO  # noqa: PLC0415

        from openpyxl import load_workbook  # noqa: PLC0415

        from tiltak.exports import programme_xlsx  # noqa: PLC0415
        from tiltak.models import ProgramStatus, Tiltak  # noqa: PLC0415
        from tiltak.services.excel.apply import programme_import_apply  # noqa: PLC0415
        from tiltak.services.excel.preview import programme_import_preview  # noqa: PLC0415

        admin = self._admin()
        program = build_large_programme(factor=19)
        Handlingsprogram.objects.filter(pk=program.pk).update(status=ProgramStatus.UTKAST)
        program.refresh_from_db()
        n = Tiltak.objects.filter(program=program).count()
        self.stdout.write(f"\nExcel: program med {n} tiltak")

        def timed(label, fn):
            t0 = time.perf_counter()
            result = fn()
            self.stdout.write(f"{label:<48} {time.perf_counter() - t0:>8.2f} s")
            return result

        data = timed("eksport til .xlsx", lambda: programme_xlsx(program))
        preview = timed(
            "import: forhåndsvisning (uendret fil)",
            lambda: programme_import_preview(actor=admin, programme=program, data=data),
        )
        timed(
            "import: bruk (uendret fil, ingen endring)",
            lambda: programme_import_apply(
                actor=admin,
                programme=program,
                data=data,
                org_mapping={},
                expected_fingerprint=preview.fingerprint,
            ),
        )
        wb = load_workbook(BytesIO(data))
        ws = wb.active
        header = [c.value for c in ws[1]]
        col = header.index("Tiltak") + 1
        for row in range(2, ws.max_row + 1):
            ws.cell(row=row, column=col).value = f"{ws.cell(row=row, column=col).value} (endret)"
        out = BytesIO()
        wb.save(out)
        changed = out.getvalue()
        preview = timed(
            f"import: forhåndsvisning ({n} titler endret)",
            lambda: programme_import_preview(actor=admin, programme=program, data=changed),
        )
        timed(
            f"import: bruk ({n} titler endret)",
            lambda: programme_import_apply(
                actor=admin,
                programme=program,
                data=changed,
                org_mapping={},
                expected_fingerprint=preview.fingerprint,
            ),
        )

    def handle(self, *args, runs, **options):
        setup_test_environment()
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            self.stdout.write(f"Database: {connection.vendor}, {runs} forespørsler per side")
            t0 = time.perf_counter()
            demo_load()
            self.stdout.write(f"Demodata lastet på {time.perf_counter() - t0:.2f} s")
            self.report("1× (demodata)", runs)
            t0 = time.perf_counter()
            build_synthetic_copies(copies=9)
            self.stdout.write(f"\n9 syntetiske kopier bygget på {time.perf_counter() - t0:.2f} s")
            self.report("10× (demodata + 9 kopier)", runs)
            self.editing(runs)
            self.comparison(runs)
            self.excel()
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()
