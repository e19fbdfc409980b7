"""Importing an Excel file that is older than the portal: the versions the export records, the
rows the preview marks as changed in the portal since (per row, with the portal's newer value
against the file's), the choice that must be made before anything is written, and files that
do not record versions."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl.packaging.custom import CustomPropertyList

from partnerskap.models import Organisasjon
from tests.factories import AnsvarFactory, HandlingsprogramFactory, TemaFactory, TiltakFactory
from tests.tiltak.xlsx_helpers import edit, row_of, set_cell, workbook
from tiltak.exports import COL_VERSJON, EXPORTED_PROPERTY, HEADERS, programme_xlsx
from tiltak.models import Ansvar, ProgramStatus, Rolle, Tiltak
from tiltak.services import ansvar as ansvar_services
from tiltak.services import tiltak as tiltak_services
from tiltak.services.excel.apply import programme_import_apply
from tiltak.services.excel.preview import programme_import_preview
from tiltak.services.excel.types import (
    KEEP_PORTAL,
    USE_FILE,
    ConflictKind,
    ImportRefused,
)

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


@pytest.fixture
def planner(users):
    return users["planner"]


@pytest.fixture
def colleague(users):
    return users["administrator"]


def tiltak(programme, nummer: int) -> Tiltak:
    return Tiltak.alle.get(program=programme, nummer=nummer, tema__nummer=1)


def preview_of(planner, programme, data):
    return programme_import_preview(actor=planner, programme=programme, data=data)


def apply(planner, programme, data, choices=None):
    fingerprint = preview_of(planner, programme, data).fingerprint
    return programme_import_apply(
        actor=planner,
        programme=programme,
        data=data,
        org_mapping={},
        expected_fingerprint=fingerprint,
        conflict_choices=choices,
    )


def snapshot(programme):
    return {
        "tiltak": sorted(
            Tiltak.alle.filter(program=programme).values_list(
                "id", "versjon", "tittel", "beskrivelse", "nummer", "slettet"
            )
        ),
        "history": Tiltak.history.count(),
        "ansvar": sorted(Ansvar.objects.values_list("id", "tiltak_id", "organisasjon_id")),
    }


# --- The export records versions --------------------------------------------------------------


def test_export_records_each_version_in_a_hidden_last_column_and_the_export_time(
    programme, planner
):
    t = tiltak(programme, 2)
    tiltak_services.tiltak_update(actor=planner, tiltak=t, expected_versjon=1, tittel="Ny")
    before = timezone.now()
    wb = workbook(programme_xlsx(programme))
    ws = wb.worksheets[0]
    assert HEADERS[-1] == COL_VERSJON == ws["N1"].value
    assert ws.column_dimensions["N"].hidden is True
    # The header explains, for a planner who shows the column, what it is for.
    assert "Ikke endre den" in ws["N1"].comment.text
    assert ws.auto_filter.ref == "A1:N4"  # sorting keeps the version with its row
    assert ws.cell(row=row_of(ws, t.pk), column=14).value == 2
    assert ws.cell(row=row_of(ws, tiltak(programme, 1).pk), column=14).value == 1
    props = {p.name: p.value for p in wb.custom_doc_props}
    exported = dt.datetime.fromisoformat(props[EXPORTED_PROPERTY])
    assert before - dt.timedelta(seconds=1) <= exported <= timezone.now()


# --- Rows older than the portal ---------------------------------------------------------------


def test_an_older_file_does_not_silently_revert_a_colleagues_edit(programme, planner, colleague):
    """The planner downloads the programme, a colleague then renames measure 1.2 in the portal,
    the planner edits its description (and measure 1.3's) in Excel and imports the file."""
    t2, t3 = tiltak(programme, 2), tiltak(programme, 3)
    export = programme_xlsx(programme)
    tiltak_services.tiltak_update(
        actor=colleague, tiltak=t2, expected_versjon=1, tittel="Nytt navn fra kollega"
    )

    def change(ws):
        set_cell(ws, t2.pk, "H", "Beskrivelse fra Excel")
        set_cell(ws, t3.pk, "H", "Også fra Excel")

    data = edit(export, change)
    preview = preview_of(planner, programme, data)
    assert preview.ok, preview.errors

    # Measure 1.2 is a conflict of its own, not an ordinary change; 1.3 is ordinary.
    assert [c.tiltak_id for c in preview.conflicts] == [t2.pk]
    conflict = preview.conflicts[0]
    assert conflict.kind == ConflictKind.CHANGED
    assert conflict.row == row_of(workbook(export).worksheets[0], t2.pk)
    assert (conflict.file_versjon, conflict.portal_versjon) == (1, 2)
    assert conflict.user == colleague and conflict.date is not None
    columns = {c.column: c for c in conflict.columns}
    # The portal's newer title against the file's (older) one, marked as changed there.
    assert columns["Tiltak"].changed_in_portal
    assert (columns["Tiltak"].exported, columns["Tiltak"].portal, columns["Tiltak"].file) == (
        "Tiltak 2",
        "Nytt navn fra kollega",
        "Tiltak 2",
    )
    # The planner's own edit is shown too, but was not made in the portal.
    assert not columns["Beskrivelse"].changed_in_portal
    assert [c.tiltak.pk for c in preview.plain_changed] == [t3.pk]
    assert preview.undecided == [conflict]

    # Without a choice nothing is written, and the message names the row.
    before = snapshot(programme)
    with pytest.raises(ImportRefused) as refused:
        apply(planner, programme, data)
    assert "changed in the portal after the file was exported" in str(refused.value)
    assert [i.row for i in refused.value.issues] == [conflict.row]
    assert refused.value.issues[0].message == (
        f"Measure {conflict.label} was changed in the portal after the file was exported, and "
        "the file would undo that. Choose the portal's version or the file's."
    )
    assert snapshot(programme) == before


def test_keeping_the_portals_values_skips_the_row(programme, planner, colleague):
    t2, t3 = tiltak(programme, 2), tiltak(programme, 3)
    export = programme_xlsx(programme)
    tiltak_services.tiltak_update(actor=colleague, tiltak=t2, expected_versjon=1, tittel="Nyere")

    def change(ws):
        set_cell(ws, t2.pk, "H", "Beskrivelse fra Excel")
        set_cell(ws, t3.pk, "H", "Også fra Excel")

    result = apply(planner, programme, edit(export, change), {t2.pk: KEEP_PORTAL})
    assert (result.updated, result.kept_from_portal) == (1, 1)
    t2.refresh_from_db()
    assert (t2.tittel, t2.beskrivelse, t2.versjon) == ("Nyere", "Om 2", 2)
    assert Tiltak.objects.get(pk=t3.pk).beskrivelse == "Også fra Excel"


def test_overwriting_with_the_files_values(programme, planner, colleague):
    t2 = tiltak(programme, 2)
    export = programme_xlsx(programme)
    tiltak_services.tiltak_update(actor=colleague, tiltak=t2, expected_versjon=1, tittel="Nyere")
    data = edit(export, lambda ws: set_cell(ws, t2.pk, "H", "Beskrivelse fra Excel"))
    result = apply(planner, programme, data, {t2.pk: USE_FILE})
    assert result.updated == 1
    t2.refresh_from_db()
    assert (t2.tittel, t2.beskrivelse, t2.versjon) == ("Tiltak 2", "Beskrivelse fra Excel", 3)


def test_a_colleagues_edit_the_file_does_not_touch_is_kept_without_asking(
    programme, planner, colleague
):
    """Only columns the file would undo make a conflict: a colleague's new funding text (not
    in the file) and the same title written in both places are no reason to ask."""
    t2 = tiltak(programme, 2)
    export = programme_xlsx(programme)
    tiltak_services.tiltak_update(
        actor=colleague, tiltak=t2, expected_versjon=1, finansiering="Fylket", tittel="Samme"
    )
    data = edit(export, lambda ws: set_cell(ws, t2.pk, "G", "Samme"))
    preview = preview_of(planner, programme, data)
    assert preview.ok and preview.conflicts == [] and preview.unchanged == 3
    data = edit(
        export,
        lambda ws: (set_cell(ws, t2.pk, "G", "Samme"), set_cell(ws, t2.pk, "I", "Tilskudd")),
    )
    result = apply(planner, programme, data)
    t2.refresh_from_db()
    assert result.updated == 1
    assert (t2.tittel, t2.finansiering, t2.virkemiddel) == ("Samme", "Fylket", "Tilskudd")


def test_parties_added_in_the_portal_since_the_export(programme, planner, colleague, users):
    """Parties do not raise the version; the export time tells that they changed."""
    t1 = tiltak(programme, 1)
    export = programme_xlsx(programme)
    ansvar_services.ansvar_add(
        actor=colleague,
        tiltak=t1,
        organisasjon=users["other"],
        rolle=Rolle.SAMARBEIDSPART,
    )
    data = edit(export, lambda ws: set_cell(ws, t1.pk, "G", "Ny tittel"))
    preview = preview_of(planner, programme, data)
    assert [c.tiltak_id for c in preview.conflicts] == [t1.pk]
    columns = {c.column: c for c in preview.conflicts[0].columns}
    assert columns["Samarbeidsparter"].changed_in_portal
    assert columns["Samarbeidsparter"].portal == "Annen fylkeskommune"
    assert columns["Samarbeidsparter"].file == ""
    assert not columns["Tiltak"].changed_in_portal
    apply(planner, programme, data, {t1.pk: KEEP_PORTAL})
    assert [a.organisasjon for a in Tiltak.objects.get(pk=t1.pk).samarbeidsparter()] == [
        users["other"]
    ]


def test_rows_of_measures_deleted_in_the_portal_since_the_export(programme, planner, colleague):
    """1.1 was changed once, so deleting it keeps it (restorable); 1.2 is removed for good."""
    t1, t2 = tiltak(programme, 1), tiltak(programme, 2)
    tiltak_services.tiltak_update(actor=planner, tiltak=t1, expected_versjon=1, virkemiddel="X")
    export = programme_xlsx(programme)
    t1.refresh_from_db()
    assert tiltak_services.tiltak_delete(actor=colleague, tiltak=t1, reason="Utgår") == "soft"
    assert tiltak_services.tiltak_delete(actor=colleague, tiltak=t2, reason="Feil") == "hard"

    data = edit(export, lambda ws: set_cell(ws, t1.pk, "G", "Tilbake fra Excel"))
    preview = preview_of(planner, programme, data)
    assert preview.ok, preview.errors  # before: "ID … is a deleted measure" refused the file
    by_id = {c.tiltak_id: c for c in preview.conflicts}
    assert set(by_id) == {t1.pk, t2.pk}
    assert by_id[t1.pk].kind == by_id[t2.pk].kind == ConflictKind.DELETED
    assert by_id[t1.pk].restorable and not by_id[t2.pk].restorable
    assert by_id[t1.pk].reason == "Utgår" and by_id[t2.pk].reason == "Feil"
    assert by_id[t2.pk].user == colleague

    before = snapshot(programme)
    with pytest.raises(ImportRefused):
        apply(planner, programme, data)
    assert snapshot(programme) == before

    # Kept deleted: nothing changes.
    result = apply(planner, programme, data, {t1.pk: KEEP_PORTAL, t2.pk: KEEP_PORTAL})
    assert result.kept_from_portal == 2 and (result.created, result.restored) == (0, 0)
    assert snapshot(programme)["tiltak"] == before["tiltak"]

    # The file's rows: 1.1 restored with the file's title, 1.2 back as a new measure.
    result = apply(planner, programme, data, {t1.pk: USE_FILE, t2.pk: USE_FILE})
    assert (result.restored, result.updated, result.created) == (1, 1, 1)
    t1 = Tiltak.objects.get(pk=t1.pk)
    assert (t1.tittel, t1.nummer, t1.slettet_grunn) == ("Tilbake fra Excel", 1, "")
    assert t1.history.first().history_change_reason == "Restored after deletion"
    new = Tiltak.objects.get(program=programme, tittel="Tiltak 2")
    assert new.pk != t2.pk and new.nummer == 2


def test_a_measure_added_in_the_portal_after_the_export_is_not_removed_silently(
    programme, planner, colleague
):
    export = programme_xlsx(programme)
    tema = tiltak(programme, 1).tema
    added = tiltak_services.tiltak_create(actor=colleague, tema=tema, tittel="Lagt til etterpå")
    preview = preview_of(planner, programme, export)
    assert [(c.kind, c.tiltak_id, c.row) for c in preview.conflicts] == [
        (ConflictKind.ADDED, added.pk, None)
    ]
    assert preview.plain_removed == []
    result = apply(planner, programme, export, {added.pk: KEEP_PORTAL})
    assert result.kept_from_portal == 1 and result.deleted == 0
    assert Tiltak.objects.filter(pk=added.pk).exists()
    result = apply(planner, programme, export, {added.pk: USE_FILE})
    assert result.deleted == 1
    assert not Tiltak.alle.filter(pk=added.pk).exists()


def test_an_empty_version_cell_is_judged_by_the_export_time(programme, planner, colleague):
    t2 = tiltak(programme, 2)
    export = edit(programme_xlsx(programme), lambda ws: set_cell(ws, t2.pk, "N", None))
    tiltak_services.tiltak_update(actor=colleague, tiltak=t2, expected_versjon=1, tittel="Nyere")
    preview = preview_of(planner, programme, export)
    assert [(c.tiltak_id, c.file_versjon) for c in preview.conflicts] == [(t2.pk, None)]
    assert {c.column: c.exported for c in preview.conflicts[0].columns} == {"Tiltak": "Tiltak 2"}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("to", "“to” is not a version"),
        (7, "the version 7 is newer than the measure's in the portal (1)"),
        ("9" * 30, "is not a version"),
    ],
)
def test_a_bad_version_is_an_error_of_its_cell(programme, planner, value, message):
    t2 = tiltak(programme, 2)
    data = edit(programme_xlsx(programme), lambda ws: set_cell(ws, t2.pk, "N", value))
    preview = preview_of(planner, programme, data)
    assert not preview.ok
    error = next(e for e in preview.errors if message in e.message)
    assert (error.row, error.column, error.letter) == (3, "Versjon", "N")


