from django.apps import AppConfig


class RapporteringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rapportering"

    def ready(self) -> None:
        from partnerskap.api_router import register_routes
        from tiltak.extensions import register_panel, register_trace_check

        from .aarsrapport.panel import AARSRAPPORT_PANEL
        from .extensions import PROGRAMME_PANEL, TILTAK_PANEL, tiltak_with_reports

        register_trace_check(tiltak_with_reports)
        register_panel(TILTAK_PANEL)
        register_panel(PROGRAMME_PANEL)
        register_panel(AARSRAPPORT_PANEL)
        register_routes("rapportering.api.routes.register")
        register_routes("rapportering.api.rapport.register")

        from . import rules_dashboard  # noqa: F401  (the permission names)
        from .dashboard import panels, sections

        # The dashboard tiles and case-paper parts that rest on the programme itself, and the
        # links to them on the programme page.
        sections.register()
        panels.register()

        # Indicators, reports since the last meeting, the annual report part, report colours.
        from . import dashboard_sections

        dashboard_sections.register()
