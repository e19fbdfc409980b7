"""Rolling a programme to a new period (everything copied with links to the predecessor, the
source unchanged, refusals, permissions) and marking the outcome of each rolled tiltak."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from partnerskap.errors import ServiceError
from partnerskap.models import BrukerRolle
from tests.budgets import assert_same_queries, count_queries
from tests.factories import (
    AnsvarFactory,
    BrukerFactory,
    DelmaalFactory,
    HandlingsprogramFactory,
    SatsingsomraadeFactory,
    TemaFactory,
    TiltakFactory,
)
from tiltak.models import (
    Ansvar,
    Delmaal,
    Handlingsprogram,
    ProgramStatus,
    Rolle,
    Satsingsomraade,
    Tema,
    Tiltak,
    Utfall,
)
from tiltak.services.rolling import programme_roll, tiltak_set_utfall
from tiltak.synthetic import build_large_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def buskerud(demo_data):
    return Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)


@pytest.fixture
def admin(db):
    return BrukerFactory(email="admin-rull@example.no", rolle=BrukerRolle.ADMINISTRATOR)


@pytest.fixture
def owned(users):
    """A small adopted programme owned by the planner's county, with every level and parties."""
    programme = HandlingsprogramFactory(
        navn="Eget program", eier=users["county"], status=ProgramStatus.VEDTATT
    )
    tema = TemaFactory(program=programme, nummer=1, navn="Tema en")
    delmaal = DelmaalFactory(tema=tema, nummer="1.1")
    satsing = SatsingsomraadeFactory(tema=tema, delmaal=delmaal)
    tiltak = [
        TiltakFactory(
            tema=tema,
            delmaal=delmaal,
            satsingsomraade=satsing,
            nummer=n,
            tittel=f"Tiltak {n}",
            start_aar=2019,
            slutt_aar=2020,
        )
        for n in (1, 2, 3, 4)
    ]
    AnsvarFactory(tiltak=tiltak[0], organisasjon=users["kommune"], rolle=Rolle.HOVEDANSVAR)
    return programme


def snapshot(programme) -> dict:
    """Everything about a programme and its tree, to show that rolling leaves it as it was."""
    return {
        "programme": Handlingsprogram.objects.filter(pk=programme.pk).values().get(),
        "planer": sorted(programme.planer.values_list("pk", flat=True)),
        "temaer": list(Tema.objects.filter(program=programme).order_by("pk").values()),
        "delmaal": list(Delmaal.objects.filter(tema__program=programme).order_by("pk").values()),
        "satsingsomraader": list(
            Satsingsomraade.objects.filter(tema__program=programme).order_by("pk").values()
        ),
        "tiltak": list(Tiltak.alle.filter(program=programme).order_by("pk").values()),
        "ansvar": list(Ansvar.objects.filter(tiltak__program=programme).order_by("pk").values()),
        "history": Tiltak.history.filter(program_id=programme.pk).count(),
    }


# --- Rolling ---------------------------------------------------------------------------------


