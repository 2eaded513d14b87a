"""The writes of sharing: a parent makes or revokes a link, a visitor reports, staff review."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import error_codes as codes
from core.errors import ApplicationError
from drawings.models import Drawing, DrawingStatus
from sharing.models import ShareLink

TOKEN_BYTES = 24  # 32 URL-safe characters, 192 random bits
DEFAULT_DAYS = 7
MAX_DAYS = 30
REPORT_REASON_MAX = 300


class NotShareable(ApplicationError, ValueError):
    """Only a finished picture of the parent's own child can be shared."""


@dataclass(frozen=True)
class NewShareLink:
    """A link just made: ``token`` exists only here (the database keeps its hash)."""

    link: ShareLink
    token: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def share_days_default() -> int:
    return int(getattr(settings, "SHARE_LINK_DAYS", DEFAULT_DAYS))


def create_share_link(
    *,
    parent: User,
    drawing_id: int,
    days: int | None = None,
    show_sketch: bool = False,
    show_nickname: bool = False,
) -> NewShareLink:
    """Make a share link for one finished picture of ``parent``'s child.

    Private stays the default everywhere else: the link shows the picture alone unless the
    parent ticks the sketch or the nickname, and it expires (7 days unless chosen, 30 at most).
    """
    days = share_days_default() if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise NotShareable(f"A link lasts from 1 to {MAX_DAYS} days.", field="days")
    drawing = Drawing.objects.filter(pk=drawing_id, child__parent=parent).first()
    if drawing is None:
        raise NotShareable("There is no such picture in your family.", code=codes.NOT_FOUND)
    check_shareable(drawing=drawing)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = ShareLink.objects.create(
        drawing=drawing,
        created_by=parent,
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(days=days),
        show_sketch=show_sketch,
        show_nickname=show_nickname,
    )
    return NewShareLink(link=link, token=token)


def check_shareable(*, drawing: Drawing) -> None:
    """Raise :class:`NotShareable` unless ``drawing`` is a finished picture the parent has not
    hidden (the caller has checked that it is of the parent's family)."""
    if drawing.status != DrawingStatus.DONE or not drawing.result:
        raise NotShareable("Only a finished picture can be shared.", field="drawing")
    if drawing.hidden:
        raise NotShareable(
            _(
                "This picture is hidden from your child, so it cannot be shared. "
                "Show it in your child's gallery again first."
            ),
            code=codes.HIDDEN_PICTURE,
            field="drawing",
        )


def take_down_links_of(*, drawings: QuerySet[Drawing]) -> int:
    """Revoke every share link of ``drawings`` (hidden pictures are not shared); returns how
    many links stopped working. Showing a picture again does not bring its links back."""
    return revoke_links(links=ShareLink.objects.filter(drawing__in=drawings))


def revoke_links(*, links: QuerySet[ShareLink]) -> int:
    """Revoke share links (a queryset the caller has already scoped); returns how many."""
    return links.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def live_link(*, token: str) -> ShareLink | None:
    """The live link for ``token``, or ``None``: expired, revoked, reported and guessed tokens
    all look the same to a visitor."""
    if not token or len(token) > 64:
        return None
    return (
        ShareLink.objects.live()
        .select_related("drawing", "drawing__child")
        .filter(token_hash=hash_token(token))
        .first()
    )


def open_link(*, token: str) -> ShareLink | None:
    """:func:`live_link`, counted as one visit of the shared page."""
    link = live_link(token=token)
    if link is not None:
        ShareLink.objects.filter(pk=link.pk).update(views=F("views") + 1)
    return link


def report_link(*, token: str, reason: str) -> bool:
    """A visitor reports a shared page: the link goes down until staff review it."""
    with transaction.atomic():
        link = (
            ShareLink.objects.live()
            .select_for_update()
            .filter(token_hash=hash_token(token))
            .first()
        )
        if link is None:
            return False
        link.reported_at = timezone.now()
        link.report_reason = reason.strip()[:REPORT_REASON_MAX]
        link.save(update_fields=["reported_at", "report_reason"])
    return True


def review_reports(*, links: QuerySet[ShareLink], restore: bool) -> int:
    """Staff's decision on reported links: restore them, or keep them down for good (revoked)."""
    now = timezone.now()
    reported = links.filter(reported_at__isnull=False)
    if restore:
        return int(reported.update(reported_at=None, reviewed_at=now))
    return int(reported.update(revoked_at=now, reviewed_at=now))
