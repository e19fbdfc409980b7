"""Downloads of the «Ansvar» lists and the search results (tiltak/exports_lists.py): the .xlsx
opened with openpyxl and the CSV parsed as Norwegian Excel reads it (UTF-8 with BOM, semicolons),
row by row and column by column; visibility and the guard as on the pages; formula-safe cells;
and what the print stylesheet is given to work with."""

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import AnsvarFactory, HandlingsprogramFactory, TemaFactory, TiltakFactory
from tests.tiltak.group_helpers import build_world
from tiltak.exports_lists import csv_cell
from tiltak.models import ProgramStatus, Rolle
from tiltak.views.browse import SEARCH_PAGE_SIZE

pytestmark = pytest.mark.django_db

HOST = "http://testserver"
ANSVAR_HEADERS = [
    "Programme",
    "Theme",
    "Sub-goal",
    "Priority area",
    "Prioritised action",
    "No.",
    "Measure",
    "Description",
    "Instrument",
    "Role",
    "Through groups",
    "Lead responsibility",
    "Collaborators",
    "Type",
    "Status",
    "Start year",
    "End year",
    "Funding",
    "Expected result",
    "Link",
]
SEARCH_HEADERS = [h for h in ANSVAR_HEADERS if h not in ("Role", "Through groups")]


@pytest.fixture
def world():
    return build_world(size=2)


