"""The inference worker: wake-ups in, pictures out.

One worker runs inside the ASGI server by default (embedded mode); in production
any number run as ``manage.py inference_worker`` processes sharing the Redis
channel layer. A worker:

1. listens on the ``inference`` channel and gathers drawing ids for a few
   milliseconds into a micro-batch,
2. claims the rows (``lifecycle.claim_drawings``),
3. runs the category's generator on the batch in a dedicated thread, so the
   event loop — and with it the site — stays responsive,
4. hands each picture to ``lifecycle.finish_drawing`` (or the batch back to
   ``lifecycle.give_back_drawing``), which stores it, pays the child and tells
   the child's pages.

A reaper pass (``lifecycle.reap_drawings``) runs every few seconds and re-wakes
rows whose message or worker was lost. Messages are only hints: the database
row is the truth. The worker computes; every write and every event is the
lifecycle's.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import BaseChannelLayer, get_channel_layer
from django.conf import settings
from django.db import close_old_connections
from PIL import Image

from drawings import lifecycle
from drawings.events import INFERENCE_CHANNEL
from drawings.models import Drawing
from inference.registry import RegistryError
from inference.runtime import get_runtime
from inference.sketch_files import encode_png

logger = logging.getLogger(__name__)


def _load_sketch(drawing: Drawing) -> Image.Image:
    with drawing.sketch.open("rb") as handle:
        data = handle.read()
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB")


class InferenceWorker:
    """Consumes wake-ups from the channel layer and turns sketches into pictures."""

    def __init__(
        self,
        channel_layer: BaseChannelLayer | None = None,
        *,
        batch_size: int | None = None,
        batch_window_ms: int | None = None,
        reaper_interval: float | None = None,
    ) -> None:
        self.channel_layer = channel_layer or get_channel_layer()
        self.batch_size = batch_size or settings.INFERENCE_BATCH_SIZE
        self.batch_window = (
            batch_window_ms if batch_window_ms is not None else settings.INFERENCE_BATCH_WINDOW_MS
        ) / 1000
        self.reaper_interval = (
            reaper_interval
            if reaper_interval is not None
            else settings.INFERENCE_REAPER_INTERVAL_SECONDS
        )
        self._pending: asyncio.Queue[int] = asyncio.Queue()
        # Torch work runs in its own thread so the event loop never waits on a picture.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inference")
        self.batches_run = 0

    async def run(self) -> None:
        """Run until cancelled."""
        logger.info(
            "inference worker started (batch %d, window %.0f ms, reaper every %.1f s)",
            self.batch_size,
            self.batch_window * 1000,
            self.reaper_interval,
        )
        tasks = [
            asyncio.create_task(self._listen(), name="inference-listen"),
            asyncio.create_task(self._reap_forever(), name="inference-reaper"),
        ]
        try:
            while True:
                batch = await self._next_batch()
                try:
                    await self.process(batch)
                except asyncio.CancelledError:
                    raise
                except Exception:  # a bad batch must not stop the worker; the reaper retries
                    logger.exception("inference batch %s failed", batch)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            self._executor.shutdown(wait=False, cancel_futures=True)

    async def _listen(self) -> None:
        while True:
            try:
                message = await self.channel_layer.receive(INFERENCE_CHANNEL)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("channel layer receive failed; retrying", exc_info=True)
                await asyncio.sleep(1)
                continue
            for drawing_id in message.get("ids", []):
                self._pending.put_nowait(int(drawing_id))

    async def _next_batch(self) -> list[int]:
        first = await self._pending.get()
        batch = [first]
        deadline = asyncio.get_running_loop().time() + self.batch_window
        while len(batch) < self.batch_size:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(self._pending.get(), timeout=remaining))
            except TimeoutError:
                break
        return list(dict.fromkeys(batch))

    async def _reap_forever(self) -> None:
        first = True
        while True:
            try:
                await self.reap_once(resend_all_queued=first)
                first = False
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("reaper pass failed")
            await asyncio.sleep(self.reaper_interval)

    async def reap_once(self, *, resend_all_queued: bool = False) -> lifecycle.Reaped:
        """One reaper pass: wake lost rows, fail rows out of attempts (the lifecycle tells)."""
        return await database_sync_to_async(lifecycle.reap_drawings)(
            resend_all_queued=resend_all_queued
        )

    async def process(self, drawing_ids: list[int]) -> None:
        """Claim, draw and finish one micro-batch."""
        claims = await database_sync_to_async(lifecycle.claim_drawings)(drawing_ids=drawing_ids)
        if not claims:
            return
        by_category: dict[str, list[lifecycle.Claim]] = defaultdict(list)
        for claim in claims:
            by_category[claim.drawing.category].append(claim)
        for category, group in by_category.items():
            await self._draw_group(category, group)
        self.batches_run += 1

    async def _draw_group(self, category: str, claims: list[lifecycle.Claim]) -> None:
        loop = asyncio.get_running_loop()
        try:
            # Cards are read once per process; a miss re-reads the directory once.
            card = get_runtime().active_card_for(category)
        except RegistryError:
            logger.warning("no generator for category %r", category)
            for claim in claims:
                await self._give_back(
                    claim, permanent=True, message=lifecycle.FRIENDLY_NO_GENERATOR
                )
            return
        try:
            started = time.perf_counter()
            pictures = await loop.run_in_executor(
                self._executor, self._draw_sync, card.name, claims
            )
            elapsed_ms = round((time.perf_counter() - started) * 1000 / max(1, len(claims)))
        except Exception:
            logger.exception("generator %s failed on %d drawing(s)", card.name, len(claims))
            for claim in claims:
                await self._give_back(claim)
            return
        for claim, png in zip(claims, pictures, strict=True):
            await database_sync_to_async(lifecycle.finish_drawing)(
                claim=claim, picture_png=png, generator_name=card.name, inference_ms=elapsed_ms
            )

    def _draw_sync(self, generator_name: str, claims: list[lifecycle.Claim]) -> list[bytes]:
        try:
            sketches = [_load_sketch(claim.drawing) for claim in claims]
        finally:
            close_old_connections()
        categories = [claim.drawing.category for claim in claims]
        pictures = get_runtime().generator(generator_name).draw(sketches, categories)
        return [encode_png(picture) for picture in pictures]

    async def _give_back(self, claim: lifecycle.Claim, **kwargs: Any) -> None:
        await database_sync_to_async(lifecycle.give_back_drawing)(claim=claim, **kwargs)
