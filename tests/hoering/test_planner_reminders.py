"""Reminders (`manage.py send_hearing_reminders`) and extensions, with frozen time: sent N
days before each invitee's own (possibly extended) deadline, only to those without a submitted
answer, never twice — not when the command runs twice, nor when two servers run it at the
same moment (PostgreSQL, two threads)."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection

from hoering.deadlines import frist_for, is_in_time
from hoering.models import Fristutsettelse, Paaminnelse
from hoering.services.runde import fristutsettelse_give, reminders_send
from tests.hoering import planner_data as d


@pytest.fixture
def hearing(users):
    programme, _ = d.programme_with_tiltak(users["county"])
    hoering = d.hearing(programme)
    d.invite(hoering, users["kommune"], spraak="nn")
    d.invite(hoering, users["other"])
    return hoering


def _run(*days):
    args = [f"--days={n}" for n in days]
    call_command("send_hearing_reminders", *args, verbosity=0)


@pytest.mark.django_db
def test_reminder_sent_once_even_when_the_command_runs_twice(users, hearing):
    with time_machine.travel(d.FRIST - timedelta(days=7, seconds=1), tick=False):
        _run(7, 2)
        assert mail.outbox == []  # 7 days and 1 second before: not yet
    with time_machine.travel(d.FRIST - timedelta(days=6), tick=False):
        _run(7, 2)
        assert len(mail.outbox) == 2
        assert {m.to[0] for m in mail.outbox} == {"post@testby.no", "post@annen.no"}
        _run(7, 2)
        _run(7, 2)
        assert len(mail.outbox) == 2
        assert Paaminnelse.objects.filter(dager_foer_frist=7).count() == 2
    # A submitted answer: no more reminders for that organisation.
    d.submitted(hearing, users["kommune"])
    with time_machine.travel(d.FRIST - timedelta(days=1), tick=False):
        _run(7, 2)
        assert len(mail.outbox) == 3
        assert mail.outbox[-1].to == ["post@annen.no"]
        assert "23. oktober 2018 kl. 23.59" in mail.outbox[-1].body
        _run(7, 2)
        assert len(mail.outbox) == 3
    # After the deadline nothing is sent.
    with time_machine.travel(d.FRIST + timedelta(seconds=1), tick=False):
        _run(7, 2, 1)
        assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_a_first_run_close_to_the_deadline_sends_one_reminder_not_two(hearing):
    with time_machine.travel(d.FRIST - timedelta(hours=20), tick=False):
        _run(7, 2)
    assert len(mail.outbox) == 2
    assert set(Paaminnelse.objects.values_list("dager_foer_frist", flat=True)) == {2}


@pytest.mark.django_db
def test_default_days_come_from_the_setting(settings, hearing):
    settings.HOERING_REMINDER_DAYS = [3]
    with time_machine.travel(d.FRIST - timedelta(days=4), tick=False):
        call_command("send_hearing_reminders", verbosity=0)
        assert mail.outbox == []
    with time_machine.travel(d.FRIST - timedelta(days=2, hours=23), tick=False):
        call_command("send_hearing_reminders", verbosity=0)
        assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_extension_moves_the_deadline_and_the_reminders(users, hearing):
    planner = users["planner"]
    with time_machine.travel(d.FRIST - timedelta(days=3), tick=False):
        u = fristutsettelse_give(
            actor=planner,
            hoering=hearing,
            organisasjon=users["other"],
            ny_frist=d.FRIST + timedelta(days=7),
            grunn="Kommunestyret møtes først 30. oktober.",
        )
        assert frist_for(hearing, users["other"].pk) == d.FRIST + timedelta(days=7)
        _run(2)
        assert mail.outbox == []  # 3 days left for the one, 10 for the other
    with time_machine.travel(d.FRIST - timedelta(days=1), tick=False):
        _run(2)
        assert [m.to[0] for m in mail.outbox] == ["post@testby.no"]
    # Around the extended deadline, to the second.
    assert is_in_time(hearing, users["other"].pk, now=u.ny_frist)
    assert not is_in_time(hearing, users["other"].pk, now=u.ny_frist + timedelta(seconds=1))
    assert not is_in_time(hearing, users["kommune"].pk, now=d.FRIST + timedelta(seconds=1))
    assert is_in_time(hearing, users["kommune"].pk, now=d.FRIST)
    with time_machine.travel(u.ny_frist - timedelta(days=1), tick=False):
        _run(2)
        assert [m.to[0] for m in mail.outbox][-1] == "post@annen.no"
    # A second extension replaces the first; both are in the history.
    with time_machine.travel(d.FRIST + timedelta(days=2), tick=False):
        fristutsettelse_give(
            actor=planner,
            hoering=hearing,
            organisasjon=users["other"],
            ny_frist=d.FRIST + timedelta(days=14),
            grunn="Nytt møte.",
        )
    assert Fristutsettelse.objects.count() == 1
    assert Fristutsettelse.history.filter(organisasjon_id=users["other"].pk).count() == 2


@pytest.mark.django_db
def test_extension_refuses_bad_input(users, hearing):
    from django.core.exceptions import PermissionDenied, ValidationError

    with time_machine.travel(d.FRIST - timedelta(days=1), tick=False):
        with pytest.raises(ValidationError) as exc:
            fristutsettelse_give(
                actor=users["planner"],
                hoering=hearing,
                organisasjon=users["other"],
                ny_frist=d.FRIST - timedelta(hours=1),
                grunn="x",
            )
        assert "ny_frist" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            fristutsettelse_give(
                actor=users["planner"],
                hoering=hearing,
                organisasjon=users["other"],
                ny_frist=d.FRIST + timedelta(days=1),
                grunn="  ",
            )
        assert "grunn" in exc.value.message_dict
        with pytest.raises(PermissionDenied):
            fristutsettelse_give(
                actor=users["other_planner"],
                hoering=hearing,
                organisasjon=users["other"],
                ny_frist=d.FRIST + timedelta(days=1),
                grunn="x",
            )
    assert not Fristutsettelse.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_servers_at_once_send_one_reminder(users, hearing):
    """Two threads, each with its own database connection, run the reminders at the same
    moment: each reminder is sent once — the second insert waits for the first and then
    fails. PostgreSQL only: SQLite serialises writers with a file lock whose timeout a
    loaded machine can exceed, which proves nothing about the reminders."""
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL (make test-postgres runs this)")
    barrier = threading.Barrier(2)
    results = []
    now = d.FRIST - timedelta(days=1)

    def server():
        try:
            barrier.wait(timeout=10)
            results.append(reminders_send(days=[2], base_url="http://testserver/", now=now))
        finally:
            connection.close()

    with time_machine.travel(now, tick=False):
        threads = [threading.Thread(target=server) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    assert len(results) == 2
    assert sum(len(r.sent) for r in results) == 2
    assert sum(r.skipped for r in results) == 2
    assert len(mail.outbox) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["post@annen.no", "post@testby.no"]
    assert Paaminnelse.objects.count() == 2