def test_rolling_buskerud_copies_every_level_with_links(buskerud, admin):
    before = snapshot(buskerud)
    new = programme_roll(actor=admin, programme=buskerud, start_aar=2021, slutt_aar=2022)
    new.refresh_from_db()

    assert (new.navn, new.start_aar, new.slutt_aar) == (buskerud.navn, 2021, 2022)
    assert new.status == ProgramStatus.UTKAST
    assert new.forrige_versjon_id == buskerud.pk
    assert new.eier_id == buskerud.eier_id
    assert new.nivaa_betegnelse == buskerud.nivaa_betegnelse
    assert set(new.planer.all()) == set(buskerud.planer.all()) and new.planer.exists()

    for model, path in (
        (Tema, "program"),
        (Delmaal, "tema__program"),
        (Satsingsomraade, "tema__program"),
        (Tiltak, "program"),
    ):
        old_ids = set(model.objects.filter(**{path: buskerud}).values_list("pk", flat=True))
        new_rows = list(model.objects.filter(**{path: new}))
        assert len(new_rows) == len(old_ids) > 0, model
        # Every copy points at a different original in the source.
        assert {r.forgjenger_id for r in new_rows} == old_ids, model
    assert Tiltak.objects.filter(program=new).count() == 164

    new_tiltak = Tiltak.objects.filter(program=new).select_related(
        "forgjenger", "tema", "delmaal", "satsingsomraade"
    )
    for t in new_tiltak:
        old = t.forgjenger
        assert t.nummer == old.nummer and t.tittel == old.tittel
        assert t.beskrivelse == old.beskrivelse and t.virkemiddel == old.virkemiddel
        assert t.hovedansvar_tekst == old.hovedansvar_tekst
        assert t.versjon == 1 and t.utfall == "" and t.slaatt_sammen_med_id is None
        assert (t.start_aar, t.slutt_aar) == (2021, 2022)
        # The tree is the copied tree, not the source's.
        assert t.tema.program_id == new.pk and t.tema.forgjenger_id == old.tema_id
        assert (t.delmaal.forgjenger_id if t.delmaal else None) == old.delmaal_id
        assert (
            t.satsingsomraade.forgjenger_id if t.satsingsomraade else None
        ) == old.satsingsomraade_id

    def parties(programme, key):
        return sorted(
            (getattr(a.tiltak, key), a.organisasjon_id, a.rolle, a.rekkefoelge, a.tekst_som_skrevet)
            for a in Ansvar.objects.filter(tiltak__program=programme).select_related("tiltak")
        )

    assert len(parties(new, "forgjenger_id")) == 640
    assert parties(new, "forgjenger_id") == parties(buskerud, "id")

    assert snapshot(buskerud) == before


def test_history_rows_exist_for_every_new_object_by_the_actor(buskerud, admin):
    new = programme_roll(actor=admin, programme=buskerud, start_aar=2021, slutt_aar=2022)
    assert new.history.filter(history_type="+", history_user=admin).count() == 1
    for model, path in (
        (Tema, "program"),
        (Delmaal, "tema__program"),
        (Satsingsomraade, "tema__program"),
        (Tiltak, "program"),
        (Ansvar, "tiltak__program"),
    ):
        ids = set(model._base_manager.filter(**{path: new}).values_list("pk", flat=True))
        created = set(
            model.history.filter(id__in=ids, history_type="+", history_user=admin).values_list(
                "id", flat=True
            )
        )
        assert created == ids and ids, model
        reasons = set(
            model.history.filter(id__in=ids).values_list("history_change_reason", flat=True)
        )
        # The reason names the period, not the source (which may stay a draft: point 14).
        assert len(reasons) == 1 and "2019–2020" in reasons.pop()


def test_deleted_tiltak_are_not_rolled_and_other_years_are_kept(owned, users):
    t1, t2, t3, t4 = Tiltak.objects.filter(program=owned).order_by("nummer")
    Tiltak.alle.filter(pk=t4.pk).update(slettet=timezone.now(), slettet_grunn="Dobbelt")
    Tiltak.objects.filter(pk=t2.pk).update(start_aar=2019, slutt_aar=2025)
    Tiltak.objects.filter(pk=t3.pk).update(start_aar=None, slutt_aar=None)
    new = programme_roll(actor=users["planner"], programme=owned, start_aar=2021, slutt_aar=2024)
    rows = {t.forgjenger_id: t for t in Tiltak.alle.filter(program=new)}
    assert set(rows) == {t1.pk, t2.pk, t3.pk}
    assert (rows[t1.pk].start_aar, rows[t1.pk].slutt_aar) == (2021, 2024)
    assert (rows[t2.pk].start_aar, rows[t2.pk].slutt_aar) == (2019, 2025)
    assert (rows[t3.pk].start_aar, rows[t3.pk].slutt_aar) == (None, None)


def test_name_can_be_given(owned, users):
    new = programme_roll(
        actor=users["planner"], programme=owned, start_aar=2021, slutt_aar=2022, navn="  Nytt  "
    )
    assert new.navn == "Nytt"


