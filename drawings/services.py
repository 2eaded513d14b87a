"""Every write to a drawing's life happens here: submit, claim, finish, fail, reap.

The database row is the truth. Channel messages only wake workers and pages;
each transition is a conditional UPDATE, so two workers can never both own or
both finish the same drawing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Child
from drawings.events import wake_workers
from drawings.imaging import SketchRejected, encode_png, normalise_sketch
from drawings.models import Drawing, DrawingStatus
from gamification.services import Payout, pay_for_drawing
from inference.runtime import get_runtime

logger = logging.getLogger(__name__)

CLIENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
# Stored in English (the worker has no reader's language); translated when shown,
# see drawings.selectors.error_message_for.
FRIENDLY_FAILURE = gettext_noop(
    "Oh no, the picture-maker got stuck on this one. Your sketch is safe — try again in a moment!"
)
FRIENDLY_NO_GENERATOR = gettext_noop(
    "There is no picture-maker for this kind of drawing right now. Your sketch is safe."
)


class SubmissionRejected(ValueError):
    """A submission that can't be accepted, with a message a person can act on."""

    def __init__(self, message: str, *, code: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def _read_capped(sketch: bytes | IO[bytes]) -> bytes:
    if isinstance(sketch, bytes | bytearray):
        return bytes(sketch)
    # Read one byte past the cap: enough to know it is too big, never the whole of a huge file.
    return sketch.read(settings.SKETCH_MAX_BYTES + 1)


def _check_category(category: str) -> None:
    runtime = get_runtime()
    slugs = [c.slug for c in runtime.categories()]
    if category not in slugs:  # a generator installed since the cards were read
        slugs = [c.slug for c in runtime.categories(refresh=True)]
    if not slugs:
        raise SubmissionRejected(
            _(
                "No picture-makers are installed yet, so drawings can't be turned into pictures. "
                "A grown-up can install one (see the README)."
            ),
            code="no_generators",
            field="category",
        )
    if category not in slugs:
        raise SubmissionRejected(
            _("We can't draw “%(category)s” yet. Pick one of: %(choices)s.")
            % {"category": category, "choices": ", ".join(slugs)},
            code="unknown_category",
            field="category",
        )


def submit_drawing(
    *, child: Child, category: str, sketch: bytes | IO[bytes], client_id: str
) -> tuple[Drawing, bool]:
    """Validate, normalise and store a sketch; queue it for a generator.

    Returns ``(drawing, created)``. A retry with a ``client_id`` this child has
    already used returns the existing drawing and stores nothing new.
    Raises :class:`SubmissionRejected` (nothing stored) for bad input.
    """
    if not isinstance(client_id, str) or not CLIENT_ID_PATTERN.match(client_id):
        raise SubmissionRejected(
            _("client_id must be 1–64 letters, digits or . _ : - (a UUID is ideal)."),
            code="bad_client_id",
            field="client_id",
        )
    existing = Drawing.objects.filter(child=child, client_id=client_id).first()
    if existing is not None:
        return _retry_if_failed(_same_submission(existing, category)), False

    _check_category(category)
    try:
        image = normalise_sketch(_read_capped(sketch))
    except SketchRejected as exc:
        raise SubmissionRejected(exc.message, code=exc.code, field="sketch") from exc
    png = encode_png(image)

    stored_name: str | None = None
    try:
        with transaction.atomic():
            drawing = Drawing(child=child, category=category, client_id=client_id)
            drawing.sketch.save("sketch.png", ContentFile(png), save=False)
            stored_name = drawing.sketch.name
            drawing.save()
            transaction.on_commit(lambda: wake_workers([drawing.pk]))
    except IntegrityError:
        # Two identical retries raced: the other one won; drop our copy of the file.
        if stored_name:
            default_storage.delete(stored_name)
        existing = Drawing.objects.filter(child=child, client_id=client_id).first()
        if existing is None:
            raise
        return _same_submission(existing, category), False
    except Exception:
        if stored_name:
            default_storage.delete(stored_name)
        raise
    return drawing, True


def _retry_if_failed(drawing: Drawing) -> Drawing:
    """Sending a failed drawing again ("Try again") queues the same row once more."""
    if drawing.status != DrawingStatus.FAILED:
        return drawing
    with transaction.atomic():
        requeued = Drawing.objects.filter(pk=drawing.pk, status=DrawingStatus.FAILED).update(
            status=DrawingStatus.QUEUED,
            attempts=0,
            error_message="",
            lease_until=None,
            started_at=None,
            finished_at=None,
            queued_at=timezone.now(),
        )
        if requeued:
            transaction.on_commit(lambda: wake_workers([drawing.pk]))
    drawing.refresh_from_db()
    return drawing


def _same_submission(existing: Drawing, category: str) -> Drawing:
    if existing.category != category:
        raise SubmissionRejected(
            _(
                "This client_id was already used for a different drawing. "
                "Use a new client_id for each new drawing."
            ),
            code="client_id_conflict",
            field="client_id",
        )
    return existing


# --- the worker's side -------------------------------------------------------------


@dataclass
class Claim:
    """A drawing this worker now owns until ``lease_until``."""

    drawing: Drawing
    attempt: int
    # What finishing paid the child (XP, level, achievements, quests), for the live event.
    payout: Payout | None = None


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
    drawings = Drawing.objects.filter(pk__in=claimed).select_related("child")
    return [Claim(drawing=d, attempt=d.attempts) for d in drawings]


def finish_drawing(
    *, claim: Claim, picture_png: bytes, generator_name: str, inference_ms: int
) -> bool:
    """Store the picture and mark the drawing done, if this claim still owns it.

    Returns False (and keeps nothing) when the lease was lost to another worker.
    The child is paid in the same transaction, only by the call that changed the row;
    what that paid is left on ``claim.payout`` for the event.
    """
    drawing = claim.drawing
    name = default_storage.save(
        drawing.result.field.generate_filename(drawing, "result.png"), ContentFile(picture_png)
    )
    now = timezone.now()
    with transaction.atomic():
        updated = Drawing.objects.filter(
            pk=drawing.pk, status=DrawingStatus.RUNNING, attempts=claim.attempt
        ).update(
            status=DrawingStatus.DONE,
            result=name,
            generator_name=generator_name,
            finished_at=now,
            lease_until=None,
            inference_ms=inference_ms,
            error_message="",
        )
        if updated:
            claim.payout = _pay_safely(drawing)
    if not updated:
        default_storage.delete(name)
        return False
    drawing.refresh_from_db()
    return True


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


def give_back_drawing(
    *, claim: Claim, permanent: bool = False, message: str = FRIENDLY_FAILURE
) -> Drawing | None:
    """The generator could not finish: queue again, or fail for good after the last attempt.

    Returns the drawing when its state changed (so the caller can tell the child).
    """
    drawing = claim.drawing
    now = timezone.now()
    owned = Drawing.objects.filter(
        pk=drawing.pk, status=DrawingStatus.RUNNING, attempts=claim.attempt
    )
    if permanent or claim.attempt >= settings.INFERENCE_MAX_ATTEMPTS:
        changed = owned.update(
            status=DrawingStatus.FAILED, error_message=message, finished_at=now, lease_until=None
        )
    else:
        changed = owned.update(status=DrawingStatus.QUEUED, queued_at=now, lease_until=None)
        if changed:
            transaction.on_commit(lambda: wake_workers([drawing.pk]))
    if not changed:
        return None
    drawing.refresh_from_db()
    return drawing


@dataclass
class ReapResult:
    """What one pass of the reaper did."""

    resent: list[int] = field(default_factory=list)
    failed: list[Drawing] = field(default_factory=list)
    requeued: list[Drawing] = field(default_factory=list)


def reap_drawings(*, resend_all_queued: bool = False) -> ReapResult:
    """Recover drawings whose wake-up message or worker was lost.

    Rows ``queued`` for longer than INFERENCE_REQUEUE_AFTER_SECONDS are woken again;
    rows ``running`` past their lease go back to ``queued`` — or become ``failed``
    with a friendly message once INFERENCE_MAX_ATTEMPTS attempts were spent.
    """
    now = timezone.now()
    result = ReapResult()
    stale_before = now - timedelta(seconds=settings.INFERENCE_REQUEUE_AFTER_SECONDS)
    queued = Drawing.objects.filter(status=DrawingStatus.QUEUED)
    if not resend_all_queued:
        queued = queued.filter(queued_at__lt=stale_before)
    stale_ids = list(queued.values_list("pk", flat=True)[:500])
    if stale_ids:
        Drawing.objects.filter(pk__in=stale_ids, status=DrawingStatus.QUEUED).update(queued_at=now)
        result.resent.extend(stale_ids)

    expired = Drawing.objects.filter(status=DrawingStatus.RUNNING, lease_until__lt=now)
    for drawing in expired.select_related("child")[:500]:
        owned = Drawing.objects.filter(
            pk=drawing.pk,
            status=DrawingStatus.RUNNING,
            attempts=drawing.attempts,
            lease_until__lt=now,
        )
        if drawing.attempts >= settings.INFERENCE_MAX_ATTEMPTS:
            if owned.update(
                status=DrawingStatus.FAILED,
                error_message=FRIENDLY_FAILURE,
                finished_at=now,
                lease_until=None,
            ):
                drawing.refresh_from_db()
                result.failed.append(drawing)
        elif owned.update(status=DrawingStatus.QUEUED, queued_at=now, lease_until=None):
            drawing.refresh_from_db()
            result.requeued.append(drawing)
            result.resent.append(drawing.pk)
    if result.resent or result.failed:
        logger.info("reaper: woke %d drawing(s), failed %d", len(result.resent), len(result.failed))
    return result
