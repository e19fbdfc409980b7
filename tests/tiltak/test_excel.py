"""Excel round trip: the exported workbook opened again and checked cell by cell, the import's
preview and apply, every kind of bad file (refused with row and column, nothing written), and
who may export and import."""

import io
import time

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from partnerskap.models import BrukerRolle, Organisasjon, OrganisasjonType
from tests.budgets import assert_same_queries, count_queries
from tests.factories import (
    AnsvarFactory,
    BrukerFactory,
    HandlingsprogramFactory,
    TemaFactory,
    TiltakFactory,
)
from tests.tiltak.xlsx_helpers import (
    big_xlsx,
    edit,
    make_xlsx,
    row_of,
    set_cell,
    workbook,
    zip_bomb,
    zip_bytes,
)
from tiltak.exports import HEADERS, programme_xlsx
from tiltak.models import (
    Ansvar,
    Delmaal,
    Handlingsprogram,
    ProgramStatus,
    Rolle,
    Satsingsomraade,
    Tema,
    Tiltak,
)
from tiltak.services import ansvar as ansvar_services
from tiltak.services import tiltak as tiltak_services
from tiltak.services.excel.apply import REMOVED_REASON, programme_import_apply
from tiltak.services.excel.container import MAX_FILE_BYTES
from tiltak.services.excel.preview import programme_import_preview
from tiltak.services.excel.types import CellChange, ImportRefused, ImportStale, OrgChoice
from tiltak.synthetic import build_large_programme

pytestmark = pytest.mark.django_db

BUSKERUD = "Smart samhandling i Buskerud"


# --- Fixtures and helpers ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    """Pending uploads go to the test's own storage (default_storage under MEDIA_ROOT)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English (the msgids); the pages get the language cookie."""
    with translation.override("en"):
        yield


@pytest.fixture
def buskerud(demo_data):
    return Handlingsprogram.objects.get(navn=BUSKERUD, start_aar=2019)


@pytest.fixture
def draft(buskerud):
    """The Buskerud programme as a draft, so it may be imported into."""
    Handlingsprogram.objects.filter(pk=buskerud.pk).update(status=ProgramStatus.UTKAST)
    buskerud.refresh_from_db()
    return buskerud


@pytest.fixture
def planner(demo_data):
    """A planner of Buskerud fylkeskommune, the owner of the demo programme."""
    return BrukerFactory(
        email="planlegger@bfk.no",
        organisasjon=Organisasjon.objects.get(slug="bfk"),
        rolle=BrukerRolle.PLANLEGGER,
    )


def first_tiltak(programme, **filters) -> Tiltak:
    return (
        Tiltak.objects.filter(program=programme, **filters)
        .select_related("tema")
        .order_by("tema__nummer", "rekkefoelge", "id")
        .first()
    )


def history_counts() -> dict[str, int]:
    return {
        "tiltak": Tiltak.history.count(),
        "ansvar": Ansvar.history.count(),
        "tema": Tema.history.count(),
        "delmaal": Delmaal.history.count(),
        "satsing": Satsingsomraade.history.count(),
        "programme": Handlingsprogram.history.count(),
        "organisasjoner": Organisasjon.objects.count(),
        "tiltak_rows": Tiltak.alle.count(),
        "ansvar_rows": Ansvar.objects.count(),
    }


def versions(programme) -> dict[int, int]:
    return dict(Tiltak.alle.filter(program=programme).values_list("id", "versjon"))


def preview_of(planner, programme, data):
    return programme_import_preview(actor=planner, programme=programme, data=data)


def apply(planner, programme, data, mapping=None, fingerprint=None):
    if fingerprint is None:
        fingerprint = preview_of(planner, programme, data).fingerprint
    return programme_import_apply(
        actor=planner,
        programme=programme,
        data=data,
        org_mapping=mapping or {},
        expected_fingerprint=fingerprint,
    )


# --- Export -----------------------------------------------------------------------------------


def test_export_of_the_demo_programme_opened_again(buskerud):
    # The file format does not follow the UI language.
    with translation.override("en"):
        data = programme_xlsx(buskerud)
    wb = workbook(data)
    ws = wb.worksheets[0]
    assert ws.title == "Tiltak"
    assert wb.properties.title == f"{BUSKERUD} 2019–2020"
    assert wb.properties.creator == "Partnerskapsportalen"

    assert [c.value for c in ws[1]] == list(HEADERS)
    assert list(HEADERS) == [
        "ID",
        "Tema",
        "Delmål",
        "Satsingsområde",
        "Prioritert handling",
        "Nr",
        "Tiltak",
        "Beskrivelse",
        "Virkemiddel",
        "Hovedansvar",
        "Samarbeidsparter",
        "Type",
        "Status",
        "Versjon",
    ]
    assert ws.max_row == 165  # 164 tiltak and the header
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref == "A1:N165"
    for cell in ws[1]:
        assert cell.font.b is True
        assert cell.fill.fill_type == "solid"
        assert cell.fill.start_color.rgb == "FFD9E5F2"
    # Column widths as a user opening the file sees them: narrow ID, number, type and status;
    # wide, wrapped text columns.
    widths = {letter: ws.column_dimensions[letter].width for letter in "ABCDEFGHIJKLMN"}
    assert widths == {
        "A": 8,
        "B": 28,
        "C": 36,
        "D": 36,
        "E": 40,
        "F": 6,
        "G": 50,
        "H": 60,
        "I": 30,
        "J": 32,
        "K": 40,
        "L": 20,
        "M": 14,
        "N": 9,
    }
    # Only the version column is hidden.
    hidden = {letter for letter in "ABCDEFGHIJKLMN" if ws.column_dimensions[letter].hidden}
    assert hidden == {"N"}
    wrapped = {letter for letter in "ABCDEFGHIJKLMN" if ws[f"{letter}2"].alignment.wrap_text}
    assert wrapped == set("BCDEGHIJK")

    # Every tiltak once, by ID; deleted ones are not exported.
    ids = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    assert sorted(ids) == sorted(
        Tiltak.objects.filter(program=buskerud).values_list("pk", flat=True)
    )

    t = Tiltak.objects.get(program=buskerud, tema__nummer=3, nummer=1)
    row = [c.value for c in ws[row_of(ws, t.pk)]]
    assert row[:7] == [
        t.pk,
        "3 Vertskapsattraktivitet",
        "3.1 Øke tilfanget av talenter og bedrifter",
        t.satsingsomraade.navn,
        t.satsingsomraade.prioritert_handling or None,
        1,
        t.tittel,
    ]
    assert row[9] == "Buskerud fylkeskommune; Innovasjon Norge"
    assert row[10] == "Kommunene; Næringslivet"
    assert row[11] is None  # no type
    assert row[12] == "Foreslått"
    assert row[13] == t.versjon == 1
    assert isinstance(row[5], int)


