"""Every write to a child's XP, streak, quests and achievements happens here.

``pay_for_drawings`` pays a batch of finished pictures (``pay_for_drawing`` is a batch of
one), inside the transaction that marks them ``done``, in a number of queries that does not
depend on how many pictures or children the batch holds:

1. The children's ``ChildProgress`` rows are locked in one ``SELECT … FOR UPDATE`` ordered by
   child id, so two workers paying overlapping batches take their locks in the same order and
   never deadlock, and two pictures of one child are paid one after the other (the day
   rollover, a freeze and each achievement happen once). When a child has no row yet, the
   locks just taken are given back (the batch's savepoint is rolled back), the missing rows
   are inserted (``ON CONFLICT DO NOTHING``) and the batch starts again, so no lock is ever
   taken out of that order.
2. Under those locks, what the batch can touch is read at once: the ledger rows of its
   sources together with the achievements earned (one query), and the quests of every day
   its pictures can count for and of each child's today (one query).
3. Each picture is applied in memory, in the order given, by one set of game rules
   (``_apply_drawing``): the result is the same as paying them one by one.
4. The writes are flushed in bulk: the new ledger rows, quests and awards inserted, the
   changed quests and the counters updated, ``xp_total`` moved by ``F()`` by what the
   ledger gained, in the same statement as the counters.

Every XP payment is an insert into the ledger that a unique constraint refuses the second
time, so nothing is ever paid twice. Every writer reads the ledger under the child's lock, so
the constraint can only fire when something wrote to the ledger without that lock (a shell,
a data migration). Then the batch's savepoint is rolled back and the batch is paid again from
fresh reads (which see that row: its picture counts as already paid); after ``MAX_ATTEMPTS``
the error goes to the caller, whose picture stays done (``backfill_gamification`` pays it).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Q, Sum, Value
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

T = TypeVar("T")

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


# --- locking ---------------------------------------------------------------------------

# Attempts at a batch whose ledger insert met the unique constraint (see the module's notes).
MAX_ATTEMPTS = 3
# Marks the achievements earned among the ledger's keys, which are read in the same query.
_AWARDED = "award"

LedgerKey = tuple[int, str, str]  # (child id, source type, source id)


class _MissingProgress(Exception):
    """Some children of the batch have no progress row yet (their very first payout)."""

    def __init__(self, child_ids: list[int]) -> None:
        super().__init__(child_ids)
        self.child_ids = child_ids


def _lock_children(child_ids: list[int]) -> dict[int, ChildProgress]:
    def lock() -> dict[int, ChildProgress]:
        rows = (
            ChildProgress.objects.select_for_update(of=("self",))
            .select_related("child")
            .filter(pk__in=child_ids)
            .order_by("pk")
        )
        return {progress.pk: progress for progress in rows}

    locked = lock()
    missing = [pk for pk in child_ids if pk not in locked]
    if missing and not locked:
        # Nothing is held yet: create the rows and lock them all, in order, right away.
        _create_progress(missing)
        locked = lock()
        missing = [pk for pk in child_ids if pk not in locked]
    if missing:
        raise _MissingProgress(missing)
    return locked


def _create_progress(child_ids: list[int]) -> None:
    ChildProgress.objects.bulk_create(
        [ChildProgress(child_id=pk) for pk in sorted(child_ids)], ignore_conflicts=True
    )


def _locked_batch(child_ids: Iterable[int], work: Callable[[dict[int, ChildProgress]], T]) -> T:
    """``work(locked progress rows)`` in a savepoint, under the children's locks.

    Missing progress rows are created with no lock held (the savepoint that took the
    others is rolled back first), so every lock is taken in child id order (an insert
    holds its row too: inserting while holding a higher id could deadlock). A write the
    unique constraints refuse rolls the savepoint back and ``work`` runs again from fresh
    reads, ``MAX_ATTEMPTS`` times in all.
    """
    ids = sorted(set(child_ids))
    refused = created = 0
    while True:
        try:
            with transaction.atomic():
                return work(_lock_children(ids))
        except _MissingProgress as missing:
            created += 1
            if created > 2:  # created, yet gone again: their children are being deleted
                raise ChildProgress.DoesNotExist(
                    f"no progress rows for {missing.child_ids}"
                ) from None
            _create_progress(missing.child_ids)
        except IntegrityError:
            refused += 1
            if refused >= MAX_ATTEMPTS:
                raise
            logger.warning(
                "a payout write met a unique constraint (a write without the child's lock?); "
                "paying children %s again from fresh reads",
                ids,
                exc_info=True,
            )


# --- a batch in memory -----------------------------------------------------------------


@dataclass
class _ChildState:
    """One child's locked progress and what the batch read for them."""

    progress: ChildProgress
    today: date | None = None
    awarded: set[str] = field(default_factory=set)
    # The day's rows in position order, for every day read (an empty list: none stored).
    quests: dict[date, list[DailyQuest]] = field(default_factory=dict)
    xp_gained: int = 0
    changed: bool = False

    @property
    def child(self) -> Child:
        return self.progress.child


