"""Every write to a child's XP, streak, quests and achievements happens here.

``pay_for_drawing`` is called inside the transaction that marks a drawing ``done``.
It locks the child's ``ChildProgress`` row first, so two pictures of the same child
finishing at once are paid one after the other (the day rollover, a freeze and each
achievement happen once), and every XP payment is an insert into the ledger that a
unique constraint refuses the second time, so nothing is ever paid twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from accounts.models import Child
from drawings.models import Drawing, DrawingStatus
from drawings.selectors import Category, installed_categories
from gamification import quests as quest_catalogue
from gamification import rules, selectors, streaks
from gamification.facts import DrawingFacts
from gamification.levels import XP_PER_DRAWING, level_for
from gamification.models import (
    Achievement,
    AchievementAward,
    ChildProgress,
    DailyQuest,
    XPEvent,
    XPSource,
)

logger = logging.getLogger(__name__)

# Saved by a payout; xp_total is never among them (it only moves by F() with the ledger).
COUNTER_FIELDS = (
    "drawings_done",
    "category_counts",
    "weekend_drawings",
    "early_drawings",
    "quests_completed",
    "current_streak",
    "best_streak",
    "streak_freezes",
    "freezes_used",
    "last_active_day",
    "days_active",
    "comebacks",
    "day_drawings",
    "day_categories",
    "week_start",
    "week_days",
    "full_weeks",
    "updated_at",
)
FULL_WEEK = 0b1111111


@dataclass
class Payout:
    """What one finished picture changed for the child, ready for the live event."""

    child_id: int
    drawing_id: int
    already_paid: bool = False
    xp_gained: int = 0
    xp_before: int = 0
    xp_total: int = 0
    new_achievements: list[dict[str, Any]] = field(default_factory=list)
    quests_completed: list[dict[str, Any]] = field(default_factory=list)
    freezes_spent: int = 0
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def level_up(self) -> bool:
        return level_for(self.xp_total) > level_for(self.xp_before)

    def to_event(self) -> dict[str, Any]:
        """The ``progress`` part of the ``drawing.status`` event (JSON-ready)."""
        return {
            **self.summary,
            "xp_gained": self.xp_gained,
            "level_up": self.level_up,
            "new_achievements": self.new_achievements,
            "quests_completed": self.quests_completed,
            "streak_freezes_spent": self.freezes_spent,
        }


# --- achievements catalogue ----------------------------------------------------------


def sync_achievements(*, overwrite: bool = False) -> tuple[int, int]:
    """Create the database rows of achievements defined in ``gamification.rules``.

    Rows that exist keep their admin-edited texts unless ``overwrite`` is set.
    Returns ``(created, updated)``.
    """
    created = updated = 0
    for order, rule in enumerate(rules.ACHIEVEMENTS):
        defaults = {
            "name_en": rule.name_en,
            "name_ko": rule.name_ko,
            "description_en": rule.description_en,
            "description_ko": rule.description_ko,
            "icon": rule.icon,
            "tier": rule.tier,
            "mystery": rule.mystery,
            "xp_reward": rule.xp_reward,
            "sort_order": order,
        }
        if overwrite:
            _, was_created = Achievement.objects.update_or_create(slug=rule.slug, defaults=defaults)
            updated += not was_created
        else:
            _, was_created = Achievement.objects.get_or_create(slug=rule.slug, defaults=defaults)
        created += was_created
    return created, updated


def _achievement_rows() -> dict[str, Achievement]:
    rows = {a.slug: a for a in Achievement.objects.all()}
    if any(rule.slug not in rows for rule in rules.ACHIEVEMENTS):
        sync_achievements()
        rows = {a.slug: a for a in Achievement.objects.all()}
    return rows


# --- the ledger ----------------------------------------------------------------------


def _record_xp(
    progress: ChildProgress, *, amount: int, reason: str, source_type: str, source_id: str
) -> bool:
    """Append one payment; False (and nothing changes) if this source already paid."""
    try:
        with transaction.atomic():
            XPEvent.objects.create(
                child_id=progress.pk,
                amount=amount,
                reason=reason[:120],
                source_type=source_type,
                source_id=source_id,
            )
    except IntegrityError:
        return False
    if amount:
        ChildProgress.objects.filter(pk=progress.pk).update(xp_total=F("xp_total") + amount)
        progress.xp_total += amount
    return True


def _locked_progress(child_id: int) -> ChildProgress:
    ChildProgress.objects.get_or_create(child_id=child_id)
    return ChildProgress.objects.select_for_update().get(pk=child_id)


# --- paying for a picture ------------------------------------------------------------


def pay_for_drawing(*, drawing: Drawing, categories: Iterable[Category] | None = None) -> Payout:
    """Pay a finished picture: XP, streak, quests and achievements, at most once.

    Call it inside the transaction that marks the drawing done. A drawing already
    paid returns ``Payout(already_paid=True)`` and changes nothing.
    """
    installed = list(installed_categories() if categories is None else categories)
    with transaction.atomic():
        progress = _locked_progress(drawing.child_id)
        payout = _apply_drawing(progress, drawing, installed, replay=False)
        payout.summary = selectors.progress_summary(
            child=drawing.child, progress=progress, categories=installed
        )
    return payout


def _apply_drawing(
    progress: ChildProgress, drawing: Drawing, categories: list[Category], *, replay: bool
) -> Payout:
    child: Child = drawing.child
    payout = Payout(child_id=child.pk, drawing_id=drawing.pk, xp_before=progress.xp_total)
    paid = _record_xp(
        progress,
        amount=XP_PER_DRAWING,
        reason=f"picture of {drawing.category}",
        source_type=XPSource.DRAWING,
        source_id=str(drawing.pk),
    )
    if not paid and not replay:
        # The counters already include this picture: the payment and the counting are one.
        payout.already_paid = True
        payout.xp_total = progress.xp_total
        return payout

    moment = drawing.finished_at or drawing.created_at or timezone.now()
    facts, day = _facts(progress, drawing.category, streaks.local_time(moment, child.time_zone))
    payout.freezes_spent = _count_picture(progress, facts, day)
    payout.quests_completed = _advance_quests(progress, facts, day, categories, moment)
    judgement = rules.Judgement(
        progress=progress, facts=facts, categories=frozenset(c.slug for c in categories)
    )
    payout.new_achievements = _award(progress, judgement, drawing)
    progress.save(update_fields=COUNTER_FIELDS)
    payout.xp_total = progress.xp_total
    payout.xp_gained = payout.xp_total - payout.xp_before
    return payout


def _facts(progress: ChildProgress, category: str, when: datetime) -> tuple[DrawingFacts, date]:
    last = progress.last_active_day
    # A clock or time-zone change can put a picture "before" the last active day; it then
    # counts for that day, so a streak never runs backwards.
    day = max(when.date(), last) if last else when.date()
    same_day = last == day
    day_categories = set(progress.day_categories) if same_day else set()
    facts = DrawingFacts(
        category=category,
        local_time=when,
        first_time_category=not progress.category_counts.get(category),
        first_today_category=category not in day_categories,
        day_drawings=(progress.day_drawings if same_day else 0) + 1,
        days_since_last=(day - last).days if last else None,
    )
    return facts, day


def _count_picture(progress: ChildProgress, facts: DrawingFacts, day: date) -> int:
    """Move the counters and the streak on by one picture; return the freezes spent."""
    progress.drawings_done += 1
    counts = dict(progress.category_counts)
    counts[facts.category] = counts.get(facts.category, 0) + 1
    progress.category_counts = counts
    progress.weekend_drawings += facts.is_weekend
    progress.early_drawings += facts.local_time.hour < 7

    step = streaks.advance_streak(
        current=progress.current_streak,
        best=progress.best_streak,
        freezes=progress.streak_freezes,
        last_day=progress.last_active_day,
        day=day,
    )
    progress.current_streak, progress.best_streak = step.current, step.best
    progress.streak_freezes = step.freezes
    progress.freezes_used += step.freezes_spent
    progress.comebacks += step.comeback
    if step.new_day:
        progress.last_active_day = day
        progress.days_active += 1
        progress.day_drawings = 0
        progress.day_categories = []
    progress.day_drawings += 1
    if facts.category not in progress.day_categories:
        # Sorted: pictures finishing at the same instant leave the same list in any order.
        progress.day_categories = sorted([*progress.day_categories, facts.category])

    monday = streaks.week_start(day)
    if progress.week_start is None or monday > progress.week_start:
        progress.week_start, progress.week_days = monday, 0
    if monday == progress.week_start:
        before = progress.week_days
        progress.week_days = before | (1 << day.weekday())
        if progress.week_days == FULL_WEEK and before != FULL_WEEK:
            progress.full_weeks += 1
    return step.freezes_spent


def _days_quests(
    progress: ChildProgress, day: date, categories: list[Category]
) -> list[DailyQuest]:
    rows = list(DailyQuest.objects.filter(child_id=progress.pk, day=day).order_by("position"))
    if rows:
        return rows
    # Chosen from the counters before the day's first picture, as the page showed them.
    chosen = quest_catalogue.choose_quests(
        child_id=progress.pk, day=day, categories=categories, tried=progress.categories_tried
    )
    for position, quest in enumerate(chosen):
        row, _ = DailyQuest.objects.get_or_create(
            child_id=progress.pk,
            day=day,
            slug=quest.slug,
            defaults={"position": position, "target": quest.target},
        )
        rows.append(row)
    return rows


def _advance_quests(
    progress: ChildProgress,
    facts: DrawingFacts,
    day: date,
    categories: list[Category],
    moment: datetime,
) -> list[dict[str, Any]]:
    rows = _days_quests(progress, day, categories)
    done_now: list[dict[str, Any]] = []
    for row in rows:
        quest = quest_catalogue.find_quest(row.slug, categories)
        if row.is_complete or quest is None or not quest.counts(facts):
            continue
        row.progress = min(row.target, row.progress + 1)
        if row.progress >= row.target:
            row.completed_at = moment
            progress.quests_completed += 1
            _record_xp(
                progress,
                amount=quest.bonus_xp,
                reason=f"quest {quest.slug}",
                source_type=XPSource.QUEST,
                source_id=f"{day.isoformat()}:{quest.slug}",
            )
            done_now.append(selectors.quest_payload(quest, row))
        row.save(update_fields=["progress", "completed_at"])
    if done_now and all(row.is_complete for row in rows):
        # Finishing every quest of the day is how freezes are earned.
        progress.streak_freezes = streaks.earn_freeze(progress.streak_freezes)
    return done_now


def _award(
    progress: ChildProgress, judgement: rules.Judgement, drawing: Drawing
) -> list[dict[str, Any]]:
    already = set(
        AchievementAward.objects.filter(child_id=progress.pk).values_list(
            "achievement__slug", flat=True
        )
    )
    candidates = rules.earned_now(judgement, already=already)
    if not candidates:
        return []
    rows = _achievement_rows()
    new: list[dict[str, Any]] = []
    for rule in candidates:
        achievement = rows.get(rule.slug)
        if achievement is None or not achievement.is_active:
            continue
        try:
            with transaction.atomic():
                AchievementAward.objects.create(
                    child_id=progress.pk, achievement=achievement, drawing=drawing
                )
        except IntegrityError:
            continue
        _record_xp(
            progress,
            amount=achievement.xp_reward,
            reason=f"achievement {achievement.slug}",
            source_type=XPSource.ACHIEVEMENT,
            source_id=achievement.slug,
        )
        new.append(selectors.achievement_payload(achievement))
    return new


# --- rebuilding ----------------------------------------------------------------------


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

    Pictures are replayed in the order they finished. The ledger is never rewritten:
    a payment that exists is not made again, so only rules added since pay anything,
    and running it twice leaves the same totals.
    """
    installed = list(installed_categories() if categories is None else categories)
    with transaction.atomic():
        progress = _locked_progress(child.pk)
        xp_before = XPEvent.objects.filter(child=child).aggregate(s=Sum("amount"))["s"] or 0
        fresh = ChildProgress(child=child, xp_total=progress.xp_total)
        for name in COUNTER_FIELDS:
            setattr(progress, name, getattr(fresh, name))
        DailyQuest.objects.filter(child=child).update(progress=0, completed_at=None)
        done = (
            Drawing.objects.filter(child=child, status=DrawingStatus.DONE)
            .select_related("child")
            .order_by(F("finished_at").asc(nulls_first=True), "id")
        )
        count = 0
        for drawing in done.iterator(chunk_size=500):
            _apply_drawing(progress, drawing, installed, replay=True)
            count += 1
        progress.save(update_fields=COUNTER_FIELDS)
    total = rebuild_xp_total(child_id=child.pk)
    return BackfillResult(
        child_id=child.pk, drawings=count, xp_paid_now=total - int(xp_before), xp_total=total
    )
