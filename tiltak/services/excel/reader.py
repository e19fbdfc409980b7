"""Reading the sheet: the header row matched to the format's columns, then the data rows as
{header: raw value}, and the cell values as text and numbers. Formulas, Excel errors and values
that cannot be read are errors of their cell; control characters are removed from a cell, with
a warning. The cost is bounded (stream.py): at most MAX_SHEET_ROWS rows, MAX_COLUMNS columns,
MAX_CELLS cells and MAX_CELL_CHARS characters in a cell are read, and reading stops at the
MAX_ERRORS-th error."""

from __future__ import annotations

import re
from datetime import date, datetime

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from partnerskap.selectors import fold
from tiltak.exports import (
    COL_ID,
    COL_NR,
    COL_TEMA,
    COL_TILTAK,
    HEADERS,
    XML_ILLEGAL_RE,
    clean_text,
)

from .stream import BAD, Cell, SheetStream, shown, thousands
from .types import ImportIssue, ImportPreview, Unreadable

MAX_DATA_ROWS = 5000
# Rows read at all, empty ones included, before giving up (formatted empty rows cost time too).
MAX_SHEET_ROWS = 4 * MAX_DATA_ROWS
MAX_COLUMNS = 60
# Cells in the whole sheet, empty formatted ones included: 5,000 rows of the export's 14
# columns are 70,000; a sheet just below the limit takes a few seconds to read.
MAX_CELLS = 200_000
# Excel's own limit for the text of a cell.
MAX_CELL_CHARS = 32_767
# Reading stops at this many errors: the first ones are enough to correct the file.
MAX_ERRORS = 100
# Whole numbers read from a cell (IDs, numbers, versions) are below this.
MAX_INT = 10**18
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
    """None for an empty cell; raises ValueError for anything but a whole number below
    MAX_INT."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        if abs(value) >= MAX_INT:
            raise ValueError
        return value
    if isinstance(value, float):
        if value.is_integer() and abs(value) < MAX_INT:
            return int(value)
        raise ValueError
    if isinstance(value, str) and re.fullmatch(r"\s*[0-9]{1,18}\s*", value):
        return int(value)
    raise ValueError


class TooManyErrors(Unreadable):
    """Reading stops: MAX_ERRORS errors are listed already."""


class Reader:
    """Streams the sheet once: the header, then the data rows as {header: raw value}. Collects
    the errors and warnings of the whole import (the matcher reports through it too)."""

    def __init__(self, preview: ImportPreview):
        self.preview = preview
        self.columns: dict[str, int] = {}  # header -> 0-based index
        self.header_text: dict[int, str] = {}  # index -> text in row 1
        # Row -> the format's columns whose cell could not be read (an error already says
        # so; what the matcher would add about the missing value would mislead).
        self.bad_columns: dict[int, set[str]] = {}

    def error(self, message: str, *, row=None, column=None, index=None) -> None:
        self.preview.error_count += 1
        letter = get_column_letter(index + 1) if index is not None else None
        self.preview.errors.append(ImportIssue(message, row, column, letter))
        if self.preview.error_count >= MAX_ERRORS:
            raise TooManyErrors(
                _(
                    "Reading stopped at row %(row)s after %(max)s errors. Correct these and "
                    "upload the file again to see whether there are more."
                )
                % {"row": row or 1, "max": MAX_ERRORS}
            )

    def warn(self, message: str, *, row=None, column=None, index=None) -> None:
        letter = get_column_letter(index + 1) if index is not None else None
        if len(self.preview.warnings) < MAX_ERRORS:
            self.preview.warnings.append(ImportIssue(message, row, column, letter))

    def column_name(self, index: int) -> str | None:
        return self.header_text.get(index) or None

    def read(self, ws) -> list[tuple[int, dict[str, object]]]:
        stream = SheetStream(
            ws,
            max_rows=MAX_SHEET_ROWS,
            max_columns=MAX_COLUMNS,
            max_cells=MAX_CELLS,
            max_chars=MAX_CELL_CHARS,
        )
        rows = stream.rows()
        first = next(rows, None)
        if first is None or first[0] != 1 or all(is_blank(c.value) for c in first[1]):
            rows.close()
            raise Unreadable(_("The sheet is empty: row 1 must hold the column headers."))
        self._read_header(first[1])
        data_rows: list[tuple[int, dict[str, object]]] = []
        for row_number, cells in rows:
            values = self._read_row(row_number, cells)
            if values is None:
                continue
            if len(data_rows) >= MAX_DATA_ROWS:
                rows.close()
                raise Unreadable(
                    _(
                        "The file has more than %(max)s rows of measures (row %(row)s is one "
                        "too many). Nothing was read; split the file."
                    )
                    % {"max": thousands(MAX_DATA_ROWS), "row": row_number}
                )
            data_rows.append((row_number, values))
        return data_rows

    def _cell_error(self, message: str, row_number: int, index: int) -> None:
        name = self.column_name(index)
        if name is not None and self.columns.get(name) == index:
            self.bad_columns.setdefault(row_number, set()).add(name)
        self.error(message, row=row_number, column=name, index=index)

    def _read_row(self, row_number: int, cells: list[Cell]) -> dict[str, object] | None:
        """The row's values by header; None when the row is empty."""
        values: dict[str, object] = {}
        empty = True
        for cell in cells:
            index = cell.column - 1
            value = cell.value
            if cell.problem and cell.data_type == BAD:
                empty = False
                self._cell_error(cell.problem, row_number, index)
                continue
            if is_blank(value):
                continue
            empty = False
            if cell.data_type == "f":
                self._cell_error(
                    _(
                        "the cell holds a formula. Formulas are not imported: copy the column "
                        "and paste it back as values."
                    ),
                    row_number,
                    index,
                )
                continue
            if cell.data_type == "e":
                self._cell_error(
                    _("the cell holds the Excel error %(error)s.") % {"error": shown(value, 20)},
                    row_number,
                    index,
                )
                continue
            name = self.header_text.get(index)
            if name is None or self.columns.get(name) != index:
                continue  # not a column of the format
            if cell.problem:
                self._cell_error(cell.problem, row_number, index)
                continue
            if isinstance(value, str) and XML_ILLEGAL_RE.search(value):
                self.warn(
                    _(
                        "the cell held control characters (invisible characters that cannot "
                        "be stored); they are removed."
                    ),
                    row=row_number,
                    column=name,
                    index=index,
                )
            values[name] = value
        return None if empty else values

    def _read_header(self, header: list[Cell]) -> None:
        known = {norm(h): h for h in HEADERS}
        seen: dict[str, int] = {}
        for cell in header:
            index = cell.column - 1
            value = cell.value
            if cell.problem:
                self.error(cell.problem, row=1, index=index)
                continue
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
                    % {"name": shown(text)},
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
