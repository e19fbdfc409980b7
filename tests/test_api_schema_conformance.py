"""The OpenAPI schema matches the API (issue 7, point 20): schemathesis generates requests for every
operation of /api/schema/ and calls the WSGI application in this process, with the demo data
loaded and as the demo Buskerud planner (token) so that writes get past the login. Every answer
must be documented (status code, content type) and validate against the schema; none may be a
5xx.

Bounded: MAX_EXAMPLES per operation (27 operations), derandomized so every run sends the same
requests; about 10–15 s on either database here. Half of the path ids are real objects of the
demo data, so reads and writes reach the objects, not only 404s."""

from __future__ import annotations

import contextlib

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from partnerskap.models import Bruker, Organisasjon
from partnerskap.wsgi import application
from tiltak.models import Ansvar, Delmaal, Handlingsprogram, Satsingsomraade, Tema, Tiltak

MAX_EXAMPLES = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# The objects behind each kind of path, for real ids among the generated ones.
PATH_OBJECTS = {
    "/api/ansvar/": Ansvar.objects,
    "/api/delmaal/": Delmaal.objects,
    "/api/programmer/": Handlingsprogram.objects,
    "/api/satsingsomraader/": Satsingsomraade.objects,
    "/api/temaer/": Tema.objects,
    "/api/tiltak/": Tiltak.objects,
}


@contextlib.contextmanager
def _one_connection():
    """The WSGI handler closes the database connection after each request (as a server must);
    here that would end the test's transaction, so keep it open, as Django's test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _real_ids(path: str) -> list:
    if path.startswith("/api/organisasjoner/"):
        return list(Organisasjon.objects.order_by("pk").values_list("slug", flat=True)[:20])
    for prefix, manager in PATH_OBJECTS.items():
        if path.startswith(prefix):
            return list(manager.order_by("pk").values_list("pk", flat=True)[:20])
    return []


def _references(programme: Handlingsprogram) -> dict[str, list[int]]:
    """Ids of one programme's objects for the references in request bodies."""
    tiltak = Tiltak.objects.filter(program=programme)
    return {
        "program": [programme.pk],
        "tema": list(Tema.objects.filter(program=programme).values_list("pk", flat=True)),
        "delmaal": list(
            Delmaal.objects.filter(tema__program=programme).values_list("pk", flat=True)
        ),
        "satsingsomraade": list(
            Satsingsomraade.objects.filter(tema__program=programme).values_list("pk", flat=True)
        ),
        "tiltak": list(tiltak.values_list("pk", flat=True)[:50]),
        "organisasjon": list(Organisasjon.objects.values_list("pk", flat=True)[:50]),
        "versjon": [1],
    }


def _run(operation, headers: dict, references: dict, statuses: list) -> None:
    real = _real_ids(operation.path)
    name = "slug" if "{slug}" in operation.path else "id"

    @given(
        case=operation.as_strategy(),
        pick=st.one_of(st.none(), st.sampled_from(real or [0])),
        seed=st.one_of(st.none(), st.integers(min_value=0, max_value=10**6)),
    )
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case, pick, seed):
        if pick is not None and real and case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = pick
        if seed is not None and isinstance(case.body, dict):
            for key, ids in references.items():
                if key in case.body and ids:
                    case.body[key] = ids[seed % len(ids)]
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        statuses.append((operation.method.upper(), operation.path, response.status_code))

    check()


@pytest.mark.django_db
def test_every_answer_of_the_api_matches_its_schema():
    call_command("load_demo", verbosity=0)
    planner = Bruker.objects.get(email="planlegger@demo.test")
    headers = {
        "Authorization": f"Token {Token.objects.create(user=planner).key}",
        # Schemathesis' in-process WSGI transport asks for gzip but does not unpack it, as an
        # HTTP client would; the compression itself is tested in tests/ops/test_compression.py.
        "Accept-Encoding": "identity",
    }
    references = _references(
        Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)
    )
    failures = []
    statuses: list[tuple[str, str, int]] = []
    operations = 0
    with _one_connection():
        schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1
            try:
                _run(operation, headers, references, statuses)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # schemathesis raises exception groups: collect all
                failures.append(f"{operation.method.upper()} {operation.path}:\n{exc}")
    assert operations >= 27
    assert not failures, "\n\n".join(failures)
    # The token got the writes past the login: each kind of write succeeded at least once.
    assert {method for method, _path, code in statuses if code < 300} == {
        "GET",
        "POST",
        "PATCH",
        "DELETE",
    }
    assert 250 <= len(statuses) <= MAX_EXAMPLES * operations


# --- What it found, pinned down -------------------------------------------------------------


@pytest.fixture
def schema_document(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


@pytest.mark.django_db
def test_read_endpoints_document_their_errors(schema_document):
    paths = schema_document["paths"]
    for path, operations in paths.items():
        get = operations.get("get")
        if get is None:
            continue
        if "{" in path:
            assert "404" in get["responses"], path
        else:  # lists: a page beyond the last is 404
            assert "404" in get["responses"], path
    # Lists with filters answer 400 for an invalid filter value.
    assert "400" in paths["/api/tiltak/"]["get"]["responses"]
    assert "400" in paths["/api/organisasjoner/"]["get"]["responses"]


@pytest.mark.django_db
def test_a_tiltak_without_type_validates_in_both_tiltak_schemas(schema_document):
    components = schema_document["components"]["schemas"]
    assert components["Tiltak"]["properties"]["type"]["nullable"] is True
    # The editing form's type: "" (no type) and a code each match exactly one alternative of
    # its oneOf; "" matched two before (the pattern allowed it, and drf-spectacular's blank).
    type_schema = {"oneOf": components["TiltakEdit"]["properties"]["type"]["oneOf"]}
    Draft7Validator(type_schema).validate("")
    Draft7Validator(type_schema).validate("prosjekt")
    assert not Draft7Validator(type_schema).is_valid("tull")


@pytest.mark.django_db
def test_the_reason_for_a_transition_is_documented_and_accepted_up_to_5000(client, schema_document):
    reason = schema_document["components"]["schemas"]["TransitionRequest"]["properties"]["reason"]
    assert reason["maxLength"] == 5000
    call_command("load_demo", verbosity=0)
    admin = Bruker.objects.get(email="admin@demo.test")
    client.force_login(admin)
    buskerud = Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)
    url = f"/api/programmer/{buskerud.pk}/status/"
    assert (
        client.post(url, {"status": "vedtatt"}, content_type="application/json").status_code == 200
    )
    too_long = client.post(
        url, {"status": "paa_hoering", "reason": "x" * 5001}, content_type="application/json"
    )
    assert too_long.status_code == 400
    assert list(too_long.json()) == ["reason"]
    accepted = client.post(
        url, {"status": "paa_hoering", "reason": "x" * 5000}, content_type="application/json"
    )
    assert accepted.status_code == 200, accepted.content
