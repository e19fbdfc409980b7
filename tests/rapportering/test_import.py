"""Import of indicator values from .csv/.xlsx as a statistics bank exports them: each kind of
error names its row and column and nothing is written; duplicates of stored values are replaced
or kept only by explicit choice; the apply is atomic and refuses a stale preview; the pending
file waits in Django's storage under the app's own prefix."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partnerskap.errors import Conflict, ServiceError
from partnerskap.models import OrganisasjonType
from rapportering.models import Indikatorverdi
from rapportering.services.importer import KEEP, REPLACE, values_apply, values_preview
from rapportering.views.importer import PENDING_PREFIX
from tests.factories import OrganisasjonFactory, RegionFactory

from .helpers import world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(users):
    data = world(users)
    RegionFactory(navn="Ringerike")
    OrganisasjonFactory(navn="Drammen kommune", slug="drammen", type=OrganisasjonType.KOMMUNE)
    return data


def preview(users, w, text: str | bytes):
    data = text.encode("utf-8-sig") if isinstance(text, str) else text
    return values_preview(actor=users["planner"], indikator=w["indikator"], data=data)


def messages(p):
    return [(i.row, i.column, i.message) for i in p.errors]


def test_ssb_csv_with_bom_semicolons_decimal_comma_and_missing_figures(users, w):
    text = (
        '"11615: Sysselsatte (prosent)"\n'
        '"region";"statistikkvariabel";"år";"Sysselsatte"\n'
        '"Hallingdal";"Sysselsatte";"2019";"79,2"\n'
        '"3005 Drammen (2020-2023)";"Sysselsatte";"2019";"77,4"\n'
        '"Buskerud";"Sysselsatte";"2019";"77,0"\n'
        '"Ringerike";"Sysselsatte";"2017";".."\n'
        '"Ringerike";"Sysselsatte";"2018";":"\n'
    )
    p = preview(users, w, text)
    assert p.ok, messages(p)
    got = {(r.aar, r.sted, r.verdi) for r in p.new}
    assert got == {
        (2019, "Hallingdal", Decimal("79.2")),
        (2019, "Drammen kommune", Decimal("77.4")),
        (2019, "", Decimal("77.0")),
    }
    assert [(m.row, m.column) for m in p.missing] == [(6, "Sysselsatte"), (7, "Sysselsatte")]


def test_comma_separated_wide_layout_and_xlsx(users, w):
    p = preview(users, w, "region,2017,2018\nHallingdal,75.0,75.5\n,76.1,76.6\n")
    assert p.ok, messages(p)
    assert len(p.new) == 3 and len(p.unchanged) == 1  # 2018 whole area is stored as 76.6
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["år", "region", "verdi", "merknad"])
    sheet.append([2019, "Ringerike", 74.9, "Foreløpig tall"])
    buffer = io.BytesIO()
    book.save(buffer)
    p = preview(users, w, buffer.getvalue())
    assert p.ok, messages(p)
    assert [(r.aar, r.sted, r.verdi, r.merknad) for r in p.new] == [
        (2019, "Ringerike", Decimal("74.9"), "Foreløpig tall")
    ]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("år;verdi\n2019;sju\n", (2, "verdi", "“sju” is not a number.")),
        (
            "år;region;verdi\n2019;Atlantis;3\n",
            (2, "region", "“Atlantis” is not a known region or municipality."),
        ),
        ("år;verdi\n1850;3\n", (2, "år", "Year 1850 is out of range")),
        ("år;verdi\n2999;3\n", (2, "år", "Year 2999 is out of range")),
        ("år;verdi\n2019K1;3\n", (2, "år", "“2019K1” is not a year.")),
        ("år;verdi\n2019;3\n2019;4\n", (3, "år", "2019 for the whole area is already in row 2.")),
        ("år;verdi\n2019;1,23456\n", (2, "verdi", "has more than 4 decimals")),
    ],
    ids=[
        "not-a-number",
        "unknown-region",
        "year-too-early",
        "year-in-future",
        "not-a-year",
        "duplicate-in-file",
        "too-many-decimals",
    ],
)
def test_each_kind_of_error_names_row_and_column_and_nothing_is_written(users, w, text, expected):
    before = Indikatorverdi.objects.count()
    p = preview(users, w, text)
    assert not p.ok
    row, column, message = expected
    assert any(r == row and c == column and message in m for r, c, m in messages(p)), messages(p)
    with pytest.raises(ServiceError):
        values_apply(
            actor=users["planner"],
            indikator=w["indikator"],
            data=text.encode(),
            fingerprint=p.fingerprint,
            duplicates=None,
        )
    assert Indikatorverdi.objects.count() == before


@pytest.mark.parametrize(
    "data,message",
    [
        (b"\x00\x01\x02binary", "neither a .csv"),
        (b"PK\x03\x04not really a zip", "not an Excel workbook"),
        ("bare én kolonne\n1\n".encode(), "no header row"),
        (b"region;verdi\nHallingdal;3\n", "no year column"),
    ],
)
def test_unreadable_files(users, w, data, message):
    p = preview(users, w, data)
    assert not p.ok and message in p.errors[0].message


def test_duplicates_of_stored_values_need_an_explicit_choice(users, w):
    data = "år;verdi\n2018;80\n2019;81\n".encode()
    p = values_preview(actor=users["planner"], indikator=w["indikator"], data=data)
    assert [(d.row.aar, d.stored.verdi, d.row.verdi) for d in p.duplicates] == [
        (2018, Decimal("76.6000"), Decimal("80"))
    ]
    with pytest.raises(ValidationError) as exc:
        values_apply(
            actor=users["planner"],
            indikator=w["indikator"],
            data=data,
            fingerprint=p.fingerprint,
            duplicates=None,
        )
    assert "duplikater" in exc.value.message_dict
    assert Indikatorverdi.objects.filter(indikator=w["indikator"]).count() == 1

    created, replaced = values_apply(
        actor=users["planner"],
        indikator=w["indikator"],
        data=data,
        fingerprint=p.fingerprint,
        duplicates=KEEP,
    )
    assert (created, replaced) == (1, 0)
    assert Indikatorverdi.objects.get(indikator=w["indikator"], aar=2018).verdi == Decimal("76.6")

    p = values_preview(actor=users["planner"], indikator=w["indikator"], data=data)
    created, replaced = values_apply(
        actor=users["planner"],
        indikator=w["indikator"],
        data=data,
        fingerprint=p.fingerprint,
        duplicates=REPLACE,
        filename="ssb.csv",
    )
    assert (created, replaced) == (0, 1)
    verdi = Indikatorverdi.objects.get(indikator=w["indikator"], aar=2018)
    assert verdi.verdi == Decimal("80")
    assert verdi.history.first().history_change_reason == "Imported from ssb.csv"


def test_a_stale_preview_is_refused(users, w):
    data = "år;verdi\n2019;81\n".encode()
    p = values_preview(actor=users["planner"], indikator=w["indikator"], data=data)
    Indikatorverdi.objects.create(indikator=w["indikator"], aar=2017, verdi=1)
    with pytest.raises(Conflict):
        values_apply(
            actor=users["planner"],
            indikator=w["indikator"],
            data=data,
            fingerprint=p.fingerprint,
            duplicates=None,
        )
    assert not Indikatorverdi.objects.filter(aar=2019).exists()


def test_only_the_programmes_planners_may_import(users, w):
    for role in ("member", "other_planner", "board"):
        with pytest.raises(PermissionDenied):
            values_preview(actor=users[role], indikator=w["indikator"], data=b"aar;verdi\n")


def _pending_files():
    try:
        return default_storage.listdir(PENDING_PREFIX)[1]
    except FileNotFoundError:
        return []


def test_the_pages_upload_preview_choose_and_apply(users, client_for, w, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    client = client_for("planner")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    indikator = w["indikator"]
    upload_url = reverse("rapportering:values_import", args=[indikator.pk])
    bad = SimpleUploadedFile("feil.csv", "år;verdi\n2019;sju\n".encode())
    response = client.post(upload_url, {"fil": bad})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Row 2" in page and "“sju” is not a number." in page
    assert _pending_files() == []

    good = SimpleUploadedFile("ssb.csv", "\ufeffår;verdi\n2018;80,5\n2019;81\n".encode())
    response = client.post(upload_url, {"fil": good})
    assert response.status_code == 302
    assert len(_pending_files()) == 1
    preview_url = reverse("rapportering:values_import_preview", args=[indikator.pk])
    page = client.get(preview_url).content.decode()
    assert "Values already stored" in page and "80.5" in page
    assert Indikatorverdi.objects.filter(indikator=indikator).count() == 1

    fingerprint = page.split('name="fingerprint" value="')[1].split('"')[0]
    response = client.post(preview_url, {"fingerprint": fingerprint, "bekreft": "1"})
    assert response.status_code == 400  # no choice made for the stored value
    assert Indikatorverdi.objects.filter(indikator=indikator).count() == 1

    response = client.post(
        preview_url, {"fingerprint": fingerprint, "duplikater": REPLACE, "bekreft": "1"}
    )
    assert response.status_code == 302
    values = dict(Indikatorverdi.objects.filter(indikator=indikator).values_list("aar", "verdi"))
    assert values == {2018: Decimal("80.5"), 2019: Decimal("81")}
    assert _pending_files() == []


def test_cancel_discards_the_pending_file(users, client_for, w, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    client = client_for("planner")
    indikator = w["indikator"]
    client.post(
        reverse("rapportering:values_import", args=[indikator.pk]),
        {"fil": SimpleUploadedFile("a.csv", b"aar;verdi\n2019;1\n")},
    )
    assert len(_pending_files()) == 1
    response = client.post(
        reverse("rapportering:values_import_preview", args=[indikator.pk]), {"avbryt": "1"}
    )
    assert response.status_code == 302
    assert _pending_files() == []
    assert not Indikatorverdi.objects.filter(aar=2019).exists()


def test_manual_entry_validates(users, client_for, w, settings):
    client = client_for("planner")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("rapportering:verdi_create", args=[w["indikator"].pk])
    response = client.post(url, {"verdi-aar": "2018", "verdi-verdi": "1,5"})
    assert response.status_code == 400
    assert "there is already a value for 2018" in response.content.decode()
    response = client.post(url, {"verdi-aar": "2019", "verdi-verdi": "mye"})
    assert response.status_code == 400 and "is not a number" in response.content.decode()
    response = client.post(
        url,
        {
            "verdi-aar": "2019",
            "verdi-verdi": "77,25",
            "verdi-region": w["region"].pk,
            "verdi-merknad": "Fra SSB",
        },
    )
    assert response.status_code == 302
    verdi = Indikatorverdi.objects.get(aar=2019)
    assert verdi.verdi == Decimal("77.25") and verdi.region == w["region"]
    assert verdi.registrert_av == users["planner"]
    page = client.get(w["indikator"].get_absolute_url()).content.decode()
    assert "77.25" in page and "Hallingdal" in page
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert "77,25" in client.get(w["indikator"].get_absolute_url()).content.decode()
