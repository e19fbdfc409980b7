"""History of tiltak and programmes (who, when, which fields, old → new), restoring an earlier
version of a tiltak, and query budgets of the history pages."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from tests.budgets import assert_same_queries, count_queries
from tests.factories import (
    DelmaalFactory,
    HandlingsprogramFactory,
    OrganisasjonFactory,
    SatsingsomraadeFactory,
    TemaFactory,
    TiltakFactory,
)
from tiltak.models import (
    Ansvar,
    Handlingsprogram,
    ProgramStatus,
    Rolle,
    Tiltak,
    TiltakStatus,
    TiltakType,
)
from tiltak.selectors import history as selectors
from tiltak.services import ansvar as ansvar_services
from tiltak.services import structure
from tiltak.services import tiltak as tiltak_services
from tiltak.services.history import tiltak_restore
from tiltak.services.workflow import programme_transition

pytestmark = pytest.mark.django_db

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


@pytest.fixture(autouse=True)
def bokmaal():
    with translation.override("nb"):
        yield


@pytest.fixture
def tree(users):
    programme = HandlingsprogramFactory(eier=users["county"], status=ProgramStatus.UTKAST)
    tema = TemaFactory(program=programme, nummer=3, navn="Vertskapsattraktivitet")
    tema2 = TemaFactory(program=programme, nummer=4, navn="Kompetanse")
    delmaal = DelmaalFactory(tema=tema, nummer="3.1", navn="Øke tilfanget av talenter")
    satsing = SatsingsomraadeFactory(tema=tema, delmaal=delmaal, navn="Nøkkelkompetanse")
    usn = OrganisasjonFactory(navn="Universitetet i Sørøst-Norge", slug="usn")
    hallingdal = OrganisasjonFactory(navn="Regionrådet for Hallingdal", slug="hallingdal")
    planner = users["planner"]
    tiltak = tiltak_services.tiltak_create(
        actor=planner, satsingsomraade=satsing, tittel="Traineemodeller etableres", nummer=11
    )
    ansvar_services.ansvar_add(
        actor=planner, tiltak=tiltak, organisasjon=usn, rolle=Rolle.HOVEDANSVAR
    )
    return {
        "programme": programme,
        "tema": tema,
        "tema2": tema2,
        "delmaal": delmaal,
        "satsing": satsing,
        "tiltak": Tiltak.objects.get(pk=tiltak.pk),
        "usn": usn,
        "hallingdal": hallingdal,
    }


def _entry(entries, **match):
    found = [e for e in entries if all(getattr(e, k) == v for k, v in match.items())]
    assert len(found) == 1, (match, [(e.kind, e.action) for e in entries])
    return found[0]


def _changes(entry):
    return {c.name: (c.old, c.new) for c in entry.changes}


# --- The selector --------------------------------------------------------------------------


def test_tiltak_history_says_who_when_which_fields_old_and_new(users, tree):
    planner, admin = users["planner"], users["administrator"]
    t = tree["tiltak"]
    tiltak_services.tiltak_update(
        actor=admin,
        tiltak=t,
        expected_versjon=t.versjon,
        tittel="Traineeordninger i regionene",
        type=TiltakType.PROSJEKT,
        status=TiltakStatus.PAAGAAR,
    )
    tiltak_services.tiltak_move(actor=planner, tiltak=t, tema=tree["tema2"])

    entries = selectors.tiltak_history(tiltak=t)
    assert [e.action for e in entries] == ["changed", "changed", "party_added", "created"]

    edit = entries[1]
    assert edit.user == admin
    assert edit.user_name == admin.get_full_name()
    assert edit.user_organisation == "Testfylket fylkeskommune"
    assert _changes(edit) == {
        "tittel": ("Traineemodeller etableres", "Traineeordninger i regionene"),
        "type": ("", str(TiltakType.PROSJEKT.label)),  # the label, not the code
        "status": (str(TiltakStatus.FORESLAATT.label), str(TiltakStatus.PAAGAAR.label)),
    }
    labels = {c.name: c.label for c in edit.changes}
    assert labels["tittel"] == str(Tiltak._meta.get_field("tittel").verbose_name)
    assert "versjon" not in _changes(edit)

    move = entries[0]
    assert move.user == planner
    moved = _changes(move)
    # names of the theme, sub-goal and priority area, not their ids
    assert moved["tema"] == ("3 Vertskapsattraktivitet", "4 Kompetanse")
    assert moved["delmaal"] == ("3.1 Øke tilfanget av talenter", "")
    assert moved["satsingsomraade"] == ("Nøkkelkompetanse", "")
    assert moved["nummer"] == ("11", "1")

    created = entries[-1]
    assert created.user == planner and created.changes == []


def test_responsibility_changes_are_interleaved_in_time(users, tree):
    planner = users["planner"]
    t = tree["tiltak"]
    ansvar = ansvar_services.ansvar_add(
        actor=planner, tiltak=t, organisasjon=tree["hallingdal"], rolle=Rolle.SAMARBEIDSPART
    )
    tiltak_services.tiltak_update(
        actor=planner, tiltak=t, expected_versjon=t.versjon, beskrivelse="Ny"
    )
    ansvar_services.ansvar_update(actor=planner, ansvar=ansvar, rolle=Rolle.HOVEDANSVAR)
    ansvar_services.ansvar_remove(
        actor=planner, ansvar=Ansvar.objects.get(organisasjon=tree["usn"])
    )

    entries = selectors.tiltak_history(tiltak=t)
    assert [(e.kind, e.action) for e in entries] == [
        ("ansvar", "party_removed"),
        ("ansvar", "role_changed"),
        ("tiltak", "changed"),
        ("ansvar", "party_added"),
        ("ansvar", "party_added"),
        ("tiltak", "created"),
    ]
    removed, role, _edit, added = entries[:4]
    assert removed.party == "Universitetet i Sørøst-Norge"
    assert removed.role == str(Rolle.HOVEDANSVAR.label)
    assert added.party == "Regionrådet for Hallingdal"
    assert added.role == str(Rolle.SAMARBEIDSPART.label)
    assert _changes(role)["rolle"] == (
        str(Rolle.SAMARBEIDSPART.label),
        str(Rolle.HOVEDANSVAR.label),
    )
    assert all(e.user == planner for e in entries)


def test_programme_history_covers_the_whole_tree(users, tree):
    admin = users["administrator"]
    programme = tree["programme"]
    structure.tema_update(
        actor=admin, tema=tree["tema"], navn="Smarte regioner", ansvarlig=tree["usn"]
    )
    structure.delmaal_update(actor=admin, delmaal=tree["delmaal"], smarte_maal="Flere talenter")
    structure.satsingsomraade_update(
        actor=admin, satsingsomraade=tree["satsing"], prioritert_handling="Trainee"
    )
    programme_transition(actor=admin, programme=programme, to_status=ProgramStatus.PAA_HOERING)

    page = selectors.programme_history_page(programme=programme, page_number=1)
    entries = list(page.object_list)
    kinds = [e.kind for e in entries[:4]]
    assert kinds == ["programme", "satsingsomraade", "delmaal", "tema"]
    assert _changes(entries[0])["status"] == ("Utkast", "På høring")
    assert _changes(entries[3]) == {
        "navn": ("Vertskapsattraktivitet", "Smarte regioner"),
        "ansvarlig": ("", "Universitetet i Sørøst-Norge"),  # the name, not the id
    }
    assert {"tiltak", "ansvar"} <= {e.kind for e in entries}
    # the programme's own rows + 2 temaer, delmål, satsing, tiltak, ansvar + 3 edits
    assert page.paginator.count == Handlingsprogram.history.filter(id=programme.pk).count() + 9


def test_programme_history_lists_regional_plan_changes(users, tree):
    from tiltak.models import RegionalPlan

    programme = tree["programme"]
    plan = RegionalPlan.objects.create(navn="Regional plan for kunnskapssamfunnet")
    programme.planer.add(plan)
    entries = selectors.programme_history_page(programme=programme, page_number=1).object_list
    plan_change = [e for e in entries if "planer" in _changes(e)]
    assert plan_change and _changes(plan_change[0])["planer"] == (
        "",
        "Regional plan for kunnskapssamfunnet",
    )


# --- Restore -------------------------------------------------------------------------------


def _tiltak_row(t, versjon):
    return Tiltak.history.filter(id=t.pk, versjon=versjon).latest()


def test_restore_brings_back_fields_and_parties_and_is_itself_in_history(users, tree):
    planner = users["planner"]
    t = tiltak_services.tiltak_update(
        actor=planner, tiltak=tree["tiltak"], expected_versjon=1, virkemiddel="Nettverk"
    )
    # version 2: saved after USN was given the lead
    version = _tiltak_row(t, t.versjon)
    tiltak_services.tiltak_update(
        actor=planner,
        tiltak=t,
        expected_versjon=t.versjon,
        tittel="Ny tittel",
        type=TiltakType.FOU,
    )
    tiltak_services.tiltak_move(actor=planner, tiltak=t, tema=tree["tema2"])
    ansvar_services.ansvar_remove(actor=planner, ansvar=Ansvar.objects.get(tiltak=t))
    ansvar_services.ansvar_add(
        actor=planner, tiltak=t, organisasjon=tree["hallingdal"], rolle=Rolle.SAMARBEIDSPART
    )
    before_versjon = Tiltak.objects.get(pk=t.pk).versjon

    restored = tiltak_restore(actor=users["administrator"], tiltak=t, history_id=version.history_id)

    t.refresh_from_db()
    assert t.tittel == "Traineemodeller etableres"
    assert t.virkemiddel == "Nettverk"
    assert t.type == ""
    assert (t.tema_id, t.delmaal_id, t.satsingsomraade_id, t.nummer) == (
        tree["tema"].pk,
        tree["delmaal"].pk,
        tree["satsing"].pk,
        11,
    )
    assert t.versjon == before_versjon + 1 == restored.versjon
    assert [(a.organisasjon, a.rolle) for a in Ansvar.objects.filter(tiltak=t)] == [
        (tree["usn"], Rolle.HOVEDANSVAR)
    ]

    entries = selectors.tiltak_history(tiltak=t)
    newest = entries[0]
    assert newest.kind == "tiltak" and newest.user == users["administrator"]
    assert newest.reason.startswith(("Gjenopprettet versjon", "Restored the version of "))
    assert _changes(newest)["tittel"] == ("Ny tittel", "Traineemodeller etableres")
    party_entries = [e for e in entries[1:3] if e.kind == "ansvar"]
    assert {(e.action, e.party) for e in party_entries} == {
        ("party_removed", "Regionrådet for Hallingdal"),
        ("party_added", "Universitetet i Sørøst-Norge"),
    }
    assert all(e.reason == newest.reason for e in party_entries)


def test_restore_refusals_change_nothing(users, tree):
    t = tree["tiltak"]
    first = _tiltak_row(t, t.versjon)
    tiltak_services.tiltak_update(
        actor=users["planner"], tiltak=t, expected_versjon=t.versjon, tittel="Ny"
    )
    count = Tiltak.history.count()

    for role in ("other_planner", "member", "board"):
        with pytest.raises(PermissionDenied):
            tiltak_restore(actor=users[role], tiltak=t, history_id=first.history_id)
    other = TiltakFactory(tema=tree["tema"], program=tree["programme"])
    other_row = Tiltak.history.filter(id=other.pk).latest()
    count = Tiltak.history.count()
    with pytest.raises(ValidationError) as exc:
        tiltak_restore(actor=users["planner"], tiltak=t, history_id=other_row.history_id)
    assert "history_id" in exc.value.message_dict
    with pytest.raises(ValidationError):
        tiltak_restore(actor=users["planner"], tiltak=t, history_id=999999)

    # the old number is taken meanwhile
    tiltak_services.tiltak_move(actor=users["planner"], tiltak=t, tema=tree["tema2"])
    TiltakFactory(tema=tree["tema"], program=tree["programme"], nummer=11)
    count = Tiltak.history.count()
    with pytest.raises(ValidationError) as exc:
        tiltak_restore(actor=users["planner"], tiltak=t, history_id=first.history_id)
    assert "nummer" in exc.value.message_dict
    assert Tiltak.history.count() == count
    assert Tiltak.objects.get(pk=t.pk).tittel == "Ny"


def test_restore_is_refused_in_an_adopted_programme(users, tree):
    t = tree["tiltak"]
    first = _tiltak_row(t, t.versjon)
    tiltak_services.tiltak_update(
        actor=users["planner"], tiltak=t, expected_versjon=t.versjon, tittel="Ny"
    )
    programme = tree["programme"]
    programme_transition(actor=users["planner"], programme=programme, to_status="paa_hoering")
    programme_transition(actor=users["planner"], programme=programme, to_status="vedtatt")
    with pytest.raises(PermissionDenied):
        tiltak_restore(actor=users["planner"], tiltak=t, history_id=first.history_id)
    assert Tiltak.objects.get(pk=t.pk).tittel == "Ny"


# --- Pages ---------------------------------------------------------------------------------


def _history_url(t):
    return reverse("tiltak:tiltak_history", kwargs={"pk": t.pk})


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return " ".join(response.content.decode().split())


def test_history_page_shows_changes_in_norwegian(client_for, users, tree):
    t = tree["tiltak"]
    tiltak_services.tiltak_update(
        actor=users["planner"], tiltak=t, expected_versjon=t.versjon, type=TiltakType.FOU
    )
    edit = Tiltak.history.filter(id=t.pk).latest()
    earlier = datetime.datetime(2018, 10, 1, 12, 0, tzinfo=OSLO)
    Tiltak.history.filter(id=t.pk).update(history_date=earlier)
    Ansvar.history.filter(tiltak_id=t.pk).update(history_date=earlier)
    when = datetime.datetime(2018, 10, 23, 23, 59, tzinfo=OSLO)  # summer time: UTC+2
    Tiltak.history.filter(history_id=edit.history_id).update(history_date=when)

    page = _text(client_for("planner").get(_history_url(t)))
    assert "23. oktober 2018 kl. 23.59" in page
    assert "Kari Nordmann" in page and "(Testfylket fylkeskommune)" in page
    assert "<ins>FoU</ins>" in page  # the label of the type
    assert "Universitetet i Sørøst-Norge" in page
    created = Tiltak.history.filter(id=t.pk, history_type="+").get()
    restore_created = reverse(
        "tiltak:tiltak_restore", kwargs={"pk": t.pk, "history_id": created.history_id}
    )
    restore_current = reverse(
        "tiltak:tiltak_restore", kwargs={"pk": t.pk, "history_id": edit.history_id}
    )
    assert restore_created in page  # the earlier version can be restored
    assert restore_current not in page  # the current one not


def test_tiltak_page_links_to_its_history(client_for, tree):
    _set_public(tree)
    page = client_for("member").get(tree["tiltak"].get_absolute_url()).content.decode()
    assert _history_url(tree["tiltak"]) in page
    page = client_for("anonymous").get(tree["tiltak"].get_absolute_url()).content.decode()
    assert _history_url(tree["tiltak"]) not in page


def _set_public(tree):
    Handlingsprogram.objects.filter(pk=tree["programme"].pk).update(
        status=ProgramStatus.PAA_HOERING
    )


@pytest.mark.parametrize(
    ("role", "draft", "public"),
    [
        ("anonymous", 404, 302),
        ("administrator", 200, 200),
        ("planner", 200, 200),
        ("other_planner", 404, 200),
        ("member", 404, 200),
        ("other_member", 404, 200),
        ("board", 200, 200),
    ],
)
def test_history_pages_permission_matrix(client_for, tree, role, draft, public):
    client = client_for(role)
    urls = [
        _history_url(tree["tiltak"]),
        reverse("tiltak:programme_history", kwargs={"pk": tree["programme"].pk}),
    ]
    for url in urls:
        assert client.get(url).status_code == draft, url
    _set_public(tree)
    for url in urls:
        response = client.get(url)
        assert response.status_code == public, url
        if public == 302:
            assert "next=" in response.url


@pytest.mark.parametrize(
    ("role", "code"),
    [
        ("anonymous", 302),
        ("administrator", 200),
        ("planner", 200),
        ("other_planner", 403),
        ("member", 403),
        ("other_member", 403),
        ("board", 403),
    ],
)
def test_restore_view_permission_matrix(client_for, users, tree, role, code):
    _set_public(tree)
    t = tree["tiltak"]
    first = _tiltak_row(t, t.versjon)
    tiltak_services.tiltak_update(
        actor=users["planner"], tiltak=t, expected_versjon=t.versjon, tittel="Ny"
    )
    url = reverse("tiltak:tiltak_restore", kwargs={"pk": t.pk, "history_id": first.history_id})
    client = client_for(role)
    assert client.get(url).status_code == code
    # Version 1 was saved before its party was added: restoring it needs the second box.
    response = client.post(url, {"confirm": "1", "fjern_alle_parter": "1"})
    assert response.status_code == (302 if code in (200, 302) else code)
    expected = "Traineemodeller etableres" if code == 200 else "Ny"
    assert Tiltak.objects.get(pk=t.pk).tittel == expected


def test_restore_asks_for_confirmation_first(client_for, users, tree):
    t = tree["tiltak"]
    first = _tiltak_row(t, t.versjon)
    tiltak_services.tiltak_update(
        actor=users["planner"], tiltak=t, expected_versjon=t.versjon, tittel="Ny"
    )
    ansvar_services.ansvar_add(
        actor=users["planner"],
        tiltak=t,
        organisasjon=tree["hallingdal"],
        rolle=Rolle.SAMARBEIDSPART,
    )
    url = reverse("tiltak:tiltak_restore", kwargs={"pk": t.pk, "history_id": first.history_id})
    client = client_for("planner")

    # The button on the history page posts without "confirm": a preview, nothing changes.
    page = _text(client.post(url))
    assert "Ny" in page and "Traineemodeller etableres" in page
    assert "Regionrådet for Hallingdal" in page
    assert 'name="confirm"' in page
    assert Tiltak.objects.get(pk=t.pk).tittel == "Ny"

    # Version 1 has no parties: confirming once is not enough to remove both.
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 400
    assert 'name="fjern_alle_parter"' in response.content.decode()
    assert Tiltak.objects.get(pk=t.pk).tittel == "Ny"
    assert Ansvar.objects.filter(tiltak=t).count() == 2

    response = client.post(url, {"confirm": "1", "fjern_alle_parter": "1"})
    assert response.status_code == 302
    assert response.url == _history_url(t)
    assert Tiltak.objects.get(pk=t.pk).tittel == "Traineemodeller etableres"
    page = _text(client.get(response.url))
    assert "Gjenopprettet" in page or "Restored" in page

    missing = reverse("tiltak:tiltak_restore", kwargs={"pk": t.pk, "history_id": 999999})
    assert client.get(missing).status_code == 404


def test_refused_restore_in_the_browser_explains_and_changes_nothing(client_for, users, tree):
    t = tree["tiltak"]
    first = _tiltak_row(t, t.versjon)
    tiltak_services.tiltak_move(actor=users["planner"], tiltak=t, tema=tree["tema2"])
    TiltakFactory(tema=tree["tema"], program=tree["programme"], nummer=11)
    url = reverse("tiltak:tiltak_restore", kwargs={"pk": t.pk, "history_id": first.history_id})
    response = client_for("planner").post(url, {"confirm": "1"})
    assert response.status_code == 400
    assert "11" in response.content.decode()
    assert Tiltak.objects.get(pk=t.pk).tema_id == tree["tema2"].pk


# --- Query budgets -------------------------------------------------------------------------

# Session, user, the user menu's two model-permission lookups (for users the rules refuse), the
# tiltak; its history rows, its parties' rows; one lookup per related model a change or a party
# names (theme, sub-goal, priority area, organisation, measure).
TILTAK_HISTORY_BUDGET = 2 + 2 + 1 + 2 + 5


def _edit_tiltak(actor, t, rounds: int, tema):
    """`rounds` title edits and as many new parties, then a move to `tema`: two history rows
    per round, naming organisations and a theme."""
    for n in range(rounds):
        t = tiltak_services.tiltak_update(
            actor=actor, tiltak=t, expected_versjon=t.versjon, tittel=f"Tittel {n}"
        )
        org = OrganisasjonFactory()
        ansvar_services.ansvar_add(
            actor=actor, tiltak=t, organisasjon=org, rolle=Rolle.SAMARBEIDSPART
        )
    return tiltak_services.tiltak_move(actor=actor, tiltak=t, tema=tema)


def test_tiltak_history_budget_is_the_same_for_ten_times_the_history(client_for, users, tree):
    client = client_for("planner")
    t = _edit_tiltak(users["planner"], tree["tiltak"], 1, tree["tema2"])
    url = _history_url(t)
    small, small_rows = count_queries(client, url), len(client.get(url).context["entries"])
    t = _edit_tiltak(users["planner"], Tiltak.objects.get(pk=t.pk), 25, tree["tema"])
    large, large_rows = count_queries(client, url), len(client.get(url).context["entries"])
    page = _text(client.get(url))
    assert "Tittel 24" in page and "3 Vertskapsattraktivitet" in page
    assert_same_queries(small, large, ceiling=TILTAK_HISTORY_BUDGET, sizes=(small_rows, large_rows))


def test_tiltak_history_budget_with_demo_history(client_for, users, demo_data):
    """A demo tiltak (its history from loading: itself and nine parties, no user) with one
    round of edits, against the same tiltak with ten times the history rows. Both pages name
    the same kinds of things (users, organisations, a theme), so only the number of rows grows."""
    buskerud = Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)
    admin = users["administrator"]
    t = Tiltak.objects.get(program=buskerud, tema__nummer=3, nummer=11)
    t = _edit_tiltak(admin, t, 1, buskerud.temaer.last())
    client = client_for("administrator")
    url = _history_url(t)
    small, small_rows = count_queries(client, url), len(client.get(url).context["entries"])
    _edit_tiltak(admin, Tiltak.objects.get(pk=t.pk), 5 * small_rows, buskerud.temaer.first())
    large, large_rows = count_queries(client, url), len(client.get(url).context["entries"])
    page = _text(client.get(url))
    assert "Kari Nordmann" in page and "System (datainnlasting)" in page
    assert_same_queries(small, large, ceiling=TILTAK_HISTORY_BUDGET, sizes=(small_rows, large_rows))


def _edit_everything(actor, tree, rounds: int):
    """`rounds` rounds of changes to every kind of object in the programme's log: the
    programme, a tema, a delmål, a satsingsområde, the tiltak and its parties."""
    programme = tree["programme"]
    for n in range(rounds):
        structure.tema_update(actor=actor, tema=tree["tema"], navn=f"Vertskapsattraktivitet {n}")
        structure.delmaal_update(actor=actor, delmaal=tree["delmaal"], navn=f"Øke tilfanget {n}")
        structure.satsingsomraade_update(
            actor=actor, satsingsomraade=tree["satsing"], navn=f"Nøkkel {n}"
        )
        t = Tiltak.objects.get(pk=tree["tiltak"].pk)
        tiltak_services.tiltak_update(
            actor=actor, tiltak=t, expected_versjon=t.versjon, tittel=f"Tittel {n}"
        )
        ansvar_services.ansvar_add(
            actor=actor, tiltak=t, organisasjon=OrganisasjonFactory(), rolle=Rolle.SAMARBEIDSPART
        )
        programme.refresh_from_db()
        back = programme.status == ProgramStatus.PAA_HOERING
        to_status = ProgramStatus.UTKAST if back else ProgramStatus.PAA_HOERING
        programme_transition(
            actor=actor, programme=programme, to_status=to_status, reason=f"Runde {n}"
        )


# Session, user, the user menu's two model-permission lookups, programme; count and keys of the
# page; per kind of object on the page (6) its rows and their previous versions; regional
# plans; one lookup per related model (organisation, theme, sub-goal, priority area, measure,
# programme).
PROGRAMME_LOG_BUDGET = 2 + 2 + 1 + 2 + 6 * 2 + 1 + 6


def test_programme_log_budget_is_the_same_for_ten_times_the_history(client_for, users, tree):
    admin = users["administrator"]
    client = client_for("administrator")
    url = reverse("tiltak:programme_history", kwargs={"pk": tree["programme"].pk})
    pages = {"first": url, "second": url + "?side=2", "past the end": url + "?side=9999"}

    def measure():
        queries = {name: count_queries(client, page) for name, page in pages.items()}
        page = client.get(url).context["page"]
        return queries, page.paginator.count, len(page.object_list)

    _edit_everything(admin, tree, 1)
    small, small_total, small_rows = measure()
    _edit_everything(admin, tree, 20)
    large, large_total, large_rows = measure()
    # Every kind of object is on the small page; the large one has a full page (50 rows) of
    # more than ten times the history.
    assert (small_rows, large_rows) == (small_total, 50)
    assert_same_queries(
        small, large, ceiling=PROGRAMME_LOG_BUDGET, sizes=(small_total, large_total)
    )
    page = _text(client.get(url))
    assert "Side 1 av" in page
    assert "Tittel 19" in page  # the latest edit is on the first page


# --- Issue 7.4: what a restore does to the parties, said plainly ------------------------------


def _english(client):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_restore_preview_says_which_parties_it_removes_and_adds(users, tree):
    planner = users["planner"]
    t = tree["tiltak"]
    tiltak_services.tiltak_update(actor=planner, tiltak=t, expected_versjon=1, tittel="Ny")
    ansvar_services.ansvar_add(
        actor=planner, tiltak=t, organisasjon=tree["hallingdal"], rolle=Rolle.SAMARBEIDSPART
    )
    before_hallingdal = _tiltak_row(t, 2)
    Ansvar.objects.get(tiltak=t, organisasjon=tree["usn"]).delete()
    with translation.override("en"):
        preview = selectors.tiltak_restore_preview(
            tiltak=t, history_id=before_hallingdal.history_id
        )
    assert [(p.party, p.action) for p in preview.removed] == [
        ("Regionrådet for Hallingdal", "removed")
    ]
    assert [(p.party, p.action) for p in preview.added] == [
        ("Universitetet i Sørøst-Norge", "added")
    ]
    assert not preview.removes_every_party
    assert preview.removed_text == "Regionrådet for Hallingdal (collaborator)"


def test_restore_page_names_the_parties_it_removes(client_for, users, tree):
    planner = users["planner"]
    t = tree["tiltak"]
    first = _tiltak_row(t, 1)  # saved before its party was added
    tiltak_services.tiltak_update(actor=planner, tiltak=t, expected_versjon=1, tittel="Ny")
    ansvar_services.ansvar_add(
        actor=planner, tiltak=t, organisasjon=tree["hallingdal"], rolle=Rolle.SAMARBEIDSPART
    )
    url = reverse("tiltak:tiltak_restore", kwargs={"pk": t.pk, "history_id": first.history_id})
    page = _text(_english(client_for("planner")).get(url))
    assert (
        "Restoring removes 2 parties: Universitetet i Sørøst-Norge (lead responsibility), "
        "Regionrådet for Hallingdal (collaborator)." in page
    )
    assert "This version has no parties" in page
    assert "Yes, remove all parties of the measure (2)" in page


def test_restore_that_removes_every_party_needs_the_extra_confirmation(users, tree):
    planner = users["planner"]
    t = tree["tiltak"]
    first = _tiltak_row(t, 1)
    tiltak_services.tiltak_update(actor=planner, tiltak=t, expected_versjon=1, tittel="Ny")
    with pytest.raises(ValidationError) as refused:
        tiltak_restore(actor=planner, tiltak=t, history_id=first.history_id)
    assert set(refused.value.message_dict) == {"remove_every_party"}
    t.refresh_from_db()
    assert (t.tittel, t.versjon, Ansvar.objects.filter(tiltak=t).count()) == ("Ny", 2, 1)

    tiltak_restore(actor=planner, tiltak=t, history_id=first.history_id, remove_every_party=True)
    t.refresh_from_db()
    assert t.tittel == "Traineemodeller etableres"
    assert not Ansvar.objects.filter(tiltak=t).exists()


def test_restoring_the_first_version_of_a_rolled_tiltak_keeps_its_parties(users, tree):
    """Rolling copies a tiltak, then its parties: its first history row must still hold them."""
    from tiltak.services.rolling import programme_roll

    planner = users["planner"]
    new = programme_roll(actor=planner, programme=tree["programme"], start_aar=2021, slutt_aar=2022)
    copy = Tiltak.objects.get(program=new, forgjenger=tree["tiltak"])
    assert Ansvar.objects.filter(tiltak=copy).count() == 1
    first = _tiltak_row(copy, 1)
    copy = tiltak_services.tiltak_update(
        actor=planner, tiltak=copy, expected_versjon=1, tittel="Endret etter rullering"
    )
    preview = selectors.tiltak_restore_preview(tiltak=copy, history_id=first.history_id)
    assert preview.parties == [] and not preview.removes_every_party
    tiltak_restore(actor=planner, tiltak=copy, history_id=first.history_id)
    assert Ansvar.objects.filter(tiltak=copy).count() == 1
    assert Tiltak.objects.get(pk=copy.pk).tittel == "Traineemodeller etableres"
