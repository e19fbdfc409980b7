"""The organisation side's pages: the permission matrix over every view × every role, the
invitation link, the answer form (kept on every failure, 409 on a stale save), submission,
the receipt and its PDF, and the answer page's query budget."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from hoering.models import Hoeringssvar, SvarStatus
from hoering.services import svar as services
from partnerskap.models import Bruker, BrukerRolle
from tests.budgets import assert_same_queries, count_queries
from tests.conftest import ROLES
from tests.factories import BrukerFactory
from tests.hoering.svar_helpers import make_hearing

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def english(settings):
    """English pages (the msgids) unless a test sets the language cookie: the nb/nn
    translations of this branch's strings are merged by the lead."""
    settings.LANGUAGE_CODE = "en"


def nb(client):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    return client


@pytest.fixture
def world(users):
    world = make_hearing(users)
    draft = services.svar_start(actor=users["member"], hoering=world["hoering"])
    draft = services.svar_save(
        actor=users["member"],
        svar=draft,
        versjon=draft.versjon,
        fields={"generelle_merknader": "Hemmeleg utkast"},
        standpunkter={world["tiltak"]["own"][0].pk: ("paatar_hovedansvar", "")},
        vedlegg=SimpleUploadedFile("vedtak.pdf", PDF),
    )
    world["draft"] = draft
    return world


def _submitted(users, world):
    return services.svar_submit(actor=users["member"], svar=world["draft"], signatar="Kari")


def _status(client_for, role, method, url):
    client = client_for(role)
    response = client.post(url) if method == "post" else client.get(url)
    if response.status_code == 302 and "/konto/logg-inn/" in response["Location"]:
        return "login"
    return response.status_code


# role order: anonymous, administrator, planner, other_planner, member, other_member, board
DRAFT_MATRIX = {
    "hoering_detail": ("get", [200, 200, 200, 200, 200, 200, 200]),
    "invitation_accept": ("get", [200, 403, 403, 302, 302, 302, 403]),
    "svar_start": ("get", ["login", 403, 403, 302, 302, 302, 403]),
    "svar_edit": ("get", [404, 403, 403, 404, 200, 404, 403]),
    "svar_detail": ("get", [404, 200, 200, 404, 200, 404, 200]),
    "svar_submit": ("get", [404, 403, 403, 404, 200, 404, 403]),
    "svar_vedlegg": ("get", [404, 200, 200, 404, 200, 404, 200]),
    "svar_receipt": ("get", [404, 404, 404, 404, 404, 404, 404]),  # a draft has none
    "svar_new_version": ("post", [404, 403, 403, 404, 302, 404, 403]),
}


def _url(name, world, svar):
    if name == "hoering_detail" or name == "svar_start":
        return reverse(f"hoering:{name}", args=[world["hoering"].pk])
    if name == "invitation_accept":
        # the member's organisation's link; other_planner/other_member act for "other" —
        # invited too — and are sent on with their own token below
        return reverse("hoering:invitation_accept", args=[world["invitations"]["kommune"].token])
    return reverse(f"hoering:{name}", args=[svar.pk])


@pytest.mark.parametrize("name", sorted(DRAFT_MATRIX))
def test_permission_matrix_while_open(users, client_for, world, name):
    method, expected = DRAFT_MATRIX[name]
    got = []
    for role in ROLES:
        url = _url(name, world, world["draft"])
        if name == "invitation_accept" and role in ("other_planner", "other_member"):
            url = reverse("hoering:invitation_accept", args=[world["invitations"]["other"].token])
        got.append(_status(client_for, role, method, url))
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, expected, strict=True))


SUBMITTED_MATRIX = {
    # before the deadline, a submitted answer is still the organisation's and the planners'
    "svar_detail": ("get", [404, 200, 200, 404, 200, 404, 200]),
    "svar_receipt": ("get", [404, 200, 200, 404, 200, 404, 200]),
    "svar_submit": ("post", [404, 403, 403, 404, 302, 404, 403]),
    "svar_edit": ("get", [404, 302, 302, 404, 302, 404, 302]),
}