@pytest.mark.parametrize(
    "start, slutt, field",
    [
        (2020, 2021, "start_aar"),  # overlaps the source's 2019–2020
        (2019, 2020, "start_aar"),  # the same period
        (2017, 2018, "start_aar"),  # before the source
        (2023, 2022, "slutt_aar"),  # ends before it starts
        (1800, 1801, "start_aar"),
        (2021, 99999, "slutt_aar"),
        ("2021", 2022, "start_aar"),
    ],
)
def test_bad_periods_are_refused_and_nothing_is_written(owned, users, start, slutt, field):
    count = Handlingsprogram.objects.count()
    tiltak = Tiltak.alle.count()
    with pytest.raises(ValidationError) as exc:
        programme_roll(actor=users["planner"], programme=owned, start_aar=start, slutt_aar=slutt)
    assert field in exc.value.message_dict
    assert Handlingsprogram.objects.count() == count and Tiltak.alle.count() == tiltak


def test_a_name_and_period_that_exists_is_refused(owned, users):
    programme_roll(actor=users["planner"], programme=owned, start_aar=2021, slutt_aar=2022)
    count = Tiltak.alle.count()
    with pytest.raises(ValidationError) as exc:
        programme_roll(actor=users["planner"], programme=owned, start_aar=2021, slutt_aar=2022)
    assert "«Eget program»" in " ".join(
        exc.value.message_dict["navn"]
    ) or "“Eget program”" in " ".join(exc.value.message_dict["navn"])
    assert Tiltak.alle.count() == count
    # Another name for the same period is fine (e.g. an alternative draft).
    programme_roll(
        actor=users["planner"], programme=owned, start_aar=2021, slutt_aar=2022, navn="Variant"
    )


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("administrator", True),
        ("planner", True),
        ("other_planner", False),
        ("member", False),
        ("other_member", False),
        ("board", False),
        ("anonymous", False),
    ],
)
def test_permission_matrix_of_the_service(owned, users, role, allowed):
    actor = users[role]
    if allowed:
        assert programme_roll(actor=actor, programme=owned, start_aar=2021, slutt_aar=2022)
    else:
        with pytest.raises(PermissionDenied):
            programme_roll(actor=actor, programme=owned, start_aar=2021, slutt_aar=2022)
        assert not Handlingsprogram.objects.filter(forrige_versjon=owned).exists()


ROLL_EXPECTED = {
    # adopted source: everyone may view it, only admin and the owning planner may roll it
    "administrator": (200, 302),
    "planner": (200, 302),
    "other_planner": (403, 403),
    "member": (403, 403),
    "other_member": (403, 403),
    "board": (403, 403),
    "anonymous": ("login", "login"),
}


@pytest.mark.parametrize("role", list(ROLL_EXPECTED))
def test_permission_matrix_of_the_roll_page(owned, client_for, role):
    client = client_for(role)
    url = reverse("tiltak:programme_roll", args=[owned.pk])
    get_expected, post_expected = ROLL_EXPECTED[role]
    for method, expected in (("get", get_expected), ("post", post_expected)):
        response = getattr(client, method)(
            url, {"navn": owned.navn, "start_aar": 2021, "slutt_aar": 2022}
        )
        if expected == "login":
            assert response.status_code == 302
            assert response["Location"].startswith("/konto/logg-inn/")
        else:
            assert response.status_code == expected, (method, response.status_code)
    created = Handlingsprogram.objects.filter(forrige_versjon=owned)
    assert created.exists() == (post_expected == 302)


def test_a_draft_of_another_county_is_not_found(users, client_for):
    draft = HandlingsprogramFactory(status=ProgramStatus.UTKAST)
    url = reverse("tiltak:programme_roll", args=[draft.pk])
    assert client_for("member").get(url).status_code == 404
    assert client_for("other_planner").get(url).status_code == 404
    assert client_for("board").get(url).status_code == 403  # may view drafts, not roll


def test_the_roll_form_is_prefilled_and_redirects_to_the_new_programme(owned, client_for):
    client = client_for("planner")
    url = reverse("tiltak:programme_roll", args=[owned.pk])
    form = client.get(url).context["form"]
    assert form.initial == {"navn": owned.navn, "start_aar": 2021, "slutt_aar": 2022}
    response = client.post(url, {"navn": "Eget program", "start_aar": 2021, "slutt_aar": 2022})
    new = Handlingsprogram.objects.get(forrige_versjon=owned)
    assert response.status_code == 302 and response["Location"] == new.get_absolute_url()
    page = client.get(new.get_absolute_url()).content.decode()
    assert "2021–2022" in page and 'class="portal-messages"' in page
    assert reverse("tiltak:programme_utfall", args=[new.pk]) in page
    assert reverse("tiltak:programme_compare") in page


