"""``manage.py backfill_gamification``: recompute progress from the finished drawings."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Q

from accounts.models import Child
from drawings.models import DrawingStatus
from drawings.selectors import installed_categories
from gamification.achievement_rows import sync_achievements
from gamification.maintenance import backfill_child


class Command(BaseCommand):
    help = (
        "Replay every child's finished drawings through the current rules: counters, streaks, "
        "quests and achievements are recomputed, and only what was never paid is paid now. "
        "Safe to run again: a second run changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--child", type=int, action="append", help="Only this child id.")

    def handle(self, *args: Any, **options: Any) -> None:
        sync_achievements()
        categories = installed_categories(refresh=True)
        children = Child.objects.filter(
            Q(drawings__status=DrawingStatus.DONE) | Q(progress__isnull=False)
        ).distinct()
        if options.get("child"):
            children = children.filter(pk__in=options["child"])
        paid = 0
        for child in children.order_by("pk").iterator():
            result = backfill_child(child=child, categories=categories)
            paid += result.xp_paid_now
            self.stdout.write(
                f"child {child.pk}: {result.drawings} picture(s), "
                f"+{result.xp_paid_now} XP now, {result.xp_total} XP in all"
            )
        self.stdout.write(self.style.SUCCESS(f"Backfill done: {paid} XP paid that was missing."))
