"""Malformed, damaged and hostile uploads (tests/tiltak/xlsx_corpus.py, each made from a valid
export): every one gets a message naming the row and column where there is one, never an
exception or a 500, and nothing is written. Also: which sheet is read, and an export whose
texts hold characters XML cannot hold."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from partnerskap.models import Organisasjon
from tests.factories import AnsvarFactory, HandlingsprogramFactory, TemaFactory, TiltakFactory
from tests.tiltak.xlsx_corpus import CORPUS, READABLE, WORKBOOK, with_member
from tests.tiltak.xlsx_helpers import to_bytes, workbook
from tiltak.exports import programme_xlsx
from tiltak.models import Ansvar, Handlingsprogram, ProgramStatus, Rolle, Tiltak
from tiltak.services.excel.apply import programme_import_apply
from tiltak.services.excel.preview import programme_import_preview
from tiltak.services.excel.reader import MAX_ERRORS
from tiltak.services.excel.types import ImportRefused

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def programme(users):
    """A draft of the planner's county: theme 1 with measures 1.1-1.3, each led by Testby."""
    programme = HandlingsprogramFactory(eier=users["county"], status=ProgramStatus.UTKAST)
    tema = TemaFactory(program=programme, nummer=1, navn="Kompetanse")
    for n in (1, 2, 3):
        t = TiltakFactory(tema=tema, nummer=n, tittel=f"Tiltak {n}", beskrivelse=f"Om {n}")
        AnsvarFactory(tiltak=t, organisasjon=users["kommune"], rolle=Rolle.HOVEDANSVAR)
    return programme


def state() -> tuple:
    """Everything an import could write."""
    return (
        sorted(Tiltak.alle.values_list("id", "versjon", "tittel", "beskrivelse", "nummer")),
        Tiltak.history.count(),
        sorted(Ansvar.objects.values_list("id", "tiltak_id", "organisasjon_id", "rolle")),
        Ansvar.history.count(),
        Organisasjon.objects.count(),
    )


DAMAGED = "The file is damaged"
# kind -> (text in the message, row, column, letter): None where the file as a whole is wrong.
EXPECTED = {
    "truncated": ("The file is incomplete or damaged", None, None, None),
    "truncated_sheet_xml": (f"{DAMAGED}: the sheet could not be read after row 2", *[None] * 3),
    "bad_crc": (DAMAGED, None, None, None),
    "bad_deflate": (DAMAGED, None, None, None),
    "shared_string_out_of_range": (
        "the cell could not be read: the file is damaged",
        2,
        "Tiltak",
        "G",
    ),
    "huge_number": ("the number has 5\u00a0000 digits", 2, "Nr", "F"),
    "huge_number_as_text": (
        "“7777777777777777777777777777777777777777…” is not an ID",
        2,
        "ID",
        "A",
    ),
    "infinite_number": ("“inf” is not a whole number", 2, "Nr", "F"),
    "not_a_number": ("the cell's value “abc” cannot be read", 2, "Nr", "F"),
    "bad_date": ("the cell's value “not-a-date” cannot be read", 2, "Beskrivelse", "H"),
    "bad_boolean": ("the cell's value “yes” cannot be read", 2, "Beskrivelse", "H"),
    "bad_coordinate": ("the cell could not be read: the file is damaged", 2, "Nr", "F"),
    "bad_row_number": (f"{DAMAGED}: the sheet could not be read after row 2", *[None] * 3),
    "control_character_reference": (
        f"{DAMAGED}: the sheet could not be read after row 1",
        *[None] * 3,
    ),
    "formula": ("the cell holds a formula", 2, "Beskrivelse", "H"),
    "hidden_sheet": ("The sheet “Tiltak” is hidden", None, None, None),
    "chart_sheet_only": ("no visible sheet with rows", None, None, None),
    "no_sheets": ("The workbook has no sheets", None, None, None),
    "missing_sheet_part": ("The workbook has no sheets", None, None, None),
    "xls_renamed": ("an old Excel workbook (.xls)", None, None, None),
    "encrypted": ("or is protected with a password", None, None, None),
    "ods_renamed": ("an OpenDocument spreadsheet (.ods)", None, None, None),
    "csv_renamed": ("The file is not an Excel workbook (.xlsx)", None, None, None),
    "empty": ("The file is empty", None, None, None),
    "zip_bomb": ("unpacks to too much data", None, None, None),
    "claims_one_gigabyte": ("unpacks to too much data", None, None, None),
    "path_traversal": ("parts with names an Excel workbook does not have", None, None, None),
    "entity_bomb": (DAMAGED, None, None, None),
    "very_long_cell": ("the cell holds 2\u00a0000\u00a0000 characters", 2, "Beskrivelse", "H"),
    "many_empty_rows": ("The sheet has more than 20\u00a0000 rows", None, None, None),
    "dense_cells": ("The sheet has more than 200\u00a0000 cells", None, None, None),
    "huge_version": ("the number has 5\u00a0000 digits", 2, "Versjon", "N"),
    "many_errors": ("the cell holds a formula", 10, "Beskrivelse", "H"),
}


