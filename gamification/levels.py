"""XP amounts and the level curve: the one place these numbers live.

Early levels come quickly (a first picture already shows the bar moving, three pictures
reach level 2); each later level asks for a little more than the one before.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# What a finished picture pays. Quests and achievements add their own bonus.
XP_PER_DRAWING = 10
# Each step costs FIRST_STEP_XP + STEP_GROWTH_XP × (level − 1) to climb.
FIRST_STEP_XP = 30
STEP_GROWTH_XP = 20
# Achievement rewards by tier.
TIER_XP = {"bronze": 10, "silver": 25, "gold": 50}
# A streak freeze keeps one missed day; children can hold at most this many.
MAX_STREAK_FREEZES = 2
# Days away after which the next picture counts as "coming back".
COMEBACK_AFTER_DAYS = 7


@dataclass(frozen=True)
class LevelTitle:
    emoji: str
    title_en: str
    title_ko: str


# One kid-friendly title per level; from the last one on, the level number keeps growing.
LEVEL_TITLES: tuple[LevelTitle, ...] = (
    LevelTitle("🌱", "Little Doodler", "꼬마 낙서가"),
    LevelTitle("🖍️", "Crayon Explorer", "크레파스 탐험가"),
    LevelTitle("🎈", "Color Friend", "색깔 친구"),
    LevelTitle("🔍", "Sketch Detective", "스케치 탐정"),
    LevelTitle("🖼️", "Picture Maker", "그림 만들기 선수"),
    LevelTitle("🌈", "Rainbow Painter", "무지개 화가"),
    LevelTitle("🦸", "Brush Hero", "붓 영웅"),
    LevelTitle("💡", "Idea Inventor", "아이디어 발명가"),
    LevelTitle("📚", "Story Illustrator", "이야기 그림작가"),
    LevelTitle("⭐", "Studio Star", "화실의 별"),
    LevelTitle("⛵", "Canvas Captain", "캔버스 선장"),
    LevelTitle("🎨", "Master of Colors", "색깔의 달인"),
    LevelTitle("✨", "Dream Artist", "꿈의 예술가"),
    LevelTitle("🏛️", "Gallery Legend", "갤러리 전설"),
    LevelTitle("👑", "Grand Maestro", "위대한 거장"),
)


def xp_to_reach(level: int) -> int:
    """Total XP needed to be at ``level`` (level 1 needs 0)."""
    if level <= 1:
        return 0
    steps = level - 1
    return FIRST_STEP_XP * steps + STEP_GROWTH_XP * steps * (steps - 1) // 2


def level_for(xp: int) -> int:
    """The level a child with ``xp`` total XP has reached (1 or more)."""
    if xp <= 0:
        return 1
    # Solve xp_to_reach(level) <= xp for the largest level, then settle rounding exactly.
    a, b = STEP_GROWTH_XP / 2, FIRST_STEP_XP - STEP_GROWTH_XP / 2
    steps = int((-b + math.sqrt(b * b + 4 * a * xp)) / (2 * a))
    level = steps + 1
    while xp_to_reach(level + 1) <= xp:
        level += 1
    while level > 1 and xp_to_reach(level) > xp:
        level -= 1
    return level


@dataclass(frozen=True)
class LevelInfo:
    """Where a child stands on the curve, ready to draw a level bar."""

    level: int
    xp_total: int
    level_start_xp: int
    next_level_xp: int
    emoji: str
    title_en: str
    title_ko: str

    @property
    def xp_into_level(self) -> int:
        return self.xp_total - self.level_start_xp

    @property
    def xp_for_next_level(self) -> int:
        return self.next_level_xp - self.level_start_xp

    @property
    def percent(self) -> int:
        """How full the bar is, 0–100."""
        return min(100, (100 * self.xp_into_level) // max(1, self.xp_for_next_level))

    def title(self, language: str | None) -> str:
        return self.title_ko if _is_korean(language) else self.title_en


def level_info(xp: int) -> LevelInfo:
    """The level, its title and the bar's numbers for ``xp`` total XP."""
    level = level_for(xp)
    title = LEVEL_TITLES[min(level, len(LEVEL_TITLES)) - 1]
    return LevelInfo(
        level=level,
        xp_total=max(0, xp),
        level_start_xp=xp_to_reach(level),
        next_level_xp=xp_to_reach(level + 1),
        emoji=title.emoji,
        title_en=title.title_en,
        title_ko=title.title_ko,
    )


def _is_korean(language: str | None) -> bool:
    return bool(language) and str(language).lower().split("-")[0] == "ko"


def localized(english: str, korean: str, language: str | None) -> str:
    """Pick the Korean or English text stored as data fields."""
    return korean if _is_korean(language) and korean else english
