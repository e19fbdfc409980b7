"""Extract seed 002 into fixtures/source/verksted_2021.json (run once; output reviewed by hand)."""

import glob
import json
import re
import sys

SEED = sys.argv[1] if len(sys.argv) > 1 else glob.glob("/work/shared/seeds/002_*.txt")[0]
with open(SEED, encoding="utf-8") as f:
    raw = f.read()
lines = [line.strip() for line in raw.split("\n")]
lines = [line for line in lines if line]


def idx(prefix):
    for i, line in enumerate(lines):
        if line.startswith(prefix):
            return i
    raise KeyError(prefix)


def join(ls):
    s = " ".join(ls)
    s = re.sub(r"\s+", " ", s).strip()
    return s


def items(start, end, pat):
    out = []
    cur = None
    for line in lines[start:end]:
        if re.match(pat, line):
            if cur:
                out.append(cur)
            cur = [line]
        elif cur is not None:
            cur.append(line)
    if cur:
        out.append(cur)
    return out


def dash(start, end):
    return [join(it)[2:].strip() for it in items(start, end, r"^- ")]


def numbered(start, end):
    # top-level "N. text"; sub-items "a. text" kept inside, on their own line
    out = []
    cur = None
    for line in lines[start:end]:
        if re.match(r"^\d+\. ", line):
            if cur:
                out.append(cur)
            cur = [[line]]
        elif re.match(r"^[a-f]\. ", line) and cur is not None:
            cur.append([line])
        elif cur is not None:
            cur[-1].append(line)
    if cur:
        out.append(cur)
    return ["\n".join(join(p) for p in it) for it in out]


i_intro = idx("Dette er en")
i_dag1 = idx("DAG 1")
i_pl = idx("Oppsummering vist")
i_q1 = idx("Spørsmål 1")
i_q2 = idx("Spørsmål 2 -")
i_q2b = idx("Spørsmål 2 B")
i_refl = idx("Oppsummering av dagen")
i_dag2 = idx("DAG 2")
i_fk = idx("Hva og hvordan bør")
i_kmd = idx("Hva bør KMD")
intro = join(lines[i_intro:i_dag1])
plenum = [join(it)[1:].strip() for it in items(i_pl + 1, i_q1, r"^•")]
# question texts
q1_end = next(i for i in range(i_q1, len(lines)) if lines[i].startswith("- "))
q1 = join(lines[i_q1:q1_end])
q1 = re.sub(r"^Spørsmål 1:\s*", "", q1)
q2_end = next(i for i in range(i_q2, len(lines)) if lines[i].startswith("- "))
q2 = join(lines[i_q2:q2_end])
q2 = re.sub(r"^Spørsmål 2 -\s*", "", q2)
q2b = "Samarbeid NHO og LO"
refl = dash(i_refl + 1, i_dag2)
fk_items_start = idx("1. Økt samarbeid")
fk_intro = join(lines[i_fk + 1 : fk_items_start])
data = {
    "note": "Seed 002: «Innspill fra diskusjonene på Verksted for regional utvikling 2021 – ufiltrert». Extracted by scripts/extract_verksted_2021.py: lines that the PDF extraction wrapped are joined with a space, bullets/dashes removed; the words are the seed's, unedited (its typos kept). The plenary summary and the day's reflections are the day's notes, not inputs.",
    "tittel": "Verksted for regional utvikling 2021",
    "beskrivelse": intro,
    "sted": "",
    "digitalt": False,
    "arrangoer": "kmd",
    "dager": [
        {
            "dato": "2021-12-01",
            "tema": lines[i_dag1].split(":", 1)[1].strip(),
            "notat": "Oppsummering vist i plenum på verkstedet:\n"
            + "\n".join("• " + p for p in plenum)
            + "\n\nOppsummering av dagen/ refleksjoner:\n"
            + "\n".join("- " + r for r in refl),
        },
        {"dato": "2021-12-02", "tema": lines[i_dag2].split(":", 1)[1].strip(), "notat": ""},
    ],
    "spoersmaal": [
        {"dag": 1, "overskrift": "Spørsmål 1", "tekst": q1, "innspill": dash(q1_end, i_q2)},
        {"dag": 1, "overskrift": "Spørsmål 2", "tekst": q2, "innspill": dash(q2_end, i_q2b)},
        {"dag": 1, "overskrift": "Spørsmål 2 B", "tekst": q2b, "innspill": dash(i_q2b + 1, i_refl)},
        {
            "dag": 2,
            "overskrift": "",
            "tekst": lines[i_fk].rstrip(":").strip(),
            "innspill": [fk_intro] + numbered(fk_items_start, i_kmd),
        },
        {
            "dag": 2,
            "overskrift": "",
            "tekst": lines[i_kmd].rstrip(":").strip(),
            "innspill": numbered(i_kmd + 1, len(lines)),
        },
    ],
}
with open("fixtures/source/verksted_2021.json", "w", encoding="utf-8") as out:
    json.dump(data, out, ensure_ascii=False, indent=1)
for q in data["spoersmaal"]:
    print(q["overskrift"], len(q["innspill"]), q["tekst"][:80])
