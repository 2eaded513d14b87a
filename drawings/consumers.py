"""The live connection of a child's page, and of a device holding an API token.

Who may open it is read by ``drawings.socket_auth`` (session cookie, ``Authorization: Bearer``
or the ``icanvas.bearer.<token>`` subprotocol; never a token in the address). A socket opened
with a token also joins the token's group and closes (4401, reason ``token_revoked``) when the
token is revoked, and (4401, ``token_expired``) when it runs out. A socket opened with a web
session joins the family's sessions group and closes (4401, ``session_ended``) when a recheck
finds its session gone (signed out, a new password, the child's consent withdrawn) and when the
session runs out (its stored end, moved on by each request that saves it).

Whatever a client sends is parsed defensively: a message over ``WS_MAX_MESSAGE_BYTES`` closes
the socket (1009), binary frames, non-JSON text and JSON nested deeper than
``WS_MAX_JSON_DEPTH`` are answered with an ``error`` message, never a traceback. The page
pings every 25 s; a socket that says nothing for ``WS_IDLE_TIMEOUT`` seconds is closed, and a
child may hold at most ``WS_MAX_SOCKETS_PER_CHILD`` sockets at once, a parent's device tokens
``WS_MAX_SOCKETS_PER_PARENT`` (counted in the cache, so across server processes where the cache
is shared).

A child's socket also carries the magic preview (``drawings.previews``): a ``preview`` message
(up to ``WS_MAX_PREVIEW_BYTES``, at most one every ``PREVIEW_MIN_INTERVAL_SECONDS``) goes to the
workers, and the worker's ``preview.ready`` / ``preview.busy`` come back on this socket only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from accounts.tokens import sessions_group, token_group
from core import error_codes as codes
from core.infrastructure import INFRASTRUCTURE_ERRORS, TRY_AGAIN_LATER, describe
from drawings import previews, protocol, socket_auth
from drawings.selectors import installed_categories
from drawings.socket_auth import UNAUTHORISED, Listener

logger = logging.getLogger(__name__)
TOO_MANY_SOCKETS = 4429
MESSAGE_TOO_BIG = 1009
IDLE = 4408


def json_depth_within(text: str, limit: int) -> bool:
    """Whether the brackets of ``text`` nest no deeper than ``limit`` (strings are skipped),
    checked before parsing so a 100,000-deep document never reaches the parser."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return False
        elif char in "]}":
            depth -= 1
    return True


def _register_socket(key: str, channel: str, *, cap: int, now: float) -> bool:
    """Count this socket under ``key`` (one child's, or one parent's devices'); False (and not
    counted) at the cap. Entries not seen for an idle timeout (a crashed server's) no longer
    count."""
    stale = now - settings.WS_IDLE_TIMEOUT * 2
    sockets = {c: t for c, t in (cache.get(key) or {}).items() if t > stale}
    if len(sockets) >= cap:
        return False
    sockets[channel] = now
    cache.set(key, sockets, timeout=int(settings.WS_IDLE_TIMEOUT * 4))
    return True


def _touch_socket(key: str, channel: str, *, now: float) -> None:
    sockets = cache.get(key) or {}
    sockets[channel] = now
    cache.set(key, sockets, timeout=int(settings.WS_IDLE_TIMEOUT * 4))


def _forget_socket(key: str, channel: str) -> None:
    sockets = cache.get(key) or {}
    sockets.pop(channel, None)
    cache.set(key, sockets, timeout=int(settings.WS_IDLE_TIMEOUT * 4))


def reader_language(scope: dict[str, Any]) -> str:
    """The language of the page that opened the socket: the switch's cookie, else the browser's.

    LocaleMiddleware only sees HTTP requests, so the socket repeats its choice.
    """
    cookie = (scope.get("cookies") or {}).get(settings.LANGUAGE_COOKIE_NAME)
    accept = dict(scope.get("headers") or []).get(b"accept-language", b"").decode("latin-1")
    for code in [cookie, *(part.split(";")[0].strip() for part in accept.split(","))]:
        if code:
            try:
                return translation.get_supported_language_variant(code)
            except LookupError:
                continue
    return settings.LANGUAGE_CODE


def _too_soon(now: float, last: object) -> bool:
    """Whether a preview asked at ``now`` comes within ``PREVIEW_MIN_INTERVAL_SECONDS`` of the
    one asked at ``last`` (wall-clock seconds, which every web process shares; a clock set back
    lets the preview through rather than holding it)."""
    return isinstance(last, float) and 0 <= now - last < previews.PREVIEW_MIN_INTERVAL_SECONDS


async def _child_may_preview(child_id: int, now: float) -> bool:
    """One preview per child per ``PREVIEW_MIN_INTERVAL_SECONDS`` across all its sockets (two
    tabs or a reconnecting app share it), remembered in the cache every web process shares."""
    key = f"preview-at:{child_id}"
    if _too_soon(now, await cache.aget(key)):
        return False
    await cache.aset(key, now, timeout=60)
    return True


