"""Deleting drawings for good: the rows now, their stored files once the deletion commits.

Files go through the storage API (local ``media/`` and S3 alike). A file that fails to delete is
recorded as a ``FileDeletion`` and logged; ``manage.py retry_file_deletions`` tries again, so no
file of a deleted drawing is ever left behind silently.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from drawings.models import Drawing, FileDeletion, PictureVersion

logger = logging.getLogger(__name__)


def stored_files_of(drawings: QuerySet[Drawing]) -> list[str]:
    """The storage names of every sketch and picture of these drawings, every version of each
    picture ("New colours") included, each once."""
    names: list[str] = []
    for sketch, result in drawings.values_list("sketch", "result"):
        names += [name for name in (sketch, result) if name]
    versions = PictureVersion.objects.filter(drawing__in=drawings.values("pk"))
    names += versions.values_list("picture", flat=True)
    return list(dict.fromkeys(names))


def delete_stored_file(name: str) -> bool:
    """Delete one stored file; on failure record it for a retry (and say so). True: it is gone."""
    try:
        default_storage.delete(name)
    except Exception as error:
        logger.exception("could not delete stored file %s; retry_file_deletions will", name)
        pending, created = FileDeletion.objects.get_or_create(
            name=name, defaults={"last_error": str(error)[:300]}
        )
        if not created:
            pending.attempts += 1
            pending.last_error = str(error)[:300]
            pending.save(update_fields=["attempts", "last_error", "last_tried_at"])
        return False
    FileDeletion.objects.filter(name=name).delete()
    return True


def delete_files_on_commit(names: Iterable[str]) -> None:
    """Delete these stored files once the current transaction commits (never if it rolls back)."""
    pending = list(names)

    def _delete() -> None:
        for name in pending:
            delete_stored_file(name)

    transaction.on_commit(_delete)


def delete_drawings(*, drawings: QuerySet[Drawing]) -> int:
    """Delete drawings: the rows in this transaction, both files of each once it commits.

    The XP ledger is kept: what a picture paid stays paid (the ledger is append-only and the
    cached total keeps equalling it). Returns how many drawings were deleted.
    """
    with transaction.atomic():
        ids = list(
            Drawing.objects.select_for_update()
            .filter(pk__in=drawings.values("pk"))
            .values_list("pk", flat=True)
        )
        doomed = Drawing.objects.filter(pk__in=ids)
        delete_files_on_commit(stored_files_of(doomed))
        doomed.delete()
    return len(ids)


@dataclass(frozen=True)
class RetryResult:
    deleted: int
    still_failing: list[str]


def retry_file_deletions() -> RetryResult:
    """Try once more to delete every file whose deletion failed before."""
    deleted, failing = 0, []
    for name in FileDeletion.objects.values_list("name", flat=True):
        if delete_stored_file(name):
            deleted += 1
        else:
            failing.append(name)
    return RetryResult(deleted=deleted, still_failing=failing)


# Folders the drawings' files live in (drawings/models.py names them).
STORED_FOLDERS = ("sketches", "results")


def sweep_unreferenced_files(*, older_than: timedelta, now: datetime | None = None) -> list[str]:
    """Delete stored sketch and result files that no drawing points at, e.g. the picture a
    worker saved just before it was killed (``kill -9`` between saving and the row's update).

    Only files last modified more than ``older_than`` ago are touched, so a worker that has
    saved a picture and is about to record it is never raced. Returns the names deleted.
    """
    now = now or timezone.now()
    referenced = set(Drawing.objects.exclude(sketch="").values_list("sketch", flat=True))
    referenced |= set(Drawing.objects.exclude(result="").values_list("result", flat=True))
    referenced |= set(PictureVersion.objects.values_list("picture", flat=True))
    swept = []
    for folder in STORED_FOLDERS:
        try:
            _, files = default_storage.listdir(folder)
        except FileNotFoundError:
            continue
        for file_name in files:
            name = f"{folder}/{file_name}"
            if name in referenced:
                continue
            try:
                modified = default_storage.get_modified_time(name)
            except (OSError, NotImplementedError):
                continue
            if now - modified >= older_than and delete_stored_file(name):
                swept.append(name)
    if swept:
        logger.info("swept %d stored file(s) no drawing refers to", len(swept))
    return swept
