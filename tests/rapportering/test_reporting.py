"""The annual status reporting round: draft → submit → sent back with a comment → submitted
again → approved; no silent overwrite (409 with the other person's text, in the service, the
page and the API); a closed round refuses; reminders are sent once however often, and however
many at once, the command runs; the tiltak page's panel, the programme page's links and the
trace check that keeps a reported tiltak on delete."""

import io
import threading
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext

from partnerskap.errors import ServiceError
from rapportering.models import Behandling, Rapportpaaminnelse, Statusrapport
from rapportering.services.paaminnelser import send_report_reminders
from rapportering.services.rapporter import (
    StatusrapportConflict,
    statusrapport_review,
    statusrapport_save,
)
from rapportering.services.runder import runde_close, runde_create, runde_open
from tests.factories import BrukerFactory
from tiltak.models import Tiltak
from tiltak.services.tiltak import tiltak_delete

from .helpers import DEADLINE, OSLO, report, world

pytestmark = pytest.mark.django_db


def save(user, w, versjon=None, submit=False, **fields):
    fields.setdefault("status", "paagaar")
    return statusrapport_save(
        actor=user, runde=w["runde"], tiltak=w["egen"], versjon=versjon, submit=submit, **fields
    )


def test_review_flow(users):
    w = world(users)
    member, planner = users["member"], users["planner"]
    rapport = save(member, w, fremdrift="Første utkast", status="")
    assert rapport.behandling == Behandling.UTKAST and rapport.versjon == 1
    with pytest.raises(ValidationError) as exc:
        save(member, w, versjon=1, submit=True, status="")
    assert "status" in exc.value.message_dict
    rapport = save(member, w, versjon=1, submit=True, fremdrift="Ferdig tekst")
    assert rapport.behandling == Behandling.INNSENDT and rapport.innsendt_av == member
    # Submitted: no more changes by the organisation, and nothing written.
    with pytest.raises(ServiceError):
        save(member, w, versjon=rapport.versjon, fremdrift="Endret etterpå")
    with pytest.raises(ValidationError) as exc:
        statusrapport_review(
            actor=planner, rapport=rapport, versjon=rapport.versjon, approve=False, kommentar=" "
        )
    assert "kommentar" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        statusrapport_review(actor=member, rapport=rapport, versjon=rapport.versjon, approve=True)
    rapport = statusrapport_review(
        actor=planner,
        rapport=rapport,
        versjon=rapport.versjon,
        approve=False,
        kommentar="Beskriv resultatene.",
    )
    assert rapport.behandling == Behandling.SENDT_TILBAKE and rapport.kommentar
    rapport = save(
        member, w, versjon=rapport.versjon, submit=True, resultater="Tre kurs, 40 deltakere"
    )
    assert rapport.behandling == Behandling.INNSENDT
    rapport = statusrapport_review(
        actor=planner, rapport=rapport, versjon=rapport.versjon, approve=True
    )
    assert rapport.behandling == Behandling.GODKJENT
    reasons = [h.history_change_reason for h in rapport.history.order_by("history_id")]
    # The reasons are written in the language active when the planner acted (bokmål here).
    assert reasons[-1] == gettext("Approved") == "Godkjent"
    assert gettext("Sent back") in reasons


def test_another_organisation_may_not_report(users):
    w = world(users)
    for role in ("other_member", "other_planner", "planner", "board", "administrator"):
        with pytest.raises(PermissionDenied):
            save(users[role], w)
    assert not Statusrapport.objects.exists()


def test_a_stale_save_is_refused_with_what_changed(users):
    w = world(users)
    colleague = BrukerFactory(organisasjon=users["kommune"])
    first = save(users["member"], w, fremdrift="A")
    save(colleague, w, versjon=first.versjon, fremdrift="Kollegaens tekst")
    with pytest.raises(StatusrapportConflict) as exc:
        save(users["member"], w, versjon=first.versjon, fremdrift="Min tekst")
    body = exc.value.body()
    assert body["versjon"] == 2 and body["changed_fields"] == ["fremdrift"]
    assert body["changes"][0]["after"] == "Kollegaens tekst"
    assert Statusrapport.objects.get().fremdrift == "Kollegaens tekst"
    # Creating a report that someone else created meanwhile is a conflict too.
    with pytest.raises(StatusrapportConflict):
        save(users["member"], w, versjon=None, fremdrift="x")
    assert Statusrapport.objects.get().versjon == 2


