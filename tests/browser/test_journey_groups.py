"""Regionrådet for Hallingdal's «Ansvar» in a real browser: what reaches it through
«Regionrådene» and «Kommuneregionene», the list downloaded as .xlsx and CSV from the page's own
links, and the page as printed (print.css) — with axe-core."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, save_screenshot
from tests.browser.test_journey_foundation import HALLINGDAL, HALLINGDAL_SLUG, row_numbered

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSVAR = f"/organisasjoner/{HALLINGDAL_SLUG}/"
# Its own: 3.23, 3.36 (lead), 4.6; through its groups only: 3.8, 3.2, 3.19, 3.40, 6.13, 6.18, 7.32.
OWN = ["3.23", "3.36", "4.6"]
THROUGH_GROUPS = ["3.8", "3.2", "3.19", "3.40", "6.13", "6.18", "7.32"]


def _download(page, link) -> bytes:
    with page.expect_download() as info:
        link.click()
    return open(info.value.path(), "rb").read()


def test_hallingdal_sees_what_reaches_it_through_its_groups(page, demo_data):
    page.goto(ANSVAR)
    expect(page.get_by_role("heading", level=1)).to_have_text(HALLINGDAL)
    main = page.locator("main")
    expect(main.get_by_role("link", name="Regionrådene", exact=True).first).to_be_visible()
    expect(main.get_by_role("link", name="Kommuneregionene", exact=True).first).to_be_visible()
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(len(OWN) + len(THROUGH_GROUPS))
    expect(page.locator("main tr[data-via-gruppe]")).to_have_count(len(THROUGH_GROUPS))
    for nummer in THROUGH_GROUPS:
        expect(row_numbered(rows, nummer).locator("li[data-via]")).not_to_have_count(0)
    expect(row_numbered(rows, "3.8").locator('li[data-via="regionradene"]')).to_have_count(1)
    expect(row_numbered(rows, "6.18").locator('li[data-via="kommuneregionene"]')).to_have_count(1)
    # 3.23: its own lead, and a collaborator through «Regionrådene».
    row = row_numbered(rows, "3.23")
    expect(row.locator(".ds-tag")).to_have_count(1)
    expect(row.locator('li[data-via="regionradene"]')).to_have_count(1)
    save_screenshot(page, "ansvar-groups")
    assert_accessible(page)


def test_the_lists_download_as_excel_and_csv_from_the_page(page, demo_data):
    page.goto(ANSVAR)
    downloads = page.locator("main .portal-downloads").first
    data = _download(page, downloads.get_by_role("link", name="Excel (.xlsx)"))
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 1 + len(OWN) + len(THROUGH_GROUPS)
    nr = rows[0].index("Nr.")
    assert sorted(r[nr] for r in rows[1:]) == sorted(OWN + THROUGH_GROUPS)

    data = _download(page, downloads.get_by_role("link", name="CSV"))
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert table[0][nr] == "Nr." and len(table) == len(rows)
    assert any("Regionrådene" in cell for row in table for cell in row)

    # The search by organisation downloads its results the same way.
    page.goto(f"/tiltak/?organisasjon={HALLINGDAL_SLUG}&rolle=hovedansvar")
    data = _download(page, page.locator("main .portal-downloads").get_by_role("link", name="CSV"))
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert len(table) == 1 + 6


def test_the_printed_page_is_the_list_with_its_descriptions(page, demo_data):
    page.goto(ANSVAR)
    description = page.locator("main .portal-print-only").first
    expect(description).to_be_hidden()
    page.emulate_media(media="print")
    expect(page.locator(".portal-header")).to_be_hidden()
    expect(page.locator(".portal-footer")).to_be_hidden()
    expect(page.locator("main .portal-downloads").first).to_be_hidden()
    expect(page.locator("main nav")).to_have_count(1)  # the breadcrumbs …
    expect(page.locator("main nav")).to_be_hidden()  # … are not printed
    expect(description).to_be_visible()
    expect(description).to_contain_text(re.compile(r"\w{4,}"))
    page.emulate_media(media="screen")
    expect(description).to_be_hidden()
