"""The annual report (rapportering/aarsrapport): seed 003 reproduced from the spreadsheet through
the list import, the report's tables on a built programme, the PDF and the .xlsx opened, the
JSON API, the permission matrix and the query budget."""

import io
import subprocess
import tempfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from rapportering.aarsrapport.selectors import annual_report, as_json, tables
from rapportering.aarsrapport.synthetic import build_report_programme
from tests.budgets import assert_same_queries, count_queries
from tiltak.models import Handlingsprogram, ProgramStatus, Tiltak

pytestmark = pytest.mark.django_db

# Seed 003, «De innrapporterte tiltakene fordeler seg på de ulike kategoriene slik» (Kategori,
# Totalt, Område 1, 2, 3), copied from the published table.
SEED_TYPE_TABLE = {
    "FoU": (35, 6, 26, 3),
    "Kurs/utdanning": (28, 7, 10, 11),
    "Råd/utvalg/nettverk": (28, 21, 4, 3),
    "Prosjekt": (15, 6, 5, 4),
    "Informasjon": (11, 4, 4, 3),
    "Arrangement": (12, 2, 10, 0),
}
# Seed 003, the text and the «Antall totalt» column of Vedlegg 2.
SEED_PER_DELMAAL = {
    "1.1": 1, "1.2": 19, "1.3": 8, "1.4": 18,
    "2.1": 18, "2.2": 24, "2.3": 11, "2.4": 3, "2.5": 1, "2.6": 2,
    "3.1": 5, "3.2": 3, "3.3": 5, "3.4": 3, "3.5": 3, "3.6": 5,
}  # fmt: skip
# «Hovedinnsatsområde 1 har fire delmål og 46 tiltak», «2 har seks delmål og 59», «3 … 24».
SEED_PER_OMRAADE = {"1": 46, "2": 59, "3": 24}
# «Delmål med færre enn fem tiltak»: 1.1; 2.4, 2.5, 2.6; «Tre delmål» in area 3: 3.2, 3.4, 3.5.
SEED_FEWER_THAN_FIVE = ["1.1", "2.4", "2.5", "2.6", "3.2", "3.4", "3.5"]


@pytest.fixture
def kompetanse(db):
    call_command("load_demo_kompetanse", verbosity=0)
    return Handlingsprogram.objects.get(navn="Nasjonal kompetansepolitisk strategi")


def test_seed_003_reproduced_from_the_spreadsheet(kompetanse, client):
    assert Tiltak.objects.filter(program=kompetanse).count() == 129
    data = client.get(reverse("api:aarsrapport-aar", args=[kompetanse.pk, 2018])).json()
    assert data["antall_tiltak"] == 129
    assert {
        label: (sum(by_area.values()), by_area["1"], by_area["2"], by_area["3"])
        for label, by_area in data["type_x_toppnivaa"].items()
    } == SEED_TYPE_TABLE
    assert data["per_delmaal"] == SEED_PER_DELMAAL
    assert data["per_toppnivaa"] == SEED_PER_OMRAADE
    assert [d["nummer"] for d in data["delmaal_faerre_enn"]["delmaal"]] == SEED_FEWER_THAN_FIVE
    assert len(kompetanse.temaer.all()) == 3
    # Idempotent: loading again changes nothing.
    call_command("load_demo_kompetanse", verbosity=0)
    assert Tiltak.objects.filter(program__navn=kompetanse.navn).count() == 129


@pytest.fixture
def built(users):
    return build_report_programme(eier=users["county"], factor=1)


def test_tables_status_change_collaboration_and_indicators(built):
    report = annual_report(programme=built, year=2022, threshold=3)
    assert report.total == 13
    # 13 tiltak over 6 delmål in turn: 3, 2, 2, 2, 2, 2.
    assert [(r.key, r.antall) for r in report.per_delmaal] == [
        ("1.1", 3), ("1.2", 2), ("2.1", 2), ("2.2", 2), ("3.1", 2), ("3.2", 2),
    ]  # fmt: skip
    assert [r.key for r in report.faa_tiltak] == ["1.2", "2.1", "2.2", "3.1", "3.2"]
    # Status: tiltak 3, 7, 11 have no report, tiltak 0 and 7 drafts (not counted).
    counted = [i for i in range(13) if i % 4 != 3 and i % 7 != 0]
    assert sum(n for k, n in report.status.items() if k != "ikke_rapportert") == len(counted)
    assert report.status["ikke_rapportert"] == 13 - len(counted)
    assert report.forrige is not None and report.forrige.aar == 2021
    assert sum(report.forrige.status.values()) == 13
    # Collaboration: every tiltak but those with i % 5 == 0 (0, 5, 10) has collaborators.
    assert report.samarbeid.med_samarbeidspart == 10
    assert report.samarbeid.prosent == "77 %"
    assert report.samarbeid.hovedansvar[0].antall == 3  # 6 orgs, 13 tiltak: org 0 leads 0, 6, 12
    assert (
        report.samarbeid.par and report.samarbeid.par[0].antall >= report.samarbeid.par[-1].antall
    )
    (ind,) = report.indikatorer
    assert (ind.verdi_aar, float(ind.verdi), float(ind.maal), ind.maal_naadd) == (
        2022,
        54,
        55,
        False,
    )
    data = as_json(report)
    assert data["endring_fra_forrige_aar"]["aar"] == 2021
    assert data["indikatorer"][0]["eksempelverdier"] is True
    assert data["delmaal_faerre_enn"]["grense"] == 3
    # 2021 has no previous round.
    assert annual_report(programme=built, year=2021).forrige is None


