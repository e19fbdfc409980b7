"""`make load`: a bounded Locust load test of the portal in production mode on PostgreSQL.

1. A database of its own (LOAD_DATABASE_URL, default postgres:///portal_load), dropped and
   made again: migrate, the cache table, the demo data (load_demo), planner accounts with API
   tokens, each with measures of its own to edit; static files collected once (var/load/).
2. For each worker count (--workers, default 1,2): scripts/serve.sh (gunicorn, production
   settings, plain http on 127.0.0.1 only) on a free port; a warm-up; then Locust headless
   (tests/load/locustfile.py) at rising user counts (--steps), each for --step-seconds, until
   p95 passes --p95-limit ms (in a step with at least --min-requests requests) or the last
   step ran. Nothing but 127.0.0.1 is ever contacted.
3. A table per worker count: users, requests/s, requests/s per core, p50/p95/p99 (ms),
   failures; and where it bends: the first step whose p95 passes the limit, and the step after
   which requests/s stops growing (less than 10 % more).

Locust runs on the same machine and takes CPU of its own, and the machine's load average is
printed with every step: the figures are a floor for the server. Not part of `make test` (a benchmark, not a timed test).
"""

# A benchmark script, as tests/ are: it runs its own commands and knows its own test password.
# ruff: noqa: S105, S603, S607

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv/bin/python") if (ROOT / ".venv/bin/python").exists() else sys.executable
LOCUST = str(Path(PYTHON).parent / "locust")
WORK = ROOT / "var" / "load"
SECRET_KEY = "load-test-only-" + "x7Qe9LmP2vR4tY8wZ1aB3cD5fG6hJ0kN" * 2
PLANNER_PASSWORD = "Lasttest-planlegger-2026"
PLANNERS = 12

SETUP = f"""
import json
from rest_framework.authtoken.models import Token
from partnerskap.models import Bruker, BrukerRolle, Organisasjon
from tiltak.models import Handlingsprogram, Tiltak
programmes = list(Handlingsprogram.objects.order_by("pk").values_list("pk", flat=True))
owner = Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)
editable = list(Tiltak.objects.filter(program=owner).order_by("pk").values_list("pk", flat=True))
planners = []
for i in range({PLANNERS}):
    user = Bruker.objects.create_user(
        email=f"lasttest{{i}}@bfk.example.no", password={PLANNER_PASSWORD!r},
        rolle=BrukerRolle.PLANLEGGER, organisasjon=owner.eier,
    )
    planners.append({{
        "email": user.email, "password": {PLANNER_PASSWORD!r},
        "token": Token.objects.create(user=user).key, "tiltak": editable[i::{PLANNERS}],
    }})
organisations = list(
    Organisasjon.objects.filter(ansvar__isnull=False).distinct().order_by("pk")
    .values_list("slug", flat=True)[:40]
)
print(json.dumps({{
    "programmes": programmes,
    "tiltak": list(Tiltak.objects.order_by("pk").values_list("pk", flat=True)),
    "organisations": organisations,
    "search_terms": ["kompetanse", "samhandling", "digital", "næringsliv", "helse", "12"],
    "planners": planners,
}}))
"""


def log(message: str) -> None:
    print(f"load: {message}", file=sys.stderr, flush=True)


def env_with(**extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "STATIC_ROOT", "MEDIA_ROOT"):
        keep.pop(name, None)
    return {**keep, **extra}


def manage(*args: str, **env: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env_with(**env),
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-4000:]}")
    return result.stdout


def recreate_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    base, _, query = url.partition("?")
    prefix, name = base.rsplit("/", 1)
    admin = psycopg2.connect(f"{prefix}/postgres" + (f"?{query}" if query else ""))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        admin.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, workers: int, static: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        ["bash", "scripts/serve.sh"],
        cwd=ROOT,
        env=env_with(
            DATABASE_URL=url,
            SECRET_KEY=SECRET_KEY,
            STATIC_ROOT=str(static),
            MEDIA_ROOT=str(WORK / "media"),
            ALLOWED_HOSTS="127.0.0.1",
            GUNICORN_BIND=f"127.0.0.1:{port}",
            WEB_CONCURRENCY=str(workers),
            SERVE_SKIP_PREPARE="1",
            GUNICORN_ACCESS_LOG="",
            LOG_LEVEL="ERROR",
        ),
        stdout=subprocess.DEVNULL,
        stderr=(WORK / f"gunicorn-{workers}.log").open("wb"),
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {WORK / f'gunicorn-{workers}.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as answer:
                if answer.status == 200:
                    return process, port
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(process)
    raise SystemExit("gunicorn did not get ready in 120 s")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=45)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def warm_up(port: int, targets: dict) -> None:
    paths = ["/", "/organisasjoner/", "/tiltak/?q=kompetanse"] + [
        f"/program/{pk}/" for pk in targets["programmes"]
    ]
    for _ in range(3):
        for path in paths:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as answer:
                answer.read()


