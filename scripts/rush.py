"""`make rush`: the deadline rush of a hearing, measured (a benchmark, not a timed test).

What it does, bounded in count and time and on 127.0.0.1 only:

1. A database of its own (RUSH_DATABASE_URL, default postgres:///portal_rush), dropped and made
   again: migrate, the cache table, the demo data (load_demo), then a hearing on a demo
   programme with --organisations invited organisations (default 60), each with a member account
   and an API token, and each organisation's draft made through the service (svar_start).
2. gunicorn in production mode (scripts/serve.sh, as `make serve` and `make load` run it;
   the server helpers are scripts/load.py's). The hearing's deadline is then set to --deadline
   seconds (default 75) after the moment Locust starts, to the second.
3. Locust headless (tests/load/rush_locustfile.py), one user per organisation: drafts saved
   with `versjon` (two tabs at once now and then: the stale one gets 409, re-reads and
   retries), the submission in the last minute — double clicks (two submits at once), retried
   requests (the same submit again), a new version submitted again by some — and requests after
   the deadline (late submits, saves and new versions), which must be refused.
4. The check, from the database: every accepted submission (2xx) stored exactly once (one
   submitted row per organisation and versjon_nr, SHA-256 present and equal to the receipt),
   none lost, nothing submitted after the deadline (no row with `innsendt` > frist), nothing
   stored for a submit that was refused, no 5xx; the scenario must have exercised the late
   requests, the duplicates and the 409s (a run that did not cannot pass).
5. Throughput (req/s), p50/p95/p99, the counts and a PASS/FAIL line; exit 1 on FAIL.

The throughput is what the organisations offer at the scenario's pace (a save every 2–5 s each,
bursts at the submits), not the server's ceiling (`make load` looks for that); the latencies
are the figures to watch. Locust and PostgreSQL share the machine with the server.
"""

# A benchmark script, as tests/ are: it runs its own commands.
# ruff: noqa: S603, S607, T201

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts import load as load_helpers  # noqa: E402
from scripts.load import (  # noqa: E402
    LOCUST,
    SECRET_KEY,
    env_with,
    manage,
    recreate_database,
    start_server,
    stop_server,
)

WORK = ROOT / "var" / "rush"
# scripts/load.py's server helpers put gunicorn's log and the media files in its WORK, read when
# called: the rush's go to var/rush.
load_helpers.WORK = WORK
LOCUSTFILE = ROOT / "tests" / "load" / "rush_locustfile.py"

SETUP = """
import json
from datetime import timedelta
from django.utils import timezone
from rest_framework.authtoken.models import Token
from hoering.models import Hoering, Invitasjon
from hoering.services import svar as services
from partnerskap.models import Bruker, BrukerRolle, Organisasjon
from tiltak.models import Handlingsprogram, ProgramStatus
programme = Handlingsprogram.objects.exclude(navn="Smart samhandling i Buskerud").order_by("pk")[0]
Handlingsprogram.objects.filter(pk=programme.pk).update(status=ProgramStatus.PAA_HOERING)
now = timezone.now().replace(microsecond=0)
# The deadline is set again (to the second) just before Locust starts; far ahead until then.
hoering = Hoering.objects.create(
    program=programme, tittel="Høring: fristrushet", innledning="Svar før fristen.",
    aapner=now - timedelta(days=30), frist=now + timedelta(days=1), aapnet=now - timedelta(days=30),
)
orgs = list(Organisasjon.objects.filter(er_gruppe=False).order_by("pk")[:{count}])
for i in range(len(orgs), {count}):
    orgs.append(Organisasjon.objects.create(navn=f"Rushkommune {{i}}", slug=f"rushkommune-{{i}}"))
members = []
for i, org in enumerate(orgs):
    Invitasjon.objects.create(
        hoering=hoering, organisasjon=org, epost=f"post{{i}}@rush.example.no",
        token=f"rush-{{i:04d}}-" + "r" * 40,
    )
    user = Bruker.objects.create_user(
        email=f"rush{{i}}@rush.example.no", password=None, rolle=BrukerRolle.MEDLEM,
        organisasjon=org,
    )
    draft = services.svar_start(actor=user, hoering=hoering)
    members.append({{
        "index": i, "organisasjon": org.pk, "svar": draft.pk,
        "token": Token.objects.create(user=user).key,
    }})
print(json.dumps({{"hoering": hoering.pk, "members": members}}))
"""


