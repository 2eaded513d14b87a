"""Achievements as small rule objects: a condition on the picture's facts and the counters.

Conditions only look at the finished picture (``DrawingFacts``), the child's counters
after it (``ChildProgress``) and the installed categories: never at other drawings, so
judging costs the same on the first picture and the thousandth.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gamification.facts import DrawingFacts
from gamification.levels import TIER_XP
from gamification.models import ChildProgress, Tier


@dataclass(frozen=True)
class Judgement:
    """Everything a rule may look at."""

    progress: ChildProgress
    facts: DrawingFacts
    categories: frozenset[str]


@dataclass(frozen=True)
class AchievementRule:
    """One achievement: its condition in code, its texts as data (synced to the database)."""

    slug: str
    tier: str
    icon: str
    name_en: str
    name_ko: str
    description_en: str
    description_ko: str
    condition: Callable[[Judgement], bool]
    mystery: bool = False

    @property
    def xp_reward(self) -> int:
        return TIER_XP[self.tier]

    def earned(self, judgement: Judgement) -> bool:
        return bool(self.condition(judgement))


def _pictures(n: int) -> Callable[[Judgement], bool]:
    return lambda j: j.progress.drawings_done >= n


def _streak(days: int) -> Callable[[Judgement], bool]:
    return lambda j: j.progress.current_streak >= days


def _quests(n: int) -> Callable[[Judgement], bool]:
    return lambda j: j.progress.quests_completed >= n


def _every_category(minimum: int) -> Callable[[Judgement], bool]:
    def condition(j: Judgement) -> bool:
        counts = j.progress.category_counts
        return bool(j.categories) and all(counts.get(c, 0) >= minimum for c in j.categories)

    return condition


def _one_category(minimum: int) -> Callable[[Judgement], bool]:
    return lambda j: max(j.progress.category_counts.values(), default=0) >= minimum


B, S, G = Tier.BRONZE.value, Tier.SILVER.value, Tier.GOLD.value

ACHIEVEMENTS: tuple[AchievementRule, ...] = (
    AchievementRule(
        "first-picture", B, "🎉", "First picture!", "첫 그림!",
        "Finish your very first picture.", "처음으로 그림을 완성했어요.",
        _pictures(1),
    ),
    AchievementRule(
        "pictures-10", B, "🖍️", "Ten pictures", "그림 10장",
        "Finish 10 pictures.", "그림 10장을 완성했어요.",
        _pictures(10),
    ),
    AchievementRule(
        "pictures-50", S, "🎨", "Fifty pictures", "그림 50장",
        "Finish 50 pictures.", "그림 50장을 완성했어요.",
        _pictures(50),
    ),
    AchievementRule(
        "pictures-100", G, "🏆", "One hundred pictures", "그림 100장",
        "Finish 100 pictures.", "그림 100장을 완성했어요.",
        _pictures(100),
    ),
    AchievementRule(
        "explorer-3", B, "🧭", "Explorer", "탐험가",
        "Draw 3 different kinds of things.", "서로 다른 3가지를 그렸어요.",
        lambda j: len(j.progress.categories_tried) >= 3,
    ),
    AchievementRule(
        "every-category", G, "🌍", "Tried them all", "모두 그려 봤어요",
        "Draw every kind of thing iCanvas knows.", "아이캔버스가 아는 모든 것을 그려 봤어요.",
        _every_category(1),
    ),
    AchievementRule(
        "category-fan", S, "💖", "Big fan", "왕팬",
        "Draw 10 pictures of the same kind.", "같은 종류의 그림을 10장 그렸어요.",
        _one_category(10),
    ),
    AchievementRule(
        "all-rounder", G, "🌟", "All-rounder", "만능 화가",
        "Draw 3 pictures of every kind.", "모든 종류를 3장씩 그렸어요.",
        _every_category(3),
    ),
    AchievementRule(
        "streak-3", B, "🔥", "Three days in a row", "3일 연속",
        "Draw on 3 days in a row.", "3일 연속으로 그림을 그렸어요.",
        _streak(3),
    ),
    AchievementRule(
        "streak-7", S, "🔥", "A whole week", "일주일 연속",
        "Draw on 7 days in a row.", "7일 연속으로 그림을 그렸어요.",
        _streak(7),
    ),
    AchievementRule(
        "streak-30", G, "🌋", "A month of pictures", "한 달 연속",
        "Draw on 30 days in a row.", "30일 연속으로 그림을 그렸어요.",
        _streak(30),
    ),
    AchievementRule(
        "weekend-artist", B, "🏖️", "Weekend artist", "주말 화가",
        "Draw a picture on a Saturday or Sunday.", "토요일이나 일요일에 그림을 그렸어요.",
        lambda j: j.facts.is_weekend,
    ),
    AchievementRule(
        "quest-week", S, "📅", "Every day this week", "일주일 내내",
        "Draw something every day from Monday to Sunday.",
        "월요일부터 일요일까지 매일 그림을 그렸어요.",
        lambda j: j.progress.full_weeks >= 1,
    ),
    AchievementRule(
        "welcome-back", B, "👋", "Welcome back!", "다시 만나서 반가워요!",
        "Come back to draw after a week away.", "일주일 넘게 쉬었다가 다시 그림을 그렸어요.",
        lambda j: j.progress.comebacks >= 1,
    ),
    AchievementRule(
        "quests-5", B, "📜", "Quest helper", "퀘스트 도우미",
        "Complete 5 daily quests.", "일일 퀘스트 5개를 해냈어요.",
        _quests(5),
    ),
    AchievementRule(
        "quests-20", S, "🗺️", "Quest champion", "퀘스트 챔피언",
        "Complete 20 daily quests.", "일일 퀘스트 20개를 해냈어요.",
        _quests(20),
    ),
    AchievementRule(
        "early-bird", B, "🐦", "Early bird", "일찍 일어난 새",
        "Draw a picture before 7 in the morning.", "아침 7시 전에 그림을 그렸어요.",
        lambda j: j.facts.local_time.hour < 7,
        mystery=True,
    ),
    AchievementRule(
        "busy-day", S, "🐝", "Busy bee", "부지런한 꿀벌",
        "Draw 5 pictures in one day.", "하루에 그림 5장을 그렸어요.",
        lambda j: j.facts.day_drawings >= 5,
        mystery=True,
    ),
    AchievementRule(
        "lucky-seven", S, "🍀", "Lucky seventy-seven", "행운의 77",
        "Finish your 77th picture.", "77번째 그림을 완성했어요.",
        _pictures(77),
        mystery=True,
    ),
    AchievementRule(
        "new-year", G, "🎆", "New year, new picture", "새해 첫 그림",
        "Draw a picture on the first day of the year.", "새해 첫날에 그림을 그렸어요.",
        lambda j: (j.facts.local_time.month, j.facts.local_time.day) == (1, 1),
        mystery=True,
    ),
    AchievementRule(
        "streak-saver", B, "🧊", "Saved by the ice", "얼음 방패",
        "A streak freeze kept your streak going.", "연속 기록 지킴이가 기록을 지켜 줬어요.",
        lambda j: j.progress.freezes_used >= 1,
        mystery=True,
    ),
)  # fmt: skip

RULES_BY_SLUG: dict[str, AchievementRule] = {rule.slug: rule for rule in ACHIEVEMENTS}


def earned_now(judgement: Judgement, *, already: set[str]) -> list[AchievementRule]:
    """Rules this judgement satisfies that the child has not earned yet, in catalogue order."""
    return [r for r in ACHIEVEMENTS if r.slug not in already and r.earned(judgement)]
