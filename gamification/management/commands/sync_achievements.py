"""``manage.py sync_achievements``: give every achievement defined in code its database row."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gamification.achievement_rows import sync_achievements


class Command(BaseCommand):
    help = (
        "Create the rows of achievements defined in gamification/rules.py (migrate does this "
        "too). Texts edited in the admin are kept unless --overwrite is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--overwrite", action="store_true", help="Reset names, icons and tiers from the code."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        created, updated = sync_achievements(overwrite=options["overwrite"])
        self.stdout.write(self.style.SUCCESS(f"{created} created, {updated} reset."))
