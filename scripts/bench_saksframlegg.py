"""The case papers (saksframlegg) PDF and the board's dashboard at 1× and 10× data, in a
throw-away test database (like scripts/bench_search.py).

    .venv/bin/python scripts/bench_saksframlegg.py
    DATABASE_URL=postgres:///portal_d11 .venv/bin/python scripts/bench_saksframlegg.py

Prints, for the Buskerud programme (164 tiltak) and a programme ten times its size:
- the WeasyPrint floor: a plain table of the same rows with a minimal stylesheet;
- the programme-table part alone with the saksframlegg stylesheet (the issue's budget: at most
  1.3× the floor);
- the whole saksframlegg PDF (cover, contents, texts, the table; PDF/UA-1, tagged);
- the same PDF served from the cache (GET /saksframlegg/<id>/pdf/ once it is stored), p50;
- the .docx;
- the dashboard page p50/p95 (RUNS requests, default 15) and its query count.
Figures, not a pass/fail test. Set PDF_10X=0 to skip the 10× PDFs (they take minutes).
PARTS chooses the saksframlegg's parts (default «programme_table»), e.g.
PARTS=programme_table,hoering_summary,aarsrapport — the demo hearing (Hallingdal's answer) and
the demo reporting are loaded when their parts are asked for."""

import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerskap.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402
from django.utils.html import escape  # noqa: E402

RUNS = int(os.environ.get("RUNS", "15"))
PARTS = [p.strip() for p in os.environ.get("PARTS", "programme_table").split(",") if p.strip()]
# PDF timings: the best of REPEAT runs (the machine is shared; the minimum is the least noisy).
REPEAT = int(os.environ.get("REPEAT", "2"))
FLOOR_CSS = (
    "@page { size: A4 landscape; margin: 15mm } "
    "body { font-family: 'DejaVu Sans'; font-size: 8pt } "
    "table { border-collapse: collapse; width: 100% } "
    "td, th { border: 0.5pt solid #999; padding: 2pt; vertical-align: top }"
)
COLUMNS = ("delmaal", "satsingsomraade", "nr", "tittel", "hovedansvar", "samarbeidsparter")


def seconds(fn):
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def floor_pdf(rows) -> tuple[float, int]:
    """A plain table of the same rows with a minimal stylesheet: what WeasyPrint costs at least."""
    from weasyprint import CSS, HTML

    body = "".join(
        "<tr>" + "".join(f"<td>{escape(r[c])}</td>" for c in COLUMNS) + "</tr>" for r in rows
    )
    html = f'<html lang="nb"><body><table>{body}</table></body></html>'
    elapsed, document = seconds(
        lambda: HTML(string=html).render(stylesheets=[CSS(string=FLOOR_CSS)])
    )
    t0 = time.perf_counter()
    document.write_pdf()
    return elapsed + time.perf_counter() - t0, len(document.pages)


def table_part_pdf(programme, rows) -> tuple[float, int]:
    """The programme-table part alone, with the saksframlegg's own stylesheet."""
    from django.template.loader import render_to_string
    from weasyprint import CSS, HTML

    from rapportering.saksframlegg import document

    part = render_to_string(
        "rapportering/saksframlegg/print/programme_table.html",
        document.programme_table_context(programme, rows=rows),
    )
    html = f'<html lang="nb"><body><section class="sf-appendix">{part}</section></body></html>'

    def render():
        return HTML(string=html).render(stylesheets=[CSS(filename=document.stylesheet_path())])

    elapsed, doc = seconds(render)
    t0 = time.perf_counter()
    doc.write_pdf(pdf_variant="pdf/ua-1")
    return elapsed + time.perf_counter() - t0, len(doc.pages)


def timed_get(client, url: str) -> tuple[float, float]:
    client.get(url)
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[int(round(0.95 * (len(times) - 1)))]


def queries_of(client, url: str) -> int:
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    client.get(url)
    with connection.execute_wrapper(count):
        client.get(url)
    return len(executed)