# --- The check (a pure function: tests/ops/test_rush_check.py makes it fail) -----------------


@dataclass
class Row:
    """A hoering_hoeringssvar row as the check reads it."""

    id: int
    organisasjon: int
    versjon_nr: int
    status: str
    innsendt: datetime | None
    sha256: str


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.problems


def check(
    rows: list[Row],
    frist: dict[int, datetime],
    accepted: list[dict],
    refused: list[dict],
    statuses: dict[str, int],
    exercised: dict[str, int] | None = None,
) -> Verdict:
    """What the database holds against what the clients were told.

    rows: every answer row of the hearing; frist: the deadline per organisation (extensions
    included); accepted: one dict per 2xx submit the clients saw ({organisasjon, svar,
    versjon_nr, sha256}); refused: one per submit refused ({organisasjon, svar}, for answers
    the organisation never got a 2xx for); statuses: {"5xx": n, "unexpected": n, …} from the
    clients; exercised: {name: count} that must each be > 0 (the scenario ran)."""
    verdict = Verdict()
    problems = verdict.problems
    submitted = [r for r in rows if r.status == "innsendt"]
    per_version = Counter((r.organisasjon, r.versjon_nr) for r in submitted)
    for (org, nr), n in sorted(per_version.items()):
        if n > 1:
            problems.append(f"organisation {org}: {n} submitted rows for versjon_nr {nr}")
    for r in submitted:
        if not r.sha256 or len(r.sha256) != 64:
            problems.append(f"answer {r.id}: submitted without a SHA-256")
        if r.innsendt is None:
            problems.append(f"answer {r.id}: submitted without a time")
        elif r.organisasjon not in frist:
            problems.append(f"answer {r.id}: organisation {r.organisasjon} has no deadline")
        elif r.innsendt > frist[r.organisasjon]:
            problems.append(
                f"answer {r.id}: submitted {r.innsendt.isoformat()} after the deadline "
                f"{frist[r.organisasjon].isoformat()}"
            )
    by_id = {r.id: r for r in rows}
    for a in accepted:
        row = by_id.get(a["svar"])
        if row is None or row.status != "innsendt":
            problems.append(f"answer {a['svar']}: accepted (2xx) but not stored as submitted")
            continue
        if row.organisasjon != a["organisasjon"] or row.versjon_nr != a["versjon_nr"]:
            problems.append(f"answer {a['svar']}: stored for another organisation or version")
        if row.sha256 != a["sha256"]:
            problems.append(f"answer {a['svar']}: the receipt's SHA-256 is not the stored one")
    accepted_ids = {a["svar"] for a in accepted}
    for r in refused:
        row = by_id.get(r["svar"])
        if r["svar"] not in accepted_ids and row is not None and row.status == "innsendt":
            problems.append(f"answer {r['svar']}: refused to the client, yet stored as submitted")
    for name in sorted(statuses):
        if statuses[name]:
            problems.append(f"{statuses[name]} {name} answers")
    for name, n in (exercised or {}).items():
        if n <= 0:
            problems.append(f"the run never exercised: {name}")
    verdict.counts = {
        "submitted rows": len(submitted),
        "organisations with a submitted row": len({r.organisasjon for r in submitted}),
        "accepted submissions (distinct answers)": len(accepted_ids),
    }
    return verdict


# --- The run ----------------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"rush: {message}", file=sys.stderr, flush=True)


