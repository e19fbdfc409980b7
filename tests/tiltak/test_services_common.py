"""The policies every service shares: one limit for a reason (what the user wrote is refused,
never cut; what the system composes may be shortened) and one range of years."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.factories import HandlingsprogramFactory, TemaFactory
from tiltak.forms import RollForm, TiltakForm
from tiltak.models import MAX_YEAR, MIN_YEAR, REASON_MAX_LENGTH, ProgramStatus, Tiltak
from tiltak.services.common import composed_reason
from tiltak.services.rolling import programme_roll
from tiltak.services.structure import tema_update
from tiltak.services.tiltak import tiltak_create, tiltak_delete, tiltak_update
from tiltak.services.workflow import programme_transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def planner(users):
    return users["planner"]


@pytest.fixture
def tema(users):
    programme = HandlingsprogramFactory(eier=users["county"], status=ProgramStatus.UTKAST)
    return TemaFactory(program=programme, nummer=3, navn="Vertskapsattraktivitet")


@pytest.fixture
def tiltak(planner, tema):
    return tiltak_create(actor=planner, tema=tema, tittel="Reiselivsnettverk")


# --- Reasons ----------------------------------------------------------------------------------


def test_a_reason_of_exactly_the_limit_is_kept_whole(planner, tiltak):
    reason = "x" * REASON_MAX_LENGTH
    tiltak_update(actor=planner, tiltak=tiltak, expected_versjon=1, tittel="Ny", reason=reason)
    last = Tiltak.history.filter(id=tiltak.pk).latest("history_date", "history_id")
    assert last.history_change_reason == reason


def test_a_too_long_change_reason_is_refused_naming_field_and_limit(planner, tiltak, tema):
    too_long = "x" * (REASON_MAX_LENGTH + 1)
    with pytest.raises(ValidationError) as exc:
        tiltak_update(
            actor=planner, tiltak=tiltak, expected_versjon=1, tittel="Ny", reason=too_long
        )
    assert exc.value.message_dict == {
        "reason": [f"Reason: at most {REASON_MAX_LENGTH} characters (it has {len(too_long)})."]
    }
    current = Tiltak.objects.get(pk=tiltak.pk)
    assert (current.tittel, current.versjon) == ("Reiselivsnettverk", 1)

    with pytest.raises(ValidationError) as exc:
        tema_update(actor=planner, tema=tema, navn="Nytt navn", reason=too_long)
    assert "reason" in exc.value.message_dict
    tema.refresh_from_db()
    assert tema.navn == "Vertskapsattraktivitet"


def test_a_too_long_deletion_reason_is_refused_naming_field_and_limit(planner, tiltak):
    too_long = "Fordi " * 1000
    with pytest.raises(ValidationError) as exc:
        tiltak_delete(actor=planner, tiltak=tiltak, reason=too_long)
    assert exc.value.message_dict == {
        "slettet_grunn": [
            f"Reason for deletion: at most {REASON_MAX_LENGTH} characters "
            f"(it has {len(too_long.strip())})."
        ]
    }
    assert Tiltak.objects.filter(pk=tiltak.pk, versjon=1).exists()


def test_a_too_long_transition_reason_is_refused(users, tema):
    programme = tema.program
    programme.status = ProgramStatus.VEDTATT
    programme.save()
    with pytest.raises(ValidationError) as exc:
        programme_transition(
            actor=users["planner"],
            programme=programme,
            to_status=ProgramStatus.UTKAST,
            reason="x" * (REASON_MAX_LENGTH + 1),
        )
    assert "reason" in exc.value.message_dict
    programme.refresh_from_db()
    assert programme.status == ProgramStatus.VEDTATT


def test_a_composed_reason_is_shortened_to_the_limit():
    short = "Rolled from Smart samhandling i Buskerud 2019–2020"
    assert composed_reason(short) == short
    long = composed_reason("Rolled from " + "Buskerud " * 1000)
    assert len(long) == REASON_MAX_LENGTH and long.endswith("…")


# --- Years ------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", [MIN_YEAR - 1, MAX_YEAR + 1])
def test_a_tiltak_year_outside_the_range_is_refused(planner, tiltak, year):
    with pytest.raises(ValidationError) as exc:
        tiltak_update(actor=planner, tiltak=tiltak, expected_versjon=1, start_aar=year)
    assert list(exc.value.message_dict) == ["start_aar"]
    assert exc.value.message_dict["start_aar"][0].startswith("Start year: ")
    assert Tiltak.objects.get(pk=tiltak.pk).start_aar is None


def test_the_years_at_the_ends_of_the_range_are_accepted(planner, tiltak):
    saved = tiltak_update(
        actor=planner, tiltak=tiltak, expected_versjon=1, start_aar=MIN_YEAR, slutt_aar=MAX_YEAR
    )
    assert (saved.start_aar, saved.slutt_aar) == (MIN_YEAR, MAX_YEAR)


def test_forms_and_rolling_use_the_same_range(users, tema):
    form = TiltakForm(instance=Tiltak(tema=tema, program=tema.program))
    assert form.fields["start_aar"].widget.attrs["min"] == MIN_YEAR
    assert form.fields["slutt_aar"].widget.attrs["max"] == MAX_YEAR
    roll = RollForm(data={"navn": "Neste", "start_aar": MAX_YEAR + 1, "slutt_aar": MAX_YEAR + 1})
    assert not roll.is_valid() and {"start_aar", "slutt_aar"} <= set(roll.errors)
    with pytest.raises(ValidationError) as exc:
        programme_roll(
            actor=users["administrator"],
            programme=tema.program,
            start_aar=MAX_YEAR + 1,
            slutt_aar=MAX_YEAR + 1,
        )
    assert {"start_aar", "slutt_aar"} <= set(exc.value.message_dict)


def test_a_reason_with_a_control_character_is_refused_naming_the_field(planner, tiltak):
    from tiltak.services.common import checked_reason

    with pytest.raises(ValidationError) as exc:
        checked_reason("Utgår\x01", field="slettet_grunn")
    assert "control character (U+0001)" in exc.value.message_dict["slettet_grunn"][0]
    with pytest.raises(ValidationError):
        tiltak_delete(actor=planner, tiltak=tiltak, reason="Utgår\x01")
    assert Tiltak.objects.filter(pk=tiltak.pk).exists()
    assert checked_reason("Utgår\tnå\n") == "Utgår\tnå\n"
