"""Login, logout, passwords, invitations and user administration (issue 3, part 1)."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from partnerskap import services
from partnerskap.forms import LOGIN_FAILURE_LIMIT
from partnerskap.models import Bruker, BrukerRolle
from tests.budgets import assert_same_queries, count_queries
from tests.conftest import ROLES
from tests.factories import BrukerFactory, OrganisasjonFactory

PASSWORD = "riktig-passord-123"
NEW_PASSWORD = "Fjellvegen-17-Gol"
LOGIN_URL = "/konto/logg-inn/"


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    # The login throttle counts failures in the cache (a database table, or Redis when
    # REDIS_URL is set); tests must not share counts.
    cache.clear()
    yield
    cache.clear()


def _login(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN_URL, {"username": email, "password": password, **extra})


def _logged_in_id(client: Client):
    return client.session.get("_auth_user_id")


def _invite(admin_client: Client, users, **overrides):
    data = {
        "email": "ny.person@hol.kommune.no",
        "first_name": "Ola",
        "last_name": "Nordmann",
        "organisasjon": users["kommune"].pk,
        "rolle": BrukerRolle.MEDLEM,
        **overrides,
    }
    return admin_client.post(reverse("account_user_invite"), data)


def _invitation_path(message) -> str:
    match = re.search(r"http://testserver(/konto/invitasjon/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


# Login and logout ----------------------------------------------------------------------------


def test_login_page_has_an_email_field(db):
    response = Client().get(LOGIN_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<input[^>]*type="email"[^>]*name="username"', html)
    assert 'autocomplete="email"' in html
    assert 'autocomplete="current-password"' in html
    assert 'for="id_username"' in html


def test_login_with_mixed_case_email(users):
    client = Client()
    response = _login(client, "PlanLegger@TestFylket.NO")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _logged_in_id(client) == str(users["planner"].pk)


@pytest.mark.parametrize("email", ["planlegger@testfylket.no", "finnes.ikke@example.no"])
def test_wrong_password_and_unknown_email_get_the_same_message(users, email):
    client = Client()
    response = _login(client, email, password="feil-passord")
    assert response.status_code == 200
    assert _logged_in_id(client) is None
    form = response.context["form"]
    assert [e.code for e in form.non_field_errors().as_data()] == ["invalid_login"]
    message = form.non_field_errors()[0]
    assert "password" in message.lower() or "passord" in message.lower()
    assert message in response.content.decode()


def test_inactive_user_is_refused_with_the_same_message(users):
    planner = users["planner"]
    planner.is_active = False
    planner.save()
    client = Client()
    response = _login(client, planner.email)
    assert response.status_code == 200
    assert _logged_in_id(client) is None
    codes = [e.code for e in response.context["form"].non_field_errors().as_data()]
    assert codes == ["invalid_login"]


def test_next_is_honoured(users):
    client = Client()
    response = _login(client, users["member"].email, next="/konto/?fane=1")
    assert response.status_code == 302
    assert response["Location"] == "/konto/?fane=1"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/konto/", "http://evil.example"]
)
def test_external_next_is_ignored(users, next_url):
    client = Client()
    response = _login(client, users["member"].email, next=next_url)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _logged_in_id(client) == str(users["member"].pk)


def test_login_page_keeps_next_in_the_form(db):
    response = Client().get(LOGIN_URL, {"next": "/konto/brukere/"})
    assert '<input type="hidden" name="next" value="/konto/brukere/">' in response.content.decode()
    external = Client().get(LOGIN_URL, {"next": "https://evil.example/"})
    assert '<input type="hidden" name="next"' not in external.content.decode()


def test_login_page_says_why_only_when_a_page_required_it(users):
    """Issue 7: «Logg inn for å se denne siden» after a protected page sent you here, not on a
    plain visit nor after the header's «Logg inn» link (which carries a `next` too)."""
    why = "Logg inn for å se denne siden."
    assert why not in Client().get(LOGIN_URL).content.decode()
    header_link = Client().get(LOGIN_URL, {"next": "/organisasjoner/"})
    assert why not in header_link.content.decode()
    assert '<input type="hidden" name="next" value="/organisasjoner/">' in (
        header_link.content.decode()
    )

    for protected in (reverse("account_profile"), reverse("account_user_list")):
        response = Client().get(protected, follow=True)
        assert response.redirect_chain[-1][0].startswith(f"{LOGIN_URL}?next=")
        page = response.content.decode()
        assert why in page
        assert 'role="status"' in page
        # Said once: reloading the login page does not repeat it.
        assert why not in Client().get(response.redirect_chain[-1][0]).content.decode()


