"""Matching the rows of the file against the programme: the tiltak by ID, the tema, delmål and
satsingsområde by number or name, type and status by label, and the parties by organisation name
(partnerskap.selectors.organisasjon_by_name: name, «name (abbreviation)», abbreviation or alias)."""

from __future__ import annotations

import hashlib
import re

from django.utils import translation
from django.utils.translation import gettext as _

from partnerskap.selectors import fold, organisasjon_by_name
from tiltak.exports import (
    COL_BESKRIVELSE,
    COL_DELMAAL,
    COL_HOVEDANSVAR,
    COL_ID,
    COL_NR,
    COL_PRIORITERT,
    COL_SAMARBEID,
    COL_SATSING,
    COL_STATUS,
    COL_TEMA,
    COL_TILTAK,
    COL_TYPE,
    COL_VIRKEMIDDEL,
    delmaal_text,
    tema_text,
)
from tiltak.models import (
    Delmaal,
    Handlingsprogram,
    Rolle,
    Satsingsomraade,
    Tema,
    Tiltak,
    TiltakStatus,
    TiltakType,
)
from tiltak.selectors.search import programme_tiltak

from .reader import Reader, cell_text, norm, parse_int, stored_text
from .types import ImportRow, PartyName

MAX_NUMBER = 32767
ORGANISASJON_NAVN_MAX = 255

# Text columns and the Tiltak fields they fill.
TEXT_FIELDS = {COL_TILTAK: "tittel", COL_BESKRIVELSE: "beskrivelse", COL_VIRKEMIDDEL: "virkemiddel"}
PARTY_COLUMNS = {COL_HOVEDANSVAR: Rolle.HOVEDANSVAR, COL_SAMARBEID: Rolle.SAMARBEIDSPART}


def choice_lookup(choices) -> dict[str, str]:
    """Label (bokmål first, then nynorsk and English) or stored value -> value."""
    lookup: dict[str, str] = {}
    for language in ("nb", "nn", "en"):
        with translation.override(language):
            for value, label in choices:
                lookup.setdefault(norm(str(label)), value)
    for value, _label in choices:
        lookup.setdefault(norm(value), value)
    return lookup


class CurrentProgramme:
    """The programme as it is now, loaded in a constant number of queries."""

    def __init__(self, programme: Handlingsprogram):
        self.programme = programme
        self.tiltak = list(programme_tiltak(programme=programme))
        self.by_id = {t.pk: t for t in self.tiltak}
        self.deleted_ids = set(
            Tiltak.alle.filter(program=programme, slettet__isnull=False).values_list(
                "id", flat=True
            )
        )
        self.temaer = list(Tema.objects.filter(program=programme).order_by("nummer"))
        self.delmaal = list(
            Delmaal.objects.filter(tema__program=programme).order_by("tema_id", "rekkefoelge", "id")
        )
        self.satsinger = list(
            Satsingsomraade.objects.filter(tema__program=programme).order_by(
                "tema_id", "rekkefoelge", "id"
            )
        )
        # Related objects set from what is loaded, so the services' permission checks
        # (which walk tiltak.program, tema.program) cost no query per row.
        for t in self.temaer:
            t.program = programme
        for t in self.tiltak:
            t.program = programme
        tema_by_id = {t.pk: t for t in self.temaer}
        delmaal_by_id = {d.pk: d for d in self.delmaal}
        for d in self.delmaal:
            d.tema = tema_by_id[d.tema_id]
        for s in self.satsinger:
            s.tema = tema_by_id[s.tema_id]
            s.delmaal = delmaal_by_id.get(s.delmaal_id)

        self.tema_by_text = {norm(tema_text(t)): t for t in self.temaer}
        self.tema_by_number = {t.nummer: t for t in self.temaer}
        self.tema_by_name: dict[str, Tema] = {}
        for t in self.temaer:
            self.tema_by_name.setdefault(norm(t.navn), t)
        self.delmaal_in: dict[int, list[Delmaal]] = {}
        for d in self.delmaal:
            self.delmaal_in.setdefault(d.tema_id, []).append(d)
        self.satsing_in: dict[tuple[int, int | None], list[Satsingsomraade]] = {}
        for s in self.satsinger:
            self.satsing_in.setdefault((s.tema_id, s.delmaal_id), []).append(s)
        self.fingerprint = self._fingerprint()

    def _fingerprint(self) -> str:
        """Changes whenever a tiltak, a party or a level the import matches against changes.
        Parties are included because they do not raise the tiltak's version."""
        parts: list = [self.programme.pk, str(self.programme.status)]
        for t in sorted(self.tiltak, key=lambda t: t.pk):
            parts.append(("t", t.pk, t.versjon))
            for a in sorted(t.ansvar.all(), key=lambda a: a.pk):
                parts.append(("a", a.pk, a.organisasjon_id, a.rolle, a.rekkefoelge))
        parts += [("tema", t.pk, t.nummer, t.navn) for t in self.temaer]
        parts += [("d", d.pk, d.tema_id, d.nummer, d.navn) for d in self.delmaal]
        parts += [
            ("s", s.pk, s.tema_id, s.delmaal_id, s.navn, s.prioritert_handling)
            for s in self.satsinger
        ]
        return hashlib.sha256(repr(parts).encode()).hexdigest()


