from django.apps import AppConfig


class TiltakConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tiltak"

    def ready(self) -> None:
        from partnerskap.api_router import register_routes

        # Registers tiltak's own trace checks (history, rolling links) in tiltak.extensions.
        from tiltak.services import traces  # noqa: F401

        register_routes("tiltak.api.routes.register")

        # Every write to what a cached page fragment shows makes the fragments obsolete.
        from tiltak.selectors.render_cache import connect_signals

        connect_signals()