def test_repeated_failures_are_throttled(users):
    client = Client()
    for _ in range(LOGIN_FAILURE_LIMIT):
        _login(client, "planlegger@testfylket.no", password="feil")
    response = _login(client, "planlegger@testfylket.no")  # right password, too late
    assert response.status_code == 200
    assert _logged_in_id(client) is None
    codes = [e.code for e in response.context["form"].non_field_errors().as_data()]
    assert codes == ["throttled"]
    # Another address from the same place is not affected.
    assert _login(Client(), users["member"].email).status_code == 302


def test_successful_login_resets_the_failure_count(users):
    client = Client()
    for _ in range(LOGIN_FAILURE_LIMIT - 1):
        _login(client, users["member"].email, password="feil")
    assert _login(client, users["member"].email).status_code == 302
    client.post(reverse("logout"))
    for _ in range(LOGIN_FAILURE_LIMIT - 1):
        _login(client, users["member"].email, password="feil")
    assert _login(client, users["member"].email).status_code == 302


def test_logout_requires_post(client_for, users):
    client = client_for("member")
    assert client.get(reverse("logout")).status_code == 405
    assert _logged_in_id(client) == str(users["member"].pk)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert _logged_in_id(client) is None


# The user menu and Min side ------------------------------------------------------------------


def test_user_menu_for_anonymous_offers_login(db):
    html = Client().get("/organisasjoner/").content.decode()
    assert 'href="/konto/logg-inn/?next=/organisasjoner/"' in html
    assert reverse("logout") not in html


@pytest.mark.parametrize("role", ["administrator", "planner", "member", "board"])
def test_user_menu_for_logged_in_users(client_for, users, role):
    html = client_for(role).get("/organisasjoner/").content.decode()
    user = users[role]
    assert user.get_full_name() in html
    assert str(user.get_rolle_display()) in html
    assert user.organisasjon.navn in html
    assert f'action="{reverse("logout")}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert (reverse("account_user_list") in html) is (role == "administrator")


