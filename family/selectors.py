"""Reads of the parents' side: what withdrawing a child's consent would delete."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Child
from drawings.erasure import stored_files_of
from drawings.models import Drawing
from gamification.models import AchievementAward, ChildProgress, DailyQuest, XPEvent


@dataclass(frozen=True)
class ChildData:
    """Everything stored about one child, counted: the confirmation page says exactly this."""

    drawings: int
    files: int
    xp_events: int
    xp_total: int
    achievements: int
    quests: int
    current_streak: int
    has_progress: bool
    consent_records: int


def child_data(*, child: Child) -> ChildData:
    """Count what a child's profile holds (before consent is withdrawn)."""
    progress = ChildProgress.objects.filter(child=child).first()
    return ChildData(
        drawings=Drawing.objects.filter(child=child).count(),
        files=len(stored_files_of(Drawing.objects.filter(child=child))),
        xp_events=XPEvent.objects.filter(child=child).count(),
        xp_total=progress.xp_total if progress else 0,
        achievements=AchievementAward.objects.filter(child=child).count(),
        quests=DailyQuest.objects.filter(child=child).count(),
        current_streak=progress.current_streak if progress else 0,
        has_progress=progress is not None,
        consent_records=child.consents.count(),
    )
