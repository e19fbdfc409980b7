"""Search latency at 1× and 10× data, in a throw-away test database (like `manage.py bench`).

    DATABASE_URL=postgres:///portal_search .venv/bin/python scripts/bench_search.py
    env -u DATABASE_URL .venv/bin/python scripts/bench_search.py

Prints, per query, the number of hits, the median and p95 time of the whole search page
(/tiltak/?q=…, through Django's request stack) and of the API (/api/tiltak/?q=…), and the page's
query count. Figures, not a pass/fail test."""

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerskap.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

QUERIES = [
    "omdømme",
    "omdomme",
    "kommunene",
    "Hallingdal",
    "kompetanse Hallingdal",
    "Ostlandssamarbeidet",
    "Regionraadet",
    "3.23",
    "digital samhandling",
]
RUNS = int(os.environ.get("RUNS", "15"))


def timed(client: Client, url: str) -> tuple[float, float]:
    client.get(url)
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[int(round(0.95 * (len(times) - 1)))]


def page_queries(client: Client, url: str):
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    client.get(url)
    with connection.execute_wrapper(count):
        response = client.get(url)
    return response, len(executed)


def report(label: str) -> None:
    from tiltak.models import Tiltak

    client = Client(HTTP_HOST="127.0.0.1")
    print(f"\n{label}: {Tiltak.objects.count()} tiltak ({connection.vendor})")
    print(f"{'q':<24} {'treff':>6} {'side p50':>9} {'p95':>7} {'API p50':>8} {'spørr.':>7}")
    for q in QUERIES:
        page = "/tiltak/?" + urlencode({"q": q})
        api = "/api/tiltak/?" + urlencode({"q": q})
        response, queries = page_queries(client, page)
        hits = response.context["count"]
        p50, p95 = timed(client, page)
        api50, _ = timed(client, api)
        print(f"{q:<24} {hits:>6} {p50:>9.1f} {p95:>7.1f} {api50:>8.1f} {queries:>7}")


def analyze() -> None:
    """What autovacuum does within a minute of a bulk load: PostgreSQL's planner needs the
    statistics to pick the search indexes (without them a search right after loading 10× the
    data scans the table, ~100 ms per word)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main() -> None:
    from tiltak.demo import demo_load
    from tiltak.synthetic import build_synthetic_copies

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        demo_load()
        analyze()
        report("1× (demodata)")
        build_synthetic_copies(copies=9)
        analyze()
        report("10× (demodata + 9 kopier)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