def test_export_writes_type_labels_in_bokmaal_and_text_that_looks_like_a_formula_as_text(db):
    tiltak = TiltakFactory(tittel="=SUM(A1:A3) er ikke en formel", type="fou", status="paagaar")
    ws = workbook(programme_xlsx(tiltak.program)).worksheets[0]
    assert ws["G2"].value == "=SUM(A1:A3) er ikke en formel"
    assert ws["G2"].data_type == "s"
    assert ws["L2"].value == "FoU"
    assert ws["M2"].value == "Pågår"


def test_export_view_download(client, buskerud):
    url = reverse("tiltak:programme_export", kwargs={"pk": buskerud.pk})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = response["Content-Disposition"]
    assert disposition.startswith(
        'attachment; filename="Smart samhandling i Buskerud 2019-2020.xlsx"'
    )
    assert "filename*=utf-8''Smart%20samhandling%20i%20Buskerud%202019%E2%80%932020.xlsx" in (
        disposition
    )
    ws = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    assert sum(1 for _ in ws.iter_rows(min_row=2)) == 164


def test_export_filename_with_norwegian_letters_is_rfc5987_encoded(client, users):
    programme = HandlingsprogramFactory(navn="Kompetanse på Ærø", status=ProgramStatus.VEDTATT)
    response = client.get(reverse("tiltak:programme_export", kwargs={"pk": programme.pk}))
    disposition = response["Content-Disposition"]
    assert 'filename="Kompetanse pa Aero 2019-2020.xlsx"' in disposition
    assert "filename*=utf-8''Kompetanse%20p%C3%A5%20%C3%86r%C3%B8%202019%E2%80%932020.xlsx" in (
        disposition
    )


def test_export_query_count_is_the_same_for_a_programme_ten_times_larger(client, buskerud):
    def url(programme):
        return reverse("tiltak:programme_export", kwargs={"pk": programme.pk})

    small = count_queries(client, url(buskerud))
    large_programme = build_large_programme(factor=10)
    large = count_queries(client, url(large_programme))
    rows = load_workbook(io.BytesIO(client.get(url(large_programme)).content), read_only=True)
    assert sum(1 for _ in rows.worksheets[0].iter_rows(min_row=2)) == 1640
    assert_same_queries(
        small,
        large,
        ceiling=8,
        sizes=(
            Tiltak.objects.filter(program=buskerud).count(),
            Tiltak.objects.filter(program=large_programme).count(),
        ),
    )


# --- Round trip and preview -------------------------------------------------------------------


def test_round_trip_changes_nothing(planner, draft):
    data = programme_xlsx(draft)
    before, before_versions = history_counts(), versions(draft)

    preview = preview_of(planner, draft, data)
    assert preview.ok, preview.errors
    assert (len(preview.new), len(preview.changed), len(preview.removed)) == (0, 0, 0)
    assert preview.unchanged == 164
    assert preview.unknown_organisations == []
    assert preview.warnings == []

    result = apply(planner, draft, data)
    assert (result.created, result.updated, result.deleted, result.kept_as_deleted) == (0, 0, 0, 0)
    assert result.unchanged == 164
    assert history_counts() == before
    assert versions(draft) == before_versions


def test_round_trip_after_saving_in_excel_changes_nothing(planner, draft):
    """Opening and saving the workbook (as Excel would) keeps it a no-op."""
    data = edit(programme_xlsx(draft), lambda ws: None)
    before = history_counts()
    preview = preview_of(planner, draft, data)
    assert preview.ok and not preview.has_changes
    apply(planner, draft, data)
    assert history_counts() == before


def test_changed_title_is_one_changed_row_with_that_field(planner, draft):
    t = first_tiltak(draft, nummer=11)
    old_title = t.tittel
    data = edit(programme_xlsx(draft), lambda ws: set_cell(ws, t.pk, "G", "Ny tittel"))
    preview = preview_of(planner, draft, data)
    assert preview.ok, preview.errors
    assert len(preview.changed) == 1 and not preview.new and not preview.removed
    assert preview.unchanged == 163
    change = preview.changed[0]
    assert change.tiltak.pk == t.pk
    assert change.changes == [CellChange("Tiltak", old_title, "Ny tittel")]
    assert Tiltak.objects.get(pk=t.pk).tittel == old_title  # the preview wrote nothing

    tiltak_history = Tiltak.history.count()
    result = apply(planner, draft, data)
    assert result.updated == 1
    t.refresh_from_db()
    assert t.tittel == "Ny tittel"
    assert t.versjon == 2
    assert Tiltak.history.count() == tiltak_history + 1
    latest = Tiltak.history.filter(id=t.pk).latest("history_date")
    assert latest.history_user == planner
    assert latest.tittel == "Ny tittel"
    assert latest.history_change_reason == "Imported from Excel"
    assert latest.versjon == 2


