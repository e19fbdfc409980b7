from django.apps import AppConfig


class HoeringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "hoering"

    def ready(self) -> None:
        from partnerskap.api_router import register_routes
        from tiltak.extensions import register_panel, register_structure_lock, register_trace_check

        from . import extensions
        from .deadlines import running_hearing_lock
        from .extensions_verksted import TILTAK_PANEL, trace_check
        from .traces import tiltak_with_answers

        # Hearings: the structure lock while one runs, the panels on the programme and tiltak
        # pages, the trace check (answered tiltak are kept on delete), the API routes.
        register_structure_lock(running_hearing_lock)
        extensions.register()
        register_trace_check(tiltak_with_answers)
        register_routes("hoering.api.routes.register")

        # Workshops (verksted): the tiltak page's panel, the trace check, the API routes.
        register_panel(TILTAK_PANEL)
        register_trace_check(trace_check)
        register_routes("hoering.api.verksted.register")

        # The board's dashboard tile, «since the last meeting» and the case papers' summary.
        from . import dashboard

        dashboard.register()