class Matcher:
    """Turns the raw rows of the file into ImportRows matched against the programme and the
    organisation registry; errors and warnings go to the reader with their row and column."""

    def __init__(self, reader: Reader, current: CurrentProgramme):
        self.reader = reader
        self.current = current
        # Folded name, «name (abbreviation)», abbreviation or alias -> organisation.
        self.organisations = organisasjon_by_name()
        self.types = choice_lookup(TiltakType.choices)
        self.statuses = choice_lookup(TiltakStatus.choices)
        self.type_labels = ", ".join(str(label) for _v, label in TiltakType.choices)
        self.status_labels = ", ".join(str(label) for _v, label in TiltakStatus.choices)

    def error(self, row: ImportRow, column: str, message: str) -> None:
        row.ok = False
        self.reader.error(message, row=row.row, column=column, index=self.reader.columns[column])

    def warn(self, row: ImportRow, column: str, message: str) -> None:
        self.reader.warn(message, row=row.row, column=column, index=self.reader.columns[column])

    def parse(self, row_number: int, raw: dict[str, object]) -> ImportRow:
        columns = frozenset(self.reader.columns)
        row = ImportRow(row=row_number, columns=columns)

        try:
            row.tiltak_id = parse_int(raw.get(COL_ID))
        except ValueError:
            self.error(
                row,
                COL_ID,
                _(
                    "“%(value)s” is not an ID. Keep the ID from the export, or leave it empty "
                    "for a new measure."
                )
                % {"value": cell_text(raw.get(COL_ID))},
            )
        existing = self.current.by_id.get(row.tiltak_id) if row.tiltak_id else None
        if row.tiltak_id is not None and existing is None:
            if row.tiltak_id in self.current.deleted_ids:
                message = _(
                    "ID %(id)s is a deleted measure. Restore it first, or leave the ID empty "
                    "to add it as a new measure."
                )
            else:
                message = _(
                    "ID %(id)s is not a measure of this programme. Leave the ID empty to add "
                    "the row as a new measure."
                )
            self.error(row, COL_ID, message % {"id": row.tiltak_id})

        self._placement(row, raw, existing)

        try:
            row.nummer = parse_int(raw.get(COL_NR))
        except ValueError:
            self.error(
                row,
                COL_NR,
                _("“%(value)s” is not a whole number. Write the measure's number, e.g. 11.")
                % {"value": cell_text(raw.get(COL_NR))},
            )
        else:
            if row.nummer is not None and row.nummer > MAX_NUMBER:
                self.error(
                    row,
                    COL_NR,
                    _("the number must be at most %(max)s.") % {"max": MAX_NUMBER},
                )
            if row.nummer is None and existing is not None and existing.nummer is not None:
                self.error(
                    row,
                    COL_NR,
                    _("the number is empty. An existing measure keeps a number; write it."),
                )

        for column, name in TEXT_FIELDS.items():
            if column in columns:
                row.values[name] = cell_text(raw.get(column))
        if not row.tittel and (existing is None or stored_text(existing.tittel)):
            self.error(row, COL_TILTAK, _("the measure needs a title."))

        if COL_TYPE in columns:
            text = cell_text(raw.get(COL_TYPE))
            value = self.types.get(norm(text)) if text else ""
            if value is None:
                self.error(
                    row,
                    COL_TYPE,
                    _("“%(value)s” is not a type. Use one of: %(types)s, or leave it empty.")
                    % {"value": text, "types": self.type_labels},
                )
            else:
                row.values["type"] = value
        if COL_STATUS in columns:
            text = cell_text(raw.get(COL_STATUS))
            value = self.statuses.get(norm(text)) if text else None
            if not text and existing is None:
                value = TiltakStatus.FORESLAATT
            if value is None:
                self.error(
                    row,
                    COL_STATUS,
                    _("“%(value)s” is not a status. Use one of: %(statuses)s.")
                    % {"value": text, "statuses": self.status_labels},
                )
            else:
                row.values["status"] = value

        for column, rolle in PARTY_COLUMNS.items():
            if column in columns:
                row.parties[rolle] = self._parties(row, column, raw.get(column))
        return row

    def _placement(self, row: ImportRow, raw: dict, existing: Tiltak | None) -> None:
        columns = row.columns
        text = cell_text(raw.get(COL_TEMA))
        if not text:
            self.error(row, COL_TEMA, _("choose the theme the measure belongs to."))
            return
        tema = self._tema(row, text)
        if tema is None:
            return
        row.tema = tema
        same_tema = existing is not None and existing.tema_id == tema.pk

        if COL_DELMAAL in columns:
            text = cell_text(raw.get(COL_DELMAAL))
            row.delmaal = self._delmaal(row, tema, text) if text else None
            if text and row.delmaal is None:
                return
        elif same_tema:
            row.delmaal = existing.delmaal

        if COL_SATSING in columns:
            text = cell_text(raw.get(COL_SATSING))
            row.satsingsomraade = (
                self._satsing(row, tema, row.delmaal, text, existing) if text else None
            )
        elif same_tema and existing.satsingsomraade_id:
            s = existing.satsingsomraade
            if s.delmaal_id in (None, getattr(row.delmaal, "pk", None)):
                row.satsingsomraade = s

        if COL_PRIORITERT in columns:
            text = cell_text(raw.get(COL_PRIORITERT))
            current = stored_text(
                row.satsingsomraade.prioritert_handling if row.satsingsomraade else ""
            )
            if text and norm(text) != norm(current):
                self.warn(
                    row,
                    COL_PRIORITERT,
                    _(
                        "differs from the priority area's prioritised action. The import does "
                        "not change it; edit the priority area in the portal."
                    ),
                )

    def _tema(self, row: ImportRow, text: str) -> Tema | None:
        c = self.current
        tema = c.tema_by_text.get(norm(text))
        if tema is not None:
            return tema
        m = re.match(r"^(\d+)\b[\s.:)\-–]*(.*)$", text, re.S)
        if m and int(m[1]) in c.tema_by_number:
            tema = c.tema_by_number[int(m[1])]
            if m[2].strip() and norm(m[2]) != norm(tema.navn):
                self.warn(
                    row,
                    COL_TEMA,
                    _(
                        "matched by its number to “%(tema)s”; the name in the file differs and "
                        "is not changed by the import."
                    )
                    % {"tema": tema_text(tema)},
                )
            return tema
        tema = c.tema_by_name.get(norm(text))
        if tema is not None:
            return tema
        examples = "; ".join(tema_text(t) for t in c.temaer[:3])
        self.error(
            row,
            COL_TEMA,
            _(
                "“%(value)s” is not a theme of this programme. Write its number and name as in "
                "the export (e.g. %(examples)s). The import does not create themes."
            )
            % {"value": text, "examples": examples},
        )
        return None

    def _delmaal(self, row: ImportRow, tema: Tema, text: str) -> Delmaal | None:
        candidates = self.current.delmaal_in.get(tema.pk, [])
        key = norm(text)
        for d in candidates:
            if norm(delmaal_text(d)) == key:
                return d
        first = text.split(maxsplit=1)[0]
        for d in candidates:
            if d.nummer and d.nummer == first:
                return d
        for d in candidates:
            if norm(d.navn) == key:
                return d
        self.error(
            row,
            COL_DELMAAL,
            _(
                "“%(value)s” is not a sub-goal of theme %(tema)s. Use one from the export or "
                "leave it empty; the import does not create sub-goals."
            )
            % {"value": text, "tema": tema_text(tema)},
        )
        return None

    def _satsing(
        self,
        row: ImportRow,
        tema: Tema,
        delmaal: Delmaal | None,
        text: str,
        existing: Tiltak | None,
    ) -> Satsingsomraade | None:
        key = norm(text)
        delmaal_id = delmaal.pk if delmaal else None
        for s in self.current.satsing_in.get((tema.pk, delmaal_id), []):
            if norm(s.navn) == key:
                return s
        # A priority area directly under the tema, for a tiltak that has a delmål, is a
        # placement only old data has; keep it when unchanged, never make it anew.
        if existing is not None and existing.delmaal_id == delmaal_id:
            s = existing.satsingsomraade
            if s is not None and s.delmaal_id is None and norm(s.navn) == key:
                return s
        where = delmaal_text(delmaal) if delmaal else tema_text(tema)
        self.error(
            row,
            COL_SATSING,
            _(
                "“%(value)s” is not a priority area under %(where)s. Use one from the export or "
                "leave it empty; the import does not create priority areas."
            )
            % {"value": text, "where": where},
        )
        return None

    def _parties(self, row: ImportRow, column: str, value) -> list[PartyName]:
        result: list[PartyName] = []
        seen: set = set()
        for part in cell_text(value).replace("\n", ";").split(";"):
            tekst = " ".join(part.split())
            if not tekst:
                continue
            if len(tekst) > ORGANISASJON_NAVN_MAX:
                self.error(
                    row,
                    column,
                    _("“%(value)s…” is too long for an organisation name (at most %(max)s).")
                    % {"value": tekst[:40], "max": ORGANISASJON_NAVN_MAX},
                )
                continue
            org = self.organisations.get(fold(tekst))
            key = ("org", org.pk) if org else ("name", fold(tekst))
            if key in seen:
                continue
            seen.add(key)
            result.append(PartyName(tekst, org))
        return result
