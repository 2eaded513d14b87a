"""Reading a child's progress: one shape for the page, the REST API and the live event."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Child
from drawings.models import Drawing
from drawings.selectors import Category, installed_categories
from gamification import quests as quest_catalogue
from gamification import rules, streaks
from gamification.levels import MAX_STREAK_FREEZES, level_info
from gamification.models import (
    Achievement,
    AchievementAward,
    ChildProgress,
    DailyQuest,
    XPEvent,
    XPSource,
)


def progress_of(*, child: Child) -> ChildProgress:
    """The child's progress row; an unsaved empty one before their first finished picture."""
    return ChildProgress.objects.filter(child=child).first() or ChildProgress(child=child)


def local_today(child: Child) -> date:
    return streaks.local_time(timezone.now(), child.time_zone).date()


def quest_payload(quest: quest_catalogue.QuestDefinition | None, row: DailyQuest) -> dict[str, Any]:
    return {
        "slug": row.slug,
        "icon": quest.icon if quest else "🎯",
        "name_en": quest.name_en if quest else row.slug,
        "name_ko": quest.name_ko if quest else row.slug,
        "progress": row.progress,
        "target": row.target,
        "bonus_xp": quest.bonus_xp if quest else 0,
        "completed": row.completed_at is not None,
    }


def achievement_payload(achievement: Achievement) -> dict[str, Any]:
    return {
        "slug": achievement.slug,
        "name_en": achievement.name_en,
        "name_ko": achievement.name_ko,
        "description_en": achievement.description_en,
        "description_ko": achievement.description_ko,
        "icon": achievement.icon,
        "tier": achievement.tier,
        "xp_reward": achievement.xp_reward,
    }


def todays_quests(
    *, child: Child, progress: ChildProgress, categories: list[Category], day: date | None = None
) -> list[dict[str, Any]]:
    """The child's quests for their local day, with progress.

    Before the day's first picture nothing is stored yet: the quests shown are the ones
    the first picture will store, because both are chosen from the same counters.
    """
    day = day or local_today(child)
    rows = list(DailyQuest.objects.filter(child=child, day=day).order_by("position"))
    return quests_of_day(child=child, progress=progress, categories=categories, day=day, rows=rows)


def quests_of_day(
    *,
    child: Child,
    progress: ChildProgress,
    categories: list[Category],
    day: date,
    rows: list[DailyQuest],
) -> list[dict[str, Any]]:
    """``todays_quests`` from rows already read (the day's ``DailyQuest`` rows by position)."""
    if rows:
        return [
            quest_payload(quest_catalogue.find_quest(row.slug, categories), row) for row in rows
        ]
    chosen = quest_catalogue.choose_quests(
        child_id=child.pk, day=day, categories=categories, tried=progress.categories_tried
    )
    return [
        quest_payload(quest, DailyQuest(child=child, day=day, slug=quest.slug, target=quest.target))
        for quest in chosen
    ]


def progress_summary(
    *,
    child: Child,
    progress: ChildProgress | None = None,
    categories: Iterable[Category] | None = None,
) -> dict[str, Any]:
    """XP, level, streak and today's quests: what the level bar and the live event show."""
    progress = progress if progress is not None else progress_of(child=child)
    installed = list(installed_categories() if categories is None else categories)
    today = local_today(child)
    rows = list(DailyQuest.objects.filter(child=child, day=today).order_by("position"))
    return summary_of(
        child=child, progress=progress, categories=installed, today=today, todays_rows=rows
    )


def summary_of(
    *,
    child: Child,
    progress: ChildProgress,
    categories: list[Category],
    today: date,
    todays_rows: list[DailyQuest],
) -> dict[str, Any]:
    """``progress_summary`` from what the caller already holds, without a query.

    ``today`` is the child's local day and ``todays_rows`` its ``DailyQuest`` rows in
    position order, as they stand (the payout passes its in-memory rows).
    """
    level = level_info(progress.xp_total)
    return {
        "xp_total": progress.xp_total,
        "level": level.level,
        "level_emoji": level.emoji,
        "level_title_en": level.title_en,
        "level_title_ko": level.title_ko,
        "xp_into_level": level.xp_into_level,
        "xp_for_next_level": level.xp_for_next_level,
        "level_percent": level.percent,
        "drawings_done": progress.drawings_done,
        "streak": {
            "current": streaks.streak_alive(
                current=progress.current_streak,
                freezes=progress.streak_freezes,
                last_day=progress.last_active_day,
                today=today,
            ),
            "best": progress.best_streak,
            "freezes": progress.streak_freezes,
            "max_freezes": MAX_STREAK_FREEZES,
            "drew_today": progress.last_active_day == today,
        },
        "quests": quests_of_day(
            child=child, progress=progress, categories=categories, day=today, rows=todays_rows
        ),
    }


def achievements_for(*, child: Child) -> list[dict[str, Any]]:
    """Every achievement that can be earned, earned first; locked mystery ones stay secret."""
    return [item for _place, item in achievements_in_place(child=child)]


def achievements_in_place(*, child: Child) -> list[tuple[list[int], dict[str, Any]]]:
    """``achievements_for`` with each one's place in that list: earned (0) or not (1), then
    its place in the catalogue. A place does not move when others are earned, so a cursor
    kept between two pages of the list still points where it did."""
    earned = {
        award.achievement_id: award.awarded_at
        for award in AchievementAward.objects.filter(child=child)
    }
    result: list[tuple[list[int], dict[str, Any]]] = []
    for index, achievement in enumerate(Achievement.objects.all()):
        if not achievement.is_active and achievement.pk not in earned:
            continue
        if achievement.slug not in rules.RULES_BY_SLUG and achievement.pk not in earned:
            continue  # no rule in code can award it
        awarded_at = earned.get(achievement.pk)
        if awarded_at is None and achievement.mystery:
            item: dict[str, Any] = {
                "slug": None,
                "name_en": "?",
                "name_ko": "?",
                "description_en": "A mystery! Keep drawing to find out.",
                "description_ko": "비밀이에요! 계속 그려 보세요.",
                "icon": "❓",
                "tier": achievement.tier,
                "xp_reward": achievement.xp_reward,
            }
        else:
            item = achievement_payload(achievement)
        item["earned"] = awarded_at is not None
        item["mystery"] = achievement.mystery
        item["awarded_at"] = awarded_at.isoformat() if awarded_at else None
        result.append(([0 if awarded_at is not None else 1, index], item))
    result.sort(key=lambda placed: placed[0])
    return result


def xp_paid_for_drawings(*, drawings: QuerySet[Drawing]) -> dict[int, int]:
    """What each of these drawings paid its child, by drawing id (unpaid ones are left out)."""
    # One query over the children's drawing payouts (no id list however many drawings there are).
    paid = XPEvent.objects.filter(
        source_type=XPSource.DRAWING, child__in=drawings.values("child_id")
    ).values_list("source_id", "amount")
    return {int(source_id): amount for source_id, amount in paid if source_id.isdigit()}
