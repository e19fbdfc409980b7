"""Error answers: the portal's own pages in Norwegian with a way back, JSON for the API, 503
with Retry-After when the database does not answer."""

import pytest
from django.db import connections
from django.db.utils import OperationalError

from partnerskap import handlers
from partnerskap.middleware import ServiceErrorMiddleware
from tests.factories import HandlingsprogramFactory
from tiltak.models import ProgramStatus

pytestmark = pytest.mark.django_db


def _real_database_error() -> OperationalError:
    """What Django raises when its database cannot be opened: a SQLite file in a directory
    that does not exist (a real connection attempt, not a stand-in)."""
    settings = dict(connections["default"].settings_dict)
    settings.update(ENGINE="django.db.backends.sqlite3", NAME="/nonexistent-dir/portal.sqlite3")
    from django.db.backends.sqlite3.base import DatabaseWrapper

    wrapper = DatabaseWrapper(settings, alias="broken")
    try:
        wrapper.ensure_connection()
    except OperationalError as exc:
        return exc
    finally:
        wrapper.close()
    raise AssertionError("the broken database opened")


def test_403_is_the_portals_page_in_norwegian_with_a_way_back(users, client_for):
    programme = HandlingsprogramFactory(status=ProgramStatus.PAA_HOERING, eier=users["county"])
    response = client_for("member").get(f"/program/{programme.pk}/rediger/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Du har ikke tilgang til dette" in page
    assert 'class="portal-header"' in page and 'href="/"' in page
    assert "403 Forbidden" not in page


def test_api_errors_are_json_never_html(client, users, client_for):
    response = client.get("/api/finnes-ikke/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Finnes ikke."}
    draft = HandlingsprogramFactory(status=ProgramStatus.UTKAST, eier=users["county"])
    response = client.get(f"/api/programmer/{draft.pk}/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"


def test_500_is_the_portals_page_and_json_for_the_api(rf):
    try:
        raise ValueError("a bug")
    except ValueError:
        page = handlers.server_error(rf.get("/program/1/"))
        api = handlers.server_error(rf.get("/api/programmer/1/"))
    assert page.status_code == 500
    text = page.content.decode()
    assert "Noe gikk galt" in text and 'class="portal-header"' in text
    assert "Ingenting du sendte inn ble endret" in text
    assert api.status_code == 500 and api["Content-Type"] == "application/json"


def test_a_database_that_does_not_answer_is_503_with_retry_after(rf):
    error = _real_database_error()
    middleware = ServiceErrorMiddleware(lambda request: None)
    for path, content_type in (("/program/1/", "text/html"), ("/api/tiltak/", "application/json")):
        request = rf.get(path)
        response = middleware.process_exception(request, error)
        assert response.status_code == 503, path
        assert response["Retry-After"] == "30"
        assert response["Content-Type"].startswith(content_type)
    # Outside a view (e.g. while loading the session) the 500 handler answers the same way.
    try:
        raise error
    except OperationalError:
        response = handlers.server_error(rf.get("/"))
    assert response.status_code == 503
    assert "Portalen er ikke tilgjengelig akkurat nå" in response.content.decode()