def test_new_row(planner, draft):
    usn = Organisasjon.objects.get(forkortelse="USN")
    bfk = Organisasjon.objects.get(slug="bfk")
    satsing = first_tiltak(draft, nummer=1, tema__nummer=3).satsingsomraade

    def add(ws):
        ws.append(
            [
                None,
                "3 Vertskapsattraktivitet",
                "3.1 Øke tilfanget av talenter og bedrifter",
                satsing.navn,
                None,
                99,
                "Et helt nytt tiltak",
                "Beskrivelse",
                "Tilskudd",
                "BFK; USN",
                "Universitetet i Sørøst-Norge",
                "Prosjekt",
                "Planlagt",
            ]
        )

    data = edit(programme_xlsx(draft), add)
    preview = preview_of(planner, draft, data)
    assert preview.ok, preview.errors
    assert len(preview.new) == 1 and not preview.changed and not preview.removed
    assert preview.new[0].row == 166
    result = apply(planner, draft, data)
    assert result.created == 1

    new = Tiltak.objects.get(program=draft, tittel="Et helt nytt tiltak")
    assert (new.tema.nummer, new.nummer, new.delmaal.nummer) == (3, 99, "3.1")
    assert new.satsingsomraade == satsing
    assert (new.type, new.status, new.virkemiddel) == ("prosjekt", "planlagt", "Tilskudd")
    lead = [(a.organisasjon, a.tekst_som_skrevet) for a in new.hovedansvar()]
    assert lead == [(bfk, "BFK"), (usn, "USN")]
    assert [a.organisasjon for a in new.samarbeidsparter()] == [usn]
    assert new.history.get().history_user == planner


def test_new_row_without_number_gets_the_next_free_one(planner, draft):
    highest = max(
        Tiltak.objects.filter(tema__program=draft, tema__nummer=4).values_list("nummer", flat=True)
    )
    data = edit(
        programme_xlsx(draft),
        lambda ws: ws.append([None, "4 Kompetanse", None, None, None, None, "Uten nummer"]),
    )
    apply(planner, draft, data)
    assert Tiltak.objects.get(tittel="Uten nummer").nummer == highest + 1


def test_two_new_rows_without_numbers_in_one_tema_get_two_numbers(planner, draft):
    """Each new row without a number gets its own next number (both once got highest + 1, and
    the second broke the tema's unique numbering)."""
    highest = max(
        Tiltak.objects.filter(tema__program=draft, tema__nummer=4).values_list("nummer", flat=True)
    )

    def two_rows(ws):
        ws.append([None, "4 Kompetanse", None, None, None, None, "Uten nummer A"])
        ws.append([None, "4 Kompetanse", None, None, None, None, "Uten nummer B"])

    apply(planner, draft, edit(programme_xlsx(draft), two_rows))
    numbers = dict(
        Tiltak.objects.filter(tittel__startswith="Uten nummer ").values_list("tittel", "nummer")
    )
    assert numbers == {"Uten nummer A": highest + 1, "Uten nummer B": highest + 2}


def test_file_without_ids_replaces_every_measure(planner, draft):
    """Every row new, every measure removed: the numbers of the file are kept, and the one
    demo tiltak without a number gets the next free one (not one a later row needs)."""

    def blank_ids(ws):
        for row in range(2, ws.max_row + 1):
            ws.cell(row=row, column=1).value = None
            if not ws.cell(row=row, column=7).value:
                ws.cell(row=row, column=7).value = "Uten tittel"  # a new tiltak needs one

    before = sorted(
        Tiltak.objects.filter(program=draft, nummer__isnull=False)
        .exclude(tittel="")
        .values_list("tema__nummer", "nummer", "tittel")
    )
    data = edit(programme_xlsx(draft), blank_ids)
    preview = preview_of(planner, draft, data)
    assert preview.ok, preview.errors
    assert (len(preview.new), len(preview.removed)) == (164, 164)
    unnumbered = [row for row in preview.new if row.nummer_planned]
    assert len(unnumbered) == 1
    result = apply(planner, draft, data)
    assert (result.created, result.deleted) == (164, 164)
    after = Tiltak.objects.filter(program=draft)
    assert after.count() == 164 and not after.filter(nummer__isnull=True).exists()
    assert (
        sorted(
            after.exclude(tittel__in=[unnumbered[0].tittel, "Uten tittel"]).values_list(
                "tema__nummer", "nummer", "tittel"
            )
        )
        == before
    )
    assert Ansvar.objects.filter(tiltak__program=draft).count() == sum(
        len(row.parties.get(Rolle.HOVEDANSVAR, [])) + len(row.parties.get(Rolle.SAMARBEIDSPART, []))
        for row in preview.new
    )


