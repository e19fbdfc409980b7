"""The planner's side of a hearing, end to end through the pages: create, høringsliste, open
(programme on hearing, invitations in bokmål/nynorsk with the personal link), the frozen
structure shown on the programme page, overview, assessment and conversions (refused before
the deadline, done after), the summary as page, PDF and xlsx."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from hoering.models import Hoering, Invitasjon, Standpunkt, StandpunktValg, Tiltaksforslag
from tests.hoering import planner_data as d
from tiltak.models import Ansvar, ProgramStatus, Tiltak

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(client_for):
    """The pages in English: their new strings are translated in the lead's catalogue merge
    (/work/notes/h9plan-translations.json), and English msgids read the same before and after."""

    def make(role):
        client = client_for(role)
        client.cookies["portal_language"] = "en"
        return client

    return make


@pytest.fixture
def setup(users):
    programme, tiltak = d.programme_with_tiltak(users["county"])
    return programme, tiltak


def test_create_list_and_open_a_hearing(users, client_for, setup):
    programme, tiltak = setup
    planner = client_for("planner")
    with time_machine.travel(d.AAPNER - timedelta(days=2), tick=False):
        response = planner.post(
            reverse("hoering:hoering_create", args=[programme.pk]),
            {
                "tittel": "Høring 2018",
                "innledning": "Svar innen fristen.",
                "aapner_dato": "2018-09-01",
                "aapner_tid": "08:00",
                "frist_dato": "2018-10-23",
                "frist_tid": "23:59",
                "publiser_svar": "on",
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        hoering = Hoering.objects.get(tittel="Høring 2018")
        assert hoering.frist == d.FRIST  # 23.59 Oslo time, to 23:59:59
        assert hoering.aapnet is None
        # Bad input: the deadline before the opening → a clear message, nothing changed.
        response = planner.post(
            reverse("hoering:hoering_create", args=[programme.pk]),
            {
                "tittel": "X",
                "aapner_dato": "2018-09-01",
                "aapner_tid": "08:00",
                "frist_dato": "2018-08-01",
                "frist_tid": "23:59",
            },
        )
        assert response.status_code == 400
        assert "Deadline: must be after the opening time." in response.content.decode()
        assert Hoering.objects.count() == 1
        # Opening without anybody on the list is refused with a message.
        response = planner.post(reverse("hoering:hoering_open", args=[hoering.pk]))
        assert response.status_code == 400
        assert "Add at least one organisation to the hearing list" in response.content.decode()
        # The høringsliste: one by the picker's select, a nynorsk one.
        org_nb, org_nn = users["kommune"], users["other"]
        for org, spraak in ((org_nb, "nb"), (org_nn, "nn")):
            response = planner.post(
                reverse("hoering:hoeringsliste", args=[hoering.pk]),
                {"organisasjon": org.pk, "epost": f"post@{org.slug}.no", "spraak": spraak},
            )
            assert response.status_code == 302
        # The same organisation twice: refused on the field.
        response = planner.post(
            reverse("hoering:hoeringsliste", args=[hoering.pk]),
            {"organisasjon": org_nb.pk, "epost": "x@y.no", "spraak": "nb"},
        )
        assert response.status_code == 400
        assert "is already on the hearing list" in response.content.decode()
        assert len(mail.outbox) == 0  # nothing goes out before the hearing is opened
    with time_machine.travel(d.AAPNER + timedelta(hours=1), tick=False):
        response = planner.post(reverse("hoering:hoering_open", args=[hoering.pk]))
        assert response.status_code == 302
        hoering.refresh_from_db()
        programme.refresh_from_db()
        assert hoering.aapnet is not None
        assert programme.status == ProgramStatus.PAA_HOERING
        assert len(mail.outbox) == 2
        by_to = {m.to[0]: m for m in mail.outbox}
        nb = by_to[f"post@{org_nb.slug}.no"]
        nn = by_to[f"post@{org_nn.slug}.no"]
        token = Invitasjon.objects.get(organisasjon=org_nb).token
        assert reverse("hoering:invitation_accept", kwargs={"token": token}) in nb.body
        assert len(token) >= 40
        assert "23. oktober 2018 kl. 23.59" in nb.body  # Norwegian, whatever the planner's language
        assert "Høring 2018" in nb.subject
        assert nb.extra_headers["Content-Language"] == "nb"
        assert nn.extra_headers["Content-Language"] == "nn"
        assert Invitasjon.objects.filter(sendt__isnull=True).count() == 0
        # The programme page says why the structure is frozen; the structure rule refuses.
        page = planner.get(programme.get_absolute_url()).content.decode()
        assert "Its structure is frozen until the deadline" in page
        assert not users["planner"].has_perm("tiltak.edit_structure", programme)
        # Opening again: refused with a message.
        response = planner.post(reverse("hoering:hoering_open", args=[hoering.pk]))
        assert response.status_code == 400
        # Resend one invitation.
        inv = Invitasjon.objects.get(organisasjon=org_nb)
        planner.post(reverse("hoering:invitasjon_resend", args=[inv.pk]))
        assert len(mail.outbox) == 3
        # The list of the programme's hearings.
        page = planner.get(reverse("hoering:hoering_list") + f"?program={programme.pk}")
        assert "Høring 2018" in page.content.decode()


def test_opening_an_adopted_programme_is_refused_with_a_message(users, client_for):
    programme, _ = d.programme_with_tiltak(users["county"], status=ProgramStatus.VEDTATT)
    hoering = d.hearing(programme, opened=False)
    d.invite(hoering, users["kommune"])
    with time_machine.travel(d.AAPNER, tick=False):
        response = client_for("planner").post(reverse("hoering:hoering_open", args=[hoering.pk]))
    assert response.status_code == 400
    assert "cannot go on hearing" in response.content.decode()
    hoering.refresh_from_db()
    assert hoering.aapnet is None
    assert len(mail.outbox) == 0


def _answered(users, tiltak, programme):
    group_members = [users["kommune"], users["other"]]
    group = d.group_of(group_members)
    d.parties(tiltak, group_members, group)
    hoering = d.hearing(programme)
    for org in group_members:
        d.invite(hoering, org)
    svar = d.full_answer(hoering, users["kommune"], tiltak)
    return hoering, svar


def test_overview_matrix_and_inputs(users, client_for, setup):
    programme, tiltak = setup
    hoering, svar = _answered(users, tiltak, programme)
    with time_machine.travel(d.AAPNER + timedelta(days=1), tick=False):
        page = client_for("planner").get(reverse("hoering:oversikt", args=[hoering.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Confirmed" in html and "Declined" in html and "No answer" in html
    assert "Regionrådene" in html  # the group, with its member's answer
    assert "Vi har ikke kapasitet." in html
    assert "Livskvalitet" in html
    assert "Yrkesmessa" in html
    # States: one submitted, one not opened; after the deadline the other is late.
    assert "Submitted: 1" in html
    with time_machine.travel(d.FRIST + timedelta(seconds=1), tick=False):
        html = (
            client_for("planner")
            .get(reverse("hoering:oversikt", args=[hoering.pk]))
            .content.decode()
        )
    assert "Late: 1" in html


def test_assess_and_convert_only_after_the_deadline(users, client_for, setup):
    programme, tiltak = setup
    programme.status = ProgramStatus.PAA_HOERING
    programme.save()
    hoering, svar = _answered(users, tiltak, programme)
    forslag = Tiltaksforslag.objects.get(svar=svar)
    planner = client_for("planner")
    url = reverse("hoering:innspill_detail", args=[hoering.pk, "tiltaksforslag", forslag.pk])
    convert = reverse("hoering:innspill_convert", args=[hoering.pk, "tiltaksforslag", forslag.pk])
    with time_machine.travel(d.FRIST - timedelta(seconds=1), tick=False):
        page = planner.get(url).content.decode()
        assert "after the deadline" in page and "Create the measure" not in page
        # «Not adopted» needs a reason.
        response = planner.post(url, {"vurdering": "ikke", "vurdering_begrunnelse": ""})
        assert response.status_code == 400
        response = planner.post(
            url, {"vurdering": "delvis", "vurdering_begrunnelse": "Tas inn i tema 1."}
        )
        assert response.status_code == 302
        forslag.refresh_from_db()
        assert forslag.vurdering == "delvis" and forslag.vurdert_av == users["planner"]
        response = planner.post(convert, {"tittel": "Livskvalitet"})
        assert response.status_code == 400
        assert Tiltak.objects.filter(tittel="Livskvalitet").count() == 0
    with time_machine.travel(d.FRIST + timedelta(seconds=1), tick=False):
        response = planner.post(convert, {"tittel": "Livskvalitet"})
        assert response.status_code == 302
        new = Tiltak.objects.get(tittel="Livskvalitet")
        forslag.refresh_from_db()
        assert forslag.resultat_tiltak == new
        assert new.tema == forslag.tema and "livskvalitet" in new.beskrivelse.lower()
        # The tiltak page says where it came from; the input page shows its tiltak.
        page = client_for("anonymous").get(new.get_absolute_url()).content.decode()
        assert f"Came from a hearing input from {users['kommune'].navn}" in page
        assert new.tittel in planner.get(url).content.decode()
        # A second time: refused, nothing new.
        response = planner.post(convert, {"tittel": "Livskvalitet"})
        assert response.status_code == 400
        assert Tiltak.objects.filter(tittel="Livskvalitet").count() == 1
        # A proposed actor named as written: choose the organisation; added as collaborator.
        aktoer = svar.aktoerforslag.get()
        url_a = reverse("hoering:innspill_convert", args=[hoering.pk, "aktoerforslag", aktoer.pk])
        response = planner.post(url_a, {"rolle": "samarbeidspart"})
        assert response.status_code == 400
        yrkesmessa = d.OrganisasjonFactory(navn="Yrkesmessa i Hallingdal", slug="yrkesmessa")
        response = planner.post(url_a, {"rolle": "samarbeidspart", "organisasjon": yrkesmessa.pk})
        assert response.status_code == 302
        assert Ansvar.objects.filter(tiltak=aktoer.tiltak, organisasjon=yrkesmessa).exists()
        # A change proposal applied to a chosen field, with the version check.
        endring = Standpunkt.objects.get(svar=svar, standpunkt=StandpunktValg.ENDRING)
        url_e = reverse("hoering:innspill_convert", args=[hoering.pk, "standpunkt", endring.pk])
        stale = endring.tiltak.versjon
        response = planner.post(
            url_e, {"field": "beskrivelse", "text": "Endret tekst", "versjon": stale + 5}
        )
        assert response.status_code == 409
        response = planner.post(
            url_e, {"field": "beskrivelse", "text": "Endret tekst", "versjon": stale}
        )
        assert response.status_code == 302
        endring.tiltak.refresh_from_db()
        assert endring.tiltak.beskrivelse == "Endret tekst"


def test_summary_page_pdf_and_xlsx(users, client_for, setup):
    programme, tiltak = setup
    hoering, svar = _answered(users, tiltak, programme)
    planner = client_for("planner")
    url = reverse("hoering:oppsummering", args=[hoering.pk])
    page = planner.get(url).content.decode()
    assert "Vi har ikke kapasitet." in page and users["kommune"].navn in page
    pdf = planner.get(url + "?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Hearing summary" in text
    assert "Vi har ikke kapasitet." in text
    assert f"Page 1 of {len(reader.pages)}" in text
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    titles = [o.title for o in reader.outline if not isinstance(o, list)]
    assert "By theme" in titles and "By organisation" in titles
    # The PDF is cached by its content: the same bytes again; an assessment changes it.
    assert planner.get(url + "?format=pdf").content == pdf.content
    from hoering.services.vurdering import innspill_assess

    innspill_assess(actor=users["planner"], innspill=svar, vurdering="tatt_til_foelge")
    again = PdfReader(io.BytesIO(planner.get(url + "?format=pdf").content))
    assert "Adopted" in "\n".join(p.extract_text() for p in again.pages)
    xlsx = planner.get(url + "?format=xlsx")
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames == ["By theme", "By organisation", "Answers"]
    cells = [c for row in wb["By organisation"].iter_rows(values_only=True) for c in row]
    assert "Vi har ikke kapasitet." in cells
    assert users["kommune"].navn in [r[0] for r in wb["Answers"].iter_rows(values_only=True)]


def test_the_tiltak_page_names_the_organisation_only_to_those_who_may_read_its_answer(
    users, client_for, setup
):
    programme, tiltak = setup
    programme.status = ProgramStatus.PAA_HOERING
    programme.save()
    hoering, svar = _answered(users, tiltak, programme)
    hoering.publiser_svar = False
    hoering.save()
    forslag = Tiltaksforslag.objects.get(svar=svar)
    with time_machine.travel(d.FRIST + timedelta(seconds=1), tick=False):
        from hoering.services.vurdering import tiltaksforslag_to_tiltak

        new = tiltaksforslag_to_tiltak(actor=users["planner"], forslag=forslag)
        public = client_for("anonymous").get(new.get_absolute_url()).content.decode()
        own = client_for("member").get(new.get_absolute_url()).content.decode()
        planner = client_for("planner").get(new.get_absolute_url()).content.decode()
    name = users["kommune"].navn
    assert "Came from a hearing input" in public and f"input from {name}" not in public
    assert f"Came from a hearing input from {name}" in own
    assert (
        reverse("hoering:innspill_detail", args=[hoering.pk, "tiltaksforslag", forslag.pk])
        in planner
    )


def test_a_pdf_not_cached_is_rendered_by_the_task_worker(users, client_for, setup, settings):
    """With the production task backend (database queue) a PDF that is not cached is queued
    once, however often it is asked for, the page says it is being prepared (202), and once
    the worker has run the task the PDF is served."""
    from django.core.cache import cache
    from django_tasks_db.models import DBTaskResult

    from hoering.tasks import render_summary_pdf

    # django-tasks reads TASKS again on setting_changed (pytest-django's settings fixture).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    cache.clear()
    programme, tiltak = setup
    hoering, _svar = _answered(users, tiltak, programme)
    planner = client_for("planner")
    url = reverse("hoering:oppsummering", args=[hoering.pk]) + "?format=pdf"
    try:
        first = planner.get(url)
        second = planner.get(url)
        assert first.status_code == second.status_code == 202
        assert "The PDF is being prepared" in first.content.decode()
        assert DBTaskResult.objects.count() == 1
        row = DBTaskResult.objects.get()
        render_summary_pdf.call(*row.args_kwargs["args"])  # what the worker does
        done = planner.get(url)
        assert done.status_code == 200 and done["Content-Type"] == "application/pdf"
        assert "Vi har ikke kapasitet." in "".join(
            p.extract_text() for p in PdfReader(io.BytesIO(done.content)).pages
        )
    finally:
        cache.clear()
