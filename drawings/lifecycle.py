"""A queued drawing's life with a worker: claim, finish, give back, reap.

Each action is one conditional UPDATE, so two workers can never both own or both finish the
same drawing, and each tells the child's pages of the change it made, on commit
(``drawings.events``). Actions return what happened (a :class:`Claim`, :class:`Finished`,
:class:`Requeued`, :class:`Failed`, :class:`Reaped`) or None when the row was no longer theirs
to change. Workers compute pictures, then call these.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from drawings.events import drawing_changed, wake_workers_on_commit
from drawings.models import Drawing, DrawingStatus
from gamification.services import Payout, pay_for_drawing

logger = logging.getLogger(__name__)

# Stored in English (the worker has no reader's language); translated when shown,
# see drawings.payloads.error_message_for.
FRIENDLY_FAILURE = gettext_noop(
    "Oh no, the picture-maker got stuck on this one. Your sketch is safe — try again in a moment!"
)
FRIENDLY_NO_GENERATOR = gettext_noop(
    "There is no picture-maker for this kind of drawing right now. Your sketch is safe."
)
# How many rows one reaper pass looks at, so a backlog is worked through in bounded steps.
REAP_BATCH = 500


@dataclass(frozen=True)
class Claim:
    """A drawing this worker now owns until its lease ends (``attempt`` is the owner's key)."""

    drawing: Drawing
    attempt: int


@dataclass(frozen=True)
class Finished:
    """The picture is stored and the drawing done; ``payout`` is what it paid (None: unpaid)."""

    drawing: Drawing
    payout: Payout | None


@dataclass(frozen=True)
class Requeued:
    """The drawing waits for another try."""

    drawing: Drawing


@dataclass(frozen=True)
class Failed:
    """The drawing failed for good, with a message for the child."""

    drawing: Drawing


@dataclass
class Reaped:
    """What one pass of the reaper did: woke ``resent``, gave up ``failed``, queued ``requeued``."""

    resent: list[int] = field(default_factory=list)
    failed: list[Drawing] = field(default_factory=list)
    requeued: list[Drawing] = field(default_factory=list)


def claim_drawings(*, drawing_ids: list[int]) -> list[Claim]:
    """Atomically take ``queued`` drawings: queued → running, attempts += 1, lease set."""
    now = timezone.now()
    lease_until = now + timedelta(seconds=settings.INFERENCE_LEASE_SECONDS)
    claimed: list[int] = []
    for drawing_id in dict.fromkeys(drawing_ids):
        taken = Drawing.objects.filter(pk=drawing_id, status=DrawingStatus.QUEUED).update(
            status=DrawingStatus.RUNNING,
            attempts=F("attempts") + 1,
            lease_until=lease_until,
            started_at=now,
        )
        if taken:
            claimed.append(drawing_id)
    claims = [
        Claim(drawing=d, attempt=d.attempts)
        for d in Drawing.objects.filter(pk__in=claimed).select_related("child")
    ]
    for claim in claims:
        drawing_changed(claim.drawing)
    return claims


def _owned(claim: Claim) -> QuerySet[Drawing]:
    return Drawing.objects.filter(
        pk=claim.drawing.pk, status=DrawingStatus.RUNNING, attempts=claim.attempt
    )


def finish_drawing(
    *, claim: Claim, picture_png: bytes, generator_name: str, inference_ms: int
) -> Finished | None:
    """Store the picture and mark the drawing done, if this claim still owns it.

    The child is paid in the same transaction, only by the call that changed the row, and the
    event carries what that paid. Returns None (and keeps nothing) when the lease was lost.
    """
    drawing = claim.drawing
    name = default_storage.save(
        drawing.result.field.generate_filename(drawing, "result.png"), ContentFile(picture_png)
    )
    with transaction.atomic():
        updated = _owned(claim).update(
            status=DrawingStatus.DONE,
            result=name,
            generator_name=generator_name,
            finished_at=timezone.now(),
            lease_until=None,
            inference_ms=inference_ms,
            error_message="",
        )
        if updated:
            payout = _pay_safely(drawing)
            drawing.refresh_from_db()
            drawing_changed(drawing, progress=payout.to_event() if payout is not None else None)
    if not updated:
        default_storage.delete(name)
        return None
    return Finished(drawing=drawing, payout=payout)


def _pay_safely(drawing: Drawing) -> Payout | None:
    """Pay the finished picture inside the caller's transaction.

    A bug in a game rule must never lose a child's picture: the payout runs in a
    savepoint, and if it fails the picture is still done (``backfill_gamification``
    pays it later, never twice).
    """
    try:
        with transaction.atomic():
            drawing.refresh_from_db()  # finished_at is the moment that counts for streaks
            return pay_for_drawing(drawing=drawing)
    except Exception:
        logger.exception("could not pay for drawing %s; backfill_gamification will", drawing.pk)
        return None


def _fail(owned: QuerySet[Drawing], drawing: Drawing, *, message: str, now: datetime) -> bool:
    changed = owned.update(
        status=DrawingStatus.FAILED, error_message=message, finished_at=now, lease_until=None
    )
    if changed:
        drawing.refresh_from_db()
        drawing_changed(drawing)
    return bool(changed)


def _requeue(owned: QuerySet[Drawing], drawing: Drawing, *, now: datetime) -> bool:
    # The caller wakes the workers: one message for everything it queued.
    changed = owned.update(status=DrawingStatus.QUEUED, queued_at=now, lease_until=None)
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

    Rows ``queued`` for longer than INFERENCE_REQUEUE_AFTER_SECONDS are woken again;
    rows ``running`` past their lease go back to ``queued`` — or become ``failed``
    with a friendly message once INFERENCE_MAX_ATTEMPTS attempts were spent.
    """
    now = timezone.now()
    result = Reaped()
    stale_before = now - timedelta(seconds=settings.INFERENCE_REQUEUE_AFTER_SECONDS)
    queued = Drawing.objects.filter(status=DrawingStatus.QUEUED)
    if not resend_all_queued:
        queued = queued.filter(queued_at__lt=stale_before)
    stale_ids = list(queued.values_list("pk", flat=True)[:REAP_BATCH])
    if stale_ids:
        Drawing.objects.filter(pk__in=stale_ids, status=DrawingStatus.QUEUED).update(queued_at=now)
        result.resent.extend(stale_ids)

    expired = Drawing.objects.filter(status=DrawingStatus.RUNNING, lease_until__lt=now)
    for drawing in expired.select_related("child")[:REAP_BATCH]:
        owned = Drawing.objects.filter(
            pk=drawing.pk,
            status=DrawingStatus.RUNNING,
            attempts=drawing.attempts,
            lease_until__lt=now,
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
        logger.info("reaper: woke %d drawing(s), failed %d", len(result.resent), len(result.failed))
    return result
