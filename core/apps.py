from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The bottom floor: what every app shares (errors, their codes, admin and middleware
    bases). It imports no app."""

    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core import lookups

        lookups.register()  # id__in with a number no column holds matches nothing (no 500)
