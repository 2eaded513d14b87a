"""The game's rules for one finished picture: XP, counters, the streak, quests and achievements.

:func:`apply_drawing` changes a child's state in memory, on a batch the ledger read under the
child's lock (``gamification.ledger``); it never reads or writes the database itself, so a
batch payout and a backfill replay apply exactly the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from drawings.models import Drawing
from gamification import quests as quest_catalogue
from gamification import rules, selectors, streaks
from gamification.facts import DrawingFacts
from gamification.ledger import Batch, ChildState
from gamification.levels import XP_PER_DRAWING, level_for
from gamification.models import AchievementAward, ChildProgress, XPSource

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


def moment_of(drawing: Drawing, now: datetime) -> datetime:
    """When a picture counts: when it finished (else when it was made, else now)."""
    return drawing.finished_at or drawing.created_at or now


def apply_drawing(
    batch: Batch, state: ChildState, drawing: Drawing, moment: datetime, *, replay: bool
) -> Payout:
    """One picture's payout, on the batch's state in memory: the game's rules in one place."""
    progress, child = state.progress, state.child
    payout = Payout(child_id=child.pk, drawing_id=drawing.pk, xp_before=progress.xp_total)
    paid = batch.record_xp(
        state,
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

    state.changed = True
    facts, day = _facts(progress, drawing.category, streaks.local_time(moment, child.time_zone))
    payout.freezes_spent = _count_picture(progress, facts, day)
    payout.quests_completed = _advance_quests(batch, state, facts, day, moment)
    judgement = rules.Judgement(progress=progress, facts=facts, categories=batch.category_slugs)
    payout.new_achievements = _award(batch, state, judgement, drawing)
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


def _advance_quests(
    batch: Batch, state: ChildState, facts: DrawingFacts, day: date, moment: datetime
) -> list[dict[str, Any]]:
    progress = state.progress
    rows = batch.quests_of(state, day)
    done_now: list[dict[str, Any]] = []
    for row in rows:
        quest = quest_catalogue.find_quest(row.slug, batch.categories)
        if row.is_complete or quest is None or not quest.counts(facts):
            continue
        row.progress = min(row.target, row.progress + 1)
        if row.progress >= row.target:
            row.completed_at = moment
            progress.quests_completed += 1
            batch.record_xp(
                state,
                amount=quest.bonus_xp,
                reason=f"quest {quest.slug}",
                source_type=XPSource.QUEST,
                source_id=f"{day.isoformat()}:{quest.slug}",
            )
            done_now.append(selectors.quest_payload(quest, row))
        batch.quest_changed(row)
    if done_now and all(row.is_complete for row in rows):
        # Finishing every quest of the day is how freezes are earned.
        progress.streak_freezes = streaks.earn_freeze(progress.streak_freezes)
    return done_now


def _award(
    batch: Batch, state: ChildState, judgement: rules.Judgement, drawing: Drawing
) -> list[dict[str, Any]]:
    candidates = rules.earned_now(judgement, already=state.awarded)
    if not candidates:
        return []
    rows = batch.achievements()
    new: list[dict[str, Any]] = []
    for rule in candidates:
        achievement = rows.get(rule.slug)
        if achievement is None or not achievement.is_active:
            continue
        state.awarded.add(rule.slug)
        batch.awards.append(
            AchievementAward(child_id=state.progress.pk, achievement=achievement, drawing=drawing)
        )
        batch.record_xp(
            state,
            amount=achievement.xp_reward,
            reason=f"achievement {achievement.slug}",
            source_type=XPSource.ACHIEVEMENT,
            source_id=achievement.slug,
        )
        new.append(selectors.achievement_payload(achievement))
    return new