def test_removed_rows_are_deleted_or_kept_as_deleted_with_history(planner, draft):
    plain = first_tiltak(draft, nummer=7)
    with_history = first_tiltak(draft, nummer=8)
    tiltak_services.tiltak_update(
        actor=planner, tiltak=with_history, expected_versjon=1, tittel="Endret i portalen"
    )

    def remove(ws):
        for tiltak_id in sorted((row_of(ws, plain.pk), row_of(ws, with_history.pk)), reverse=True):
            ws.delete_rows(tiltak_id)

    data = edit(programme_xlsx(draft), remove)
    preview = preview_of(planner, draft, data)
    assert preview.ok, preview.errors
    assert {t.pk for t in preview.removed} == {plain.pk, with_history.pk}
    assert preview.unchanged == 162
    result = apply(planner, draft, data)
    assert (result.deleted, result.kept_as_deleted) == (1, 1)
    assert not Tiltak.alle.filter(pk=plain.pk).exists()
    kept = Tiltak.alle.get(pk=with_history.pk)
    assert kept.slettet is not None and kept.slettet_grunn == REMOVED_REASON
    assert kept.versjon == 3
    assert not Tiltak.objects.filter(pk=with_history.pk).exists()
    last = Tiltak.history.filter(id=kept.pk).latest("history_date", "history_id")
    assert (last.history_user, last.history_change_reason) == (planner, REMOVED_REASON)
    assert last.slettet == kept.slettet and last.versjon == 3
    gone = Tiltak.history.filter(id=plain.pk).latest("history_date", "history_id")
    assert (gone.history_type, gone.history_user) == ("-", planner)
    # Its parties went with it, each recorded.
    assert not Ansvar.objects.filter(tiltak_id=plain.pk).exists()
    assert Ansvar.history.filter(tiltak_id=plain.pk, history_type="-").count() == (
        Ansvar.history.filter(tiltak_id=plain.pk, history_type="+").count()
    )


def test_unknown_organisations_mapped_and_created(planner, draft):
    t1, t2 = first_tiltak(draft, nummer=1), first_tiltak(draft, nummer=7)
    usn = Organisasjon.objects.get(forkortelse="USN")

    def change(ws):
        set_cell(ws, t1.pk, "K", "Kommunene; Helt Ny Forening")
        set_cell(ws, t2.pk, "J", "Buskerud fylkeskommune; Høgskolen på hjørnet")
        set_cell(ws, t2.pk, "K", "helt ny forening")

    data = edit(programme_xlsx(draft), change)
    preview = preview_of(planner, draft, data)
    assert preview.ok, preview.errors
    ws = workbook(data).worksheets[0]
    row1, row2 = row_of(ws, t1.pk), row_of(ws, t2.pk)
    # The same name in another case is one unknown organisation, found on both rows.
    assert [(u.navn, u.rows) for u in preview.unknown_organisations] == [
        ("Helt Ny Forening", [row1, row2]),
        ("Høgskolen på hjørnet", [row2]),
    ]
    ny, hogskolen = preview.unknown_organisations
    assert ny.key == "helt ny forening"

    before = history_counts()
    with pytest.raises(ImportRefused) as refused:
        apply(planner, draft, data, mapping={ny.key: OrgChoice(create_type="frivillig")})
    assert "Høgskolen på hjørnet" in str(refused.value.issues[0])
    assert history_counts() == before

    apply(
        planner,
        draft,
        data,
        mapping={
            ny.key: OrgChoice(create_type=OrganisasjonType.FRIVILLIG),
            hogskolen.key: OrgChoice(organisasjon_id=usn.pk),
        },
    )
    created = Organisasjon.objects.get(navn="Helt Ny Forening")
    assert created.type == OrganisasjonType.FRIVILLIG
    t1.refresh_from_db()
    assert [(a.organisasjon.navn, a.tekst_som_skrevet) for a in t1.samarbeidsparter()] == [
        ("Kommunene", "kommunene"),  # kept as it was, text as written included
        ("Helt Ny Forening", "Helt Ny Forening"),
    ]
    assert [(a.organisasjon, a.tekst_som_skrevet) for a in t2.hovedansvar()] == [
        (Organisasjon.objects.get(slug="bfk"), "BFK"),
        (usn, "Høgskolen på hjørnet"),
    ]
    assert [(a.organisasjon, a.tekst_som_skrevet) for a in t2.samarbeidsparter()] == [
        (created, "helt ny forening")
    ]
    assert Organisasjon.objects.count() == before["organisasjoner"] + 1


def test_reordered_and_removed_parties(planner, draft):
    t = first_tiltak(draft, nummer=1)  # lead: BFK; Innovasjon Norge
    data = edit(
        programme_xlsx(draft),
        lambda ws: set_cell(ws, t.pk, "J", "Innovasjon Norge; Buskerud fylkeskommune"),
    )
    preview = preview_of(planner, draft, data)
    assert preview.changed[0].changes == [
        CellChange(
            "Hovedansvar",
            "Buskerud fylkeskommune; Innovasjon Norge",
            "Innovasjon Norge; Buskerud fylkeskommune",
        )
    ]
    apply(planner, draft, data)
    assert [a.organisasjon.navn for a in t.hovedansvar()] == [
        "Innovasjon Norge",
        "Buskerud fylkeskommune",
    ]
    data = edit(programme_xlsx(draft), lambda ws: set_cell(ws, t.pk, "J", "Innovasjon Norge"))
    apply(planner, draft, data)
    assert [a.organisasjon.navn for a in t.hovedansvar()] == ["Innovasjon Norge"]
    assert (
        Ansvar.history.filter(tiltak_id=t.pk, history_type="-", history_user=planner).count() == 1
    )


