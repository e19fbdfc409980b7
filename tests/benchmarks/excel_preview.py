"""How long the Excel import takes to check and preview a file: figures, not a pass/fail test.

    env -u DATABASE_URL .venv/bin/python tests/benchmarks/excel_preview.py [--runs 3]

Builds the demo data and a programme ten times the Buskerud one (1,640 tiltak) in a throw-away
test database, exports it (about 300 KB) and times `build_preview` (what the upload and the
preview page run) on that valid file and on files of about the same size that are broken or
hostile in the ways tests/tiltak/xlsx_corpus.py makes them. Prints the median of the runs, the
file size and what the preview said."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerskap.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args.runs)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def many_errors(data: bytes) -> bytes:
    """Every row names a theme the programme does not have: one error per row."""
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    for row in range(2, ws.max_row + 1):
        ws.cell(row=row, column=2).value = f"99 Finnes ikke {row}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def dense_cells(data: bytes) -> bytes:
    """A few hundred KB that unpacks to 18,000 rows of 500 empty styled cells each, without
    cell references (so it compresses about 300-fold): 9 million cells to parse."""
    from tests.tiltak.xlsx_corpus import SHEET, with_member

    rows = (b"<row>" + b'<c s="0"/>' * 500 + b"</row>") * 18_000
    return with_member(
        data, SHEET, lambda xml: xml.replace(b"</sheetData>", rows + b"</sheetData>", 1)
    )


def run(runs: int) -> None:
    from tests.tiltak import xlsx_corpus
    from tiltak.demo import demo_load
    from tiltak.exports import programme_xlsx
    from tiltak.models import Handlingsprogram, ProgramStatus
    from tiltak.services.excel.preview import build_preview
    from tiltak.synthetic import build_large_programme

    demo_load()
    programme = build_large_programme(factor=10)
    Handlingsprogram.objects.filter(pk=programme.pk).update(status=ProgramStatus.UTKAST)
    programme.refresh_from_db()
    valid = programme_xlsx(programme)

    files: dict[str, bytes] = {"valid export (1,640 tiltak)": valid}
    files["every row an error (1,640)"] = many_errors(valid)
    files["dense cells (9 million)"] = dense_cells(valid)
    corpus = {**xlsx_corpus.CORPUS, **xlsx_corpus.READABLE}
    for name in (
        "huge_number",
        "shared_string_out_of_range",
        "truncated_sheet_xml",
        "bad_crc",
        "very_long_cell",
        "very_wide_row",
        "many_empty_rows",
        "dense_cells",
        "zip_bomb",
    ):
        files[name] = corpus[name](valid)

    print(f"{connection_vendor()}; median of {runs} runs of build_preview")
    print(f"{'file':<32} {'KB':>7} {'seconds':>8}  outcome")
    for name, data in files.items():
        times = []
        outcome = ""
        for _ in range(runs):
            t0 = time.perf_counter()
            try:
                preview = build_preview(programme, data)
                outcome = (
                    f"ok, {preview.unchanged} unchanged"
                    if preview.ok
                    else f"{preview.error_count} errors: {str(preview.errors[0])[:70]}"
                )
            except Exception as exc:  # noqa: BLE001 - the figure is what we want here
                outcome = f"EXCEPTION {type(exc).__name__}: {str(exc)[:60]}"
            times.append(time.perf_counter() - t0)
        print(f"{name:<32} {len(data) / 1024:>7.0f} {statistics.median(times):>8.2f}  {outcome}")


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor


if __name__ == "__main__":
    main()
