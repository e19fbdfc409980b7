from django.apps import AppConfig


class TiltakConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tiltak"

    def ready(self) -> None:
        from partnerskap.api_router import register_routes

        # Registers tiltak's own trace checks (history, rolling links) in tiltak.extensions.
        from tiltak.services import traces  # noqa: F401

        register_routes("tiltak.api.routes.register")
