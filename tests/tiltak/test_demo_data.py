"""The demo data is the real Buskerud programme: counts per tema and delmål must equal the table
in shared/data/README.md, and every party as written must be linked to a registry entry."""

import json
from collections import Counter

import pytest
from django.core.management import call_command

from partnerskap.models import Organisasjon
from tiltak.demo import BUSKERUD_FILE, SOURCE_DIR, VT_FILE
from tiltak.models import Ansvar, Delmaal, Handlingsprogram, Rolle, Tema, Tiltak

pytestmark = pytest.mark.django_db

# The table of shared/data/README.md.
EXPECTED_PER_TEMA = {3: 45, 4: 27, 5: 10, 6: 19, 7: 38, 8: 25}
EXPECTED_PER_DELMAAL = {
    "3.1": 16, "3.2": 2, "3.3": 11, "3.4": 9, "3.5": 7,
    "4.1": 5, "4.2": 5, "4.3": 4, "4.4": 6, "4.5": 3, "4.6": 4,
    "5.1": 3, "5.2": 4, "5.3": 3,
    "6.1": 6, "6.2": 9, "6.3": 4,
    "7.1": 8, "7.2": 13, "7.3": 9, "7.4": 8,
}  # fmt: skip
EXPECTED_TEMA8_UNNUMBERED = [15, 5, 3, 2]


@pytest.fixture
def buskerud(demo_data):
    return Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)


def test_buskerud_has_164_tiltak_per_tema_as_in_the_source(buskerud):
    assert Tiltak.objects.filter(program=buskerud).count() == 164
    per_tema = Counter(
        Tiltak.objects.filter(program=buskerud).values_list("tema__nummer", flat=True)
    )
    assert dict(per_tema) == EXPECTED_PER_TEMA
    assert sorted(Tema.objects.filter(program=buskerud).values_list("nummer", flat=True)) == [
        3,
        4,
        5,
        6,
        7,
        8,
    ]


def test_tiltak_per_delmaal_as_in_the_source(buskerud):
    per_delmaal = Counter(
        Tiltak.objects.filter(program=buskerud, delmaal__nummer__gt="").values_list(
            "delmaal__nummer", flat=True
        )
    )
    assert dict(per_delmaal) == EXPECTED_PER_DELMAAL
    tema8 = Delmaal.objects.filter(tema__program=buskerud, tema__nummer=8).order_by("rekkefoelge")
    assert [d.nummer for d in tema8] == ["", "", "", ""]
    assert [d.tiltak.count() for d in tema8] == EXPECTED_TEMA8_UNNUMBERED


def test_one_tiltak_without_number_in_delmaal_3_5(buskerud):
    unnumbered = Tiltak.objects.filter(program=buskerud, nummer__isnull=True)
    assert [t.delmaal.nummer for t in unnumbered] == ["3.5"]


def test_every_party_as_written_is_linked_to_an_organisation(buskerud):
    source = json.loads((SOURCE_DIR / BUSKERUD_FILE).read_text(encoding="utf-8"))
    linked = {}
    for a in Ansvar.objects.filter(tiltak__program=buskerud).select_related(
        "tiltak", "tiltak__tema"
    ):
        t = a.tiltak
        key = (t.tema.nummer, t.delmaal_id, t.nummer, t.beskrivelse, a.rolle)
        linked.setdefault(key, set()).update(a.tekst_som_skrevet.split("; "))
    checked = 0
    for t in source["temaer"]:
        for d in t["delmal"]:
            delmaal = Delmaal.objects.get(
                tema__program=buskerud, tema__nummer=t["number"], navn=d["name"]
            )
            for s in d["satsingsomrader"]:
                for ti in s["tiltak"]:
                    for rolle, parties in (
                        (Rolle.HOVEDANSVAR, ti["hovedansvar"]),
                        (Rolle.SAMARBEIDSPART, ti["samarbeidsparter"]),
                    ):
                        key = (t["number"], delmaal.id, ti["number"], ti["description"], rolle)
                        assert set(parties) <= linked.get(key, set()), (t["number"], ti["number"])
                        checked += len(parties)
    assert checked > 400  # every party of 164 tiltak, not an empty loop


