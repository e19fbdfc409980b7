"""Case papers: writing them through the services and the browser form (the version rule: no
silent overwrite), the simple formatting (never raw HTML), and bad input."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from rapportering.models import Saksframlegg
from rapportering.saksframlegg import markup, services
from tests.factories import HandlingsprogramFactory, TemaFactory, TiltakFactory
from tiltak.models import TEXT_MAX_LENGTH

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(users):
    programme = HandlingsprogramFactory(eier=users["county"])
    TiltakFactory(tema=TemaFactory(program=programme, nummer=1), nummer=1)
    return programme


def _form(**extra):
    data = {
        "saksnummer": "24/01234",
        "tittel": "Handlingsprogram 2024–2025",
        "utvalg": "Fylkesutvalget",
        "moetedato": "2024-11-20",
        "spraak": "nb",
        "deler": ["programme_table"],
        "forslag_til_vedtak": "1. Fylkesutvalget vedtar handlingsprogrammet.",
        "saksopplysninger": "Første avsnitt.\n\nAndre avsnitt med **fet** tekst.",
        "vurdering": "- punkt en\n- punkt to",
    }
    data.update(extra)
    return data


def _create(actor, programme, **fields):
    values = {
        "saksnummer": "24/1",
        "tittel": "Sak",
        "moetedato": datetime.date(2024, 5, 1),
        "deler": ["programme_table"],
    }
    values.update(fields)
    return services.saksframlegg_create(actor=actor, programme=programme, **values)


def test_a_planner_makes_a_case_paper_in_the_browser(client_for, programme):
    client = client_for("planner")
    url = reverse("dashboard:saksframlegg_create", args=[programme.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert 'value="programme_table"' in form.content.decode()
    response = client.post(url, _form())
    sak = Saksframlegg.objects.get()
    assert response.status_code == 302 and response["Location"] == sak.get_absolute_url()
    assert sak.saksnummer == "24/01234" and sak.deler == ["programme_table"]
    assert sak.versjon == 1 and sak.history.count() == 1
    assert sak.history.first().history_user.email == "planlegger@testfylket.no"
    detail = client.get(sak.get_absolute_url()).content.decode()
    assert "Fylkesutvalget vedtar handlingsprogrammet." in detail


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("saksnummer", ""),
        ("tittel", "x" * 301),
        ("moetedato", "i morgen"),
        ("moetedato", "2018-02-30"),
        ("spraak", "sv"),
        ("deler", ["hemmelig_del"]),
        ("vurdering", "x" * (TEXT_MAX_LENGTH + 1)),
        ("saksopplysninger", "kontroll\x07tegn"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(client_for, programme, field, value):
    client = client_for("planner")
    response = client.post(
        reverse("dashboard:saksframlegg_create", args=[programme.pk]), _form(**{field: value})
    )
    assert response.status_code == 400
    assert "ds-error-summary" in response.content.decode()
    assert not Saksframlegg.objects.exists()


def test_the_service_checks_the_permission_and_the_parts(users, programme):
    with pytest.raises(PermissionDenied):
        _create(users["board"], programme)
    with pytest.raises(ValidationError) as exc:
        _create(users["planner"], programme, deler=["ukjent"])
    assert "deler" in exc.value.message_dict
    assert not Saksframlegg.objects.exists()


def test_someone_elses_save_is_never_silently_overwritten(users, client_for, programme):
    sak = _create(users["planner"], programme, vurdering="Opprinnelig")
    url = reverse("dashboard:saksframlegg_edit", args=[sak.pk])
    client = client_for("planner")
    assert f'name="versjon" value="{sak.versjon}"' in client.get(url).content.decode()
    # The administrator saves first.
    services.saksframlegg_update(
        actor=users["administrator"],
        saksframlegg=sak,
        expected_versjon=1,
        vurdering="Administratorens vurdering",
    )
    # The planner saves what they loaded at version 1: refused, shown, nothing lost.
    mine = _form(vurdering="Planleggerens vurdering", versjon=1)
    response = client.post(url, mine)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Administratorens vurdering" in body  # what they saved
    assert "Planleggerens vurdering" in body  # what I typed, still in the form
    assert 'name="versjon" value="2"' in body
    sak.refresh_from_db()
    assert sak.vurdering == "Administratorens vurdering" and sak.versjon == 2
    # Saving again, knowingly, on top of version 2.
    response = client.post(url, _form(vurdering="Planleggerens vurdering", versjon=2))
    assert response.status_code == 302
    sak.refresh_from_db()
    assert sak.vurdering == "Planleggerens vurdering" and sak.versjon == 3


def test_the_service_conflict_names_what_changed(users, programme):
    sak = _create(users["planner"], programme, tittel="Før")
    services.saksframlegg_update(
        actor=users["planner"], saksframlegg=sak, expected_versjon=1, tittel="Etter"
    )
    stale = Saksframlegg.objects.get(pk=sak.pk)
    with pytest.raises(services.SaksframleggConflict) as exc:
        services.saksframlegg_update(
            actor=users["administrator"], saksframlegg=stale, expected_versjon=1, tittel="Annen"
        )
    assert [c.field for c in exc.value.changes] == ["tittel"]
    assert exc.value.changes[0].before == "Før" and exc.value.changes[0].after == "Etter"
    assert Saksframlegg.objects.get(pk=sak.pk).tittel == "Etter"


def test_formatting_is_a_small_safe_subset():
    html = markup.to_html(
        "Avsnitt med **fet** og *kursiv* <script>alert(1)</script>\n"
        "fortsetter her.\n\n"
        "- en <b>ting</b>\n- to\n\n"
        "1. først\n2. så\n\n"
        '<a href="javascript:alert(1)">lenke</a>'
    )
    assert "<script>" not in html and "<b>" not in html and "<a " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<p>Avsnitt med <strong>fet</strong> og <em>kursiv</em>" in html
    assert "fortsetter her.</p>" in html
    assert "<ul><li>en &lt;b&gt;ting&lt;/b&gt;</li><li>to</li></ul>" in html
    assert "<ol><li>først</li><li>så</li></ol>" in html
    assert markup.to_html("") == ""


def test_the_printable_page_uses_its_own_stylesheet_and_escapes_the_texts(
    users, client_for, programme
):
    sak = _create(users["planner"], programme, saksopplysninger="<img src=x onerror=alert(1)>")
    body = (
        client_for("board")
        .get(reverse("dashboard:saksframlegg_print", args=[sak.pk]))
        .content.decode()
    )
    assert "css/saksframlegg.css" in body
    assert "designsystemet" not in body and "portal.css" not in body
    assert "<img" not in body and "&lt;img src=x" in body
    assert '<html lang="nb">' in body
