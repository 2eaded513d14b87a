"""The parents' writes that span apps: withdrawing consent for a child; the gallery visit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts import tokens
from accounts.models import ApiToken, Child, ConsentRecord, User
from core import error_codes as codes
from core.errors import ApplicationError
from drawings import services as drawing_services
from drawings.erasure import delete_files_on_commit, stored_files_of
from drawings.models import Drawing
from sharing import services as sharing


class ChildNotFound(ApplicationError, LookupError):
    """No such child in this parent's family (or already deleted)."""

    code = codes.NOT_FOUND


@dataclass(frozen=True)
class Withdrawal:
    """What withdrawing consent did: ``files`` are deleted once the transaction commits."""

    drawings: int
    files: int
    consent_records: int
    withdrawn_at: datetime


def mark_gallery_seen(*, parent: User) -> None:
    """The parent opened the family gallery: "new pictures" count from now."""
    User.objects.filter(pk=parent.pk).update(gallery_seen_at=timezone.now())


def set_drawings_hidden(*, drawings: QuerySet[Drawing], hidden: bool) -> int:
    """A parent hides drawings from their child (or shows them again); returns how many changed.

    Hidden means not shared: hiding also takes every share link of the drawings down, in the
    same transaction, and showing a drawing again does not bring the links back.
    """
    with transaction.atomic():
        if hidden:
            sharing.take_down_links_of(drawings=drawings)
        return drawing_services.set_drawings_hidden(drawings=drawings, hidden=hidden)


def withdraw_consent(*, parent: User, child_id: int) -> Withdrawal:
    """Withdraw a parent's consent for one child: everything of the child is deleted.

    In one transaction: the drawings, the XP ledger, achievements, streaks and quests (the
    progress row) and the profile itself, with the admin history that names them. On commit every
    stored sketch and picture is deleted from storage (a failure is recorded for
    ``retry_file_deletions``, never dropped). The consent records stay as evidence: their
    ``withdrawn_at`` is set and their link to the child is cleared, so they name nobody.
    """
    with transaction.atomic():
        child = Child.objects.select_for_update().filter(parent=parent, pk=child_id).first()
        if child is None:
            raise ChildNotFound("There is no such child in your family.")
        drawings = Drawing.objects.filter(child=child)
        drawing_ids = [str(pk) for pk in drawings.values_list("pk", flat=True)]
        names = stored_files_of(drawings)
        now = timezone.now()
        ConsentRecord.objects.filter(child=child, withdrawn_at__isnull=True).update(
            withdrawn_at=now
        )
        evidence = ConsentRecord.objects.filter(child=child).update(child=None)
        _forget_history(Child, [str(child.pk)])
        _forget_history(Drawing, drawing_ids)
        delete_files_on_commit(names)
        # Every session and socket of the child ends: its play tokens are revoked (their
        # sockets told to close) and the family's web sessions re-read (a session playing as
        # the child closes its socket), once the transaction commits.
        tokens.revoke(ApiToken.objects.filter(child=child))
        tokens.recheck_web_sessions(parent_id=parent.pk)
        # The cascade takes drawings, XP events, awards, quests and progress with the profile.
        child.delete()
    return Withdrawal(
        drawings=len(drawing_ids), files=len(names), consent_records=evidence, withdrawn_at=now
    )


def _forget_history(model: type[Child] | type[Drawing], object_ids: list[str]) -> None:
    # Admin log entries repeat an object's name (a child's nickname): they go with the object.
    content_type = ContentType.objects.get_for_model(model)
    LogEntry.objects.filter(content_type=content_type, object_id__in=object_ids).delete()
