"""The pure rules: level curve, streak step, quest choice, achievement catalogue."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from gamification import levels, quests, rules, streaks
from gamification.facts import DrawingFacts
from gamification.models import ChildProgress, Tier
from tests.fixtures.gamification import CATEGORIES

xp_values = st.integers(min_value=0, max_value=10_000_000)


@given(xp_values)
def test_the_level_is_the_highest_one_reached(xp: int) -> None:
    level = levels.level_for(xp)
    assert level >= 1
    assert levels.xp_to_reach(level) <= xp < levels.xp_to_reach(level + 1)


@given(xp_values, xp_values)
def test_more_xp_never_means_a_lower_level(a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert levels.level_for(low) <= levels.level_for(high)


@given(st.integers(min_value=1, max_value=500))
def test_each_level_asks_for_more_than_the_one_before(level: int) -> None:
    step = levels.xp_to_reach(level + 1) - levels.xp_to_reach(level)
    next_step = levels.xp_to_reach(level + 2) - levels.xp_to_reach(level + 1)
    assert 0 < step < next_step


@given(xp_values)
def test_the_bar_is_between_empty_and_full(xp: int) -> None:
    info = levels.level_info(xp)
    assert 0 <= info.percent <= 100
    assert 0 <= info.xp_into_level < info.xp_for_next_level
    assert info.title_en and info.title_ko


def test_early_levels_come_quickly() -> None:
    assert levels.level_for(0) == 1
    # Three pictures reach level 2; level 3 within ten pictures.
    assert levels.level_for(3 * levels.XP_PER_DRAWING) == 2
    assert levels.level_for(10 * levels.XP_PER_DRAWING) >= 3


def test_every_level_title_exists_in_both_languages() -> None:
    for title in levels.LEVEL_TITLES:
        assert title.title_en and title.title_ko and title.emoji
    assert levels.level_info(10**9).title_en == levels.LEVEL_TITLES[-1].title_en
    assert levels.level_info(0).title("ko") == "꼬마 낙서가"
    assert levels.level_info(0).title("en-us") == "Little Doodler"


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@given(
    current=st.integers(0, 400),
    best=st.integers(0, 400),
    freezes=st.integers(0, levels.MAX_STREAK_FREEZES),
    last=st.one_of(st.none(), days),
    gap=st.integers(-3, 40),
)
def test_a_streak_step_keeps_its_invariants(current, best, freezes, last, gap) -> None:
    best = max(best, current)
    day = (last or date(2026, 1, 1)) + timedelta(days=gap)
    step = streaks.advance_streak(
        current=current, best=best, freezes=freezes, last_day=last, day=day
    )
    assert 0 <= step.freezes <= freezes
    assert step.freezes + step.freezes_spent == freezes
    assert step.best >= best and step.best >= step.current
    if last is not None and day <= last:
        assert (step.current, step.freezes, step.new_day) == (current, freezes, False)
    elif last is not None and gap == 1:
        assert step.current == current + 1 and step.freezes_spent == 0
    elif last is not None and gap - 1 > freezes:
        assert step.current == 1 and step.freezes == freezes


@given(start=days, length=st.integers(1, 60))
def test_drawing_every_day_counts_every_day(start: date, length: int) -> None:
    current, best, last = 0, 0, None
    for offset in range(length):
        step = streaks.advance_streak(
            current=current, best=best, freezes=0, last_day=last, day=start + timedelta(offset)
        )
        current, best, last = step.current, step.best, start + timedelta(offset)
    assert current == best == length


def test_freezes_never_pile_up_beyond_the_maximum() -> None:
    held = 0
    for _ in range(5):
        held = streaks.earn_freeze(held)
    assert held == levels.MAX_STREAK_FREEZES


def test_a_streak_shown_today_is_zero_once_the_freezes_cannot_cover_it() -> None:
    monday = date(2026, 3, 2)
    assert streaks.streak_alive(current=4, freezes=0, last_day=monday, today=monday) == 4
    assert (
        streaks.streak_alive(current=4, freezes=0, last_day=monday, today=monday + timedelta(1))
        == 4
    )
    assert (
        streaks.streak_alive(current=4, freezes=0, last_day=monday, today=monday + timedelta(2))
        == 0
    )
    assert (
        streaks.streak_alive(current=4, freezes=1, last_day=monday, today=monday + timedelta(2))
        == 4
    )


@given(child_id=st.integers(1, 10**9), day=days, tried=st.sets(st.sampled_from(["face", "car"])))
def test_quests_are_the_same_for_the_same_child_and_day(child_id, day, tried) -> None:
    first = quests.choose_quests(child_id=child_id, day=day, categories=CATEGORIES, tried=tried)
    again = quests.choose_quests(
        child_id=child_id, day=day, categories=list(reversed(CATEGORIES)), tried=set(tried)
    )
    assert [q.slug for q in first] == [q.slug for q in again]
    assert 1 <= len(first) <= quests.QUESTS_PER_DAY
    assert len({q.group for q in first}) == len(first)
    assert len({q.slug for q in first}) == len(first)


def test_quests_change_from_day_to_day_and_child_to_child() -> None:
    picks = {
        tuple(
            q.slug
            for q in quests.choose_quests(
                child_id=child_id, day=date(2026, 5, 1) + timedelta(d), categories=CATEGORIES
            )
        )
        for child_id in range(1, 6)
        for d in range(10)
    }
    assert len(picks) > 5


def test_the_new_category_quest_is_only_offered_while_something_is_untried() -> None:
    every = {c.slug for c in CATEGORIES}
    for d in range(60):
        chosen = quests.choose_quests(
            child_id=7, day=date(2026, 1, 1) + timedelta(d), categories=CATEGORIES, tried=every
        )
        assert "new-category" not in [q.slug for q in chosen]
    assert quests.find_quest("draw-panda", CATEGORIES).name_ko == "판다 그리기"  # type: ignore[union-attr]
    assert quests.find_quest("draw-unicorn-cake", CATEGORIES) is None


def test_the_catalogue_has_at_least_fifteen_achievements_worth_earning() -> None:
    slugs = [r.slug for r in rules.ACHIEVEMENTS]
    assert len(slugs) >= 15 and len(set(slugs)) == len(slugs)
    assert {r.tier for r in rules.ACHIEVEMENTS} == {t.value for t in Tier}
    assert sum(r.mystery for r in rules.ACHIEVEMENTS) >= 3
    for rule in rules.ACHIEVEMENTS:
        assert rule.name_en and rule.name_ko and rule.description_en and rule.description_ko
        assert rule.icon and rule.xp_reward > 0
    for wanted in (
        "first-picture",
        "pictures-10",
        "pictures-50",
        "pictures-100",
        "every-category",
        "streak-3",
        "streak-7",
        "streak-30",
        "weekend-artist",
        "quest-week",
        "welcome-back",
        "quests-5",
        "quests-20",
    ):
        assert wanted in slugs


def _facts(when: datetime, *, category: str = "face", day_drawings: int = 1) -> DrawingFacts:
    return DrawingFacts(
        category=category,
        local_time=when,
        first_time_category=True,
        first_today_category=True,
        day_drawings=day_drawings,
        days_since_last=None,
    )


def test_rules_judge_only_the_picture_and_the_counters() -> None:
    seoul = ZoneInfo("Asia/Seoul")
    saturday_morning = datetime(2026, 3, 7, 6, 30, tzinfo=seoul)
    progress = ChildProgress(drawings_done=1, category_counts={"face": 1}, current_streak=1)
    judgement = rules.Judgement(
        progress=progress, facts=_facts(saturday_morning), categories=frozenset({"face", "panda"})
    )
    earned = {r.slug for r in rules.earned_now(judgement, already=set())}
    assert earned == {"first-picture", "weekend-artist", "early-bird"}
    assert rules.earned_now(judgement, already=earned) == []

    progress = ChildProgress(drawings_done=6, category_counts={"face": 3, "panda": 3})
    weekday = datetime(2026, 3, 9, 15, 0, tzinfo=seoul)
    judgement = rules.Judgement(
        progress=progress,
        facts=_facts(weekday, day_drawings=5),
        categories=frozenset({"face", "panda"}),
    )
    earned = {r.slug for r in rules.earned_now(judgement, already=set())}
    assert {"every-category", "all-rounder", "busy-day"} <= earned
    assert "weekend-artist" not in earned


def test_every_category_needs_the_categories_that_exist() -> None:
    progress = ChildProgress(drawings_done=2, category_counts={"face": 2})
    facts = _facts(datetime(2026, 3, 9, 15, 0, tzinfo=ZoneInfo("UTC")))
    nothing_installed = rules.Judgement(progress=progress, facts=facts, categories=frozenset())
    assert not rules.RULES_BY_SLUG["every-category"].earned(nothing_installed)
    more = rules.Judgement(progress=progress, facts=facts, categories=frozenset({"face", "car"}))
    assert not rules.RULES_BY_SLUG["every-category"].earned(more)