def run_step(port: int, users: int, seconds: int, targets_file: Path, out: Path) -> dict:
    prefix = out / f"u{users}"
    result = subprocess.run(
        [
            LOCUST,
            "-f",
            str(ROOT / "tests/load/locustfile.py"),
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
            "10",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env_with(PORTAL_LOAD_TARGETS=str(targets_file)),
        capture_output=True,
        text=True,
        timeout=seconds + 120,
    )
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv")))  # noqa: SIM115
    total = next(row for row in rows if row["Name"] == "Aggregated")
    failures = list(csv.DictReader(open(f"{prefix}_failures.csv")))  # noqa: SIM115
    return {
        "users": users,
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
        "p99": float(total["99%"]),
        "failure_kinds": [f"{f['Method']} {f['Name']}: {f['Error']}" for f in failures],
        "locust_exit": result.returncode,
        "per_endpoint": {
            row["Name"]: {"count": int(row["Request Count"]), "p95": float(row["95%"])}
            for row in rows
            if row["Name"] != "Aggregated"
        },
    }


def bend(steps: list[dict], limit: float, min_requests: int) -> str:
    over = next((s for s in steps if s["p95"] > limit and s["requests"] >= min_requests), None)
    flat = next(
        (b for a, b in zip(steps, steps[1:], strict=False) if b["rps"] < a["rps"] * 1.10), None
    )
    parts = []
    parts.append(
        f"p95 passes {limit:.0f} ms at {over['users']} users"
        if over
        else f"p95 stayed under {limit:.0f} ms up to {steps[-1]['users']} users"
    )
    if flat:
        parts.append(f"requests/s stop growing (<10 %) at {flat['users']} users")
    return "; ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2", help="gunicorn worker counts (default 1,2)")
    parser.add_argument("--steps", default="2,4,8,16,24,32,48,64", help="user counts, rising")
    parser.add_argument("--step-seconds", type=int, default=30)
    parser.add_argument(
        "--min-requests",
        type=int,
        default=100,
        help="a step with fewer requests does not decide the bend (its p95 is noise)",
    )
    parser.add_argument("--p95-limit", type=float, default=500.0, help="ms")
    parser.add_argument("--max-users", type=int, default=64, help="hard cap on users")
    parser.add_argument("--reuse-database", action="store_true", help="skip the data setup")
    args = parser.parse_args()
    steps = [int(s) for s in args.steps.split(",") if int(s) <= min(args.max_users, 200)]
    workers_list = [int(w) for w in args.workers.split(",") if 0 < int(w) <= 8]
    seconds = max(5, min(args.step_seconds, 120))
    url = os.environ.get("LOAD_DATABASE_URL", "postgres:///portal_load")
    WORK.mkdir(parents=True, exist_ok=True)
    static = WORK / "static"
    targets_file = WORK / "targets.json"

    if not args.reuse_database or not targets_file.exists():
        log(f"database {url}: drop, create, migrate, demo data")
        recreate_database(url)
        manage("migrate", "--noinput", "-v", "0", DATABASE_URL=url)
        manage("createcachetable", DATABASE_URL=url)
        manage("load_demo", "-v", "0", DATABASE_URL=url)
        targets_file.write_text(manage("shell", "-c", SETUP, DATABASE_URL=url).splitlines()[-1])
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
    targets = json.loads(targets_file.read_text())
    cores = len(os.sched_getaffinity(0))
    report = {"cores": cores, "step_seconds": seconds, "runs": {}}

    for workers in workers_list:
        process, port = start_server(url, workers, static)
        try:
            log(f"{workers} worker(s) on 127.0.0.1:{port}: warm-up")
            warm_up(port, targets)
            out = Path(tempfile.mkdtemp(prefix=f"w{workers}-", dir=WORK))
            results = []
            for users in steps:
                step = run_step(port, users, seconds, targets_file, out)
                results.append(step)
                step["load_average"] = round(os.getloadavg()[0], 1)
                log(
                    f"{workers} worker(s), {users:3d} users: {step['rps']:7.1f} req/s, "
                    f"p50 {step['p50']:.0f} p95 {step['p95']:.0f} p99 {step['p99']:.0f} ms, "
                    f"{step['failures']} failures, {step['requests']} requests, "
                    f"machine load {step['load_average']}"
                )
                if step["p95"] > args.p95_limit and step["requests"] >= args.min_requests:
                    break
            report["runs"][workers] = results
        finally:
            stop_server(process)

    print(
        f"\nLoad test: demo data on PostgreSQL, gunicorn sync workers, {cores} cores shared "
        f"with Locust, {seconds} s per step\n"
    )
    failed = 0
    for workers, results in report["runs"].items():
        used = min(workers, cores)
        print(f"gunicorn workers: {workers} (cores used by the server: ≤ {used})")
        print(
            f"{'users':>6} {'req/s':>8} {'req/s/core':>11} {'p50':>6} {'p95':>6} {'p99':>6} "
            f"{'requests':>9} {'errors':>7}"
        )
        for s in results:
            print(
                f"{s['users']:>6} {s['rps']:>8.1f} {s['rps'] / used:>11.1f} {s['p50']:>6.0f} "
                f"{s['p95']:>6.0f} {s['p99']:>6.0f} {s['requests']:>9} {s['failures']:>7}"
            )
            failed += s["failures"]
            for kind in s["failure_kinds"]:
                print(f"{'':>8}error: {kind}")
        print(f"  bends: {bend(results, args.p95_limit, args.min_requests)}")
        worst = max(results[-1]["per_endpoint"].items(), key=lambda item: item[1]["p95"])
        print(f"  slowest at the last step: {worst[0]} (p95 {worst[1]['p95']:.0f} ms)\n")
    (WORK / "report.json").write_text(json.dumps(report, indent=2))
    print(f"(raw figures: {WORK / 'report.json'})")
    if failed:
        print(f"FAILED: {failed} requests failed (must be 0)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
