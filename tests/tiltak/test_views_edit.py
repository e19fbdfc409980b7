"""Editing the programme tree in the browser: who may open and post each page, what bad input
and a concurrent save do, HTMX fragments, the organisation picker's endpoints and the query
budgets of the editing pages."""

import json

import pytest
from django.conf import settings
from django.urls import reverse

from partnerskap.models import BrukerRolle, Organisasjon, OrganisasjonAlias
from tests.budgets import assert_same_queries, count_queries
from tests.factories import (
    AnsvarFactory,
    BrukerFactory,
    DelmaalFactory,
    HandlingsprogramFactory,
    OrganisasjonFactory,
    SatsingsomraadeFactory,
    TemaFactory,
)
from tiltak.models import Ansvar, Handlingsprogram, ProgramStatus, Rolle, Tema, Tiltak
from tiltak.services import tiltak as tiltak_services

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def programme(users):
    # On hearing: every role may read it, so refusals are 403 rather than 404.
    return HandlingsprogramFactory(eier=users["county"], status=ProgramStatus.PAA_HOERING)


@pytest.fixture
def tree(programme, users):
    tema = TemaFactory(program=programme, nummer=1, navn="Vertskap")
    delmaal = DelmaalFactory(tema=tema, nummer="1.1")
    satsing = SatsingsomraadeFactory(delmaal=delmaal)
    tiltak = tiltak_services.tiltak_create(
        actor=users["planner"], satsingsomraade=satsing, tittel="Traineeordning"
    )
    ansvar = AnsvarFactory(tiltak=tiltak, rolle=Rolle.HOVEDANSVAR)
    return {
        "tema": tema,
        "delmaal": delmaal,
        "satsing": satsing,
        "tiltak": tiltak,
        "ansvar": ansvar,
    }


def page_urls(programme, tree) -> dict[str, str]:
    t = tree["tiltak"]
    return {
        "programme_edit": reverse("tiltak:programme_edit", args=[programme.pk]),
        "tema_create": reverse("tiltak:tema_create", args=[programme.pk]),
        "tiltak_create": reverse("tiltak:tiltak_create", args=[programme.pk]),
        "tema_update": reverse("tiltak:tema_update", args=[tree["tema"].pk]),
        "tema_delete": reverse("tiltak:tema_delete", args=[tree["tema"].pk]),
        "delmaal_create": reverse("tiltak:delmaal_create", args=[tree["tema"].pk]),
        "satsingsomraade_create": reverse("tiltak:satsingsomraade_create", args=[tree["tema"].pk]),
        "tiltak_renumber": reverse("tiltak:tiltak_renumber", args=[tree["tema"].pk]),
        "delmaal_update": reverse("tiltak:delmaal_update", args=[tree["delmaal"].pk]),
        "delmaal_delete": reverse("tiltak:delmaal_delete", args=[tree["delmaal"].pk]),
        "satsingsomraade_update": reverse(
            "tiltak:satsingsomraade_update", args=[tree["satsing"].pk]
        ),
        "satsingsomraade_delete": reverse(
            "tiltak:satsingsomraade_delete", args=[tree["satsing"].pk]
        ),
        "tiltak_edit": reverse("tiltak:tiltak_edit", args=[t.pk]),
        "tiltak_move": reverse("tiltak:tiltak_move", args=[t.pk]),
        "tiltak_delete": reverse("tiltak:tiltak_delete", args=[t.pk]),
    }


PAGES = [
    "programme_edit",
    "tema_create",
    "tiltak_create",
    "tema_update",
    "tema_delete",
    "delmaal_create",
    "satsingsomraade_create",
    "tiltak_renumber",
    "delmaal_update",
    "delmaal_delete",
    "satsingsomraade_update",
    "satsingsomraade_delete",
    "tiltak_edit",
    "tiltak_move",
    "tiltak_delete",
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("planner", 200),
        ("administrator", 200),
        ("other_planner", 403),
        ("member", 403),
        ("other_member", 403),
        ("board", 403),
        ("anonymous", 302),
    ],
)
def test_permission_matrix_of_the_editing_pages(client_for, programme, tree, page, role, expected):
    url = page_urls(programme, tree)[page]
    response = client_for(role).get(url)
    assert response.status_code == expected, (page, role, response.status_code)
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
        assert "next=" in response["Location"]


