"""The ledger: every XP payment, and the unit of work of a batch.

Every XP payment is an insert into the ledger (``XPEvent``) that a unique constraint refuses the
second time, so nothing is ever paid twice. A batch is paid like this, in a number of queries
that does not depend on how many pictures or children it holds:

1. The children's ``ChildProgress`` rows are locked in child id order, their missing rows
   created without a lock held, and a write the unique constraint refuses is paid again from
   fresh reads (:func:`gamification.locking.locked_batch`).
2. Under those locks, what the batch can touch is read at once (:meth:`Batch.read`): the ledger
   rows of its sources together with the achievements earned (one query), and the quests of
   every day its pictures can count for and of each child's today (one query).
3. The game's rules (``gamification.payout``) change that state in memory, picture by picture.
4. The writes are flushed in bulk (:meth:`Batch.flush`): the new ledger rows, quests and awards
   inserted, the changed quests and the counters updated, ``xp_total`` moved by ``F()`` by what
   the ledger gained, in the same statement as the counters.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Case, CharField, F, Q, Value, When
from django.utils import timezone

from accounts.models import Child
from drawings.selectors import Category
from gamification import quests as quest_catalogue
from gamification.achievement_rows import achievement_rows
from gamification.models import (
    Achievement,
    AchievementAward,
    ChildProgress,
    DailyQuest,
    XPEvent,
    XPSource,
)

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


# Marks the achievements earned among the ledger's keys, which are read in the same query.
_AWARDED = "award"

LedgerKey = tuple[int, str, str]  # (child id, source type, source id)


# --- a batch in memory -----------------------------------------------------------------


@dataclass
class ChildState:
    """One child's locked progress and what the batch read for them."""

    progress: ChildProgress
    today: date | None = None
    awarded: set[str] = field(default_factory=set)
    # The day's rows in position order, for every day read (an empty list: none stored).
    quests: dict[date, list[DailyQuest]] = field(default_factory=dict)
    xp_gained: int = 0
    changed: bool = False
    # The counters as read under the lock (``as_read``): the flush writes only those that moved.
    # None (a rebuild resets them first): every counter is written.
    read: dict[str, Any] | None = None

    @classmethod
    def as_read(cls, progress: ChildProgress) -> ChildState:
        """A child's state with its counters remembered as read, before any rule runs."""
        return cls(
            progress=progress,
            read={name: copy.deepcopy(getattr(progress, name)) for name in COUNTER_FIELDS},
        )

    @property
    def child(self) -> Child:
        return self.progress.child

    def moved(self, name: str) -> bool:
        return self.read is None or getattr(self.progress, name) != self.read[name]


class Batch:
    """What a batch of payouts read under the children's locks, and the writes it collects."""

    def __init__(self, categories: list[Category], children: dict[int, ChildState]) -> None:
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
            self._achievements = achievement_rows()
        return self._achievements

    def quests_of(self, state: ChildState, day: date) -> list[DailyQuest]:
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
        self, state: ChildState, *, amount: int, reason: str, source_type: str, source_id: str
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
        for state in changed:
            state.progress.updated_at = now
        ChildProgress.objects.filter(pk__in=[state.progress.pk for state in changed]).update(
            **_counter_updates(changed)
        )


def _counter_updates(changed: list[ChildState]) -> dict[str, Any]:
    """The one UPDATE of the children's counters: only the columns some child's payout moved,
    each a plain value where every child's is the same and a CASE by child where not (what
    ``bulk_update`` builds for every column and every row, its cost in CPU), and ``xp_total``
    moved by ``F()`` with what the ledger gained."""
    updates: dict[str, Any] = {}
    for name in COUNTER_FIELDS:
        if any(state.moved(name) for state in changed):
            updates[name] = _per_child(
                {state.progress.pk: getattr(state.progress, name) for state in changed},
                ChildProgress._meta.get_field(name),
            )
    gained = {state.progress.pk: state.xp_gained for state in changed}
    if len(set(gained.values())) == 1:
        updates["xp_total"] = F("xp_total") + next(iter(gained.values()))
    else:
        updates["xp_total"] = Case(
            *[When(pk=pk, then=F("xp_total") + amount) for pk, amount in gained.items()],
            output_field=ChildProgress._meta.get_field("xp_total"),
        )
    return updates


def _per_child(values: dict[int, Any], column: Any) -> Any:
    first = next(iter(values.values()))
    if all(value == first for value in values.values()):
        return first
    return Case(
        *[When(pk=pk, then=Value(value, output_field=column)) for pk, value in values.items()],
        output_field=column,
    )


def _read_keys(keys: Iterable[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """Run the query of ledger keys and awards (a seam for the tests of the last guard)."""
    return list(keys)
