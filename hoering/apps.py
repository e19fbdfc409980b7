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
