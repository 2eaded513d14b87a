"""The live connection of a child's page."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.playmode import child_for
from drawings.events import child_group

UNAUTHORISED = 4401


class ChildEventsConsumer(AsyncJsonWebsocketConsumer):
    """Joins exactly one group: the playing child's. Anyone else is turned away."""

    group_name: str | None = None

    async def connect(self) -> None:
        child = await database_sync_to_async(child_for)(
            self.scope.get("user"), self.scope.get("session") or {}
        )
        if child is None:
            await self.close(code=UNAUTHORISED)
            return
        self.group_name = child_group(child.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group_name is not None:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def drawing_status(self, event: dict[str, Any]) -> None:
        message = {"type": "drawing.status", "drawing": event["drawing"]}
        if event.get("progress") is not None:
            message["progress"] = event["progress"]
        await self.send_json(message)
