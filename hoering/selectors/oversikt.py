"""The planner's overview of a hearing: the invitees and their state, the commitment matrix
(every tiltak × each proposed lead and collaborator, groups included × their answer), the
tiltak whose lead is not confirmed, and every input. A fixed number of queries whatever the
size of the programme and the number of invitees and answers (tests/hoering/
test_planner_budgets.py)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerskap.models import Gruppemedlemskap, Organisasjon
from tiltak.models import Ansvar, Rolle, Tema, Tiltak

from ..models import (
    Fristutsettelse,
    Hoering,
    Hoeringssvar,
    Invitasjon,
    Paaminnelse,
    Standpunkt,
    StandpunktValg,
    SvarStatus,
)
from .oppsummering import Inputs, current_answers, hearing_inputs

# Invitee states, in the order the overview counts them.
STATES = {
    "not_opened": _("Not opened"),
    "opened": _("Opened"),
    "draft": _("Draft"),
    "extended": _("Extended"),
    "submitted": _("Submitted"),
    "late": _("Late"),
}
STATE_COLORS = {
    "not_opened": "neutral",
    "opened": "info",
    "draft": "info",
    "extended": "warning",
    "submitted": "success",
    "late": "danger",
}
# A party's answer in the matrix.
ANSWERS = {
    "confirmed": _("Confirmed"),
    "declined": _("Declined"),
    "change": _("Change proposed"),
    "no_comment": _("No comment"),
    "none": _("No answer"),
}
ANSWER_COLORS = {
    "confirmed": "success",
    "declined": "danger",
    "change": "warning",
    "no_comment": "neutral",
    "none": "neutral",
}
_FROM_POSITION: dict[str, str] = {
    StandpunktValg.PAATAR_HOVEDANSVAR: "confirmed",
    StandpunktValg.BEKREFTER_SAMARBEID: "confirmed",
    StandpunktValg.KAN_IKKE: "declined",
    StandpunktValg.ENDRING: "change",
    StandpunktValg.INGEN_MERKNAD: "no_comment",
}


@dataclass
class Invitee:
    organisasjon: Organisasjon
    invitasjon: Invitasjon | None
    state: str
    deadline: datetime
    utsettelse: Fristutsettelse | None
    svar: Hoeringssvar | None  # the current submitted answer
    has_draft: bool
    reminders: list[int]

    @property
    def state_label(self):
        return STATES[self.state]

    @property
    def state_color(self) -> str:
        return STATE_COLORS[self.state]


@dataclass
class Answer:
    organisasjon: Organisasjon
    code: str
    text: str = ""

    @property
    def label(self):
        return ANSWERS[self.code]

    @property
    def color(self) -> str:
        return ANSWER_COLORS[self.code]


@dataclass
class Party:
    ansvar: Ansvar
    answers: list[Answer]  # the party's own answer; for a group, each member that answered
    code: str  # summary: confirmed / declined / change / no_comment / none

    @property
    def organisasjon(self) -> Organisasjon:
        return self.ansvar.organisasjon

    @property
    def label(self):
        return ANSWERS[self.code]

    @property
    def color(self) -> str:
        return ANSWER_COLORS[self.code]


@dataclass
class MatrixRow:
    tiltak: Tiltak
    leads: list[Party]
    collaborators: list[Party]

    @property
    def lead_confirmed(self) -> bool:
        return any(p.code == "confirmed" for p in self.leads)

    @property
    def lead_declined(self) -> bool:
        return any(p.code == "declined" for p in self.leads)


@dataclass
class TemaSection:
    tema: Tema
    rows: list[MatrixRow] = field(default_factory=list)


@dataclass
class Overview:
    hoering: Hoering
    invitees: list[Invitee]
    state_counts: list[tuple[str, str, int]]
    sections: list[TemaSection]
    unconfirmed: list[MatrixRow]
    inputs: Inputs
    answer_counts: dict[str, int]


def _members_by_group() -> dict[int, set[int]]:
    """Every group's members, through nested groups (one query)."""
    children: dict[int, list[int]] = defaultdict(list)
    for g, m in Gruppemedlemskap.objects.values_list("gruppe_id", "medlem_id"):
        children[g].append(m)
    closure: dict[int, set[int]] = {}
    for group in children:
        seen: set[int] = set()
        stack = [group]
        while stack:
            for child in children.get(stack.pop(), []):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        closure[group] = seen
    return closure


def _summary_code(answers: list[Answer]) -> str:
    codes = {a.code for a in answers}
    for code in ("declined", "confirmed", "change", "no_comment"):
        if code in codes:
            return code
    return "none"