class _Batch:
    """What a batch of payouts read under the children's locks, and the writes it collects."""

    def __init__(self, categories: list[Category], children: dict[int, _ChildState]) -> None:
        self.categories = categories
        self.category_slugs = frozenset(c.slug for c in categories)
        self.children = children
        self.paid: set[LedgerKey] = set()
        self.events: list[XPEvent] = []
        self.new_quests: list[DailyQuest] = []
        self.changed_quests: dict[int, DailyQuest] = {}
        self.awards: list[AchievementAward] = []
        self._achievements: dict[str, Achievement] | None = None

    # reading

    def read(self, *, days: dict[int, set[date]] | None, drawing_ids: Iterable[int]) -> None:
        """Read the ledger keys, awards and quests the batch can touch (two queries).

        ``days`` holds, per child, every day their pictures can count for; None reads all
        their quests and their whole ledger (a backfill replays every day).
        """
        ids = list(self.children)
        ledger = XPEvent.objects.filter(child_id__in=ids)
        quests = DailyQuest.objects.filter(child_id__in=ids)
        if days is not None:
            every_day = set().union(*days.values())
            slugs = quest_catalogue.payable_slugs(self.categories)
            quest_sources = [f"{day.isoformat()}:{slug}" for day in every_day for slug in slugs]
            ledger = ledger.filter(
                Q(source_type=XPSource.DRAWING, source_id__in=[str(pk) for pk in drawing_ids])
                | Q(source_type=XPSource.QUEST, source_id__in=quest_sources)
                | Q(source_type=XPSource.ACHIEVEMENT)
            )
            quests = quests.filter(day__in=every_day)
            for child_id, child_days in days.items():
                self.children[child_id].quests.update((day, []) for day in child_days)
        # Both sides unordered: a compound statement takes no ORDER BY of its parts.
        awarded = (
            AchievementAward.objects.filter(child_id__in=ids)
            .order_by()
            .values_list("child_id", Value(_AWARDED, output_field=CharField()), "achievement__slug")
        )
        keys = (
            ledger.order_by()
            .values_list("child_id", "source_type", "source_id")
            .union(awarded, all=True)
        )
        for child_id, kind, source in _read_keys(keys):
            if kind == _AWARDED:
                self.children[child_id].awarded.add(source)
            else:
                self.paid.add((child_id, kind, source))
        for row in quests.order_by("child_id", "day", "position", "id"):
            state = self.children[row.child_id]
            if days is None:
                state.quests.setdefault(row.day, []).append(row)
            elif row.day in state.quests:
                state.quests[row.day].append(row)

    def achievements(self) -> dict[str, Achievement]:
        """The achievement rows by slug, read once per batch and only when one may be won."""
        if self._achievements is None:
            self._achievements = _achievement_rows()
        return self._achievements

    def quests_of(self, state: _ChildState, day: date) -> list[DailyQuest]:
        """The child's quests of ``day``, chosen now (and stored at the flush) if none are."""
        rows = state.quests.get(day)
        if rows is None:  # a day not read up front (never expected): read it now
            rows = list(
                DailyQuest.objects.filter(child_id=state.progress.pk, day=day).order_by(
                    "position", "id"
                )
            )
            state.quests[day] = rows
        if rows:
            return rows
        # Chosen from the counters before the day's first picture, as the page showed them.
        chosen = quest_catalogue.choose_quests(
            child_id=state.progress.pk,
            day=day,
            categories=self.categories,
            tried=state.progress.categories_tried,
        )
        rows.extend(
            DailyQuest(
                child_id=state.progress.pk,
                day=day,
                slug=quest.slug,
                position=position,
                target=quest.target,
            )
            for position, quest in enumerate(chosen)
        )
        self.new_quests.extend(rows)
        return rows

    # writing (in memory until the flush)

    def record_xp(
        self, state: _ChildState, *, amount: int, reason: str, source_type: str, source_id: str
    ) -> bool:
        """Append one payment; False (and nothing changes) if this source already paid."""
        key = (state.progress.pk, source_type, source_id)
        if key in self.paid:
            return False
        self.paid.add(key)
        self.events.append(
            XPEvent(
                child_id=state.progress.pk,
                amount=amount,
                reason=reason[:120],
                source_type=source_type,
                source_id=source_id,
            )
        )
        state.progress.xp_total += amount
        state.xp_gained += amount
        return True

    def quest_changed(self, row: DailyQuest) -> None:
        if row.pk is not None:  # new rows are inserted as they end up
            self.changed_quests[row.pk] = row

    def flush(self) -> None:
        """Write what the batch changed: a statement per table at most, the ledger first."""
        if self.events:
            XPEvent.objects.bulk_create(self.events)
        if self.new_quests:
            DailyQuest.objects.bulk_create(self.new_quests)
        if self.changed_quests:
            DailyQuest.objects.bulk_update(
                list(self.changed_quests.values()), ["progress", "completed_at"]
            )
        if self.awards:
            AchievementAward.objects.bulk_create(self.awards)
        changed = [state for state in self.children.values() if state.changed]
        if not changed:
            return
        now = timezone.now()
        rows = []
        for state in changed:
            state.progress.updated_at = now
            row = copy.copy(state.progress)  # the copy carries the F(); the state keeps ints
            row.xp_total = F("xp_total") + state.xp_gained
            rows.append(row)
        ChildProgress.objects.bulk_update(rows, [*COUNTER_FIELDS, "xp_total"])


