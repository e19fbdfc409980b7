"""Locust user classes for `make load` (scripts/load.py starts the servers and runs this file).

A realistic mix for a programme portal:
- Reader (anonymous public, most users): the front page, a programme page, search, the
  organisation list and an organisation's page.
- Planner (logged in): opens a measure's edit form, then saves a change through the API with
  the version from its last read (`versjon`), as the form does; each planner edits its own
  measures, so a 409 would be a real lost-update bug, not a collision of the load test.

Add a class per role as the portal grows, on the PortalUser base (login with CSRF, targets):
hearings will add `class Organisation(PortalUser)` (save a draft answer, submit it) next to
these two, with its own weight.

The targets (ids, slugs, accounts) come from the JSON file named by PORTAL_LOAD_TARGETS, which
scripts/load.py writes after loading the demo data. Every non-2xx/3xx answer is a failure.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading

from locust import HttpUser, between, task

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TARGETS = json.loads(open(os.environ["PORTAL_LOAD_TARGETS"]).read())  # noqa: SIM115
_planners = itertools.cycle(TARGETS["planners"])
_lock = threading.Lock()


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)

    def on_start(self):
        self.client.cookies.set("portal_language", "nb")

    def login(self, email: str, password: str) -> None:
        form = self.client.get("/konto/logg-inn/", name="/konto/logg-inn/")
        token = CSRF_RE.search(form.text).group(1)
        with self.client.post(
            "/konto/logg-inn/",
            data={"username": email, "password": password, "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/konto/logg-inn/"},
            allow_redirects=False,
            name="/konto/logg-inn/ [POST]",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login failed: {response.status_code}")


class Reader(PortalUser):
    weight = 9

    @task(3)
    def programme(self):
        pk = random.choice(TARGETS["programmes"])
        self.client.get(f"/program/{pk}/", name="/program/[pk]/")

    @task(2)
    def front_page(self):
        self.client.get("/", name="/")

    @task(2)
    def search(self):
        query = random.choice(TARGETS["search_terms"])
        self.client.get("/tiltak/", params={"q": query}, name="/tiltak/?q=")

    @task(1)
    def measure(self):
        pk = random.choice(TARGETS["tiltak"])
        self.client.get(f"/tiltak/{pk}/", name="/tiltak/[pk]/")

    @task(1)
    def organisations(self):
        self.client.get("/organisasjoner/", name="/organisasjoner/")

    @task(2)
    def organisation(self):
        slug = random.choice(TARGETS["organisations"])
        self.client.get(f"/organisasjoner/{slug}/", name="/organisasjoner/[slug]/")


class Planner(PortalUser):
    weight = 1
    wait_time = between(2.0, 5.0)

    def on_start(self):
        super().on_start()
        with _lock:
            self.account = next(_planners)
        self.login(self.account["email"], self.account["password"])
        self.api_headers = {"Authorization": f"Token {self.account['token']}"}
        self.edits = 0

    @task
    def edit_measure(self):
        pk = random.choice(self.account["tiltak"])
        self.client.get(f"/tiltak/{pk}/rediger/", name="/tiltak/[pk]/rediger/")
        current = self.client.get(
            f"/api/tiltak/{pk}/redigering/",
            headers=self.api_headers,
            name="/api/tiltak/[pk]/redigering/",
        )
        if current.status_code != 200:
            return
        self.edits += 1
        self.client.patch(
            f"/api/tiltak/{pk}/",
            json={
                "versjon": current.json()["versjon"],
                "beskrivelse": f"Oppdatert under lasttest ({self.edits}).",
            },
            headers=self.api_headers,
            name="/api/tiltak/[pk]/ [PATCH]",
        )