@pytest.mark.parametrize(
    "data, field",
    [
        ({"navn": "X", "start_aar": "tjue", "slutt_aar": 2022}, "start_aar"),
        ({"navn": "X", "start_aar": 2020, "slutt_aar": 2022}, "start_aar"),
        ({"navn": "X", "start_aar": 2021, "slutt_aar": ""}, "slutt_aar"),
        ({"navn": "", "start_aar": 2021, "slutt_aar": 2022}, "navn"),
        ({"navn": "X", "start_aar": 2021, "slutt_aar": 2020}, "slutt_aar"),
    ],
)
def test_bad_input_on_the_roll_page_names_the_field(owned, client_for, data, field):
    response = client_for("planner").post(reverse("tiltak:programme_roll", args=[owned.pk]), data)
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    label = str(response.context["form"].fields[field].label)
    assert errors and any(e.split(":")[0] in label for e in errors), errors
    assert not Handlingsprogram.objects.filter(forrige_versjon=owned).exists()


def test_the_programme_page_links_to_rolling_only_for_those_who_may(owned, client_for):
    url = reverse("tiltak:programme_roll", args=[owned.pk])
    assert url in client_for("planner").get(owned.get_absolute_url()).content.decode()
    for role in ("member", "board", "anonymous", "other_planner"):
        assert url not in client_for(role).get(owned.get_absolute_url()).content.decode(), role


# --- Outcomes --------------------------------------------------------------------------------


@pytest.fixture
def rolled(owned, users):
    new = programme_roll(actor=users["planner"], programme=owned, start_aar=2021, slutt_aar=2022)
    return {t.nummer: t for t in Tiltak.objects.filter(program=new).select_related("tema")}


def test_continued_and_changed_stay_in_the_programme(rolled, users):
    t = tiltak_set_utfall(actor=users["planner"], tiltak=rolled[1], utfall=Utfall.VIDEREFOERT)
    assert t.utfall == "viderefoert" and t.slettet is None and t.versjon == 2
    t = tiltak_set_utfall(actor=users["planner"], tiltak=rolled[1], utfall=Utfall.ENDRET)
    assert Tiltak.objects.get(pk=t.pk).utfall == "endret"
    last = Tiltak.history.filter(id=t.pk).first()
    assert last.history_user == users["planner"] and last.utfall == "endret"


@pytest.mark.parametrize("utfall", [Utfall.AVSLUTTET, Utfall.UTGAATT])
def test_concluded_and_dropped_are_taken_out_and_can_come_back(rolled, users, utfall):
    t = tiltak_set_utfall(actor=users["planner"], tiltak=rolled[2], utfall=utfall)
    assert not Tiltak.objects.filter(pk=t.pk).exists()
    kept = Tiltak.alle.get(pk=t.pk)
    assert kept.slettet and str(Utfall(utfall).label) in kept.slettet_grunn
    assert kept.forgjenger_id == rolled[2].forgjenger_id
    back = tiltak_set_utfall(actor=users["planner"], tiltak=kept, utfall=Utfall.VIDEREFOERT)
    assert back.slettet is None and back.slettet_grunn == ""
    assert Tiltak.objects.filter(pk=t.pk).exists()


