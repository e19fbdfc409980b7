"""Malformed workbooks, made in code from a valid export: each one a way an upload can be broken,
damaged or hostile. Used by tests/tiltak/test_excel_malformed.py and by
tests/benchmarks/excel_preview.py (timings).

Every function takes the bytes of a valid export of a programme (`tiltak.exports.programme_xlsx`)
and returns the bytes of the broken file."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable

SHEET = "xl/worksheets/sheet1.xml"
WORKBOOK = "xl/workbook.xml"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info.filename) for info in archive.infolist()}


def rezip(entries: dict[str, bytes], *, stored: set[str] = frozenset()) -> bytes:  # type: ignore[assignment]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            kind = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            archive.writestr(name, content, compress_type=kind)
    return buffer.getvalue()


def with_member(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    entries = members(data)
    entries[name] = change(entries[name])
    return rezip(entries)


def sheet_xml(data: bytes) -> bytes:
    return members(data)[SHEET]


def set_raw_cell(xml: bytes, ref: str, raw_cell: bytes) -> bytes:
    """Replace the <c r="ref" …>…</c> element (or the empty <c r="ref" …/>) with `raw_cell`."""
    pattern = re.compile(rb'<c r="' + ref.encode() + rb'"[^>]*?(/>|>.*?</c>)', re.S)
    new, count = pattern.subn(raw_cell, xml, count=1)
    assert count == 1, ref
    return new


def raw_cell(data: bytes, ref: str, cell: bytes) -> bytes:
    return with_member(data, SHEET, lambda xml: set_raw_cell(xml, ref, cell))


# --- The corpus -------------------------------------------------------------------------------


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def truncated_sheet_xml(data: bytes) -> bytes:
    return with_member(data, SHEET, lambda xml: xml[: len(xml) * 2 // 3])


def bad_crc(data: bytes) -> bytes:
    """The sheet stored uncompressed with one byte of its text changed: the zip's CRC no longer
    matches (the XML itself stays well-formed)."""
    entries = members(data)
    out = rezip(entries, stored={SHEET})
    marker = b"<sheetData>"
    at = out.index(marker) + 1
    return out[:at] + b"S" + out[at + 1 :]  # <sheetData> -> <SheetData>: same length


def bad_deflate(data: bytes) -> bytes:
    """Bytes flipped inside the sheet's compressed data: zlib fails or the CRC does."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(SHEET)
    # Local header: 30 bytes plus the name and extra field, then the data.
    name_len, extra_len = struct.unpack(
        "<HH", out[info.header_offset + 26 : info.header_offset + 30]
    )
    start = info.header_offset + 30 + name_len + extra_len
    for i in range(start + info.compress_size // 3, start + info.compress_size // 3 + 16):
        out[i] ^= 0xFF
    return bytes(out)


def shared_string_out_of_range(data: bytes) -> bytes:
    return raw_cell(data, "G2", b'<c r="G2" t="s"><v>99999</v></c>')


def huge_number(data: bytes) -> bytes:
    """A 5,000-digit number in the number cell Nr (Python's int() refuses over 4,300 digits)."""
    return raw_cell(data, "F2", b'<c r="F2" t="n"><v>' + b"9" * 5000 + b"</v></c>")


def huge_number_as_text(data: bytes) -> bytes:
    return raw_cell(data, "A2", b'<c r="A2" t="inlineStr"><is><t>' + b"7" * 5000 + b"</t></is></c>")


def infinite_number(data: bytes) -> bytes:
    return raw_cell(data, "F2", b'<c r="F2" t="n"><v>1E999</v></c>')


def not_a_number(data: bytes) -> bytes:
    return raw_cell(data, "F2", b'<c r="F2" t="n"><v>abc</v></c>')


def bad_date(data: bytes) -> bytes:
    return raw_cell(data, "H2", b'<c r="H2" t="d"><v>not-a-date</v></c>')


def bad_boolean(data: bytes) -> bytes:
    return raw_cell(data, "H2", b'<c r="H2" t="b"><v>yes</v></c>')


def bad_style_index(data: bytes) -> bytes:
    return raw_cell(data, "F2", b'<c r="F2" s="99999" t="n"><v>1</v></c>')


def bad_coordinate(data: bytes) -> bytes:
    return raw_cell(data, "F2", b'<c r="F0Z" t="n"><v>1</v></c>')


def bad_row_number(data: bytes) -> bytes:
    return with_member(data, SHEET, lambda xml: xml.replace(b'<row r="3"', b'<row r="x3"', 1))


def control_character_reference(data: bytes) -> bytes:
    """&#1; is not allowed in XML 1.0: the sheet is not well-formed."""
    return raw_cell(data, "H2", b'<c r="H2" t="inlineStr"><is><t>f&#1;r</t></is></c>')


def formula(data: bytes) -> bytes:
    return raw_cell(data, "H2", b'<c r="H2"><f>1+2</f><v>3</v></c>')


def hidden_sheet(data: bytes) -> bytes:
    """The sheet Tiltak hidden, an empty visible sheet in front of it."""
    entries = members(data)
    # openpyxl declares the relationships' namespace on the root, or (write-only workbooks) on
    # each <sheet>: keep the declaration on both sheets.
    entries[WORKBOOK], found = re.subn(
        rb'<sheet ((?:xmlns:r="[^"]*" )?)name="Tiltak" sheetId="1" state="visible" r:id="rId1"',
        rb'<sheet \1name="Ark1" sheetId="2" state="visible" r:id="rId99"/>'
        rb'<sheet \1name="Tiltak" sheetId="1" state="hidden" r:id="rId1"',
        entries[WORKBOOK],
    )
    assert found == 1, entries[WORKBOOK]
    entries["xl/_rels/workbook.xml.rels"] = entries["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/worksheet" Target="/xl/worksheets/sheet99.xml"/></Relationships>',
    )
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/worksheets/sheet99.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    )
    entries["xl/worksheets/sheet99.xml"] = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData/></worksheet>"
    )
    return rezip(entries)


