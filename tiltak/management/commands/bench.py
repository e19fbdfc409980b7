"""Benchmark of the product, not of the test machinery: figures, not a pass/fail test.

    .venv/bin/python manage.py bench [--runs 15] [--skip-10x] [--skip-excel]
    DATABASE_URL=postgres:///portal_perf .venv/bin/python manage.py bench

What it measures and how, so the figures mean what they say:

- A throw-away database beside the configured one (`<name>_bench`; on SQLite a file in a
  temporary directory, never `:memory:`), migrated, with its cache table; dropped at the end.
  The configured cache backend (the database cache, or Redis with REDIS_URL) is the one used.
- The settings of a production process: DEBUG off (no query log kept per request, no template
  debug information), no test environment (no instrumented template rendering, no locmem mail,
  no test client). Each request goes through Django's WSGI handler and the whole middleware
  stack, gzip included (the request accepts gzip like a browser), exactly as under gunicorn;
  the response is read to the end and closed (request_finished, connection handling), and
  nothing of it is kept.
- The garbage collector stays on with its default thresholds, as in production; `gc.collect()`
  runs before every sample, so one request does not pay for the garbage of the previous one,
  and the time spent in collections during the sample is reported («gc»).
- «floor»: a trivial view in the same process and run (`/healthz`: no database, no cache, no
  template), the cost of the framework alone; each page is also given as a multiple of it.
- «cold»: the shared cache is cleared before each sample (a page rendered from scratch);
  «cached»: the same request again with the cache filled (pages that cache nothing cost the
  same both ways).
- «SQL n / ms»: the queries of one request and their time as seen by the database wrapper;
  «raw SQL ms»: the same statements replayed straight on a cursor (fetching every row), the
  floor the database sets.
- 1× is the demo data (Buskerud 2019–2022, 164 tiltak); 10× adds a programme ten times its
  size (tiltak/synthetic.py, 1,640 tiltak), and the per-programme pages are measured on it.
- Excel: the export of a programme beside its floor (the same rows written by openpyxl in
  write-only mode without styles), and the import (preview, apply) beside the read floor
  (openpyxl reading every cell of the same file).
"""

import gc
import statistics
import tempfile
import time
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.management.base import BaseCommand
from django.db import connection
from django.urls import reverse


@dataclass
class Sample:
    p50: float
    p95: float
    gc_ms: float  # median time in collections per request


@dataclass
class Result:
    name: str
    status: int
    kb: float
    queries: int
    sql_ms: float
    raw_sql_ms: float
    cold: Sample
    cached: Sample


class GcTimer:
    """Time spent in the garbage collector while active (gc.callbacks)."""

    def __init__(self):
        self.total = 0.0
        self._start = 0.0

    def __call__(self, phase, info):
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._start

    def __enter__(self):
        self.total = 0.0
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc):
        gc.callbacks.remove(self)


class QueryLog:
    """Every statement of a request with its time, through the connection's execute wrapper
    (which works with DEBUG off)."""

    def __init__(self):
        self.statements: list[tuple[str, object, bool]] = []
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - t0
            self.statements.append((sql, params, many))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered))) - 1))]


