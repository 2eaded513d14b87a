"""``manage.py rebuild_xp_totals``: set every cached XP total to the sum of its ledger."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Q

from accounts.models import Child
from gamification.maintenance import rebuild_xp_total


class Command(BaseCommand):
    help = "Recompute each child's cached XP total from the XP ledger (the ledger is the truth)."

    def handle(self, *args: Any, **options: Any) -> None:
        children = Child.objects.filter(
            Q(xp_events__isnull=False) | Q(progress__isnull=False)
        ).distinct()
        count = 0
        for child_id in children.order_by("pk").values_list("pk", flat=True).iterator():
            rebuild_xp_total(child_id=child_id)
            count += 1
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the XP total of {count} child(ren)."))