@pytest.mark.parametrize("name", sorted(SUBMITTED_MATRIX))
def test_permission_matrix_submitted(users, client_for, world, name):
    svar = _submitted(users, world)
    method, expected = SUBMITTED_MATRIX[name]
    got = [_status(client_for, role, method, _url(name, world, svar)) for role in ROLES]
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, expected, strict=True))


def test_published_after_the_deadline_only(users, client_for, world):
    svar = _submitted(users, world)
    other_draft = services.svar_start(actor=users["other_member"], hoering=world["hoering"])
    detail = reverse("hoering:svar_detail", args=[svar.pk])
    page = reverse("hoering:hoering_detail", args=[world["hoering"].pk])
    assert client_for("other_member").get(detail).status_code == 404
    assert "Testby kommune" not in client_for("anonymous").get(page).content.decode()
    with time_machine.travel(world["hoering"].frist + timedelta(seconds=1)):
        for role in ("anonymous", "other_member", "other_planner"):
            assert client_for(role).get(detail).status_code == 200, role
        assert (
            client_for("member")
            .get(reverse("hoering:svar_detail", args=[other_draft.pk]))
            .status_code
            == 404
        )  # a draft is never published
        listing = client_for("anonymous").get(page).content.decode()
        assert "Testby kommune" in listing and detail in listing
        world["hoering"].publiser_svar = False
        world["hoering"].save()
        assert client_for("other_member").get(detail).status_code == 404
        assert "Testby kommune" not in client_for("anonymous").get(page).content.decode()


def test_other_member_cannot_post_to_anothers_draft(users, client_for, world):
    draft = world["draft"]
    response = client_for("other_member").post(
        reverse("hoering:svar_edit", args=[draft.pk]),
        {"versjon": draft.versjon, "generelle_merknader": "Kapra"},
    )
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.generelle_merknader == "Hemmeleg utkast"


# --- The public page ------------------------------------------------------------------------


def test_detail_page_shows_deadline_time_left_and_what_concerns_us(users, client_for):
    with time_machine.travel(datetime(2031, 10, 20, 10, 0, tzinfo=UTC), tick=False):
        world = make_hearing(
            users,
            opens=datetime(2031, 9, 5, tzinfo=UTC),
            deadline=datetime(2031, 10, 23, 21, 59, 59, tzinfo=UTC),
        )
        url = reverse("hoering:hoering_detail", args=[world["hoering"].pk])
        html = client_for("member").get(url).content.decode()
        norsk = nb(client_for("member")).get(url).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "23. oktober 2031 kl. 23.59" in norsk
    assert "Deadline 23 October 2031, 23:59" in text
    assert "3 days and 11 hours left" in text
    assert (
        "You are proposed with lead responsibility for 4 measures and as collaborator for 2" in text
    )
    assert "Answer the hearing" in text


# --- The invitation link ----------------------------------------------------------------------


def test_unknown_token_gets_a_clear_page(client_for, world):
    response = client_for("anonymous").get(reverse("hoering:invitation_accept", args=["nope"]))
    assert response.status_code == 404
    assert "The link does not work" in response.content.decode()


