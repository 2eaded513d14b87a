"""Previews, the worker's side (the whole story: ``drawings.previews``).

The worker keeps only each socket's latest request (an older one is dropped: stale), draws
previews on the fast path only when no submitted drawing waits, answers each socket directly
(``preview.ready`` / ``preview.busy``), and stores and pays nothing. A worker whose queue of
submitted drawings is long says "busy" at once rather than keep a preview waiting.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable

from channels.layers import BaseChannelLayer
from PIL import Image

from drawings import protocol
from drawings.protocol import PREVIEW_CHANNEL, PreviewRequest
from drawings.worker.pictures import draw_previews, preview_urls
from drawings.worker.scheduling import Once, Pipeline
from drawings.worker.threads import WorkerThreads
from inference.serving.registry import RegistryError
from inference.serving.runtime import get_runtime

logger = logging.getLogger(__name__)


class PreviewDesk:
    """The previews' side of one worker: the latest request of each socket, and their rounds."""

    def __init__(
        self,
        channel_layer: BaseChannelLayer,
        pipeline: Pipeline,
        threads: WorkerThreads,
        *,
        saturated: Callable[[], bool],
    ) -> None:
        self.channel_layer = channel_layer
        self.pipeline = pipeline
        self.threads = threads
        self.saturated = saturated  # children's pictures come first
        self.waiting: dict[str, PreviewRequest] = {}  # reply channel -> latest
        self.running: set[asyncio.Task[None]] = set()
        self.drawn = 0

    async def listen(self) -> None:
        """Keep each socket's latest preview request (an older one is dropped: stale)."""
        async for message in protocol.receive_forever(self.channel_layer, PREVIEW_CHANNEL):
            request = PreviewRequest.from_message(message)
            if request is None:
                continue
            if self.saturated():
                await self.tell(request, protocol.preview_busy(request.seq, protocol.SATURATED))
                continue
            self.waiting.pop(request.reply, None)  # re-inserted last: oldest first stays fair
            self.waiting[request.reply] = request
            self.pipeline.work.set()

    async def take(self, batch_size: int) -> list[PreviewRequest]:
        """Up to ``batch_size`` waiting requests, oldest first; stale ones are answered busy
        and dropped (the child drew on meanwhile; the page sends it again)."""
        now = time.time()
        for reply, request in list(self.waiting.items()):
            if request.stale(now):
                del self.waiting[reply]
                await self.tell(request, protocol.preview_busy(request.seq, protocol.STALE))
        taken = list(self.waiting.values())[:batch_size]
        for request in taken:
            del self.waiting[request.reply]
        return taken

    def start(self, wanted: list[PreviewRequest]) -> None:
        """Draw a round of previews in the background (entered holding the pipeline's slots)."""
        task = asyncio.create_task(self.run(wanted), name="previews")
        self.running.add(task)
        task.add_done_callback(self.running.discard)

    async def run(self, wanted: list[PreviewRequest]) -> None:
        """Draw previews on the fast path and answer each socket; nothing is stored or paid.
        Entered holding the generator and a pipeline slot, like a batch."""
        free_generator = Once(self.pipeline.generator_free.release)
        try:
            groups: dict[str, list[PreviewRequest]] = defaultdict(list)
            for request in wanted:
                try:
                    groups[get_runtime().active_card_for(request.category).name].append(request)
                except RegistryError:
                    busy = protocol.preview_busy(request.seq, protocol.NO_GENERATOR)
                    await self.tell(request, busy)
            drawn: list[tuple[PreviewRequest, Image.Image]] = []
            for name, group in groups.items():
                try:
                    pictures = await self.threads.on_generator(draw_previews, name, group)
                except Exception:
                    logger.exception("previews failed on %s", name)
                    continue
                drawn.extend(zip(group, pictures, strict=True))
            free_generator()
            urls = await self.threads.on_encoder(preview_urls, [p for _, p in drawn])
            for (request, _), url in zip(drawn, urls, strict=True):
                await self.tell(request, protocol.preview_ready(request.seq, url))
            self.drawn += len(drawn)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("preview batch failed")
        finally:
            free_generator()
            self.pipeline.room.release()

    async def tell(self, request: PreviewRequest, answer: dict[str, object]) -> None:
        """Answer the socket that asked (it may have gone: then nobody hears it)."""
        try:
            await self.channel_layer.send(request.reply, answer)
        except Exception:
            logger.debug("could not answer preview %s", request.reply, exc_info=True)
