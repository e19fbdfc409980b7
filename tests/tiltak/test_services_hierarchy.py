"""The services that edit a programme's tree: permissions, validation, numbering, soft and hard
delete, and the optimistic concurrency of tiltak_update."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from partnerskap.errors import ServiceError
from tests.factories import (
    AnsvarFactory,
    DelmaalFactory,
    HandlingsprogramFactory,
    OrganisasjonFactory,
    SatsingsomraadeFactory,
    TemaFactory,
    TiltakFactory,
)
from tiltak.models import (
    Ansvar,
    Delmaal,
    ProgramStatus,
    Rolle,
    Satsingsomraade,
    Tema,
    Tiltak,
    TiltakStatus,
)
from tiltak.services import ansvar as ansvar_services
from tiltak.services import structure
from tiltak.services import tiltak as tiltak_services
from tiltak.services.concurrency import ConcurrencyConflict
from tiltak.services.traces import tiltak_has_traces

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(users):
    return HandlingsprogramFactory(eier=users["county"], status=ProgramStatus.UTKAST)


@pytest.fixture
def tema(programme):
    return TemaFactory(program=programme, nummer=3, navn="Vertskapsattraktivitet")


@pytest.fixture
def planner(users):
    return users["planner"]


def make_tiltak(tema, **kwargs):
    """A tiltak made through the service, so it has its creation history row like real ones."""
    from tiltak.services.tiltak import tiltak_create

    actor = kwargs.pop("actor")
    return tiltak_create(actor=actor, tema=tema, **kwargs)


def numbers(tema):
    return list(Tiltak.objects.filter(tema=tema).order_by("nummer").values_list("tittel", "nummer"))


# --- Tema ---------------------------------------------------------------------------------


def test_tema_create_update_numbers_after_the_last(planner, programme, tema):
    new = structure.tema_create(actor=planner, program=programme, navn="Kompetanse")
    assert new.nummer == 4
    structure.tema_update(actor=planner, tema=new, navn="Kompetanse og talent", etikett="SMART")
    new.refresh_from_db()
    assert (new.navn, new.etikett) == ("Kompetanse og talent", "SMART")
    row = new.history.first()
    assert row.history_user == planner and row.navn == "Kompetanse og talent"


def test_tema_create_with_a_taken_number_is_a_field_error(planner, programme, tema):
    with pytest.raises(ValidationError) as exc:
        structure.tema_create(actor=planner, program=programme, navn="Dobbel", nummer=3)
    assert set(exc.value.message_dict) == {"nummer"}
    assert "3" in exc.value.message_dict["nummer"][0]
    assert Tema.objects.filter(program=programme).count() == 1


def test_tema_update_with_blank_name_changes_nothing(planner, tema):
    with pytest.raises(ValidationError) as exc:
        structure.tema_update(actor=planner, tema=tema, navn="")
    assert "navn" in exc.value.message_dict
    tema.refresh_from_db()
    assert tema.navn == "Vertskapsattraktivitet"


def test_tema_move_keeps_the_numbers_and_swaps_the_order(planner, programme, tema):
    t4 = TemaFactory(program=programme, nummer=4, navn="Fire")
    t5 = TemaFactory(program=programme, nummer=5, navn="Fem")
    tiltak = make_tiltak(t5, actor=planner, tittel="Under fem")
    ordered = structure.tema_move(actor=planner, tema=t5, position=1)
    assert [t.pk for t in ordered] == [t5.pk, tema.pk, t4.pk]
    assert list(
        Tema.objects.filter(program=programme).order_by("nummer").values_list("navn", "nummer")
    ) == [("Fem", 3), ("Vertskapsattraktivitet", 4), ("Fire", 5)]
    tiltak.refresh_from_db()
    assert tiltak.nummer_visning == "3.1"


def test_tema_delete_refused_while_it_holds_tiltak(planner, tema):
    make_tiltak(tema, actor=planner, tittel="Noe")
    with pytest.raises(ServiceError):
        structure.tema_delete(actor=planner, tema=tema)
    assert Tema.objects.filter(pk=tema.pk).exists()


def test_tema_delete_takes_empty_delmaal_along(planner, tema):
    d = structure.delmaal_create(actor=planner, tema=tema, navn="Delmål", nummer="3.1")
    structure.satsingsomraade_create(actor=planner, delmaal=d, navn="Satsing")
    tema_pk, delmaal_pk = tema.pk, d.pk
    structure.tema_delete(actor=planner, tema=tema)
    assert not Tema.objects.filter(pk=tema_pk).exists()
    assert not Delmaal.objects.filter(pk=delmaal_pk).exists()
    assert Tema.history.filter(id=tema_pk, history_type="-").get().history_user == planner


# --- Delmål and satsingsområde -------------------------------------------------------------


def test_delmaal_create_update_delete_and_move(planner, programme, tema):
    a = structure.delmaal_create(actor=planner, tema=tema, navn="A", nummer="3.1")
    b = structure.delmaal_create(actor=planner, tema=tema, navn="B", nummer="3.2")
    assert (a.rekkefoelge, b.rekkefoelge) == (0, 1)
    structure.delmaal_update(actor=planner, delmaal=a, smarte_maal="50 nye bedrifter")
    a.refresh_from_db()
    assert a.smarte_maal == "50 nye bedrifter"
    structure.delmaal_move(actor=planner, delmaal=b, position=1)
    assert list(Delmaal.objects.filter(tema=tema).order_by("rekkefoelge")) == [b, a]
    with pytest.raises(ValidationError) as exc:
        structure.delmaal_update(actor=planner, delmaal=b, nummer="3.1")
    assert exc.value.messages
    structure.delmaal_delete(actor=planner, delmaal=b)
    assert list(Delmaal.objects.filter(tema=tema)) == [a]


def test_delmaal_move_to_another_tema_takes_its_tiltak_with_new_numbers(planner, programme, tema):
    other = TemaFactory(program=programme, nummer=4)
    make_tiltak(other, actor=planner, tittel="Allerede i fire")
    d = structure.delmaal_create(actor=planner, tema=tema, navn="Flyttes")
    s = structure.satsingsomraade_create(actor=planner, delmaal=d, navn="Med")
    t = make_tiltak(tema, actor=planner, tittel="Følger med", satsingsomraade=s)
    assert t.nummer == 1
    structure.delmaal_move(actor=planner, delmaal=d, tema=other)
    t.refresh_from_db()
    s.refresh_from_db()
    assert (t.tema_id, t.delmaal_id, t.satsingsomraade_id, t.nummer) == (other.pk, d.pk, s.pk, 2)
    assert s.tema_id == other.pk
    assert t.versjon == 2


def test_delmaal_delete_refused_while_it_holds_tiltak(planner, tema):
    d = structure.delmaal_create(actor=planner, tema=tema, navn="Full")
    make_tiltak(tema, actor=planner, tittel="Inni", delmaal=d)
    with pytest.raises(ServiceError):
        structure.delmaal_delete(actor=planner, delmaal=d)
    assert Delmaal.objects.filter(pk=d.pk).exists()


def test_satsingsomraade_create_update_move_delete(planner, programme, tema):
    d1 = structure.delmaal_create(actor=planner, tema=tema, navn="En")
    d2 = structure.delmaal_create(actor=planner, tema=tema, navn="To")
    s = structure.satsingsomraade_create(
        actor=planner, delmaal=d1, navn="Talent", prioritert_handling="Traineeordning"
    )
    assert s.tema == tema
    structure.satsingsomraade_update(actor=planner, satsingsomraade=s, navn="Talenter")
    t = make_tiltak(tema, actor=planner, tittel="Under", satsingsomraade=s)
    structure.satsingsomraade_move(actor=planner, satsingsomraade=s, delmaal=d2)
    s.refresh_from_db()
    t.refresh_from_db()
    assert (s.navn, s.delmaal_id, t.delmaal_id, t.nummer) == ("Talenter", d2.pk, d2.pk, 1)
    with pytest.raises(ServiceError):
        structure.satsingsomraade_delete(actor=planner, satsingsomraade=s)
    tiltak_services.tiltak_move(actor=planner, tiltak=t, delmaal=d2)
    structure.satsingsomraade_delete(actor=planner, satsingsomraade=s)
    assert not Satsingsomraade.objects.filter(pk=s.pk).exists()


def test_satsingsomraade_directly_under_tema(planner, tema):
    s = structure.satsingsomraade_create(actor=planner, tema=tema, navn="Uten delmål")
    assert (s.tema_id, s.delmaal_id) == (tema.pk, None)


def test_structure_from_another_programme_is_refused(planner, programme, tema):
    foreign = TemaFactory(program=HandlingsprogramFactory(eier=programme.eier, status="utkast"))
    d = structure.delmaal_create(actor=planner, tema=tema, navn="Her")
    with pytest.raises(ValidationError):
        structure.delmaal_move(actor=planner, delmaal=d, tema=foreign)
    d.refresh_from_db()
    assert d.tema_id == tema.pk


# --- Tiltak create, update, move, renumber -------------------------------------------------


def test_tiltak_create_takes_the_next_free_number(planner, programme, tema):
    a = make_tiltak(tema, actor=planner, tittel="A")
    b = make_tiltak(tema, actor=planner, tittel="B", nummer=7, status=TiltakStatus.PLANLAGT)
    c = make_tiltak(tema, actor=planner, tittel="C")
    assert (a.nummer, b.nummer, c.nummer) == (1, 7, 8)
    assert (c.program_id, c.versjon, b.status) == (programme.pk, 1, TiltakStatus.PLANLAGT)
    assert c.history.get().history_type == "+"


def test_tiltak_create_under_satsing_fills_in_the_levels_above(planner, tema):
    d = structure.delmaal_create(actor=planner, tema=tema, navn="D")
    s = structure.satsingsomraade_create(actor=planner, delmaal=d, navn="S")
    t = make_tiltak(None, actor=planner, tittel="Nederst", satsingsomraade=s)
    assert (t.tema_id, t.delmaal_id, t.satsingsomraade_id) == (tema.pk, d.pk, s.pk)


def test_tiltak_create_validation_errors_name_the_field(planner, tema):
    with pytest.raises(ValidationError) as exc:
        make_tiltak(tema, actor=planner, tittel="", start_aar=2022, slutt_aar=2020)
    assert "tittel" in exc.value.message_dict
    assert not Tiltak.objects.filter(tema=tema).exists()
    make_tiltak(tema, actor=planner, tittel="Først", nummer=2)
    with pytest.raises(ValidationError):
        make_tiltak(tema, actor=planner, tittel="Samme nummer", nummer=2)
    assert Tiltak.objects.filter(tema=tema).count() == 1


def test_tiltak_update_saves_raises_the_version_and_records_the_actor(planner, tema):
    t = make_tiltak(tema, actor=planner, tittel="Gammel")
    saved = tiltak_services.tiltak_update(
        actor=planner, tiltak=t, expected_versjon=1, tittel="Ny", status=TiltakStatus.PAAGAAR
    )
    assert (saved.tittel, saved.status, saved.versjon) == ("Ny", TiltakStatus.PAAGAAR, 2)
    latest = Tiltak.history.filter(id=t.pk).first()
    assert (latest.tittel, latest.versjon, latest.history_user) == ("Ny", 2, planner)


def test_concurrency_conflict_writes_nothing_and_names_the_other_persons_fields(
    planner, users, tema
):
    t = make_tiltak(tema, actor=planner, tittel="Original", beskrivelse="Start")
    admin = users["administrator"]
    # Both open the form at version 1. The admin saves first.
    tiltak_services.tiltak_update(
        actor=admin, tiltak=t, expected_versjon=1, tittel="Adminens tittel", virkemiddel="Penger"
    )
    rows_before = Tiltak.history.filter(id=t.pk).count()
    with pytest.raises(ConcurrencyConflict) as exc:
        tiltak_services.tiltak_update(
            actor=planner, tiltak=t, expected_versjon=1, tittel="Min tittel", beskrivelse="Min"
        )
    conflict = exc.value
    assert isinstance(conflict, ServiceError)
    assert sorted(conflict.changed_fields) == ["tittel", "virkemiddel"]
    tittel = next(c for c in conflict.changes if c.field == "tittel")
    assert (tittel.before, tittel.after) == ("Original", "Adminens tittel")
    assert conflict.current.versjon == 2 and conflict.changed_by == admin
    t.refresh_from_db()
    assert (t.tittel, t.beskrivelse, t.virkemiddel, t.versjon) == (
        "Adminens tittel",
        "Start",
        "Penger",
        2,
    )
    assert Tiltak.history.filter(id=t.pk).count() == rows_before
    # Saving again on top of the new version works.
    saved = tiltak_services.tiltak_update(
        actor=planner, tiltak=t, expected_versjon=2, tittel="Min tittel"
    )
    assert (saved.tittel, saved.virkemiddel, saved.versjon) == ("Min tittel", "Penger", 3)


def test_conflict_without_history_compares_with_what_was_submitted(planner, tema):
    t = TiltakFactory(tema=tema, tittel="Uten historikk", versjon=5)
    Tiltak.history.filter(id=t.pk).delete()
    with pytest.raises(ConcurrencyConflict) as exc:
        tiltak_services.tiltak_update(
            actor=planner, tiltak=t, expected_versjon=4, tittel="Annen", beskrivelse=""
        )
    assert exc.value.changed_fields == ["tittel"]
    t.refresh_from_db()
    assert (t.tittel, t.versjon) == ("Uten historikk", 5)


def test_locked_programme_refuses_structure_but_allows_status(planner, programme, tema):
    t = make_tiltak(tema, actor=planner, tittel="Vedtatt tiltak")
    programme.status = ProgramStatus.VEDTATT
    programme.save()
    t = Tiltak.objects.get(pk=t.pk)
    with pytest.raises(ServiceError) as exc, translation.override("en"):
        tiltak_services.tiltak_update(actor=planner, tiltak=t, expected_versjon=1, tittel="Endret")
    assert "Not saved: title" in str(exc.value)
    with pytest.raises(PermissionDenied):
        structure.tema_create(actor=planner, program=programme, navn="Ny")
    with pytest.raises(PermissionDenied):
        make_tiltak(tema, actor=planner, tittel="Ny")
    with pytest.raises(PermissionDenied):
        tiltak_services.tiltak_delete(actor=planner, tiltak=t, reason="Feil")
    t.refresh_from_db()
    assert (t.tittel, t.versjon) == ("Vedtatt tiltak", 1)
    saved = tiltak_services.tiltak_update(
        actor=planner,
        tiltak=t,
        expected_versjon=1,
        tittel="Vedtatt tiltak",
        status=TiltakStatus.GJENNOMFOERT,
    )
    assert (saved.status, saved.versjon) == (TiltakStatus.GJENNOMFOERT, 2)


def test_archived_programme_refuses_status_too(planner, programme, tema):
    t = make_tiltak(tema, actor=planner, tittel="Arkivert")
    programme.status = ProgramStatus.ARKIVERT
    programme.save()
    with pytest.raises(PermissionDenied):
        tiltak_services.tiltak_update(
            actor=planner, tiltak=Tiltak.objects.get(pk=t.pk), expected_versjon=1, status="utsatt"
        )


@pytest.mark.parametrize("role", ["other_planner", "member", "other_member", "board", "anonymous"])
def test_others_may_not_edit(users, role, planner, programme, tema):
    t = make_tiltak(tema, actor=planner, tittel="Beskyttet")
    actor = users[role]
    with pytest.raises(PermissionDenied):
        tiltak_services.tiltak_update(actor=actor, tiltak=t, expected_versjon=1, status="planlagt")
    with pytest.raises(PermissionDenied):
        structure.tema_create(actor=actor, program=programme, navn="Inntrenger")
    with pytest.raises(PermissionDenied):
        ansvar_services.ansvar_add(
            actor=actor, tiltak=t, organisasjon=users["kommune"], rolle=Rolle.HOVEDANSVAR
        )
    t.refresh_from_db()
    assert (t.status, t.versjon) == (TiltakStatus.FORESLAATT, 1)


def test_tiltak_update_rejects_unknown_fields(planner, tema):
    t = make_tiltak(tema, actor=planner, tittel="X")
    with pytest.raises(TypeError):
        tiltak_services.tiltak_update(actor=planner, tiltak=t, expected_versjon=1, versjon=9)


def test_tiltak_move_to_another_tema_gets_the_next_number(planner, programme, tema):
    other = TemaFactory(program=programme, nummer=4)
    make_tiltak(other, actor=planner, tittel="Der")
    t = make_tiltak(tema, actor=planner, tittel="Flyttes")
    moved = tiltak_services.tiltak_move(actor=planner, tiltak=t, tema=other, expected_versjon=1)
    assert (moved.tema_id, moved.nummer, moved.versjon) == (other.pk, 2, 2)
    with pytest.raises(ConcurrencyConflict):
        tiltak_services.tiltak_move(actor=planner, tiltak=t, tema=tema, expected_versjon=1)
    assert Tiltak.objects.get(pk=t.pk).tema_id == other.pk


def test_tiltak_move_within_tema_keeps_number(planner, tema):
    d = structure.delmaal_create(actor=planner, tema=tema, navn="D")
    t = make_tiltak(tema, actor=planner, tittel="Blir", nummer=5)
    moved = tiltak_services.tiltak_move(actor=planner, tiltak=t, delmaal=d)
    assert (moved.delmaal_id, moved.nummer) == (d.pk, 5)


def test_tiltak_renumber_assigns_one_to_n_in_the_given_order(planner, tema):
    a = make_tiltak(tema, actor=planner, tittel="A", nummer=1)
    b = make_tiltak(tema, actor=planner, tittel="B", nummer=2)
    c = make_tiltak(tema, actor=planner, tittel="C", nummer=5)
    tiltak_services.tiltak_renumber(actor=planner, tema=tema, order=[c.pk, a.pk, b.pk])
    assert numbers(tema) == [("C", 1), ("A", 2), ("B", 3)]
    assert Tiltak.objects.get(pk=c.pk).versjon == 2
    ordered = list(Tiltak.objects.filter(tema=tema).order_by("rekkefoelge"))
    assert [t.tittel for t in ordered] == ["C", "A", "B"]


def test_tiltak_renumber_refuses_an_incomplete_list(planner, tema):
    a = make_tiltak(tema, actor=planner, tittel="A")
    b = make_tiltak(tema, actor=planner, tittel="B")
    for order in ([a.pk], [a.pk, a.pk], [a.pk, b.pk, 999999]):
        with pytest.raises(ServiceError):
            tiltak_services.tiltak_renumber(actor=planner, tema=tema, order=order)
    assert numbers(tema) == [("A", 1), ("B", 2)]


# --- Delete -------------------------------------------------------------------------------


def test_delete_without_traces_is_hard(planner, tema):
    t = make_tiltak(tema, actor=planner, tittel="Feilregistrert")
    AnsvarFactory(tiltak=t)
    assert not tiltak_has_traces(t)
    assert (
        tiltak_services.tiltak_delete(actor=planner, tiltak=t, reason="Dobbelt registrert")
        == "hard"
    )
    assert not Tiltak.alle.filter(pk=t.pk).exists()
    gone = Tiltak.history.get(id=t.pk, history_type="-")
    assert (gone.history_user, gone.history_change_reason) == (planner, "Dobbelt registrert")


def test_delete_with_history_is_soft_and_restorable(planner, tema):
    t = make_tiltak(tema, actor=planner, tittel="Har historikk")
    tiltak_services.tiltak_update(actor=planner, tiltak=t, expected_versjon=1, beskrivelse="Endret")
    assert tiltak_has_traces(t)
    assert (
        tiltak_services.tiltak_delete(actor=planner, tiltak=t, reason="Slått sammen med 3.2")
        == "soft"
    )
    assert not Tiltak.objects.filter(pk=t.pk).exists()
    kept = Tiltak.alle.get(pk=t.pk)
    assert kept.slettet is not None and kept.slettet_grunn == "Slått sammen med 3.2"
    # its number is free again
    new = make_tiltak(tema, actor=planner, tittel="Ny på samme nummer", nummer=kept.nummer)
    restored = tiltak_services.tiltak_restore_deleted(actor=planner, tiltak=kept)
    assert restored.slettet is None and restored.nummer != new.nummer


def test_delete_needs_a_reason(planner, tema):
    t = make_tiltak(tema, actor=planner, tittel="Uten grunn")
    with pytest.raises(ValidationError) as exc:
        tiltak_services.tiltak_delete(actor=planner, tiltak=t, reason="  ")
    assert "slettet_grunn" in exc.value.message_dict
    assert Tiltak.objects.filter(pk=t.pk).exists()


def test_a_long_reason_fits_the_history(planner, tema):
    t = make_tiltak(tema, actor=planner, tittel="Lang grunn")
    tiltak_services.tiltak_update(actor=planner, tiltak=t, expected_versjon=1, beskrivelse="x")
    reason = "Begrunnelse " * 30
    assert tiltak_services.tiltak_delete(actor=planner, tiltak=t, reason=reason) == "soft"
    assert Tiltak.alle.get(pk=t.pk).slettet_grunn == reason.strip()


def test_edits_of_deleted_tiltak_are_refused(planner, tema):
    t = make_tiltak(tema, actor=planner, tittel="Slettet")
    tiltak_services.tiltak_update(actor=planner, tiltak=t, expected_versjon=1, beskrivelse="spor")
    tiltak_services.tiltak_delete(actor=planner, tiltak=t, reason="Borte")
    with pytest.raises(ServiceError):
        tiltak_services.tiltak_update(actor=planner, tiltak=t, expected_versjon=3, tittel="Nei")


# --- Responsibilities ---------------------------------------------------------------------


def test_ansvar_add_reorder_update_remove(planner, tema):
    t = make_tiltak(tema, actor=planner, tittel="Parter")
    usn, nav, in_ = (OrganisasjonFactory(navn=n) for n in ("USN", "NAV", "Innovasjon Norge"))
    a1 = ansvar_services.ansvar_add(
        actor=planner, tiltak=t, organisasjon=usn, rolle=Rolle.SAMARBEIDSPART
    )
    a2 = ansvar_services.ansvar_add(
        actor=planner,
        tiltak=t,
        organisasjon=nav,
        rolle=Rolle.SAMARBEIDSPART,
        tekst_som_skrevet="NAV Buskerud",
    )
    lead = ansvar_services.ansvar_add(
        actor=planner, tiltak=t, organisasjon=in_, rolle=Rolle.HOVEDANSVAR
    )
    assert (a1.rekkefoelge, a2.rekkefoelge, lead.rekkefoelge) == (0, 1, 0)
    assert Ansvar.history.filter(id=a2.pk).get().history_user == planner
    ansvar_services.ansvar_reorder(
        actor=planner, tiltak=t, rolle=Rolle.SAMARBEIDSPART, order=[a2.pk, a1.pk]
    )
    assert [a.organisasjon.navn for a in Tiltak.objects.get(pk=t.pk).samarbeidsparter()] == [
        "NAV",
        "USN",
    ]
    ansvar_services.ansvar_update(actor=planner, ansvar=a1, rolle=Rolle.HOVEDANSVAR)
    assert Ansvar.objects.get(pk=a1.pk).rekkefoelge == 1
    ansvar_services.ansvar_remove(actor=planner, ansvar=a2)
    assert not Ansvar.objects.filter(pk=a2.pk).exists()
    assert Ansvar.history.filter(id=a2.pk, history_type="-").get().history_user == planner
    # Parties have their own history and do not raise the tiltak's version.
    assert Tiltak.objects.get(pk=t.pk).versjon == 1


def test_ansvar_add_twice_in_the_same_role_is_a_field_error(planner, users, tema):
    t = make_tiltak(tema, actor=planner, tittel="Dobbel part")
    org = users["kommune"]
    ansvar_services.ansvar_add(actor=planner, tiltak=t, organisasjon=org, rolle=Rolle.HOVEDANSVAR)
    with pytest.raises(ValidationError) as exc:
        ansvar_services.ansvar_add(
            actor=planner, tiltak=t, organisasjon=org, rolle=Rolle.HOVEDANSVAR
        )
    assert "organisasjon" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        ansvar_services.ansvar_add(actor=planner, tiltak=t, organisasjon=org, rolle="sjef")
    assert "rolle" in exc.value.message_dict
    ansvar_services.ansvar_add(
        actor=planner, tiltak=t, organisasjon=org, rolle=Rolle.SAMARBEIDSPART
    )
    assert Ansvar.objects.filter(tiltak=t).count() == 2


def test_ansvar_locked_when_programme_adopted(planner, programme, tema):
    t = make_tiltak(tema, actor=planner, tittel="Låst")
    a = AnsvarFactory(tiltak=t)
    programme.status = ProgramStatus.VEDTATT
    programme.save()
    t = Tiltak.objects.get(pk=t.pk)
    with pytest.raises(PermissionDenied):
        ansvar_services.ansvar_remove(actor=planner, ansvar=a)
    assert Ansvar.objects.filter(pk=a.pk).exists()


def test_delmaal_and_satsing_factories_work_with_the_services(planner, programme):
    # Factories build a chain of new programmes; the owner is not the planner's organisation.
    s = SatsingsomraadeFactory(delmaal=DelmaalFactory(tema=TemaFactory(program=programme)))
    structure.satsingsomraade_update(
        actor=planner, satsingsomraade=s, prioritert_handling="Gjør det"
    )
    s.refresh_from_db()
    assert s.prioritert_handling == "Gjør det"


def test_moving_or_deleting_a_deleted_tiltak_is_refused(planner, programme, tema):
    t = make_tiltak(tema, actor=planner, tittel="Allerede slettet")
    tiltak_services.tiltak_update(actor=planner, tiltak=t, expected_versjon=1, beskrivelse="spor")
    tiltak_services.tiltak_delete(actor=planner, tiltak=t, reason="Borte")
    with pytest.raises(ServiceError):
        tiltak_services.tiltak_move(
            actor=planner, tiltak=t, tema=TemaFactory(program=programme, nummer=9)
        )
    with pytest.raises(ServiceError):
        tiltak_services.tiltak_delete(actor=planner, tiltak=t, reason="Igjen")
    assert Tiltak.alle.get(pk=t.pk).slettet_grunn == "Borte"


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_one_wins_on_postgresql(users):
    """Two threads save version 1 at the same moment: the conditional UPDATE lets exactly one
    through; the other gets the conflict. (PostgreSQL only: SQLite has one writer at a time.)"""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    planner = users["planner"]
    programme = HandlingsprogramFactory(eier=users["county"], status=ProgramStatus.UTKAST)
    t = make_tiltak(TemaFactory(program=programme), actor=planner, tittel="Start")
    barrier = threading.Barrier(2)
    outcomes = []

    def save(title):
        from django.db import connections

        try:
            barrier.wait()
            tiltak_services.tiltak_update(actor=planner, tiltak=t, expected_versjon=1, tittel=title)
            outcomes.append("saved")
        except ConcurrencyConflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(n,)) for n in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    t.refresh_from_db()
    assert t.versjon == 2 and t.tittel in {"A", "B"}
    assert Tiltak.history.filter(id=t.pk).count() == 2