def report(label: str, programme, admin, *, pdfs: bool = True) -> None:
    from django.core.files.storage import default_storage
    from django.urls import reverse
    from pypdf import PdfReader

    from rapportering.models import Saksframlegg
    from rapportering.saksframlegg import cache, document
    from tiltak.models import Tiltak

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    n = Tiltak.objects.filter(program=programme).count()
    print(f"\n{label}: {n} tiltak ({connection.vendor})", flush=True)

    dashboard = reverse("dashboard:dashboard", args=[programme.pk]) + "?siden=2018-01-01"
    p50, p95 = timed_get(client, dashboard)
    print(
        f"  dashboard: p50 {p50:.0f} ms, p95 {p95:.0f} ms, {queries_of(client, dashboard)} queries",
        flush=True,
    )
    if not pdfs:
        return

    sak = Saksframlegg.objects.create(
        program=programme,
        saksnummer="18/01234",
        tittel=f"Handlingsprogram ({label})",
        moetedato=datetime.date(2018, 11, 20),
        forslag_til_vedtak="1. Fylkesutvalget vedtar handlingsprogrammet.",
        saksopplysninger="Programmet har vært på høring.\n\n- 45 inviterte\n- 31 svar",
        vurdering="Fylkesrådmannen tilrår at programmet vedtas.",
        deler=PARTS,
    )
    print(f"  parts: {', '.join(PARTS)}", flush=True)
    rows_time, rows = seconds(lambda: document.programme_rows(programme))
    floors, parts, wholes = [], [], []
    for _ in range(REPEAT):
        floors.append(floor_pdf(rows))
        parts.append(table_part_pdf(programme, rows))
        default_storage.delete(cache.path_for(sak.pk, document.content_key(sak), "pdf"))
        wholes.append(seconds(lambda: cache.build_pdf(sak.pk)))
    floor, floor_pages = min(floors)
    print(
        f"  floor (plain table, minimal CSS): {floor:.1f} s, {floor_pages} pages "
        f"(best of {REPEAT})",
        flush=True,
    )
    part, part_pages = min(parts)
    print(
        f"  table part, saksframlegg CSS, PDF/UA: {part:.1f} s, {part_pages} pages "
        f"({part / floor:.2f}× the floor)",
        flush=True,
    )
    key_time, _key = seconds(lambda: document.content_key(sak))
    whole, path = min(wholes)
    with default_storage.open(path, "rb") as f:
        pages = len(PdfReader(f).pages)
    print(
        f"  whole saksframlegg PDF (task): {whole:.1f} s, {pages} pages "
        f"({whole / floor:.2f}× the floor); rows {rows_time * 1000:.0f} ms, "
        f"cache key {key_time * 1000:.0f} ms",
        flush=True,
    )
    pdf_url = reverse("dashboard:saksframlegg_pdf", args=[sak.pk])
    p50, p95 = timed_get(client, pdf_url)
    print(f"  from the cache (GET …/pdf/): p50 {p50:.0f} ms, p95 {p95:.0f} ms", flush=True)
    docx_time, _ = seconds(lambda: document.render_docx(sak))
    print(f"  .docx: {docx_time:.1f} s", flush=True)


def main() -> None:
    from partnerskap.models import Bruker, BrukerRolle
    from tiltak.demo import demo_load
    from tiltak.models import Handlingsprogram
    from tiltak.synthetic import build_large_programme

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    media = tempfile.mkdtemp(prefix="bench-saksframlegg-")
    try:
        with override_settings(MEDIA_ROOT=media, ALLOWED_HOSTS=["127.0.0.1"]):
            call_command("createcachetable", verbosity=0)
            demo_load()
            if "hoering_summary" in PARTS:
                call_command("load_demo_hoering", verbosity=0)
            if "aarsrapport" in PARTS:
                call_command("load_demo_rapportering", verbosity=0)
            admin = Bruker.objects.create_user(
                email="bench@example.no", password=None, rolle=BrukerRolle.ADMINISTRATOR
            )
            buskerud = Handlingsprogram.objects.get(
                navn="Smart samhandling i Buskerud", start_aar=2019
            )
            report("1× (Buskerud)", buskerud, admin)
            large = build_large_programme(factor=10)
            report("10×", large, admin, pdfs=os.environ.get("PDF_10X", "1") != "0")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
