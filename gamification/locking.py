"""The locks a payout is written under, taken in one order so that payouts never deadlock.

The children's ``ChildProgress`` rows are locked in one ``SELECT … FOR UPDATE`` ordered by child
id (:func:`locked_batch`), so two workers paying overlapping batches take their locks in the same
order, and two pictures of one child are paid one after the other (the day rollover, a freeze and
each achievement happen once). When a child has no row yet, the locks just taken are given back
(the batch's savepoint is rolled back), the missing rows are inserted (``ON CONFLICT DO
NOTHING``) and the batch starts again, so no lock is ever taken out of that order.

Every writer reads the ledger under the child's lock, so its unique constraint can only fire when
something wrote to the ledger without that lock (a shell, a data migration). Then the batch's
savepoint is rolled back and the batch is paid again from fresh reads (which see that row: its
picture counts as already paid); after ``MAX_ATTEMPTS`` the error goes to the caller, whose
picture stays done (``backfill_gamification`` pays it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import IntegrityError, transaction

from gamification.models import ChildProgress

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Attempts at a batch whose ledger insert met the unique constraint (see above).
MAX_ATTEMPTS = 3


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


def locked_batch(child_ids: Iterable[int], work: Callable[[dict[int, ChildProgress]], T]) -> T:
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