def test_swapping_two_numbers_and_moving_to_another_delmaal(planner, draft):
    a, b = (
        first_tiltak(draft, nummer=1, tema__nummer=3),
        first_tiltak(draft, nummer=7, tema__nummer=3),
    )
    other = Delmaal.objects.get(tema__program=draft, nummer="3.2")

    def change(ws):
        set_cell(ws, a.pk, "F", 7)
        set_cell(ws, b.pk, "F", 1)
        set_cell(ws, a.pk, "C", "3.2")
        set_cell(ws, a.pk, "D", None)

    data = edit(programme_xlsx(draft), change)
    preview = preview_of(planner, draft, data)
    assert preview.ok, preview.errors
    assert {c.tiltak.pk: [x.column for x in c.changes] for c in preview.changed} == {
        a.pk: ["Delmål", "Satsingsområde", "Nr"],
        b.pk: ["Nr"],
    }
    apply(planner, draft, data)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.nummer, a.delmaal, a.satsingsomraade) == (7, other, None)
    assert b.nummer == 1


def test_preview_counts(planner, draft):
    changed = first_tiltak(draft, nummer=1)
    removed = [first_tiltak(draft, nummer=7), first_tiltak(draft, nummer=8)]

    def change(ws):
        set_cell(ws, changed.pk, "H", "Ny beskrivelse")
        set_cell(ws, changed.pk, "M", "Pågår")
        for t in removed:
            ws.delete_rows(row_of(ws, t.pk))
        ws.append([None, "4 Kompetanse", None, None, None, None, "Nytt", None, None, "Ukjent AS"])

    preview = preview_of(planner, draft, edit(programme_xlsx(draft), change))
    assert preview.ok, preview.errors
    assert len(preview.new) == 1
    assert len(preview.changed) == 1
    assert [c.column for c in preview.changed[0].changes] == ["Beskrivelse", "Status"]
    assert preview.changed[0].changes[1] == CellChange("Status", "Proposed", "In progress")
    assert len(preview.removed) == 2
    assert preview.unchanged == 164 - 1 - 2
    assert [u.navn for u in preview.unknown_organisations] == ["Ukjent AS"]


def test_apply_refuses_when_the_programme_changed_after_the_preview(planner, draft):
    t = first_tiltak(draft, nummer=1)
    data = edit(programme_xlsx(draft), lambda ws: set_cell(ws, t.pk, "G", "Fra Excel"))
    fingerprint = preview_of(planner, draft, data).fingerprint
    tiltak_services.tiltak_update(
        actor=planner, tiltak=t, expected_versjon=1, beskrivelse="I portalen"
    )
    before = history_counts()
    with pytest.raises(ImportStale):
        apply(planner, draft, data, fingerprint=fingerprint)
    assert history_counts() == before
    assert Tiltak.objects.get(pk=t.pk).tittel != "Fra Excel"
    # A party added meanwhile does not raise the tiltak's version, but counts as a change too.
    fingerprint = preview_of(planner, draft, data).fingerprint
    ansvar_services.ansvar_add(
        actor=planner,
        tiltak=Tiltak.objects.get(pk=t.pk),
        organisasjon=Organisasjon.objects.get(forkortelse="USN"),
        rolle=Rolle.SAMARBEIDSPART,
    )
    with pytest.raises(ImportStale):
        apply(planner, draft, data, fingerprint=fingerprint)


def test_import_does_not_change_hierarchy_names_but_warns(planner, draft):
    t = first_tiltak(draft, nummer=1)

    def change(ws):
        set_cell(ws, t.pk, "B", "3 Et annet navn")
        set_cell(ws, t.pk, "E", "En annen prioritert handling")

    preview = preview_of(planner, draft, edit(programme_xlsx(draft), change))
    assert preview.ok and not preview.has_changes
    assert [(w.column, w.letter) for w in preview.warnings] == [
        ("Tema", "B"),
        ("Prioritert handling", "E"),
    ]


# --- Bad files --------------------------------------------------------------------------------


def _error_file(kind: str, programme) -> bytes:
    export = programme_xlsx(programme)
    first = first_tiltak(programme, nummer=1)
    vt = Tiltak.objects.filter(program__start_aar=2021).first()
    if kind == "pdf":
        return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
    if kind == "csv":
        return b"ID;Tema;Nr;Tiltak\n1;3 Vertskapsattraktivitet;1;Tittel\n"
    if kind == "zip":
        return zip_bytes({"hello.txt": b"not a workbook"})
    if kind == "zip_with_content_types":
        return zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<nope"})
    if kind == "empty":
        return b""
    if kind == "too_big":
        return b"PK" + b"\0" * MAX_FILE_BYTES
    if kind == "zip_bomb":
        return zip_bomb(120)
    if kind == "missing_column":
        return edit(export, lambda ws: ws.delete_cols(6))
    if kind == "header_only":
        return make_xlsx([])
    if kind == "no_header":
        return make_xlsx([], headers=[])
    if kind == "duplicate_id":
        return edit(
            export, lambda ws: ws.cell(row=3, column=1, value=ws.cell(row=2, column=1).value)
        )
    if kind == "other_programme_id":
        return edit(export, lambda ws: set_cell(ws, first.pk, "A", vt.pk))
    if kind == "nonexistent_id":
        return edit(export, lambda ws: set_cell(ws, first.pk, "A", 987654))
    if kind == "text_id":
        return edit(export, lambda ws: set_cell(ws, first.pk, "A", "abc"))
    if kind == "text_in_nr":
        return edit(export, lambda ws: set_cell(ws, first.pk, "F", "elleve"))
    if kind == "decimal_nr":
        return edit(export, lambda ws: set_cell(ws, first.pk, "F", 1.5))
    if kind == "formula":
        return edit(export, lambda ws: set_cell(ws, first.pk, "H", "=1+2"))
    if kind == "formula_outside_columns":
        return edit(export, lambda ws: set_cell(ws, first.pk, "P", "=SUM(F2:F9)"))
    if kind == "unknown_tema":
        return edit(export, lambda ws: set_cell(ws, first.pk, "B", "42 Finnes ikke"))
    if kind == "unknown_delmaal":
        return edit(export, lambda ws: set_cell(ws, first.pk, "C", "9.9 Finnes ikke"))
    if kind == "unknown_satsing":
        return edit(export, lambda ws: set_cell(ws, first.pk, "D", "Finnes ikke"))
    if kind == "unknown_status":
        return edit(export, lambda ws: set_cell(ws, first.pk, "M", "Kanskje"))
    if kind == "empty_title":
        return edit(export, lambda ws: set_cell(ws, first.pk, "G", None))
    if kind == "duplicate_number":
        return edit(export, lambda ws: set_cell(ws, first.pk, "F", 7))
    if kind == "cleared_number":
        return edit(export, lambda ws: set_cell(ws, first.pk, "F", None))
    raise AssertionError(kind)


