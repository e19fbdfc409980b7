"""The links from the programme page to the board's dashboard and the case papers, as a panel
(tiltak/extensions.py), so the programme app does not name this one."""

from tiltak.extensions import Panel, register_panel


def programme_links(request, programme) -> dict | None:
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("rapportering.view_dashboard", programme):
        return None
    return {"programme": programme}


def register() -> None:
    register_panel(
        Panel(
            slot="programme_detail",
            template="rapportering/dashboard/partials/programme_panel.html",
            context=programme_links,
            order=10,
            name="dashboard_links",
        )
    )
