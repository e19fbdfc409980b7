"""Reads for the workshop pages, the API and the exports, each in a fixed number of queries
however many questions and inputs a workshop has (tests/hoering/test_verksted_budgets.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from hoering.models import Innspill, Innspillgruppe, Spoersmaal, Verksted, Verkstedforslag
from partnerskap.rules import is_administrator, is_board_member
from tiltak.models import Tiltak

# How far back the tiltak panel follows `forgjenger` (one step per rolled period).
MAX_PREDECESSORS = 20


def visible_verksteder(user) -> QuerySet[Verksted]:
    """The workshops `user` may see, the same as hoering.view_verksted (hoering/rules.py)."""
    qs = Verksted.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.filter(offentlig=True)
    if is_administrator(user) or is_board_member(user):
        return qs
    q = Q(offentlig=True) | Q(fasilitatorer=user)
    if user.organisasjon_id:
        q |= Q(eier_id=user.organisasjon_id) | Q(inviterte=user.organisasjon_id)
    return qs.filter(pk__in=Verksted.objects.filter(q).values("pk"))


def verksted_list(*, verksteder: QuerySet[Verksted]) -> list[Verksted]:
    return list(
        verksteder.select_related("eier", "program", "regional_plan")
        .prefetch_related("dager")
        .annotate(antall_innspill=Count("spoersmaal__innspill"))
        .order_by("-opprettet", "id")
    )


def innspill_prefetch(queryset=None) -> Prefetch:
    qs = queryset if queryset is not None else Innspill.objects.all()
    return Prefetch(
        "innspill",
        queryset=qs.select_related("organisasjon", "skrevet_av", "tema").prefetch_related(
            Prefetch("forslag", queryset=Verkstedforslag.objects.select_related("tiltak__tema"))
        ),
    )


def verksted_for_rules(verksteder: QuerySet[Verksted]) -> QuerySet[Verksted]:
    """With what the rules read (facilitators, invited organisations) prefetched."""
    return verksteder.select_related("eier", "program", "regional_plan").prefetch_related(
        "fasilitatorer", "inviterte", "dager"
    )


def verksted_questions(*, verksted: Verksted) -> list[Spoersmaal]:
    """The questions in order, each with its inputs (organisation, author, theme, proposals)."""
    questions = list(
        verksted.spoersmaal.select_related("dag").prefetch_related(innspill_prefetch())
    )
    for q in questions:
        q.verksted = verksted  # the rules read it: no query per question
        for i in q.innspill.all():
            i.spoersmaal = q
    return questions


def verksted_groups(*, verksted: Verksted) -> list[Innspillgruppe]:
    return list(
        verksted.grupper.prefetch_related(
            Prefetch(
                "innspill",
                queryset=Innspill.objects.select_related("spoersmaal", "organisasjon").order_by(
                    "spoersmaal__rekkefoelge", "rekkefoelge", "id"
                ),
            ),
            Prefetch("forslag", queryset=Verkstedforslag.objects.select_related("tiltak__tema")),
        )
    )


@dataclass
class SummaryQuestion:
    spoersmaal: Spoersmaal
    innspill: list[Innspill]

    @property
    def antall(self) -> int:
        return len(self.innspill)


def verksted_summary(*, verksted: Verksted) -> list[SummaryQuestion]:
    """«Oppsummering fra verkstedet»: per question, its inputs and their count."""
    return [
        SummaryQuestion(q, list(q.innspill.all())) for q in verksted_questions(verksted=verksted)
    ]


def all_inputs(*, verksted: Verksted) -> list[Innspill]:
    return list(
        Innspill.objects.filter(spoersmaal__verksted=verksted)
        .select_related("spoersmaal__dag", "organisasjon", "skrevet_av", "tema")
        .prefetch_related(
            Prefetch("forslag", queryset=Verkstedforslag.objects.select_related("tiltak__tema"))
        )
        .order_by("spoersmaal__rekkefoelge", "spoersmaal_id", "rekkefoelge", "id")
    )


def predecessor_ids(tiltak: Tiltak) -> list[int]:
    """The tiltak and its predecessors (rolled from), newest first: one query per period."""
    ids = [tiltak.pk]
    current = tiltak.forgjenger_id
    while current is not None and current not in ids and len(ids) <= MAX_PREDECESSORS:
        ids.append(current)
        current = Tiltak.alle.filter(pk=current).values_list("forgjenger_id", flat=True).first()
    return ids


def tiltak_workshop_trace(*, tiltak: Tiltak, user) -> list[Verkstedforslag]:
    """The workshop proposals this tiltak (or a predecessor it was rolled from) came from,
    with their inputs, limited to workshops the user may see."""
    ids = predecessor_ids(tiltak)
    return list(
        Verkstedforslag.objects.filter(tiltak_id__in=ids, verksted__in=visible_verksteder(user))
        .select_related("verksted", "tiltak__tema")
        .prefetch_related(
            Prefetch(
                "innspill",
                queryset=Innspill.objects.select_related("spoersmaal", "organisasjon").order_by(
                    "spoersmaal__rekkefoelge", "rekkefoelge", "id"
                ),
            )
        )
    )


def traced_tiltak_ids(ids) -> set[int]:
    """For the trace check: tiltak that workshop proposals point at."""
    return set(
        Verkstedforslag.objects.filter(tiltak_id__in=list(ids)).values_list("tiltak_id", flat=True)
    )
