"""Every read the reporting pages, the API and the panels need, with the related rows loaded
so the number of queries does not grow with the number of indicators, values or tiltak."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from partnerskap.rules import is_administrator, is_board_member, is_planner
from tiltak.models import Ansvar, Handlingsprogram, Rolle, Tiltak
from tiltak.rules import can_manage
from tiltak.selectors.programmes import visible_programmes

from .models import (
    UNSUBMITTED_STATES,
    Behandling,
    Indikator,
    Indikatormaal,
    Indikatorverdi,
    Rapporteringsrunde,
    Statusrapport,
)


def visible_indikatorer(user) -> QuerySet[Indikator]:
    return Indikator.objects.filter(program__in=visible_programmes(user))


def indikator_list(*, programme: Handlingsprogram) -> list[Indikator]:
    """The programme's indicators with their targets and values (region and municipality
    loaded): a fixed number of queries whatever the number of indicators and values."""
    return list(
        Indikator.objects.filter(program=programme)
        .select_related("tema", "delmaal", "program")
        .prefetch_related(
            "maal",
            Prefetch("verdier", Indikatorverdi.objects.select_related("region", "kommune")),
        )
    )


def indikator_detail(*, queryset: QuerySet[Indikator], pk: int) -> Indikator:
    return (
        queryset.select_related("program", "program__eier", "tema", "delmaal")
        .prefetch_related(
            "maal",
            Prefetch(
                "verdier",
                Indikatorverdi.objects.select_related("region", "kommune", "registrert_av"),
            ),
        )
        .get(pk=pk)
    )


@dataclass(frozen=True)
class Summary:
    """An indicator at a glance: the newest whole-area value and the target for its year."""

    indikator: Indikator
    siste: Indikatorverdi | None
    maal: Indikatormaal | None
    neste_maal: Indikatormaal | None


def summaries(indikatorer: list[Indikator]) -> list[Summary]:
    rows = []
    for ind in indikatorer:
        whole = [v for v in ind.verdier.all() if v.region_id is None and v.kommune_id is None]
        siste = max(whole, key=lambda v: v.aar, default=None)
        targets = sorted(ind.maal.all(), key=lambda m: m.aar)
        maal = next((m for m in targets if siste and m.aar == siste.aar), None)
        neste = next((m for m in targets if not siste or m.aar > siste.aar), None)
        rows.append(Summary(ind, siste, maal, neste))
    return rows


def visible_runder(user) -> QuerySet[Rapporteringsrunde]:
    """Rounds the user may see: opened rounds of programmes the user may see (logged in), and
    every round of the programmes the user manages."""
    if not getattr(user, "is_authenticated", False):
        return Rapporteringsrunde.objects.none()
    programmes = visible_programmes(user)
    if is_administrator(user):
        managed = Q()
    elif is_planner(user) and user.organisasjon_id:
        managed = Q(program__eier_id=user.organisasjon_id)
    else:
        managed = Q(pk__in=[])
    return Rapporteringsrunde.objects.filter(program__in=programmes).filter(
        Q(aapnet__isnull=False) | managed
    )


def _tiltak_rows(runde: Rapporteringsrunde) -> QuerySet[Tiltak]:
    return (
        Tiltak.objects.filter(program_id=runde.program_id)
        .select_related("tema", "delmaal", "program")
        .prefetch_related(
            Prefetch("ansvar", Ansvar.objects.select_related("organisasjon")),
            Prefetch(
                "statusrapporter",
                Statusrapport.objects.filter(aar=runde.aar).select_related(
                    "skrevet_av", "innsendt_av"
                ),
                to_attr="rapporter_aar",
            ),
        )
        .order_by("tema__nummer", "nummer", "rekkefoelge", "id")
    )


@dataclass(frozen=True)
class RapportRad:
    tiltak: Tiltak
    rapport: Statusrapport | None  # None: no report, or one the user may not see (a draft)
    egen: bool  # the user's organisation leads the tiltak


def runde_rows(*, runde: Rapporteringsrunde, user, own_only: bool = False) -> list[RapportRad]:
    """The tiltak of the round with their report for the year. Planners of the programme
    see every tiltak and every report; the board every tiltak and the submitted reports;
    anyone else (and everyone with `own_only`) only the tiltak their organisation leads
    (hovedansvar, directly)."""
    manager = not own_only and can_manage(user, runde.program)
    board = not own_only and is_board_member(user)
    queryset = _tiltak_rows(runde)
    org_id = getattr(user, "organisasjon_id", None)
    if not (manager or board):
        if not org_id:
            return []
        queryset = queryset.filter(
            pk__in=Ansvar.objects.filter(organisasjon_id=org_id, rolle=Rolle.HOVEDANSVAR).values(
                "tiltak_id"
            )
        )
    rows = []
    for tiltak in queryset:
        egen = bool(org_id) and any(
            a.organisasjon_id == org_id and a.rolle == Rolle.HOVEDANSVAR
            for a in tiltak.ansvar.all()
        )
        reports = getattr(tiltak, "rapporter_aar", [])  # the Prefetch's to_attr
        rapport = reports[0] if reports else None
        if (
            rapport is not None
            and not (manager or egen)
            and rapport.behandling in UNSUBMITTED_STATES
        ):
            rapport = None
        rows.append(RapportRad(tiltak, rapport, egen))
    return rows


def status_counts(rows: list[RapportRad]) -> dict[str, int]:
    counts = {b.value: 0 for b in Behandling}
    counts["mangler"] = 0
    for row in rows:
        counts[row.rapport.behandling if row.rapport else "mangler"] += 1
    return counts


def mine(*, user) -> list[tuple[Rapporteringsrunde, list[RapportRad]]]:
    """«Dine tiltak å rapportere på»: each open round of a programme the user may see, with
    the tiltak the user's organisation leads."""
    if not getattr(user, "organisasjon_id", None):
        return []
    runder = (
        visible_runder(user)
        .filter(aapnet__isnull=False, lukket__isnull=True)
        .filter(
            program__tiltak__ansvar__organisasjon_id=user.organisasjon_id,
            program__tiltak__ansvar__rolle=Rolle.HOVEDANSVAR,
            program__tiltak__slettet__isnull=True,
        )
        .distinct()
        .select_related("program")
        .order_by("frist", "id")
    )
    return [(runde, runde_rows(runde=runde, user=user, own_only=True)) for runde in runder]