@pytest.mark.parametrize("role", ["other_planner", "member", "board"])
def test_refused_posts_change_nothing(client_for, programme, tree, role):
    t = tree["tiltak"]
    client = client_for(role)
    urls = page_urls(programme, tree)
    assert (
        client.post(urls["tiltak_edit"], {"versjon": 1, "tittel": "Hacket", "status": "planlagt"})
    ).status_code == 403
    assert client.post(urls["tema_create"], {"navn": "Inntrenger"}).status_code == 403
    assert client.post(urls["tiltak_delete"], {"versjon": 1, "grunn": "Nei"}).status_code == 403
    assert (
        client.post(
            reverse("tiltak:ansvar_add", args=[t.pk]),
            {"organisasjon": tree["ansvar"].organisasjon_id, "rolle": "samarbeidspart"},
        ).status_code
        == 403
    )
    assert client.post(reverse("tiltak:ansvar_remove", args=[tree["ansvar"].pk])).status_code == 403
    t.refresh_from_db()
    assert (t.tittel, t.versjon) == ("Traineeordning", 1)
    assert Tema.objects.filter(program=programme).count() == 1
    assert Ansvar.objects.filter(tiltak=t).count() == 1


def test_draft_programme_is_404_for_those_who_may_not_see_it(client_for, users, tree):
    draft = HandlingsprogramFactory(eier=users["county"], status=ProgramStatus.UTKAST)
    url = reverse("tiltak:programme_edit", args=[draft.pk])
    assert client_for("other_planner").get(url).status_code == 404
    assert client_for("member").get(url).status_code == 404
    assert client_for("planner").get(url).status_code == 200


def test_programme_edit_page_shows_the_tree_with_controls(client_for, programme, tree):
    response = client_for("planner").get(reverse("tiltak:programme_edit", args=[programme.pk]))
    page = response.content.decode()
    t = tree["tiltak"]
    for url in (
        reverse("tiltak:tema_update", args=[tree["tema"].pk]),
        reverse("tiltak:delmaal_update", args=[tree["delmaal"].pk]),
        reverse("tiltak:satsingsomraade_update", args=[tree["satsing"].pk]),
        reverse("tiltak:tiltak_edit", args=[t.pk]),
        reverse("tiltak:tiltak_quick_edit", args=[t.pk]),
        reverse("tiltak:tiltak_delete", args=[t.pk]),
        reverse("tiltak:tiltak_renumber", args=[tree["tema"].pk]),
    ):
        assert url in page
    assert "Traineeordning" in page
    # The programme and tiltak pages link here for those who may edit.
    detail = client_for("planner").get(programme.get_absolute_url()).content.decode()
    assert reverse("tiltak:programme_edit", args=[programme.pk]) in detail
    tiltak_page = client_for("planner").get(t.get_absolute_url()).content.decode()
    assert reverse("tiltak:tiltak_edit", args=[t.pk]) in tiltak_page
    other = client_for("member").get(t.get_absolute_url()).content.decode()
    assert reverse("tiltak:tiltak_edit", args=[t.pk]) not in other


# --- Structure forms ----------------------------------------------------------------------


def test_structure_create_update_delete_move_through_the_pages(client_for, programme, tree):
    client = client_for("planner")
    urls = page_urls(programme, tree)
    response = client.post(urls["tema_create"], {"navn": "Kompetanse", "etikett": "SMART"})
    assert response.status_code == 302
    new = Tema.objects.get(program=programme, navn="Kompetanse")
    assert new.nummer == 2
    assert (
        client.post(urls["delmaal_create"], {"navn": "Nytt delmål", "nummer": "1.2"}).status_code
        == 302
    )
    response = client.post(
        urls["satsingsomraade_create"] + f"?delmaal={tree['delmaal'].pk}", {"navn": "Ny satsing"}
    )
    assert response.status_code == 302
    assert tree["delmaal"].satsingsomraader.filter(navn="Ny satsing").exists()
    assert (
        client.post(reverse("tiltak:tema_move", args=[new.pk]), {"retning": "opp"}).status_code
        == 302
    )
    new.refresh_from_db()
    assert new.nummer == 1
    assert client.post(reverse("tiltak:tema_delete", args=[new.pk])).status_code == 302
    assert not Tema.objects.filter(pk=new.pk).exists()
    # A tema with tiltak is refused, with the reason on the page.
    response = client.post(urls["tema_delete"])
    assert response.status_code == 409
    assert Tema.objects.filter(pk=tree["tema"].pk).exists()


