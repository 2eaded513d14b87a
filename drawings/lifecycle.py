"""A queued drawing's life with a worker: claim, finish, give back, reap.

Each action is one conditional UPDATE, so two workers can never both own or both finish the
same drawing, and each tells the child's pages of the change it made, on commit
(``drawings.events``). A claim records its worker (``drawings.worker_identity``), which renews a
heartbeat while it holds the row, so the reaper takes back a dead worker's drawings without
waiting out the lease; a picture's file is named after its drawing and attempt, so a retry
overwrites what a crashed attempt left instead of orphaning it. Actions return what happened
(a :class:`Claim`, :class:`Finished`, :class:`Requeued`, :class:`Failed`, :class:`Reaped`) or
None when the row was no longer theirs to change. Workers compute pictures, then call these.

"New colours" (🎲) rides the same life: a done drawing whose child asked for another colourway
has ``new_colours`` queued, is claimed with the first pictures (``new_colours`` running, the
drawing itself stays done and keeps showing its picture), and finishing stores the new version,
shows it, and pays nothing; a colourway that cannot be painted ends as ``new_colours`` failed,
the pictures already made untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    F,
    Field,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_noop

from drawings import hooks, worker_identity
from drawings.erasure import delete_files_on_commit
from drawings.events import drawing_changed, wake_workers_on_commit
from drawings.models import Drawing, DrawingStatus, NewColours, PictureVersion

logger = logging.getLogger(__name__)

# Stored in English (the worker has no reader's language); translated when shown,
# see drawings.payloads.error_message_for.
FRIENDLY_FAILURE = gettext_noop(
    "Oh no, the picture-maker got stuck on this one. Your sketch is safe — try again in a moment!"
)
FRIENDLY_NO_GENERATOR = gettext_noop(
    "There is no picture-maker for this kind of drawing right now. Your sketch is safe."
)
FRIENDLY_NO_NEW_COLOURS = gettext_noop(
    "The picture-maker for this drawing can't paint new colours. Your picture is safe."
)
# How many rows one reaper pass looks at, so a backlog is worked through in bounded steps.
REAP_BATCH = 500


@dataclass(frozen=True)
class Claim:
    """A drawing this worker now owns until its lease ends (``attempt`` and ``worker_id`` are
    the owner's key)."""

    drawing: Drawing
    attempt: int
    worker_id: str = ""
    # 0: the drawing's first picture; n >= 1: "New colours", its version n (the variant drawn).
    variant: int = 0


@dataclass(frozen=True)
class Picture:
    """What a worker drew for one claim: the PNG, which generator, how long it took."""

    claim: Claim
    png: bytes
    generator_name: str
    inference_ms: int


@dataclass(frozen=True)
class Finished:
    """The picture is stored and the drawing done; ``payout`` is what the "drawings finished"
    hooks made of it (``drawings.hooks``: the game's payout), None when none made anything."""

    drawing: Drawing
    payout: Any


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


def result_file_name(*, drawing_id: int, attempt: int, variant: int = 0) -> str:
    """Where the picture of this attempt at this drawing (version ``variant``) is stored.

    The same for every try of that attempt, so a retry overwrites the file a killed worker left;
    a keyed hash, so the name says nothing about the drawing or the child. A new colourway has a
    name of its own, so it never replaces an earlier version's file.
    """
    key = salted_hmac("drawings.result_file", str(drawing_id), algorithm="sha256").hexdigest()
    version = f"-v{variant}" if variant else ""
    return f"results/{key[:32]}{version}-a{attempt}.png"


# Rows a worker may take: a first picture waiting, or new colours for a done one.
_WAITING = Q(status=DrawingStatus.QUEUED) | Q(
    status=DrawingStatus.DONE, new_colours=NewColours.QUEUED
)
# Rows a worker holds: drawing a first picture, or painting new colours.
_HELD = Q(status=DrawingStatus.RUNNING) | Q(
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
    taken = Drawing.objects.filter(_WAITING, pk__in=ids).update(
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
        _HELD, pk__in=ids, worker_id=worker_id, lease_until=lease_until
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
    for claim in claims:
        drawing_changed(claim.drawing)
    return claims


def _owned(claim: Claim) -> QuerySet[Drawing]:
    held = (
        Q(status=DrawingStatus.DONE, new_colours=NewColours.RUNNING)
        if claim.variant
        else Q(status=DrawingStatus.RUNNING)
    )
    return Drawing.objects.filter(
        held, pk=claim.drawing.pk, attempts=claim.attempt, worker_id=claim.worker_id
    )


def renew_heartbeat(*, worker_id: str) -> int:
    """The worker is alive: renew the heartbeat of every drawing it holds (the lease stays).

    Returns how many drawings it still holds.
    """
    return Drawing.objects.filter(_HELD, worker_id=worker_id).update(heartbeat_at=timezone.now())


def finish_drawing(
    *, claim: Claim, picture_png: bytes, generator_name: str, inference_ms: int
) -> Finished | None:
    """Store one picture and mark its drawing done (see :func:`finish_drawings`)."""
    picture = Picture(
        claim=claim, png=picture_png, generator_name=generator_name, inference_ms=inference_ms
    )
    return finish_drawings(pictures=[picture])[0]


def finish_drawings(*, pictures: Sequence[Picture]) -> list[Finished | None]:
    """Store a batch's pictures and mark their drawings done, where the claim still owns them.

    One transaction for the batch: one conditional UPDATE (each row still running, of this
    attempt and this worker), one read of the rows it changed, then the "drawings finished"
    hooks run (``drawings.hooks``: the game pays, in a constant number of queries for the
    batch) — only by this call, for only the rows it changed — and each event carries what
    they made of its picture. A picture whose lease was lost is not kept (``None`` in its
    place).

    New colours (claims with a ``variant``) are finished by the same call: each becomes the
    drawing's next version and the one shown, pays nothing, and the hooks never hear of it.
    """
    if not pictures:
        return []
    names = {
        p.claim.drawing.pk: _store_result(
            drawing_id=p.claim.drawing.pk,
            attempt=p.claim.attempt,
            variant=p.claim.variant,
            picture_png=p.png,
        )
        for p in pictures
    }
    results: dict[int, Finished] = {}
    with transaction.atomic():
        first = [p for p in pictures if not p.claim.variant]
        if first:
            results.update(_finish_first_pictures(first, names))
        again = [p for p in pictures if p.claim.variant]
        if again:
            results.update(_finish_new_colours(again, names))
    lost = [pk for pk in names if pk not in results]
    if lost:
        # Those rows are someone else's now; keep a file only if its row points at it (after a
        # "Try again" restarted the attempts, the new owner's picture can share the name).
        pointed = set(
            Drawing.objects.filter(pk__in=lost).values_list("result", flat=True).order_by()
        )
        for pk in lost:
            if names[pk] not in pointed:
                default_storage.delete(names[pk])
    return [results.get(p.claim.drawing.pk) for p in pictures]


def _owned_by(pictures: Sequence[Picture]) -> Q:
    owned = Q()
    for p in pictures:
        owned |= Q(pk=p.claim.drawing.pk, attempts=p.claim.attempt, worker_id=p.claim.worker_id)
    return owned


def _earlier_attempts(done: Sequence[Drawing], by_pk: Mapping[int, Picture]) -> list[str]:
    """What killed earlier attempts of these pictures left behind (same names: no search)."""
    return [
        result_file_name(drawing_id=d.pk, attempt=attempt, variant=by_pk[d.pk].claim.variant)
        for d in done
        for attempt in range(1, by_pk[d.pk].claim.attempt)
    ]


def _finish_first_pictures(
    pictures: Sequence[Picture], names: Mapping[int, str]
) -> dict[int, Finished]:
    """First pictures: done, version 0 shown, paid by the hooks (in the caller's transaction)."""
    now = timezone.now()
    mine = [p.claim.drawing.pk for p in pictures]
    results: dict[int, Finished] = {}
    updated = Drawing.objects.filter(_owned_by(pictures), status=DrawingStatus.RUNNING).update(
        status=DrawingStatus.DONE,
        version=0,
        version_count=1,
        result=_per_row({pk: names[pk] for pk in mine}, CharField()),
        generator_name=_per_row(
            {p.claim.drawing.pk: p.generator_name for p in pictures}, CharField()
        ),
        inference_ms=_per_row(
            {p.claim.drawing.pk: p.inference_ms for p in pictures}, IntegerField()
        ),
        finished_at=now,
        lease_until=None,
        heartbeat_at=None,
        error_message="",
    )
    if updated:
        done = [
            d
            for d in Drawing.objects.filter(
                pk__in=mine, status=DrawingStatus.DONE, finished_at=now
            ).select_related("child")
            if d.result.name == names[d.pk]
        ]
        order = {p.claim.drawing.pk: index for index, p in enumerate(pictures)}
        done.sort(key=lambda d: order[d.pk])  # a child's pictures are paid in batch order
        by_pk = {p.claim.drawing.pk: p for p in pictures}
        delete_files_on_commit(_earlier_attempts(done, by_pk))
        for drawing, outcome in zip(done, hooks.run_finished_hooks(done), strict=True):
            progress = outcome.to_event() if outcome is not None else None
            drawing_changed(drawing, progress=progress)
            results[drawing.pk] = Finished(drawing=drawing, payout=outcome)
    return results


def _finish_new_colours(
    pictures: Sequence[Picture], names: Mapping[int, str]
) -> dict[int, Finished]:
    """New colourways become their drawings' next versions, shown; nothing is paid (a re-roll
    earns no XP and no quest progress), so the hooks are not run."""
    now = timezone.now()
    by_pk = {p.claim.drawing.pk: p for p in pictures}
    updated = Drawing.objects.filter(
        _owned_by(pictures), status=DrawingStatus.DONE, new_colours=NewColours.RUNNING
    ).update(
        new_colours=NewColours.NONE,
        result=_per_row(names, CharField()),
        version=_per_row({pk: p.claim.variant for pk, p in by_pk.items()}, IntegerField()),
        version_count=_per_row(
            {pk: p.claim.variant + 1 for pk, p in by_pk.items()}, IntegerField()
        ),
        lease_until=None,
        heartbeat_at=None,
        worker_id="",
    )
    if not updated:
        return {}
    done = [
        d
        for d in Drawing.objects.filter(pk__in=by_pk, status=DrawingStatus.DONE).select_related(
            "child"
        )
        if d.result.name == names[d.pk] and d.new_colours == NewColours.NONE
    ]
    PictureVersion.objects.bulk_create(
        PictureVersion(
            drawing=d,
            number=by_pk[d.pk].claim.variant,
            picture=names[d.pk],
            generator_name=by_pk[d.pk].generator_name,
            created_at=now,
        )
        for d in done
    )
    delete_files_on_commit(_earlier_attempts(done, by_pk))
    results = {}
    for drawing in done:
        drawing_changed(drawing)
        results[drawing.pk] = Finished(drawing=drawing, payout=None)
    return results


def _per_row(values: Mapping[int, object], output_field: Field[Any, Any]) -> Case | Value:
    """One column's value for each row of a single UPDATE (one value when all rows share it:
    the ORM's CPU goes into every WHEN)."""
    if len(set(values.values())) == 1:
        return Value(next(iter(values.values())), output_field=output_field)
    return Case(
        *[When(pk=pk, then=Value(value)) for pk, value in values.items()],
        output_field=output_field,
    )


def _store_result(*, drawing_id: int, attempt: int, variant: int, picture_png: bytes) -> str:
    name = result_file_name(drawing_id=drawing_id, attempt=attempt, variant=variant)
    # Storages rename rather than overwrite; whatever a crashed try of this attempt left goes.
    default_storage.delete(name)
    return default_storage.save(name, ContentFile(picture_png))


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
    queued = Drawing.objects.filter(_WAITING)
    if not resend_all_queued:
        queued = queued.filter(queued_at__lt=stale_before)
    stale_ids = list(queued.values_list("pk", flat=True)[:REAP_BATCH])
    if stale_ids:
        Drawing.objects.filter(_WAITING, pk__in=stale_ids).update(queued_at=now)
        result.resent.extend(stale_ids)

    lost = _lost_holder(now)
    with transaction.atomic():
        # Two reapers (or a reaper and a finishing worker) skip each other's rows on PostgreSQL;
        # the conditional UPDATEs below are the guard everywhere (SQLite ignores the lock).
        expired = (
            Drawing.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(lost, _HELD)
            .select_related("child")
            .order_by("pk")
        )
        for drawing in expired[:REAP_BATCH]:
            owned = Drawing.objects.filter(
                lost,
                _HELD,
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
        Drawing.objects.filter(_HELD, worker_id__startswith=f"{worker_identity.this_host()}:")
        .order_by()
        .values_list("worker_id", flat=True)
        .distinct()
    )
    dead = sorted(holder for holder in holders_here if worker_identity.is_dead_here(holder))
    if dead:
        logger.warning("reaper: taking back the drawings of dead worker(s) %s", ", ".join(dead))
        lost |= Q(worker_id__in=dead)
    return lost