def test_invitation_creates_a_member_account_for_the_organisation(users, client, world):
    inv = world["invitations"]["kommune"]
    url = reverse("hoering:invitation_accept", args=[inv.token])
    page = client.get(url).content.decode()
    assert f'value="{inv.epost}"' in page
    weak = client.post(
        url,
        {
            "first_name": "Ny",
            "last_name": "Person",
            "email": "ny@testby.no",
            "password1": "123",
            "password2": "123",
        },
    )
    assert weak.status_code == 200 and not Bruker.objects.filter(email="ny@testby.no").exists()
    response = client.post(
        url,
        {
            "first_name": "Ny",
            "last_name": "Person",
            "email": "ny@testby.no",
            "password1": "Langt-og-godt-2018",
            "password2": "Langt-og-godt-2018",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("hoering:svar_start", args=[world["hoering"].pk])
    user = Bruker.objects.get(email="ny@testby.no")
    assert user.organisasjon == users["kommune"] and user.rolle == BrukerRolle.MEDLEM
    inv.refresh_from_db()
    assert inv.foerst_aapnet is not None
    # the new member reaches the shared draft
    follow = client.get(response["Location"])
    assert follow["Location"] == reverse("hoering:svar_edit", args=[world["draft"].pk])


def test_invitation_with_an_existing_address_says_log_in(users, client, world):
    url = reverse("hoering:invitation_accept", args=[world["invitations"]["kommune"].token])
    response = client.post(
        url,
        {
            "first_name": "A",
            "last_name": "B",
            "email": users["member"].email,
            "password1": "Langt-og-godt-2018",
            "password2": "Langt-og-godt-2018",
        },
    )
    assert response.status_code == 200
    assert "Log in instead" in response.content.decode()


def test_invitation_for_another_organisation_while_logged_in(client_for, world):
    url = reverse("hoering:invitation_accept", args=[world["invitations"]["kommune"].token])
    response = client_for("other_member").get(url)
    assert response.status_code == 403
    assert "Testby kommune" in response.content.decode()
    world["invitations"]["kommune"].refresh_from_db()
    assert world["invitations"]["kommune"].foerst_aapnet is None


# --- The answer form --------------------------------------------------------------------


def _form(world, svar, **extra):
    data = {
        "versjon": svar.versjon,
        "aktoer_antall": 1,
        "forslag_antall": 1,
        "generelle_merknader": "Generelt",
        "saksnummer": "SAK 44/18",
        "vedtaksdato": "2018-10-02",
        "vedtakstekst": "Vedteke",
    }
    data.update(extra)
    return data


def test_edit_page_lists_what_concerns_us_first(users, client_for, world):
    html = (
        client_for("member")
        .get(reverse("hoering:svar_edit", args=[world["draft"].pk]))
        .content.decode()
    )
    angaar = html[html.index('id="angaar"') : html.index('id="resten"')]
    resten = html[html.index('id="resten"') : html.index('id="aktoerer"')]
    for t in world["tiltak"]["own"] + world["tiltak"]["via_group"] + world["tiltak"]["group_lead"]:
        assert f'id="sp-{t.pk}"' in angaar
    for t in world["tiltak"]["rest"]:
        assert f'id="sp-{t.pk}"' in resten
    assert angaar.count("via Testregionen") == 4
    assert "<details" in resten


def test_invalid_save_keeps_everything_typed(users, client_for, world):
    draft = world["draft"]
    own, rest = world["tiltak"]["own"][0], world["tiltak"]["rest"][0]
    tema = world["temaer"][0]
    data = _form(
        world,
        draft,
        **{
            f"sp-{own.pk}": "kan_ikke",
            f"sptekst-{own.pk}": "",
            f"sp-{rest.pk}": "endring",
            f"sptekst-{rest.pk}": "Utvid til fleire regionar",
            "aktoer-0-tiltak": rest.pk,
            "aktoer-0-navn": "Yrkesmessa i Hallingdal",
            "aktoer-0-rolle": "samarbeidspart",
            "aktoer-0-begrunnelse": "Dei kan bidra",
            "forslag-0-tema": tema.pk,
            "forslag-0-tittel": "Livskvalitet Hallingdal",
            "forslag-0-hva": "Prosjektet har som overordna mål …",
        },
    )
    before = draft.versjon
    response = client_for("member").post(reverse("hoering:svar_edit", args=[draft.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved" in html
    for kept in (
        "Utvid til fleire regionar",
        "Yrkesmessa i Hallingdal",
        "Dei kan bidra",
        "Livskvalitet Hallingdal",
        "Prosjektet har som overordna mål …",
        "SAK 44/18",
        "2018-10-02",
        "Vedteke",
    ):
        assert kept in html, kept
    assert 'value="kan_ikke"\n                           checked' in html or re.search(
        rf'id="sp-{own.pk}-kan_ikke"\s+value="kan_ikke"\s+checked', html
    )
    draft.refresh_from_db()
    assert draft.versjon == before and draft.saksnummer == ""


def test_bad_date_is_a_message_not_a_500(client_for, world):
    response = client_for("member").post(
        reverse("hoering:svar_edit", args=[world["draft"].pk]),
        _form(world, world["draft"], vedtaksdato="2.10.2018"),
    )
    assert response.status_code == 400
    assert "2.10.2018" in response.content.decode()


def test_save_then_review_then_submit_and_receipt_pdf(users, client_for, world):
    client = client_for("member")
    draft = world["draft"]
    before = draft.versjon
    own = world["tiltak"]["own"][0]
    response = client.post(
        reverse("hoering:svar_edit", args=[draft.pk]),
        _form(
            world,
            draft,
            action="review",
            **{f"sp-{own.pk}": "paatar_hovedansvar", f"sptekst-{own.pk}": "Vi tek ansvaret."},
        ),
    )
    assert response["Location"] == reverse("hoering:svar_submit", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.saksnummer == "SAK 44/18" and draft.versjon == before + 1
    review = client.get(response["Location"])
    assert "Vi tek ansvaret." in review.content.decode()
    submit_url = reverse("hoering:svar_submit", args=[draft.pk])
    done = client.post(submit_url, {"signatar": "Knut Arne Gurigard", "versjon": draft.versjon})
    assert done["Location"] == reverse("hoering:svar_receipt", args=[draft.pk])
    # a double click: the same receipt, one row
    again = client.post(submit_url, {"signatar": "Knut Arne Gurigard", "versjon": draft.versjon})
    assert again["Location"] == done["Location"]
    assert Hoeringssvar.objects.filter(status=SvarStatus.INNSENDT).count() == 1
    svar = Hoeringssvar.objects.get(pk=draft.pk)
    receipt = client.get(done["Location"]).content.decode()
    assert svar.sha256 in receipt
    pdf = client.get(done["Location"] + "?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    flat = " ".join(text.split())
    assert svar.sha256[:32] in flat.replace(" ", "")
    assert "Knut Arne Gurigard" in flat and "Testby kommune" in flat
    from django.utils import translation

    from hoering.receipt import submitted_at_display

    with translation.override("en"):
        assert submitted_at_display(svar.innsendt) in flat
    with translation.override("nb"):
        assert re.fullmatch(
            r"\d+\. \w+ \d{4} .+ \d\d\.\d\d\.\d\d", submitted_at_display(svar.innsendt)
        )
    assert "Vi tek ansvaret." in flat


def test_stale_save_in_the_browser_is_409_and_keeps_the_text(users, client_for, world):
    draft = world["draft"]
    colleague = BrukerFactory(organisasjon=users["kommune"])
    services.svar_save(
        actor=colleague,
        svar=draft,
        versjon=draft.versjon,
        fields={"generelle_merknader": "Kollegaens tekst"},
    )
    response = client_for("member").post(
        reverse("hoering:svar_edit", args=[draft.pk]),
        _form(world, draft, generelle_merknader="Min tekst"),
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Kollegaens tekst" in html and "Min tekst" in html
    assert f'name="versjon" value="{draft.versjon + 1}"' in html
    draft.refresh_from_db()
    assert draft.generelle_merknader == "Kollegaens tekst"


def test_save_after_deadline_is_refused_with_a_message(users, client_for, world):
    draft = world["draft"]
    with time_machine.travel(world["hoering"].frist + timedelta(seconds=1)):
        response = client_for("member").post(
            reverse("hoering:svar_edit", args=[draft.pk]),
            _form(world, draft, generelle_merknader="For seint"),
        )
        assert response.status_code == 400
        assert "The deadline for this hearing was" in response.content.decode()
        assert "For seint" in response.content.decode()
        get = client_for("member").get(reverse("hoering:svar_edit", args=[draft.pk]))
        assert get["Location"] == reverse("hoering:svar_detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.generelle_merknader == "Hemmeleg utkast"


def test_new_version_from_the_page(users, client_for, world):
    svar = _submitted(users, world)
    response = client_for("member").post(reverse("hoering:svar_new_version", args=[svar.pk]))
    ny = Hoeringssvar.objects.get(status=SvarStatus.UTKAST)
    assert response["Location"] == reverse("hoering:svar_edit", args=[ny.pk])
    assert ny.versjon_nr == 2


# --- Query budget -----------------------------------------------------------------------


def test_answer_page_query_budget(users, client_for):
    """The answer page, the read-only answer and the round's page for a programme and an answer
    ten times larger cost the same queries."""
    from hoering.models import Hoering
    from tests.factories import OrganisasjonFactory

    small = make_hearing(users, size=1)
    svar_small = services.svar_start(actor=users["member"], hoering=small["hoering"])
    _fill(users["member"], svar_small, small)
    org = OrganisasjonFactory(navn="Storby kommune")
    big_member = BrukerFactory(organisasjon=org, rolle=BrukerRolle.MEDLEM)
    big = make_hearing(dict(users, kommune=org), size=10, gruppe_navn="Storregionen")
    svar_big = services.svar_start(actor=big_member, hoering=big["hoering"])
    _fill(big_member, svar_big, big)
    client = client_for("member")
    client_big = client_for("anonymous")
    client_big.force_login(big_member)

    def counts(c, svar, world):
        return {
            "edit": count_queries(c, reverse("hoering:svar_edit", args=[svar.pk])),
            "detail": count_queries(c, reverse("hoering:svar_detail", args=[svar.pk])),
            "hoering": count_queries(
                c, reverse("hoering:hoering_detail", args=[world["hoering"].pk])
            ),
        }

    assert Hoering.objects.count() == 2
    n_small = svar_small.standpunkter.count()
    n_large = svar_big.standpunkter.count()
    small_counts, large_counts = (
        counts(client, svar_small, small),
        counts(client_big, svar_big, big),
    )
    assert_same_queries(
        small_counts,
        large_counts,
        ceiling={"edit": 30, "detail": 20, "hoering": 20},
        sizes=dict.fromkeys(("edit", "detail", "hoering"), (n_small, n_large)),
    )


def _fill(actor, svar, world):
    ids = [t.pk for kind in world["tiltak"].values() for t in kind]
    tema = world["temaer"][0]
    services.svar_save(
        actor=actor,
        svar=svar,
        versjon=svar.versjon,
        standpunkter=dict.fromkeys(ids, ("endring", "Tekst")),
        aktoerforslag=[
            {
                "tiltak": pk,
                "organisasjon": None,
                "navn": "X",
                "rolle": "samarbeidspart",
                "begrunnelse": "",
            }
            for pk in ids[: len(ids) // 2]
        ],
        tiltaksforslag=[
            {
                "tema": tema.pk,
                "delmaal": None,
                "satsingsomraade": None,
                "tittel": f"Forslag {i}",
                "hva": "Noko",
                "hvem": "",
                "hvordan": "",
                "maal": "",
                "finansiering": "",
                "langsiktighet": "",
            }
            for i in range(len(ids) // 4)
        ],
    )


def test_the_matrix_covers_every_organisation_page():
    from hoering.urls import svar_patterns

    assert {p.name for p in svar_patterns} == set(DRAFT_MATRIX)


def test_bad_input_in_the_form_is_a_message_never_a_500(client_for, world):
    draft = world["draft"]
    rest = world["tiltak"]["rest"][0]
    client = client_for("member")
    client.raise_request_exception = False
    url = reverse("hoering:svar_edit", args=[draft.pk])
    for extra in (
        {"generelle_merknader": "skjult\x01tegn"},
        {"saksnummer": "x" * 300},
        {
            "aktoer_antall": 1,
            "aktoer-0-tiltak": "9" * 40,
            "aktoer-0-organisasjon": "9" * 40,
            "aktoer-0-navn": "X",
            "aktoer-0-rolle": "samarbeidspart",
        },
        {
            "aktoer_antall": 1,
            "aktoer-0-tiltak": rest.pk,
            "aktoer-0-organisasjon": "9" * 18,
            "aktoer-0-rolle": "samarbeidspart",
        },
        {
            "forslag_antall": 1,
            "forslag-0-tema": "abc",
            "forslag-0-tittel": "T",
            "forslag-0-hva": "H",
        },
        {f"sp-{rest.pk}": "nonsense"},
        {"versjon": "9" * 40},
    ):
        data = {"versjon": draft.versjon, **extra}
        response = client.post(url, data)
        assert response.status_code in (400, 409), (extra, response.status_code)
    draft.refresh_from_db()
    assert draft.generelle_merknader == "Hemmeleg utkast"