def test_as_written_text_is_kept_beside_the_links(buskerud):
    # Seed 000: the council has hovedansvar for 3.23 and 3.36, written "Regionrådet i Hallingdal".
    leads = Tiltak.objects.filter(
        program=buskerud,
        ansvar__organisasjon__slug="regionradet-hallingdal",
        ansvar__rolle=Rolle.HOVEDANSVAR,
    )
    assert sorted(t.nummer_visning for t in leads) == ["3.23", "3.36"]
    tiltak = Tiltak.objects.get(program=buskerud, tema__nummer=3, nummer=23)
    assert tiltak.hovedansvar_tekst == "Regionrådet i Hallingdal"
    row = tiltak.ansvar.get(organisasjon__slug="regionradet-hallingdal", rolle=Rolle.HOVEDANSVAR)
    assert row.tekst_som_skrevet == "Regionrådet i Hallingdal"
    # "USN, IN, Inkubatorer" is one cell naming three organisations: three links, one text.
    cell = Ansvar.objects.filter(tiltak__program=buskerud, tekst_som_skrevet="USN, IN, Inkubatorer")
    assert {a.organisasjon.forkortelse for a in cell} >= {"USN", "IN"}


def test_abbreviations_are_expanded(demo_data):
    assert Organisasjon.objects.get(forkortelse="BFK").navn == "Buskerud fylkeskommune"
    assert Organisasjon.objects.get(forkortelse="USN").navn == "Universitetet i Sørøst-Norge"
    assert Organisasjon.objects.get(forkortelse="IN").navn == "Innovasjon Norge"
    hallingdal = Organisasjon.objects.get(slug="regionradet-hallingdal")
    assert hallingdal.navn == "Regionrådet for Hallingdal"
    assert hallingdal.region.navn == "Hallingdal"
    assert hallingdal.aliaser.filter(navn="Regionrådet i Hallingdal").exists()


def test_tema_lead_partner_and_plans(buskerud):
    assert buskerud.planer.count() == 2
    assert Tema.objects.get(program=buskerud, nummer=7).ansvarlig.forkortelse == "USN"
    assert Tema.objects.get(program=buskerud, nummer=3).ansvarlig_tekst == "kommunene"


def test_vestfold_telemark_is_a_shallower_programme(demo_data):
    source = json.loads((SOURCE_DIR / VT_FILE).read_text(encoding="utf-8"))
    vt = Handlingsprogram.objects.get(start_aar=2021, slutt_aar=2022)
    assert vt.nivaa_betegnelse == "innsatsomraade"
    assert vt.temaer.count() == 4 == len(source["innsatsomrader"])
    assert vt.tiltak.count() == sum(len(a["tiltak"]) for a in source["innsatsomrader"])
    # No invented levels: innsatsområde → tiltak directly.
    assert not Delmaal.objects.filter(tema__program=vt).exists()
    assert not vt.tiltak.filter(delmaal__isnull=False).exists()


def test_load_demo_is_idempotent_and_keeps_edits(demo_data):
    tiltak = Tiltak.objects.order_by("id").first()
    tiltak.tittel = "Endret i portalen"
    tiltak.save()
    before = (Tiltak.objects.count(), Ansvar.objects.count(), Organisasjon.objects.count())
    call_command("load_demo", verbosity=0)
    assert (Tiltak.objects.count(), Ansvar.objects.count(), Organisasjon.objects.count()) == before
    tiltak.refresh_from_db()
    assert tiltak.tittel == "Endret i portalen"


# --- Issue 7.1: a tiltak without a title in the source ----------------------------------------


def test_tiltak_without_title_in_the_source_is_loaded_with_one_from_its_description(buskerud):
    # Seed 000 gives 3.35 no SMART-mål (its title column); the extraction notes say so.
    t = Tiltak.objects.get(program=buskerud, tema__nummer=3, nummer=35)
    assert t.tittel == "Økt tilgjengelighet og synlighet av næringsarealer" == t.beskrivelse
    assert t.tittel_mangler_i_kilden
    assert t.merknader.startswith("Tittel mangler i kilden: tittelen er hentet fra beskrivelsen.")
    assert "Ingen egen SMART-mål/tittel funnet for tiltak 35" in t.merknader
    t.full_clean()  # as every save of the tema validates it
    # Only the row without a title is flagged.
    assert list(
        Tiltak.objects.filter(tittel_mangler_i_kilden=True).values_list("pk", flat=True)
    ) == [t.pk]
    assert not Tiltak.objects.filter(tittel="").exists()


def test_title_from_description_takes_the_first_sentence_and_cuts_at_a_word():
    from tiltak.demo import title_from_description

    assert title_from_description("Første setning. Andre setning.") == "Første setning"
    long = "ord " * 60
    title = title_from_description(long)
    assert len(title) <= 120 and title.endswith("ord…")
    assert title_from_description("", "Nettverksarenaer") == "Nettverksarenaer"


