"""The daily quest catalogue and the deterministic choice of a child's quests for a day.

Quests are ranked by a hash of (child, day, quest): the same child gets the same
quests all day long on every device and after every restart, and adding a quest to
the catalogue only changes the days whose ranking it wins.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from gamification.facts import DrawingFacts

if TYPE_CHECKING:  # the rules stay pure: categories are only passed in
    from drawings.selectors import Category

QUESTS_PER_DAY = 3

# Categories that count for "draw an animal" when a generator for them is installed, besides
# every category whose card puts it in the "animal" theme (and that theme's own entry).
ANIMAL_THEME = "animal"
ANIMAL_CATEGORIES = frozenset(
    {
        "bear",
        "bird",
        "butterfly",
        "cat",
        "cow",
        "dinosaur",
        "dog",
        "dolphin",
        "duck",
        "elephant",
        "fish",
        "fox",
        "frog",
        "giraffe",
        "horse",
        "lion",
        "monkey",
        "owl",
        "panda",
        "penguin",
        "pig",
        "rabbit",
        "shark",
        "tiger",
        "turtle",
        "unicorn",
        "whale",
    }
)


@dataclass(frozen=True)
class QuestDefinition:
    """One quest: what it asks, how many pictures, what it pays, which picture counts."""

    slug: str
    group: str  # at most one quest of a group per day, so the three feel different
    icon: str
    name_en: str
    name_ko: str
    target: int
    bonus_xp: int
    counts: Callable[[DrawingFacts], bool]


def _any(facts: DrawingFacts) -> bool:
    return True


def _new_category(facts: DrawingFacts) -> bool:
    return facts.first_time_category


def _new_today(facts: DrawingFacts) -> bool:
    return facts.first_today_category


def _of_category(slug: str) -> Callable[[DrawingFacts], bool]:
    def counts(facts: DrawingFacts) -> bool:
        return facts.category == slug

    return counts


BASE_QUESTS: tuple[QuestDefinition, ...] = (
    QuestDefinition("draw-2", "count", "✏️", "Draw 2 pictures", "그림 2장 그리기", 2, 15, _any),
    QuestDefinition("draw-3", "count", "🖍️", "Draw 3 pictures", "그림 3장 그리기", 3, 20, _any),
    QuestDefinition(
        "two-kinds",
        "variety",
        "🔀",
        "Draw 2 different kinds of things",
        "서로 다른 2가지 그리기",
        2,
        15,
        _new_today,
    ),
)
ANIMAL_QUEST_SLUG = "draw-animal"


def _animals(categories: Iterable[Category]) -> frozenset[str]:
    return ANIMAL_CATEGORIES | {c.slug for c in categories if c.theme_slug == ANIMAL_THEME}


def animal_quest(categories: Iterable[Category]) -> QuestDefinition:
    """ "Draw an animal": any installed thing of the animal theme counts, "another animal" too."""
    animals = _animals(categories)
    return QuestDefinition(
        ANIMAL_QUEST_SLUG,
        "animal",
        "🐾",
        "Draw an animal",
        "동물 그리기",
        1,
        15,
        lambda facts: facts.category in animals,
    )


NEW_CATEGORY_QUEST = QuestDefinition(
    "new-category",
    "explore",
    "🧭",
    "Try a kind of drawing you have never tried",
    "한 번도 안 그려 본 것 그려 보기",
    1,
    20,
    _new_category,
)


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def category_quest(category: Category) -> QuestDefinition:
    return QuestDefinition(
        f"draw-{category.slug}",
        "category",
        category.emoji or "🎨",
        f"Draw {_article(category.label_en)} {category.label_en.lower()}",
        f"{category.label_ko} 그리기",
        1,
        10,
        _of_category(category.slug),
    )


def catalogue(
    categories: Iterable[Category], *, tried: Iterable[str] = ()
) -> list[QuestDefinition]:
    """Every quest a child could get today, given the installed categories and what they tried."""
    categories = list(categories)
    slugs = {c.slug for c in categories}
    quests = list(BASE_QUESTS)
    if slugs & _animals(categories):
        quests.append(animal_quest(categories))
    if slugs - set(tried):
        quests.append(NEW_CATEGORY_QUEST)
    # The animal theme's own entry would be a second "draw-animal": the animal quest is it.
    quests.extend(category_quest(c) for c in categories if c.slug != ANIMAL_THEME)
    if len(slugs) < 2:
        # "Two different kinds" cannot be done with one kind of drawing.
        quests = [q for q in quests if q.slug != "two-kinds"]
    return quests


def find_quest(slug: str, categories: Iterable[Category]) -> QuestDefinition | None:
    """The definition of a quest a child already has (whatever they tried since)."""
    categories = list(categories)
    if slug == ANIMAL_QUEST_SLUG:
        return animal_quest(categories)
    for quest in (*BASE_QUESTS, NEW_CATEGORY_QUEST):
        if quest.slug == slug:
            return quest
    for category in categories:
        if slug == f"draw-{category.slug}":
            return category_quest(category)
    return None


def _rank(child_id: int, day: date, slug: str) -> bytes:
    return hashlib.sha256(f"{child_id}:{day.isoformat()}:{slug}".encode()).digest()


def choose_quests(
    *, child_id: int, day: date, categories: Iterable[Category], tried: Iterable[str] = ()
) -> list[QuestDefinition]:
    """Up to three quests for (child, local day), always the same for the same inputs."""
    candidates = sorted(
        catalogue(categories, tried=tried), key=lambda q: _rank(child_id, day, q.slug)
    )
    chosen: list[QuestDefinition] = []
    groups: set[str] = set()
    for quest in candidates:
        if quest.group in groups:
            continue
        chosen.append(quest)
        groups.add(quest.group)
        if len(chosen) == QUESTS_PER_DAY:
            break
    return chosen


def payable_slugs(categories: Iterable[Category]) -> frozenset[str]:
    """Every slug ``find_quest`` knows for these categories: the only quests that can pay."""
    fixed = {quest.slug for quest in (*BASE_QUESTS, NEW_CATEGORY_QUEST)}
    return frozenset({*fixed, ANIMAL_QUEST_SLUG, *(f"draw-{c.slug}" for c in categories)})
