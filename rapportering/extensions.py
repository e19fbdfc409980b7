"""What reporting adds to the programme app through its extension points
(tiltak/extensions.py), registered from RapporteringConfig.ready(): a trace check (a tiltak
with status reports is kept, as deleted, when it is deleted) and the panels on the tiltak page
(«Rapportert 2019: Pågår») and the programme page (indicators and reporting rounds)."""

from __future__ import annotations

from collections.abc import Collection

from tiltak.extensions import Panel
from tiltak.models import Rolle

from . import selectors
from .models import Statusrapport
from .rules import lead_organisation_ids


def tiltak_with_reports(ids: Collection[int]) -> set[int]:
    return set(
        Statusrapport.objects.filter(tiltak_id__in=list(ids))
        .values_list("tiltak_id", flat=True)
        .distinct()
    )


def tiltak_panel_context(request, tiltak) -> dict | None:
    """One query for a visitor who cannot report (the tiltak's reports), two for a member of a
    lead organisation (and the open round)."""
    user = getattr(request, "user", None)
    if user is None:
        return None
    reports = [
        r
        for r in selectors.tiltak_reports(tiltak=tiltak)
        if user.has_perm("rapportering.view_statusrapport", r)
    ]
    runde = None
    org_id = getattr(user, "organisasjon_id", None)
    if org_id and org_id in lead_organisation_ids(tiltak):
        runde = selectors.open_round_for(tiltak=tiltak)
    can_report = False
    if runde is not None:
        own = next((r for r in reports if r.aar == runde.aar), None)
        probe = own or Statusrapport(tiltak=tiltak, runde=runde, aar=runde.aar)
        can_report = user.has_perm("rapportering.write_statusrapport", probe)
    if not reports and not can_report:
        return None
    return {
        "tiltak": tiltak,
        "latest": reports[0] if reports else None,
        "earlier": reports[1:],
        "runde": runde if can_report else None,
    }


def programme_panel_context(request, programme) -> dict | None:
    user = getattr(request, "user", None)
    if user is None:
        return None
    manage = user.has_perm("rapportering.manage_indikator", programme)
    indikatorer = programme.indikatorer.count()
    runder = list(selectors.visible_runder(user).filter(program=programme).order_by("-aar"))
    if not (manage or indikatorer or runder):
        return None
    org_id = getattr(user, "organisasjon_id", None)
    leads_open = (
        bool(org_id)
        and any(r.er_aapen for r in runder)
        and programme.tiltak.filter(
            ansvar__organisasjon_id=org_id, ansvar__rolle=Rolle.HOVEDANSVAR
        ).exists()
    )
    return {
        "programme": programme,
        "indikatorer": indikatorer,
        "runder": runder,
        "manage": manage,
        "leads_open": leads_open,
    }


TILTAK_PANEL = Panel(
    slot="tiltak_detail",
    template="rapportering/partials/tiltak_panel.html",
    context=tiltak_panel_context,
    order=50,
    name="rapportering",
)
PROGRAMME_PANEL = Panel(
    slot="programme_detail",
    template="rapportering/partials/programme_panel.html",
    context=programme_panel_context,
    order=50,
    name="rapportering",
)
