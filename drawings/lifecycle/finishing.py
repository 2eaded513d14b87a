"""A batch's pictures are stored and their drawings marked done, where the claims still own
them; first pictures run the "drawings finished" hooks, new colourways become new versions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Case, CharField, Field, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.crypto import salted_hmac

from drawings import hooks
from drawings.erasure import delete_files_on_commit
from drawings.events import drawing_changed, sent_together
from drawings.lifecycle.outcomes import Finished, Picture
from drawings.models import Drawing, DrawingStatus, NewColours, PictureVersion


def result_file_name(*, drawing_id: int, attempt: int, variant: int = 0) -> str:
    """Where the picture of this attempt at this drawing (version ``variant``) is stored.

    The same for every try of that attempt, so a retry overwrites the file a killed worker left;
    a keyed hash, so the name says nothing about the drawing or the child. A new colourway has a
    name of its own, so it never replaces an earlier version's file.
    """
    key = salted_hmac("drawings.result_file", str(drawing_id), algorithm="sha256").hexdigest()
    version = f"-v{variant}" if variant else ""
    return f"results/{key[:32]}{version}-a{attempt}.png"


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
        outcomes = hooks.run_finished_hooks(done)
        with sent_together():  # the batch's news in one hop, on commit
            for drawing, outcome in zip(done, outcomes, strict=True):
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
    with sent_together():
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