def test_every_file_of_the_corpus_has_an_expected_message():
    assert set(EXPECTED) == set(CORPUS)


@pytest.mark.parametrize("kind", list(CORPUS))
def test_a_malformed_file_gets_a_message_and_changes_nothing(users, programme, kind):
    data = CORPUS[kind](programme_xlsx(programme))
    text, row, column, letter = EXPECTED[kind]
    before = state()
    preview = programme_import_preview(actor=users["planner"], programme=programme, data=data)
    assert not preview.ok
    messages = [str(e) for e in preview.errors]
    error = next((e for e in preview.errors if text in e.message), None)
    assert error is not None, messages
    assert (error.row, error.column, error.letter) == (row, column, letter)
    # One clear message per broken cell: no second one about the value it could not read.
    assert len([e for e in preview.errors if e.row == 2 and e.column == column]) <= 1
    assert all(len(m) < 400 for m in messages)
    assert not (preview.new or preview.changed or preview.removed or preview.conflicts)
    with pytest.raises(ImportRefused):
        programme_import_apply(
            actor=users["planner"],
            programme=programme,
            data=data,
            org_mapping={},
            expected_fingerprint=preview.fingerprint,
        )
    assert state() == before


def test_malformed_uploads_get_a_page_with_the_message_never_a_500(client, users, programme):
    client.force_login(users["planner"])
    client.cookies["portal_language"] = "en"
    url = reverse("tiltak:programme_import", kwargs={"pk": programme.pk})
    export = programme_xlsx(programme)
    before = state()
    for kind, make in CORPUS.items():
        upload = SimpleUploadedFile("program.xlsx", make(export), "application/octet-stream")
        response = client.post(url, {"fil": upload})
        assert response.status_code == 200, kind
        page = response.content.decode()
        if kind == "empty":  # the upload form says so before the import reads anything
            assert "Excel file: the file is empty." in page
        else:
            assert "The file cannot be imported" in page, kind
            assert escape(EXPECTED[kind][0]) in page, kind
        assert not client.session.get("tiltak_excel_import"), kind
    assert state() == before


@pytest.mark.parametrize("kind", list(READABLE))
def test_odd_but_readable_files_import_as_the_export(users, programme, kind):
    data = READABLE[kind](programme_xlsx(programme))
    preview = programme_import_preview(actor=users["planner"], programme=programme, data=data)
    assert preview.ok, [str(e) for e in preview.errors]
    if kind == "control_character_escape":
        # What Excel writes for a control character: the character is removed, with a warning.
        assert [(w.row, w.column) for w in preview.warnings] == [(2, "Beskrivelse")]
        assert "control characters" in preview.warnings[0].message
        [change] = preview.changed
        assert change.fields == {"beskrivelse": "Beskrivelse med kontrolltegn"}
    else:
        assert (preview.unchanged, preview.has_changes, preview.warnings) == (3, False, [])


def test_reading_stops_at_the_hundredth_error(users, programme):
    data = CORPUS["many_errors"](programme_xlsx(programme))
    preview = programme_import_preview(actor=users["planner"], programme=programme, data=data)
    assert preview.error_count == MAX_ERRORS + 1
    assert [e.row for e in preview.errors[:MAX_ERRORS]] == list(range(10, 10 + MAX_ERRORS))
    assert preview.errors[-1].message.startswith(
        f"Reading stopped at row {10 + MAX_ERRORS - 1} after {MAX_ERRORS} errors."
    )


# --- Which sheet ------------------------------------------------------------------------------


