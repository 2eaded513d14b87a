"""Who a /ws/ socket speaks for: the web's playing child (session cookie) or a device token.

A token comes in one of two places, never both and never in the address:

- ``Authorization: Bearer <token>`` on the upgrade request (native clients);
- for clients that cannot set headers (browsers), two offered subprotocols:
  ``Sec-WebSocket-Protocol: icanvas.v1, icanvas.bearer.<token>``. The server accepts echoing
  only ``icanvas.v1``, so the token never comes back in a response header.

When a token is offered it alone decides (a cookie on the same request is ignored, as over
REST): a play token hears its child's drawings, a parent's token the whole family's. The token
is checked exactly as REST checks it (knox: hash compare, expiry, active user) and never logged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import import_module
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.contrib.auth import get_user
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed

from accounts import tokens
from accounts.api.authentication import QUERY_TOKEN_NAMES, DeviceTokenAuthentication
from accounts.models import ApiToken
from accounts.playmode import child_for
from core import error_codes as codes
from drawings.events import child_group, family_group

SUBPROTOCOL = "icanvas.v1"
BEARER_SUBPROTOCOL_PREFIX = "icanvas.bearer."

# Close codes a client may act on (4000-4999 are the application's own).
BAD_HANDSHAKE = 4400  # a token in the address, two tokens, or icanvas.bearer.* without icanvas.v1
UNAUTHORISED = 4401  # no one signed in / playing, or the token is unknown, expired or revoked
TOKEN_PREFIXES = (tokens.PARENT_PREFIX, tokens.CHILD_PREFIX)


class SocketRefused(Exception):
    """The upgrade request is refused with ``code`` before anything is looked up."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Offered:
    """What the upgrade request brings: a token (or None: use the session) and the
    subprotocol to accept (``icanvas.v1`` when offered, else none)."""

    token: str | None
    subprotocol: str | None


@dataclass(frozen=True)
class Listener:
    """Who an accepted socket speaks for: the one group it hears, the counter that caps its
    sockets, and the token that opened it (None for a session)."""

    group: str
    sockets_key: str
    max_sockets: int
    token: ApiToken | None = None
    child_id: int | None = None  # a child's socket (it may ask for previews); None: a parent's
    session_key: str | None = None  # a web session's socket: its session, read again on recheck
    parent_id: int | None = None


def _header(scope: dict[str, Any], name: bytes) -> bytes | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return bytes(value)
    return None


def _bearer_subprotocols(scope: dict[str, Any]) -> list[str]:
    return [p for p in scope.get("subprotocols") or [] if p.startswith(BEARER_SUBPROTOCOL_PREFIX)]


def offers_token(scope: dict[str, Any]) -> bool:
    """Whether the upgrade request carries a token (header or subprotocol), valid or not."""
    return _header(scope, b"authorization") is not None or bool(_bearer_subprotocols(scope))


def offered_credentials(scope: dict[str, Any]) -> Offered:
    """Read the token from the upgrade request; ``SocketRefused`` when it is misplaced."""
    query = scope.get("query_string") or b""
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        # Addresses end up in logs and proxies: a token there is refused, even a valid one.
        if name.lower() in QUERY_TOKEN_NAMES or value.startswith(TOKEN_PREFIXES):
            raise SocketRefused(BAD_HANDSHAKE, codes.TOKEN_IN_ADDRESS)
    offered = list(scope.get("subprotocols") or [])
    subprotocol = SUBPROTOCOL if SUBPROTOCOL in offered else None
    bearer = _bearer_subprotocols(scope)
    header = _header(scope, b"authorization")
    if len(bearer) > 1 or (bearer and header is not None):
        raise SocketRefused(BAD_HANDSHAKE, codes.MORE_THAN_ONE_TOKEN)
    if bearer:
        if subprotocol is None:
            # Accepting would have to echo the token's subprotocol back.
            raise SocketRefused(BAD_HANDSHAKE, codes.BEARER_WITHOUT_ICANVAS_V1)
        return Offered(
            token=bearer[0].removeprefix(BEARER_SUBPROTOCOL_PREFIX), subprotocol=subprotocol
        )
    if header is not None:
        parts = header.decode("latin-1").split()
        if len(parts) != 2 or parts[0].lower() != "bearer":
            raise SocketRefused(UNAUTHORISED, codes.NOT_A_BEARER_TOKEN)
        return Offered(token=parts[1], subprotocol=subprotocol)
    return Offered(token=None, subprotocol=subprotocol)