def test_a_file_without_versions_is_accepted_with_a_general_warning(programme, planner, colleague):
    """Files exported before versions were recorded: the colleague's edit cannot be seen and
    the file's value replaces it, as the warning says."""
    t2 = tiltak(programme, 2)

    def old_format(ws):
        ws.delete_cols(14)
        ws.parent.custom_doc_props = CustomPropertyList()

    export = edit(programme_xlsx(programme), old_format)
    assert COL_VERSJON not in [c.value for c in workbook(export).worksheets[0][1]]
    tiltak_services.tiltak_update(actor=colleague, tiltak=t2, expected_versjon=1, tittel="Nyere")
    preview = preview_of(planner, programme, export)
    assert preview.ok and preview.conflicts == []
    assert "changes made in the portal since the export cannot be detected" in str(
        preview.warnings[0]
    )
    assert [c.tiltak.pk for c in preview.changed] == [t2.pk]
    apply(planner, programme, export)
    assert Tiltak.objects.get(pk=t2.pk).tittel == "Tiltak 2"


# --- The pages --------------------------------------------------------------------------------


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("program.xlsx", data, content_type="application/octet-stream")


def test_choosing_in_the_browser(client, programme, planner, colleague):
    client.force_login(planner)
    client.cookies["portal_language"] = "en"
    t1, t2 = tiltak(programme, 1), tiltak(programme, 2)
    export = programme_xlsx(programme)
    for t in (t1, t2):
        tiltak_services.tiltak_update(
            actor=colleague, tiltak=t, expected_versjon=1, tittel=f"Kollegas {t.nummer}"
        )
    data = edit(
        export,
        lambda ws: (set_cell(ws, t1.pk, "H", "Excel 1"), set_cell(ws, t2.pk, "H", "Excel 2")),
    )
    upload = reverse("tiltak:programme_import", kwargs={"pk": programme.pk})
    url = reverse("tiltak:programme_import_preview", kwargs={"pk": programme.pk})
    assert client.post(upload, {"fil": _upload(data)}).status_code == 302

    response = client.get(url)
    page = response.content.decode()
    assert "Changed in the portal since the export" in page
    assert "Row 2: measure 1.1 Kollegas 1" in page and "Row 3: measure 1.2 Kollegas 2" in page
    assert "When exported" in page and "Changed in the portal since the export" in page
    fingerprint = response.context["preview"].fingerprint

    # No choice: the page says which rows need one, nothing is written.
    before = snapshot(programme)
    response = client.post(url, {"fingerprint": fingerprint, "bekreft": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose what to do with each row changed in the portal" in page
    assert "Row 2: measure 1.1 Kollegas 1: choose the portal&#x27;s version or the file" in page
    assert snapshot(programme) == before

    # The portal's values for all, the file's for row 3.
    response = client.post(
        url,
        {
            "fingerprint": fingerprint,
            "bekreft": "",
            "alle": KEEP_PORTAL,
            f"konflikt-{t2.pk}": USE_FILE,
        },
    )
    assert response.status_code == 302
    t1.refresh_from_db()
    t2.refresh_from_db()
    assert (t1.tittel, t1.beskrivelse) == ("Kollegas 1", "Om 1")
    assert (t2.tittel, t2.beskrivelse) == ("Tiltak 2", "Excel 2")
    page = client.get(response["Location"]).content.decode()
    assert "1 changed" in page and "1 kept as in the portal" in page


def test_organisation_ids_are_not_needed_for_a_kept_row(programme, planner, colleague):
    """A row kept for the portal is not read for writing: an unknown organisation in it needs
    no choice."""
    t2 = tiltak(programme, 2)
    export = programme_xlsx(programme)
    tiltak_services.tiltak_update(actor=colleague, tiltak=t2, expected_versjon=1, tittel="Nyere")
    data = edit(export, lambda ws: set_cell(ws, t2.pk, "J", "Helt Ukjent AS"))
    result = apply(planner, programme, data, {t2.pk: KEEP_PORTAL})
    assert result.kept_from_portal == 1
    assert not Organisasjon.objects.filter(navn="Helt Ukjent AS").exists()


def test_preview_page_query_budget_is_the_same_for_ten_times_the_conflicts(
    client, users, planner, colleague
):
    """The preview page of a file with one row changed in the portal since the export (and one
    measure deleted, one added) against one with ten times as many of each."""
    from tests.budgets import assert_same_queries, count_queries

    client.force_login(planner)

    def preview_queries(n: int) -> tuple[int, int]:
        programme = HandlingsprogramFactory(eier=users["county"], status=ProgramStatus.UTKAST)
        tema = TemaFactory(program=programme, nummer=1, navn="Kompetanse")
        rows = [
            TiltakFactory(tema=tema, nummer=k, tittel=f"Tiltak {k}") for k in range(1, 2 * n + 1)
        ]
        for t in rows:
            AnsvarFactory(tiltak=t, organisasjon=users["kommune"], rolle=Rolle.HOVEDANSVAR)
        export = programme_xlsx(programme)
        for t in rows[:n]:
            tiltak_services.tiltak_update(
                actor=colleague, tiltak=t, expected_versjon=1, tittel=f"Endret {t.nummer}"
            )
        for t in rows[n:]:
            tiltak_services.tiltak_delete(actor=colleague, tiltak=t, reason="Utgår")
        for _k in range(n):
            tiltak_services.tiltak_create(actor=colleague, tema=tema, tittel="Ny")
        client.post(
            reverse("tiltak:programme_import", kwargs={"pk": programme.pk}),
            {"fil": _upload(export)},
        )
        url = reverse("tiltak:programme_import_preview", kwargs={"pk": programme.pk})
        queries = count_queries(client, url)
        conflicts = client.get(url).context["preview"].conflicts
        assert len(conflicts) == 3 * n
        return queries, len(conflicts)

    small, small_size = preview_queries(1)
    large, large_size = preview_queries(10)
    assert_same_queries(small, large, ceiling=30, sizes=(small_size, large_size))
