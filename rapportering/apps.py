from django.apps import AppConfig


class RapporteringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rapportering"
