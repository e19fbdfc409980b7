"""Groups and their members (Gruppemedlemskap): what the database and `clean()` refuse, how an
organisation's groups are found (nested, without cycles, in one query), the admin that edits
them, and the memberships the demo data derives from the Buskerud programme."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from partnerskap.models import Gruppemedlemskap, Organisasjon, OrganisasjonType
from partnerskap.selectors import organisasjon_grupper
from tests.factories import BrukerFactory, OrganisasjonFactory

pytestmark = pytest.mark.django_db


def group(navn: str, **kwargs) -> Organisasjon:
    return OrganisasjonFactory(navn=navn, er_gruppe=True, **kwargs)


def member(gruppe: Organisasjon, medlem: Organisasjon) -> Gruppemedlemskap:
    membership = Gruppemedlemskap(gruppe=gruppe, medlem=medlem)
    membership.full_clean()
    membership.save()
    return membership


@pytest.fixture
def buskerud_groups():
    """«Kommunene» ∋ «Kommunene i Hallingdal» ∋ Gol; «Regionrådene» ∋ Regionrådet for Hallingdal."""
    kommunene = group("Kommunene")
    hallingdal_kommuner = group("Kommunene i Hallingdal")
    regionraadene = group("Regionrådene", type=OrganisasjonType.REGIONRAAD)
    gol = OrganisasjonFactory(navn="Gol kommune")
    raadet = OrganisasjonFactory(
        navn="Regionrådet for Hallingdal", type=OrganisasjonType.REGIONRAAD
    )
    member(kommunene, hallingdal_kommuner)
    member(hallingdal_kommuner, gol)
    member(regionraadene, raadet)
    return {
        "kommunene": kommunene,
        "hallingdal_kommuner": hallingdal_kommuner,
        "regionraadene": regionraadene,
        "gol": gol,
        "raadet": raadet,
    }


# --- What is refused ---------------------------------------------------------------------------


def test_only_a_group_can_have_members():
    not_a_group = OrganisasjonFactory(navn="Buskerud fylkeskommune")
    with pytest.raises(ValidationError) as exc:
        member(not_a_group, OrganisasjonFactory())
    assert "gruppe" in exc.value.message_dict


def test_a_group_cannot_be_its_own_member():
    kommunene = group("Kommunene")
    with pytest.raises(ValidationError) as exc:
        member(kommunene, kommunene)
    assert "medlem" in exc.value.message_dict
    # The database refuses it too, whoever writes past clean().
    with pytest.raises(IntegrityError), transaction.atomic():
        Gruppemedlemskap.objects.create(gruppe=kommunene, medlem=kommunene)


def test_a_member_is_a_member_once(buskerud_groups):
    g = buskerud_groups
    with pytest.raises(ValidationError):
        member(g["regionraadene"], g["raadet"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Gruppemedlemskap.objects.create(gruppe=g["regionraadene"], medlem=g["raadet"])


def test_a_membership_that_would_close_a_cycle_is_refused(buskerud_groups):
    g = buskerud_groups
    # Kommunene ∋ Kommunene i Hallingdal: the inner group cannot take in the outer one …
    with pytest.raises(ValidationError) as exc:
        member(g["hallingdal_kommuner"], g["kommunene"])
    assert "medlem" in exc.value.message_dict
    # … nor can a group further down (Kommunene ∋ Kommunene i Hallingdal ∋ Skolekontorene).
    bottom = group("Skolekontorene")
    member(g["hallingdal_kommuner"], bottom)
    with pytest.raises(ValidationError):
        member(bottom, g["kommunene"])
    assert not Gruppemedlemskap.objects.filter(medlem=g["kommunene"]).exists()
    # Nesting without a cycle is fine: one organisation in several groups, a group in two.
    member(g["regionraadene"], bottom)
    member(g["kommunene"], g["raadet"])


# --- Finding an organisation's groups ----------------------------------------------------------


def test_groups_are_found_through_nested_groups_with_the_way_there(buskerud_groups):
    g = buskerud_groups
    relasjoner = organisasjon_grupper(organisasjon=g["gol"])
    assert [(t.gruppe.navn, [o.navn for o in t.sti]) for t in relasjoner.grupper] == [
        ("Kommunene i Hallingdal", ["Kommunene i Hallingdal"]),
        ("Kommunene", ["Kommunene i Hallingdal", "Kommunene"]),
    ]
    assert [t.direkte for t in relasjoner.grupper] == [True, False]
    assert relasjoner.medlemmer == ()
    assert [o.navn for o in organisasjon_grupper(organisasjon=g["kommunene"]).medlemmer] == [
        "Kommunene i Hallingdal"
    ]


def test_finding_groups_is_one_query_however_deep(buskerud_groups, django_assert_num_queries):
    g = buskerud_groups
    deeper = g["hallingdal_kommuner"]
    for n in range(6):
        outer = group(f"Ytre gruppe {n}")
        member(outer, deeper)
        deeper = outer
    with django_assert_num_queries(1):
        relasjoner = organisasjon_grupper(organisasjon=g["gol"])
    assert len(relasjoner.grupper) == 8


def test_a_cycle_written_past_clean_does_not_make_the_walk_loop(buskerud_groups):
    g = buskerud_groups
    # bulk_create skips clean(): the data is wrong, the read must still end.
    Gruppemedlemskap.objects.bulk_create(
        [Gruppemedlemskap(gruppe=g["hallingdal_kommuner"], medlem=g["kommunene"])]
    )
    relasjoner = organisasjon_grupper(organisasjon=g["gol"])
    assert [t.gruppe.navn for t in relasjoner.grupper] == ["Kommunene i Hallingdal", "Kommunene"]


# --- The admin ---------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    user = BrukerFactory(email="super@example.no")
    user.is_superuser = user.is_staff = True
    user.save()
    client.force_login(user)
    return client


def _change_data(org: Organisasjon, members: list[Organisasjon], **changes) -> dict:
    existing = list(org.medlemmer.order_by("id")) if org.pk else []
    data = {
        "navn": org.navn,
        "slug": org.slug,
        "forkortelse": org.forkortelse,
        "type": org.type,
        "region": "",
        "nettside": "",
        "aliaser-TOTAL_FORMS": "0",
        "aliaser-INITIAL_FORMS": "0",
        "medlemmer-TOTAL_FORMS": str(len(existing) + len(members)),
        "medlemmer-INITIAL_FORMS": str(len(existing)),
    }
    if org.er_gruppe:
        data["er_gruppe"] = "on"
    for i, m in enumerate(existing):
        data[f"medlemmer-{i}-id"] = str(m.pk)
        data[f"medlemmer-{i}-gruppe"] = str(org.pk)
        data[f"medlemmer-{i}-medlem"] = str(m.medlem_id)
    for i, m in enumerate(members, start=len(existing)):
        data[f"medlemmer-{i}-gruppe"] = str(org.pk or "")
        data[f"medlemmer-{i}-medlem"] = str(m.pk)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_an_administrator_adds_members_to_a_group_in_the_admin(admin_client, buskerud_groups):
    g = buskerud_groups
    ringerike = OrganisasjonFactory(navn="Ringeriksregionen", type=OrganisasjonType.REGIONRAAD)
    url = reverse("admin:partnerskap_organisasjon_change", args=[g["regionraadene"].pk])
    page = admin_client.get(url).content.decode()
    assert 'name="medlemmer-TOTAL_FORMS"' in page
    response = admin_client.post(url, _change_data(g["regionraadene"], [ringerike]))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(g["regionraadene"].medlemmer.values_list("medlem__navn", flat=True)) == {
        "Regionrådet for Hallingdal",
        "Ringeriksregionen",
    }
    # The member's page in the admin says where it belongs.
    member_page = admin_client.get(
        reverse("admin:partnerskap_organisasjon_change", args=[ringerike.pk])
    )
    assert "Regionrådene" in member_page.content.decode()


def _inline_errors(response) -> set[str]:
    """The fields of the members inline that have an error on the page shown again."""
    assert response.status_code == 200  # not saved: the form again
    [formset] = [
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "medlemmer"
    ]
    return {field for form in formset.formset.forms for field in form.errors}


def test_the_admin_refuses_members_of_a_non_group_and_cycles(admin_client, buskerud_groups):
    g = buskerud_groups
    url = reverse("admin:partnerskap_organisasjon_change", args=[g["raadet"].pk])
    response = admin_client.post(url, _change_data(g["raadet"], [g["gol"]]))
    assert _inline_errors(response) == {"gruppe"}
    assert not g["raadet"].medlemmer.exists()
    # Unticking «is a group» on a group that has members is refused the same way.
    url = reverse("admin:partnerskap_organisasjon_change", args=[g["regionraadene"].pk])
    response = admin_client.post(url, _change_data(g["regionraadene"], [], er_gruppe=None))
    assert _inline_errors(response) == {"gruppe"}
    assert Organisasjon.objects.get(pk=g["regionraadene"].pk).er_gruppe
    # Kommunene i Hallingdal cannot take in Kommunene, which contains it.
    url = reverse("admin:partnerskap_organisasjon_change", args=[g["hallingdal_kommuner"].pk])
    response = admin_client.post(url, _change_data(g["hallingdal_kommuner"], [g["kommunene"]]))
    assert _inline_errors(response) == {"medlem"}
    assert g["hallingdal_kommuner"].medlemmer.count() == 1
    # A new organisation that is not a group cannot be given members either.
    new = Organisasjon(navn="Ny organisasjon", slug="ny-organisasjon", type="annet")
    response = admin_client.post(
        reverse("admin:partnerskap_organisasjon_add"), _change_data(new, [g["gol"]])
    )
    assert _inline_errors(response) == {"gruppe"}
    assert not Organisasjon.objects.filter(slug="ny-organisasjon").exists()


# --- The demo data -----------------------------------------------------------------------------


def _members(slug: str) -> set[str]:
    return set(
        Gruppemedlemskap.objects.filter(gruppe__slug=slug).values_list("medlem__slug", flat=True)
    )


COUNCILS = {
    "regionradet-hallingdal",
    "kongsbergregionen",
    "regionradet-midt-buskerud",
    "ringeriksregionen",
    "drammensregionen-ipr",
}
HALLINGDAL = {
    "fla-kommune",
    "nes-kommune",
    "gol-kommune",
    "hemsedal-kommune",
    "al-kommune",
    "hol-kommune",
}


def test_demo_data_fills_the_memberships_the_programme_implies(demo_data):
    assert _members("regionradene") == COUNCILS == _members("kommuneregionene")
    assert _members("kommunene-hallingdal") == HALLINGDAL
    assert _members("naeringsforeningene") == {
        "nfdr",
        "kongsberg-naeringsforum",
        "naeringsforeningen-ringerike",
    }
    # «Kommunene» (also written «kommunene i Buskerud») reaches Buskerud's 21 municipalities,
    # Hallingdal's and Drammensregionen's through their groups.
    kommunene = Organisasjon.objects.get(slug="kommunene")
    reached = {
        o.slug
        for o in Organisasjon.objects.filter(type=OrganisasjonType.KOMMUNE, er_gruppe=False)
        if kommunene.pk in organisasjon_grupper(organisasjon=o).gruppe_ids  # through nesting too
    }
    assert len(reached) == 21
    assert reached >= HALLINGDAL
    gol = organisasjon_grupper(organisasjon=Organisasjon.objects.get(slug="gol-kommune"))
    assert [t.gruppe.slug for t in gol.grupper] == ["kommunene-hallingdal", "kommunene"]


def test_demo_memberships_are_loaded_once_and_edits_are_kept(demo_data):
    before = Gruppemedlemskap.objects.count()
    assert before > 40
    Gruppemedlemskap.objects.filter(
        gruppe__slug="regionradene", medlem__slug="ringeriksregionen"
    ).delete()
    call_command("load_demo", verbosity=0)
    assert Gruppemedlemskap.objects.count() == before - 1
    assert "ringeriksregionen" not in _members("regionradene")
