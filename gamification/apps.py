from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_achievements(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """After ``migrate``: the achievements defined in code get their database rows."""
    from gamification.achievement_rows import sync_achievements
    from gamification.models import Achievement

    if Achievement._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated partway (or backwards): nothing to fill yet
    sync_achievements()


class GamificationConfig(AppConfig):
    name = "gamification"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Progress")

    def ready(self) -> None:
        from drawings.hooks import when_drawings_finish
        from gamification.services import pay_for_finished_drawings

        post_migrate.connect(_sync_achievements, sender=self)
        # A drawing's life knows no game: the game asks to pay each finished batch.
        when_drawings_finish(pay_for_finished_drawings)