def test_the_page_answers_a_stale_save_with_409_and_keeps_the_text(users, client_for, settings):
    w = world(users)
    rapport = report(w["egen"], w["runde"], fremdrift="Gammel")
    client = client_for("member")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("rapportering:rapport_edit", args=[w["runde"].pk, w["egen"].pk])
    colleague = BrukerFactory(organisasjon=users["kommune"])
    save(colleague, w, versjon=rapport.versjon, fremdrift="Kollegaens tekst")
    response = client.post(
        url, {"versjon": rapport.versjon, "status": "paagaar", "fremdrift": "Min tekst"}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Kollegaens tekst" in page and "Min tekst" in page
    assert Statusrapport.objects.get().fremdrift == "Kollegaens tekst"
    # The form now carries the current version: saving again goes through.
    response = client.post(
        url,
        {
            "versjon": rapport.versjon + 1,
            "status": "paagaar",
            "fremdrift": "Min tekst",
            "send_inn": "1",
        },
    )
    assert response.status_code == 302
    assert Statusrapport.objects.get().behandling == Behandling.INNSENDT


def test_the_api_answers_a_stale_save_with_409(users, client_for):
    w = world(users)
    rapport = report(w["egen"], w["runde"])
    client = client_for("member")
    url = reverse("api:statusrapport-detail", args=[rapport.pk])
    ok = client.patch(url, {"versjon": 1, "fremdrift": "Ny"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["versjon"] == 2
    stale = client.patch(url, {"versjon": 1, "fremdrift": "Eldre"}, content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["versjon"] == 2 and stale.json()["changed_fields"] == ["fremdrift"]
    submitted = client.patch(url, {"versjon": 2, "send_inn": True}, content_type="application/json")
    assert submitted.status_code == 200 and submitted.json()["behandling"] == "innsendt"
    planner = client_for("planner")
    back = planner.post(
        reverse("api:statusrapport-send-tilbake", args=[rapport.pk]),
        {"versjon": 3, "kommentar": ""},
        content_type="application/json",
    )
    assert back.status_code == 400 and "kommentar" in back.json()
    back = planner.post(
        reverse("api:statusrapport-send-tilbake", args=[rapport.pk]),
        {"versjon": 3, "kommentar": "Mer om resultatene"},
        content_type="application/json",
    )
    assert back.status_code == 200 and back.json()["behandling"] == "sendt_tilbake"


def test_a_closed_round_refuses_reports(users):
    w = world(users)
    runde_close(actor=users["planner"], runde=w["runde"])
    with pytest.raises(ServiceError):
        save(users["member"], w)
    runde_open(actor=users["planner"], runde=w["runde"])
    assert save(users["member"], w).pk


def test_round_create_and_open(users, client_for):
    w = world(users)
    with pytest.raises(ValidationError) as exc:
        runde_create(actor=users["planner"], programme=w["programme"], aar=2019, frist=DEADLINE)
    assert "aar" in exc.value.message_dict
    client = client_for("planner")
    response = client.post(
        reverse("rapportering:runde_list", args=[w["programme"].pk]),
        {"aar": "2020", "frist": "2021-02-01T23:59"},
    )
    assert response.status_code == 302
    runde = w["programme"].rapporteringsrunder.get(aar=2020)
    assert runde.aapnet is None
    assert runde.frist == datetime(2021, 2, 1, 23, 59, tzinfo=OSLO)
    assert client.post(reverse("rapportering:runde_open", args=[runde.pk])).status_code == 302
    runde.refresh_from_db()
    assert runde.er_aapen and runde.aapnet_av == users["planner"]


# --- Reminders --------------------------------------------------------------------------------


def test_reminders_are_sent_once(users):
    w = world(users)
    BrukerFactory(email="kollega@testby.no", organisasjon=users["kommune"])
    before_first = DEADLINE - timedelta(days=20)
    assert send_report_reminders(now=before_first) == []
    now = DEADLINE - timedelta(days=10)
    sent = send_report_reminders(now=now)
    assert sorted(s.organisasjon.pk for s in sent) == sorted(
        [users["kommune"].pk, users["other"].pk]
    )
    assert len(mail.outbox) == 2
    kommune_mail = next(m for m in mail.outbox if "medlem@testby.no" in m.to)
    assert set(kommune_mail.to) == {"medlem@testby.no", "kollega@testby.no"}
    assert "2019" in kommune_mail.subject
    assert send_report_reminders(now=now) == []
    assert len(mail.outbox) == 2
    # The member's organisation reports; the next step reminds only the other one.
    report(w["egen"], w["runde"], Behandling.INNSENDT)
    sent = send_report_reminders(now=DEADLINE - timedelta(days=2))
    assert [s.organisasjon for s in sent] == [users["other"]]
    # After the deadline, once more; a draft does not count as reported.
    report(w["annen"], w["runde"])
    sent = send_report_reminders(now=DEADLINE + timedelta(days=1))
    assert [(s.organisasjon, s.step) for s in sent] == [(users["other"], 0)]
    assert Rapportpaaminnelse.objects.count() == 4


def test_the_command_twice_sends_one_email(users):
    w = world(users)
    w["runde"].frist = datetime(2099, 1, 1, tzinfo=OSLO)
    w["runde"].save()
    from time_machine import travel

    with travel(datetime(2098, 12, 30, 12, tzinfo=OSLO), tick=False):
        call_command("send_report_reminders", stdout=io.StringIO())
        call_command("send_report_reminders", stdout=io.StringIO())
    assert len(mail.outbox) == 2  # one per lead organisation, not four


def test_example_rounds_and_closed_rounds_send_nothing(users):
    w = world(users)
    w["runde"].eksempeldata = True
    w["runde"].save()
    assert send_report_reminders(now=DEADLINE + timedelta(days=1)) == []
    w["runde"].eksempeldata = False
    w["runde"].lukket = DEADLINE
    w["runde"].save()
    assert send_report_reminders(now=DEADLINE + timedelta(days=1)) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writes need PostgreSQL")
def test_two_threads_send_one_reminder(users):
    world(users)
    results: list[int] = []
    barrier = threading.Barrier(2)

    def run():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(len(send_report_reminders(now=DEADLINE + timedelta(days=1))))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 2] or sum(results) == 2
    assert len(mail.outbox) == 2
    assert Rapportpaaminnelse.objects.count() == 2


# --- Panels and traces ------------------------------------------------------------------------


def test_the_tiltak_page_shows_the_latest_report(users, client_for, settings):
    w = world(users)
    client = client_for("anonymous")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Reported 2019" not in client.get(w["egen"].get_absolute_url()).content.decode()
    report(w["egen"], w["runde"], Behandling.GODKJENT)
    page = client.get(w["egen"].get_absolute_url()).content.decode()
    assert "Reported 2019" in page and "In progress" in page
    # A draft shows to the lead organisation (with the link to report), not to others.
    draft = report(w["annen"], w["runde"])
    other = client_for("other_member")
    other.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = other.get(w["annen"].get_absolute_url()).content.decode()
    assert "Reported 2019" in page
    assert reverse("rapportering:rapport_edit", args=[w["runde"].pk, w["annen"].pk]) in page
    page = client.get(w["annen"].get_absolute_url()).content.decode()
    assert "Reported 2019" not in page and draft.fremdrift not in page


def test_the_programme_page_links_indicators_and_rounds(users, client_for):
    w = world(users)
    page = client_for("member").get(w["programme"].get_absolute_url()).content.decode()
    assert reverse("rapportering:indikator_list", args=[w["programme"].pk]) in page
    assert w["runde"].get_absolute_url() in page
    assert reverse("rapportering:mine") in page
    page = client_for("anonymous").get(w["programme"].get_absolute_url()).content.decode()
    assert reverse("rapportering:indikator_list", args=[w["programme"].pk]) in page
    assert w["runde"].get_absolute_url() not in page


def test_a_tiltak_with_a_report_is_kept_when_deleted(users):
    from tiltak.models import ProgramStatus

    w = world(users, status=ProgramStatus.UTKAST)
    report(w["egen"], w["runde"])
    assert tiltak_delete(actor=users["planner"], tiltak=w["egen"], reason="Feil") == "soft"
    assert Tiltak.alle.get(pk=w["egen"].pk).slettet is not None
    assert tiltak_delete(actor=users["planner"], tiltak=w["annen"], reason="Feil") == "hard"
