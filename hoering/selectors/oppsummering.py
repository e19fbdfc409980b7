"""Every input of a hearing's current answers, and the høringsoppsummering: all answers with
their assessments, grouped by tema and by organisation (page, PDF and xlsx read the same).

The current answer of an organisation is its newest submitted row; drafts and older versions
are not inputs. Everything is read in a fixed number of queries, whatever the number of
answers and inputs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext as _

from partnerskap.models import Organisasjon
from tiltak.models import Tema, Tiltak

from ..models import (
    Aktoerforslag,
    Hoering,
    Hoeringssvar,
    Standpunkt,
    StandpunktValg,
    SvarStatus,
    Tiltaksforslag,
)


def current_answers(hoering: Hoering) -> list[Hoeringssvar]:
    """The newest submitted answer of each organisation, by organisation name (two queries)."""
    newest = (
        Hoeringssvar.objects.filter(hoering=hoering, status=SvarStatus.INNSENDT)
        .values("organisasjon_id")
        .annotate(nr=Max("versjon_nr"))
    )
    keys = {(row["organisasjon_id"], row["nr"]) for row in newest}
    answers = [
        s
        for s in Hoeringssvar.objects.filter(hoering=hoering, status=SvarStatus.INNSENDT)
        .select_related("organisasjon", "resultat_tiltak__tema")
        .order_by("organisasjon__navn")
        if (s.organisasjon_id, s.versjon_nr) in keys
    ]
    return answers


@dataclass
class Input:
    """One input as the overview, the assessment pages and the summary show it."""

    kind: str  # standpunkt | aktoerforslag | tiltaksforslag | merknader
    obj: Any
    svar: Hoeringssvar
    tema: Tema | None
    tiltak: Tiltak | None
    label: str  # what it is: «Kan ikke påta seg ansvaret», «Forslag til nytt tiltak» …
    title: str  # the tiltak cited, the proposed tiltak's title, the actor
    text: str

    @property
    def organisasjon(self) -> Organisasjon:
        return self.svar.organisasjon

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.obj.pk}"

    @property
    def vurdering_display(self) -> str:
        return self.obj.get_vurdering_display() if self.obj.vurdering else _("Not assessed")


@dataclass
class Inputs:
    answers: list[Hoeringssvar]
    items: list[Input] = field(default_factory=list)

    def of_kind(self, *kinds: str) -> list[Input]:
        return [i for i in self.items if i.kind in kinds]

    @property
    def objections(self) -> list[Input]:
        return [
            i
            for i in self.items
            if i.kind == "standpunkt" and i.obj.standpunkt == StandpunktValg.KAN_IKKE
        ]

    @property
    def changes(self) -> list[Input]:
        return [
            i
            for i in self.items
            if i.kind == "standpunkt" and i.obj.standpunkt == StandpunktValg.ENDRING
        ]

    @property
    def assessed(self) -> int:
        return sum(1 for i in self.items if i.obj.vurdering)


def _tiltak_label(t: Tiltak) -> str:
    nr = t.nummer_visning
    return f"{nr} {t.tittel}" if nr else t.tittel


def hearing_inputs(hoering: Hoering, *, answers: list[Hoeringssvar] | None = None) -> Inputs:
    """Every input of the current answers: the general remarks, the positions that say more
    than «no comment» (or carry a text), the proposed actors and the proposed tiltak — by
    tema number, then tiltak number, then organisation. Six queries."""
    answers = current_answers(hoering) if answers is None else answers
    by_id = {s.pk: s for s in answers}
    result = Inputs(answers=answers)
    items: list[Input] = []
    for s in answers:
        if s.generelle_merknader.strip():
            items.append(
                Input(
                    "merknader", s, s, None, None, _("General remarks"), "", s.generelle_merknader
                )
            )
    related = ("tiltak__tema", "resultat_tiltak__tema", "vurdert_av")
    for p in Standpunkt.objects.filter(svar_id__in=by_id).select_related(*related):
        if p.standpunkt == StandpunktValg.INGEN_MERKNAD and not p.tekst.strip():
            continue
        p.svar = by_id[p.svar_id]
        items.append(
            Input(
                "standpunkt",
                p,
                p.svar,
                p.tiltak.tema,
                p.tiltak,
                p.get_standpunkt_display(),
                _tiltak_label(p.tiltak),
                p.tekst,
            )
        )
    for a in Aktoerforslag.objects.filter(svar_id__in=by_id).select_related(
        *related, "organisasjon"
    ):
        a.svar = by_id[a.svar_id]
        actor = a.organisasjon.navn if a.organisasjon else a.navn
        items.append(
            Input(
                "aktoerforslag",
                a,
                a.svar,
                a.tiltak.tema,
                a.tiltak,
                _("Proposed actor: %(actor)s (%(role)s)")
                % {"actor": actor, "role": a.get_rolle_display().lower()},
                _tiltak_label(a.tiltak),
                a.begrunnelse,
            )
        )
    for f in Tiltaksforslag.objects.filter(svar_id__in=by_id).select_related(
        "tema", "delmaal", "satsingsomraade", "resultat_tiltak__tema", "vurdert_av"
    ):
        f.svar = by_id[f.svar_id]
        items.append(
            Input(
                "tiltaksforslag",
                f,
                f.svar,
                f.tema,
                None,
                _("Proposed new measure"),
                f.tittel,
                f.hva,
            )
        )

    def order(i: Input):
        tema_nr = i.tema.nummer if i.tema else -1
        nr = i.tiltak.nummer if i.tiltak and i.tiltak.nummer is not None else 10_000
        return (tema_nr, nr, i.organisasjon.navn.casefold(), i.kind, i.obj.pk)

    items.sort(key=order)
    result.items = items
    return result


@dataclass
class Group:
    heading: str
    items: list[Input]
    anchor: str
    svar: Hoeringssvar | None = None


@dataclass
class Summary:
    hoering: Hoering
    answers: list[Hoeringssvar]
    inputs: Inputs
    by_tema: list[Group]
    by_organisation: list[Group]
    counts: dict[str, int]


def hearing_summary(hoering: Hoering) -> Summary:
    """The høringsoppsummering: every input grouped by tema (general remarks first) and by
    organisation (in the answer's order: remarks, positions, actors, new tiltak)."""
    inputs = hearing_inputs(hoering)
    temaer = list(Tema.objects.filter(program_id=hoering.program_id).order_by("nummer"))
    per_tema: dict[int | None, list[Input]] = defaultdict(list)
    for i in inputs.items:
        per_tema[i.tema.pk if i.tema else None].append(i)
    by_tema = []
    if per_tema.get(None):
        by_tema.append(Group(_("General remarks"), per_tema[None], "tema-generelt"))
    for t in temaer:
        if per_tema.get(t.pk):
            by_tema.append(Group(f"{t.nummer}. {t.navn}", per_tema[t.pk], f"tema-{t.nummer}"))
    per_org: dict[int, list[Input]] = defaultdict(list)
    kind_order = {"merknader": 0, "standpunkt": 1, "aktoerforslag": 2, "tiltaksforslag": 3}
    for i in inputs.items:
        per_org[i.svar.pk].append(i)
    by_org = []
    for s in inputs.answers:
        rows = sorted(per_org.get(s.pk, []), key=lambda i: kind_order[i.kind])
        by_org.append(Group(s.organisasjon.navn, rows, f"org-{s.organisasjon.slug}", svar=s))
    counts = {
        "answers": len(inputs.answers),
        "inputs": len(inputs.items),
        "assessed": inputs.assessed,
        "objections": len(inputs.objections),
        "changes": len(inputs.changes),
        "new_tiltak": len(inputs.of_kind("tiltaksforslag")),
        "actors": len(inputs.of_kind("aktoerforslag")),
    }
    return Summary(hoering, inputs.answers, inputs, by_tema, by_org, counts)
