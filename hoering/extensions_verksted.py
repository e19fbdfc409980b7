"""Workshops plug into `tiltak` here (registered from HoeringConfig.ready()): a panel on the
tiltak page naming the workshop inputs it came from (following `forgjenger` back through
rolled periods), and a trace check that keeps such a tiltak (soft delete) when it is deleted."""

from __future__ import annotations

from tiltak.extensions import Panel


def tiltak_panel_context(request, tiltak) -> dict | None:
    from hoering.selectors.verksted import tiltak_workshop_trace

    forslag = tiltak_workshop_trace(tiltak=tiltak, user=request.user)
    if not forslag:
        return None
    return {"forslag": forslag, "tiltak": tiltak}


def trace_check(ids) -> set[int]:
    from hoering.selectors.verksted import traced_tiltak_ids

    return traced_tiltak_ids(ids)


TILTAK_PANEL = Panel(
    slot="tiltak_detail",
    template="hoering/verksted/panel_tiltak.html",
    context=tiltak_panel_context,
    order=50,
    name="verksted",
)
