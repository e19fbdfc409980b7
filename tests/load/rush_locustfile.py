"""Locust scenario for `make rush` (scripts/rush.py sets up the hearing, the server and the
deadline, runs this file and checks the database afterwards).

One Locust user per invited organisation, through the API with the organisation member's token.
Each runs one journey against the deadline (`frist`, epoch seconds in PORTAL_RUSH_TARGETS):

- drafts: PATCH /api/hoeringssvar/{id}/ with the `versjon` of its last answer, every 2–5 s;
  now and then two tabs save at once with the same `versjon`: one wins, the other gets 409,
  re-reads the draft (GET) and saves again with the new version;
- the submission in the last minute, by kind (organisation index % 10):
  0, 1  late: submit 1–6 s after the deadline (1: a double click) — must be refused (400);
  2, 3  a double click: two submits at once — both get the same receipt, one row;
  4, 5  a retried request: the same submit sent again after its answer — the same receipt;
  6     submit early in the last minute, start a new version, save, submit it again;
  7     submit, then after the deadline try a new version — refused;
  8     submit within a second of the deadline (either outcome is allowed; the database
        check decides whether an accepted one was in time);
  9     submit, then after the deadline save the submitted answer — refused;
- after every 2xx submit: GET …/kvittering/ must show the same SHA-256.

What the clients saw is written to PORTAL_RUSH_RESULTS when the test stops: the accepted
submissions (2xx) with their receipt, the refused ones, and the counts. Expected answers (409 on
a stale save, 400 to a request sent after the deadline) are successes for Locust; a 5xx, a 400
before the deadline or a 2xx to a request sent more than a second after it is a failure and
counted as «unexpected» (the check fails on it).
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections import Counter

import gevent
from locust import HttpUser, constant, events, task
from locust.exception import StopUser

TARGETS = json.loads(open(os.environ["PORTAL_RUSH_TARGETS"]).read())  # noqa: SIM115
FRIST = float(TARGETS["frist"])
# A submit is stamped to the second (hoering.services.svar.svar_submit): one sent within a
# second after the deadline may still be in time. After that, a 2xx is a bug.
GRACE = 1.0
_members = iter(TARGETS["members"])
_lock = threading.Lock()
RESULTS: dict = {"accepted": [], "refused": [], "counts": Counter(), "unexpected_samples": []}
_done = {"users": 0}


def _count(name: str, n: int = 1) -> None:
    RESULTS["counts"][name] += n


def _unexpected(what: str) -> None:
    _count("unexpected")
    if len(RESULTS["unexpected_samples"]) < 50:
        RESULTS["unexpected_samples"].append(what)


@events.test_stop.add_listener
def write_results(environment, **_kwargs):
    with open(os.environ["PORTAL_RUSH_RESULTS"], "w") as fh:
        json.dump({**RESULTS, "counts": dict(RESULTS["counts"])}, fh, indent=1)


class Organisation(HttpUser):
    # The journey paces itself against the deadline.
    wait_time = constant(0)

    def on_start(self):
        with _lock:
            self.member = next(_members, None)
        if self.member is None:
            raise StopUser()
        self.kind = self.member["index"] % 10
        self.headers = {"Authorization": f"Token {self.member['token']}"}
        self.client.cookies.set("portal_language", "en")
        self.svar = self.member["svar"]
        self.versjon: int | None = None
        self.edits = 0

    # --- one request, classified ---------------------------------------------------------------

    def _call(self, method: str, path: str, name: str, body=None):
        """(status, json or None). 2xx, 409, and 400 to a request sent after the deadline are
        expected; anything else is a failure."""
        sent = time.time()
        late = sent > FRIST - GRACE
        with self.client.request(
            method,
            path,
            json=body,
            headers=self.headers,
            name=name,
            catch_response=True,
            timeout=60,
        ) as response:
            code = response.status_code
            try:
                data = response.json()
            except ValueError:
                data = None
            if code >= 500 or code == 0:
                _count("5xx" if code >= 500 else "unexpected")
                response.failure(f"{code}")
            elif code == 409:
                _count("conflicts_409")
                response.success()
            elif code == 400 and late:
                _count("refused_late")
                response.success()
            elif 200 <= code < 300 and sent > FRIST + GRACE:
                _unexpected(f"{method} {name}: {code} to a request sent {sent - FRIST:.1f} s late")
                response.failure("accepted after the deadline")
            elif not 200 <= code < 300:
                _unexpected(f"{method} {name}: {code} {str(data)[:200]}")
                response.failure(f"{code}")
            return code, data

    # --- drafts -------------------------------------------------------------------------------

    def read(self) -> None:
        code, data = self._call("GET", f"/api/hoeringssvar/{self.svar}/", "/api/hoeringssvar/[id]/")
        if code == 200:
            self.versjon = data["versjon"]

    def save(self, versjon: int | None = None, retries: int = 5) -> int:
        """Save a change with `versjon` (default: the last one read); on 409 re-read and retry."""
        for _attempt in range(retries):
            if self.versjon is None:
                self.read()
            self.edits += 1
            code, data = self._call(
                "PATCH",
                f"/api/hoeringssvar/{self.svar}/",
                "/api/hoeringssvar/[id]/ [PATCH]",
                {
                    "versjon": versjon if versjon is not None else self.versjon,
                    "generelle_merknader": (
                        f"Innspill fra organisasjon {self.member['organisasjon']}, "
                        f"endring {self.edits}."
                    ),
                },
            )
            versjon = None
            if code == 200:
                _count("saves_2xx")
                self.versjon = data["versjon"]
                return code
            if code != 409:
                return code
            self.versjon = None  # stale: re-read, then save again
        return 409

    def two_tabs(self) -> None:
        """Two saves at once with the same version: one is saved, the other re-reads."""
        stale = self.versjon
        jobs = [gevent.spawn(self.save, stale) for _ in range(2)]
        gevent.joinall(jobs)

    def edit_until(self, until: float) -> None:
        while time.time() < until - 1:
            if random.random() < 0.25:
                self.two_tabs()
            else:
                self.save()
            gevent.sleep(min(random.uniform(2, 5), max(0.0, until - time.time())))
        gevent.sleep(max(0.0, until - time.time()))

    # --- submission -----------------------------------------------------------------------------

    def submit(self) -> tuple[int, dict | None]:
        code, data = self._call(
            "POST",
            f"/api/hoeringssvar/{self.svar}/send-inn/",
            "/api/hoeringssvar/[id]/send-inn/",
            {"signatar": f"Ordfører {self.member['index']}", "versjon": self.versjon},
        )
        if 200 <= code < 300:
            _count("submit_2xx")
            RESULTS["accepted"].append(
                {
                    "organisasjon": self.member["organisasjon"],
                    "svar": data["id"],
                    "versjon_nr": data["versjon_nr"],
                    "sha256": data["sha256"],
                }
            )
        elif code == 400:
            RESULTS["refused"].append(
                {"organisasjon": self.member["organisasjon"], "svar": self.svar}
            )
        return code, data

    def submit_times(self, n: int, concurrent: bool) -> None:
        if concurrent:
            jobs = [gevent.spawn(self.submit) for _ in range(n)]
            gevent.joinall(jobs)
            answers = [job.value for job in jobs]
        else:
            answers = [self.submit() for _ in range(n)]
        ok = [data for code, data in answers if 200 <= code < 300]
        if len(ok) > 1:
            _count("duplicates_absorbed", len(ok) - 1)
            if len({(d["id"], d["sha256"], d["innsendt"]) for d in ok}) != 1:
                _unexpected(f"answer {self.svar}: duplicate submits got different receipts")
        if ok:
            self.receipt(ok[0])

    def receipt(self, receipt: dict) -> None:
        code, data = self._call(
            "GET",
            f"/api/hoeringssvar/{receipt['id']}/kvittering/",
            "/api/hoeringssvar/[id]/kvittering/",
        )
        if code == 200 and data["sha256"] != receipt["sha256"]:
            _unexpected(f"answer {receipt['id']}: the receipt's SHA-256 changed")

    def new_version(self, expect_late: bool = False) -> bool:
        code, data = self._call(
            "POST",
            f"/api/hoeringssvar/{self.svar}/ny-versjon/",
            "/api/hoeringssvar/[id]/ny-versjon/",
        )
        if code == 201:
            _count("new_versions")
            self.svar, self.versjon = data["id"], data["versjon"]
            return True
        return False

    # --- the journey ----------------------------------------------------------------------------

    @task
    def journey(self):
        try:
            self._journey()
        finally:
            with _lock:
                _done["users"] += 1
                everyone = _done["users"] >= len(TARGETS["members"])
            if everyone:
                # The whole rush is over: stop now rather than at the run-time bound.
                gevent.spawn_later(1, self.environment.runner.quit)
            raise StopUser()

    def _journey(self):
        kind = self.kind
        self.read()
        if kind in (0, 1):
            submit_at = FRIST + random.uniform(1.5, 6)
        elif kind == 6:
            submit_at = FRIST - random.uniform(40, 55)
        elif kind == 8:
            submit_at = FRIST + random.uniform(-1.0, 0.5)
        else:
            submit_at = FRIST - random.uniform(3, 55)
        self.edit_until(min(submit_at, FRIST - 2))
        gevent.sleep(max(0.0, submit_at - time.time()))
        if kind in (0, 1):
            self.save()  # a late save: refused
            self.submit_times(2 if kind == 1 else 1, concurrent=True)
            return
        if kind in (2, 3):
            self.submit_times(2, concurrent=True)
        elif kind in (4, 5):
            self.submit_times(2, concurrent=False)
        else:
            self.submit_times(1, concurrent=False)
        if kind == 6 and self.new_version():
            self.edit_until(FRIST - random.uniform(8, 20))
            self.submit_times(1, concurrent=False)
        if kind in (7, 9):
            gevent.sleep(max(0.0, FRIST + random.uniform(1.5, 5) - time.time()))
            if kind == 7:
                self.new_version()
            else:
                self.versjon = self.versjon or 1
                self.save(retries=1)