def _pdf_text(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(data)
        fh.flush()
        return subprocess.run(
            ["pdftotext", "-layout", fh.name, "-"], capture_output=True, text=True, check=True
        ).stdout


def test_pdf_has_every_table_page_numbers_charts_and_bookmarks(kompetanse, client):
    response = client.get(reverse("aarsrapport:pdf", args=[kompetanse.pk, 2018]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.pages[0].mediabox.width == pytest.approx(595.3, abs=1)  # A4
    text = _pdf_text(response.content)
    report = annual_report(programme=kompetanse, year=2018)
    titles = [t.title for t in tables(report)]
    for title in titles:
        assert title in text
    pages = len(reader.pages)
    for n in range(2, pages + 1):
        assert f"{n} / {pages}" in text
    # The type table's row for FoU and the totals as the seed publishes them.
    assert any(line.split()[:5] == ["FoU", "35", "6", "26", "3"] for line in text.splitlines())
    # Charts: vector drawings with their text (svg.fonttype none) on the first table's page.
    type_page = next(
        i for i, p in enumerate(reader.pages) if "Kurs/utdanning" in (p.extract_text() or "")
    )
    contents = reader.pages[type_page].get_contents().get_data()
    assert contents.count(b" re") + contents.count(b" l\n") > 20
    bookmarks = [o.title for o in reader.outline if not isinstance(o, list)]
    nested = [o.title for o in next(o for o in reader.outline if isinstance(o, list))]
    assert bookmarks[0].startswith("Årsrapport 2018") or bookmarks[0].startswith(
        "Annual report 2018"
    )
    assert nested == titles


def test_xlsx_has_one_sheet_per_table(kompetanse, client):
    response = client.get(reverse("aarsrapport:xlsx", args=[kompetanse.pk, 2018]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    report = annual_report(programme=kompetanse, year=2018)
    assert len(wb.sheetnames) == len(tables(report))
    ws = wb[wb.sheetnames[0]]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[2][:5] == ("FoU", 35, 6, 26, 3)
    assert rows[-1][:5][1:] == (129, 46, 59, 24)
    per_delmaal = {r[0]: r[2] for r in list(wb[wb.sheetnames[1]].iter_rows(values_only=True))[2:-1]}
    assert per_delmaal == SEED_PER_DELMAAL


def test_page_shows_charts_with_tables_and_threshold(kompetanse, client):
    url = reverse("aarsrapport:page", args=[kompetanse.pk, 2018])
    html = client.get(url, {"faerre_enn": 4}).content.decode()
    assert html.count("<svg") == 3
    assert 'role="img"' in html and "<title id=" in html and "<desc id=" in html
    assert 'style="' not in html.split("<svg", 1)[1]  # the CSP forbids inline styles
    assert "fewer than 4" in html.lower() or "færre enn 4" in html.lower()
    response = client.get(url, {"faerre_enn": "mange"})
    assert response.status_code == 200
    assert "1" in response.content.decode() and response.context["message"]
    api = client.get(
        reverse("api:aarsrapport-aar", args=[kompetanse.pk, 2018]), {"faerre_enn": "0"}
    )
    assert api.status_code == 400 and "faerre_enn" in api.json()
    assert client.get(reverse("aarsrapport:page", args=[kompetanse.pk, 2030])).status_code == 404


@pytest.mark.parametrize(
    "role,public,draft",
    [
        ("anonymous", 200, 404),
        ("administrator", 200, 200),
        ("planner", 200, 200),
        ("other_planner", 200, 404),
        ("member", 200, 404),
        ("other_member", 200, 404),
        ("board", 200, 200),
    ],
)
def test_permission_matrix(users, client_for, role, public, draft):
    adopted = build_report_programme(eier=users["county"], name="Offentlig")
    utkast = build_report_programme(
        eier=users["county"], status=ProgramStatus.UTKAST, name="Utkast"
    )
    client = client_for(role)
    for programme, expected in ((adopted, public), (utkast, draft)):
        for name in ("aarsrapport:page", "aarsrapport:pdf", "aarsrapport:xlsx"):
            if name != "aarsrapport:page" and role not in ("anonymous", "planner"):
                continue  # the files share the page's lookup; two roles keep the test quick
            url = reverse(name, args=[programme.pk, 2022])
            assert client.get(url).status_code == expected, (name, programme.navn, role)
        api = client.get(reverse("api:aarsrapport-aar", args=[programme.pk, 2022]))
        assert api.status_code == expected, ("api", programme.navn, role)


def test_query_budget_constant_for_a_10x_programme(users, client_for):
    small = build_report_programme(eier=users["county"], factor=1, name="Liten")
    large = build_report_programme(eier=users["county"], factor=10, name="Stor")
    client = client_for("planner")
    counts = {}
    for label, p in (("small", small), ("large", large)):
        counts[label] = {
            "page": count_queries(client, reverse("aarsrapport:page", args=[p.pk, 2022])),
            "api": count_queries(client, reverse("api:aarsrapport-aar", args=[p.pk, 2022])),
            "xlsx": count_queries(client, reverse("aarsrapport:xlsx", args=[p.pk, 2022])),
        }
    n_small = Tiltak.objects.filter(program=small).count()
    n_large = Tiltak.objects.filter(program=large).count()
    assert_same_queries(
        counts["small"],
        counts["large"],
        ceiling={"page": 25, "api": 20, "xlsx": 20},
        sizes=dict.fromkeys(counts["small"], (n_small, n_large)),
    )