def _read_keys(keys: Iterable[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """Run the query of ledger keys and awards (a seam for the tests of the last guard)."""
    return list(keys)


def _moment(drawing: Drawing, now: datetime) -> datetime:
    return drawing.finished_at or drawing.created_at or now


# --- paying for pictures -------------------------------------------------------------


def pay_for_drawing(*, drawing: Drawing, categories: Iterable[Category] | None = None) -> Payout:
    """Pay a finished picture: XP, streak, quests and achievements, at most once.

    Call it inside the transaction that marks the drawing done. A drawing already
    paid returns ``Payout(already_paid=True)`` and changes nothing.
    """
    return pay_for_drawings(drawings=[drawing], categories=categories)[0]


def pay_for_drawings(
    *, drawings: Sequence[Drawing], categories: Iterable[Category] | None = None
) -> list[Payout]:
    """Pay finished pictures, in this order, exactly as ``pay_for_drawing`` one by one would.

    The batch may hold several pictures of one child and many children; it is paid in a
    savepoint of the caller's transaction, in a constant number of queries (see the module's
    notes). One ``Payout`` per drawing, in the same order; a drawing already paid (before, or
    earlier in the batch) gives ``Payout(already_paid=True)`` and changes nothing.
    """
    drawings = list(drawings)
    if not drawings:
        return []
    installed = list(installed_categories() if categories is None else categories)
    return _locked_batch(
        (d.child_id for d in drawings), lambda locked: _pay_locked(locked, drawings, installed)
    )


def _pay_locked(
    locked: dict[int, ChildProgress], drawings: list[Drawing], categories: list[Category]
) -> list[Payout]:
    now = timezone.now()
    states: dict[int, _ChildState] = {}
    days: dict[int, set[date]] = {}
    for pk, progress in locked.items():
        state = states[pk] = _ChildState(progress=progress)
        state.today = streaks.local_time(now, state.child.time_zone).date()
        days[pk] = {state.today}
        if progress.last_active_day:
            # A picture "before" the last active day counts for that day (see ``_facts``).
            days[pk].add(progress.last_active_day)
    moments = [_moment(drawing, now) for drawing in drawings]
    for drawing, moment in zip(drawings, moments, strict=True):
        zone = states[drawing.child_id].child.time_zone
        days[drawing.child_id].add(streaks.local_time(moment, zone).date())

    batch = _Batch(categories, states)
    batch.read(days=days, drawing_ids={d.pk for d in drawings})
    payouts = []
    for drawing, moment in zip(drawings, moments, strict=True):
        state = states[drawing.child_id]
        payout = _apply_drawing(batch, state, drawing, moment, replay=False)
        assert state.today is not None
        payout.summary = selectors.summary_of(
            child=state.child,
            progress=state.progress,
            categories=categories,
            today=state.today,
            todays_rows=state.quests[state.today],
        )
        payouts.append(payout)
    batch.flush()
    return payouts


def _apply_drawing(
    batch: _Batch, state: _ChildState, drawing: Drawing, moment: datetime, *, replay: bool
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
    batch: _Batch, state: _ChildState, facts: DrawingFacts, day: date, moment: datetime
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
    batch: _Batch, state: _ChildState, judgement: rules.Judgement, drawing: Drawing
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


# --- rebuilding ----------------------------------------------------------------------


def _locked_progress(child_id: int) -> ChildProgress:
    ChildProgress.objects.get_or_create(child_id=child_id)
    return ChildProgress.objects.select_for_update().get(pk=child_id)


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

    Pictures are replayed in the order they finished, by the same rules and in memory as a
    batch payout. The ledger is never rewritten: a payment that exists is not made again, so
    only rules added since pay anything, and running it twice leaves the same totals.
    """
    installed = list(installed_categories() if categories is None else categories)

    def replay(locked: dict[int, ChildProgress]) -> tuple[int, int]:
        progress = locked[child.pk]
        xp_before = XPEvent.objects.filter(child=child).aggregate(s=Sum("amount"))["s"] or 0
        fresh = ChildProgress(child=child, xp_total=progress.xp_total)
        for name in COUNTER_FIELDS:
            setattr(progress, name, getattr(fresh, name))
        DailyQuest.objects.filter(child=child).update(progress=0, completed_at=None)
        state = _ChildState(progress=progress, changed=True)  # reset: saved even if nothing
        batch = _Batch(installed, {child.pk: state})
        batch.read(days=None, drawing_ids=())
        done = Drawing.objects.filter(child=child, status=DrawingStatus.DONE).order_by(
            F("finished_at").asc(nulls_first=True), "id"
        )
        now, count = timezone.now(), 0
        for drawing in done.iterator(chunk_size=500):
            _apply_drawing(batch, state, drawing, _moment(drawing, now), replay=True)
            count += 1
        batch.flush()
        return count, int(xp_before)

    count, xp_before = _locked_batch([child.pk], replay)
    total = rebuild_xp_total(child_id=child.pk)
    return BackfillResult(
        child_id=child.pk, drawings=count, xp_paid_now=total - xp_before, xp_total=total
    )


# --- the hook into a drawing's life ------------------------------------------------------


def pay_for_finished_drawings(*, drawings: Sequence[Drawing]) -> list[Payout]:
    """The "drawings finished" hook (``drawings.hooks``, registered by
    ``GamificationConfig.ready``): pay the batch the lifecycle just marked done, in a savepoint
    of its own, with the installed categories."""
    return pay_for_drawings(drawings=drawings)