def test_bad_structure_post_gives_field_errors_and_changes_nothing(client_for, programme, tree):
    client = client_for("planner")
    urls = page_urls(programme, tree)
    response = client.post(urls["tema_update"], {"navn": "", "etikett": "x"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["navn"]
    assert errors["navn"][0].startswith(str(response.context["form"].fields["navn"].label))
    page = response.content.decode()
    assert "ds-error-summary" in page and 'href="#id_navn"' in page
    tree["tema"].refresh_from_db()
    assert tree["tema"].navn == "Vertskap"
    response = client.post(urls["delmaal_update"], {"navn": "Annet", "nummer": "1.1"})
    assert response.status_code == 302
    DelmaalFactory(tema=tree["tema"], nummer="1.5")
    response = client.post(urls["delmaal_update"], {"navn": "Annet", "nummer": "1.5"})
    assert response.status_code == 400 and "nummer" in response.context["form"].errors


def test_unknown_move_direction_is_404_not_500(client_for, tree):
    url = reverse("tiltak:tema_move", args=[tree["tema"].pk])
    assert client_for("planner").post(url, {"retning": "sidelengs"}).status_code == 404
    assert client_for("planner").get(url).status_code == 405


# --- Tiltak edit and concurrency ------------------------------------------------------------


def tiltak_post(t, **changes):
    data = {
        "versjon": t.versjon,
        "tittel": t.tittel,
        "beskrivelse": t.beskrivelse,
        "virkemiddel": t.virkemiddel,
        "type": t.type,
        "status": t.status,
        "start_aar": t.start_aar or "",
        "slutt_aar": t.slutt_aar or "",
        "finansiering": t.finansiering,
        "forventet_resultat": t.forventet_resultat,
        "hovedansvar_tekst": t.hovedansvar_tekst,
        "samarbeidsparter_tekst": t.samarbeidsparter_tekst,
        "merknader": t.merknader,
        "endringsgrunn": "",
    }
    data.update(changes)
    return data


def test_tiltak_edit_saves_and_shows_on_the_tiltak_page(client_for, users, tree):
    t = tree["tiltak"]
    client = client_for("planner")
    url = reverse("tiltak:tiltak_edit", args=[t.pk])
    page = client.get(url).content.decode()
    assert 'name="versjon" value="1"' in page
    response = client.post(
        url, tiltak_post(t, tittel="Traineeordning i regionene", endringsgrunn="Presisert")
    )
    assert response.status_code == 302 and response["Location"] == t.get_absolute_url()
    t.refresh_from_db()
    assert (t.tittel, t.versjon) == ("Traineeordning i regionene", 2)
    row = Tiltak.history.filter(id=t.pk).first()
    assert (row.history_user, row.history_change_reason) == (users["planner"], "Presisert")
    assert "Traineeordning i regionene" in client.get(t.get_absolute_url()).content.decode()


def test_saving_the_full_form_says_saved(client_for, tree):
    """Issue 7: after the full edit form the tiltak page says «Tiltaket er lagret.» (a status
    message, success colour); an unsaved form says nothing of the kind."""
    t = tree["tiltak"]
    client = client_for("planner")
    url = reverse("tiltak:tiltak_edit", args=[t.pk])
    response = client.post(url, tiltak_post(t, tittel="Lagret tittel"), follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [(t.get_absolute_url(), 302)]
    assert 'data-color="success" role="status"' in page
    assert "Tiltaket er lagret." in page
    # Shown once: the next page load has no message.
    assert "Tiltaket er lagret." not in client.get(t.get_absolute_url()).content.decode()


def test_bad_tiltak_post_gives_field_errors_and_changes_nothing(client_for, tree):
    t = tree["tiltak"]
    url = reverse("tiltak:tiltak_edit", args=[t.pk])
    response = client_for("planner").post(
        url, tiltak_post(t, tittel="", start_aar="2030", slutt_aar="2020", status="tull")
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"tittel", "slutt_aar", "status"}
    page = response.content.decode()
    assert 'href="#id_tittel"' in page and 'href="#id_slutt_aar"' in page
    assert 'aria-invalid="true"' in page
    t.refresh_from_db()
    assert (t.tittel, t.versjon) == ("Traineeordning", 1)
    # No version at all is a form error too, not a 500.
    data = tiltak_post(t)
    del data["versjon"]
    assert client_for("planner").post(url, data).status_code == 400


def test_second_save_is_refused_showing_the_other_change_and_keeping_the_input(
    client_for, users, tree
):
    t = tree["tiltak"]
    url = reverse("tiltak:tiltak_edit", args=[t.pk])
    first, second = client_for("administrator"), client_for("planner")
    # Both loaded version 1. The administrator saves a new title and instrument first.
    response = first.post(url, tiltak_post(t, tittel="Adminens tittel", virkemiddel="Penger"))
    assert response.status_code == 302
    # The planner changed the description and, differently, the instrument.
    response = second.post(
        url, tiltak_post(t, beskrivelse="Planleggerens beskrivelse", virkemiddel="Nettverk")
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert sorted(response.context["conflict"].changed_fields) == ["tittel", "virkemiddel"]
    rows = {row["field"]: row for row in response.context["conflict_rows"]}
    assert rows["tittel"]["theirs"] == "Adminens tittel" and rows["tittel"]["adopted"]
    assert rows["virkemiddel"]["theirs"] == "Penger" and rows["virkemiddel"]["yours"] == "Nettverk"
    assert not rows["virkemiddel"]["adopted"]
    assert 'role="alert"' in page and "Adminens tittel" in page
    # Nothing was saved and nothing typed is lost: the form holds the planner's values, the
    # field the planner had not touched holds the administrator's, the version is the new one.
    t.refresh_from_db()
    assert (t.tittel, t.beskrivelse, t.virkemiddel, t.versjon) == (
        "Adminens tittel",
        "",
        "Penger",
        2,
    )
    form = response.context["form"]
    assert form["beskrivelse"].value() == "Planleggerens beskrivelse"
    assert form["virkemiddel"].value() == "Nettverk"
    assert form["tittel"].value() == "Adminens tittel"
    assert 'name="versjon" value="2"' in page
    # Saving again puts the planner's values on top without undoing the new title.
    data = {name: form[name].value() or "" for name in form.fields}
    assert second.post(url, data).status_code == 302
    t.refresh_from_db()
    assert (t.tittel, t.beskrivelse, t.virkemiddel, t.versjon) == (
        "Adminens tittel",
        "Planleggerens beskrivelse",
        "Nettverk",
        3,
    )


def test_adopted_programme_allows_status_only(client_for, programme, tree):
    programme.status = ProgramStatus.VEDTATT
    programme.save()
    t = Tiltak.objects.get(pk=tree["tiltak"].pk)
    client = client_for("planner")
    edit_page = client.get(reverse("tiltak:programme_edit", args=[programme.pk]))
    assert edit_page.status_code == 200
    assert reverse("tiltak:tema_update", args=[tree["tema"].pk]) not in edit_page.content.decode()
    assert client.get(reverse("tiltak:tema_create", args=[programme.pk])).status_code == 403
    url = reverse("tiltak:tiltak_edit", args=[t.pk])
    page = client.get(url).content.decode()
    assert "disabled" in page
    response = client.post(url, tiltak_post(t, tittel="Forsøk", status="paagaar"))
    assert response.status_code == 302
    t.refresh_from_db()
    assert (t.tittel, t.status) == ("Traineeordning", "paagaar")


# --- Inline edit with HTMX ----------------------------------------------------------------


def test_quick_edit_swaps_the_row(client_for, tree):
    t = tree["tiltak"]
    client = client_for("planner")
    url = reverse("tiltak:tiltak_quick_edit", args=[t.pk])
    # Without htmx the link leads to the full form.
    assert client.get(url)["Location"] == reverse("tiltak:tiltak_edit", args=[t.pk])
    fragment = client.get(url, **HTMX).content.decode()
    assert fragment.lstrip().startswith(f'<tr id="tiltak-{t.pk}"')
    assert f'id="id_t{t.pk}_tittel"' in fragment and "autofocus" in fragment
    response = client.post(
        url, {"versjon": 1, "tittel": "Kort tittel", "status": "planlagt"}, **HTMX
    )
    assert response.status_code == 200
    assert "Kort tittel" in response.content.decode() and "<form" not in response.content.decode()
    t.refresh_from_db()
    assert (t.tittel, t.status, t.versjon) == ("Kort tittel", "planlagt", 2)
    # A stale version gives the form row back with the conflict, nothing saved.
    response = client.post(url, {"versjon": 1, "tittel": "Gammel", "status": "utsatt"}, **HTMX)
    fragment = response.content.decode()
    assert "<form" in fragment and "Kort tittel" in fragment and 'value="2"' in fragment
    t.refresh_from_db()
    assert (t.tittel, t.versjon) == ("Kort tittel", 2)
    # Blank title: the field error in the row.
    response = client.post(url, {"versjon": 2, "tittel": "", "status": "utsatt"}, **HTMX)
    assert "ds-validation-message" in response.content.decode()
    # Without htmx a POST saves and goes back to the tree.
    response = client.post(url, {"versjon": 2, "tittel": "Uten JS", "status": "utsatt"})
    assert response.status_code == 302
    assert Tiltak.objects.get(pk=t.pk).tittel == "Uten JS"


# --- Parties ------------------------------------------------------------------------------


def test_add_and_remove_parties_with_and_without_htmx(client_for, users, tree):
    t = tree["tiltak"]
    client = client_for("planner")
    url = reverse("tiltak:ansvar_add", args=[t.pk])
    usn = OrganisasjonFactory(navn="Universitetet i Sørøst-Norge", forkortelse="USN")
    response = client.post(url, {"organisasjon": usn.pk, "rolle": "samarbeidspart"}, **HTMX)
    assert response.status_code == 200
    fragment = response.content.decode()
    assert 'id="parter"' in fragment
    assert '<span class="portal-party-list__name">Universitetet i Sørøst-Norge</span>' in fragment
    assert 'hx-swap-oob="innerHTML:#parter-status"' in fragment
    added = Ansvar.objects.get(tiltak=t, organisasjon=usn)
    assert added.rolle == Rolle.SAMARBEIDSPART
    # The same again is refused on the field.
    response = client.post(url, {"organisasjon": usn.pk, "rolle": "samarbeidspart"}, **HTMX)
    assert response.status_code == 400 and "ds-error-summary" in response.content.decode()
    # Without JavaScript: a new organisation by name, then a redirect back.
    response = client.post(
        url, {"ny_organisasjon": "Hallingdal Næringshage", "rolle": "hovedansvar"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#parter")
    created = Organisasjon.objects.get(navn="Hallingdal Næringshage")
    assert Ansvar.objects.filter(tiltak=t, organisasjon=created, rolle="hovedansvar").exists()
    # Nothing chosen: an error naming the field, nothing added.
    count = Ansvar.objects.filter(tiltak=t).count()
    response = client.post(url, {"rolle": "hovedansvar"})
    assert response.status_code == 400 and "organisasjon" in response.context["ansvar_form"].errors
    assert Ansvar.objects.filter(tiltak=t).count() == count
    # Remove.
    response = client.post(reverse("tiltak:ansvar_remove", args=[added.pk]), **HTMX)
    listed = '<span class="portal-party-list__name">Universitetet i Sørøst-Norge</span>'
    assert response.status_code == 200 and listed not in response.content.decode()
    assert not Ansvar.objects.filter(pk=added.pk).exists()


def test_members_cannot_create_organisations_from_the_form(client_for, programme, tree):
    # A member has no edit rights at all; the create field is not even offered.
    response = client_for("member").post(
        reverse("tiltak:ansvar_add", args=[tree["tiltak"].pk]),
        {"ny_organisasjon": "Ny", "rolle": "hovedansvar"},
    )
    assert response.status_code == 403
    assert not Organisasjon.objects.filter(navn="Ny").exists()


def test_org_search_finds_name_abbreviation_and_alias_case_insensitively(client_for, users):
    hallingdal = OrganisasjonFactory(navn="Regionrådet for Hallingdal", forkortelse="RHD")
    OrganisasjonAlias.objects.create(organisasjon=hallingdal, navn="Hallingdal regionråd")
    usn = OrganisasjonFactory(navn="Universitetet i Sørøst-Norge", forkortelse="USN")
    client = client_for("planner")
    url = reverse("tiltak:organisasjon_search")

    def ids(q):
        return [r["id"] for r in client.get(url, {"q": q}).json()["results"]]

    assert ids("usn") == [usn.pk]
    assert ids("SØRØST") == [usn.pk]
    assert ids("REGIONRÅDET") == [hallingdal.pk]
    assert ids("rhd") == [hallingdal.pk]
    assert ids("regionråd") == [hallingdal.pk]
    data = client.get(url, {"q": "Hallingdal regionråd"}).json()
    assert data["results"][0]["alias"] == "Hallingdal regionråd"
    assert data["can_create"] is False  # exact match
    assert client.get(url, {"q": "Finnes ikke AS"}).json() == {"results": [], "can_create": True}
    assert client.get(url, {"q": ""}).json()["results"] == []
    assert client_for("member").get(url, {"q": "x"}).json()["can_create"] is False
    assert client_for("anonymous").get(url, {"q": "usn"}).status_code == 302


def test_org_search_is_limited_to_twenty(client_for, users):
    for i in range(25):
        OrganisasjonFactory(navn=f"Kommune nummer {i:02d}")
    results = (
        client_for("planner")
        .get(reverse("tiltak:organisasjon_search"), {"q": "kommune nummer"})
        .json()["results"]
    )
    assert len(results) == 20


def test_org_create_from_the_picker(client_for, users):
    url = reverse("tiltak:organisasjon_create_json")
    response = client_for("planner").post(url, {"navn": "  Numedal   Næringshage "})
    assert response.status_code == 201
    body = json.loads(response.content)
    assert Organisasjon.objects.get(pk=body["id"]).navn == "Numedal Næringshage"
    again = client_for("planner").post(url, {"navn": "numedal næringshage"})
    assert again.status_code == 400 and again.json()["error"]
    assert client_for("planner").post(url, {"navn": ""}).status_code == 400
    assert client_for("member").post(url, {"navn": "Medlemmets org"}).status_code == 403
    assert not Organisasjon.objects.filter(navn="Medlemmets org").exists()


# --- Delete, move, renumber ----------------------------------------------------------------


def test_delete_needs_a_reason_and_keeps_a_tiltak_with_history(client_for, tree):
    t = tree["tiltak"]
    client = client_for("planner")
    url = reverse("tiltak:tiltak_delete", args=[t.pk])
    response = client.post(url, {"versjon": 1, "grunn": ""})
    assert response.status_code == 400 and "grunn" in response.context["form"].errors
    assert Tiltak.objects.filter(pk=t.pk).exists()
    client.post(
        reverse("tiltak:tiltak_edit", args=[t.pk]), tiltak_post(t, beskrivelse="Endret en gang")
    )
    assert response.context["kept"] is False  # no history beyond creation yet
    assert client.get(url).context["kept"] is True
    response = client.post(url, {"versjon": 2, "grunn": "Slått sammen med 1.2"})
    assert response.status_code == 302
    kept = Tiltak.alle.get(pk=t.pk)
    assert kept.slettet is not None and kept.slettet_grunn == "Slått sammen med 1.2"


def test_move_and_renumber_pages(client_for, users, programme, tree):
    client = client_for("planner")
    t = tree["tiltak"]
    other = TemaFactory(program=programme, nummer=2)
    response = client.post(
        reverse("tiltak:tiltak_move", args=[t.pk]), {"versjon": 1, "plassering": f"tema:{other.pk}"}
    )
    assert response.status_code == 302
    t.refresh_from_db()
    assert (t.tema_id, t.delmaal_id, t.nummer) == (other.pk, None, 1)
    response = client.post(
        reverse("tiltak:tiltak_move", args=[t.pk]), {"versjon": 2, "plassering": "tema:999999"}
    )
    assert response.status_code == 400
    a = tiltak_services.tiltak_create(actor=users["planner"], tema=other, tittel="B")
    url = reverse("tiltak:tiltak_renumber", args=[other.pk])
    response = client.post(url, {f"nr_{t.pk}": 2, f"nr_{a.pk}": 2})
    assert response.status_code == 400
    response = client.post(url, {f"nr_{t.pk}": 5, f"nr_{a.pk}": 1})
    assert response.status_code == 302
    assert dict(Tiltak.objects.filter(tema=other).values_list("tittel", "nummer")) == {
        "B": 1,
        t.tittel: 2,
    }


# --- Query budgets ------------------------------------------------------------------------


def _buskerud_planner():
    return BrukerFactory(
        email="planlegger@bfk.no",
        organisasjon=Organisasjon.objects.get(slug="bfk"),
        rolle=BrukerRolle.PLANLEGGER,
    )


def _edit_page_urls(programme, tiltak, tema) -> dict[str, str]:
    return {
        "programme edit": reverse("tiltak:programme_edit", args=[programme.pk]),
        "tiltak edit": reverse("tiltak:tiltak_edit", args=[tiltak.pk]),
        "tiltak create": reverse("tiltak:tiltak_create", args=[programme.pk]),
        "tiltak move": reverse("tiltak:tiltak_move", args=[tiltak.pk]),
        "tiltak delete": reverse("tiltak:tiltak_delete", args=[tiltak.pk]),
        "renumber": reverse("tiltak:tiltak_renumber", args=[tema.pk]),
    }


EDIT_PAGE_CEILINGS = {
    "programme edit": 10,
    "tiltak edit": 7,
    "tiltak create": 10,
    "tiltak move": 11,
    # The delete page asks every registered trace check (hearing answers, workshop inputs,
    # status reports, history): one query each, whatever the size of the programme.
    "tiltak delete": 10,
    "renumber": 6,
}


def _fill_tema(tema, count: int) -> None:
    """`count` tiltak in the tema, each under a delmål and satsingsområde, with a party."""
    delmaal = DelmaalFactory(tema=tema, nummer=f"{tema.nummer}.1")
    satsing = SatsingsomraadeFactory(delmaal=delmaal)
    made = Tiltak.objects.bulk_create(
        Tiltak(
            program=tema.program,
            tema=tema,
            delmaal=delmaal,
            satsingsomraade=satsing,
            nummer=n,
            tittel=f"Tiltak {tema.nummer}.{n}",
        )
        for n in range(1, count + 1)
    )
    org = OrganisasjonFactory()
    Ansvar.objects.bulk_create(
        Ansvar(tiltak=t, organisasjon=org, rolle=Rolle.HOVEDANSVAR) for t in made
    )


def test_editing_pages_cost_the_same_for_an_object_ten_times_larger(client, demo_data):
    from tiltak.synthetic import build_large_programme

    client.force_login(_buskerud_planner())
    buskerud = Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)
    small_tiltak = Tiltak.objects.filter(program=buskerud).order_by("id").first()
    small_tema = buskerud.temaer.get(nummer=5)
    urls = _edit_page_urls(buskerud, small_tiltak, small_tema)
    small = {name: count_queries(client, url) for name, url in urls.items()}
    small_sizes = {
        "programme": Tiltak.objects.filter(program=buskerud).count(),
        "tiltak": small_tiltak.ansvar.count(),
        "tema": small_tema.tiltak.count(),
    }

    # A programme of 10× the tiltak (the same owner and status), a tiltak in it with 10× the
    # parties and a tema with 10× the tiltak.
    large_programme = build_large_programme(factor=10)
    large_tiltak = Tiltak.objects.filter(program=large_programme).order_by("id").first()
    for _ in range(10 * small_sizes["tiltak"] - large_tiltak.ansvar.count()):
        AnsvarFactory(tiltak=large_tiltak, rolle=Rolle.SAMARBEIDSPART)
    large_tema = TemaFactory(program=large_programme, nummer=999)
    _fill_tema(large_tema, 10 * small_sizes["tema"])
    urls = _edit_page_urls(large_programme, large_tiltak, large_tema)
    large = {name: count_queries(client, url) for name, url in urls.items()}
    large_sizes = {
        "programme": Tiltak.objects.filter(program=large_programme).count(),
        "tiltak": large_tiltak.ansvar.count(),
        "tema": large_tema.tiltak.count(),
    }
    assert_same_queries(
        small,
        large,
        ceiling=EDIT_PAGE_CEILINGS,
        sizes={kind: (small_sizes[kind], large_sizes[kind]) for kind in small_sizes},
    )


# --- Issue 7.1: renumbering tema 3, and a bad row named, not a 500 ---------------------------


def _renumber_reversed(tema) -> dict[str, str]:
    rows = list(Tiltak.objects.filter(tema=tema).order_by("nummer", "id"))
    return {f"nr_{t.pk}": str(len(rows) - i) for i, t in enumerate(rows)}


def test_renumbering_tema_3_of_the_demo_programme_works(client, demo_data):
    """3.35 had an empty title (the source has none) and every renumbering failed on it."""
    client.force_login(_buskerud_planner())
    buskerud = Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)
    tema = buskerud.temaer.get(nummer=3)
    t35 = Tiltak.objects.get(tema=tema, nummer=35)
    data = _renumber_reversed(tema)
    response = client.post(reverse("tiltak:tiltak_renumber", args=[tema.pk]), data)
    assert response.status_code == 302
    t35.refresh_from_db()
    assert t35.nummer == int(data[f"nr_{t35.pk}"])
    assert sorted(Tiltak.objects.filter(tema=tema).values_list("nummer", flat=True)) == list(
        range(1, 46)
    )


def test_a_row_that_does_not_validate_is_named_with_its_field_not_a_500(client, demo_data):
    client.force_login(_buskerud_planner())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    buskerud = Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)
    tema = buskerud.temaer.get(nummer=3)
    Tiltak.objects.filter(tema=tema, nummer=35).update(tittel="")  # as loaded before the fix
    before = list(Tiltak.objects.filter(tema=tema).values_list("pk", "nummer", "versjon"))
    response = client.post(
        reverse("tiltak:tiltak_renumber", args=[tema.pk]), _renumber_reversed(tema)
    )
    assert response.status_code == 400
    page = " ".join(response.content.decode().split())
    assert "Measure 3.35: Title: This field cannot be blank." in page
    assert "Something went wrong" not in page
    assert list(Tiltak.objects.filter(tema=tema).values_list("pk", "nummer", "versjon")) == before


def test_missing_title_is_flagged_for_planners_only(client, demo_data):
    buskerud = Handlingsprogram.objects.get(navn="Smart samhandling i Buskerud", start_aar=2019)
    t35 = Tiltak.objects.get(program=buskerud, tema__nummer=3, nummer=35)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Title missing in the source" not in client.get(t35.get_absolute_url()).content.decode()
    client.force_login(_buskerud_planner())
    for url in (
        t35.get_absolute_url(),
        reverse("tiltak:tiltak_edit", args=[t35.pk]),
        reverse("tiltak:programme_edit", args=[buskerud.pk]),
    ):
        assert "Title missing in the source" in client.get(url).content.decode(), url
    # Writing a title of one's own clears the flag.
    data = tiltak_post(t35, tittel="Synlige næringsarealer")
    assert client.post(reverse("tiltak:tiltak_edit", args=[t35.pk]), data).status_code == 302
    t35.refresh_from_db()
    assert (t35.tittel, t35.tittel_mangler_i_kilden) == ("Synlige næringsarealer", False)
    assert "Title missing in the source" not in client.get(t35.get_absolute_url()).content.decode()


# --- Issue 7.8: on the edit form the source's text of the parties is read-only ------------------


def test_the_edit_form_shows_the_source_parties_read_only_and_assigns_with_the_picker(
    client_for, tree
):
    t = tree["tiltak"]
    Tiltak.objects.filter(pk=t.pk).update(
        hovedansvar_tekst="Næringsforeningene", samarbeidsparter_tekst="USN; kommunene"
    )
    client = client_for("planner")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("tiltak:tiltak_edit", args=[t.pk])
    page = " ".join(client.get(url).content.decode().split())
    assert 'name="hovedansvar_tekst"' not in page and 'name="samarbeidsparter_tekst"' not in page
    source = page.split('id="kilde-tittel"')[1]
    assert "Næringsforeningene" in source and "USN; kommunene" in source
    assert "assigns nothing" in source
    assert f'action="{reverse("tiltak:ansvar_add", args=[t.pk])}"' in page  # the picker

    # A post that still carries the old fields changes them not, and assigns nobody.
    t = Tiltak.objects.get(pk=t.pk)
    parties = Ansvar.objects.filter(tiltak=t).count()
    data = tiltak_post(t, hovedansvar_tekst="Testby kommune", tittel="Ny tittel")
    assert client.post(url, data).status_code == 302
    t.refresh_from_db()
    assert (t.tittel, t.hovedansvar_tekst) == ("Ny tittel", "Næringsforeningene")
    assert Ansvar.objects.filter(tiltak=t).count() == parties


# --- Issue 7 point 12: a second «Fjern», and no duplicates from the picker ----------------


def test_removing_an_already_removed_party_says_so(client_for, tree):
    t, ansvar = tree["tiltak"], tree["ansvar"]
    client = client_for("planner")
    url = reverse("tiltak:ansvar_remove", args=[ansvar.pk])
    assert client.post(url, **HTMX).status_code == 200
    # The same click again (a double click, a second tab): a message, not a 404.
    again = client.post(url, **HTMX)
    assert again.status_code == 200
    assert f"{ansvar.organisasjon.navn} var allerede fjernet fra dette tiltaket." in (
        again.content.decode()
    )
    without_js = client.post(url, follow=True)
    assert without_js.redirect_chain[-1][0].endswith(
        reverse("tiltak:tiltak_edit", args=[t.pk]) + "#parter"
    )
    assert "var allerede fjernet" in without_js.content.decode()
    # Someone who may see but not edit the tiltak is refused as for any change.
    assert client_for("other_planner").post(url).status_code == 403


def test_the_picker_never_offers_to_create_an_organisation_that_exists(client_for, users):
    usn = OrganisasjonFactory(navn="Universitetet i Sørøst-Norge", forkortelse="USN")
    OrganisasjonAlias.objects.create(organisasjon=usn, navn="Høgskolen i Sørøst-Norge")
    client = client_for("planner")
    search = reverse("tiltak:organisasjon_search")
    for typed in (
        "usn",
        "  universitetet  i sørøst-norge ",
        "Universitetet i Sørøst-Norge (USN)",
        "høgskolen i sørøst-norge",
    ):
        assert client.get(search, {"q": typed}).json()["can_create"] is False, typed
    assert client.get(search, {"q": "Numedal Næringshage"}).json()["can_create"] is True
    # And the service refuses such a name however it is sent, naming the existing entry.
    create = reverse("tiltak:organisasjon_create_json")
    response = client.post(create, {"navn": "USN"})
    assert response.status_code == 400
    assert "Universitetet i Sørøst-Norge" in response.json()["error"]
    assert Organisasjon.objects.filter(navn__iexact="USN").count() == 0