class Command(BaseCommand):
    help = "Latency of the key pages (cold and cached) against a trivial view, at 1× and 10×."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=15, help="samples per page and mode")
        parser.add_argument("--skip-10x", action="store_true", help="only the demo data")
        parser.add_argument("--skip-excel", action="store_true", help="no Excel figures")

    # --- requests --------------------------------------------------------------------------

    def request(self, path: str, cookie: str = "") -> tuple[int, int]:
        """One request through the WSGI handler, like a server would make it."""
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_ACCEPT": "text/html,application/json;q=0.9,*/*;q=0.8",
            "HTTP_ACCEPT_ENCODING": "gzip",
            "HTTP_ACCEPT_LANGUAGE": "nb",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": BytesIO(b""),
            "wsgi.errors": BytesIO(),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        if cookie:
            environ["HTTP_COOKIE"] = cookie
        status: list[str] = []

        def start_response(s, headers, exc_info=None):
            status.append(s)

        result = self.handler(environ, start_response)
        try:
            size = sum(len(chunk) for chunk in result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return int(status[0].split()[0]), size

    def samples(self, path: str, cookie: str, runs: int, *, clear: bool) -> Sample:
        times, gcs = [], []
        if not clear:
            self.request(path, cookie)  # fills the cache
        for _ in range(runs):
            if clear:
                cache.clear()
            gc.collect()
            with GcTimer() as gct:
                t0 = time.perf_counter()
                self.request(path, cookie)
                times.append((time.perf_counter() - t0) * 1000)
            gcs.append(gct.total * 1000)
        return Sample(statistics.median(times), percentile(times, 0.95), statistics.median(gcs))

    def sql(self, path: str, cookie: str) -> tuple[int, float, float, int, int]:
        cache.clear()
        log = QueryLog()
        with connection.execute_wrapper(log):
            status, size = self.request(path, cookie)
        # Replay: the same statements straight on a cursor, every row fetched.
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            from tiltak.selectors.search import _fold_or_none  # noqa: PLC0415

            connection.connection.create_function(
                "portal_fold", 1, _fold_or_none, deterministic=True
            )
        raw = 0.0
        with connection.cursor() as cursor:
            for sql, params, _many in log.statements:
                if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue  # a write (session, cache) is not replayed
                t0 = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                raw += time.perf_counter() - t0
        return len(log.statements), log.seconds * 1000, raw * 1000, status, size

    def measure(self, name: str, path: str, runs: int, cookie: str = "") -> Result:
        self.request(path, cookie)  # warm-up: imports, compiled templates, URL resolvers
        queries, sql_ms, raw_ms, status, size = self.sql(path, cookie)
        cold = self.samples(path, cookie, runs, clear=True)
        cached = self.samples(path, cookie, runs, clear=False)
        return Result(name, status, size / 1024, queries, sql_ms, raw_ms, cold, cached)

    def table(self, title: str, results: list[Result], floor: Result) -> None:
        f = floor.cold.p50
        self.stdout.write(f"\n{title}")
        header = (
            f"{'side':<34} {'kaldt p50':>9} {'p95':>7} {'×gulv':>6} {'gc':>5} "
            f"{'cachet p50':>10} {'p95':>7} {'×gulv':>6} {'SQL n':>5} {'SQL ms':>7} "
            f"{'rå SQL':>7} {'KB':>6} {'status':>6}"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for r in [floor, *results]:
            self.stdout.write(
                f"{r.name:<34} {r.cold.p50:>9.1f} {r.cold.p95:>7.1f} {r.cold.p50 / f:>6.0f} "
                f"{r.cold.gc_ms:>5.1f} {r.cached.p50:>10.1f} {r.cached.p95:>7.1f} "
                f"{r.cached.p50 / f:>6.0f} {r.queries:>5} {r.sql_ms:>7.1f} {r.raw_sql_ms:>7.1f} "
                f"{r.kb:>6.1f} {r.status:>6}"
            )

    # --- data ------------------------------------------------------------------------------

    def admin_cookie(self) -> str:
        """A logged-in administrator's session, made as the login view makes it."""
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: PLC0415
        from django.contrib.sessions.backends.db import SessionStore  # noqa: PLC0415

        from partnerskap.models import Bruker, BrukerRolle  # noqa: PLC0415

        admin, _ = Bruker.objects.get_or_create(
            email="bench-admin@example.no",
            defaults={"rolle": BrukerRolle.ADMINISTRATOR, "is_superuser": True},
        )
        session = SessionStore()
        session[SESSION_KEY] = str(admin.pk)
        session[BACKEND_SESSION_KEY] = "partnerskap.auth.EmailBackend"
        session[HASH_SESSION_KEY] = admin.get_session_auth_hash()
        session.save()
        self.admin = admin
        return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    def pages(self, program, org_slug: str) -> list[tuple[str, str, bool]]:
        """(name, path, as administrator)."""
        tiltak_id = program.tiltak.order_by("id").values_list("id", flat=True).first()
        search = reverse("tiltak:tiltak_search")
        return [
            ("programliste (forside)", reverse("tiltak:programme_list"), False),
            ("programside", program.get_absolute_url(), False),
            ("tiltaksside", reverse("tiltak:tiltak_detail", args=[tiltak_id]), False),
            (
                "søk: program+org+rolle",
                f"{search}?program={program.pk}&organisasjon={org_slug}&rolle=hovedansvar",
                False,
            ),
            ("søk: program+fritekst", f"{search}?program={program.pk}&q=kompetanse", False),
            (
                "Ansvar: Buskerud fylkeskommune",
                reverse("tiltak:organisasjon_detail", args=["bfk"]),
                False,
            ),
            (
                "Ansvar: Regionrådet Hallingdal",
                reverse("tiltak:organisasjon_detail", args=[org_slug]),
                False,
            ),
            ("API: /api/programmer/", "/api/programmer/", False),
            ("programside (administrator)", program.get_absolute_url(), True),
            (
                "Excel-eksport (administrator)",
                reverse("tiltak:programme_export", args=[program.pk]),
                True,
            ),
        ]

    def run_pages(self, label: str, program, runs: int) -> None:
        from partnerskap.models import Organisasjon  # noqa: PLC0415
        from tiltak.models import Handlingsprogram, Tiltak  # noqa: PLC0415

        floor = self.measure("gulv: triviell visning (/healthz)", "/healthz", runs)
        results = [
            self.measure(name, path, runs, self.cookie if admin else "")
            for name, path, admin in self.pages(program, "regionradet-hallingdal")
        ]
        self.table(
            f"{label}: {Handlingsprogram.objects.count()} programmer, "
            f"{Tiltak.objects.count()} tiltak, {Organisasjon.objects.count()} organisasjoner; "
            f"sidene gjelder «{program.navn}» ({program.tiltak.count()} tiltak); ms",
            results,
            floor,
        )

    def excel(self, program, runs: int) -> None:
        from openpyxl import Workbook, load_workbook  # noqa: PLC0415

        from tiltak.exports import HEADERS, programme_xlsx, tiltak_row  # noqa: PLC0415
        from tiltak.models import Handlingsprogram, ProgramStatus  # noqa: PLC0415
        from tiltak.selectors.search import programme_tiltak  # noqa: PLC0415
        from tiltak.services.excel.apply import programme_import_apply  # noqa: PLC0415
        from tiltak.services.excel.preview import programme_import_preview  # noqa: PLC0415

        def timed(fn, n=runs):
            times = []
            result = None
            for _ in range(n):
                gc.collect()
                t0 = time.perf_counter()
                result = fn()
                times.append((time.perf_counter() - t0) * 1000)
            return statistics.median(times), result

        rows = [tiltak_row(t) for t in programme_tiltak(programme=program)]

        def floor_write():
            wb = Workbook(write_only=True)
            ws = wb.create_sheet()
            ws.append(list(HEADERS))
            for row in rows:
                ws.append(row)
            out = BytesIO()
            wb.save(out)
            return out.getvalue()

        def floor_read(data):
            wb = load_workbook(BytesIO(data), read_only=True)
            for _row in wb.active.iter_rows(values_only=True):
                pass
            wb.close()

        n = max(3, runs // 3)
        floor_ms, _ = timed(floor_write, n)
        export_ms, data = timed(lambda: programme_xlsx(program), n)
        read_ms, _ = timed(lambda: floor_read(data), n)
        status = program.status
        Handlingsprogram.objects.filter(pk=program.pk).update(status=ProgramStatus.UTKAST)
        program.refresh_from_db()
        preview_ms, preview = timed(
            lambda: programme_import_preview(actor=self.admin, programme=program, data=data), n
        )
        apply_ms, _ = timed(
            lambda: programme_import_apply(
                actor=self.admin,
                programme=program,
                data=data,
                org_mapping={},
                expected_fingerprint=preview.fingerprint,
            ),
            1,
        )
        Handlingsprogram.objects.filter(pk=program.pk).update(status=status)
        program.refresh_from_db()
        self.stdout.write(
            f"\nExcel, «{program.navn}» ({len(rows)} rader, {len(data) / 1024:.0f} KB); ms (median)"
        )
        self.stdout.write(f"{'':<44} {'ms':>8} {'×gulv':>6}")
        for name, ms, fl in [
            ("gulv: openpyxl write_only, samme rader", floor_ms, floor_ms),
            ("eksport (programme_xlsx)", export_ms, floor_ms),
            ("gulv: openpyxl read_only, alle celler", read_ms, read_ms),
            ("import: forhåndsvisning (uendret fil)", preview_ms, read_ms),
            ("import: bruk (uendret fil)", apply_ms, read_ms),
        ]:
            self.stdout.write(f"{name:<44} {ms:>8.0f} {ms / fl:>6.1f}")

    # --- the run ---------------------------------------------------------------------------

    def analyze(self) -> None:
        """After bulk loads, as autovacuum would do shortly after (PostgreSQL)."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def handle(self, *args, runs, skip_10x, skip_excel, **options):
        from tiltak.demo import demo_load  # noqa: PLC0415
        from tiltak.models import Handlingsprogram  # noqa: PLC0415
        from tiltak.synthetic import build_large_programme  # noqa: PLC0415

        # A production process: no per-request query log, no template debug data.
        settings.DEBUG = False
        db = settings.DATABASES["default"]
        tmpdir = None
        if connection.vendor == "sqlite":
            tmpdir = tempfile.TemporaryDirectory(prefix="portal-bench-")
            db.setdefault("TEST", {})["NAME"] = str(Path(tmpdir.name) / "bench.sqlite3")
        else:
            db.setdefault("TEST", {})["NAME"] = f"{db['NAME']}_bench"
        # Creates the database beside the configured one and runs migrate and createcachetable;
        # nothing of the test environment is set up.
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        self.handler = WSGIHandler()
        try:
            self.stdout.write(
                f"Database: {connection.vendor}; cache: {settings.CACHES['default']['BACKEND']}; "
                f"DEBUG={settings.DEBUG}; gc thresholds {gc.get_threshold()}; {runs} samples "
                "per page and mode"
            )
            t0 = time.perf_counter()
            demo_load()
            self.analyze()
            self.stdout.write(f"Demodata lastet på {time.perf_counter() - t0:.1f} s")
            self.cookie = self.admin_cookie()
            buskerud = Handlingsprogram.objects.get(
                navn="Smart samhandling i Buskerud", start_aar=2019
            )
            self.run_pages("1× (demodata)", buskerud, runs)
            self.retained(buskerud.get_absolute_url())
            if not skip_excel:
                self.excel(buskerud, runs)
            if not skip_10x:
                t0 = time.perf_counter()
                large = build_large_programme(factor=10)
                self.analyze()
                self.stdout.write(
                    f"\n10×: program med {large.tiltak.count()} tiltak bygget på "
                    f"{time.perf_counter() - t0:.1f} s"
                )
                self.run_pages("10×", large, runs)
                if not skip_excel:
                    self.excel(large, max(3, runs // 3))
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            if tmpdir is not None:
                tmpdir.cleanup()

    def retained(self, path: str) -> None:
        """Objects left alive by requests (should be about 0: nothing kept between requests)."""
        self.request(path)
        gc.collect()
        before = len(gc.get_objects())
        for _ in range(10):
            self.request(path)
        gc.collect()
        after = len(gc.get_objects())
        self.stdout.write(f"\nObjekter som overlever en forespørsel: {(after - before) / 10:.0f}")
