"""The sheet's XML read row by row, at a cost bounded by limits instead of by what the file says
about itself.

openpyxl's read-only iteration trusts the file: one unreadable cell value (a number of 5,000
digits, a shared string that is not there, a date that is not a date) raises out of the whole
iteration, a row numbered 1,000,000 makes it yield a million empty rows, and a row of 16,384
cells is parsed in full even when only the first columns are wanted. Here openpyxl's own cell
parser (`WorkSheetParser.parse_cell`, so values are read exactly as openpyxl reads them) is
driven one <row> at a time:

- a cell whose value cannot be read becomes a `Cell` with a `problem` (an error of that cell,
  named by row and column), and the rest of the file is still read;
- at most `max_columns` cells of a row are parsed, and a sheet of more than `max_cells` <c>
  elements is refused before it is parsed (the tags are counted in the bytes);
- rows must come in order, as every spreadsheet program writes them;
- texts lose OOXML's escapes (`_x000D_` is a carriage return, as Excel writes it) and are cut
  to `max_chars` characters, with a problem;
- a stream that breaks (XML that is not well-formed, a bad CRC, data that does not inflate)
  raises Unreadable naming the last row read.

The caller (reader.Reader) turns rows into values; Unreadable (types.py) stops the import with
its message."""

from __future__ import annotations

import contextlib
import re
import zipfile
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext as _
from openpyxl.utils import column_index_from_string, coordinate_to_tuple, get_column_letter
from openpyxl.worksheet._reader import (
    CELL_TAG,
    DATA_TAG,
    FORMULA_TAG,
    INLINE_STRING,
    ROW_TAG,
    VALUE_TAG,
    WorkSheetParser,
)
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from .types import Unreadable

TEXT_TAG = f"{{{SHEET_MAIN_NS}}}t"
RUN_TAG = f"{{{SHEET_MAIN_NS}}}r"
# The data type of a cell whose value could not be read.
BAD = "bad"
OOXML_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")
# The start of a <c> element (a cell), with or without a namespace prefix.
CELL_TAG_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
# A part of the zip archive that fails its CRC or does not inflate.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError)
# ... or is not well-formed XML.
STREAM_ERRORS = (ParseError, *ZIP_ERRORS, OSError, RuntimeError)


@dataclass(frozen=True)
class Cell:
    column: int  # 1-based, as Excel counts
    value: object
    data_type: str  # openpyxl's: n, s, b, d, f, e; or BAD
    problem: str | None = None  # why the value could not be read (or was cut)

    @property
    def letter(self) -> str:
        return get_column_letter(self.column)


def unescape(text: str) -> str:
    """OOXML's escapes in a cell text (ECMA-376 ST_Xstring), as Excel writes them: `_x000D_`
    for a carriage return, `_x005F_` for a literal underscore that starts one."""
    if "_x" not in text:
        return text
    return OOXML_ESCAPE_RE.sub(lambda m: chr(int(m[1], 16)), text)


def thousands(n: int) -> str:
    """12\u00a0345, as Norwegian writes numbers."""
    return f"{n:,}".replace(",", "\u00a0")


def shown(value: object, limit: int = 40) -> str:
    """A value as a message quotes it: never thousands of characters."""
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit]}…"


def damaged_cell() -> str:
    return _(
        "the cell could not be read: the file is damaged. Type the cell again in Excel and "
        "save the file."
    )