def test_merged_needs_a_measure_of_the_same_programme(rolled, users, owned):
    planner = users["planner"]
    with pytest.raises(ValidationError) as exc:
        tiltak_set_utfall(actor=planner, tiltak=rolled[1], utfall=Utfall.SLAATT_SAMMEN)
    assert "slaatt_sammen_med" in exc.value.message_dict
    with pytest.raises(ValidationError):
        tiltak_set_utfall(
            actor=planner,
            tiltak=rolled[1],
            utfall=Utfall.SLAATT_SAMMEN,
            slaatt_sammen_med=rolled[1],
        )
    source_tiltak = Tiltak.objects.filter(program=owned).first()
    with pytest.raises(ValidationError):
        tiltak_set_utfall(
            actor=planner,
            tiltak=rolled[1],
            utfall=Utfall.SLAATT_SAMMEN,
            slaatt_sammen_med=source_tiltak,
        )
    with pytest.raises(ValidationError):  # a target only with "merged"
        tiltak_set_utfall(
            actor=planner, tiltak=rolled[1], utfall=Utfall.ENDRET, slaatt_sammen_med=rolled[2]
        )
    assert Tiltak.objects.get(pk=rolled[1].pk).utfall == ""

    t = tiltak_set_utfall(
        actor=planner, tiltak=rolled[1], utfall=Utfall.SLAATT_SAMMEN, slaatt_sammen_med=rolled[2]
    )
    kept = Tiltak.alle.get(pk=t.pk)
    assert kept.slaatt_sammen_med_id == rolled[2].pk and kept.slettet
    assert "1.2" in kept.slettet_grunn
    # The target cannot be taken out while something is merged into it …
    with pytest.raises(ValidationError) as exc:
        tiltak_set_utfall(actor=planner, tiltak=rolled[2], utfall=Utfall.AVSLUTTET)
    assert "utfall" in exc.value.message_dict
    # … and nothing can be merged into a measure that does not continue.
    tiltak_set_utfall(actor=planner, tiltak=rolled[3], utfall=Utfall.UTGAATT)
    with pytest.raises(ValidationError):
        tiltak_set_utfall(
            actor=planner,
            tiltak=rolled[4],
            utfall=Utfall.SLAATT_SAMMEN,
            slaatt_sammen_med=Tiltak.alle.get(pk=rolled[3].pk),
        )


def test_outcome_refusals(rolled, users):
    planner = users["planner"]
    with pytest.raises(ValidationError):
        tiltak_set_utfall(actor=planner, tiltak=rolled[1], utfall="glemt")
    new_one = TiltakFactory(tema=rolled[1].tema, nummer=50)
    with pytest.raises(ValidationError):  # not rolled: no predecessor, no outcome
        tiltak_set_utfall(actor=planner, tiltak=new_one, utfall=Utfall.VIDEREFOERT)
    for role in ("other_planner", "member", "board", "anonymous"):
        with pytest.raises(PermissionDenied):
            tiltak_set_utfall(actor=users[role], tiltak=rolled[1], utfall=Utfall.VIDEREFOERT)
    # Deleted in the editor (not by an outcome): restore it first.
    Tiltak.alle.filter(pk=rolled[4].pk).update(slettet=timezone.now(), slettet_grunn="Feil")
    with pytest.raises(ServiceError):
        tiltak_set_utfall(actor=planner, tiltak=rolled[4], utfall=Utfall.VIDEREFOERT)
    # Locked when adopted.
    Handlingsprogram.objects.filter(pk=rolled[1].program_id).update(status=ProgramStatus.VEDTATT)
    with pytest.raises(PermissionDenied):
        tiltak_set_utfall(actor=planner, tiltak=rolled[1], utfall=Utfall.VIDEREFOERT)


def test_a_taken_number_blocks_coming_back(rolled, users):
    planner = users["planner"]
    tiltak_set_utfall(actor=planner, tiltak=rolled[2], utfall=Utfall.UTGAATT)
    TiltakFactory(tema=rolled[2].tema, program=rolled[2].program, nummer=2)
    with pytest.raises(ValidationError) as exc:
        tiltak_set_utfall(
            actor=planner, tiltak=Tiltak.alle.get(pk=rolled[2].pk), utfall=Utfall.ENDRET
        )
    assert "1.2" in " ".join(exc.value.message_dict["utfall"])


# --- Outcome page ----------------------------------------------------------------------------


