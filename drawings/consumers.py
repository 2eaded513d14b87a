"""The live connection of a child's page.

Whatever a client sends is parsed defensively: a message over ``WS_MAX_MESSAGE_BYTES`` closes
the socket (1009), binary frames, non-JSON text and JSON nested deeper than
``WS_MAX_JSON_DEPTH`` are answered with an ``error`` message, never a traceback. The page
pings every 25 s; a socket that says nothing for ``WS_IDLE_TIMEOUT`` seconds is closed, and a
child may hold at most ``WS_MAX_SOCKETS_PER_CHILD`` sockets at once (counted in the cache, so
across server processes where the cache is shared).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from accounts.playmode import child_for
from drawings.events import child_group

UNAUTHORISED = 4401
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


def _sockets_key(child_id: int) -> str:
    return f"ws:sockets:{child_id}"


def _register_socket(child_id: int, channel: str, *, now: float) -> bool:
    """Count this socket for the child; False (and not counted) when the child is at the cap.
    Entries not seen for an idle timeout (a crashed server's) no longer count."""
    key = _sockets_key(child_id)
    stale = now - settings.WS_IDLE_TIMEOUT * 2
    sockets = {c: t for c, t in (cache.get(key) or {}).items() if t > stale}
    if len(sockets) >= settings.WS_MAX_SOCKETS_PER_CHILD:
        return False
    sockets[channel] = now
    cache.set(key, sockets, timeout=int(settings.WS_IDLE_TIMEOUT * 4))
    return True


def _touch_socket(child_id: int, channel: str, *, now: float) -> None:
    key = _sockets_key(child_id)
    sockets = cache.get(key) or {}
    sockets[channel] = now
    cache.set(key, sockets, timeout=int(settings.WS_IDLE_TIMEOUT * 4))


def _forget_socket(child_id: int, channel: str) -> None:
    key = _sockets_key(child_id)
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


class ChildEventsConsumer(AsyncJsonWebsocketConsumer):
    """Joins exactly one group: the playing child's. Anyone else is turned away."""

    group_name: str | None = None
    language: str = settings.LANGUAGE_CODE
    child_id: int | None = None
    last_heard: float = 0.0
    watchdog: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        child = await database_sync_to_async(child_for)(
            self.scope.get("user"), self.scope.get("session") or {}
        )
        if child is None:
            await self.close(code=UNAUTHORISED)
            return
        if not await database_sync_to_async(_register_socket)(
            child.pk, self.channel_name, now=time.time()
        ):
            await self.close(code=TOO_MANY_SOCKETS)
            return
        self.child_id = child.pk
        self.group_name = child_group(child.pk)
        self.language = reader_language(self.scope)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        self.last_heard = time.monotonic()
        self.watchdog = asyncio.create_task(self._close_when_idle())

    async def disconnect(self, code: int) -> None:
        if self.watchdog is not None:
            self.watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.watchdog
        if self.group_name is not None:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)
        if self.child_id is not None:
            await database_sync_to_async(_forget_socket)(self.child_id, self.channel_name)

    async def _close_when_idle(self) -> None:
        timeout = settings.WS_IDLE_TIMEOUT
        while True:
            await asyncio.sleep(max(0.05, self.last_heard + timeout - time.monotonic()))
            if time.monotonic() - self.last_heard >= timeout:
                await self.close(code=IDLE)
                return

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Every client frame, parsed defensively (see the module's docstring)."""
        self.last_heard = time.monotonic()
        if bytes_data is not None or text_data is None:
            await self._refuse("binary_not_supported", "Send JSON text messages only.")
            return
        if len(text_data.encode()) > settings.WS_MAX_MESSAGE_BYTES:
            await self.close(code=MESSAGE_TOO_BIG)
            return
        if not json_depth_within(text_data, settings.WS_MAX_JSON_DEPTH):
            await self._refuse("too_deep", "That message is nested too deeply.")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self._refuse("not_json", "That message is not JSON.")
            return
        await self.receive_json(content)

    async def _refuse(self, code: str, detail: str) -> None:
        await self.send_json({"type": "error", "code": code, "detail": detail})

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            if self.child_id is not None:
                await database_sync_to_async(_touch_socket)(
                    self.child_id, self.channel_name, now=time.time()
                )
            await self.send_json({"type": "pong"})
        # Anything else a client says is ignored: the socket only carries news to the child.

    async def drawing_status(self, event: dict[str, Any]) -> None:
        drawing = dict(event["drawing"])
        if drawing.get("error_message"):
            # The worker sent English; this child reads the page's language.
            with translation.override(self.language):
                drawing["error_message"] = translation.gettext(drawing["error_message"])
        message = {"type": "drawing.status", "drawing": drawing}
        if event.get("progress") is not None:
            message["progress"] = event["progress"]
        await self.send_json(message)
