from django.apps import AppConfig


class DrawingsConfig(AppConfig):
    name = "drawings"
    default_auto_field = "django.db.models.BigAutoField"