# kind -> (text in the message, row given?, column, letter)
BAD_FILES = {
    "pdf": ("not an Excel workbook", None, None, None),
    "csv": ("not an Excel workbook", None, None, None),
    "zip": ("not an Excel workbook", None, None, None),
    "zip_with_content_types": ("could not be read as an Excel workbook", None, None, None),
    "empty": ("The file is empty", None, None, None),
    "too_big": ("larger than 5 MB", None, None, None),
    "zip_bomb": ("unpacks to too much data", None, None, None),
    "missing_column": ("the column is missing", None, "Nr", None),
    "header_only": ("no rows of measures", None, None, None),
    "no_header": ("row 1 must hold the column headers", None, None, None),
    "duplicate_id": ("is also in row 2", 3, "ID", "A"),
    "other_programme_id": ("is not a measure of this programme", True, "ID", "A"),
    "nonexistent_id": ("ID 987654 is not a measure of this programme", True, "ID", "A"),
    "text_id": ("“abc” is not an ID", True, "ID", "A"),
    "text_in_nr": ("“elleve” is not a whole number", True, "Nr", "F"),
    "decimal_nr": ("“1.5” is not a whole number", True, "Nr", "F"),
    "formula": ("formula", True, "Beskrivelse", "H"),
    "formula_outside_columns": ("formula", True, None, "P"),
    "unknown_tema": ("“42 Finnes ikke” is not a theme", True, "Tema", "B"),
    "unknown_delmaal": ("is not a sub-goal of theme 3", True, "Delmål", "C"),
    "unknown_satsing": ("is not a priority area", True, "Satsingsområde", "D"),
    "unknown_status": ("“Kanskje” is not a status", True, "Status", "M"),
    "empty_title": ("needs a title", True, "Tiltak", "G"),
    "duplicate_number": ("number 7 is also used in row 2", 3, "Nr", "F"),  # 3.7 is on row 3
    "cleared_number": ("the number is empty", True, "Nr", "F"),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_bad_file_is_refused_with_row_and_column_and_nothing_written(planner, draft, kind):
    data = _error_file(kind, draft)
    text, row, column, letter = BAD_FILES[kind]
    before, before_versions = history_counts(), versions(draft)

    preview = preview_of(planner, draft, data)
    assert not preview.ok
    assert any(text in e.message for e in preview.errors), [str(e) for e in preview.errors]
    error = next(e for e in preview.errors if text in e.message)
    if row is True:
        assert error.row == row_of(
            workbook(programme_xlsx(draft)).worksheets[0], first_tiltak(draft, nummer=1).pk
        )
    else:
        assert error.row == row
    assert (error.column, error.letter) == (column, letter)
    if row and letter:
        place = f"{column} ({letter})" if column else letter
        assert str(error).startswith(f"Row {error.row}, column {place}: ")

    with pytest.raises(ImportRefused):
        apply(planner, draft, data, fingerprint=preview.fingerprint)
    assert history_counts() == before
    assert versions(draft) == before_versions


def test_ten_thousand_rows_are_refused_quickly(planner, draft):
    data = big_xlsx(10_000)
    started = time.perf_counter()
    preview = preview_of(planner, draft, data)
    elapsed = time.perf_counter() - started
    assert not preview.ok
    assert len(preview.errors) == 1
    assert "more than 5\u00a0000 rows of measures (row 5002" in preview.errors[0].message
    assert elapsed < 10, elapsed


def test_five_thousand_rows_are_accepted(planner, draft):
    preview = preview_of(planner, draft, big_xlsx(5_000))
    assert preview.ok, preview.errors[:3]
    assert len(preview.new) == 5_000
    assert len(preview.removed) == 164


def test_a_wrong_dimension_in_the_file_does_not_hide_rows(planner, draft):
    """Some programs write a <dimension> that is too small; every row must still be read."""
    import zipfile

    data = edit(programme_xlsx(draft), lambda ws: None)
    source, target = io.BytesIO(data), io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            content = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    b'<dimension ref="A1:M165"/>', b'<dimension ref="A1:M2"/>'
                )
            zout.writestr(item, content)
    preview = preview_of(planner, draft, target.getvalue())
    assert preview.ok and preview.unchanged == 164 and not preview.removed


# --- Permissions ------------------------------------------------------------------------------


@pytest.fixture
def owned(users):
    """A programme owned by the conftest planner's county, with one tiltak."""
    programme = HandlingsprogramFactory(eier=users["county"], status=ProgramStatus.UTKAST)
    tema = TemaFactory(program=programme, nummer=1, navn="Kompetanse")
    tiltak = TiltakFactory(tema=tema, nummer=1, tittel="Første tiltak")
    AnsvarFactory(tiltak=tiltak, organisasjon=users["kommune"])
    return programme


