"""Reads of the parents' side: what is new for them, what withdrawing consent would delete."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Max, QuerySet, Value
from django.db.models.functions import Coalesce

from accounts import selectors as accounts_selectors
from accounts.models import Child, User
from drawings.erasure import stored_files_of
from drawings.models import Drawing, DrawingStatus
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


@dataclass(frozen=True)
class WhatIsNew:
    """At a glance on the family page: pictures since the last gallery visit, and requests."""

    new_pictures: int
    asked_to_look: int


def what_is_new(*, parent: User) -> WhatIsNew:
    """Finished pictures since the parent last opened the gallery (all of them before the first
    visit), and pictures a child asked a grown-up to look at."""
    family = Drawing.objects.filter(child__parent=parent)
    finished = family.filter(status=DrawingStatus.DONE)
    seen_at = User.objects.filter(pk=parent.pk).values_list("gallery_seen_at", flat=True).first()
    if seen_at is not None:
        finished = finished.filter(finished_at__gt=seen_at)
    return WhatIsNew(
        new_pictures=finished.count(),
        asked_to_look=family.filter(grownup_asked_at__isnull=False).count(),
    )


def children_at_a_glance(*, parent: User) -> QuerySet[Child]:
    """The family's children with what the list shows (XP, streak, drawings), in one query."""
    return accounts_selectors.family_children(parent=parent).annotate(
        xp_total=Coalesce("progress__xp_total", Value(0)),
        current_streak=Coalesce("progress__current_streak", Value(0)),
        streak_freezes=Coalesce("progress__streak_freezes", Value(0)),
        last_active_day=F("progress__last_active_day"),
        drawing_count=Count("drawings", distinct=True),
        last_drawn_at=Max("drawings__created_at"),
    )
