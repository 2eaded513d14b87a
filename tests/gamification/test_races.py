"""Payouts racing on the real PostgreSQL: real threads, real connections, real row locks.

SQLite serialises every writer, so these races cannot happen there and the suite is
skipped; ``make pytest-production`` runs it against 127.0.0.1:5432.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Sum

from drawings import lifecycle
from drawings import services as drawing_services
from drawings.models import Drawing, DrawingStatus
from gamification import services
from gamification.models import AchievementAward, ChildProgress, DailyQuest, XPEvent, XPSource
from tests.factories import ChildFactory, finish_claim, sketch_png
from tests.fixtures.gamification import CATEGORIES, done_drawing

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="races need a database with concurrent writers: set DATABASE_URL to PostgreSQL "
        "(make pytest-production does)",
    ),
]

T = TypeVar("T")
RACERS = 6


def race(work: Callable[[int], T], n: int = RACERS) -> list[T]:
    """Run ``work(i)`` in ``n`` threads that all start at the same instant."""
    start = threading.Barrier(n)

    def run(i: int) -> T:
        try:
            start.wait(timeout=10)
            return work(i)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def assert_ledger_consistent(child) -> None:
    ledger = XPEvent.objects.filter(child=child).aggregate(s=Sum("amount"))["s"] or 0
    assert ChildProgress.objects.get(child=child).xp_total == ledger
    duplicates = (
        XPEvent.objects.filter(child=child)
        .values("source_type", "source_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not duplicates.exists()
    twice = (
        AchievementAward.objects.filter(child=child)
        .values("achievement")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not twice.exists()


def test_the_same_drawing_paid_by_racing_workers_pays_once() -> None:
    child = ChildFactory.create()  # no progress row yet: its creation races too
    drawing = done_drawing(child)

    def pay(_: int) -> services.Payout:
        with transaction.atomic():
            fresh = Drawing.objects.select_related("child").get(pk=drawing.pk)
            return services.pay_for_drawing(drawing=fresh, categories=CATEGORIES)

    payouts = race(pay)
    assert sum(not p.already_paid for p in payouts) == 1
    assert XPEvent.objects.filter(child=child, source_type=XPSource.DRAWING).count() == 1
    assert list(
        AchievementAward.objects.filter(child=child).values_list("achievement__slug", flat=True)
    ) == ["first-picture"]
    assert ChildProgress.objects.get(child=child).drawings_done == 1
    assert_ledger_consistent(child)


def test_two_completions_of_one_claim_race_and_one_wins(monkeypatch) -> None:
    monkeypatch.setattr(drawing_services, "wake_workers", lambda ids: None)
    child = ChildFactory.create()
    drawing = Drawing.objects.create(
        child=child, category="face", client_id="race", sketch="sketches/x.png"
    )
    (claim,) = lifecycle.claim_drawings(drawing_ids=[drawing.pk])

    def finish(_: int) -> bool:
        mine = lifecycle.Claim(
            drawing=Drawing.objects.select_related("child").get(pk=drawing.pk),
            attempt=claim.attempt,
        )
        finished = finish_claim(
            claim=mine, picture_png=sketch_png(), generator_name="g", inference_ms=1
        )
        return finished is not None

    assert sorted(race(finish, n=2)) == [False, True]
    assert Drawing.objects.get(pk=drawing.pk).status == DrawingStatus.DONE
    assert XPEvent.objects.filter(child=child, source_type=XPSource.DRAWING).count() == 1
    assert (
        AchievementAward.objects.filter(child=child, achievement__slug="first-picture").count() == 1
    )
    assert_ledger_consistent(child)


def test_pictures_finishing_together_roll_the_day_and_spend_a_freeze_once() -> None:
    seoul = ZoneInfo("Asia/Seoul")
    child = ChildFactory.create(time_zone="Asia/Seoul")
    yesterday_but_one = datetime(2026, 8, 3, 18, 0, tzinfo=seoul)
    services.pay_for_drawing(
        drawing=done_drawing(child, at=yesterday_but_one), categories=CATEGORIES
    )
    services.pay_for_drawing(
        drawing=done_drawing(child, at=yesterday_but_one + timedelta(days=1)), categories=CATEGORIES
    )
    ChildProgress.objects.filter(child=child).update(streak_freezes=1)
    # 5 August is missed; six pictures of 6 August finish at the same instant.
    moment = datetime(2026, 8, 6, 9, 0, tzinfo=seoul)
    drawings = [
        done_drawing(child, category=CATEGORIES[i % 3].slug, at=moment) for i in range(RACERS)
    ]

    def pay(i: int) -> services.Payout:
        with transaction.atomic():
            fresh = Drawing.objects.select_related("child").get(pk=drawings[i].pk)
            return services.pay_for_drawing(drawing=fresh, categories=CATEGORIES)

    payouts = race(pay)
    state = ChildProgress.objects.get(child=child)
    assert sum(p.freezes_spent for p in payouts) == 1
    assert state.freezes_used == 1
    # The day's quests may all be done by six pictures, which earns a new freeze.
    quests = DailyQuest.objects.filter(child=child, day=moment.date())
    assert state.streak_freezes == int(all(q.is_complete for q in quests))
    assert (state.current_streak, state.days_active, state.day_drawings) == (3, 3, RACERS)
    assert state.drawings_done == RACERS + 2
    new = [a["slug"] for p in payouts for a in p.new_achievements]
    assert len(new) == len(set(new))
    assert {"streak-3", "streak-saver", "busy-day"} <= set(new)
    assert_ledger_consistent(child)


def test_overlapping_batches_in_opposite_orders_never_deadlock_and_pay_once() -> None:
    # Half the children have no progress row yet: its creation races with the others' locks.
    children = [ChildFactory.create() for _ in range(6)]
    for child in children[::2]:
        services.pay_for_drawing(drawing=done_drawing(child), categories=CATEGORIES)
    shared = done_drawing(children[-1], category="panda")
    own = [
        [done_drawing(c, category=CATEGORIES[i % 3].slug) for c in children] for i in range(RACERS)
    ]

    def pay(i: int) -> list[services.Payout]:
        batch = [*own[i], shared]
        batch = batch[::-1] if i % 2 else batch  # workers meet the children in opposite orders
        with transaction.atomic():
            fresh = Drawing.objects.select_related("child").in_bulk([d.pk for d in batch])
            return services.pay_for_drawings(
                drawings=[fresh[d.pk] for d in batch], categories=CATEGORIES
            )

    batches = race(pay)
    assert [len(b) for b in batches] == [len(children) + 1] * RACERS
    assert sum(not p.already_paid for b in batches for p in b if p.drawing_id == shared.pk) == 1
    assert all(not p.already_paid for b in batches for p in b if p.drawing_id != shared.pk)
    for index, child in enumerate(children):
        earlier = 1 if index % 2 == 0 else 0
        extra = 1 if child == children[-1] else 0
        state = ChildProgress.objects.get(child=child)
        assert state.drawings_done == earlier + RACERS + extra
        assert_ledger_consistent(child)
