"""The status workflow of a programme: every allowed and refused transition, reasons, the lock
after adoption, and the status panel and page in the browser."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from partnerskap.errors import ServiceError
from tests.budgets import assert_same_queries, count_queries
from tests.factories import (
    AnsvarFactory,
    DelmaalFactory,
    HandlingsprogramFactory,
    SatsingsomraadeFactory,
    TemaFactory,
    TiltakFactory,
)
from tiltak.models import Ansvar, Handlingsprogram, ProgramStatus, Rolle, Tema, Tiltak
from tiltak.services import ansvar as ansvar_services
from tiltak.services import structure
from tiltak.services import tiltak as tiltak_services
from tiltak.services.workflow import TRANSITIONS, allowed_transitions, programme_transition

pytestmark = pytest.mark.django_db

S = ProgramStatus
ALL_PAIRS = [(a, b) for a in S.values for b in S.values if a != b]
ALLOWED_WITHOUT_REASON = {
    (S.UTKAST, S.PAA_HOERING),
    (S.PAA_HOERING, S.VEDTATT),
}
# Off the public site (på høring → utkast, vedtatt → utkast/arkivert), back from adopted, or
# reopening an archive: a reason, in the service, so the API cannot skip it either.
ALLOWED_WITH_REASON = {
    (S.PAA_HOERING, S.UTKAST),
    (S.VEDTATT, S.ARKIVERT),
    (S.VEDTATT, S.PAA_HOERING),
    (S.VEDTATT, S.UTKAST),
    (S.ARKIVERT, S.VEDTATT),
}


@pytest.fixture
def programme(users):
    return HandlingsprogramFactory(eier=users["county"], status=S.UTKAST)


def _set_status(programme, status):
    Handlingsprogram.objects.filter(pk=programme.pk).update(status=status)
    programme.refresh_from_db()


def test_the_transition_table_is_exactly_the_documented_one():
    assert {k for k, v in TRANSITIONS.items() if not v} == ALLOWED_WITHOUT_REASON
    assert {k for k, v in TRANSITIONS.items() if v} == ALLOWED_WITH_REASON
    assert [t.to_status for t in allowed_transitions(S.VEDTATT)] == [
        S.UTKAST,
        S.PAA_HOERING,
        S.ARKIVERT,
    ]
    assert [t.to_status for t in allowed_transitions(S.ARKIVERT)] == [S.VEDTATT]


@pytest.mark.parametrize(("frm", "to"), sorted(ALLOWED_WITHOUT_REASON))
def test_allowed_transition_without_reason(users, programme, frm, to):
    _set_status(programme, frm)
    programme_transition(actor=users["planner"], programme=programme, to_status=to)
    programme.refresh_from_db()
    assert programme.status == to
    row = programme.history.latest()
    assert row.status == to
    assert row.history_user == users["planner"]


@pytest.mark.parametrize(("frm", "to"), sorted(ALLOWED_WITH_REASON))
def test_going_back_needs_a_reason_and_stores_it(users, programme, frm, to):
    _set_status(programme, frm)
    before = programme.history.count()
    for empty in ("", "   \n "):
        with pytest.raises(ValidationError) as exc:
            programme_transition(
                actor=users["planner"], programme=programme, to_status=to, reason=empty
            )
        assert "reason" in exc.value.message_dict
        assert "Reason" in exc.value.message_dict["reason"][0] or "Begrunnelse" in str(exc.value)
    programme.refresh_from_db()
    assert programme.status == frm
    assert programme.history.count() == before

    programme_transition(
        actor=users["administrator"],
        programme=programme,
        to_status=to,
        reason="Fylkestinget sendte programmet tilbake",
    )
    programme.refresh_from_db()
    assert programme.status == to
    row = programme.history.latest()
    assert row.history_change_reason == "Fylkestinget sendte programmet tilbake"
    assert row.history_user == users["administrator"]


@pytest.mark.parametrize(
    ("frm", "to"), [p for p in ALL_PAIRS if p not in ALLOWED_WITHOUT_REASON | ALLOWED_WITH_REASON]
)
def test_refused_transition_changes_nothing(users, programme, frm, to):
    _set_status(programme, frm)
    before = programme.history.count()
    with pytest.raises(ValidationError) as exc:
        programme_transition(
            actor=users["planner"], programme=programme, to_status=to, reason="Fordi"
        )
    assert list(exc.value.message_dict) == ["status"]
    programme.refresh_from_db()
    assert programme.status == frm
    assert programme.history.count() == before


@pytest.mark.parametrize("to", ["", "godkjent", "utkast"])
def test_unknown_or_same_status_is_refused(users, programme, to):
    with pytest.raises(ValidationError) as exc:
        programme_transition(actor=users["planner"], programme=programme, to_status=to)
    assert "status" in exc.value.message_dict


def test_long_reason_is_kept_whole(users, programme):
    _set_status(programme, S.VEDTATT)
    reason = "Fylkesutvalget opphevet vedtaket i møte 12. mars; " * 10
    programme_transition(
        actor=users["planner"], programme=programme, to_status=S.UTKAST, reason=reason
    )
    assert programme.history.first().history_change_reason == reason.strip()


def test_absurdly_long_reason_is_refused_not_truncated(users, programme):
    _set_status(programme, S.VEDTATT)
    with pytest.raises(ValidationError) as exc:
        programme_transition(
            actor=users["planner"], programme=programme, to_status=S.UTKAST, reason="x" * 5001
        )
    assert "reason" in exc.value.message_dict
    programme.refresh_from_db()
    assert programme.status == S.VEDTATT


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("administrator", True),
        ("planner", True),
        ("other_planner", False),
        ("member", False),
        ("other_member", False),
        ("board", False),
        ("anonymous", False),
    ],
)
def test_only_admins_and_the_owning_planners_may_transition(users, programme, role, allowed):
    if allowed:
        programme_transition(actor=users[role], programme=programme, to_status=S.PAA_HOERING)
        programme.refresh_from_db()
        assert programme.status == S.PAA_HOERING
    else:
        with pytest.raises(PermissionDenied):
            programme_transition(actor=users[role], programme=programme, to_status=S.PAA_HOERING)
        programme.refresh_from_db()
        assert programme.status == S.UTKAST


# --- The lock -----------------------------------------------------------------------------


@pytest.fixture
def adopted_tree(users, programme):
    tema = TemaFactory(program=programme, nummer=1)
    delmaal = DelmaalFactory(tema=tema)
    satsing = SatsingsomraadeFactory(tema=tema, delmaal=delmaal)
    tiltak = TiltakFactory(tema=tema, program=programme, delmaal=delmaal, satsingsomraade=satsing)
    ansvar = AnsvarFactory(tiltak=tiltak, organisasjon=users["kommune"])
    planner = users["planner"]
    programme_transition(actor=planner, programme=programme, to_status=S.PAA_HOERING)
    programme_transition(actor=planner, programme=programme, to_status=S.VEDTATT)
    return {
        "programme": programme,
        "tema": tema,
        "delmaal": delmaal,
        "satsing": satsing,
        "tiltak": tiltak,
        "ansvar": ansvar,
    }


def test_adopted_programme_refuses_structural_edits_but_not_tiltak_status(users, adopted_tree):
    planner = users["planner"]
    t = adopted_tree
    refused = [
        lambda: structure.tema_create(actor=planner, program=t["programme"], navn="Ny"),
        lambda: structure.tema_update(actor=planner, tema=t["tema"], navn="Nytt navn"),
        lambda: structure.tema_delete(actor=planner, tema=t["tema"]),
        lambda: structure.delmaal_create(actor=planner, tema=t["tema"], navn="Nytt delmål"),
        lambda: structure.delmaal_update(actor=planner, delmaal=t["delmaal"], navn="Endret"),
        lambda: structure.satsingsomraade_create(actor=planner, tema=t["tema"], navn="Ny"),
        lambda: tiltak_services.tiltak_create(actor=planner, tema=t["tema"], tittel="Nytt tiltak"),
        lambda: tiltak_services.tiltak_update(
            actor=planner, tiltak=t["tiltak"], expected_versjon=1, tittel="Ny tittel"
        ),
        lambda: tiltak_services.tiltak_delete(actor=planner, tiltak=t["tiltak"], reason="Feil"),
        lambda: ansvar_services.ansvar_add(
            actor=planner,
            tiltak=t["tiltak"],
            organisasjon=users["other"],
            rolle=Rolle.SAMARBEIDSPART,
        ),
        lambda: ansvar_services.ansvar_remove(actor=planner, ansvar=t["ansvar"]),
    ]
    for attempt in refused:
        with pytest.raises((PermissionDenied, ServiceError)):
            attempt()
    assert Tema.objects.filter(program=t["programme"]).count() == 1
    assert Tiltak.objects.get(pk=t["tiltak"].pk).tittel == t["tiltak"].tittel
    assert Ansvar.objects.filter(tiltak=t["tiltak"]).count() == 1

    updated = tiltak_services.tiltak_update(
        actor=planner, tiltak=t["tiltak"], expected_versjon=1, status="paagaar"
    )
    assert updated.status == "paagaar"
    assert Tiltak.objects.get(pk=t["tiltak"].pk).status == "paagaar"


def test_going_back_to_draft_unlocks_structure(users, adopted_tree):
    planner = users["planner"]
    programme = adopted_tree["programme"]
    programme_transition(actor=planner, programme=programme, to_status=S.UTKAST, reason="Må rettes")
    structure.tema_update(actor=planner, tema=adopted_tree["tema"], navn="Nytt navn")
    assert Tema.objects.get(pk=adopted_tree["tema"].pk).navn == "Nytt navn"


def test_archived_programme_refuses_even_tiltak_status(users, adopted_tree):
    planner = users["planner"]
    programme_transition(
        actor=planner,
        programme=adopted_tree["programme"],
        to_status=S.ARKIVERT,
        reason="Perioden er over",
    )
    with pytest.raises(PermissionDenied):
        tiltak_services.tiltak_update(
            actor=planner, tiltak=adopted_tree["tiltak"], expected_versjon=1, status="paagaar"
        )


# --- In the browser -----------------------------------------------------------------------


def _buttons(html: str) -> list[str]:
    """The statuses the panel moves to with one click (POST buttons)."""
    return re.findall(r'name="to_status"\s+value="([^"]+)"', html)


def _confirm_buttons(html: str) -> list[str]:
    """The statuses the panel only opens a confirmation step for (GET buttons, danger)."""
    return re.findall(r'data-color="danger"\s+type="submit"\s+name="til"\s+value="([^"]+)"', html)


def _status_url(programme):
    return reverse("tiltak:programme_status", kwargs={"pk": programme.pk})


def test_programme_page_loads_the_status_panel_for_logged_in_viewers(client_for, programme):
    page = client_for("planner").get(programme.get_absolute_url()).content.decode()
    assert f'hx-get="{_status_url(programme)}"' in page
    assert reverse("tiltak:programme_history", kwargs={"pk": programme.pk}) in page
    # the public sees no panel on a public programme
    _set_status(programme, S.VEDTATT)
    page = client_for("anonymous").get(programme.get_absolute_url()).content.decode()
    assert _status_url(programme) not in page


def test_status_panel_shows_allowed_buttons_only(client_for, programme):
    _set_status(programme, S.VEDTATT)
    response = client_for("planner").get(_status_url(programme), headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # the partial, for htmx
    # From adopted every way needs a confirmation: none is one click.
    assert _buttons(html) == []
    assert _confirm_buttons(html) == ["utkast", "paa_hoering", "arkivert"]


def test_status_panel_sets_the_destructive_button_apart(client_for, programme):
    _set_status(programme, S.PAA_HOERING)
    html = client_for("planner").get(_status_url(programme)).content.decode()
    # Forward is one click (primary); back to draft is a different, danger-coloured button
    # that only opens the confirmation step (a GET form, so nothing changes on click).
    assert _buttons(html) == ["vedtatt"]
    assert _confirm_buttons(html) == ["utkast"]
    back_form = html[html.index('class="portal-status-panel__back"') - 200 :]
    assert 'method="get"' in back_form[: back_form.index("portal-status-panel__back")]
    assert 'name="reason"' in html  # optional reason for the forward move


def test_status_panel_without_permission_shows_no_buttons(client_for, programme):
    response = client_for("board").get(_status_url(programme))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert _buttons(html) == []
    assert "portal-status-panel__form" not in html and 'name="reason"' not in html
    # The board sees the current status, the draft's, and nothing to change it with.
    assert re.search(
        r'Gjeldende status:\s*<span class="ds-tag"\s+data-color="info">Utkast</span>', html
    )


def test_transition_in_the_browser_and_its_history(client_for, users, programme):
    client = client_for("planner")
    response = client.post(_status_url(programme), {"to_status": "paa_hoering", "reason": ""})
    assert response.status_code == 302
    assert response.url == _status_url(programme)
    programme.refresh_from_db()
    assert programme.status == S.PAA_HOERING
    page = client.get(response.url).content.decode()
    assert "På høring" in page  # the message and the history
    assert "Kari Nordmann" in page and "Testfylket fylkeskommune" in page

    client.post(_status_url(programme), {"to_status": "vedtatt"})
    client.post(
        _status_url(programme),
        {"to_status": "utkast", "reason": "Feil i tabell 3", "bekreftet": "1"},
    )
    programme.refresh_from_db()
    assert programme.status == S.UTKAST
    page = client.get(_status_url(programme)).content.decode()
    table = " ".join(page[page.index("<tbody>") :].split())
    assert "Feil i tabell 3" in table
    assert table.index("Feil i tabell 3") < table.index("På høring → Vedtatt")  # newest first


def test_refused_transition_in_the_browser_gives_a_clear_message(client_for, programme):
    _set_status(programme, S.VEDTATT)
    response = client_for("planner").post(
        _status_url(programme), {"to_status": "utkast", "bekreftet": "1"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "ds-error-summary" in html
    assert 'aria-invalid="true"' in html
    programme.refresh_from_db()
    assert programme.status == S.VEDTATT

    response = client_for("planner").post(_status_url(programme), {"to_status": "vedtatt"})
    assert response.status_code == 400
    response = client_for("planner").post(_status_url(programme), {"to_status": "tull"})
    assert response.status_code == 400
    programme.refresh_from_db()
    assert programme.status == S.VEDTATT


# --- Confirmation before a programme leaves the public site (issue 7) ---------------------

LEAVES_PUBLIC = {(S.PAA_HOERING, S.UTKAST), (S.VEDTATT, S.UTKAST), (S.VEDTATT, S.ARKIVERT)}


def _nb(msgid: str) -> str:
    """The bokmål text of a msgid (the msgid itself until the catalogue has it)."""
    from django.utils import translation

    with translation.override("nb"):
        return translation.gettext(msgid)


@pytest.mark.parametrize(("frm", "to"), sorted(ALLOWED_WITH_REASON))
def test_a_transition_that_needs_a_reason_is_confirmed_first_and_records_it(
    client_for, programme, frm, to
):
    programme.status = frm
    programme.save()  # with a history row, so the status history shows the way back
    client = client_for("planner")
    before = programme.history.count()

    # The danger button opens the step: it says what happens and asks for the reason.
    step = client.get(_status_url(programme), {"til": to})
    assert step.status_code == 200
    html = step.content.decode()
    assert 'id="status-consequence"' in html
    disappears = _nb("The programme disappears from the public site.")
    assert (disappears in html) == ((frm, to) in LEAVES_PUBLIC)
    assert re.search(r'<textarea[^>]*name="reason"[^>]*\srequired', html)
    assert 'name="bekreftet" value="1"' in html
    assert f'name="to_status" value="{to}"' in html
    assert 'data-variant="primary" data-color="danger"' in html

    # A POST that skipped the step only shows it; an empty reason is refused; neither
    # changes anything.
    response = client.post(_status_url(programme), {"to_status": to, "reason": "Fordi"})
    assert response.status_code == 200
    assert 'name="bekreftet"' in response.content.decode()
    response = client.post(
        _status_url(programme), {"to_status": to, "reason": "  ", "bekreftet": "1"}
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    programme.refresh_from_db()
    assert programme.status == frm
    assert programme.history.count() == before

    response = client.post(
        _status_url(programme),
        {"to_status": to, "reason": "Fylkesutvalget ba om endringer", "bekreftet": "1"},
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.status == to
    assert programme.history.latest().history_change_reason == "Fylkesutvalget ba om endringer"
    assert "Fylkesutvalget ba om endringer" in client.get(response.url).content.decode()


def test_forward_transitions_stay_one_click(client_for, programme):
    client = client_for("planner")
    response = client.get(_status_url(programme), {"til": "paa_hoering"})
    assert 'name="bekreftet"' not in response.content.decode()  # the status page, no step
    assert client.post(_status_url(programme), {"to_status": "paa_hoering"}).status_code == 302
    assert client.post(_status_url(programme), {"to_status": "vedtatt"}).status_code == 302
    programme.refresh_from_db()
    assert programme.status == S.VEDTATT


@pytest.mark.parametrize(("role", "code"), [("anonymous", 302), ("board", 403), ("member", 403)])
def test_the_confirmation_step_is_only_for_who_may_transition(client_for, programme, role, code):
    _set_status(programme, S.PAA_HOERING)
    response = client_for(role).get(_status_url(programme), {"til": "utkast"})
    assert response.status_code == code
    if code == 302:
        assert response.url.startswith(reverse("login"))


def test_the_api_cannot_take_a_programme_off_the_public_site_without_a_reason(
    client_for, programme
):
    import json

    _set_status(programme, S.PAA_HOERING)
    url = f"/api/programmer/{programme.pk}/status/"
    response = client_for("planner").post(
        url, data=json.dumps({"status": "utkast"}), content_type="application/json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()
    programme.refresh_from_db()
    assert programme.status == S.PAA_HOERING


@pytest.mark.parametrize(
    ("role", "get_code", "post_code"),
    [
        ("anonymous", 404, 404),  # a draft is not even visible
        ("administrator", 200, 302),
        ("planner", 200, 302),
        ("other_planner", 404, 404),
        ("member", 404, 404),
        ("other_member", 404, 404),
        ("board", 200, 403),
    ],
)
def test_status_page_permission_matrix_on_a_draft(client_for, programme, role, get_code, post_code):
    client = client_for(role)
    assert client.get(_status_url(programme)).status_code == get_code
    response = client.post(_status_url(programme), {"to_status": "paa_hoering"})
    assert response.status_code == post_code
    programme.refresh_from_db()
    assert programme.status == (S.PAA_HOERING if post_code == 302 else S.UTKAST)


@pytest.mark.parametrize(
    ("role", "get_code", "post_code"),
    [
        ("anonymous", 302, 302),  # to the login page
        ("administrator", 200, 302),
        ("planner", 200, 302),
        ("other_planner", 200, 403),
        ("member", 200, 403),
        ("other_member", 200, 403),
        ("board", 200, 403),
    ],
)
def test_status_page_permission_matrix_on_a_public_programme(
    client_for, programme, role, get_code, post_code
):
    _set_status(programme, S.PAA_HOERING)
    client = client_for(role)
    response = client.get(_status_url(programme))
    assert response.status_code == get_code
    if get_code == 302:
        assert "/konto/logg-inn/" in response.url or "login" in response.url
    response = client.post(_status_url(programme), {"to_status": "vedtatt"})
    assert response.status_code == post_code
    if post_code == 302 and role == "anonymous":
        assert "next=" in response.url
    programme.refresh_from_db()
    expected = S.VEDTATT if role in ("administrator", "planner") else S.PAA_HOERING
    assert programme.status == expected


# Session, user, the user menu's two model-permission lookups, the programme, its status
# history (with the users who made each change).
STATUS_PAGE_BUDGET = 6


def test_status_page_budget_is_the_same_for_ten_times_the_status_history(
    client_for, users, programme
):
    client = client_for("administrator")
    url = _status_url(programme)
    hx = {"headers": {"HX-Request": "true"}}

    def measure():
        return {
            "page": count_queries(client, url),
            "panel": count_queries(client, url, **hx),
        }

    small = measure()
    small_rows = len(client.get(url).context["status_history"])
    steps = [("paa_hoering", "")] + [("vedtatt", ""), ("paa_hoering", "Ny høring")] * 5
    for n, (to, reason) in enumerate(steps):
        actor = users["planner"] if n % 2 else users["administrator"]
        programme_transition(actor=actor, programme=programme, to_status=to, reason=reason)
    large = measure()
    page = client.get(url)
    large_rows = len(page.context["status_history"])
    assert page.content.decode().count("Ny høring") == 5
    assert_same_queries(small, large, ceiling=STATUS_PAGE_BUDGET, sizes=(small_rows, large_rows))