def test_the_migration_repairs_a_row_loaded_with_an_empty_title(buskerud):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("tiltak.migrations.0006_tittel_mangler_i_kilden")
    t = Tiltak.objects.get(program=buskerud, tema__nummer=3, nummer=35)
    Tiltak.objects.filter(pk=t.pk).update(tittel="", tittel_mangler_i_kilden=False, merknader="")
    migration.repair_missing_titles(apps, None)
    t.refresh_from_db()
    assert t.tittel == "Økt tilgjengelighet og synlighet av næringsarealer"
    assert t.tittel_mangler_i_kilden
    assert t.merknader == "Tittel mangler i kilden: tittelen er hentet fra beskrivelsen."


# --- Issue 7.4: history starts from the complete loaded state --------------------------------


def test_every_loaded_tiltak_has_one_baseline_row_after_its_parties(buskerud):
    from tiltak.services.history import BASELINE_REASON

    t = Tiltak.objects.get(program=buskerud, tema__nummer=3, nummer=11)
    rows = list(Tiltak.history.filter(id=t.pk).order_by("history_date", "history_id"))
    assert [(r.history_type, r.history_change_reason) for r in rows] == [
        ("+", None),
        ("~", BASELINE_REASON),
    ]
    assert rows[-1].history_user is None
    party_rows = Ansvar.history.filter(tiltak_id=t.pk)
    assert party_rows.count() == t.ansvar.count() > 0
    assert all(p.history_date <= rows[-1].history_date for p in party_rows)
    baselines = Tiltak.history.filter(history_change_reason=BASELINE_REASON)
    assert baselines.count() == Tiltak.objects.count()


def test_a_second_load_adds_no_baselines_and_keeps_edited_history(buskerud, users):
    from tiltak.services import tiltak as tiltak_services
    from tiltak.services.history import BASELINE_REASON

    t = Tiltak.objects.get(program=buskerud, tema__nummer=3, nummer=11)
    tiltak_services.tiltak_update(
        actor=users["administrator"], tiltak=t, expected_versjon=t.versjon, virkemiddel="Ny"
    )
    before = Tiltak.history.count()
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)
    assert Tiltak.history.count() == before
    assert Tiltak.history.filter(id=t.pk, history_change_reason=BASELINE_REASON).count() == 1


def test_load_demo_adds_the_baseline_to_rows_loaded_before_there_were_baselines(buskerud, users):
    """A database loaded by an earlier version: no baselines. The next load adds them to the
    tiltak nobody has changed, and to no other."""
    from tiltak.services import tiltak as tiltak_services
    from tiltak.services.history import BASELINE_REASON

    Tiltak.history.filter(history_change_reason=BASELINE_REASON).delete()
    changed = Tiltak.objects.get(program=buskerud, tema__nummer=3, nummer=11)
    tiltak_services.tiltak_update(
        actor=users["administrator"],
        tiltak=changed,
        expected_versjon=changed.versjon,
        virkemiddel="Ny",
    )
    call_command("load_demo", verbosity=0)
    baselines = Tiltak.history.filter(history_change_reason=BASELINE_REASON)
    assert baselines.count() == Tiltak.objects.count() - 1
    assert not baselines.filter(id=changed.pk).exists()


def test_restoring_the_first_restore_point_keeps_every_party(buskerud, users):
    """Before: the only version older than a first edit was version 1, saved before the loader
    added the parties; restoring it removed all nine. Now the baseline is that restore point."""
    from tiltak.selectors.history import tiltak_history, tiltak_restore_preview
    from tiltak.services import tiltak as tiltak_services
    from tiltak.services.history import tiltak_restore

    admin = users["administrator"]
    t = Tiltak.objects.get(program=buskerud, tema__nummer=3, nummer=11)
    parties = set(t.ansvar.values_list("organisasjon_id", "rolle"))
    assert len(parties) == 9
    tiltak_services.tiltak_update(
        actor=admin, tiltak=t, expected_versjon=t.versjon, tittel="Endret tittel"
    )
    restorable = [e for e in tiltak_history(tiltak=t) if e.kind == "tiltak" and e.restorable]
    assert len(restorable) == 1  # the baseline; the load-time row before the parties is not
    point = restorable[0]
    preview = tiltak_restore_preview(tiltak=t, history_id=point.history_id)
    assert preview.is_baseline and preview.parties == [] and not preview.removes_every_party
    tiltak_restore(actor=admin, tiltak=t, history_id=point.history_id)
    t.refresh_from_db()
    assert t.tittel != "Endret tittel"
    assert set(t.ansvar.values_list("organisasjon_id", "rolle")) == parties
