"""A worker takes waiting drawings (one conditional UPDATE) and, while it holds them, renews
their heartbeat."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Case, CharField, DateTimeField, F, Field, Q, Value, When
from django.utils import timezone

from drawings.events import drawing_changed, sent_together
from drawings.lifecycle.outcomes import Claim
from drawings.models import Drawing, DrawingStatus, NewColours

# Rows a worker may take: a first picture waiting, or new colours for a done one.
WAITING = Q(status=DrawingStatus.QUEUED) | Q(
    status=DrawingStatus.DONE, new_colours=NewColours.QUEUED
)
# Rows a worker holds: drawing a first picture, or painting new colours.
HELD = Q(status=DrawingStatus.RUNNING) | Q(
    status=DrawingStatus.DONE, new_colours=NewColours.RUNNING
)


def _for_first_picture(value: Any, otherwise: str, output_field: Field[Any, Any]) -> Case:
    """In one UPDATE of waiting rows: ``value`` for a first picture, the column as it was for
    new colours (SET expressions read the row before the update)."""
    return Case(
        When(status=DrawingStatus.QUEUED, then=Value(value)),
        default=F(otherwise),
        output_field=output_field,
    )


def claim_drawings(*, drawing_ids: list[int], worker_id: str = "") -> list[Claim]:
    """Atomically take waiting drawings: queued → running (or a done drawing's new colours
    queued → running), attempts += 1, lease set.

    One conditional UPDATE for the whole batch and one read of what it took (two queries
    however many ids), so two workers never take the same row. ``worker_id``
    (``drawings.worker_identity.new_worker_id``) is recorded with a first heartbeat, so the
    reaper can tell when the holder died. Claims come back in the order of ``drawing_ids``; a
    claim for new colours carries the version to paint as its ``variant``.
    """
    ids = list(dict.fromkeys(drawing_ids))
    if not ids:
        return []
    now = timezone.now()
    lease_until = now + timedelta(seconds=settings.INFERENCE_LEASE_SECONDS)
    taken = Drawing.objects.filter(WAITING, pk__in=ids).update(
        status=_for_first_picture(DrawingStatus.RUNNING, "status", CharField()),
        new_colours=Case(
            When(status=DrawingStatus.DONE, then=Value(NewColours.RUNNING)),
            default=F("new_colours"),
            output_field=CharField(),
        ),
        attempts=F("attempts") + 1,
        lease_until=lease_until,
        started_at=_for_first_picture(now, "started_at", DateTimeField()),
        worker_id=worker_id,
        heartbeat_at=now,
    )
    if not taken:
        return []
    # This UPDATE's rows: held, ours, leased at this very instant (heartbeats leave the lease).
    mine = Drawing.objects.filter(
        HELD, pk__in=ids, worker_id=worker_id, lease_until=lease_until
    ).select_related("child")
    order = {pk: index for index, pk in enumerate(ids)}
    claims = [
        Claim(
            drawing=d,
            attempt=d.attempts,
            worker_id=worker_id,
            variant=d.version_count if d.status == DrawingStatus.DONE else 0,
        )
        for d in sorted(mine, key=lambda d: order[d.pk])
    ]
    with sent_together():  # the batch's news in one hop
        for claim in claims:
            drawing_changed(claim.drawing)
    return claims


def renew_heartbeat(*, worker_id: str) -> int:
    """The worker is alive: renew the heartbeat of every drawing it holds (the lease stays).

    Returns how many drawings it still holds.
    """
    return Drawing.objects.filter(HELD, worker_id=worker_id).update(heartbeat_at=timezone.now())