def test_outcome_page_lists_every_tiltak_with_predecessor_and_progress(rolled, client_for, users):
    programme = rolled[1].program
    tiltak_set_utfall(actor=users["planner"], tiltak=rolled[1], utfall=Utfall.VIDEREFOERT)
    tiltak_set_utfall(actor=users["planner"], tiltak=rolled[3], utfall=Utfall.AVSLUTTET)
    response = client_for("planner").get(reverse("tiltak:programme_utfall", args=[programme.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["progress"] == {"marked": 2, "total": 4}
    assert "2 of 4" in page or "2 av 4" in page
    for t in rolled.values():
        assert f'id="tiltak-{t.pk}"' in page  # the concluded one too, to be undone
        assert t.forgjenger.get_absolute_url() in page
    assert 'name="utfall"' in page and 'hx-post="' in page
    # Read-only for a board member.
    page = client_for("board").get(reverse("tiltak:programme_utfall", args=[programme.pk]))
    assert page.status_code == 200 and 'name="utfall"' not in page.content.decode()


def test_outcome_page_filters_by_tema_and_unmarked(rolled, client_for, users):
    programme = rolled[1].program
    other_tema = TemaFactory(program=programme, nummer=2)
    extra = TiltakFactory(tema=other_tema, nummer=1)
    tiltak_set_utfall(actor=users["planner"], tiltak=rolled[1], utfall=Utfall.VIDEREFOERT)
    url = reverse("tiltak:programme_utfall", args=[programme.pk])
    client = client_for("planner")
    shown = [r["t"].pk for r in client.get(url, {"tema": other_tema.pk}).context["rows"]]
    assert shown == [extra.pk]
    shown = {r["t"].pk for r in client.get(url, {"umerket": "1"}).context["rows"]}
    assert shown == {rolled[2].pk, rolled[3].pk, rolled[4].pk}
    # A bad filter value is ignored, not an error.
    assert len(client.get(url, {"tema": "x"}).context["rows"]) == 5


def test_htmx_saves_one_row_and_updates_the_progress(rolled, client_for):
    programme = rolled[1].program
    url = reverse("tiltak:tiltak_utfall_set", args=[programme.pk, rolled[2].pk])
    response = client_for("planner").post(
        url, {"utfall": "slaatt_sammen", "slaatt_sammen_med": "1.3"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="tiltak-{rolled[2].pk}"')
    assert 'id="utfall-progress"' in html and 'hx-swap-oob="true"' in html
    saved = Tiltak.alle.get(pk=rolled[2].pk)
    assert saved.utfall == "slaatt_sammen" and saved.slaatt_sammen_med_id == rolled[3].pk


def test_htmx_error_comes_back_in_the_row(rolled, client_for):
    programme = rolled[1].program
    url = reverse("tiltak:tiltak_utfall_set", args=[programme.pk, rolled[2].pk])
    client = client_for("planner")
    for target in ("", "9.9", "hei"):
        response = client.post(
            url, {"utfall": "slaatt_sammen", "slaatt_sammen_med": target}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert 'class="ds-validation-message"' in html, target
        assert "Merged into" in html or "Slått sammen med" in html
    assert Tiltak.objects.get(pk=rolled[2].pk).utfall == ""


def test_without_javascript_the_form_posts_and_comes_back(rolled, client_for):
    programme = rolled[1].program
    client = client_for("planner")
    url = reverse("tiltak:tiltak_utfall_set", args=[programme.pk, rolled[1].pk])
    response = client.post(url, {"utfall": "endret", "tilbake": "tema=7&umerket=1&x=<b>"})
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("tiltak:programme_utfall", args=[programme.pk])
        + f"?tema=7&umerket=1#tiltak-{rolled[1].pk}"
    )
    assert Tiltak.objects.get(pk=rolled[1].pk).utfall == "endret"
    # An error: the page again, with the message at the row and the choice kept.
    response = client.post(url, {"utfall": "slaatt_sammen", "slaatt_sammen_med": ""})
    assert response.status_code == 400
    [row] = [r for r in response.context["rows"] if r["t"].pk == rolled[1].pk]
    assert row["error"] and row["values"]["utfall"] == "slaatt_sammen"
    assert Tiltak.objects.get(pk=rolled[1].pk).utfall == "endret"
    # ID reference for measures without a number.
    Tiltak.objects.filter(pk=rolled[4].pk).update(nummer=None)
    response = client.post(
        url, {"utfall": "slaatt_sammen", "slaatt_sammen_med": f"ID {rolled[4].pk}"}
    )
    assert response.status_code == 302
    assert Tiltak.alle.get(pk=rolled[1].pk).slaatt_sammen_med_id == rolled[4].pk


@pytest.mark.parametrize(
    "role, page, save",
    [
        ("administrator", 200, 302),
        ("planner", 200, 302),
        ("board", 200, 403),
        ("other_planner", 404, 404),
        ("member", 404, 404),
        ("other_member", 404, 404),
        ("anonymous", 404, 404),  # a draft is not visible to anonymous visitors
    ],
)
def test_permission_matrix_of_the_outcome_pages(rolled, client_for, role, page, save):
    programme = rolled[1].program  # a draft
    client = client_for(role)
    for url, expected, method in (
        (reverse("tiltak:programme_utfall", args=[programme.pk]), page, "get"),
        (reverse("tiltak:tiltak_utfall_set", args=[programme.pk, rolled[1].pk]), save, "post"),
    ):
        response = getattr(client, method)(url, {"utfall": "viderefoert"})
        if expected == "login":
            assert response.status_code == 302
            assert response["Location"].startswith("/konto/logg-inn/")
        else:
            assert response.status_code == expected, (url, response.status_code)
    assert (Tiltak.objects.get(pk=rolled[1].pk).utfall == "viderefoert") == (save == 302)


def test_a_refusal_under_htmx_reloads_the_page(rolled, client_for):
    programme = rolled[1].program
    Handlingsprogram.objects.filter(pk=programme.pk).update(status=ProgramStatus.VEDTATT)
    url = reverse("tiltak:tiltak_utfall_set", args=[programme.pk, rolled[1].pk])
    response = client_for("planner").post(url, {"utfall": "endret"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 403 and response["HX-Refresh"] == "true"
    assert Tiltak.objects.get(pk=rolled[1].pk).utfall == ""


def test_a_tiltak_of_another_programme_is_not_found(rolled, owned, client_for):
    programme = rolled[1].program
    other = Tiltak.objects.filter(program=owned).first()
    url = reverse("tiltak:tiltak_utfall_set", args=[programme.pk, other.pk])
    assert client_for("planner").post(url, {"utfall": "endret"}).status_code == 404


# Session, user (and the header's organisation), programme, temaer, all tiltak of the programme.
UTFALL_PAGE_BUDGET = 6


def test_outcome_page_query_budget_is_the_same_for_a_programme_ten_times_larger(
    buskerud, admin, client
):
    client.force_login(admin)
    small = programme_roll(actor=admin, programme=buskerud, start_aar=2021, slutt_aar=2022)
    tiltak = list(Tiltak.objects.filter(program=small).order_by("id")[:3])
    tiltak_set_utfall(actor=admin, tiltak=tiltak[0], utfall=Utfall.AVSLUTTET)
    tiltak_set_utfall(
        actor=admin, tiltak=tiltak[1], utfall=Utfall.SLAATT_SAMMEN, slaatt_sammen_med=tiltak[2]
    )
    url = reverse("tiltak:programme_utfall", args=[small.pk])
    small_queries = count_queries(client, url)
    small_size = client.get(url).context["progress"]["total"]

    large = build_large_programme(factor=10)
    big = programme_roll(actor=admin, programme=large, start_aar=2021, slutt_aar=2022)
    tiltak = list(Tiltak.objects.filter(program=big).order_by("id")[:3])
    tiltak_set_utfall(actor=admin, tiltak=tiltak[0], utfall=Utfall.UTGAATT)
    tiltak_set_utfall(
        actor=admin, tiltak=tiltak[1], utfall=Utfall.SLAATT_SAMMEN, slaatt_sammen_med=tiltak[2]
    )
    url = reverse("tiltak:programme_utfall", args=[big.pk])
    large_queries = count_queries(client, url)
    progress = client.get(url).context["progress"]
    assert progress == {"marked": 2, "total": 1640}
    assert_same_queries(
        small_queries,
        large_queries,
        ceiling=UTFALL_PAGE_BUDGET,
        sizes=(small_size, progress["total"]),
    )


# --- A public successor of a draft does not reveal the draft (issue 7 point 14) -------------


@pytest.fixture
def public_successor_of_a_draft(users):
    """A draft with a secret name, rolled, the new version put on hearing: the public may read
    the new version, not the draft (nor its tiltak)."""
    draft = HandlingsprogramFactory(
        navn="Hemmelig utkast", eier=users["county"], status=ProgramStatus.UTKAST
    )
    tema = TemaFactory(program=draft, nummer=1, navn="Tema en")
    secret = TiltakFactory(tema=tema, nummer=1, tittel="Tiltak i utkastet")
    new = programme_roll(
        actor=users["planner"], programme=draft, start_aar=2021, slutt_aar=2022, navn="Offentlig"
    )
    Handlingsprogram.objects.filter(pk=new.pk).update(status=ProgramStatus.PAA_HOERING)
    return draft, secret, Handlingsprogram.objects.get(pk=new.pk)


@pytest.mark.parametrize("role", ["anonymous", "member", "other_planner"])
def test_a_public_successor_does_not_reveal_the_draft_it_was_rolled_from(
    public_successor_of_a_draft, client_for, role
):
    draft, secret, public = public_successor_of_a_draft
    client = client_for(role)
    rolled = Tiltak.objects.get(program=public)
    pages = [public.get_absolute_url(), reverse("tiltak:programme_utfall", args=[public.pk])]
    if role != "anonymous":  # history and status need a login
        pages += [
            reverse("tiltak:programme_history", args=[public.pk]),
            reverse("tiltak:programme_status", args=[public.pk]),
            reverse("tiltak:tiltak_history", args=[rolled.pk]),
        ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "Hemmelig utkast" not in page, url
        assert secret.get_absolute_url() not in page, url
        assert f"fra={draft.pk}" not in page, url


def test_the_owning_planner_still_sees_where_the_programme_came_from(
    public_successor_of_a_draft, client_for
):
    draft, secret, public = public_successor_of_a_draft
    client = client_for("planner")
    page = client.get(public.get_absolute_url()).content.decode()
    assert "Hemmelig utkast" in page and f"fra={draft.pk}" in page
    outcomes = client.get(reverse("tiltak:programme_utfall", args=[public.pk])).content.decode()
    assert secret.get_absolute_url() in outcomes


# --- Bulk outcomes (issue 7 point 12) ---------------------------------------------------------


def test_every_unmarked_measure_is_marked_in_one_step(rolled, client_for, users):
    programme = rolled[1].program
    tiltak_set_utfall(actor=users["planner"], tiltak=rolled[1], utfall=Utfall.ENDRET)
    url = reverse("tiltak:programme_utfall_bulk", args=[programme.pk])
    page = client_for("planner").get(reverse("tiltak:programme_utfall", args=[programme.pk]))
    assert url in page.content.decode()
    response = client_for("planner").post(url, {"utfall": Utfall.VIDEREFOERT}, follow=True)
    assert "3 tiltak ble markert «Videreført»." in response.content.decode()
    outcomes = dict(Tiltak.alle.filter(program=programme).values_list("nummer", "utfall"))
    assert outcomes == {1: "endret", 2: "viderefoert", 3: "viderefoert", 4: "viderefoert"}
    # Each one as tiltak_set_utfall would: its version raised, a history row by the actor.
    assert Tiltak.objects.get(pk=rolled[2].pk).versjon == 2
    assert Tiltak.history.filter(id=rolled[2].pk).first().history_user == users["planner"]


def test_bulk_outcomes_are_refused_for_merging_and_for_others(rolled, client_for):
    programme = rolled[1].program
    url = reverse("tiltak:programme_utfall_bulk", args=[programme.pk])
    before = sorted(Tiltak.alle.filter(program=programme).values_list("pk", "utfall", "versjon"))
    response = client_for("planner").post(url, {"utfall": Utfall.SLAATT_SAMMEN}, follow=True)
    assert "Utfall: velg videreført, endret, avsluttet eller utgått." in response.content.decode()
    assert client_for("board").post(url, {"utfall": Utfall.VIDEREFOERT}).status_code == 403
    assert client_for("other_planner").post(url, {"utfall": "viderefoert"}).status_code == 404
    assert (
        client_for("planner").post(url, {"utfall": "viderefoert", "tema": "999999"}).status_code
        == 404
    )
    after = sorted(Tiltak.alle.filter(program=programme).values_list("pk", "utfall", "versjon"))
    assert before == after
