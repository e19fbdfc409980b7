from django.apps import AppConfig


class HoeringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "hoering"

    def ready(self) -> None:
        from partnerskap.api_router import register_routes
        from tiltak.extensions import register_structure_lock

        from . import extensions
        from .deadlines import running_hearing_lock

        register_structure_lock(running_hearing_lock)
        extensions.register()
        register_routes("hoering.api.routes.register")
        # Trace checks are registered here as they arrive (hoering.traces, h9org).
