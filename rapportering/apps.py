from django.apps import AppConfig


class RapporteringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rapportering"

    def ready(self) -> None:
        from . import rules_dashboard  # noqa: F401  (the permission names)
        from .dashboard import panels, sections

        # The dashboard tiles and case-paper parts that rest on the programme itself, and the
        # links to them on the programme page.
        sections.register()
        panels.register()