@pytest.fixture
def client(client):
    """English headers (the language switch's cookie), whatever the catalogues hold."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def xlsx_rows(response) -> list[list]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)]


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads UTF-8
    text = response.content.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def by_title(rows: list[list], headers: list[str]) -> dict[str, dict]:
    return {row[headers.index("Measure")]: dict(zip(headers, row, strict=True)) for row in rows}


# --- «Ansvar» ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_ansvar_download_has_every_row_of_the_page_with_full_texts(client, world, fmt):
    url = world["gol"].get_absolute_url()
    response = client.get(url, {"format": fmt})
    rows = xlsx_rows(response) if fmt == "xlsx" else csv_rows(response)
    assert rows[0] == ANSVAR_HEADERS
    page_rows = [rad for p in client.get(url).context["ansvar"].programmer for rad in p.rader]
    assert [r[ANSVAR_HEADERS.index("Measure")] for r in rows[1:]] == [
        rad.tiltak.tittel for rad in page_rows
    ]
    assert len(rows) == 1 + 6
    cells = by_title(rows[1:], ANSVAR_HEADERS)
    own, nested = world["own"][0], world["via_kommunene"][0]
    assert cells[own.tittel]["Role"] == "Lead responsibility"
    assert cells[own.tittel]["Through groups"] == ""
    assert cells[nested.tittel]["Role"] == ""
    assert cells[nested.tittel]["Through groups"] == (
        "Lead responsibility via Kommunene (through Kommunene i Hallingdal)"
    )
    assert cells[world["via_hallingdal"][0].tittel]["Through groups"] == (
        "Collaborator via Kommunene i Hallingdal"
    )
    # The full description, line break included, and the page to go back to.
    assert cells[own.tittel]["Description"] == own.beskrivelse
    assert "\n" in cells[own.tittel]["Description"]
    assert cells[own.tittel]["Link"] == f"{HOST}{own.get_absolute_url()}"
    assert cells[own.tittel]["Lead responsibility"] == "Gol kommune"
    assert cells[own.tittel]["Collaborators"] == "Part 0; Part 1"
    assert cells[own.tittel]["Theme"] == "3 Vertskapsattraktivitet"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f".{fmt}" in disposition and "Gol%20kommune" in disposition
    assert response["Cache-Control"] == "private, no-store"


def test_ansvar_download_of_one_programme(client, world):
    other = TemaFactory(nummer=5, navn="Kompetanse")
    t = TiltakFactory(tema=other, nummer=1, tittel="I et annet program")
    AnsvarFactory(tiltak=t, organisasjon=world["kommunene"])
    url = world["gol"].get_absolute_url()
    everything = csv_rows(client.get(url, {"format": "csv"}))
    assert len(everything) == 1 + 7
    one = csv_rows(client.get(url, {"format": "csv", "program": other.program.pk}))
    assert [r[ANSVAR_HEADERS.index("Measure")] for r in one[1:]] == ["I et annet program"]
    # The page links each programme's list.
    page = client.get(url).content.decode()
    assert f"format=csv&amp;program={other.program.pk}" in page


def test_downloads_show_drafts_only_to_those_who_may_see_them(client, client_for, users, world):
    draft = world["draft"].program
    draft.eier = users["county"]
    draft.save()
    url = world["gol"].get_absolute_url()
    titles = {r[6] for r in csv_rows(client.get(url, {"format": "csv"}))[1:]}
    assert "Hemmelig utkast for kommunene" not in titles
    planner = client_for("planner")
    titles = {r[6] for r in csv_rows(planner.get(url, {"format": "csv"}))[1:]}
    assert "Hemmelig utkast for kommunene" in titles
    # Asking for the draft's list by id is a 404 for those who may not see it, as its page is.
    assert client.get(url, {"format": "xlsx", "program": draft.pk}).status_code == 404
    assert (
        client_for("other_member").get(url, {"format": "csv", "program": draft.pk}).status_code
        == 404
    )
    assert planner.get(url, {"format": "csv", "program": draft.pk}).status_code == 200
    search = reverse("tiltak:tiltak_search")
    titles = {r[6] for r in csv_rows(client.get(search, {"format": "csv"}))[1:]}
    assert "Hemmelig utkast for kommunene" not in titles and len(titles) == 7
    titles = {r[6] for r in csv_rows(planner.get(search, {"format": "csv"}))[1:]}
    assert "Hemmelig utkast for kommunene" in titles


@pytest.mark.parametrize(
    "url, params",
    [
        ("/organisasjoner/finnes-ikke/", {"format": "csv"}),
        ("/organisasjoner/gol-kommune/", {"format": "pdf"}),
        ("/organisasjoner/gol-kommune/", {"format": "xlsx", "program": "abc"}),
        ("/organisasjoner/gol-kommune/", {"format": "xlsx", "program": "999999"}),
        ("/tiltak/", {"format": "docx"}),
    ],
)
def test_a_download_that_does_not_exist_is_a_404(client, world, url, params):
    assert client.get(url, params).status_code == 404


# --- Search results -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_search_download_has_all_results_with_the_filters_of_the_page(client, fmt):
    build_world(size=SEARCH_PAGE_SIZE // 2)  # 75 results for Gol: more than one page
    params = {"organisasjon": "gol-kommune"}
    page = client.get(reverse("tiltak:tiltak_search"), params)
    assert page.context["count"] == 75 and len(page.context["rows"]) == SEARCH_PAGE_SIZE
    response = client.get(reverse("tiltak:tiltak_search"), {**params, "format": fmt, "side": 2})
    rows = xlsx_rows(response) if fmt == "xlsx" else csv_rows(response)
    assert rows[0] == ANSVAR_HEADERS  # with an organisation: its role in two columns
    assert len(rows) == 1 + 75
    via = [r[ANSVAR_HEADERS.index("Through groups")] for r in rows[1:]]
    assert sorted(set(via)) == [
        "",
        "Collaborator via Kommunene i Hallingdal",
        "Lead responsibility via Kommunene (through Kommunene i Hallingdal)",
    ]
    assert via.count("") == 25
    assert "Measures%20%E2%80%93%20Gol%20kommune" in response["Content-Disposition"]
    # The role narrows the download as it narrows the page.
    collab = client.get(
        reverse("tiltak:tiltak_search"), {**params, "rolle": "samarbeidspart", "format": fmt}
    )
    collab_rows = xlsx_rows(collab) if fmt == "xlsx" else csv_rows(collab)
    assert len(collab_rows) == 1 + 25


def test_search_download_without_organisation_has_no_role_columns(client, world):
    rows = csv_rows(client.get(reverse("tiltak:tiltak_search"), {"format": "csv", "q": "Full"}))
    assert rows[0] == SEARCH_HEADERS
    assert len(rows) == 1 + 6


def test_show_all_results_on_one_page_for_printing(client):
    build_world(size=SEARCH_PAGE_SIZE // 2)
    url = reverse("tiltak:tiltak_search")
    response = client.get(url, {"organisasjon": "gol-kommune"})
    assert len(response.context["rows"]) == SEARCH_PAGE_SIZE
    assert "side=alle" in response.content.decode()
    everything = client.get(url, {"organisasjon": "gol-kommune", "side": "alle"})
    assert len(everything.context["rows"]) == everything.context["count"] == 75
    assert "data-print" in everything.content.decode()


# --- Formula-safe cells -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+47 99 99 99 99", "'+47 99 99 99 99"),
        ("-etablere nettverk", "'-etablere nettverk"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tinnrykk", "'\tinnrykk"),
        ("Øke tilfanget av talenter", "Øke tilfanget av talenter"),
        (2019, "2019"),
        (None, ""),
    ],
)
def test_csv_cells_never_start_a_formula(text, expected):
    assert csv_cell(text) == expected


def test_dangerous_texts_are_text_in_both_files(client):
    tema = TemaFactory(program=HandlingsprogramFactory(status=ProgramStatus.VEDTATT), nummer=1)
    t = TiltakFactory(
        tema=tema,
        nummer=1,
        tittel='=HYPERLINK("http://evil.example","Klikk")',
        beskrivelse="@SUM(1+1)",
        virkemiddel="-prosjektmidler",
    )
    org = AnsvarFactory(tiltak=t, rolle=Rolle.HOVEDANSVAR).organisasjon
    url = org.get_absolute_url()
    [header, row] = csv_rows(client.get(url, {"format": "csv"}))
    cells = dict(zip(header, row, strict=True))
    assert cells["Measure"] == "'" + t.tittel
    assert cells["Description"] == "'@SUM(1+1)"
    assert cells["Instrument"] == "'-prosjektmidler"
    ws = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content)).worksheets[0]
    title = ws.cell(row=2, column=ANSVAR_HEADERS.index("Measure") + 1)
    assert title.value == t.tittel and title.data_type == "s"  # text, not a formula


def test_norwegian_letters_survive_the_csv_as_excel_reads_it(client, world):
    world["gol"].navn = "Ål kommune"
    world["gol"].save()
    raw = client.get(world["gol"].get_absolute_url(), {"format": "csv"}).content
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "Ål kommune".encode() in raw
    assert b";" in raw.splitlines()[0]


# --- Printing -----------------------------------------------------------------------------------


def test_pages_link_the_print_stylesheet_and_carry_descriptions_for_paper(client, world):
    page = client.get(world["gol"].get_absolute_url()).content.decode()
    assert 'href="/static/css/print.css" media="print"' in page
    # The description is on the page for print only (hidden on screen), one per row.
    assert page.count('class="portal-print-only" hidden') == 6
    assert "Full beskrivelse av tiltak 1.<br>Med to linjer." in page
    assert page.count('class="portal-tema portal-print-section"') == 1
    search = client.get(reverse("tiltak:tiltak_search"), {"organisasjon": "gol-kommune"})
    assert search.content.decode().count('class="portal-print-only" hidden') == 6


def test_print_stylesheet_hides_the_chrome_and_shows_descriptions():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "print.css").read_text(encoding="utf-8")
    hidden = css.split("display: none")[0]
    for selector in (".portal-header", ".portal-footer", ".portal-filter", "nav[aria-label]"):
        assert selector in hidden, selector
    assert ".portal-print-only[hidden] {\n  display: block;" in css
    assert ".portal-print-section + .portal-print-section {\n  break-before: page;" in css
    assert "content: attr(href)" not in css  # the addresses of links are not printed
