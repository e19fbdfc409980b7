"""Inputs, closing, themes, proposals and the trace input → proposal → tiltak, also after the
programme is rolled to the next period; the summary as PDF and .xlsx, the inputs as CSV."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from hoering.models import Innspill, Innspillgruppe, Verkstedforslag
from hoering.services import verksted as services
from partnerskap.errors import ServiceError
from tests.hoering.verksted_helpers import make_workshop
from tiltak.models import Tiltak, TiltakStatus
from tiltak.services.rolling import programme_roll

pytestmark = pytest.mark.django_db


def test_default_questions_are_seed_004s_six(users):
    v, _, _ = make_workshop(users, inputs_per_question=0)
    assert [q.tekst for q in v.spoersmaal.all()] == [
        "Beskriv tiltak/problemstilling",
        "Hvem er de involverte aktørene og hvilken rolle har de?",
        "Hvordan bør det jobbes? Hvilke arenaer må utvikles/saneres",
        "Hva skal målet/resultatet være?",
        "Hvem kan være finansiører?",
        "Hvor langsiktig er satsingen, tiltaket, prosjektet?",
    ]
    assert [d.dato.isoformat() for d in v.dager.all()] == ["2026-03-02", "2026-03-03"]


def test_participant_adds_and_edits_only_its_own_until_closed(users, client_for):
    v, _, _ = make_workshop(users, inputs_per_question=0)
    q = v.spoersmaal.first()
    member = client_for("member")
    r = member.post(
        reverse("hoering:verksted_innspill_create", args=[q.pk]),
        {
            "tekst": "  Mentorordning for lærlinger  ",
            "gruppe": "Bord 2",
            "organisasjon": users["kommune"].pk,
        },
    )
    assert r.status_code == 302
    mine = Innspill.objects.get()
    assert (mine.tekst, mine.gruppe, mine.organisasjon, mine.skrevet_av) == (
        "Mentorordning for lærlinger",
        "Bord 2",
        users["kommune"],
        users["member"],
    )
    # Another organisation's tag is refused, with a message, nothing changed.
    r = member.post(
        reverse("hoering:verksted_innspill_update", args=[mine.pk]),
        {"tekst": "Endret", "organisasjon": users["other"].pk, "versjon": 1},
    )
    assert r.status_code == 200
    mine.refresh_from_db()
    assert mine.tekst == "Mentorordning for lærlinger"
    # The planner may not rewrite it.
    theirs = Innspill.objects.create(
        spoersmaal=q, tekst="Planleggerens", skrevet_av=users["planner"]
    )
    assert (
        member.get(reverse("hoering:verksted_innspill_update", args=[theirs.pk])).status_code == 403
    )
    with pytest.raises(PermissionDenied):
        services.innspill_update(
            actor=users["planner"], innspill=mine, expected_versjon=1, tekst="x", gruppe=""
        )
    # A stale version: a conflict, the text kept.
    services.innspill_update(
        actor=users["member"], innspill=mine, expected_versjon=1, tekst="v2", gruppe=""
    )
    with pytest.raises(services.InnspillConflict):
        services.innspill_update(
            actor=users["member"], innspill=mine, expected_versjon=1, tekst="v3", gruppe=""
        )
    # Closed by the facilitator: no edits, no new inputs.
    services.spoersmaal_set_open(actor=users["planner"], spoersmaal=q, aapent=False)
    with pytest.raises(ServiceError):
        services.innspill_update(
            actor=users["member"], innspill=mine, expected_versjon=2, tekst="v3", gruppe=""
        )
    with pytest.raises(ServiceError):
        services.innspill_create(actor=users["member"], spoersmaal=q, tekst="for sent")
    assert (
        member.get(reverse("hoering:verksted_innspill_update", args=[mine.pk])).status_code == 403
    )
    mine.refresh_from_db()
    assert mine.tekst == "v2"


def test_bad_input_is_a_message_not_a_500(users, client_for):
    v, _, _ = make_workshop(users, inputs_per_question=0)
    q = v.spoersmaal.first()
    member = client_for("member")
    for data in (
        {"tekst": ""},
        {"tekst": "x" * 5001},
        {"tekst": "bad\x07char"},
        {"tekst": "ok", "gruppe": "g" * 101},
    ):
        r = member.post(reverse("hoering:verksted_innspill_create", args=[q.pk]), data)
        assert r.status_code == 200 and "ds-error-summary" in r.content.decode(), (
            data,
            r.status_code,
        )
    assert Innspill.objects.count() == 0
    r = client_for("planner").post(
        reverse("hoering:verksted_create"), {"tittel": "X", "dager": "i morgen"}
    )
    assert r.status_code == 200 and "i morgen" in r.content.decode()


def test_facilitator_types_for_a_group(users):
    v, _, _ = make_workshop(users, inputs_per_question=0)
    i = services.innspill_create(
        actor=users["planner"],
        spoersmaal=v.spoersmaal.first(),
        tekst="Fra bordet",
        gruppe="Bord 4",
        organisasjon=users["kommune"],
    )
    assert i.for_gruppen and i.organisasjon == users["kommune"]


def test_planner_groups_merges_splits_labels(users):
    v, _, _ = make_workshop(users, inputs_per_question=2)
    a, b, c, d = list(Innspill.objects.order_by("id"))[:4]
    g1 = services.gruppe_create(
        actor=users["planner"], verksted=v, etikett="Lærlinger", innspill=[a, b]
    )
    g2 = services.gruppe_create(actor=users["planner"], verksted=v, etikett="Arenaer", innspill=[c])
    services.gruppe_merge(actor=users["planner"], target=g1, sources=[g2])
    assert (
        set(g1.innspill.all()) == {a, b, c} and not Innspillgruppe.objects.filter(pk=g2.pk).exists()
    )
    g3 = services.gruppe_create(
        actor=users["planner"], verksted=v, etikett="Split", innspill=[c, d]
    )
    assert set(g1.innspill.all()) == {a, b} and set(g3.innspill.all()) == {c, d}
    services.gruppe_label(actor=users["planner"], gruppe=g3, etikett="Nytt navn")
    g3.refresh_from_db()
    assert g3.etikett == "Nytt navn"
    with pytest.raises(PermissionDenied):
        services.gruppe_create(actor=users["member"], verksted=v, etikett="Nei", innspill=[a])
    with pytest.raises(ValidationError):
        services.gruppe_create(actor=users["planner"], verksted=v, etikett="Tom", innspill=[])


def _convert_group(users, client_for):
    v, programme, tema = make_workshop(users, inputs_per_question=1)
    rows = list(Innspill.objects.order_by("spoersmaal__rekkefoelge"))
    gruppe = services.gruppe_create(
        actor=users["planner"], verksted=v, etikett="Lærlingløftet", innspill=rows
    )
    r = client_for("planner").post(
        reverse("hoering:verksted_forslag", args=[v.pk]), {"gruppe": gruppe.pk, "tema": tema.pk}
    )
    assert r.status_code == 302
    forslag = Verkstedforslag.objects.get()
    return v, programme, tema, rows, forslag


def test_a_theme_becomes_a_prefilled_proposed_tiltak(users, client_for):
    v, programme, tema, rows, forslag = _convert_group(users, client_for)
    t = forslag.tiltak
    assert (t.program, t.tema, t.status, t.tittel) == (
        programme,
        tema,
        TiltakStatus.FORESLAATT,
        "Lærlingløftet",
    )
    assert t.beskrivelse == rows[0].tekst
    assert t.samarbeidsparter_tekst == rows[1].tekst
    assert t.virkemiddel == rows[2].tekst
    assert t.forventet_resultat == rows[3].tekst
    assert t.finansiering == rows[4].tekst
    assert t.merknader == rows[5].tekst
    assert set(forslag.innspill.all()) == set(rows)


def test_a_member_cannot_convert(users, client_for):
    v, _, tema = make_workshop(users)
    i = Innspill.objects.first()
    r = client_for("member").post(
        reverse("hoering:verksted_forslag", args=[v.pk]), {"innspill": i.pk, "tema": tema.pk}
    )
    assert r.status_code == 403 and not Tiltak.objects.exists()


def test_trace_is_shown_both_ways_and_survives_a_roll(users, client_for):
    v, programme, tema, rows, forslag = _convert_group(users, client_for)
    planner = client_for("planner")
    # The input shows its tiltak.
    page = planner.get(reverse("hoering:verksted_detail", args=[v.pk])).content.decode()
    assert forslag.tiltak.get_absolute_url() in page
    # The tiltak page names the workshop and the inputs.
    page = planner.get(forslag.tiltak.get_absolute_url()).content.decode()
    assert "Verksted om yrkesdeltagelse" in page and rows[0].tekst in page
    # Rolled to the next period: the copy's page still names them.
    new = programme_roll(
        actor=users["planner"],
        programme=programme,
        start_aar=programme.slutt_aar + 1,
        slutt_aar=programme.slutt_aar + 2,
    )
    copy = Tiltak.objects.get(program=new, forgjenger=forslag.tiltak)
    page = planner.get(copy.get_absolute_url()).content.decode()
    assert "Verksted om yrkesdeltagelse" in page and rows[0].tekst in page
    assert forslag.tiltak.get_absolute_url() in page  # «proposed as … in an earlier period»
    # Not to those who may not see the workshop (the other planner sees neither).
    other = client_for("other_planner").get(copy.get_absolute_url())
    assert rows[0].tekst not in other.content.decode()


def test_a_traced_tiltak_is_kept_when_deleted(users, client_for):
    from tiltak.services.traces import tiltak_has_traces

    _, _, _, _, forslag = _convert_group(users, client_for)
    assert tiltak_has_traces(forslag.tiltak)


def test_summary_pdf_xlsx_and_csv(users, client_for):
    v, _, _ = make_workshop(users, inputs_per_question=2)
    Innspill.objects.filter(pk=Innspill.objects.first().pk).update(tekst='=HYPERLINK("x") farlig')
    client = client_for("member")
    url = reverse("hoering:verksted_summary", args=[v.pk])
    page = client.get(url).content.decode()
    assert "Innspill 1 til Hvem kan være finansiører?" in page
    pdf = client.get(url + "?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Verksted om yrkesdeltagelse" in text
    assert "Innspill 1 til Hvem kan være finansiører?" in text
    box = PdfReader(io.BytesIO(pdf.content)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    xlsx = load_workbook(io.BytesIO(client.get(url + "?format=xlsx").content))
    summary = xlsx.worksheets[0]
    assert [summary.cell(row=r, column=3).value for r in range(2, 8)] == [2] * 6
    assert summary.cell(row=8, column=3).value == 12
    inputs = xlsx.worksheets[1]
    assert inputs.max_row == 13
    assert inputs.cell(row=2, column=3).data_type == "s"
    raw = client.get(reverse("hoering:verksted_innspill_csv", args=[v.pk])).content
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert len(lines) == 13
    assert lines[1][3].startswith("'=HYPERLINK")


def test_a_typed_title_over_the_limit_is_refused_never_cut(users):
    from tiltak.models import TITLE_MAX_LENGTH

    v, _, tema = make_workshop(users)
    i = Innspill.objects.first()
    with pytest.raises(ValidationError) as exc:
        services.forslag_create(
            actor=users["planner"],
            verksted=v,
            tema=tema,
            innspill=i,
            tittel="x" * (TITLE_MAX_LENGTH + 1),
        )
    assert "tittel" in exc.value.message_dict
    assert not Tiltak.objects.exists()