def _child_listener(child_id: int, token: ApiToken | None = None) -> Listener:
    return Listener(
        group=child_group(child_id),
        sockets_key=f"ws:sockets:{child_id}",
        max_sockets=settings.WS_MAX_SOCKETS_PER_CHILD,
        token=token,
        child_id=child_id,
    )


def session_listener(user: Any, session: Any) -> Listener | None:
    """The web's socket: the signed-in parent's session playing as one of their children."""
    child = child_for(user, session or {})
    session_key = getattr(session, "session_key", None)
    if child is None or not session_key:
        return None
    listener = _child_listener(child.pk)
    return Listener(
        **{**listener.__dict__, "session_key": session_key, "parent_id": child.parent_id}
    )


def session_still_plays(session_key: str, child_id: int) -> bool:
    """Whether the web session that opened a socket still stands, as the next request would
    find it: not signed out or expired, its password hash still the parent's (a new password
    ends every other session), and still playing as ``child_id`` (a withdrawn child is gone)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    if not store.exists(session_key):
        return False
    request = HttpRequest()
    request.session = store
    child = child_for(get_user(request), store)
    return child is not None and child.pk == child_id


def session_seconds_left(session_key: str) -> float | None:
    """How long the web session still lives as stored (a request that saves it moves its end
    on); None once it is gone or has run out, ``inf`` where the session engine keeps no end a
    socket can read (a cache-only store: the recheck of an access change still closes it)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    if not hasattr(store, "get_model_class"):
        return math.inf
    rows = store.get_model_class().objects.filter(session_key=session_key)
    found = list(rows.values_list("expire_date", flat=True)[:1])
    if not found:
        return None
    left = (found[0] - timezone.now()).total_seconds()
    return left if left > 0 else None


class SocketTokenCheck(DeviceTokenAuthentication):
    """REST's token check (knox: hash compare, expiry, active user), except that a play token
    is never renewed: it lives ``PLAY_TOKEN_TTL`` from when the PIN was given, however long
    its socket stays open (knox's AUTO_REFRESH would stretch it to a parent's TOKEN_TTL)."""

    def renew_token(self, auth_token: ApiToken) -> None:
        if auth_token.child_id is None:
            super().renew_token(auth_token)


def token_listener(token: str) -> Listener | None:
    """A device token's socket, checked as REST checks the token; None when it is refused."""
    try:
        user, row = SocketTokenCheck().authenticate_credentials(token.encode())
    except AuthenticationFailed:
        return None
    if row.child_id is not None:
        child = row.child
        if child is None or child.parent_id != user.pk:  # as DeviceTokenAuthentication does
            return None
        listener = _child_listener(child.pk, row)
    else:
        listener = Listener(
            group=family_group(user.pk),
            sockets_key=f"ws:family-sockets:{user.pk}",
            max_sockets=settings.WS_MAX_SOCKETS_PER_PARENT,
            token=row,
        )
    tokens.touch(row)
    return listener


def seconds_left(token_pk: int) -> float | None:
    """How long the token still lives (``inf``: no expiry); None once revoked or expired.

    Read afresh: REST use may have renewed a parent's token since the socket opened.
    """
    found = list(ApiToken.objects.filter(pk=token_pk).values_list("expiry", flat=True)[:1])
    if not found:
        return None
    if found[0] is None:
        return math.inf
    left = (found[0] - timezone.now()).total_seconds()
    return left if left > 0 else None
