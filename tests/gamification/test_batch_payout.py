"""Paying a batch of finished pictures: the same as one by one, once, in a few queries."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Child
from drawings.models import Drawing
from gamification import ledger, locking, maintenance, services
from gamification.levels import XP_PER_DRAWING
from gamification.models import (
    AchievementAward,
    ChildProgress,
    DailyQuest,
    XPEvent,
    XPSource,
)
from tests.factories import ChildFactory
from tests.fixtures.gamification import CATEGORIES, done_drawing

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
ZONES = ("Asia/Seoul", "America/Los_Angeles", "Europe/Berlin", "Pacific/Kiritimati", "UTC")
Payer = Callable[[list[Drawing]], list[services.Payout]]


def one_by_one(drawings: list[Drawing]) -> list[services.Payout]:
    return [services.pay_for_drawing(drawing=d, categories=CATEGORIES) for d in drawings]


def as_batch(drawings: list[Drawing]) -> list[services.Payout]:
    return services.pay_for_drawings(drawings=drawings, categories=CATEGORIES)


def snapshot(children: Sequence[Child]) -> dict[str, list[Any]]:
    """Everything a payout writes, in the order it was written (ids and clocks left out)."""
    ids = [c.pk for c in children]
    return {
        "ledger": list(
            XPEvent.objects.filter(child_id__in=ids)
            .order_by("id")
            .values_list("child_id", "amount", "reason", "source_type", "source_id")
        ),
        "progress": [
            {k: v for k, v in row.items() if k != "updated_at"}
            for row in ChildProgress.objects.filter(pk__in=ids).order_by("pk").values()
        ],
        "quests": list(
            DailyQuest.objects.filter(child_id__in=ids)
            .order_by("id")
            .values_list(
                "child_id", "day", "slug", "position", "target", "progress", "completed_at"
            )
        ),
        "awards": list(
            AchievementAward.objects.filter(child_id__in=ids)
            .order_by("id")
            .values_list("child_id", "achievement__slug", "drawing_id")
        ),
    }


class _Undo(Exception):
    pass


def outcome(
    pay: Payer, drawings: list[Drawing], children: Sequence[Child]
) -> tuple[list[services.Payout], dict[str, list[Any]]]:
    """What ``pay`` returns and writes, on a copy of the database that is then thrown away."""
    result: tuple[list[services.Payout], dict[str, list[Any]]] | None = None
    try:
        with transaction.atomic():
            fresh = {d.pk: d for d in Drawing.objects.filter(pk__in=[d.pk for d in drawings])}
            result = pay([fresh[d.pk] for d in drawings]), snapshot(children)
            raise _Undo
    except _Undo:
        pass
    assert result is not None
    return result


def random_batch(seed: int) -> tuple[list[Child], list[Drawing]]:
    """Children in several time zones, some with a past, and a shuffled batch of pictures.

    Pictures fall over four days around the pinned clock (across local midnights, some
    before the child's last active day), in every category; one was paid already and one
    appears twice.
    """
    rng = random.Random(seed)
    now = timezone.now()
    children = [ChildFactory.create(time_zone=rng.choice(ZONES)) for _ in range(rng.randint(3, 5))]
    paid_before: list[Drawing] = []
    for child in children:
        for _ in range(rng.randint(0, 5)):
            drawing = done_drawing(
                child,
                category=rng.choice(CATEGORIES).slug,
                at=now - timedelta(days=3, hours=rng.randint(0, 96)),
            )
            services.pay_for_drawing(drawing=drawing, categories=CATEGORIES)
            paid_before.append(drawing)
        if rng.random() < 0.5:
            ChildProgress.objects.filter(child=child).update(streak_freezes=rng.randint(0, 2))
    batch = [
        done_drawing(
            child,
            category=rng.choice(CATEGORIES).slug,
            at=now - timedelta(minutes=rng.randint(0, 4 * 24 * 60)),
        )
        for child in children
        for _ in range(rng.randint(1, 6))
    ]
    if paid_before:
        batch.append(rng.choice(paid_before))
    batch.append(rng.choice(batch))
    rng.shuffle(batch)
    return children, batch


@pytest.mark.parametrize("seed", range(8))
def test_a_batch_pays_exactly_what_paying_one_by_one_pays(seed: int) -> None:
    children, drawings = random_batch(seed)
    expected_payouts, expected = outcome(one_by_one, drawings, children)
    payouts, written = outcome(as_batch, drawings, children)
    assert written == expected
    assert payouts == expected_payouts
    # The batch is not trivial: it pays, rolls days, finishes quests, awards, refuses twice.
    assert sum(p.already_paid for p in payouts) >= 1
    assert any(p.quests_completed for p in payouts) and any(p.new_achievements for p in payouts)
    assert len({(p.child_id, p.summary["xp_total"]) for p in payouts}) > len(children)


def test_a_batch_paid_again_changes_nothing_and_a_picture_twice_pays_once() -> None:
    children = [ChildFactory.create(), ChildFactory.create(time_zone="Europe/Berlin")]
    drawings = [done_drawing(c, category=slug.slug) for c in children for slug in CATEGORIES]
    first = services.pay_for_drawings(drawings=[*drawings, drawings[0]], categories=CATEGORIES)
    assert [p.already_paid for p in first] == [False] * len(drawings) + [True]
    after_first = snapshot(children)
    again = services.pay_for_drawings(drawings=drawings[::-1], categories=CATEGORIES)
    assert all(p.already_paid and p.xp_gained == 0 for p in again)
    assert all(p.new_achievements == [] and p.quests_completed == [] for p in again)
    assert snapshot(children) == after_first
    assert services.pay_for_drawing(drawing=drawings[1], categories=CATEGORIES).already_paid
    assert snapshot(children) == after_first
    for child in children:
        paid = XPEvent.objects.filter(child=child, source_type=XPSource.DRAWING)
        assert paid.count() == len(CATEGORIES)
        state = ChildProgress.objects.get(child=child)
        assert state.drawings_done == len(CATEGORIES)
        assert state.xp_total == sum(
            XPEvent.objects.filter(child=child).values_list("amount", flat=True)
        )
    # The repeated picture's payout says what the child has, like any already-paid one.
    assert first[-1].xp_total == first[-1].xp_before == first[-1].summary["xp_total"]


def test_an_empty_batch_asks_nothing() -> None:
    with CaptureQueriesContext(connection) as queries:
        assert services.pay_for_drawings(drawings=[], categories=CATEGORIES) == []
    assert len(queries) == 0


# --- how many queries -------------------------------------------------------------------


def drew_earlier_today(n: int) -> list[Child]:
    """Children who already finished a picture today: the usual case for a payout."""
    children = [ChildFactory.create(time_zone="Asia/Seoul") for _ in range(n)]
    earlier = timezone.now() - timedelta(minutes=5)
    one_by_one([done_drawing(c, at=earlier) for c in children])
    return children


def count_queries(drawings: list[Drawing]) -> tuple[int, list[services.Payout]]:
    with CaptureQueriesContext(connection) as queries:
        payouts = as_batch(drawings)
    return len(queries), payouts


def report(label: str, queries: int, drawings: int) -> None:
    print(f"{label}: {queries} queries for {drawings} drawings, {queries / drawings:.2f} each")


@pytest.mark.parametrize("size", [1, 8, 16])
def test_a_batch_of_different_children_costs_a_constant_number_of_queries(size: int) -> None:
    children = drew_earlier_today(size)
    drawings = [done_drawing(c, category="panda") for c in children]
    queries, payouts = count_queries(drawings)
    report(f"batch of {size}, one picture each of children who drew today", queries, size)
    assert all(not p.already_paid and p.xp_gained >= XP_PER_DRAWING for p in payouts)
    # Savepoint, lock, ledger and awards, quests, ledger insert, quests, counters, release.
    assert queries <= 8


@pytest.mark.parametrize("size", [1, 8, 16])
def test_a_first_ever_batch_costs_a_few_queries_more_and_no_more_per_child(size: int) -> None:
    children = [ChildFactory.create(time_zone="Asia/Seoul") for _ in range(size)]
    drawings = [done_drawing(c) for c in children]
    queries, payouts = count_queries(drawings)
    report(f"batch of {size}, every child's first picture ever", queries, size)
    assert all([a["slug"] for a in p.new_achievements] == ["first-picture"] for p in payouts)
    # + rollback and progress rows created, achievement rows read, awards inserted.
    assert queries <= 13


def test_several_pictures_of_each_child_cost_no_query_more() -> None:
    children = drew_earlier_today(4)
    drawings = [done_drawing(c, category=cat.slug) for cat in CATEGORIES for c in children]
    drawings += [done_drawing(c, category="face") for c in children]
    queries, payouts = count_queries(drawings)
    report("batch of 16, four pictures each of four children", queries, len(drawings))
    assert all(not p.already_paid for p in payouts)
    assert queries <= 10  # their quests and achievements may finish: awards and rows too


def test_pay_for_drawing_is_a_batch_of_one_in_eight_queries() -> None:
    (child,) = drew_earlier_today(1)
    drawing = done_drawing(child, category="car")
    with CaptureQueriesContext(connection) as queries:
        services.pay_for_drawing(drawing=drawing, categories=CATEGORIES)
    report("pay_for_drawing", len(queries), 1)
    assert len(queries) <= 8


# --- the last guard ---------------------------------------------------------------------


def hide_the_ledger(monkeypatch, drawing: Drawing, *, times: int) -> list[int]:
    """Make the payout's read miss ``drawing``'s payment ``times`` times, as if another writer
    had paid it without taking the child's lock; returns the reads made so far."""
    real = ledger._read_keys
    reads: list[int] = []

    def missing_one(keys):
        rows = real(keys)
        reads.append(len(rows))
        if len(reads) > times:
            return rows
        hidden = (drawing.child_id, XPSource.DRAWING, str(drawing.pk))
        return [row for row in rows if tuple(row) != hidden]

    monkeypatch.setattr(ledger, "_read_keys", missing_one)
    return reads


def test_a_payment_the_ledger_refuses_repays_the_batch_from_fresh_reads(
    monkeypatch, caplog
) -> None:
    children, drawings = random_batch(3)
    paid = next(d for d in drawings if XPEvent.objects.filter(source_id=str(d.pk)).exists())
    expected_payouts, expected = outcome(as_batch, drawings, children)
    reads = hide_the_ledger(monkeypatch, paid, times=1)
    with caplog.at_level(logging.WARNING, logger="gamification.ledger"):
        payouts, written = outcome(as_batch, drawings, children)
    assert len(reads) == 2  # refused once, then paid again from a fresh read
    assert "unique constraint" in caplog.text
    assert written == expected and payouts == expected_payouts
    assert next(p for p in payouts if p.drawing_id == paid.pk).already_paid


def test_a_ledger_that_keeps_refusing_raises_and_leaves_everything_as_it_was(monkeypatch) -> None:
    children, drawings = random_batch(5)
    paid = next(d for d in drawings if XPEvent.objects.filter(source_id=str(d.pk)).exists())
    for child in children:  # an empty progress row is created outside the batch's savepoint
        ChildProgress.objects.get_or_create(child=child)
    before = snapshot(children)
    reads = hide_the_ledger(monkeypatch, paid, times=locking.MAX_ATTEMPTS)
    with pytest.raises(IntegrityError):
        as_batch(drawings)
    assert len(reads) == locking.MAX_ATTEMPTS
    assert snapshot(children) == before  # the caller's transaction is still usable, unchanged


def test_backfill_replays_a_batch_to_the_same_state_and_pays_nothing() -> None:
    rng = random.Random(11)
    children = [ChildFactory.create(time_zone=zone) for zone in ZONES]
    now = timezone.now()
    drawings = [
        done_drawing(
            c, category=rng.choice(CATEGORIES).slug, at=now - timedelta(hours=rng.randint(0, 200))
        )
        for c in children
        for _ in range(6)
    ]
    # The backfill replays in the order pictures finished: pay the batch in that order too.
    drawings.sort(key=lambda d: (d.finished_at, d.pk))
    as_batch(drawings)
    paid = snapshot(children)
    for child in children:
        assert maintenance.backfill_child(child=child, categories=CATEGORIES).xp_paid_now == 0
    assert snapshot(children) == paid


def test_a_batch_at_local_midnight_counts_each_picture_on_its_own_day() -> None:
    seoul = ZoneInfo("Asia/Seoul")
    child = ChildFactory.create(time_zone="Asia/Seoul")
    times = [
        datetime(2026, 4, 1, 23, 59, 59, tzinfo=seoul),
        datetime(2026, 4, 2, 0, 0, tzinfo=seoul),
    ]
    as_batch([done_drawing(child, at=when) for when in times])
    state = ChildProgress.objects.get(child=child)
    assert (state.current_streak, state.days_active, state.day_drawings) == (2, 2, 1)
    assert set(DailyQuest.objects.filter(child=child).values_list("day", flat=True)) == {
        times[0].date(),
        times[1].date(),
    }


def test_the_ledger_read_knows_every_quest_that_can_pay() -> None:
    from gamification import quests

    payable = quests.payable_slugs(CATEGORIES)
    offered = {q.slug for q in quests.catalogue(CATEGORIES)}
    assert offered <= payable
    assert all(quests.find_quest(slug, CATEGORIES) is not None for slug in payable)
    assert quests.find_quest("draw-unicorn", CATEGORIES) is None
    assert "draw-unicorn" not in payable
