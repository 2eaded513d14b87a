"""Paying finished pictures: once, in the child's own days, with quests and achievements."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum
from django.utils import timezone

from drawings import lifecycle
from drawings import services as drawing_services
from gamification import maintenance, selectors, services
from gamification.levels import MAX_STREAK_FREEZES, XP_PER_DRAWING
from gamification.models import (
    Achievement,
    AchievementAward,
    ChildProgress,
    DailyQuest,
    XPEvent,
    XPSource,
)
from tests.factories import ChildFactory, finish_claim, sketch_png
from tests.fixtures.gamification import CATEGORIES, done_drawing

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")


def ledger_total(child) -> int:
    return XPEvent.objects.filter(child=child).aggregate(s=Sum("amount"))["s"] or 0


def progress(child) -> ChildProgress:
    return ChildProgress.objects.get(child=child)


def awards(child) -> list[str]:
    return sorted(
        AchievementAward.objects.filter(child=child).values_list("achievement__slug", flat=True)
    )


def test_a_picture_pays_once_however_often_it_is_paid(child) -> None:
    drawing = done_drawing(child)
    first = services.pay_for_drawing(drawing=drawing, categories=CATEGORIES)
    again = services.pay_for_drawing(drawing=drawing, categories=CATEGORIES)
    assert not first.already_paid and again.already_paid
    assert again.xp_gained == 0 and again.new_achievements == []
    assert XPEvent.objects.filter(child=child, source_type=XPSource.DRAWING).count() == 1
    assert progress(child).drawings_done == 1
    assert progress(child).xp_total == ledger_total(child) == first.xp_total
    assert awards(child) == ["first-picture"]
    reward = Achievement.objects.get(slug="first-picture").xp_reward
    quest_bonus = sum(q["bonus_xp"] for q in first.quests_completed)  # a quest may finish too
    assert first.xp_gained == XP_PER_DRAWING + reward + quest_bonus == ledger_total(child)
    assert [a["slug"] for a in first.new_achievements] == ["first-picture"]


def test_a_drawing_finished_twice_pays_once(child, generators_dir, monkeypatch) -> None:
    monkeypatch.setattr(drawing_services, "wake_workers", lambda ids: None)
    drawing, _ = drawing_services.submit_drawing(
        child=child, category="face", sketch=sketch_png(), client_id="twice"
    )
    (claim,) = lifecycle.claim_drawings(drawing_ids=[drawing.pk])
    finished = finish_claim(
        claim=claim, picture_png=sketch_png(), generator_name="g", inference_ms=3
    )
    assert finished
    payout = finished.payout
    assert payout is not None and payout.xp_gained > 0
    again = finish_claim(claim=claim, picture_png=sketch_png(), generator_name="g", inference_ms=3)
    assert not again  # nothing finished, so nothing was paid
    # A retried job (same row claimed again by mistake) cannot pay either.
    assert services.pay_for_drawing(drawing=drawing, categories=CATEGORIES).already_paid
    assert XPEvent.objects.filter(child=child, source_type=XPSource.DRAWING).count() == 1
    assert progress(child).xp_total == ledger_total(child) == payout.xp_total


def test_a_broken_rule_never_loses_the_picture(child, generators_dir, monkeypatch) -> None:
    monkeypatch.setattr(drawing_services, "wake_workers", lambda ids: None)

    def broken(**kwargs):
        raise RuntimeError("a bug in a game rule")

    # The batch payout fails, then the picture paid alone fails too.
    monkeypatch.setattr(services, "pay_for_drawings", broken)
    drawing, _ = drawing_services.submit_drawing(
        child=child, category="face", sketch=sketch_png(), client_id="bug"
    )
    (claim,) = lifecycle.claim_drawings(drawing_ids=[drawing.pk])
    finished = finish_claim(
        claim=claim, picture_png=sketch_png(), generator_name="g", inference_ms=3
    )
    assert finished
    drawing.refresh_from_db()
    assert drawing.status == "done" and finished.payout is None
    assert ledger_total(child) == 0
    # The backfill pays what was missed, once.
    result = maintenance.backfill_child(child=child, categories=CATEGORIES)
    assert result.drawings == 1 and result.xp_paid_now == result.xp_total > 0


def test_a_batch_whose_payout_fails_pays_each_picture_alone(
    child, generators_dir, monkeypatch
) -> None:
    monkeypatch.setattr(drawing_services, "wake_workers", lambda ids: None)

    real = services.pay_for_drawings

    def broken(*, drawings, **kwargs):
        if len(drawings) > 1:
            raise RuntimeError("a bug in the batch payout")
        return real(drawings=drawings, **kwargs)

    monkeypatch.setattr(services, "pay_for_drawings", broken)
    ids = [
        drawing_services.submit_drawing(
            child=child, category="face", sketch=sketch_png(seed=i), client_id=f"b{i}"
        )[0].pk
        for i in range(3)
    ]
    claims = lifecycle.claim_drawings(drawing_ids=ids)
    finished = lifecycle.finish_drawings(
        pictures=[
            lifecycle.Picture(claim=c, png=sketch_png(), generator_name="g", inference_ms=3)
            for c in claims
        ]
    )
    assert [f.payout.drawing_id for f in finished if f and f.payout] == ids
    assert ledger_total(child) >= 3 * XP_PER_DRAWING


def test_streak_days_are_the_childs_own_days() -> None:
    seoul = ChildFactory.create(time_zone="Asia/Seoul")
    los_angeles = ChildFactory.create(time_zone="America/Los_Angeles")
    # 14:30 and 15:30 UTC: 23:30 and 00:30 in Seoul (two days), 06:30 and 07:30 in LA (one).
    for when in (
        datetime(2026, 3, 10, 14, 30, tzinfo=UTC),
        datetime(2026, 3, 10, 15, 30, tzinfo=UTC),
    ):
        for child in (seoul, los_angeles):
            services.pay_for_drawing(drawing=done_drawing(child, at=when), categories=CATEGORIES)
    assert progress(seoul).current_streak == 2 and progress(seoul).days_active == 2
    assert progress(los_angeles).current_streak == 1 and progress(los_angeles).days_active == 1


def test_midnight_starts_a_new_day(child, pay) -> None:
    seoul = ZoneInfo("Asia/Seoul")
    pay(child, at=datetime(2026, 4, 1, 23, 59, 59, tzinfo=seoul))
    pay(child, at=datetime(2026, 4, 2, 0, 0, 0, tzinfo=seoul))
    pay(child, at=datetime(2026, 4, 2, 23, 59, 59, tzinfo=seoul))
    state = progress(child)
    assert (state.current_streak, state.days_active, state.day_drawings) == (2, 2, 2)
    assert str(state.last_active_day) == "2026-04-02"


def test_daylight_saving_changes_do_not_break_or_double_a_day() -> None:
    child = ChildFactory.create(time_zone="America/New_York")
    new_york = ZoneInfo("America/New_York")
    pay = services.pay_for_drawing
    # Spring forward (8 March 2026, 02:00 → 03:00): the short day is still one day.
    pay(
        drawing=done_drawing(child, at=datetime(2026, 3, 7, 23, 30, tzinfo=new_york)),
        categories=CATEGORIES,
    )
    pay(
        drawing=done_drawing(child, at=datetime(2026, 3, 8, 1, 30, tzinfo=new_york)),
        categories=CATEGORIES,
    )
    pay(
        drawing=done_drawing(child, at=datetime(2026, 3, 8, 23, 30, tzinfo=new_york)),
        categories=CATEGORIES,
    )
    assert progress(child).current_streak == 2
    # Fall back (1 November 2026): 01:30 happens twice; both are the same local day.
    first = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    second = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST, an hour later
    other = ChildFactory.create(time_zone="America/New_York")
    pay(
        drawing=done_drawing(other, at=datetime(2026, 10, 31, 20, 0, tzinfo=new_york)),
        categories=CATEGORIES,
    )
    pay(drawing=done_drawing(other, at=first), categories=CATEGORIES)
    pay(drawing=done_drawing(other, at=second), categories=CATEGORIES)
    state = progress(other)
    assert (state.current_streak, state.days_active, state.day_drawings) == (2, 2, 2)


def test_a_freeze_keeps_a_missed_day_and_is_spent_exactly_once(child, pay) -> None:
    seoul = ZoneInfo("Asia/Seoul")
    pay(child, at=datetime(2026, 5, 4, 10, 0, tzinfo=seoul))
    pay(child, at=datetime(2026, 5, 5, 10, 0, tzinfo=seoul))
    ChildProgress.objects.filter(child=child).update(streak_freezes=1)
    # 6 May is missed; two pictures on 7 May spend one freeze, once.
    first = pay(child, at=datetime(2026, 5, 7, 10, 0, tzinfo=seoul))
    second = pay(child, at=datetime(2026, 5, 7, 11, 0, tzinfo=seoul))
    state = progress(child)
    assert (first.freezes_spent, second.freezes_spent) == (1, 0)
    assert (state.streak_freezes, state.freezes_used, state.current_streak) == (0, 1, 3)
    assert "streak-3" in awards(child) and "streak-saver" in awards(child)
    # Without a freeze, the next gap starts again at 1 (and the best streak stays).
    pay(child, at=datetime(2026, 5, 9, 10, 0, tzinfo=seoul))
    state = progress(child)
    assert (state.current_streak, state.best_streak, state.freezes_used) == (1, 3, 1)


def test_finishing_every_quest_of_a_day_earns_a_freeze_up_to_two(child, pay) -> None:
    seoul = ZoneInfo("Asia/Seoul")
    for offset in range(4):
        day = datetime(2026, 6, 1, 9, 0, tzinfo=seoul) + timedelta(days=offset)
        for hour in range(8):  # enough pictures in every category for any three quests
            pay(child, category=CATEGORIES[hour % 3].slug, at=day + timedelta(hours=hour))
        assert all(q.is_complete for q in DailyQuest.objects.filter(child=child, day=day.date()))
    assert progress(child).streak_freezes == MAX_STREAK_FREEZES
    assert progress(child).quests_completed == DailyQuest.objects.filter(child=child).count()
    assert progress(child).xp_total == ledger_total(child)


def test_quests_are_stable_for_a_day_and_pay_their_bonus_once(child, pay) -> None:
    seoul = ZoneInfo("Asia/Seoul")
    now = timezone.now().astimezone(seoul)
    shown_before = selectors.todays_quests(
        child=child, progress=ChildProgress(child=child), categories=CATEGORIES
    )
    pay(child, at=now)
    stored = list(
        DailyQuest.objects.filter(child=child, day=now.date()).values_list("slug", flat=True)
    )
    assert [q["slug"] for q in shown_before] == stored
    assert 1 <= len(stored) <= 3
    for hour in range(6):
        pay(child, category=CATEGORIES[hour % 3].slug, at=now)
    quest_events = XPEvent.objects.filter(child=child, source_type=XPSource.QUEST)
    assert sorted(quest_events.values_list("source_id", flat=True)) == sorted(
        f"{now.date().isoformat()}:{slug}" for slug in stored
    )
    after = selectors.progress_summary(child=child, categories=CATEGORIES)["quests"]
    assert [q["slug"] for q in after] == stored and all(q["completed"] for q in after)


def test_weekend_week_and_comeback_achievements(child, pay) -> None:
    seoul = ZoneInfo("Asia/Seoul")
    monday = datetime(2026, 6, 8, 16, 0, tzinfo=seoul)
    for offset in range(7):
        pay(child, at=monday + timedelta(days=offset))
    earned = awards(child)
    assert {"weekend-artist", "quest-week", "streak-3", "streak-7"} <= set(earned)
    assert "welcome-back" not in earned
    pay(child, at=monday + timedelta(days=20))
    assert "welcome-back" in awards(child)
    assert progress(child).xp_total == ledger_total(child)


def test_every_category_tried_is_judged_against_the_installed_categories(child, pay) -> None:
    pay(child, category="face")
    pay(child, category="panda")
    assert "every-category" not in awards(child)
    pay(child, category="car")
    assert "every-category" in awards(child)
    assert "explorer-3" in awards(child)


def test_an_inactive_achievement_is_not_awarded(child, pay) -> None:
    Achievement.objects.filter(slug="first-picture").update(is_active=False)
    pay(child)
    assert "first-picture" not in awards(child)


def test_backfill_twice_gives_the_same_totals_and_pays_new_rules_once(child, pay) -> None:
    seoul = ZoneInfo("Asia/Seoul")
    start = datetime(2026, 7, 1, 10, 0, tzinfo=seoul)
    # A rule "added later": inactive while the pictures are paid live.
    Achievement.objects.filter(slug="explorer-3").update(is_active=False)
    for offset in range(12):
        pay(
            child,
            category=CATEGORIES[offset % 3].slug,
            at=start + timedelta(days=offset // 2, hours=offset),
        )
    live = ChildProgress.objects.values().get(child=child)
    live_total = ledger_total(child)
    assert "explorer-3" not in awards(child)

    Achievement.objects.filter(slug="explorer-3").update(is_active=True)
    first = maintenance.backfill_child(child=child, categories=CATEGORIES)
    after_first = ChildProgress.objects.values().get(child=child)
    explorer_xp = Achievement.objects.get(slug="explorer-3").xp_reward
    assert first.drawings == 12
    assert first.xp_paid_now == explorer_xp
    assert "explorer-3" in awards(child)

    second = maintenance.backfill_child(child=child, categories=CATEGORIES)
    after_second = ChildProgress.objects.values().get(child=child)
    assert second.xp_paid_now == 0 and second.xp_total == live_total + explorer_xp
    ignore = {"updated_at", "xp_total"}
    assert {k: v for k, v in after_first.items() if k not in ignore} == {
        k: v for k, v in live.items() if k not in ignore
    }
    assert after_first == {**after_second, "updated_at": after_first["updated_at"]}
    assert after_second["xp_total"] == ledger_total(child)
    assert (
        XPEvent.objects.filter(child=child).values("source_type", "source_id").distinct().count()
        == XPEvent.objects.filter(child=child).count()
    )


def test_the_commands_backfill_and_rebuild(child, pay) -> None:
    from django.core.management import call_command

    pay(child)
    pay(child, category="panda")
    ChildProgress.objects.filter(child=child).update(xp_total=9999, drawings_done=0)
    call_command("rebuild_xp_totals")
    assert progress(child).xp_total == ledger_total(child)
    call_command("backfill_gamification")
    call_command("backfill_gamification")
    state = progress(child)
    assert state.drawings_done == 2 and state.xp_total == ledger_total(child)


def test_sync_keeps_admin_edits_unless_told(db) -> None:
    from django.core.management import call_command

    Achievement.objects.filter(slug="first-picture").update(name_en="Hooray!")
    Achievement.objects.filter(slug="busy-day").delete()
    call_command("sync_achievements")
    assert Achievement.objects.get(slug="first-picture").name_en == "Hooray!"
    assert Achievement.objects.filter(slug="busy-day").exists()
    call_command("sync_achievements", "--overwrite")
    assert Achievement.objects.get(slug="first-picture").name_en == "First picture!"