def chart_sheet_only(data: bytes) -> bytes:
    """A workbook whose only sheet is a chart sheet."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    wb = Workbook()
    ws = wb.active
    for i in range(1, 4):
        ws.append([i])
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=1, min_row=1, max_row=3))
    cs = wb.create_chartsheet("Diagram", 0)
    cs.add_chart(chart)
    ws.sheet_state = "hidden"
    buffer = io.BytesIO()
    wb.save(buffer)
    # Leave only the chart sheet in the workbook.
    entries = members(buffer.getvalue())
    entries[WORKBOOK] = re.sub(rb'<sheet name="Sheet"[^>]*/>', b"", entries[WORKBOOK])
    return rezip(entries)


def no_sheets(data: bytes) -> bytes:
    return with_member(
        data, WORKBOOK, lambda xml: re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", xml)
    )


def missing_sheet_part(data: bytes) -> bytes:
    entries = members(data)
    del entries[SHEET]
    return rezip(entries)


def xls_renamed(data: bytes) -> bytes:
    """An old binary .xls (an OLE compound file) saved with the name .xlsx."""
    return OLE_MAGIC + b"\0" * 504 + b"Workbook" + b"\0" * 1000


def encrypted(data: bytes) -> bytes:
    """A password-protected .xlsx: Excel wraps it in an OLE compound file."""
    return OLE_MAGIC + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 2000


def ods_renamed(data: bytes) -> bytes:
    return rezip(
        {
            "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "content.xml": b"<office:document-content/>",
            "META-INF/manifest.xml": b"<manifest/>",
        },
        stored={"mimetype"},
    )


def csv_renamed(data: bytes) -> bytes:
    return b"ID;Tema;Nr;Tiltak\n1;3 Vertskapsattraktivitet;1;Tittel\n"


def empty(data: bytes) -> bytes:
    return b""


def zip_bomb(data: bytes) -> bytes:
    """A workbook whose sheet unpacks to 200 MB."""
    entries = members(data)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in entries.items():
            if name != SHEET:
                archive.writestr(name, content)
        with archive.open(SHEET, "w", force_zip64=True) as fh:
            chunk = b" " * (1024 * 1024)
            for _ in range(200):
                fh.write(chunk)
    return buffer.getvalue()


def claims_one_gigabyte(data: bytes) -> bytes:
    """The central directory says the sheet unpacks to 1 GB (it does not)."""
    out = bytearray(data)
    needle = SHEET.encode()
    at = out.index(b"PK\x01\x02")
    while True:
        name_len = struct.unpack("<H", out[at + 28 : at + 30])[0]
        if bytes(out[at + 46 : at + 46 + name_len]) == needle:
            break
        at = out.index(b"PK\x01\x02", at + 4)
    out[at + 24 : at + 28] = struct.pack("<I", 1024**3)
    return bytes(out)


def path_traversal(data: bytes) -> bytes:
    entries = members(data)
    entries["../../etc/evil.xml"] = b"<x/>"
    entries["/abs/evil.xml"] = b"<x/>"
    return rezip(entries)


def entity_bomb(data: bytes) -> bytes:
    """Nested XML entities (billion laughs) in the sheet."""
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
            for i in range(1, 10)
        )
        + b"]>"
    )
    return with_member(
        data,
        SHEET,
        lambda xml: lol + xml.replace(b"<sheetData>", b"<sheetData>&lol9;", 1),
    )


def very_long_cell(data: bytes) -> bytes:
    """One cell with 2 million characters (Excel's own limit is 32,767)."""
    return raw_cell(
        data, "H2", b'<c r="H2" t="inlineStr"><is><t>' + b"a" * 2_000_000 + b"</t></is></c>"
    )


def very_wide_row(data: bytes) -> bytes:
    """A row with 16,384 cells (every column Excel has): those outside the format are
    ignored, those beyond the 60th column not even read."""
    from openpyxl.utils import get_column_letter

    cells = b"".join(
        b'<c r="%s2" t="n"><v>1</v></c>' % get_column_letter(i).encode() for i in range(15, 16385)
    )
    return with_member(
        data,
        SHEET,
        lambda xml: re.sub(
            rb'(<row r="2"[^>]*>.*?)</row>',
            lambda m: m[1] + cells + b"</row>",
            xml,
            count=1,
            flags=re.S,
        ),
    )


def many_empty_rows(data: bytes) -> bytes:
    """200,000 formatted rows without cells (what formatting whole rows leaves), after the
    rows of an export of up to 5,000 measures."""
    rows = b"".join(b'<row r="%d" s="1" customFormat="1"/>' % i for i in range(5010, 205_010))
    return with_member(
        data, SHEET, lambda xml: xml.replace(b"</sheetData>", rows + b"</sheetData>", 1)
    )


def dense_cells(data: bytes) -> bytes:
    """Half a million empty formatted cells without references (5 MB that compresses to a few
    KB): more cells than a programme's sheet can need."""
    rows = (b"<row>" + b'<c s="0"/>' * 500 + b"</row>") * 1000
    return with_member(
        data, SHEET, lambda xml: xml.replace(b"</sheetData>", rows + b"</sheetData>", 1)
    )


def huge_version(data: bytes) -> bytes:
    """A 5,000-digit number in the (hidden) version column."""
    return raw_cell(data, "N2", b'<c r="N2" t="n"><v>' + b"9" * 5000 + b"</v></c>")


def many_errors(data: bytes) -> bytes:
    """300 rows, each with a formula: reading stops at the hundredth error."""
    rows = b"".join(
        b'<row r="%d"><c r="B%d" t="inlineStr"><is><t>1 Tema</t></is></c><c r="H%d"><f>1+%d</f>'
        b"</c></row>" % (i, i, i, i)
        for i in range(10, 310)
    )
    return with_member(
        data, SHEET, lambda xml: xml.replace(b"</sheetData>", rows + b"</sheetData>", 1)
    )


def control_character_escape(data: bytes) -> bytes:
    """What Excel writes for a control character in a cell: _x0001_ (OOXML's escape)."""
    return raw_cell(
        data,
        "H2",
        b'<c r="H2" t="inlineStr"><is><t>Beskrivelse_x0001_ med kontrolltegn</t></is></c>',
    )


CORPUS: dict[str, Callable[[bytes], bytes]] = {
    f.__name__: f
    for f in (
        truncated,
        truncated_sheet_xml,
        bad_crc,
        bad_deflate,
        shared_string_out_of_range,
        huge_number,
        huge_number_as_text,
        infinite_number,
        not_a_number,
        bad_date,
        bad_boolean,
        bad_coordinate,
        bad_row_number,
        control_character_reference,
        formula,
        hidden_sheet,
        chart_sheet_only,
        no_sheets,
        missing_sheet_part,
        xls_renamed,
        encrypted,
        ods_renamed,
        csv_renamed,
        empty,
        zip_bomb,
        claims_one_gigabyte,
        path_traversal,
        entity_bomb,
        very_long_cell,
        many_empty_rows,
        dense_cells,
        huge_version,
        many_errors,
    )
}

# Odd but readable: these import like the export they were made from (a warning at most).
READABLE: dict[str, Callable[[bytes], bytes]] = {
    f.__name__: f for f in (very_wide_row, bad_style_index, control_character_escape)
}
