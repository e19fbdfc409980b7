"""Organisations and the tiltak each leads or collaborates on («Ansvar»)."""

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Count, Q, QuerySet

from partnerskap.models import Organisasjon
from partnerskap.selectors import fold
from tiltak.models import Ansvar, Handlingsprogram, Rolle, Tema, Tiltak


def organisasjon_list(*, programmes: QuerySet[Handlingsprogram]) -> QuerySet[Organisasjon]:
    """Organisations with their number of lead and collaborator roles in the given programmes."""
    in_scope = Q(ansvar__tiltak__program__in=programmes, ansvar__tiltak__slettet__isnull=True)
    return (
        Organisasjon.objects.select_related("region")
        .annotate(
            antall_hovedansvar=Count(
                "ansvar", filter=in_scope & Q(ansvar__rolle=Rolle.HOVEDANSVAR), distinct=True
            ),
            antall_samarbeid=Count(
                "ansvar", filter=in_scope & Q(ansvar__rolle=Rolle.SAMARBEIDSPART), distinct=True
            ),
        )
        .order_by("navn")
    )


class AnsvarRad(NamedTuple):
    tiltak: Tiltak
    roller: list[str]  # the organisation's roles in the tiltak
    parter: list[Ansvar]  # every party of the tiltak, the organisation included


@dataclass
class AnsvarTema:
    tema: Tema
    rader: list[AnsvarRad] = field(default_factory=list)


@dataclass
class AnsvarProgram:
    program: Handlingsprogram
    temaer: list[AnsvarTema] = field(default_factory=list)
    antall_hovedansvar: int = 0
    antall_samarbeid: int = 0

    @property
    def antall_tiltak(self) -> int:
        return sum(len(t.rader) for t in self.temaer)


@dataclass
class OrganisasjonAnsvar:
    programmer: list[AnsvarProgram]
    antall_hovedansvar: int
    antall_samarbeid: int

    @property
    def antall_tiltak(self) -> int:
        return sum(p.antall_tiltak for p in self.programmer)


def organisasjon_ansvar(
    *, organisasjon: Organisasjon, programmes: QuerySet[Handlingsprogram]
) -> OrganisasjonAnsvar:
    """Every tiltak where the organisation leads or collaborates, grouped by programme and
    tema, with its roles in each. One query for the roles, one for the other parties."""
    roles = list(
        Ansvar.objects.filter(
            organisasjon=organisasjon,
            tiltak__program__in=programmes,
            tiltak__slettet__isnull=True,
        )
        .select_related("tiltak", "tiltak__tema", "tiltak__program", "tiltak__delmaal")
        .order_by(
            "-tiltak__program__start_aar",
            "tiltak__program_id",
            "tiltak__tema__nummer",
            "tiltak__rekkefoelge",
            "tiltak_id",
            "rolle",
        )
    )
    tiltak_ids = {a.tiltak_id for a in roles}
    others = (
        Ansvar.objects.filter(tiltak_id__in=tiltak_ids)
        .select_related("organisasjon")
        .order_by("rolle", "rekkefoelge", "id")
    )
    parties: dict[int, list[Ansvar]] = {}
    for a in others:
        parties.setdefault(a.tiltak_id, []).append(a)

    programmer: OrderedDict[int, AnsvarProgram] = OrderedDict()
    rows: dict[int, AnsvarRad] = {}
    total_lead = total_collab = 0
    for a in roles:
        t = a.tiltak
        prog = programmer.setdefault(t.program_id, AnsvarProgram(t.program))
        if not prog.temaer or prog.temaer[-1].tema.id != t.tema_id:
            prog.temaer.append(AnsvarTema(t.tema))
        if t.id not in rows:
            rows[t.id] = AnsvarRad(t, [], parties.get(t.id, []))
            prog.temaer[-1].rader.append(rows[t.id])
        rows[t.id].roller.append(a.rolle)
        if a.rolle == Rolle.HOVEDANSVAR:
            prog.antall_hovedansvar += 1
            total_lead += 1
        else:
            prog.antall_samarbeid += 1
            total_collab += 1
    return OrganisasjonAnsvar(list(programmer.values()), total_lead, total_collab)


# --- Parties as written in the source vs parties assigned ------------------------------------


@dataclass(frozen=True)
class SourceParties:
    """What the source document wrote for one role of a tiltak (`hovedansvar_tekst`,
    `samarbeidsparter_tekst`), beside the parties assigned (Ansvar rows, THE parties).
    `differs` is True when the source names parties that are not assigned, or the other way
    round: only then is the source text worth showing («The hearing draft said: …»)."""

    rolle: str
    text: str
    differs: bool


def _names(ansvar: Ansvar) -> set[str]:
    """Every way the source may have written this party: its text as written (one cell may
    name several parties: "USN; IN"), the organisation's name and its abbreviation."""
    names = {fold(part) for part in ansvar.tekst_som_skrevet.split(";")}
    names |= {fold(ansvar.organisasjon.navn), fold(ansvar.organisasjon.forkortelse)}
    return names - {""}


def source_parties(tiltak: Tiltak) -> dict[str, SourceParties]:
    """Per role ("hovedansvar", "samarbeidspart"), the source's text and whether the assigned
    parties differ from it. Reads the tiltak's prefetched parties (ansvar_prefetch): no query."""
    result = {}
    for rolle, text in (
        (Rolle.HOVEDANSVAR, tiltak.hovedansvar_tekst),
        (Rolle.SAMARBEIDSPART, tiltak.samarbeidsparter_tekst),
    ):
        written = {fold(part) for part in (text or "").split(";")} - {""}
        assigned = [_names(a) for a in tiltak.ansvar.all() if a.rolle == rolle]
        every_written_assigned = all(any(w in names for names in assigned) for w in written)
        every_assigned_written = all(names & written for names in assigned)
        differs = bool(written) and not (every_written_assigned and every_assigned_written)
        result[str(rolle)] = SourceParties(str(rolle), text or "", differs)
    return result
