"""The live connection of a child's page."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation

from accounts.playmode import child_for
from drawings.events import child_group

UNAUTHORISED = 4401


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

    async def connect(self) -> None:
        child = await database_sync_to_async(child_for)(
            self.scope.get("user"), self.scope.get("session") or {}
        )
        if child is None:
            await self.close(code=UNAUTHORISED)
            return
        self.group_name = child_group(child.pk)
        self.language = reader_language(self.scope)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group_name is not None:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

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