def invitees(
    hoering: Hoering, answers: list[Hoeringssvar], now: datetime | None = None
) -> list[Invitee]:
    """The høringsliste with each invitee's state (and the organisations that answered
    without being invited, when the round is open to all)."""
    now = now or timezone.now()
    invitations = list(Invitasjon.objects.filter(hoering=hoering).select_related("organisasjon"))
    current = {s.organisasjon_id: s for s in answers}
    drafts = set(
        Hoeringssvar.objects.filter(hoering=hoering, status=SvarStatus.UTKAST).values_list(
            "organisasjon_id", flat=True
        )
    )
    extensions = {
        u.organisasjon_id: u
        for u in Fristutsettelse.objects.filter(hoering=hoering).select_related("gitt_av")
    }
    reminders: dict[int, list[int]] = defaultdict(list)
    for inv_id, days in Paaminnelse.objects.filter(invitasjon__hoering=hoering).values_list(
        "invitasjon_id", "dager_foer_frist"
    ):
        reminders[inv_id].append(days)
    rows = []
    seen = set()
    for inv in invitations:
        rows.append(_invitee(hoering, inv.organisasjon, inv, current, drafts, extensions, now))
        rows[-1].reminders = sorted(reminders.get(inv.pk, []), reverse=True)
        seen.add(inv.organisasjon_id)
    for org_id, s in current.items():
        if org_id not in seen:
            rows.append(_invitee(hoering, s.organisasjon, None, current, drafts, extensions, now))
    rows.sort(key=lambda r: r.organisasjon.navn.casefold())
    return rows


def _invitee(hoering, org, inv, current, drafts, extensions, now) -> Invitee:
    utsettelse = extensions.get(org.pk)
    deadline = hoering.frist
    if utsettelse and utsettelse.ny_frist > deadline:
        deadline = utsettelse.ny_frist
    svar = current.get(org.pk)
    has_draft = org.pk in drafts
    if svar is not None:
        state = "submitted"
    elif hoering.aapnet is not None and now > deadline:
        state = "late"
    elif utsettelse is not None:
        state = "extended"
    elif has_draft:
        state = "draft"
    elif inv is not None and inv.foerst_aapnet:
        state = "opened"
    else:
        state = "not_opened"
    return Invitee(org, inv, state, deadline, utsettelse, svar, has_draft, [])


def commitment_matrix(
    hoering: Hoering, answers: list[Hoeringssvar]
) -> tuple[list[TemaSection], list[MatrixRow]]:
    """Every tiltak of the programme by tema, each proposed lead and collaborator with the
    answer of the current submitted answers (a group's answer: those of its members who
    answered on the tiltak). And the tiltak whose lead is not confirmed by anyone. Four
    queries."""
    by_org: dict[int, Organisasjon] = {s.organisasjon_id: s.organisasjon for s in answers}
    positions: dict[tuple[int, int], Standpunkt] = {}
    for p in Standpunkt.objects.filter(svar_id__in=[s.pk for s in answers]).select_related("svar"):
        positions[(p.tiltak_id, p.svar.organisasjon_id)] = p
    answered_on: dict[int, list[int]] = defaultdict(list)
    for tiltak_id, org_id in positions:
        answered_on[tiltak_id].append(org_id)
    members = _members_by_group()
    temaer = {t.pk: TemaSection(t) for t in Tema.objects.filter(program=hoering.program)}
    rows: dict[int, MatrixRow] = {}
    for t in Tiltak.objects.filter(program=hoering.program).select_related("tema"):
        rows[t.pk] = MatrixRow(t, [], [])
    for a in (
        Ansvar.objects.filter(tiltak_id__in=rows)
        .select_related("organisasjon")
        .order_by("tiltak_id", "rolle", "rekkefoelge", "id")
    ):
        org = a.organisasjon
        if org.er_gruppe:
            group_members = members.get(org.pk, set())
            got = [
                _answer(by_org[o], positions[(a.tiltak_id, o)])
                for o in answered_on.get(a.tiltak_id, [])
                if o in group_members
            ]
            got.sort(key=lambda x: x.organisasjon.navn.casefold())
        else:
            own = positions.get((a.tiltak_id, org.pk))
            got = [_answer(org, own)] if own else []
        party = Party(a, got, _summary_code(got))
        row = rows[a.tiltak_id]
        (row.leads if a.rolle == Rolle.HOVEDANSVAR else row.collaborators).append(party)
    ordered = sorted(
        rows.values(),
        key=lambda r: (r.tiltak.tema.nummer, r.tiltak.nummer or 0, r.tiltak.rekkefoelge),
    )
    for r in ordered:
        temaer[r.tiltak.tema_id].rows.append(r)
    sections = sorted((s for s in temaer.values() if s.rows), key=lambda s: s.tema.nummer)
    unconfirmed = [r for r in ordered if not r.lead_confirmed]
    return sections, unconfirmed


def _answer(org: Organisasjon, p: Standpunkt) -> Answer:
    return Answer(org, _FROM_POSITION.get(p.standpunkt, "none"), p.tekst)


def hearing_overview(hoering: Hoering, now: datetime | None = None) -> Overview:
    answers = current_answers(hoering)
    rows = invitees(hoering, answers, now=now)
    counts: dict[str, int] = defaultdict(int)
    for invitee in rows:
        counts[invitee.state] += 1
    state_counts = [(code, str(label), counts[code]) for code, label in STATES.items()]
    sections, unconfirmed = commitment_matrix(hoering, answers)
    answer_counts: dict[str, int] = defaultdict(int)
    for section in sections:
        for row in section.rows:
            for party in (*row.leads, *row.collaborators):
                answer_counts[party.code] += 1
    return Overview(
        hoering=hoering,
        invitees=rows,
        state_counts=state_counts,
        sections=sections,
        unconfirmed=unconfirmed,
        inputs=hearing_inputs(hoering, answers=answers),
        answer_counts=dict(answer_counts),
    )
