"""Make fixtures/source/kompetanse_2018_tiltak.xlsx from fixtures/source/kompetanse_2018.json
(extracted by hand from seed 003, Vedlegg 2): one row per tiltak with the seed's own column
headers, as a partner would send it: Hovedinnsatsområde, Delmål, Tiltak, Type tiltak, Ansvarlig,
Samarbeidspartnere (comma-separated), and the seed's «Antall totalt» on the first row of each
delmål. No ID and no Nr column.

    .venv/bin/python scripts/make_kompetanse_xlsx.py
"""

import json
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

SOURCE = Path(__file__).resolve().parent.parent / "fixtures" / "source"
HEADERS = [
    "Hovedinnsatsområde",
    "Delmål",
    "Tiltak",
    "Type tiltak",
    "Ansvarlig",
    "Samarbeidspartnere",
    "Antall totalt",
]


def build(data: dict) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "Tiltak 2018"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for omraade in data["hovedinnsatsomraader"]:
        for delmaal in omraade["delmaal"]:
            for i, (tiltak, type_, ansvarlig, samarbeid) in enumerate(delmaal["tiltak"]):
                antall = len(delmaal["tiltak"]) if i == 0 else None
                ws.append(
                    [
                        omraade["nummer"],
                        delmaal["nummer"],
                        tiltak,
                        type_,
                        ansvarlig,
                        samarbeid,
                        antall,
                    ]
                )
    for column, width in zip("ABCDEFG", (10, 8, 70, 20, 28, 50, 8), strict=True):
        ws.column_dimensions[column].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.properties.title = "Tiltak rapportert for 2018 – Nasjonal kompetansepolitisk strategi"
    return wb


def main() -> int:
    data = json.loads((SOURCE / "kompetanse_2018.json").read_text(encoding="utf-8"))
    target = SOURCE / "kompetanse_2018_tiltak.xlsx"
    wb = build(data)
    # A fixed creation time, so that running the script again gives the same file.
    from datetime import datetime  # noqa: PLC0415

    wb.properties.created = wb.properties.modified = datetime(2019, 3, 1)
    wb.save(target)
    print(
        f"{target} ({sum(len(d['tiltak']) for o in data['hovedinnsatsomraader'] for d in o['delmaal'])} tiltak)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