def read_rows(url: str, hoering: int) -> tuple[list[Row], dict[int, datetime]]:
    import psycopg2

    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, organisasjon_id, versjon_nr, status, innsendt, sha256 "
                "FROM hoering_hoeringssvar WHERE hoering_id = %s",
                (hoering,),
            )
            rows = [Row(*values) for values in cursor.fetchall()]
            cursor.execute(
                "SELECT i.organisasjon_id, GREATEST(h.frist, COALESCE(u.ny_frist, h.frist)) "
                "FROM hoering_invitasjon i JOIN hoering_hoering h ON h.id = i.hoering_id "
                "LEFT JOIN hoering_fristutsettelse u "
                "  ON u.hoering_id = h.id AND u.organisasjon_id = i.organisasjon_id "
                "WHERE h.id = %s",
                (hoering,),
            )
            frist = dict(cursor.fetchall())
    finally:
        connection.close()
    return rows, frist


def set_deadline(url: str, hoering: int, seconds: int) -> datetime:
    import psycopg2

    frist = datetime.fromtimestamp(int(time.time()) + seconds, UTC)
    connection = psycopg2.connect(url)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("UPDATE hoering_hoering SET frist = %s WHERE id = %s", (frist, hoering))
    finally:
        connection.close()
    return frist


def run_locust(port: int, users: int, seconds: int, targets: Path, results: Path, out: Path):
    prefix = out / "rush"
    completed = subprocess.run(
        [
            LOCUST,
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--host",
            f"http://127.0.0.1:{port}",
            "-u",
            str(users),
            "-r",
            str(users),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "30",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env_with(PORTAL_RUSH_TARGETS=str(targets), PORTAL_RUSH_RESULTS=str(results)),
        capture_output=True,
        text=True,
        timeout=seconds + 180,
    )
    if not results.exists():
        raise SystemExit(f"locust wrote no results:\n{completed.stderr[-4000:]}")
    rows = list(csv.DictReader(prefix.with_name("rush_stats.csv").open()))
    return completed, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=60, help="invited (≥ 50)")
    parser.add_argument("--deadline", type=int, default=75, help="s after Locust starts")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--reuse-database", action="store_true", help="skip the data setup")
    args = parser.parse_args()
    count = max(1, min(args.organisations, 200))
    deadline_in = max(60, min(args.deadline, 90))
    workers = max(1, min(args.workers, 8))
    url = os.environ.get("RUSH_DATABASE_URL", "postgres:///portal_rush")
    WORK.mkdir(parents=True, exist_ok=True)
    static = WORK / "static"
    setup_file = WORK / "setup.json"

    if not args.reuse_database or not setup_file.exists():
        log(f"database {url}: drop, create, migrate, demo data, {count} organisations")
        recreate_database(url)
        manage("migrate", "--noinput", "-v", "0", DATABASE_URL=url)
        manage("createcachetable", DATABASE_URL=url)
        manage("load_demo", "-v", "0", DATABASE_URL=url)
        output = manage("shell", "-c", SETUP.format(count=count), DATABASE_URL=url)
        setup_file.write_text(output.splitlines()[-1])
    else:
        log(f"database {url}: reused (--reuse-database); the hearing must be untouched")
    setup = json.loads(setup_file.read_text())
    log("collectstatic (production storage)")
    manage(
        "collectstatic",
        "--noinput",
        "-v",
        "0",
        DJANGO_PRODUCTION="1",
        DATABASE_URL=url,
        SECRET_KEY=SECRET_KEY,
        STATIC_ROOT=str(static),
    )
    out = Path(tempfile.mkdtemp(prefix="run-", dir=WORK))
    results = out / "results.json"
    targets = out / "targets.json"
    process, port = start_server(url, workers, static)
    try:
        log(f"gunicorn, {workers} worker(s), on 127.0.0.1:{port}")
        frist = set_deadline(url, setup["hoering"], deadline_in)
        targets.write_text(json.dumps({**setup, "frist": frist.timestamp()}))
        run_seconds = deadline_in + 25
        log(f"deadline {frist.isoformat()} ({deadline_in} s from now); Locust for {run_seconds} s")
        started = time.monotonic()
        completed, stats = run_locust(port, count, run_seconds, targets, results, out)
        elapsed = time.monotonic() - started
        load_average = os.getloadavg()[0]
    finally:
        stop_server(process)

    client = json.loads(results.read_text())
    rows, frists = read_rows(url, setup["hoering"])
    c = client["counts"]
    total = next(row for row in stats if row["Name"] == "Aggregated")
    verdict = check(
        rows,
        frists,
        client["accepted"],
        client["refused"],
        {
            "5xx": c.get("5xx", 0),
            "unexpected": c.get("unexpected", 0),
            "Locust failures": int(total["Failure Count"]),
        },
        exercised={
            "late requests refused": c.get("refused_late", 0),
            "duplicate submits absorbed": c.get("duplicates_absorbed", 0),
            "409 on a stale draft": c.get("conflicts_409", 0),
            "accepted submissions": len(client["accepted"]),
        },
    )
    cores = len(os.sched_getaffinity(0))
    print(
        f"\nDeadline rush: {count} organisations, deadline {deadline_in} s after the start, "
        f"gunicorn {workers} sync worker(s) in production mode on PostgreSQL, {cores} cores "
        f"shared with Locust and PostgreSQL (machine load {load_average:.1f} at the end), "
        f"{elapsed:.0f} s\n"
    )
    print(f"{'request':<42} {'count':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}")
    for row in stats:
        print(
            f"{row['Name'][:42]:<42} {int(row['Request Count']):>6} "
            f"{float(row['Requests/s']):>7.1f} {float(row['50%']):>6.0f} "
            f"{float(row['95%']):>6.0f} {float(row['99%']):>6.0f}"
        )
    print("(times in ms)\n")
    figures = {
        "accepted submissions (2xx, distinct answers)": len(
            {a["svar"] for a in client["accepted"]}
        ),
        "submit requests answered 2xx": c.get("submit_2xx", 0),
        "duplicates absorbed (2nd submit of a double click or a retry → same receipt)": c.get(
            "duplicates_absorbed", 0
        ),
        "refused late (400 after the deadline)": c.get("refused_late", 0),
        "409 on a stale draft (then re-read and saved)": c.get("conflicts_409", 0),
        "draft saves accepted": c.get("saves_2xx", 0),
        "new versions started": c.get("new_versions", 0),
        "5xx": c.get("5xx", 0),
        "unexpected answers": c.get("unexpected", 0),
        **verdict.counts,
    }
    for name, value in figures.items():
        print(f"  {name}: {value}")
    for line in client.get("unexpected_samples", [])[:10]:
        print(f"  unexpected: {line}")
    report = {
        "organisations": count,
        "deadline_after_s": deadline_in,
        "workers": workers,
        "cores": cores,
        "load_average": round(load_average, 1),
        "requests": int(total["Request Count"]),
        "rps": float(total["Requests/s"]),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
        "p99": float(total["99%"]),
        "figures": figures,
        "problems": verdict.problems,
        "locust_exit": completed.returncode,
    }
    (WORK / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(
        f"\nthroughput {report['rps']:.1f} req/s over {report['requests']} requests; "
        f"p50 {report['p50']:.0f} ms, p95 {report['p95']:.0f} ms, p99 {report['p99']:.0f} ms"
    )
    print(f"(raw figures: {WORK / 'report.json'}, Locust's CSV in {out})")
    for problem in verdict.problems:
        print(f"  problem: {problem}")
    if verdict.passed:
        print("PASS: every accepted submission stored exactly once, none late, no 5xx")
        return 0
    print(f"FAIL: {len(verdict.problems)} problem(s)")
    return 1


if __name__ == "__main__":
    sys.exit(main())
