"""Building and changing .xlsx files for the Excel import tests (openpyxl, in memory)."""

import io
import zipfile
from collections.abc import Callable

from openpyxl import Workbook, load_workbook
from openpyxl.utils import column_index_from_string

from tiltak.exports import HEADERS


def workbook(data: bytes):
    """The workbook in normal (not read-only) mode, to look at cells, styles and settings."""
    return load_workbook(io.BytesIO(data))


def to_bytes(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def edit(data: bytes, change: Callable) -> bytes:
    """The file after `change(ws)` on its first sheet, saved again as Excel would."""
    wb = workbook(data)
    change(wb.worksheets[0])
    return to_bytes(wb)


def make_xlsx(rows: list[list], *, headers: list[str] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(HEADERS) if headers is None else headers)
    for row in rows:
        ws.append(row)
    return to_bytes(wb)


def big_xlsx(n_rows: int) -> bytes:
    """A file with n_rows data rows, written in streaming mode."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Tiltak")
    ws.append(list(HEADERS))
    for i in range(n_rows):
        ws.append(
            [None, "3 Vertskapsattraktivitet", None, None, None, 1000 + i, f"Tiltak {i}"]
            + [None] * 6
        )
    return to_bytes(wb)


def row_of(ws, tiltak_id: int) -> int:
    """The sheet row holding the tiltak with this ID (column A)."""
    for row in range(2, ws.max_row + 1):
        if ws.cell(row=row, column=1).value == tiltak_id:
            return row
    raise AssertionError(f"ID {tiltak_id} is not in the sheet")


def set_cell(ws, tiltak_id: int, column_letter: str, value) -> int:
    row = row_of(ws, tiltak_id)
    cell = ws.cell(row=row, column=column_index_from_string(column_letter))
    cell.value = value  # ws.cell(value=None) would leave the old value
    if isinstance(value, str) and not value.startswith("="):
        cell.data_type = "s"
    return row


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_bomb(unpacked_mb: int) -> bytes:
    """A small zip that looks like a workbook and unpacks to `unpacked_mb` MB of zeros."""
    buffer = io.BytesIO()
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as fh:
            for _ in range(unpacked_mb):
                fh.write(chunk)
    return buffer.getvalue()
