"""The one access behaviour of every HTML view (partnerskap/access.py), over every URL of the
programme app, generated from the URLconf so a new view cannot slip past:

- what the user may not see is a 404 for everyone, anonymous visitors included;
- what the user may see but not change is a login redirect (anonymous) or a 403 (logged in).

And the Django admin reads the programme tree but never writes it, superusers included."""

import pytest
from django.urls import reverse

from partnerskap.models import Bruker, BrukerRolle
from tests.factories import (
    AnsvarFactory,
    BrukerFactory,
    DelmaalFactory,
    HandlingsprogramFactory,
    SatsingsomraadeFactory,
    TemaFactory,
    TiltakFactory,
)
from tiltak.models import Handlingsprogram, ProgramStatus, Tema, Tiltak

pytestmark = pytest.mark.django_db

# Pages that only read: a visitor who may see the programme is never refused them outright
# (history and status need a login, so anonymous visitors are sent to log in).
READ_PAGES = {
    "programme_detail",
    "tiltak_detail",
    "programme_export",
    "programme_utfall",
    "programme_import_done",
    "tiltak_history",
    "programme_history",
    "programme_status",
    "programme_deleted",
}
# Read pages that need a login even for a public programme.
LOGIN_READ_PAGES = {"tiltak_history", "programme_history", "programme_status", "programme_deleted"}
# Pages without an object in the URL: the picker's JSON, the comparison form, a new programme.
NO_OBJECT = {
    "programme_list",
    "tiltak_search",
    "organisasjon_list",
    "organisasjon_detail",
    "organisasjon_search",
    "organisasjon_create_json",
    "programme_compare",
    "programme_create",
}


def _tree(status, owner):
    programme = HandlingsprogramFactory(status=status, eier=owner)
    tema = TemaFactory(program=programme, nummer=1)
    delmaal = DelmaalFactory(tema=tema, nummer="1.1")
    satsing = SatsingsomraadeFactory(tema=tema, delmaal=delmaal)
    tiltak = TiltakFactory(tema=tema, delmaal=delmaal, satsingsomraade=satsing, nummer=1)
    ansvar = AnsvarFactory(tiltak=tiltak)
    history_id = Tiltak.history.filter(id=tiltak.pk).values_list("history_id", flat=True)[0]
    return {
        "program": programme,
        "tema": tema,
        "delmaal": delmaal,
        "satsingsomraade": satsing,
        "tiltak": tiltak,
        "ansvar": ansvar,
        "history_id": history_id,
    }


def _object_urls(objects) -> list[tuple[str, str]]:
    """(name, url) for every page of the programme app that names an object."""
    from tiltak.urls import urlpatterns

    urls = []
    for pattern in urlpatterns:
        if pattern.name in NO_OBJECT:
            continue
        first = str(pattern.pattern).split("/")[0]
        kwargs = {}
        for param in pattern.pattern.converters:
            kwargs[param] = {
                "pk": objects[first].pk,
                "tiltak_pk": objects["tiltak"].pk,
                "history_id": objects["history_id"],
            }[param]
        urls.append((pattern.name, reverse(f"tiltak:{pattern.name}", kwargs=kwargs)))
    return urls


def test_every_object_url_is_covered(users):
    names = {name for name, _ in _object_urls(_tree(ProgramStatus.UTKAST, users["county"]))}
    assert {"programme_edit", "tema_delete", "ansvar_remove", "tiltak_restore"} <= names
    assert len(names) >= 30


@pytest.mark.parametrize("role", ["anonymous", "member", "other_planner"])
def test_a_draft_others_may_not_see_is_404_for_everyone(users, client_for, role):
    objects = _tree(ProgramStatus.UTKAST, users["county"])
    client = client_for(role)
    for name, url in _object_urls(objects):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code == 405:  # the method is refused before any lookup
                continue
            assert response.status_code == 404, (role, name, method, response.status_code)
    assert Tema.objects.filter(pk=objects["tema"].pk).exists()
    assert Tiltak.objects.get(pk=objects["tiltak"].pk).versjon == objects["tiltak"].versjon


def test_a_public_programme_asks_anonymous_visitors_to_log_in_before_changing(users):
    from django.test import Client

    objects = _tree(ProgramStatus.PAA_HOERING, users["county"])
    client = Client()
    for name, url in _object_urls(objects):
        response = client.post(url)
        if response.status_code == 405:
            continue
        if name in READ_PAGES - LOGIN_READ_PAGES:
            assert response.status_code != 404, name
            continue
        assert response.status_code == 302, (name, response.status_code)
        assert response["Location"].startswith(reverse("login")), name


@pytest.mark.parametrize("role", ["member", "other_planner", "board"])
def test_a_public_programme_refuses_changes_by_logged_in_users_with_403(users, client_for, role):
    objects = _tree(ProgramStatus.PAA_HOERING, users["county"])
    client = client_for(role)
    for name, url in _object_urls(objects):
        if name in READ_PAGES:
            assert client.get(url).status_code in (200, 302), name
            continue
        response = client.post(url)
        if response.status_code == 405:
            response = client.get(url)
        assert response.status_code == 403, (role, name, response.status_code)
    assert Tiltak.objects.get(pk=objects["tiltak"].pk).versjon == objects["tiltak"].versjon


# --- The admin ------------------------------------------------------------------------------


@pytest.fixture
def superuser_client(client):
    user = BrukerFactory(email="super@example.no", rolle=BrukerRolle.MEDLEM)
    user.is_superuser = user.is_staff = True
    user.save()
    client.force_login(user)
    return client


