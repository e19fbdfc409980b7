"""How long a text and which years the programme tree accepts, the same on every way in: the
models (so the services and the Excel import), the forms (with HTML maxlength), the API (with
maxLength, minimum and maximum in the schema). Too long is refused with a message naming the
field and the limit, and nothing is written; the real programmes' texts fit well."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import translation

from tests.factories import HandlingsprogramFactory, TemaFactory, TiltakFactory
from tests.tiltak.xlsx_helpers import edit, set_cell
from tiltak.exports import programme_xlsx
from tiltak.forms import DelmaalForm, SatsingsomraadeForm, TemaForm, TiltakForm, TiltakQuickForm
from tiltak.models import (
    GOAL_MAX_LENGTH,
    MAX_YEAR,
    MIN_YEAR,
    NAME_MAX_LENGTH,
    REASON_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Ansvar,
    Delmaal,
    Handlingsprogram,
    ProgramStatus,
    RegionalPlan,
    Satsingsomraade,
    Tema,
    Tiltak,
)
from tiltak.services.excel.preview import programme_import_preview
from tiltak.services.structure import tema_create
from tiltak.services.tiltak import tiltak_create, tiltak_update

pytestmark = pytest.mark.django_db

# Every text a user types into the programme tree, and its limit.
LIMITS = {
    (RegionalPlan, "navn"): NAME_MAX_LENGTH,
    (Handlingsprogram, "navn"): NAME_MAX_LENGTH,
    (Handlingsprogram, "undertittel"): NAME_MAX_LENGTH,
    (Handlingsprogram, "beskrivelse"): TEXT_MAX_LENGTH,
    (Handlingsprogram, "kilde"): TEXT_MAX_LENGTH,
    (Tema, "navn"): NAME_MAX_LENGTH,
    (Tema, "etikett"): 100,
    (Tema, "overordnet_maal"): TEXT_MAX_LENGTH,
    (Tema, "ansvarlig_tekst"): NAME_MAX_LENGTH,
    (Delmaal, "nummer"): 10,
    (Delmaal, "navn"): GOAL_MAX_LENGTH,
    (Delmaal, "smarte_maal"): TEXT_MAX_LENGTH,
    (Satsingsomraade, "navn"): GOAL_MAX_LENGTH,
    (Satsingsomraade, "prioritert_handling"): TEXT_MAX_LENGTH,
    (Tiltak, "tittel"): TITLE_MAX_LENGTH,
    (Tiltak, "beskrivelse"): TEXT_MAX_LENGTH,
    (Tiltak, "virkemiddel"): TEXT_MAX_LENGTH,
    (Tiltak, "finansiering"): TEXT_MAX_LENGTH,
    (Tiltak, "forventet_resultat"): TEXT_MAX_LENGTH,
    (Tiltak, "hovedansvar_tekst"): TEXT_MAX_LENGTH,
    (Tiltak, "samarbeidsparter_tekst"): TEXT_MAX_LENGTH,
    (Tiltak, "merknader"): TEXT_MAX_LENGTH,
    (Tiltak, "slettet_grunn"): REASON_MAX_LENGTH,
    (Ansvar, "tekst_som_skrevet"): 500,
}
CHOICE_OR_CODE = {"status", "nivaa_betegnelse", "type", "utfall", "rolle"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def tema(users):
    programme = HandlingsprogramFactory(eier=users["county"], status=ProgramStatus.UTKAST)
    return TemaFactory(program=programme, nummer=3, navn="Vertskapsattraktivitet")


def test_every_text_field_of_the_tree_has_a_limit():
    """A new text field cannot slip in without one: every Char/TextField of the tree's models
    is in LIMITS (or is a choice)."""
    typed = {
        (model, field.name)
        for model in (
            RegionalPlan,
            Handlingsprogram,
            Tema,
            Delmaal,
            Satsingsomraade,
            Tiltak,
            Ansvar,
        )
        for field in model._meta.fields
        if isinstance(field, models.CharField | models.TextField)
        and field.name not in CHOICE_OR_CODE
    }
    assert typed == set(LIMITS)


@pytest.mark.parametrize(("model", "name"), list(LIMITS), ids=lambda v: getattr(v, "__name__", v))
def test_the_model_refuses_one_character_more_than_the_limit(model, name):
    limit = LIMITS[(model, name)]
    field = model._meta.get_field(name)
    assert field.max_length == limit  # the forms' maxlength and the API's maxLength
    field.run_validators("x" * limit)
    with pytest.raises(ValidationError) as exc:
        field.clean("x" * (limit + 1), model())
    assert exc.value.messages == [
        f"Ensure this value has at most {limit} characters (it has {limit + 1})."
    ]


def test_a_five_thousand_character_title_is_refused_by_the_services(users, tema):
    planner = users["planner"]
    with pytest.raises(ValidationError) as exc:
        tiltak_create(actor=planner, tema=tema, tittel="T" * 5000)
    assert exc.value.message_dict == {
        "tittel": ["Title: Ensure this value has at most 300 characters (it has 5000)."]
    }
    t = tiltak_create(actor=planner, tema=tema, tittel="T" * TITLE_MAX_LENGTH)
    with pytest.raises(ValidationError) as exc:
        tiltak_update(actor=planner, tiltak=t, expected_versjon=1, beskrivelse="b" * 10_001)
    assert list(exc.value.message_dict) == ["beskrivelse"]
    with pytest.raises(ValidationError):
        tema_create(actor=planner, program=tema.program, navn="N" * 256)
    assert Tiltak.objects.filter(tema=tema).count() == 1
    assert Tema.objects.filter(program=tema.program).count() == 1
    assert Tiltak.objects.get(pk=t.pk).versjon == 1


def test_the_forms_say_the_limit_in_html(tema):
    form = TiltakForm(instance=Tiltak(tema=tema, program=tema.program))
    html = {name: str(form[name]) for name in form.fields}
    assert f'maxlength="{TITLE_MAX_LENGTH}"' in html["tittel"]
    assert f'maxlength="{TEXT_MAX_LENGTH}"' in html["beskrivelse"]
    assert f'maxlength="{TITLE_MAX_LENGTH}"' in str(TiltakQuickForm()["tittel"])
    assert f'maxlength="{NAME_MAX_LENGTH}"' in str(TemaForm()["navn"])
    assert f'maxlength="{GOAL_MAX_LENGTH}"' in str(DelmaalForm()["navn"])
    assert f'maxlength="{GOAL_MAX_LENGTH}"' in str(SatsingsomraadeForm()["navn"])


def test_a_too_long_title_in_the_browser_is_refused_naming_the_field(client_for, tema):
    url = reverse("tiltak:tiltak_create", kwargs={"pk": tema.program_id})
    client = client_for("planner")
    client.cookies["portal_language"] = "en"
    response = client.post(
        url, {"plassering": f"tema:{tema.pk}", "tittel": "T" * 5000, "status": "foreslaatt"}
    )
    assert response.status_code == 400
    assert "Title: Ensure this value has at most 300 characters (it has 5000)." in (
        response.content.decode()
    )
    assert not Tiltak.objects.filter(tema=tema).exists()


@pytest.mark.parametrize("year", [20, 99999])
def test_years_20_and_99999_are_refused_in_the_browser(client_for, tema, year):
    t = TiltakFactory(tema=tema, program=tema.program, nummer=1)
    url = reverse("tiltak:tiltak_edit", kwargs={"pk": t.pk})
    data = {"versjon": 1, "tittel": t.tittel, "status": t.status, "start_aar": year}
    client = client_for("planner")
    client.cookies["portal_language"] = "en"
    response = client.post(url, data)
    assert response.status_code == 400
    expected = (
        f"greater than or equal to {MIN_YEAR}"
        if year < MIN_YEAR
        else f"less than or equal to {MAX_YEAR}"
    )
    assert f"Start year: Ensure this value is {expected}." in response.content.decode()
    assert Tiltak.objects.get(pk=t.pk).start_aar is None


def _api(client, method, url, data):
    client.cookies["portal_language"] = "en"
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"tittel": "T" * 5000}, "tittel", "no more than 300 characters"),
        ({"tittel": "Ok", "beskrivelse": "b" * 10_001}, "beskrivelse", "no more than 10000"),
        ({"tittel": "Ok", "start_aar": 20}, "start_aar", f"greater than or equal to {MIN_YEAR}"),
        ({"tittel": "Ok", "slutt_aar": 99999}, "slutt_aar", f"less than or equal to {MAX_YEAR}"),
    ],
)
def test_the_api_refuses_too_long_text_and_years_out_of_range(
    client_for, tema, body, field, message
):
    response = _api(client_for("planner"), "post", "/api/tiltak/", {"tema": tema.pk, **body})
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert message in response.json()[field][0]
    assert not Tiltak.objects.filter(tema=tema).exists()


def test_the_api_refuses_too_long_names_on_every_level(client_for, tema):
    client = client_for("planner")
    for url, body in [
        ("/api/temaer/", {"program": tema.program_id, "navn": "N" * 256}),
        ("/api/delmaal/", {"tema": tema.pk, "navn": "D" * 501}),
        ("/api/satsingsomraader/", {"tema": tema.pk, "navn": "S" * 501}),
    ]:
        response = _api(client, "post", url, body)
        assert response.status_code == 400, url
        assert list(response.json()) == ["navn"], url
    assert (Tema.objects.count(), Delmaal.objects.count(), Satsingsomraade.objects.count()) == (
        1,
        0,
        0,
    )


def test_the_openapi_schema_shows_the_limits(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    create = schema["TiltakCreateRequest"]["properties"]
    assert create["tittel"]["maxLength"] == TITLE_MAX_LENGTH
    assert create["beskrivelse"]["maxLength"] == TEXT_MAX_LENGTH
    assert (create["start_aar"]["minimum"], create["start_aar"]["maximum"]) == (MIN_YEAR, MAX_YEAR)
    assert schema["PatchedTiltakUpdateRequest"]["properties"]["reason"]["maxLength"] == (
        REASON_MAX_LENGTH
    )
    assert schema["TemaCreateRequest"]["properties"]["navn"]["maxLength"] == NAME_MAX_LENGTH
    assert schema["DelmaalCreateRequest"]["properties"]["navn"]["maxLength"] == GOAL_MAX_LENGTH


def test_a_too_long_title_in_an_excel_file_is_refused_with_row_and_column(users, tema):
    """The import validates every row with the models' full_clean, so it refuses what the
    forms and the API refuse, naming the row and the column."""
    t = TiltakFactory(tema=tema, program=tema.program, nummer=1, tittel="Reiselivsnettverk")
    cells = {}

    def lengthen(ws):
        cells["row"] = set_cell(ws, t.pk, "G", "T" * (TITLE_MAX_LENGTH + 1))

    data = edit(programme_xlsx(tema.program), lengthen)
    preview = programme_import_preview(actor=users["planner"], programme=tema.program, data=data)
    assert not preview.ok
    errors = [e for e in preview.errors if "300" in e.message]
    assert len(errors) == 1, [str(e) for e in preview.errors]
    assert (errors[0].row, errors[0].column, errors[0].letter) == (cells["row"], "Tiltak", "G")
    assert str(errors[0]).startswith(f"Row {cells['row']}, column Tiltak (G): ")
    assert Tiltak.objects.get(pk=t.pk).tittel == "Reiselivsnettverk"


def test_the_real_programmes_fit_the_limits(demo_data):
    """Every text of the demo data (Buskerud, Vestfold og Telemark) passes its field's
    validators, so the limits refuse nothing that a real programme holds."""
    for (model, name), _limit in LIMITS.items():
        values = list(model._default_manager.values_list(name, flat=True))
        assert values, (model, name)
        field = model._meta.get_field(name)
        for value in values:
            field.run_validators(value)