def _with_sheets(export: bytes, *, hidden_first: bool, rename: str | None = None) -> bytes:
    wb = workbook(export)
    if rename:
        wb.worksheets[0].title = rename
    junk = wb.create_sheet("Gammel", 0)
    junk.append(["ID", "Tema", "Nr", "Tiltak"])
    junk.append([1, "99 Finnes ikke", 1, "Gammelt"])
    if hidden_first:
        junk.sheet_state = "hidden"
    return to_bytes(wb)


def test_the_sheet_called_tiltak_is_read_wherever_it_is(users, programme):
    data = _with_sheets(programme_xlsx(programme), hidden_first=False)
    preview = programme_import_preview(actor=users["planner"], programme=programme, data=data)
    assert preview.ok and preview.unchanged == 3


def test_without_a_tiltak_sheet_the_first_visible_one_is_read_never_a_hidden_one(users, programme):
    data = _with_sheets(programme_xlsx(programme), hidden_first=True, rename="Ark1")
    preview = programme_import_preview(actor=users["planner"], programme=programme, data=data)
    assert preview.ok and preview.unchanged == 3
    # Visible, it is the first sheet and is read (and its theme is unknown).
    data = _with_sheets(programme_xlsx(programme), hidden_first=False, rename="Ark1")
    preview = programme_import_preview(actor=users["planner"], programme=programme, data=data)
    assert any("“99 Finnes ikke” is not a theme" in e.message for e in preview.errors)


def test_a_workbook_of_only_hidden_sheets_is_refused(users, programme):
    def hide(xml: bytes) -> bytes:
        return xml.replace(b'name="Tiltak"', b'name="Ark1"').replace(
            b'state="visible"', b'state="hidden"'
        )

    data = with_member(programme_xlsx(programme), WORKBOOK, hide)
    preview = programme_import_preview(actor=users["planner"], programme=programme, data=data)
    assert [e.message for e in preview.errors] == [
        "The workbook has no visible sheet with rows (hidden sheets and chart sheets are not read)."
    ]


# --- Characters XML cannot hold ---------------------------------------------------------------


def test_the_export_removes_characters_xml_cannot_hold(client, users, programme):
    """A control character typed or pasted into a name used to make the export a file Excel
    could not open (openpyxl writes the document properties unchecked)."""
    Handlingsprogram.objects.filter(pk=programme.pk).update(
        navn="Kompetanse\x01løftet", undertittel="Under\x0btittel"
    )
    programme.refresh_from_db()
    t1 = Tiltak.objects.get(program=programme, nummer=1)
    Tiltak.objects.filter(pk=t1.pk).update(
        tittel="Tittel\x1fmed\ufffe tegn", beskrivelse="Kode _x0041_ er ikke A"
    )
    Tiltak.objects.filter(program=programme, nummer=2).update(beskrivelse="Linje\r\nto\x07")
    Organisasjon.objects.filter(pk=users["kommune"].pk).update(navn="Testby\x03 kommune")
    tema = t1.tema
    type(tema).objects.filter(pk=tema.pk).update(navn="Kompe\x02tanse")

    data = programme_xlsx(programme)
    wb = workbook(data)  # not readable before: "not well-formed (invalid token)"
    assert wb.properties.title == "Kompetanseløftet 2019–2020"
    assert wb.properties.subject == "Undertittel"
    ws = wb.worksheets[0]
    assert [ws["B2"].value, ws["G2"].value, ws["J2"].value] == [
        "1 Kompetanse",
        "Tittelmed tegn",
        "Testby kommune",
    ]
    # A text that looks like Excel's escape of a character is written escaped itself.
    assert ws["H2"].value == "Kode _x005F_x0041_ er ikke A"

    # The import compares through the same cleaning: nothing shows as changed.
    preview = programme_import_preview(actor=users["planner"], programme=programme, data=data)
    assert preview.ok and not preview.has_changes and preview.unchanged == 3, [
        (c.row, c.changes) for c in preview.changed
    ]

    client.force_login(users["planner"])
    response = client.get(reverse("tiltak:programme_export", kwargs={"pk": programme.pk}))
    assert response.status_code == 200
    assert "\x01" not in response["Content-Disposition"]
    assert workbook(response.content).properties.title == "Kompetanseløftet 2019–2020"


def test_an_exported_workbook_opens_in_normal_mode_too(programme):
    ws = workbook(programme_xlsx(programme)).worksheets[0]
    assert ws.max_row == 4 and io  # the file is whole
