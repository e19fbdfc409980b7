"""Reading the sheet: the header row matched to the format's columns, then the data rows as
{header: raw value}, and the cell values as text and numbers. Formulas and Excel errors are
errors of their cell; more than MAX_DATA_ROWS rows stops the reading."""

from __future__ import annotations

import re
from datetime import date, datetime

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from partnerskap.selectors import fold
from tiltak.exports import COL_ID, COL_NR, COL_TEMA, COL_TILTAK, HEADERS, clean_text

from .types import ImportIssue, ImportPreview, Unreadable

MAX_DATA_ROWS = 5000
# Rows read at all, empty ones included, before giving up (formatted empty rows cost time too).
MAX_SHEET_ROWS = 4 * MAX_DATA_ROWS
MAX_COLUMNS = 60
# Errors listed; the rest are counted.
MAX_ERRORS = 100
REQUIRED_COLUMNS = (COL_ID, COL_TEMA, COL_NR, COL_TILTAK)


def norm(value: str | None) -> str:
    """For comparing names: as a cell holds it (clean_text), whitespace collapsed, case folded
    (partnerskap.selectors.fold, as organisation names are compared)."""
    return fold(clean_text(value))


def stored_text(value: str | None) -> str:
    """A stored text as the file would hold it, for comparing with a cell."""
    return clean_text(value).strip()


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def thousands(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return clean_text(str(value)).strip()


def parse_int(value) -> int | None:
    """None for an empty cell; raises ValueError for anything but a whole number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        return int(value)
    raise ValueError


class Reader:
    """Streams the sheet once: the header, then the data rows as {header: raw value}."""

    def __init__(self, preview: ImportPreview):
        self.preview = preview
        self.columns: dict[str, int] = {}  # header -> 0-based index
        self.header_text: dict[int, str] = {}  # index -> text in row 1

    def error(self, message: str, *, row=None, column=None, index=None) -> None:
        self.preview.error_count += 1
        if len(self.preview.errors) < MAX_ERRORS:
            letter = get_column_letter(index + 1) if index is not None else None
            self.preview.errors.append(ImportIssue(message, row, column, letter))

    def warn(self, message: str, *, row=None, column=None, index=None) -> None:
        letter = get_column_letter(index + 1) if index is not None else None
        if len(self.preview.warnings) < MAX_ERRORS:
            self.preview.warnings.append(ImportIssue(message, row, column, letter))

    def column_name(self, index: int) -> str | None:
        return self.header_text.get(index) or None

    def read(self, ws) -> list[tuple[int, dict[str, object]]]:
        # The <dimension> a file claims may be wrong; trusting it could silently drop rows.
        ws.reset_dimensions()
        rows = ws.iter_rows(min_row=1, max_col=MAX_COLUMNS)
        header = next(rows, None)
        if header is None or all(is_blank(c.value) for c in header):
            raise Unreadable(_("The sheet is empty: row 1 must hold the column headers."))
        self._read_header(header)
        data_rows: list[tuple[int, dict[str, object]]] = []
        # Rows come in order from row 1, missing ones filled in, so the count is the row number.
        for row_number, cells in enumerate(rows, start=2):
            if row_number > MAX_SHEET_ROWS:
                raise Unreadable(
                    _("The sheet has more than %(max)s rows. Nothing was read.")
                    % {"max": thousands(MAX_SHEET_ROWS)}
                )
            values = self._read_row(row_number, cells)
            if values is None:
                continue
            if len(data_rows) >= MAX_DATA_ROWS:
                raise Unreadable(
                    _(
                        "The file has more than %(max)s rows of measures (row %(row)s is one "
                        "too many). Nothing was read; split the file."
                    )
                    % {"max": thousands(MAX_DATA_ROWS), "row": row_number}
                )
            data_rows.append((row_number, values))
        return data_rows

    def _read_row(self, row_number: int, cells) -> dict[str, object] | None:
        """The row's values by header; None when the row is empty."""
        values: dict[str, object] = {}
        empty = True
        for index, cell in enumerate(cells):
            value = cell.value
            if is_blank(value):
                continue
            empty = False
            if cell.data_type == "f":
                self.error(
                    _(
                        "the cell holds a formula. Formulas are not imported: copy the column "
                        "and paste it back as values."
                    ),
                    row=row_number,
                    column=self.column_name(index),
                    index=index,
                )
                continue
            if cell.data_type == "e":
                self.error(
                    _("the cell holds the Excel error %(error)s.") % {"error": value},
                    row=row_number,
                    column=self.column_name(index),
                    index=index,
                )
                continue
            name = self.header_text.get(index)
            if name is not None and self.columns.get(name) == index:
                values[name] = value
        return None if empty else values

    def _read_header(self, header) -> None:
        known = {norm(h): h for h in HEADERS}
        seen: dict[str, int] = {}
        for index, cell in enumerate(header):
            value = cell.value
            if is_blank(value):
                continue
            if cell.data_type == "f":
                self.error(_("the header is a formula; write the column name."), row=1, index=index)
                continue
            text = cell_text(value)
            name = known.get(norm(text))
            if name is None:
                self.header_text[index] = text
                self.warn(
                    _("the column “%(name)s” is not part of the format and is ignored.")
                    % {"name": text},
                    row=1,
                    index=index,
                )
                continue
            self.header_text[index] = name
            if name in seen:
                self.error(
                    _("the column appears twice (also column %(other)s).")
                    % {"other": get_column_letter(seen[name] + 1)},
                    row=1,
                    column=name,
                    index=index,
                )
                continue
            seen[name] = index
        self.columns = seen
        missing = [name for name in REQUIRED_COLUMNS if name not in seen]
        for name in missing:
            self.error(
                _(
                    "the column is missing. Row 1 must hold the headers %(headers)s (the "
                    "programme's export has them all)."
                )
                % {"headers": ", ".join(REQUIRED_COLUMNS)},
                column=name,
            )
        if missing or self.preview.error_count:
            raise Unreadable(None)
