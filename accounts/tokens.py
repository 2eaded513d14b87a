"""API tokens per device (django-rest-knox): issue, list, revoke.

A parent signs in on a device and gets a token for it; a parent's token can make a **play
token** for one child (with that child's PIN, the same PIN lock as the web). Revoking deletes
the row (knox keeps only hashes, so a deleted token can never be checked again) and, once the
transaction commits, tells every open socket of that token to close.

The web's sockets are opened with a session, not a token: when a parent's access changes (a new
password, a child's consent withdrawn, signing out) :func:`recheck_web_sessions` tells every
session socket of the family to read its session again, and those whose session no longer
stands close at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import ApiToken, Child, User

logger = logging.getLogger(__name__)

PARENT_PREFIX = "icp_"
CHILD_PREFIX = "icc_"
DEVICE_NAME_MAX = 60
TOKEN_GROUP_PREFIX = "api-token."  # noqa: S105 - a channel-group name, not a secret
SESSIONS_GROUP_PREFIX = "web-sessions."
TOKEN_REVOKED = "token.revoked"  # noqa: S105 - the channel-layer message's type, not a secret
SESSION_RECHECK = "session.recheck"
LAST_USED_EVERY_SECONDS = 60


@dataclass(frozen=True)
class IssuedToken:
    """A token just made: ``token`` (the secret) exists only here; the database keeps a hash."""

    row: ApiToken
    token: str


def token_group(public_id: object) -> str:
    """The channel-layer group every socket opened with this token joins."""
    return f"{TOKEN_GROUP_PREFIX}{public_id}"


def sessions_group(parent_id: int) -> str:
    """The group every socket opened with one of the parent's web sessions joins."""
    return f"{SESSIONS_GROUP_PREFIX}{parent_id}"


def recheck_web_sessions(*, parent_id: int) -> None:
    """Once the transaction commits, every web-session socket of the parent re-reads its
    session: a session signed out, or invalidated by a new password, or playing as a child who
    is gone, closes its socket (``drawings.consumers``)."""
    transaction.on_commit(lambda: _tell([sessions_group(parent_id)], {"type": SESSION_RECHECK}))


def _device(name: str | None) -> str:
    return " ".join((name or "").split())[:DEVICE_NAME_MAX]


def issue_parent_token(*, parent: User, device_name: str = "") -> IssuedToken:
    """A token for one of the parent's devices. The oldest go beyond
    ``API_TOKEN_MAX_PER_PARENT`` devices (a leaked-credential loop cannot pile them up)."""
    row, token = ApiToken.objects.create(
        user=parent, prefix=PARENT_PREFIX, device_name=_device(device_name)
    )
    keep = ApiToken.objects.filter(user=parent, child__isnull=True).order_by("-created")
    surplus = keep.values_list("pk", flat=True)[settings.API_TOKEN_MAX_PER_PARENT :]
    if surplus:
        revoke(ApiToken.objects.filter(pk__in=list(surplus)))
    return IssuedToken(row=row, token=token)


def issue_play_token(*, child: Child, device_name: str = "") -> IssuedToken:
    """A token that acts only as ``child`` (the caller has checked the parent and the PIN)."""
    row, token = ApiToken.objects.create(
        user=child.parent,
        expiry=settings.PLAY_TOKEN_TTL,
        prefix=CHILD_PREFIX,
        device_name=_device(device_name),
        child=child,
    )
    return IssuedToken(row=row, token=token)


def tokens_of(*, parent: User) -> QuerySet[ApiToken]:
    """The parent's live tokens (their devices and their children's play tokens), newest first."""
    now = timezone.now()
    return (
        ApiToken.objects.filter(user=parent)
        .exclude(expiry__lt=now)
        .select_related("child")
        .order_by("-created")
    )


def revoke(tokens: QuerySet[ApiToken]) -> int:
    """Delete tokens; their open sockets are told to close once the transaction commits."""
    groups = [token_group(public_id) for public_id in tokens.values_list("public_id", flat=True)]
    count, _ = tokens.delete()
    if groups:
        transaction.on_commit(lambda: _tell(groups, {"type": TOKEN_REVOKED}))
    return len(groups) if count else 0


def revoke_all(*, parent: User) -> int:
    """Every token of the parent (after a password change, or "sign out everywhere")."""
    return revoke(ApiToken.objects.filter(user=parent))


def sign_out_everywhere(*, parent: User) -> int:
    """Every device token of the parent is revoked and every web session ends (its socket
    closes once the transaction commits); returns how many tokens were revoked."""
    with transaction.atomic():
        revoked = revoke_all(parent=parent)
        User.objects.filter(pk=parent.pk).update(session_epoch=F("session_epoch") + 1)
        recheck_web_sessions(parent_id=parent.pk)
    return revoked


def touch(token: ApiToken) -> None:
    """Remember when a token was last used, at most once a minute (no write per request), and
    then delete the parent's tokens that have expired (what knox did on every request)."""
    now = timezone.now()
    last = token.last_used_at
    if last is None or (now - last).total_seconds() >= LAST_USED_EVERY_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        ApiToken.objects.filter(user_id=token.user_id, expiry__lt=now).delete()


def _tell(groups: list[str], message: dict[str, str]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(layer.group_send)
    for group in groups:
        try:
            send(group, message)
        except Exception:  # the layer being down must not undo a revocation
            logger.warning("could not tell the sockets of %s to close", group, exc_info=True)