IMPORT_EXPECTED = {
    "anonymous": 404,  # a draft: not visible to anonymous visitors, so no login redirect either
    "administrator": 200,
    "planner": 200,
    "other_planner": 404,
    "member": 404,
    "other_member": 404,
    "board": 403,
}


@pytest.mark.parametrize("role", list(IMPORT_EXPECTED))
def test_import_permission_on_a_draft(client_for, owned, role):
    client = client_for(role)
    for name in ("programme_import", "programme_import_preview"):
        response = client.get(reverse(f"tiltak:{name}", kwargs={"pk": owned.pk}))
        expected = IMPORT_EXPECTED[role]
        if name == "programme_import_preview" and expected == 200:
            expected = 302  # nothing uploaded yet: back to the upload form
        assert response.status_code == expected, (name, role)
    # Uploading is refused the same way; allowed or not, the upload writes nothing (it only
    # leads to the preview).
    data = edit(
        programme_xlsx(owned), lambda ws: ws.append([None, "1 Kompetanse", *[None] * 4, "Nytt"])
    )
    before, before_versions = history_counts(), versions(owned)
    response = client.post(
        reverse("tiltak:programme_import", kwargs={"pk": owned.pk}),
        {"fil": _upload(data)},
    )
    assert response.status_code == (302 if IMPORT_EXPECTED[role] == 200 else IMPORT_EXPECTED[role])
    assert history_counts() == before
    assert versions(owned) == before_versions


@pytest.mark.parametrize(
    "status", [ProgramStatus.PAA_HOERING, ProgramStatus.VEDTATT, ProgramStatus.ARKIVERT]
)
@pytest.mark.parametrize("role", ["planner", "administrator"])
def test_import_only_into_drafts(client_for, owned, users, status, role):
    Handlingsprogram.objects.filter(pk=owned.pk).update(status=status)
    owned.refresh_from_db()
    client = client_for(role)
    assert (
        client.get(reverse("tiltak:programme_import", kwargs={"pk": owned.pk})).status_code == 403
    )
    with pytest.raises(Exception) as refused:
        programme_import_preview(actor=users[role], programme=owned, data=programme_xlsx(owned))
    assert refused.type.__name__ == "PermissionDenied"
    page = client.get(owned.get_absolute_url()).content.decode()
    assert reverse("tiltak:programme_import", kwargs={"pk": owned.pk}) not in page
    assert reverse("tiltak:programme_export", kwargs={"pk": owned.pk}) in page


EXPORT_EXPECTED_DRAFT = {
    "anonymous": 404,
    "administrator": 200,
    "planner": 200,
    "other_planner": 404,
    "member": 404,
    "other_member": 404,
    "board": 200,
}


@pytest.mark.parametrize("role", list(EXPORT_EXPECTED_DRAFT))
def test_export_permission(client_for, owned, role):
    client = client_for(role)
    url = reverse("tiltak:programme_export", kwargs={"pk": owned.pk})
    assert client.get(url).status_code == EXPORT_EXPECTED_DRAFT[role]
    Handlingsprogram.objects.filter(pk=owned.pk).update(status=ProgramStatus.VEDTATT)
    assert client.get(url).status_code == 200  # adopted programmes are public


def test_service_refuses_other_planners(users, owned):
    from django.core.exceptions import PermissionDenied

    data = programme_xlsx(owned)
    for role in ("other_planner", "member", "board"):
        with pytest.raises(PermissionDenied):
            programme_import_preview(actor=users[role], programme=owned, data=data)
        with pytest.raises(PermissionDenied):
            programme_import_apply(
                actor=users[role],
                programme=owned,
                data=data,
                org_mapping={},
                expected_fingerprint="",
            )


# --- The pages --------------------------------------------------------------------------------


