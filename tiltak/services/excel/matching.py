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
    COL_VERSJON,
    COL_VIRKEMIDDEL,
    clean_text,
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
from tiltak.selectors.search import ansvar_prefetch, programme_tiltak

from .reader import Reader, cell_text, norm, parse_int, stored_text
from .stream import shown
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
        # Deleted but kept (restorable): a row of an older file may still have them.
        self.deleted = {
            t.pk: t
            for t in Tiltak.alle.filter(program=programme, slettet__isnull=False)
            .select_related("tema", "delmaal", "satsingsomraade")
            .prefetch_related(ansvar_prefetch())
        }
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
        for tiltak in (*self.tiltak, *self.deleted.values()):
            tiltak.program = programme
        tema_by_id = {t.pk: t for t in self.temaer}
        delmaal_by_id = {d.pk: d for d in self.delmaal}
        for d in self.delmaal:
            d.tema = tema_by_id[d.tema_id]
        for s in self.satsinger:
            s.tema = tema_by_id[s.tema_id]
            s.delmaal = delmaal_by_id.get(s.delmaal_id) if s.delmaal_id else None

        self.tema_by_id = tema_by_id
        self.delmaal_by_id = delmaal_by_id
        self.satsing_by_id = {s.pk: s for s in self.satsinger}
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
        # A name stored with a character the file cannot hold is written without it.
        for key, org in list(self.organisations.items()):
            self.organisations.setdefault(fold(clean_text(key)), org)
        self.types = choice_lookup(TiltakType.choices)
        self.statuses = choice_lookup(TiltakStatus.choices)
        self.type_labels = ", ".join(str(label) for _v, label in TiltakType.choices)
        self.status_labels = ", ".join(str(label) for _v, label in TiltakStatus.choices)

    def error(self, row: ImportRow, column: str, message: str) -> None:
        row.ok = False
        if column in self.reader.bad_columns.get(row.row, ()):
            return  # the cell could not be read, and an error says so already
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
                % {"value": shown(cell_text(raw.get(COL_ID)))},
            )
        if COL_VERSJON in columns:
            try:
                row.versjon = parse_int(raw.get(COL_VERSJON))
            except ValueError:
                self.error(
                    row,
                    COL_VERSJON,
                    _(
                        "“%(value)s” is not a version. Keep the number from the export (the "
                        "hidden column Versjon), or leave it empty."
                    )
                    % {"value": shown(cell_text(raw.get(COL_VERSJON)))},
                )
        existing = self.current.by_id.get(row.tiltak_id) if row.tiltak_id else None
        if row.tiltak_id is not None and existing is None:
            deleted = self.current.deleted.get(row.tiltak_id)
            if deleted is None:
                # Perhaps deleted for good since the export: preview.py asks the history.
                row.gone = "hard"
            elif row.versjon is not None and row.versjon >= deleted.versjon:
                # Not a file exported before the deletion: the ID was typed or copied.
                self.error(
                    row,
                    COL_ID,
                    _(
                        "ID %(id)s is a deleted measure. Restore it first, or leave the ID "
                        "empty to add it as a new measure."
                    )
                    % {"id": row.tiltak_id},
                )
            else:
                row.gone = "soft"
                existing = deleted
        if existing is not None and row.versjon is not None and row.versjon > existing.versjon:
            self.error(
                row,
                COL_VERSJON,
                _(
                    "the version %(file)s is newer than the measure's in the portal "
                    "(%(portal)s), so the row was not exported from this portal as it is. "
                    "Download the programme again, or leave the cell empty."
                )
                % {"file": row.versjon, "portal": existing.versjon},
            )

        self._placement(row, raw, existing)

        try:
            row.nummer = parse_int(raw.get(COL_NR))
        except ValueError:
            self.error(
                row,
                COL_NR,
                _("“%(value)s” is not a whole number. Write the measure's number, e.g. 11.")
                % {"value": shown(cell_text(raw.get(COL_NR)))},
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
                    % {"value": shown(text), "types": self.type_labels},
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
                    % {"value": shown(text), "statuses": self.status_labels},
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
        # The tiltak, when the row keeps it in its tema (levels not in the file stay).
        kept = existing if existing is not None and existing.tema_id == tema.pk else None

        if COL_DELMAAL in columns:
            text = cell_text(raw.get(COL_DELMAAL))
            row.delmaal = self._delmaal(row, tema, text) if text else None
            if text and row.delmaal is None:
                return
        elif kept is not None:
            row.delmaal = kept.delmaal

        if COL_SATSING in columns:
            text = cell_text(raw.get(COL_SATSING))
            row.satsingsomraade = (
                self._satsing(row, tema, row.delmaal, text, existing) if text else None
            )
        elif (
            kept is not None
            and kept.satsingsomraade is not None
            and kept.satsingsomraade.delmaal_id in (None, getattr(row.delmaal, "pk", None))
        ):
            row.satsingsomraade = kept.satsingsomraade

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
            % {"value": shown(text), "examples": examples},
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
            % {"value": shown(text), "tema": tema_text(tema)},
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
            old = existing.satsingsomraade
            if old is not None and old.delmaal_id is None and norm(old.navn) == key:
                return old
        where = delmaal_text(delmaal) if delmaal else tema_text(tema)
        self.error(
            row,
            COL_SATSING,
            _(
                "“%(value)s” is not a priority area under %(where)s. Use one from the export or "
                "leave it empty; the import does not create priority areas."
            )
            % {"value": shown(text), "where": where},
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
