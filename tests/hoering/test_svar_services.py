"""The answer's services: the shared draft, the version check, validation that keeps nothing
half-written, submission exactly once with its hash, new versions, the deadline to the second,
the attached PDF and the trace check."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from hoering.models import Fristutsettelse, Hoeringssvar, Standpunkt, SvarStatus
from hoering.services import svar as services
from hoering.services.svar import (
    AnswerSubmitted,
    DeadlinePassed,
    SvarConflict,
    canonical_json,
    content_sha256,
)
from hoering.traces import tiltak_with_answers
from tests.factories import BrukerFactory
from tests.hoering.svar_helpers import make_hearing
from tiltak.extensions import tiltak_ids_with_traces

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def world(users):
    return make_hearing(users)


def _draft(users, world, role="member"):
    return services.svar_start(actor=users[role], hoering=world["hoering"])


def test_members_share_one_draft(users, world):
    colleague = BrukerFactory(organisasjon=users["kommune"])
    first = _draft(users, world)
    assert services.svar_start(actor=colleague, hoering=world["hoering"]).pk == first.pk
    other = _draft(users, world, "other_member")
    assert other.pk != first.pk and other.organisasjon == users["other"]


def test_not_invited_cannot_start(users, world):
    stranger = BrukerFactory()
    with pytest.raises(PermissionDenied):
        services.svar_start(actor=stranger, hoering=world["hoering"])


def test_save_positions_with_role_via_group(users, world):
    svar = _draft(users, world)
    own, via, lead = (world["tiltak"][k][0] for k in ("own", "via_group", "group_lead"))
    rest = world["tiltak"]["rest"][0]
    saved = services.svar_save(
        actor=users["member"],
        svar=svar,
        versjon=svar.versjon,
        fields={"generelle_merknader": "Vi støttar planen.", "saksnummer": "SAK 1/18"},
        standpunkter={
            own.pk: ("paatar_hovedansvar", ""),
            via.pk: ("bekrefter_samarbeid", "Gjennom gruppa."),
            lead.pk: ("kan_ikke", "Vi har ikkje ressursar."),
            rest.pk: ("ingen_merknad", ""),
        },
    )
    assert saved.versjon == svar.versjon + 1
    roles = {s.tiltak_id: s.foreslaatt_rolle for s in saved.standpunkter.all()}
    assert roles == {
        own.pk: "hovedansvar",
        via.pk: "samarbeidspart",
        lead.pk: "hovedansvar",
        rest.pk: "",
    }
    # None removes a position, tiltak not named keep theirs
    again = services.svar_save(
        actor=users["member"], svar=saved, versjon=saved.versjon, standpunkter={rest.pk: None}
    )
    assert set(again.standpunkter.values_list("tiltak_id", flat=True)) == {own.pk, via.pk, lead.pk}


@pytest.mark.parametrize("valg", ["kan_ikke", "endring"])
def test_reason_required_and_nothing_written(users, world, valg):
    svar = _draft(users, world)
    t = world["tiltak"]["own"][0]
    with pytest.raises(ValidationError) as exc:
        services.svar_save(
            actor=users["member"],
            svar=svar,
            versjon=svar.versjon,
            fields={"generelle_merknader": "Skal ikkje lagrast"},
            standpunkter={t.pk: (valg, "  ")},
        )
    assert f"standpunkt_{t.pk}" in exc.value.message_dict
    svar.refresh_from_db()
    assert svar.generelle_merknader == "" and svar.versjon == 1
    assert not Standpunkt.objects.exists()


def test_proposals_validated_and_replaced(users, world):
    svar = _draft(users, world)
    tema, other_tema = world["temaer"]
    t = world["tiltak"]["rest"][0]
    with pytest.raises(ValidationError) as exc:
        services.svar_save(
            actor=users["member"],
            svar=svar,
            versjon=svar.versjon,
            aktoerforslag=[
                {"tiltak": t.pk, "organisasjon": None, "navn": "", "rolle": "x", "begrunnelse": ""}
            ],
            tiltaksforslag=[
                {
                    "tema": tema.pk,
                    "delmaal": other_tema.delmaal.first().pk,
                    "satsingsomraade": None,
                    "tittel": "",
                    "hva": "",
                    "hvem": "",
                    "hvordan": "",
                    "maal": "",
                    "finansiering": "",
                    "langsiktighet": "",
                }
            ],
        )
    keys = set(exc.value.message_dict)
    assert {
        "aktoerforslag_0_navn",
        "aktoerforslag_0_rolle",
        "tiltaksforslag_0_delmaal",
        "tiltaksforslag_0_tittel",
        "tiltaksforslag_0_hva",
    } <= keys
    saved = services.svar_save(
        actor=users["member"],
        svar=svar,
        versjon=svar.versjon,
        aktoerforslag=[
            {
                "tiltak": t.pk,
                "organisasjon": None,
                "navn": "Yrkesmessa",
                "rolle": "samarbeidspart",
                "begrunnelse": "Dei kan det.",
            }
        ],
        tiltaksforslag=[
            {
                "tema": tema.pk,
                "delmaal": tema.delmaal.first().pk,
                "satsingsomraade": None,
                "tittel": "Nytt",
                "hva": "Noko nytt",
                "hvem": "",
                "hvordan": "",
                "maal": "",
                "finansiering": "",
                "langsiktighet": "Fire år",
            }
        ],
    )
    assert saved.aktoerforslag.get().navn == "Yrkesmessa"
    assert saved.tiltaksforslag.get().langsiktighet == "Fire år"
    saved = services.svar_save(
        actor=users["member"], svar=saved, versjon=saved.versjon, aktoerforslag=[]
    )
    assert not saved.aktoerforslag.exists() and saved.tiltaksforslag.count() == 1


def test_stale_save_is_refused_with_what_changed(users, world):
    colleague = BrukerFactory(organisasjon=users["kommune"], first_name="Ola", last_name="Kollega")
    svar = _draft(users, world)
    t = world["tiltak"]["own"][0]
    services.svar_save(
        actor=colleague,
        svar=svar,
        versjon=1,
        fields={"generelle_merknader": "Kollegaen skreiv dette."},
        standpunkter={t.pk: ("paatar_hovedansvar", "")},
    )
    with pytest.raises(SvarConflict) as exc:
        services.svar_save(
            actor=users["member"],
            svar=svar,
            versjon=1,
            fields={"generelle_merknader": "Eg skreiv dette."},
            standpunkter={t.pk: ("kan_ikke", "Nei")},
        )
    body = exc.value.body()
    assert body["versjon"] == 2
    assert set(body["changed_fields"]) == {"generelle_merknader", f"standpunkt_{t.pk}"}
    assert body["changed_by"] == "Ola Kollega"
    svar.refresh_from_db()
    assert svar.generelle_merknader == "Kollegaen skreiv dette." and svar.versjon == 2


def test_other_organisation_cannot_save(users, world):
    svar = _draft(users, world)
    with pytest.raises(PermissionDenied):
        services.svar_save(
            actor=users["other_member"], svar=svar, versjon=1, fields={"saksnummer": "X"}
        )


def _filled(users, world, **fields):
    svar = _draft(users, world)
    return services.svar_save(
        actor=users["member"],
        svar=svar,
        versjon=svar.versjon,
        fields={"generelle_merknader": "Merknad", **fields},
        standpunkter={world["tiltak"]["own"][0].pk: ("paatar_hovedansvar", "Ja")},
    )


def test_submit_stamps_time_hash_and_is_read_only(users, world):
    svar = _filled(users, world)
    when = datetime(2030, 1, 1, 12, 0, 0, 400_000, tzinfo=UTC)
    world["hoering"].frist = when + timedelta(days=1)
    world["hoering"].save()
    with time_machine.travel(when, tick=False):
        done = services.svar_submit(actor=users["member"], svar=svar, signatar="Kari Ordførar")
    assert done.status == SvarStatus.INNSENDT
    assert done.innsendt == when.replace(microsecond=0)
    assert done.sha256 == hashlib.sha256(canonical_json(done)).hexdigest()
    content = json.loads(canonical_json(done))
    assert content["format"] == "partnerskap.hoeringssvar/1"
    assert content["signatar"] == "Kari Ordførar"
    assert content["standpunkter"][0]["standpunkt"] == "paatar_hovedansvar"
    with pytest.raises(AnswerSubmitted):
        services.svar_save(actor=users["member"], svar=done, versjon=done.versjon, fields={})


def test_hash_changes_with_content_and_is_stable_otherwise(users, world):
    svar = _filled(users, world)
    first = content_sha256(svar)
    # the same content read again, and rows saved in another order, give the same hash
    assert content_sha256(Hoeringssvar.objects.get(pk=svar.pk)) == first
    t1, t2 = world["tiltak"]["rest"][:1] + world["tiltak"]["own"][1:2]
    a = services.svar_save(
        actor=users["member"],
        svar=svar,
        versjon=svar.versjon,
        standpunkter={t1.pk: ("ingen_merknad", ""), t2.pk: ("ingen_merknad", "")},
    )
    h_a = content_sha256(a)
    a = services.svar_save(
        actor=users["member"],
        svar=a,
        versjon=a.versjon,
        standpunkter={t1.pk: None, t2.pk: None},
    )
    a = services.svar_save(
        actor=users["member"],
        svar=a,
        versjon=a.versjon,
        standpunkter={t2.pk: ("ingen_merknad", ""), t1.pk: ("ingen_merknad", "")},
    )
    assert content_sha256(a) == h_a != first
    # one character more is another hash; so is a signatory
    b = services.svar_save(
        actor=users["member"],
        svar=a,
        versjon=a.versjon,
        fields={"generelle_merknader": "Merknad."},
    )
    assert content_sha256(b) != h_a
    b.signatar = "Noen"
    assert content_sha256(b) != content_sha256(Hoeringssvar.objects.get(pk=b.pk))


def test_double_submit_stores_once(users, world):
    svar = _filled(users, world)
    first = services.svar_submit(
        actor=users["member"], svar=svar, signatar="Kari", versjon=svar.versjon
    )
    second = services.svar_submit(
        actor=users["member"], svar=svar, signatar="Kari", versjon=svar.versjon
    )
    assert first.pk == second.pk and second.innsendt == first.innsendt
    assert Hoeringssvar.objects.filter(hoering=world["hoering"]).count() == 1
    with pytest.raises(PermissionDenied):
        services.svar_submit(actor=users["other_member"], svar=svar, signatar="X")


def test_submit_needs_signatory_and_content(users, world):
    svar = _draft(users, world)
    with pytest.raises(ValidationError) as exc:
        services.svar_submit(actor=users["member"], svar=svar, signatar="Kari")
    assert "__all__" in exc.value.message_dict
    svar = _filled(users, world)
    with pytest.raises(ValidationError) as exc:
        services.svar_submit(actor=users["member"], svar=svar, signatar="  ")
    assert "signatar" in exc.value.message_dict
    svar.refresh_from_db()
    assert svar.status == SvarStatus.UTKAST


def test_new_version_copies_and_keeps_the_old(users, world):
    svar = _filled(users, world, saksnummer="SAK 44/18")
    svar = services.svar_save(
        actor=users["member"],
        svar=svar,
        versjon=svar.versjon,
        aktoerforslag=[
            {
                "tiltak": world["tiltak"]["rest"][0].pk,
                "organisasjon": None,
                "navn": "Yrkesmessa",
                "rolle": "samarbeidspart",
                "begrunnelse": "",
            }
        ],
        vedlegg=SimpleUploadedFile("vedtak.pdf", PDF, content_type="application/pdf"),
    )
    done = services.svar_submit(actor=users["member"], svar=svar, signatar="Kari")
    old_hash = done.sha256
    ny = services.svar_new_version(actor=users["member"], svar=done)
    assert (ny.versjon_nr, ny.status) == (2, SvarStatus.UTKAST)
    assert ny.saksnummer == "SAK 44/18" and ny.standpunkter.count() == 1
    assert ny.aktoerforslag.get().navn == "Yrkesmessa"
    assert ny.vedtak_vedlegg.name == done.vedtak_vedlegg.name
    # asking again gives the same draft
    assert services.svar_new_version(actor=users["member"], svar=done).pk == ny.pk
    ny = services.svar_save(
        actor=users["member"], svar=ny, versjon=ny.versjon, fields={"saksnummer": "SAK 45/18"}
    )
    done.refresh_from_db()
    assert done.saksnummer == "SAK 44/18" and done.sha256 == old_hash
    assert content_sha256(done) == old_hash  # the old row's content is untouched
    second = services.svar_submit(actor=users["member"], svar=ny, signatar="Kari")
    assert (
        services.current_svar(hoering=world["hoering"], organisasjon_id=users["kommune"].pk)
        == second
    )


# --- The deadline, to the second ------------------------------------------------------------

DEADLINE = datetime(2031, 10, 23, 21, 59, 59, tzinfo=UTC)  # 23:59:59 in Oslo (summer time)


@pytest.fixture
def timed(users):
    with time_machine.travel(DEADLINE - timedelta(days=5), tick=False):
        world = make_hearing(users, opens=DEADLINE - timedelta(days=30), deadline=DEADLINE)
        svar = _filled(users, world)
    return world, svar


def test_submit_one_second_before_the_deadline(users, timed):
    world, svar = timed
    with time_machine.travel(DEADLINE, tick=False):
        done = services.svar_submit(actor=users["member"], svar=svar, signatar="Kari")
    assert done.er_innsendt and not done.med_utsatt_frist


def test_nothing_one_second_after_the_deadline(users, timed):
    world, svar = timed
    with time_machine.travel(DEADLINE + timedelta(seconds=1), tick=False):
        with pytest.raises(DeadlinePassed) as exc:
            services.svar_submit(actor=users["member"], svar=svar, signatar="Kari")
        assert "23. oktober 2031 kl. 23.59" in str(exc.value) or "October" in str(exc.value)
        with pytest.raises(DeadlinePassed):
            services.svar_save(actor=users["member"], svar=svar, versjon=svar.versjon, fields={})
        with pytest.raises(DeadlinePassed):
            services.svar_start(actor=users["other_member"], hoering=world["hoering"])
    svar.refresh_from_db()
    assert svar.status == SvarStatus.UTKAST


def test_extension_applies_to_its_organisation_only(users, timed):
    world, svar = timed
    ny_frist = DEADLINE + timedelta(days=2)
    Fristutsettelse.objects.create(
        hoering=world["hoering"], organisasjon=users["kommune"], ny_frist=ny_frist, grunn="Møte"
    )
    with time_machine.travel(DEADLINE + timedelta(seconds=1), tick=False):
        with pytest.raises(DeadlinePassed):
            services.svar_start(actor=users["other_member"], hoering=world["hoering"])
        saved = services.svar_save(
            actor=users["member"], svar=svar, versjon=svar.versjon, fields={"saksnummer": "S"}
        )
    with (
        time_machine.travel(ny_frist + timedelta(seconds=1), tick=False),
        pytest.raises(DeadlinePassed),
    ):
        services.svar_submit(actor=users["member"], svar=saved, signatar="Kari")
    with time_machine.travel(ny_frist, tick=False):
        done = services.svar_submit(actor=users["member"], svar=saved, signatar="Kari")
    assert done.med_utsatt_frist


def test_not_before_opening(users):
    opens = datetime(2032, 1, 1, tzinfo=UTC)
    with time_machine.travel(opens - timedelta(days=1), tick=False):
        world = make_hearing(users, opens=opens, deadline=opens + timedelta(days=5))
    with (
        time_machine.travel(opens - timedelta(seconds=1), tick=False),
        pytest.raises(DeadlinePassed),
    ):
        services.svar_start(actor=users["member"], hoering=world["hoering"])
    with time_machine.travel(opens, tick=False):
        assert services.svar_start(actor=users["member"], hoering=world["hoering"]).pk


# --- The attached decision --------------------------------------------------------------


def test_pdf_is_sniffed_and_stored(users, world):
    svar = _draft(users, world)
    fake = SimpleUploadedFile(
        "vedtak.pdf", b"<html>not a pdf</html>", content_type="application/pdf"
    )
    with pytest.raises(ValidationError) as exc:
        services.svar_save(actor=users["member"], svar=svar, versjon=1, vedlegg=fake)
    assert "vedtak_vedlegg" in exc.value.message_dict
    real = SimpleUploadedFile("../../etc/Vedtak SAK 44.pdf", PDF, content_type="text/plain")
    saved = services.svar_save(actor=users["member"], svar=svar, versjon=1, vedlegg=real)
    assert saved.vedtak_vedlegg_navn == "Vedtak SAK 44.pdf"
    assert default_storage.exists(saved.vedtak_vedlegg.name)
    with default_storage.open(saved.vedtak_vedlegg.name) as fh:
        assert fh.read() == PDF
    removed = services.svar_save(
        actor=users["member"], svar=saved, versjon=saved.versjon, fjern_vedlegg=True
    )
    assert not removed.vedtak_vedlegg


def test_pdf_size_limited(users, world, monkeypatch):
    monkeypatch.setattr(services, "VEDLEGG_MAX_BYTES", 100)
    svar = _draft(users, world)
    big = SimpleUploadedFile("v.pdf", PDF + b"x" * 200, content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.svar_save(actor=users["member"], svar=svar, versjon=1, vedlegg=big)
    assert "MB" in exc.value.message_dict["vedtak_vedlegg"][0]


# --- Trace check ------------------------------------------------------------------------


def test_tiltak_with_positions_or_actor_proposals_are_kept(users, world):
    svar = _draft(users, world)
    own, rest = world["tiltak"]["own"][0], world["tiltak"]["rest"][0]
    untouched = world["tiltak"]["via_group"][0]
    services.svar_save(
        actor=users["member"],
        svar=svar,
        versjon=1,
        standpunkter={own.pk: ("ingen_merknad", "")},
        aktoerforslag=[
            {
                "tiltak": rest.pk,
                "organisasjon": None,
                "navn": "X",
                "rolle": "samarbeidspart",
                "begrunnelse": "",
            }
        ],
    )
    ids = {own.pk, rest.pk, untouched.pk}
    assert tiltak_with_answers(ids) == {own.pk, rest.pk}
    assert {own.pk, rest.pk} <= tiltak_ids_with_traces(ids)
