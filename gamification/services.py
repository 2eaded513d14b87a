"""Paying for finished pictures: the game's one write path, and its hook into a drawing's life.

``pay_for_drawings`` pays a batch of finished pictures (``pay_for_drawing`` is a batch of one)
inside the transaction that marks them ``done``, in a number of queries that does not depend
on how many pictures or children the batch holds: the children are locked and what the batch
can touch is read at once (``gamification.ledger``), each picture is applied in memory, in the
order given, by one set of game rules (``gamification.payout``) — the result is the same as
paying them one by one — and the writes are flushed in bulk. Nothing is ever paid twice.

The game hooks itself into drawings: ``GamificationConfig.ready`` registers
:func:`pay_for_finished_drawings` as a "drawings finished" hook (``drawings.hooks``), so each
finished drawing's event carries what it paid. Repairs (rebuild, backfill) are in
``gamification.maintenance``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.utils import timezone

from drawings.models import Drawing
from drawings.selectors import Category, installed_categories
from gamification import selectors, streaks
from gamification.ledger import Batch, ChildState
from gamification.locking import locked_batch
from gamification.models import ChildProgress
from gamification.payout import Payout, apply_drawing, moment_of

__all__ = ["Payout", "pay_for_drawing", "pay_for_drawings", "pay_for_finished_drawings"]


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
    savepoint of the caller's transaction, in a constant number of queries (see
    ``gamification.ledger``). One ``Payout`` per drawing, in the same order; a drawing already
    paid (before, or earlier in the batch) gives ``Payout(already_paid=True)`` and changes
    nothing.
    """
    drawings = list(drawings)
    if not drawings:
        return []
    installed = list(installed_categories() if categories is None else categories)
    return locked_batch(
        (d.child_id for d in drawings), lambda locked: _pay_locked(locked, drawings, installed)
    )


def _pay_locked(
    locked: dict[int, ChildProgress], drawings: list[Drawing], categories: list[Category]
) -> list[Payout]:
    now = timezone.now()
    states: dict[int, ChildState] = {}
    days: dict[int, set[date]] = {}
    for pk, progress in locked.items():
        state = states[pk] = ChildState.as_read(progress)
        state.today = streaks.local_time(now, state.child.time_zone).date()
        days[pk] = {state.today}
        if progress.last_active_day:
            # A picture "before" the last active day counts for that day (see ``payout._facts``).
            days[pk].add(progress.last_active_day)
    moments = [moment_of(drawing, now) for drawing in drawings]
    for drawing, moment in zip(drawings, moments, strict=True):
        zone = states[drawing.child_id].child.time_zone
        days[drawing.child_id].add(streaks.local_time(moment, zone).date())

    batch = Batch(categories, states)
    batch.read(days=days, drawing_ids={d.pk for d in drawings})
    payouts = []
    for drawing, moment in zip(drawings, moments, strict=True):
        state = states[drawing.child_id]
        payout = apply_drawing(batch, state, drawing, moment, replay=False)
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


def pay_for_finished_drawings(*, drawings: Sequence[Drawing]) -> list[Payout]:
    """The "drawings finished" hook (``drawings.hooks``, registered by
    ``GamificationConfig.ready``): pay the batch the lifecycle just marked done, in a savepoint
    of its own, with the installed categories."""
    return pay_for_drawings(drawings=drawings)