def rapport_detail(*, pk: int) -> Statusrapport:
    return (
        Statusrapport.objects.select_related(
            "tiltak__program__eier",
            "tiltak__tema",
            "runde__program",
            "skrevet_av",
            "innsendt_av",
            "behandlet_av",
            "organisasjon",
        )
        .prefetch_related(Prefetch("tiltak__ansvar", Ansvar.objects.select_related("organisasjon")))
        .get(pk=pk)
    )


def tiltak_reports(*, tiltak: Tiltak) -> list[Statusrapport]:
    """The tiltak's reports, newest year first (for its page's panel)."""
    return list(
        Statusrapport.objects.filter(tiltak=tiltak).select_related("runde").order_by("-aar")
    )


def open_round_for(*, tiltak: Tiltak) -> Rapporteringsrunde | None:
    return (
        Rapporteringsrunde.objects.filter(
            program_id=tiltak.program_id, aapnet__isnull=False, lukket__isnull=True
        )
        .order_by("-aar")
        .first()
    )


def visible_statusrapporter(user) -> QuerySet[Statusrapport]:
    """The reports the user may see, as a queryset: the same rule as
    `rapportering.view_statusrapport` (rapportering/rules.py)."""
    base = Statusrapport.objects.filter(runde__program__in=visible_programmes(user))
    if is_administrator(user):
        return base
    seen = Q(behandling=Behandling.GODKJENT)
    if getattr(user, "is_authenticated", False) and user.is_active:
        if is_board_member(user):
            seen |= Q(behandling__in=(Behandling.INNSENDT, Behandling.GODKJENT))
        if user.organisasjon_id:
            seen |= Q(
                tiltak_id__in=Ansvar.objects.filter(
                    organisasjon_id=user.organisasjon_id, rolle=Rolle.HOVEDANSVAR
                ).values("tiltak_id")
            )
            if is_planner(user):
                seen |= Q(runde__program__eier_id=user.organisasjon_id)
    return base.filter(seen)
