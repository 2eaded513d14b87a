"""Repairs of the game's state: the cached XP total rebuilt from the ledger, and a child's
progress replayed from their drawings (after a rule is added, or a payout that failed).

Both take the child's lock as a payout does (``gamification.locking``) and never rewrite the
ledger: a payment that exists is not made again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from accounts.models import Child
from drawings.models import Drawing, DrawingStatus
from drawings.selectors import Category, installed_categories
from gamification.ledger import COUNTER_FIELDS, Batch, ChildState
from gamification.locking import locked_batch
from gamification.models import ChildProgress, DailyQuest, XPEvent
from gamification.payout import apply_drawing, moment_of


def _locked_progress(child_id: int) -> ChildProgress:
    ChildProgress.objects.get_or_create(child_id=child_id)
    return ChildProgress.objects.select_for_update().get(pk=child_id)


def rebuild_xp_total(*, child_id: int) -> int:
    """Set the cached total to the ledger's sum; return it."""
    with transaction.atomic():
        progress = _locked_progress(child_id)
        total = XPEvent.objects.filter(child_id=child_id).aggregate(s=Sum("amount"))["s"] or 0
        if progress.xp_total != total:
            ChildProgress.objects.filter(pk=child_id).update(xp_total=total)
    return int(total)


@dataclass
class BackfillResult:
    child_id: int
    drawings: int
    xp_paid_now: int
    xp_total: int


def backfill_child(*, child: Child, categories: Iterable[Category] | None = None) -> BackfillResult:
    """Recompute a child's counters, streak, quests and achievements from their drawings.

    Pictures are replayed in the order they finished, by the same rules and in memory as a
    batch payout. The ledger is never rewritten: a payment that exists is not made again, so
    only rules added since pay anything, and running it twice leaves the same totals.
    """
    installed = list(installed_categories() if categories is None else categories)

    def replay(locked: dict[int, ChildProgress]) -> tuple[int, int]:
        progress = locked[child.pk]
        xp_before = XPEvent.objects.filter(child=child).aggregate(s=Sum("amount"))["s"] or 0
        fresh = ChildProgress(child=child, xp_total=progress.xp_total)
        for name in COUNTER_FIELDS:
            setattr(progress, name, getattr(fresh, name))
        DailyQuest.objects.filter(child=child).update(progress=0, completed_at=None)
        state = ChildState(progress=progress, changed=True)  # reset: saved even if nothing
        batch = Batch(installed, {child.pk: state})
        batch.read(days=None, drawing_ids=())
        done = Drawing.objects.filter(child=child, status=DrawingStatus.DONE).order_by(
            F("finished_at").asc(nulls_first=True), "id"
        )
        now, count = timezone.now(), 0
        for drawing in done.iterator(chunk_size=500):
            apply_drawing(batch, state, drawing, moment_of(drawing, now), replay=True)
            count += 1
        batch.flush()
        return count, int(xp_before)

    count, xp_before = locked_batch([child.pk], replay)
    total = rebuild_xp_total(child_id=child.pk)
    return BackfillResult(
        child_id=child.pk, drawings=count, xp_paid_now=total - xp_before, xp_total=total
    )
