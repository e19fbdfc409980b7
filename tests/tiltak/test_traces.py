"""Trace checks: a tiltak with traces others rely on is kept (marked deleted) when it is deleted,
whether one at a time (tiltak_delete) or in bulk (the Excel import removing rows), and another
app's check counts exactly as tiltak's own."""

import pytest
from django.utils import translation

from tests.factories import HandlingsprogramFactory, TemaFactory
from tiltak.exports import programme_xlsx
from tiltak.extensions import register_trace_check, trace_checks, unregister_trace_check
from tiltak.models import ProgramStatus, Tiltak
from tiltak.services import traces
from tiltak.services.excel.apply import REMOVED_REASON, programme_import_apply
from tiltak.services.excel.preview import programme_import_preview
from tiltak.services.rolling import programme_roll
from tiltak.services.tiltak import tiltak_create, tiltak_delete, tiltak_update
from tiltak.services.traces import tiltak_has_traces

from .xlsx_helpers import edit, row_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner(users):
    return users["planner"]


@pytest.fixture
def tema(users):
    programme = HandlingsprogramFactory(eier=users["county"], status=ProgramStatus.UTKAST)
    return TemaFactory(program=programme, nummer=3, navn="Vertskapsattraktivitet")


@pytest.fixture
def answered():
    """A check as the hearing app would register one: tiltak with hearing answers. Records
    the ids it was asked about, one call per entry."""
    answered_ids: set[int] = set()
    calls: list[set[int]] = []

    def has_answers(ids):
        calls.append(set(ids))
        return answered_ids & set(ids)

    register_trace_check(has_answers)
    try:
        yield answered_ids, calls
    finally:
        unregister_trace_check(has_answers)
    assert has_answers not in trace_checks()


def test_tiltaks_own_checks_are_registered():
    assert traces.has_history_beyond_creation in trace_checks()
    assert traces.is_linked_by_rolling in trace_checks()


def test_the_built_in_checks_answer_for_many_tiltak_at_once(planner, tema, users):
    plain = tiltak_create(actor=planner, tema=tema, tittel="Uendret")
    changed = tiltak_create(actor=planner, tema=tema, tittel="Endret")
    tiltak_update(actor=planner, tiltak=changed, expected_versjon=1, beskrivelse="Ny tekst")
    rolled = tiltak_create(actor=planner, tema=tema, tittel="Rullert videre")
    programme_roll(
        actor=users["administrator"], programme=tema.program, start_aar=2021, slutt_aar=2022
    )
    ids = {plain.pk, changed.pk, rolled.pk}
    assert traces.has_history_beyond_creation(ids) == {changed.pk}
    assert traces.is_linked_by_rolling(ids) == {plain.pk, changed.pk, rolled.pk}
    fresh = tiltak_create(actor=planner, tema=tema, tittel="Ny etter rullering")
    assert not tiltak_has_traces(fresh)
    assert tiltak_has_traces(rolled)


def test_another_apps_check_keeps_the_tiltak_on_delete(planner, tema, answered):
    answered_ids, calls = answered
    kept = tiltak_create(actor=planner, tema=tema, tittel="Har høringssvar")
    gone = tiltak_create(actor=planner, tema=tema, tittel="Uten spor")
    answered_ids.add(kept.pk)

    assert tiltak_delete(actor=planner, tiltak=kept, reason="Utgår") == "soft"
    assert tiltak_delete(actor=planner, tiltak=gone, reason="Dobbelt") == "hard"
    row = Tiltak.alle.get(pk=kept.pk)
    assert row.slettet is not None and row.slettet_grunn == "Utgår"
    assert not Tiltak.alle.filter(pk=gone.pk).exists()
    assert {kept.pk} in calls and {gone.pk} in calls


def test_another_apps_check_keeps_the_tiltak_when_the_import_removes_it(planner, tema, answered):
    answered_ids, calls = answered
    kept = tiltak_create(actor=planner, tema=tema, tittel="Har høringssvar")
    gone = tiltak_create(actor=planner, tema=tema, tittel="Uten spor")
    stays = tiltak_create(actor=planner, tema=tema, tittel="Står i fila")
    answered_ids.add(kept.pk)
    programme = tema.program

    def remove(ws):
        for row in sorted((row_of(ws, kept.pk), row_of(ws, gone.pk)), reverse=True):
            ws.delete_rows(row)

    data = edit(programme_xlsx(programme), remove)
    with translation.override("en"):
        preview = programme_import_preview(actor=planner, programme=programme, data=data)
        assert preview.ok, preview.errors
        assert {t.pk for t in preview.removed} == {kept.pk, gone.pk}
        calls.clear()
        result = programme_import_apply(
            actor=planner,
            programme=programme,
            data=data,
            org_mapping={},
            expected_fingerprint=preview.fingerprint,
        )
    assert (result.deleted, result.kept_as_deleted, result.unchanged) == (1, 1, 1)
    row = Tiltak.alle.get(pk=kept.pk)
    assert row.slettet is not None and row.slettet_grunn == REMOVED_REASON
    assert not Tiltak.alle.filter(pk=gone.pk).exists()
    assert Tiltak.objects.filter(pk=stays.pk).exists()
    # Asked once for every removed row together, not row by row.
    assert calls[0] == {kept.pk, gone.pk}