class SheetStream:
    """Iterate over `rows()` once; the workbook must stay open meanwhile."""

    def __init__(self, ws, *, max_rows: int, max_columns: int, max_cells: int, max_chars: int):
        self.ws = ws
        self.max_rows = max_rows
        self.max_columns = max_columns
        self.max_cells = max_cells
        self.max_chars = max_chars
        self.last_row = 0  # the last row read, for messages about a damaged stream

    def _parser(self, source) -> WorkSheetParser:
        wb = self.ws.parent
        return WorkSheetParser(
            source,
            self.ws._shared_strings,
            data_only=False,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )

    def damaged(self, detail: str = "") -> Unreadable:
        if self.last_row:
            message = _(
                "The file is damaged: the sheet could not be read after row %(row)s. Open it in "
                "Excel, save it again as “Excel Workbook (.xlsx)” and upload that file."
            ) % {"row": self.last_row}
        else:
            message = _(
                "The file is damaged: its sheet could not be read. Open it in Excel, save it "
                "again as “Excel Workbook (.xlsx)” and upload that file."
            )
        return Unreadable(message, detail)

    def rows(self) -> Generator[tuple[int, list[Cell]], None, None]:
        """(row number, the row's cells within max_columns) in the order of the file, rows
        without cells left out."""
        try:
            self._count_cells()
            with self.ws._get_source() as source:
                yield from self._rows(source)
        except (KeyError, *STREAM_ERRORS) as exc:
            raise self.damaged(repr(exc)) from exc

    def _count_cells(self) -> None:
        """Refuse a sheet with more than max_cells cells before parsing it: counting the <c>
        tags in the bytes costs a fraction of building them. Reading the whole part also checks
        its CRC."""
        count = 0
        carry = b""
        with self.ws._get_source() as source:
            while chunk := source.read(1 << 20):
                data = carry + chunk
                # A tag never spans the cut: it is made at the last "<".
                cut = data.rfind(b"<")
                cut = len(data) if cut < 0 else cut
                count += len(CELL_TAG_RE.findall(data, 0, cut))
                carry = data[cut:]
                if count > self.max_cells:
                    raise Unreadable(
                        _(
                            "The sheet has more than %(max)s cells, more than a programme "
                            "needs. Copy the rows of measures to a new workbook (or delete the "
                            "formatting of empty rows and columns) and upload that."
                        )
                        % {"max": thousands(self.max_cells)}
                    )

    def _rows(self, source) -> Iterator[tuple[int, list[Cell]]]:
        parser = self._parser(source)
        for _event, element in iterparse(source):
            tag = element.tag
            if tag == ROW_TAG:
                number = self._row_number(element)
                if number > self.max_rows:
                    raise Unreadable(
                        _("The sheet has more than %(max)s rows. Nothing was read.")
                        % {"max": thousands(self.max_rows)}
                    )
                cells = self._cells(parser, number, element)
                self.last_row = number
                element.clear()  # the cells read so far are not kept in memory
                if cells:
                    yield number, cells
            elif tag == DATA_TAG:
                return

    def _row_number(self, element) -> int:
        raw = element.get("r")
        if raw is None:
            return self.last_row + 1
        try:
            # Some programs write "3.0"; openpyxl accepts that too.
            as_float = float(raw) if len(raw) < 12 else 0.0
            number = int(as_float) if as_float.is_integer() else 0
        except ValueError:
            number = 0
        if number < 1:
            raise self.damaged(f"row r={raw[:20]!r}")
        if number <= self.last_row:
            raise self.damaged(f"row {number} after row {self.last_row}")
        return number

    def _cells(self, parser: WorkSheetParser, number: int, row) -> list[Cell]:
        parser.row_counter = number
        parser.col_counter = 0
        cells: list[Cell] = []
        previous = 0
        for element in row:
            if element.tag != CELL_TAG:
                continue
            cell = self._cell(parser, element)
            if cell.column <= previous:
                raise self.damaged(f"row {number}: column {cell.column} after {previous}")
            previous = cell.column
            if cell.column > self.max_columns:
                break
            if cell.value is not None or cell.problem:
                cells.append(cell)
        return cells

    def _cell(self, parser: WorkSheetParser, element) -> Cell:
        try:
            if element.get("t") == "inlineStr" and element.find(FORMULA_TAG) is None:
                parsed = self._inline_string(parser, element)
            else:
                parsed = parser.parse_cell(element)
        except (ValueError, IndexError, OverflowError, TypeError, KeyError) as exc:
            return self._unreadable(parser, element, exc)
        value, data_type = parsed["value"], parsed["data_type"]
        column = parsed["column"]
        if data_type == "f" and not isinstance(value, str):
            value = str(getattr(value, "text", "") or "=")  # array and data-table formulas
        if isinstance(value, str) and data_type in ("s", "str", "inlineStr"):
            value = unescape(value)
            if len(value) > self.max_chars:
                return Cell(
                    column,
                    value[: self.max_chars],
                    data_type,
                    _(
                        "the cell holds %(n)s characters; at most %(max)s fit in a cell (as in "
                        "Excel)."
                    )
                    % {
                        "n": thousands(len(value)),
                        "max": thousands(self.max_chars),
                    },
                )
        return Cell(column, value, data_type)

    @staticmethod
    def _inline_string(parser: WorkSheetParser, element) -> dict:
        """What parser.parse_cell gives for an inline string (the export writes every text so),
        without building openpyxl's rich-text objects, which took a third of the time of a
        preview: the text of <t>, then of each run's <t>, as openpyxl's Text.content."""
        reference = element.get("r")
        column = coordinate_to_tuple(reference)[1] if reference else parser.col_counter + 1
        parser.col_counter = column
        node = element.find(INLINE_STRING)
        if node is None:
            return {"column": column, "value": None, "data_type": "inlineStr"}
        parts = []
        for child in node:
            if child.tag == TEXT_TAG:
                parts.append(child.text or "")
            elif child.tag == RUN_TAG:
                parts.append(child.findtext(TEXT_TAG) or "")
        return {"column": column, "value": "".join(parts), "data_type": "s"}

    def _unreadable(self, parser: WorkSheetParser, element, exc: Exception) -> Cell:
        """A cell openpyxl cannot read, as a problem of that cell."""
        reference = element.get("r")
        try:
            column = coordinate_to_tuple(reference)[1] if reference else parser.col_counter + 1
        except (ValueError, TypeError):
            # The column letters may still be readable ("F0Z" is in column F).
            letters = re.match(r"[A-Za-z]{1,3}", reference or "")
            column = parser.col_counter + 1
            if letters:
                with contextlib.suppress(ValueError):
                    column = column_index_from_string(letters[0].upper())
            parser.col_counter = column
            return Cell(column, None, BAD, damaged_cell())
        parser.col_counter = column
        raw = element.findtext(VALUE_TAG) or ""
        data_type = element.get("t", "n")
        if data_type == "s" and isinstance(exc, (IndexError, ValueError)):
            problem = damaged_cell()  # a shared string the file does not have
        elif data_type == "n" and raw.strip().lstrip("+-").isdigit():
            problem = _(
                "the number has %(n)s digits, more than a number in Excel can have. Write the "
                "value again."
            ) % {"n": thousands(len(raw.strip().lstrip("+-")))}
        else:
            problem = _(
                "the cell's value “%(value)s” cannot be read. Write the value again in Excel."
            ) % {"value": shown(raw)}
        return Cell(column, None, BAD, problem)
