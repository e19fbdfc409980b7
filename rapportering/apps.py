from django.apps import AppConfig


class RapporteringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rapportering"

    def ready(self) -> None:
        from partnerskap.api_router import register_routes
        from tiltak.extensions import register_panel

        from .aarsrapport.panel import AARSRAPPORT_PANEL

        register_routes("rapportering.api.rapport.register")
        register_panel(AARSRAPPORT_PANEL)
