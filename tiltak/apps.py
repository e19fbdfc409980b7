from django.apps import AppConfig


class TiltakConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tiltak"