def _upload(data: bytes, name: str = "program.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def planner_client(client, planner):
    client.force_login(planner)
    client.cookies["portal_language"] = "en"
    return client


def test_upload_preview_and_apply_in_the_browser(planner_client, planner, draft, tmp_path):
    t = first_tiltak(draft, nummer=1)

    def change(ws):
        set_cell(ws, t.pk, "G", "Endret i Excel")
        ws.append(
            [None, "4 Kompetanse", None, None, None, None, "Nytt tiltak", None, None, "Ny Aktør AS"]
        )

    data = edit(programme_xlsx(draft), change)
    upload_url = reverse("tiltak:programme_import", kwargs={"pk": draft.pk})
    preview_url = reverse("tiltak:programme_import_preview", kwargs={"pk": draft.pk})

    page = planner_client.get(draft.get_absolute_url()).content.decode()
    assert upload_url in page

    response = planner_client.post(upload_url, {"fil": _upload(data, "Smart samhandling æøå.xlsx")})
    assert response.status_code == 302 and response["Location"] == preview_url
    assert Tiltak.objects.get(pk=t.pk).tittel != "Endret i Excel"

    response = planner_client.get(preview_url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Smart samhandling æøå.xlsx" in page
    assert "Endret i Excel" in page and "Nytt tiltak" in page and "Ny Aktør AS" in page
    preview = response.context["preview"]
    assert (len(preview.new), len(preview.changed), len(preview.removed)) == (1, 1, 0)

    # Without a choice for the unknown organisation nothing is written.
    fingerprint = preview.fingerprint
    response = planner_client.post(preview_url, {"fingerprint": fingerprint, "bekreft": ""})
    assert response.status_code == 200
    assert "What to do: choose" in response.content.decode()
    assert not Tiltak.objects.filter(tittel="Nytt tiltak").exists()

    response = planner_client.post(
        preview_url,
        {
            "fingerprint": fingerprint,
            "bekreft": "",
            "org0-handling": "create",
            "org0-type": "naeringsliv",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("tiltak:programme_import_done", kwargs={"pk": draft.pk})
    assert Tiltak.objects.get(pk=t.pk).tittel == "Endret i Excel"
    new = Tiltak.objects.get(tittel="Nytt tiltak")
    assert [a.organisasjon.navn for a in new.hovedansvar()] == ["Ny Aktør AS"]
    assert Organisasjon.objects.get(navn="Ny Aktør AS").type == "naeringsliv"
    page = planner_client.get(response["Location"]).content.decode()
    assert "1 measure added" in page
    # The kept upload is deleted from the storage.
    assert list((tmp_path / "media" / "excel-pending").iterdir()) == []
    # The pending file is gone: the preview sends the planner back to the upload form.
    assert planner_client.get(preview_url).status_code == 302


def test_bad_upload_shows_row_and_column(planner_client, draft):
    t = first_tiltak(draft, nummer=1)
    data = edit(programme_xlsx(draft), lambda ws: set_cell(ws, t.pk, "F", "elleve"))
    url = reverse("tiltak:programme_import", kwargs={"pk": draft.pk})
    response = planner_client.post(url, {"fil": _upload(data)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "column Nr (F)" in page and "“elleve” is not a whole number" in page
    assert (
        "tiltak_excel_import" not in planner_client.session
        or not planner_client.session["tiltak_excel_import"]
    )
    response = planner_client.post(url, {"fil": _upload(b"%PDF-1.4 not a sheet", "x.xlsx")})
    assert "not an Excel workbook" in response.content.decode()
    response = planner_client.post(url, {})
    assert "Excel file: choose the file to import." in response.content.decode()


def test_stale_preview_is_refused_in_the_browser(planner_client, planner, draft):
    t = first_tiltak(draft, nummer=1)
    data = edit(programme_xlsx(draft), lambda ws: set_cell(ws, t.pk, "G", "Fra Excel"))
    planner_client.post(
        reverse("tiltak:programme_import", kwargs={"pk": draft.pk}), {"fil": _upload(data)}
    )
    preview_url = reverse("tiltak:programme_import_preview", kwargs={"pk": draft.pk})
    fingerprint = planner_client.get(preview_url).context["preview"].fingerprint
    tiltak_services.tiltak_update(
        actor=planner, tiltak=t, expected_versjon=1, beskrivelse="Samtidig"
    )
    response = planner_client.post(preview_url, {"fingerprint": fingerprint, "bekreft": ""})
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    assert Tiltak.objects.get(pk=t.pk).tittel != "Fra Excel"
    # The page now shows the fresh preview, where the file's row is older than the measure:
    # its description would undo the colleague's, so the planner must choose.
    fresh = response.context["preview"].fingerprint
    assert fresh != fingerprint
    assert [c.tiltak_id for c in response.context["preview"].conflicts] == [t.pk]
    response = planner_client.post(preview_url, {"fingerprint": fresh, "bekreft": ""})
    assert response.status_code == 200
    assert "Choose what to do with each row changed in the portal" in response.content.decode()
    response = planner_client.post(
        preview_url, {"fingerprint": fresh, "bekreft": "", f"konflikt-{t.pk}": "file"}
    )
    assert response.status_code == 302
    original = t.beskrivelse
    t.refresh_from_db()
    assert (t.tittel, t.beskrivelse) == ("Fra Excel", original)


def test_cancel_discards_the_upload(planner_client, draft):
    planner_client.post(
        reverse("tiltak:programme_import", kwargs={"pk": draft.pk}),
        {"fil": _upload(programme_xlsx(draft))},
    )
    preview_url = reverse("tiltak:programme_import_preview", kwargs={"pk": draft.pk})
    page = planner_client.get(preview_url).content.decode()
    assert "nothing to import" in page
    response = planner_client.post(preview_url, {"avbryt": ""})
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()
    assert planner_client.get(preview_url).status_code == 302


def _new_row(tittel: str, *parties: str) -> list:
    return [None, "4 Kompetanse", None, None, None, None, tittel, None, None, "; ".join(parties)]


def test_preview_page_query_budget_is_the_same_for_ten_times_the_changes(planner_client, draft):
    """The preview of a file with one new row (two unknown organisations) and one changed
    title, against a file with ten times as many of each."""
    tiltak = list(Tiltak.objects.filter(program=draft).order_by("id")[:10])
    url = reverse("tiltak:programme_import_preview", kwargs={"pk": draft.pk})

    def preview_of_changes(n: int) -> tuple[int, int]:
        def change(ws):
            for k in range(n):
                ws.append(_new_row(f"Nytt {k}", f"Ukjent {k} AS", f"Annen {k} AS"))
                set_cell(ws, tiltak[k].pk, "G", f"Endret tittel {k}")

        planner_client.post(
            reverse("tiltak:programme_import", kwargs={"pk": draft.pk}),
            {"fil": _upload(edit(programme_xlsx(draft), change))},
        )
        queries = count_queries(planner_client, url)
        preview = planner_client.get(url).context["preview"]
        assert (len(preview.new), len(preview.changed)) == (n, n)
        return queries, len(preview.new) + len(preview.changed) + len(preview.unknown_organisations)

    small, small_size = preview_of_changes(1)
    large, large_size = preview_of_changes(10)
    assert_same_queries(small, large, ceiling=20, sizes=(small_size, large_size))
