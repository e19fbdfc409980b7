from django.apps import AppConfig


class HoeringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "hoering"

    def ready(self) -> None:
        from tiltak.extensions import register_structure_lock

        from .deadlines import running_hearing_lock

        register_structure_lock(running_hearing_lock)
        # Trace checks, page panels and API routes are registered here as they arrive
        # (hoering.extensions; partnerskap.api_router.register_routes("hoering.api.routes.register")).

        # Workshops (verksted): the tiltak page's panel, the trace check, the API routes.
        from partnerskap.api_router import register_routes
        from tiltak.extensions import register_panel, register_trace_check

        from .extensions_verksted import TILTAK_PANEL, trace_check

        register_panel(TILTAK_PANEL)
        register_trace_check(trace_check)
        register_routes("hoering.api.verksted.register")