class ChildEventsConsumer(AsyncJsonWebsocketConsumer):
    """Joins exactly one news group (a child's, or with a parent's token the family's) and,
    when a token opened it, that token's group. Anyone else is turned away."""

    groups_joined: tuple[str, ...] = ()
    language: str = settings.LANGUAGE_CODE
    sockets_key: str | None = None
    token_pk: int | None = None
    token_deadline: float = math.inf
    session_deadline: float = math.inf
    last_heard: float = 0.0
    watchdog: asyncio.Task[None] | None = None
    child_id: int | None = None  # a child's socket: it may ask for previews
    session_key: str | None = None  # a web session's socket: read again on a recheck
    last_preview: float = -math.inf

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        # Redis (the channel layer, the cache) or the database unreachable: the socket closes
        # with 1013 "try again later" and one log line, not a traceback per socket.
        try:
            await super().__call__(scope, receive, send)
        except INFRASTRUCTURE_ERRORS as error:
            logger.warning("socket closed (1013): %s", describe(error))
            with contextlib.suppress(Exception):
                await send({"type": "websocket.close", "code": TRY_AGAIN_LATER})

    async def connect(self) -> None:
        try:
            offered = socket_auth.offered_credentials(self.scope)
        except socket_auth.SocketRefused as refused:
            await self.close(code=refused.code, reason=refused.reason)
            return
        listener: Listener | None
        if offered.token is not None:
            listener = await database_sync_to_async(socket_auth.token_listener)(offered.token)
        else:
            listener = await database_sync_to_async(socket_auth.session_listener)(
                self.scope.get("user"), self.scope.get("session")
            )
        if listener is None:
            await self.close(code=UNAUTHORISED)
            return
        if listener.token is not None:
            self.token_pk = listener.token.pk
            await self._join(token_group(listener.token.public_id))
            # Read again now that the token's group is joined: a revocation between the
            # check and the join would otherwise never reach this socket.
            if not await self._token_still_lives():
                await self._leave()
                await self.close(code=UNAUTHORISED)
                return
        if not await database_sync_to_async(_register_socket)(
            listener.sockets_key, self.channel_name, cap=listener.max_sockets, now=time.time()
        ):
            await self._leave()
            await self.close(code=TOO_MANY_SOCKETS)
            return
        self.sockets_key = listener.sockets_key
        self.child_id = listener.child_id
        await self._join(listener.group)
        if listener.session_key is not None and listener.parent_id is not None:
            self.session_key = listener.session_key
            await self._join(sessions_group(listener.parent_id))
            # As for a token: a session ended between the check and the join closes now.
            if not await self._session_still_plays() or not await self._session_still_lives():
                await self._leave()
                await self.close(code=UNAUTHORISED)
                return
        self.language = reader_language(self.scope)
        await self.accept(subprotocol=offered.subprotocol)
        self.last_heard = time.monotonic()
        self.watchdog = asyncio.create_task(self._close_when_idle_or_expired())

    async def disconnect(self, code: int) -> None:
        if self.watchdog is not None:
            self.watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.watchdog
        await self._leave()

    async def _join(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = (*self.groups_joined, group)

    async def _leave(self) -> None:
        """Leave every group and give back the socket's place under the cap (idempotent)."""
        groups, self.groups_joined = self.groups_joined, ()
        for group in groups:
            await self.channel_layer.group_discard(group, self.channel_name)
        if self.sockets_key is not None:
            key, self.sockets_key = self.sockets_key, None
            await database_sync_to_async(_forget_socket)(key, self.channel_name)

    async def _token_still_lives(self) -> bool:
        assert self.token_pk is not None
        left = await database_sync_to_async(socket_auth.seconds_left)(self.token_pk)
        if left is None:
            return False
        self.token_deadline = time.monotonic() + left
        return True

    async def _session_still_lives(self) -> bool:
        assert self.session_key is not None
        left = await database_sync_to_async(socket_auth.session_seconds_left)(self.session_key)
        if left is None:
            return False
        self.session_deadline = time.monotonic() + left
        return True

    async def _close_when_idle_or_expired(self) -> None:
        timeout = settings.WS_IDLE_TIMEOUT
        while True:
            wake = min(self.last_heard + timeout, self.token_deadline, self.session_deadline)
            await asyncio.sleep(max(0.05, wake - time.monotonic()))
            now = time.monotonic()
            if now - self.last_heard >= timeout:
                await self.close(code=IDLE)
                return
            # Expiry is read afresh: REST use may have renewed a parent's token meanwhile.
            if now >= self.token_deadline and not await self._token_still_lives():
                await self.close(code=UNAUTHORISED, reason=codes.TOKEN_EXPIRED)
                return
            # A web session runs out when no request renewed it for its age (idle); one that
            # a request saved meanwhile lives on to its new end.
            if now >= self.session_deadline and not await self._session_still_lives():
                await self._leave()
                await self.close(code=UNAUTHORISED, reason=codes.SESSION_ENDED)
                return

    async def token_revoked(self, event: dict[str, Any]) -> None:
        """The token that opened this socket was revoked (``accounts.tokens.revoke``)."""
        await self.close(code=UNAUTHORISED, reason=codes.TOKEN_REVOKED)

    async def _session_still_plays(self) -> bool:
        assert self.session_key is not None and self.child_id is not None
        return bool(
            await database_sync_to_async(socket_auth.session_still_plays)(
                self.session_key, self.child_id
            )
        )

    async def session_recheck(self, event: dict[str, Any]) -> None:
        """The family's access changed (``accounts.tokens.recheck_web_sessions``): a socket
        whose web session no longer stands closes (4401, reason ``session_ended``)."""
        if self.session_key is not None and not await self._session_still_plays():
            await self._leave()
            await self.close(code=UNAUTHORISED, reason=codes.SESSION_ENDED)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Every client frame, parsed defensively (see the module's docstring)."""
        self.last_heard = time.monotonic()
        if bytes_data is not None or text_data is None:
            await self._refuse(codes.BINARY_NOT_SUPPORTED, "Send JSON text messages only.")
            return
        size = len(text_data.encode())
        if size > settings.WS_MAX_MESSAGE_BYTES and not self._may_be_preview(text_data, size):
            await self.close(code=MESSAGE_TOO_BIG)
            return
        if not json_depth_within(text_data, settings.WS_MAX_JSON_DEPTH):
            await self._refuse(codes.TOO_DEEP, "That message is nested too deeply.")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self._refuse(codes.NOT_JSON, "That message is not JSON.")
            return
        await self.receive_json(content)

    def _may_be_preview(self, text: str, size: int) -> bool:
        """A child's preview may be bigger than other messages (its sketch is in it)."""
        return (
            self.child_id is not None
            and size <= settings.WS_MAX_PREVIEW_BYTES
            and text.lstrip().replace(" ", "").startswith('{"type":"preview"')
        )

    async def _refuse(self, code: str, detail: str) -> None:
        await self.send_json({"type": "error", "code": code, "detail": detail})

    async def _preview(self, content: dict[str, Any]) -> None:
        """Pass a child's current sketch to the workers for a preview (see drawings.previews)."""
        if self.child_id is None:
            await self._refuse(codes.CHILDREN_ONLY, "Previews are for a child's own canvas.")
            return
        now = time.time()
        if _too_soon(now, self.last_preview) or not await _child_may_preview(self.child_id, now):
            await self.send_json(protocol.preview_busy(content.get("seq"), protocol.TOO_FAST))
            return
        self.last_preview = now
        categories = {c.slug for c in installed_categories()}
        try:
            seq, category, sketch = await asyncio.to_thread(
                previews.read_request, content, categories=categories
            )
        except previews.PreviewRefused as refused:
            await self._refuse(refused.code, refused.detail)
            return
        request = protocol.PreviewRequest(
            reply=self.channel_name, seq=seq, category=category, sketch_png=sketch, sent=time.time()
        )
        try:
            await self.channel_layer.send(protocol.PREVIEW_CHANNEL, request.to_message())
        except Exception:  # ChannelFull (no worker keeps up) or the layer is down
            await self.send_json(protocol.preview_busy(seq, protocol.SATURATED))

    async def preview_ready(self, event: dict[str, Any]) -> None:
        """A worker drew this socket's preview (``protocol.PREVIEW_READY``); the page calls it
        ``preview``."""
        await self.send_json({"type": "preview", "seq": event.get("seq"), "image": event["image"]})

    async def preview_busy(self, event: dict[str, Any]) -> None:
        """A worker could not draw this socket's preview now (``protocol.PREVIEW_BUSY``)."""
        await self.send_json(protocol.preview_busy(event.get("seq"), event.get("reason")))

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            if self.sockets_key is not None:
                await database_sync_to_async(_touch_socket)(
                    self.sockets_key, self.channel_name, now=time.time()
                )
            await self.send_json({"type": "pong"})
        elif isinstance(content, dict) and content.get("type") == "preview":
            await self._preview(content)
        # Anything else a client says is ignored: the socket only carries news to its reader.

    async def drawing_status(self, event: dict[str, Any]) -> None:
        """A drawing's news (``protocol.DRAWING_STATUS``), in this reader's language."""
        drawing = dict(event["drawing"])
        if drawing.get("error_message"):
            # The worker sent English; this child reads the page's language.
            with translation.override(self.language):
                drawing["error_message"] = translation.gettext(drawing["error_message"])
        message = protocol.drawing_status(drawing)
        for family_only in ("child_id", "hidden"):  # a parent's devices hear several children
            if family_only in event:
                message[family_only] = event[family_only]
        if event.get("progress") is not None:
            message["progress"] = event["progress"]
        await self.send_json(message)
