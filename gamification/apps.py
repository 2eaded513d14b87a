from django.apps import AppConfig


class GamificationConfig(AppConfig):
    name = "gamification"
    default_auto_field = "django.db.models.BigAutoField"
