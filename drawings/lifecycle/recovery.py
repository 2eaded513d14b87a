"""When a worker cannot finish, or is lost: give the drawing back, and the reaper that wakes
forgotten rows and takes back a lost worker's."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from drawings import worker_identity
from drawings.events import drawing_changed, wake_workers_on_commit
from drawings.lifecycle.claims import HELD, WAITING
from drawings.lifecycle.outcomes import FRIENDLY_FAILURE, Claim, Failed, Reaped, Requeued
from drawings.models import Drawing, DrawingStatus, NewColours

logger = logging.getLogger(__name__)

# How many rows one reaper pass looks at, so a backlog is worked through in bounded steps.
REAP_BATCH = 500


def _owned(claim: Claim) -> QuerySet[Drawing]:
    held = (
        Q(status=DrawingStatus.DONE, new_colours=NewColours.RUNNING)
        if claim.variant
        else Q(status=DrawingStatus.RUNNING)
    )
    return Drawing.objects.filter(
        held, pk=claim.drawing.pk, attempts=claim.attempt, worker_id=claim.worker_id
    )


def _new_colours(drawing: Drawing) -> bool:
    """Whether this held row is painting new colours (it stays done) rather than a first picture."""
    return drawing.status == DrawingStatus.DONE


def _fail(owned: QuerySet[Drawing], drawing: Drawing, *, message: str, now: datetime) -> bool:
    if _new_colours(drawing):
        # The pictures already made stay as they are: only the new colourway is given up.
        changed = owned.update(
            new_colours=NewColours.FAILED, lease_until=None, heartbeat_at=None, worker_id=""
        )
    else:
        changed = owned.update(
            status=DrawingStatus.FAILED,
            error_message=message,
            finished_at=now,
            lease_until=None,
            heartbeat_at=None,
        )
    if changed:
        drawing.refresh_from_db()
        drawing_changed(drawing)
    return bool(changed)


def _requeue(owned: QuerySet[Drawing], drawing: Drawing, *, now: datetime) -> bool:
    # The caller wakes the workers: one message for everything it queued.
    waiting = (
        {"new_colours": NewColours.QUEUED}
        if _new_colours(drawing)
        else {"status": DrawingStatus.QUEUED}
    )
    changed = owned.update(
        **waiting, queued_at=now, lease_until=None, worker_id="", heartbeat_at=None
    )
    if changed:
        drawing.refresh_from_db()
        drawing_changed(drawing)
    return bool(changed)


def give_back_drawing(
    *, claim: Claim, permanent: bool = False, message: str = FRIENDLY_FAILURE
) -> Requeued | Failed | None:
    """The generator could not finish: queue again, or fail for good after the last attempt.

    Returns None when this claim no longer owned the drawing (nothing changed).
    """
    drawing, now = claim.drawing, timezone.now()
    if permanent or claim.attempt >= settings.INFERENCE_MAX_ATTEMPTS:
        return Failed(drawing) if _fail(_owned(claim), drawing, message=message, now=now) else None
    if not _requeue(_owned(claim), drawing, now=now):
        return None
    wake_workers_on_commit([drawing.pk])
    return Requeued(drawing)


def reap_drawings(*, resend_all_queued: bool = False) -> Reaped:
    """Recover drawings whose wake-up message or worker was lost.

    Rows ``queued`` for longer than INFERENCE_REQUEUE_AFTER_SECONDS are woken again. Rows
    ``running`` whose holder is lost go back to ``queued`` — or become ``failed`` with a
    friendly message once INFERENCE_MAX_ATTEMPTS attempts were spent. A holder is lost when
    the lease ran out, when its heartbeat is older than INFERENCE_HEARTBEAT_STALE_SECONDS, or
    at once when it was a worker of this host whose process is gone (a worker restarted after
    ``kill -9`` takes its predecessor's rows back on its first pass).
    """
    now = timezone.now()
    result = Reaped()
    stale_before = now - timedelta(seconds=settings.INFERENCE_REQUEUE_AFTER_SECONDS)
    queued = Drawing.objects.filter(WAITING)
    if not resend_all_queued:
        queued = queued.filter(queued_at__lt=stale_before)
    stale_ids = list(queued.values_list("pk", flat=True)[:REAP_BATCH])
    if stale_ids:
        Drawing.objects.filter(WAITING, pk__in=stale_ids).update(queued_at=now)
        result.resent.extend(stale_ids)

    lost = _lost_holder(now)
    with transaction.atomic():
        # Two reapers (or a reaper and a finishing worker) skip each other's rows on PostgreSQL;
        # the conditional UPDATEs below are the guard everywhere (SQLite ignores the lock).
        expired = (
            Drawing.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(lost, HELD)
            .select_related("child")
            .order_by("pk")
        )
        for drawing in expired[:REAP_BATCH]:
            owned = Drawing.objects.filter(
                lost,
                HELD,
                pk=drawing.pk,
                status=drawing.status,
                attempts=drawing.attempts,
                worker_id=drawing.worker_id,
            )
            if drawing.attempts >= settings.INFERENCE_MAX_ATTEMPTS:
                if _fail(owned, drawing, message=FRIENDLY_FAILURE, now=now):
                    result.failed.append(drawing)
            elif _requeue(owned, drawing, now=now):
                result.requeued.append(drawing)
                result.resent.append(drawing.pk)
    if result.resent:
        wake_workers_on_commit(result.resent)
    if result.resent or result.failed:
        logger.info(
            "reaper: woke %d drawing(s) (%d taken back from lost workers), failed %d",
            len(result.resent),
            len(result.requeued),
            len(result.failed),
        )
    return result


def _lost_holder(now: datetime) -> Q:
    """Running rows whose worker is gone: lease over, heartbeat stale, or dead on this host."""
    stale_beat = now - timedelta(seconds=settings.INFERENCE_HEARTBEAT_STALE_SECONDS)
    lost = Q(lease_until__lt=now) | Q(heartbeat_at__lt=stale_beat)
    holders_here = set(
        Drawing.objects.filter(HELD, worker_id__startswith=f"{worker_identity.this_host()}:")
        .order_by()
        .values_list("worker_id", flat=True)
        .distinct()
    )
    dead = sorted(holder for holder in holders_here if worker_identity.is_dead_here(holder))
    if dead:
        logger.warning("reaper: taking back the drawings of dead worker(s) %s", ", ".join(dead))
        lost |= Q(worker_id__in=dead)
    return lost
