from django.apps import AppConfig


class HoeringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "hoering"

    def ready(self) -> None:
        from partnerskap.api_router import register_routes
        from tiltak.extensions import register_structure_lock, register_trace_check

        from .deadlines import running_hearing_lock
        from .traces import tiltak_with_answers

        register_structure_lock(running_hearing_lock)
        register_trace_check(tiltak_with_answers)
        register_routes("hoering.api.routes.register")
        # Page panels are registered here as they arrive (hoering.extensions).
