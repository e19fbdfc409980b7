"""The programme page's panel (tiltak.extensions, slot programme_detail): links to the annual
report of each year of the programme's period. No query."""

from tiltak.extensions import Panel


def _context(request, programme) -> dict:
    return {
        "programme": programme,
        "years": list(range(programme.start_aar, programme.slutt_aar + 1)),
    }


AARSRAPPORT_PANEL = Panel(
    slot="programme_detail",
    template="rapportering/aarsrapport/partials/panel.html",
    context=_context,
    order=60,
    name="aarsrapport",
)
