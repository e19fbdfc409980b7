"""Is the upload an .xlsx workbook we may open: size, zip structure and zip-bomb checks, then
opening its sheet (the one called "Tiltak", or the first) in streaming read-only mode."""

from __future__ import annotations

import io
import warnings
import zipfile

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from tiltak.exports import SHEET_TITLE

from .types import Unreadable

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 1000


def check_container(data: bytes) -> None:
    """Raise Unreadable unless `data` is a zip archive holding an .xlsx workbook within the
    limits, judged from the archive's directory before anything is unpacked."""
    if not data:
        raise Unreadable(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise Unreadable(
            _("The file is larger than %(mb)s MB. Split it or remove what is not needed.")
            % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
        )
    not_xlsx = _(
        "The file is not an Excel workbook (.xlsx). Open it in Excel and save it as "
        "“Excel Workbook (.xlsx)”, or start from the programme's export."
    )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise Unreadable(not_xlsx)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            names = {info.filename for info in entries}
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError) as exc:
        raise Unreadable(not_xlsx) from exc
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise Unreadable(not_xlsx)
    if len(entries) > MAX_ZIP_ENTRIES or sum(i.file_size for i in entries) > MAX_UNPACKED_BYTES:
        raise Unreadable(
            _("The file unpacks to too much data to be a programme. Nothing was read.")
        )


def open_sheet(data: bytes):
    """(workbook, sheet) opened in streaming read-only mode; the caller closes the workbook.
    Raise Unreadable when openpyxl cannot open it or it has no sheet."""
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (data validation, conditional formats).
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any failure to read means "not a workbook"
        raise Unreadable(
            _(
                "The file could not be read as an Excel workbook (.xlsx). Save it again from "
                "Excel as “Excel Workbook (.xlsx)”."
            )
        ) from exc
    sheets = wb.worksheets
    if not sheets:
        wb.close()
        raise Unreadable(_("The workbook has no sheets."))
    ws = next((s for s in sheets if s.title == SHEET_TITLE), sheets[0])
    return wb, ws