def test_the_admin_shows_the_programme_tree_but_never_changes_it(users, superuser_client):
    objects = _tree(ProgramStatus.VEDTATT, users["county"])
    tiltak = objects["tiltak"]
    change = reverse("admin:tiltak_tiltak_change", args=[tiltak.pk])
    page = superuser_client.get(change)
    assert page.status_code == 200
    assert 'name="versjon"' not in page.content.decode()  # shown, not an input
    response = superuser_client.post(change, {"tittel": "Endret i admin", "versjon": 99})
    assert response.status_code == 403
    for model in ("handlingsprogram", "tema", "delmaal", "satsingsomraade", "tiltak", "ansvar"):
        assert superuser_client.get(reverse(f"admin:tiltak_{model}_add")).status_code == 403
    delete = reverse("admin:tiltak_tema_delete", args=[objects["tema"].pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    tiltak.refresh_from_db()
    assert tiltak.tittel != "Endret i admin" and tiltak.versjon == objects["tiltak"].versjon
    assert Handlingsprogram.objects.filter(pk=objects["program"].pk).exists()


def test_the_admin_cannot_revert_history(users, superuser_client):
    objects = _tree(ProgramStatus.UTKAST, users["county"])
    tiltak = objects["tiltak"]
    url = reverse("admin:tiltak_tiltak_simple_history", args=[tiltak.pk, objects["history_id"]])
    assert superuser_client.get(url).status_code == 200  # an old version can be read
    response = superuser_client.post(url, {"tittel": "Tilbake", "versjon": 99})
    assert response.status_code == 403
    tiltak.refresh_from_db()
    assert tiltak.tittel != "Tilbake"


def test_the_organisation_registry_stays_editable_in_the_admin(superuser_client):
    assert superuser_client.get(reverse("admin:partnerskap_organisasjon_add")).status_code == 200
    assert superuser_client.get(reverse("admin:partnerskap_bruker_changelist")).status_code == 200


# --- Service errors in HTML views -----------------------------------------------------------


@pytest.mark.parametrize(
    "exception, status, text",
    [
        ("service", 400, "Programmet er vedtatt"),
        ("conflict", 409, "Noen andre lagret"),
        ("validation", 400, "Tittel: skriv en tittel"),
    ],
)
def test_an_uncaught_service_error_is_a_page_with_the_message_not_a_500(
    rf, users, exception, status, text
):
    from django.core.exceptions import ValidationError

    from partnerskap.errors import Conflict, ServiceError
    from partnerskap.middleware import ServiceErrorMiddleware

    error = {
        "service": ServiceError("Programmet er vedtatt."),
        "conflict": Conflict("Noen andre lagret tiltaket."),
        "validation": ValidationError({"tittel": ["Tittel: skriv en tittel."]}),
    }[exception]
    request = rf.post("/tiltak/1/slett/", HTTP_REFERER="http://testserver/tiltak/1/")
    request.user = users["planner"]
    request.htmx = False
    response = ServiceErrorMiddleware(lambda r: None).process_exception(request, error)
    assert response.status_code == status
    page = response.content.decode()
    assert text in page and 'href="http://testserver/tiltak/1/"' in page

    request.htmx = True
    response = ServiceErrorMiddleware(lambda r: None).process_exception(request, error)
    assert response["HX-Refresh"] == "true"

    api_request = rf.post("/api/tiltak/1/")
    assert ServiceErrorMiddleware(lambda r: None).process_exception(api_request, error) is None


def test_a_foreign_referer_is_not_offered_as_the_way_back(rf, users):
    from partnerskap.errors import ServiceError
    from partnerskap.middleware import ServiceErrorMiddleware

    request = rf.post("/tiltak/1/slett/", HTTP_REFERER="https://evil.example/")
    request.user = users["planner"]
    request.htmx = False
    response = ServiceErrorMiddleware(lambda r: None).process_exception(request, ServiceError("x"))
    assert "evil.example" not in response.content.decode()


# --- Superusers are bound by the rules ------------------------------------------------------


def test_a_superuser_is_bound_by_the_lock_of_an_adopted_programme(users, superuser_client):
    from django.core.exceptions import PermissionDenied

    from tiltak.services.excel.preview import programme_import_preview

    objects = _tree(ProgramStatus.VEDTATT, users["county"])
    programme = objects["program"]
    su = Bruker.objects.get(email="super@example.no")
    assert su.has_perm("tiltak.view_programme", programme)
    assert not su.has_perm("tiltak.edit_structure", programme)
    assert not su.has_perm("tiltak.import_programme", programme)
    response = superuser_client.post(
        "/api/temaer/",
        {"program": programme.pk, "navn": "Nytt tema i et vedtatt program"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Tema.objects.filter(navn="Nytt tema i et vedtatt program").exists()
    with pytest.raises(PermissionDenied):
        programme_import_preview(actor=su, programme=programme, data=b"")
    # Django's own model permissions (the admin's) still hold for a superuser.
    assert su.has_perm("tiltak.view_tiltak")


def test_a_superuser_may_still_do_what_an_administrator_may(users, superuser_client):
    objects = _tree(ProgramStatus.UTKAST, users["county"])
    response = superuser_client.post(
        "/api/temaer/",
        {"program": objects["program"].pk, "navn": "Nytt tema i et utkast"},
        content_type="application/json",
    )
    assert response.status_code == 201
