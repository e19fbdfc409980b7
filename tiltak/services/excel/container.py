"""Is the upload an .xlsx workbook we may open: its kind (an old .xls, a password-protected
workbook, an OpenDocument spreadsheet and a CSV file each get their own message), size, the zip
archive's directory (names, encryption, how much it unpacks to), then opening it in streaming
read-only mode and choosing its sheet: the visible one called "Tiltak", or the first visible
one. A hidden sheet is never read."""

from __future__ import annotations

import io
import posixpath
import warnings
import zipfile

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from tiltak.exports import SHEET_TITLE

from .stream import ZIP_ERRORS
from .types import Unreadable

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# What a file may unpack to is bounded by its size too, so that the cost of reading a file
# grows with what was uploaded: an export unpacks to about 6 times its size, a workbook saved
# by Excel to less.
UNPACK_RATIO = 30
MIN_UNPACKED_ALLOWANCE = 10 * 1024 * 1024
MAX_ZIP_ENTRIES = 1000
# A compound file (OLE2): Excel 97-2003 workbooks and password-protected .xlsx files.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OPENDOCUMENT = b"application/vnd.oasis.opendocument"


def unpack_allowance(size: int) -> int:
    return min(MAX_UNPACKED_BYTES, max(MIN_UNPACKED_ALLOWANCE, UNPACK_RATIO * size))


def _not_xlsx() -> Unreadable:
    return Unreadable(
        _(
            "The file is not an Excel workbook (.xlsx). Open it in Excel and save it as "
            "“Excel Workbook (.xlsx)”, or start from the programme's export."
        )
    )


def _compound_file() -> Unreadable:
    return Unreadable(
        _(
            "The file is an old Excel workbook (.xls) or is protected with a password. Open it "
            "in Excel and save it as “Excel Workbook (.xlsx)” without a password."
        )
    )


def _safe_name(name: str) -> bool:
    """A part name of a workbook: relative, no "..", no drive or backslash."""
    if not name or name.startswith(("/", "\\")) or "\\" in name or ":" in name:
        return False
    return ".." not in posixpath.normpath(name).split("/") and ".." not in name.split("/")


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
    if data.startswith(OLE_MAGIC):
        raise _compound_file()
    if not zipfile.is_zipfile(io.BytesIO(data)):
        if data.startswith(b"PK\x03\x04"):
            raise Unreadable(
                _(
                    "The file is incomplete or damaged (was the download or upload "
                    "interrupted?). Save or download it again and upload the new file."
                )
            )
        raise _not_xlsx()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            names = {info.filename for info in entries}
            mimetype = archive.read("mimetype")[:200] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError) as exc:
        raise _not_xlsx() from exc
    if mimetype.startswith(OPENDOCUMENT):
        raise Unreadable(
            _(
                "The file is an OpenDocument spreadsheet (.ods), not an Excel workbook. Save it "
                "as “Excel 2007-365 (.xlsx)” (in LibreOffice: File → Save As) and upload that."
            )
        )
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise _not_xlsx()
    if len(entries) > MAX_ZIP_ENTRIES or sum(i.file_size for i in entries) > unpack_allowance(
        len(data)
    ):
        raise Unreadable(
            _("The file unpacks to too much data to be a programme. Nothing was read.")
        )
    if len(names) != len(entries) or not all(_safe_name(i.filename) for i in entries):
        raise Unreadable(
            _(
                "The file holds parts with names an Excel workbook does not have (a path that "
                "leads out of the file, or the same name twice). It was not read. Save the "
                "workbook again from Excel."
            )
        )
    if any(i.flag_bits & 0x1 for i in entries) or any(
        i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for i in entries
    ):
        # Encrypted members, or compression Excel does not use.
        raise _unreadable_workbook()


def _unreadable_workbook() -> Unreadable:
    return Unreadable(
        _(
            "The file could not be read as an Excel workbook (.xlsx). Save it again from "
            "Excel as “Excel Workbook (.xlsx)”."
        )
    )


def open_sheet(data: bytes):
    """(workbook, sheet) opened in streaming read-only mode; the caller closes the workbook.
    The sheet is the visible one called "Tiltak", or else the first visible worksheet; chart
    sheets and hidden sheets are never read. Raise Unreadable when openpyxl cannot open the
    file or it has no such sheet."""
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (data validation, conditional formats).
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except ZIP_ERRORS as exc:
        # A part that fails its CRC or does not inflate.
        raise Unreadable(
            _(
                "The file is damaged: its sheet could not be read. Open it in Excel, save it "
                "again as “Excel Workbook (.xlsx)” and upload that file."
            ),
            repr(exc),
        ) from exc
    except Exception as exc:  # noqa: BLE001 - any failure to read means "not a workbook"
        raise Unreadable(*_unreadable_workbook().args, repr(exc)) from exc
    visible = [s for s in wb.worksheets if s.sheet_state == "visible"]
    ws = next((s for s in visible if s.title == SHEET_TITLE), None)
    hidden_tiltak = any(
        s.title == SHEET_TITLE and s.sheet_state != "visible" for s in wb.worksheets
    )
    if ws is None and hidden_tiltak:
        wb.close()
        raise Unreadable(
            _(
                "The sheet “%(name)s” is hidden, and hidden sheets are not imported. Show it "
                "in Excel (right-click a sheet tab, Unhide) and save the file again."
            )
            % {"name": SHEET_TITLE}
        )
    if ws is None and visible:
        ws = visible[0]
    if ws is None:
        wb.close()
        if wb.worksheets or wb.chartsheets:
            raise Unreadable(
                _(
                    "The workbook has no visible sheet with rows (hidden sheets and chart "
                    "sheets are not read)."
                )
            )
        raise Unreadable(_("The workbook has no sheets."))
    return wb, ws