def test_profile_shows_organisation_and_role(client_for, users):
    response = client_for("planner").get(reverse("account_profile"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Testfylket fylkeskommune" in html
    assert str(users["planner"].get_rolle_display()) in html
    assert reverse("password_change") in html


def test_profile_needs_login(db):
    response = Client().get(reverse("account_profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN_URL}?next=/konto/")


def test_password_change(client_for, users):
    client = client_for("member")
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    assert _login(Client(), users["member"].email, NEW_PASSWORD).status_code == 302


# Password reset ------------------------------------------------------------------------------


def test_password_reset_sends_a_working_link(users):
    client = Client()
    response = client.post(reverse("password_reset"), {"email": "MEDLEM@testby.no"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    match = re.search(r"http://testserver(/konto/passord/ny/\S+/\S+/)", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    response = client.get(match.group(1), follow=True)
    assert response.context["validlink"] is True
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("password_reset_complete")
    assert _login(Client(), users["member"].email, NEW_PASSWORD).status_code == 302


def test_password_reset_for_unknown_email_looks_the_same_and_sends_nothing(db):
    response = Client().post(reverse("password_reset"), {"email": "ingen@example.no"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


# Invitations ---------------------------------------------------------------------------------


def test_invite_sends_one_email_whose_link_sets_the_password(client_for, users):
    response = _invite(client_for("administrator"), users, email="Ny.Person@Hol.Kommune.no")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_user_list")

    invitee = Bruker.objects.get(email="ny.person@hol.kommune.no")
    assert invitee.is_active
    assert not invitee.has_usable_password()
    assert invitee.organisasjon == users["kommune"]
    assert invitee.rolle == BrukerRolle.MEDLEM
    assert LogEntry.objects.filter(object_id=str(invitee.pk), user=users["administrator"]).exists()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ny.person@hol.kommune.no"]
    assert "Testby kommune" in message.body
    path = _invitation_path(message)

    # Before accepting, the invitee cannot log in.
    assert _login(Client(), invitee.email, "").status_code == 200

    browser = Client()
    response = browser.get(path)
    assert response.status_code == 302  # the token moves into the session
    form_page = browser.get(response["Location"])
    assert form_page.context["validlink"] is True
    assert "ny.person@hol.kommune.no" in form_page.content.decode()
    response = browser.post(
        response["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_profile")
    assert _logged_in_id(browser) == str(invitee.pk)

    fresh = Client()
    assert _login(fresh, "ny.person@hol.kommune.no", NEW_PASSWORD).status_code == 302
    assert _logged_in_id(fresh) == str(invitee.pk)

    # The link works once.
    again = Client()
    response = again.get(path, follow=True)
    assert response.status_code == 200
    assert response.context["validlink"] is False
    assert response.context["form"] is None


def test_invitation_link_with_a_weak_password_is_refused_and_stays_valid(client_for, users):
    _invite(client_for("administrator"), users)
    path = _invitation_path(mail.outbox[0])
    browser = Client()
    set_url = browser.get(path)["Location"]
    response = browser.post(set_url, {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    assert not Bruker.objects.get(email="ny.person@hol.kommune.no").has_usable_password()
    assert Client().get(path).status_code == 302  # still a valid link


def test_duplicate_invite_is_refused_without_side_effects(client_for, users):
    member = users["member"]
    before = Bruker.objects.count()
    response = _invite(
        client_for("administrator"),
        users,
        email="Medlem@Testby.NO",
        organisasjon=users["other"].pk,
        rolle=BrukerRolle.ADMINISTRATOR,
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert Bruker.objects.count() == before
    assert mail.outbox == []
    member.refresh_from_db()
    assert member.rolle == BrukerRolle.MEDLEM
    assert member.organisasjon == users["kommune"]
    assert member.check_password(PASSWORD)


def test_invite_with_bad_input_names_the_fields(client_for, users):
    response = _invite(
        client_for("administrator"), users, email="ikke-en-adresse", rolle="keiser", organisasjon=""
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"email", "rolle", "organisasjon"}
    assert mail.outbox == []


def test_invite_service_requires_permission(users):
    with pytest.raises(PermissionDenied):
        services.bruker_invite(
            actor=users["planner"],
            email="x@example.no",
            first_name="X",
            last_name="Y",
            organisasjon=users["county"],
            rolle=BrukerRolle.ADMINISTRATOR,
            request_base_url="http://testserver/",
        )
    assert not Bruker.objects.filter(email="x@example.no").exists()
    assert mail.outbox == []


def test_invited_user_can_recover_with_forgot_password(client_for, users):
    _invite(client_for("administrator"), users)
    mail.outbox.clear()
    Client().post(reverse("password_reset"), {"email": "ny.person@hol.kommune.no"})
    assert len(mail.outbox) == 1


def test_resend_invitation(client_for, users):
    admin = client_for("administrator")
    _invite(admin, users)
    invitee = Bruker.objects.get(email="ny.person@hol.kommune.no")
    response = admin.post(reverse("account_user_invitation_resend", args=[invitee.pk]))
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    # Not for someone who already has a password.
    admin.post(reverse("account_user_invitation_resend", args=[users["member"].pk]))
    assert len(mail.outbox) == 2


# User administration -------------------------------------------------------------------------


def _admin_pages(users):
    member_pk = users["member"].pk
    return [
        ("get", reverse("account_user_list"), 200),
        ("get", reverse("account_user_invite"), 200),
        ("get", reverse("account_user_update", args=[member_pk]), 200),
        ("post", reverse("account_user_invitation_resend", args=[member_pk]), 302),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client_for, users, role):
    client = client_for(role)
    for method, url, admin_status in _admin_pages(users):
        response = getattr(client, method)(url)
        if role == "anonymous":
            assert response.status_code == 302, url
            assert response["Location"].startswith(f"{LOGIN_URL}?next="), url
        elif role == "administrator":
            assert response.status_code == admin_status, url
        else:
            assert response.status_code == 403, (role, url)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "administrator"])
def test_non_admins_cannot_write(client_for, users, role):
    client = client_for(role)
    _invite(client, users)
    client.post(
        reverse("account_user_update", args=[users["member"].pk]),
        {"rolle": BrukerRolle.ADMINISTRATOR, "organisasjon": users["county"].pk, "is_active": "on"},
    )
    assert not Bruker.objects.filter(email="ny.person@hol.kommune.no").exists()
    assert mail.outbox == []
    users["member"].refresh_from_db()
    assert users["member"].rolle == BrukerRolle.MEDLEM


def test_user_list_shows_the_columns(client_for, users):
    users["planner"].last_login = None
    users["planner"].save()
    response = client_for("administrator").get(reverse("account_user_list"))
    html = response.content.decode()
    for role in ("planner", "member", "board"):
        assert users[role].email in html
    assert "Testby kommune" in html
    assert str(BrukerRolle.STYREMEDLEM.label) in html
    assert reverse("account_user_update", args=[users["member"].pk]) in html


def test_user_list_filters(client_for, users):
    client = client_for("administrator")
    page = client.get(reverse("account_user_list"), {"rolle": BrukerRolle.PLANLEGGER})
    assert {u.email for u in page.context["page"]} == {
        users["planner"].email,
        users["other_planner"].email,
    }
    page = client.get(reverse("account_user_list"), {"q": "annen"})
    assert {u.email for u in page.context["page"]} == {
        users["other_planner"].email,
        users["other_member"].email,
    }
    page = client.get(reverse("account_user_list"), {"rolle": "keiser", "status": "x"})
    assert page.status_code == 200
    assert page.context["page"].paginator.count == Bruker.objects.count()


def test_user_list_query_count_is_the_same_for_ten_times_the_users(db):
    orgs = OrganisasjonFactory.create_batch(5)
    admin = BrukerFactory(organisasjon=orgs[0], rolle=BrukerRolle.ADMINISTRATOR)
    client = Client()
    client.force_login(admin)
    for i in range(4):
        BrukerFactory(organisasjon=orgs[i % 5], rolle=BrukerRolle.PLANLEGGER)
    url = reverse("account_user_list")
    small, small_rows = count_queries(client, url), len(client.get(url).context["page"])
    for i in range(45):
        BrukerFactory(organisasjon=orgs[i % 5], last_login="2024-05-01T10:00:00+02:00")
    large, large_rows = count_queries(client, url), len(client.get(url).context["page"])
    assert (small_rows, large_rows) == (5, 50)
    assert_same_queries(small, large, ceiling=8, sizes=(small_rows, large_rows))


def test_admin_changes_another_user(client_for, users):
    member = users["member"]
    response = client_for("administrator").post(
        reverse("account_user_update", args=[member.pk]),
        {"rolle": BrukerRolle.PLANLEGGER, "organisasjon": users["county"].pk},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.rolle == BrukerRolle.PLANLEGGER
    assert member.organisasjon == users["county"]
    assert member.is_active is False  # the unchecked checkbox
    entry = LogEntry.objects.get(object_id=str(member.pk))
    assert entry.user == users["administrator"]
    assert "role" in entry.change_message and "active" in entry.change_message
    # A deactivated user cannot log in any more.
    assert _logged_in_id(_login_client(member.email)) is None


def _login_client(email):
    client = Client()
    _login(client, email)
    return client


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"rolle": BrukerRolle.PLANLEGGER, "is_active": "on"}, "rolle"),
        ({"rolle": BrukerRolle.ADMINISTRATOR}, "is_active"),
    ],
)
def test_admin_cannot_demote_or_deactivate_themselves(client_for, users, data, field):
    admin = users["administrator"]
    response = client_for("administrator").post(
        reverse("account_user_update", args=[admin.pk]),
        {"organisasjon": users["kommune"].pk, **data},
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    admin.refresh_from_db()
    assert admin.rolle == BrukerRolle.ADMINISTRATOR
    assert admin.is_active
    assert admin.organisasjon == users["county"]  # nothing changed, not even the organisation
    assert not LogEntry.objects.filter(object_id=str(admin.pk)).exists()


def test_admin_may_change_own_organisation(client_for, users):
    admin = users["administrator"]
    response = client_for("administrator").post(
        reverse("account_user_update", args=[admin.pk]),
        {"rolle": BrukerRolle.ADMINISTRATOR, "organisasjon": users["kommune"].pk, "is_active": "1"},
    )
    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.organisasjon == users["kommune"]


def test_only_a_superuser_may_change_a_superuser(users):
    root = Bruker.objects.create_superuser("root@example.no", "x-long-password-1")
    with pytest.raises(PermissionDenied):
        services.bruker_update(
            actor=users["administrator"],
            bruker=root,
            rolle=BrukerRolle.MEDLEM,
            organisasjon=users["kommune"],
            is_active=False,
        )
    root.refresh_from_db()
    assert root.is_active


def test_update_of_unknown_user_is_404(client_for):
    assert (
        client_for("administrator").get(reverse("account_user_update", args=[99999])).status_code
        == 404
    )


def test_update_service_refuses_missing_organisation(users):
    with pytest.raises(ValidationError) as exc:
        services.bruker_update(
            actor=users["administrator"],
            bruker=users["member"],
            rolle=BrukerRolle.MEDLEM,
            organisasjon=None,
            is_active=True,
        )
    assert "organisasjon" in exc.value.message_dict
