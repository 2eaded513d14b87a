"""Runs the embedded inference worker for as long as the ASGI server lives."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

Scope = dict[str, Any]


class EmbeddedWorkerLifespan:
    """ASGI wrapper: answers the lifespan protocol and starts/stops the worker."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.worker_task: asyncio.Task[None] | None = None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def start(self) -> None:
        if not settings.INFERENCE_EMBEDDED_WORKER:
            logger.info("embedded inference worker is off; run manage.py inference_worker")
            return
        from drawings.selectors import installed_categories
        from drawings.worker import InferenceWorker

        if not installed_categories(refresh=True):
            logger.warning(
                "No generators installed in %s: drawings can't be turned into pictures yet. "
                "See README 'Generators'.",
                settings.GENERATORS_DIR,
            )
        self.worker_task = asyncio.create_task(InferenceWorker().run(), name="inference-worker")

    async def stop(self) -> None:
        if self.worker_task is not None:
            self.worker_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.worker_task
            self.worker_task = None
