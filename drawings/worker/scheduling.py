"""Scheduling: wake-ups in, batches through the pipeline.

Drawing ids arrive on the ``inference`` channel and wait in a queue. When the generator is free,
a batch takes every id waiting (up to ``INFERENCE_BATCH_SIZE``): an idle worker draws a lone
child's sketch at once; only while an earlier batch is still being finished does a forming batch
wait a few milliseconds more (``INFERENCE_BATCH_WINDOW_MS``) to fill. A batch is claimed
(``lifecycle.claim_drawings``, two queries), drawn (one generator call per generator, whatever
the categories in it), encoded and finished (``lifecycle.finish_drawings``: one transaction for
the batch) — while the next batch is already claimed and drawing.

At most ``MAX_BATCHES_IN_FLIGHT`` batches are in the pipeline at once (one drawing, one
finishing): a batch (or a round of previews) holds a :class:`Pipeline` slot from the moment it is
formed, and the generator until its pictures are drawn. Every batch that leaves the pipeline —
finished, given back or failed — is announced on :attr:`Batches.finished`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from channels.layers import BaseChannelLayer

from drawings import lifecycle, protocol
from drawings.protocol import INFERENCE_CHANNEL
from drawings.worker.pictures import Drawn, draw_claims, encode_pictures
from drawings.worker.signals import Milestones
from drawings.worker.threads import WorkerThreads
from inference.serving.registry import RegistryError
from inference.serving.runtime import get_runtime

# Batches in the pipeline at once: one drawing on the generator, one being encoded and finished.
MAX_BATCHES_IN_FLIGHT = 2

logger = logging.getLogger(__name__)


class Once:
    """Calls ``action`` the first time it is called, never again (a slot is given up once)."""

    def __init__(self, action: Callable[[], None]) -> None:
        self._action: Callable[[], None] | None = action

    def __call__(self) -> None:
        action, self._action = self._action, None
        if action is not None:
            action()


class Pipeline:
    """The slots a batch or a round of previews holds: a place in the pipeline, the generator."""

    def __init__(self) -> None:
        self.generator_free = asyncio.Semaphore(1)
        self.room = asyncio.Semaphore(MAX_BATCHES_IN_FLIGHT)
        self.work = asyncio.Event()  # set when ids or previews arrive

    async def enter(self) -> None:
        """Wait for a place, then for the generator (giving the place back if cancelled)."""
        await self.room.acquire()
        try:
            await self.generator_free.acquire()
        except BaseException:
            self.room.release()
            raise

    def leave(self) -> None:
        """Give both back (a job that never started)."""
        self.generator_free.release()
        self.room.release()


class Batches:
    """The submitted drawings' side of one worker: its queue of ids and the batches it runs."""

    def __init__(
        self,
        channel_layer: BaseChannelLayer,
        pipeline: Pipeline,
        threads: WorkerThreads,
        *,
        worker_id: str,
        batch_size: int,
        batch_window: float,
        png_level: int,
    ) -> None:
        self.channel_layer = channel_layer
        self.pipeline = pipeline
        self.threads = threads
        self.worker_id = worker_id
        self.batch_size = batch_size
        self.batch_window = batch_window
        self.png_level = png_level
        self.pending: asyncio.Queue[int] = asyncio.Queue()
        self.in_flight: set[asyncio.Task[None]] = set()
        self.holding = 0  # batches between claim and finish: their rows need heartbeats
        self.finished = Milestones()
        self.run_count = 0
        # How many drawings each batch claimed (size -> batches): the load test reads it.
        self.sizes: Counter[int] = Counter()

    async def listen(self) -> None:
        """Queue the ids of every wake-up (a malformed one is logged and dropped)."""
        async for message in protocol.receive_forever(self.channel_layer, INFERENCE_CHANNEL):
            ids = protocol.read_wake(message)
            if ids is None:
                logger.warning("ignored a wake-up that is not a list of ids: %r", message)
                continue
            for drawing_id in ids:
                self.pending.put_nowait(drawing_id)
            self.pipeline.work.set()

    async def next_batch(self) -> list[int]:
        """Every id waiting, up to the batch size; no wait when idle (see the module doc)."""
        first = await self.pending.get()
        batch = [first]
        while len(batch) < self.batch_size and not self.pending.empty():
            batch.append(self.pending.get_nowait())
        if len(batch) < self.batch_size and self.in_flight and self.batch_window > 0:
            # Busy: an earlier batch is still finishing, so more children are likely waiting.
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.batch_window
            while len(batch) < self.batch_size:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self.pending.get(), timeout=remaining))
                except TimeoutError:
                    break
        return list(dict.fromkeys(batch))

    def start(self, drawing_ids: list[int]) -> None:
        """Run a batch in the background (entered holding the pipeline's slots)."""
        task = asyncio.create_task(self.run(drawing_ids), name="inference-batch")
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)

    async def run(self, drawing_ids: list[int]) -> None:
        """One batch through the pipeline. Entered holding the generator and a pipeline slot;
        gives the generator up as soon as its pictures are drawn."""
        free_generator = Once(self.pipeline.generator_free.release)
        self.holding += 1
        try:
            claims = await self.threads.db(
                lifecycle.claim_drawings, drawing_ids=drawing_ids, worker_id=self.worker_id
            )
            if not claims:
                return
            drawn = [
                result
                for name, group in (await self._by_generator(claims)).items()
                if (result := await self._draw_group(name, group)) is not None
            ]
            free_generator()  # the next batch draws while this one is encoded and finished
            self.sizes[len(claims)] += 1
            if drawn:
                pictures = await self.threads.on_encoder(self._encode, drawn)
                await self.threads.db(lifecycle.finish_drawings, pictures=pictures)
            self.run_count += 1
        except asyncio.CancelledError:
            raise
        except Exception:  # a bad batch must not stop the worker; the reaper retries
            logger.exception("inference batch %s failed", drawing_ids)
        finally:
            free_generator()
            self.holding -= 1
            self.pipeline.room.release()
            self.finished.reached()

    async def _by_generator(
        self, claims: list[lifecycle.Claim]
    ) -> dict[str, list[lifecycle.Claim]]:
        """The batch grouped by the generator serving each category; a category no generator
        draws fails for good (the sketch stays safe), and so do new colours its generator cannot
        paint."""
        groups: dict[str, list[lifecycle.Claim]] = defaultdict(list)
        runtime = get_runtime()
        for claim in claims:
            try:
                # Cards are read once per process; a miss re-reads the directory once.
                card = runtime.active_card_for(claim.drawing.category)
            except RegistryError:
                logger.warning("no generator for category %r", claim.drawing.category)
                await self._give_back(
                    claim, permanent=True, message=lifecycle.FRIENDLY_NO_GENERATOR
                )
                continue
            if claim.variant and not card.architecture_kind.makes_variants:
                # The generator serving the category changed since the child asked: the picture
                # stays as it was, the new colours are given up (a pix2pix draws one picture).
                await self._give_back(
                    claim, permanent=True, message=lifecycle.FRIENDLY_NO_NEW_COLOURS
                )
                continue
            groups[card.name].append(claim)
        return groups

    async def _draw_group(self, name: str, claims: list[lifecycle.Claim]) -> Drawn | None:
        try:
            started = time.perf_counter()
            pictures = await self.threads.on_generator(draw_claims, name, claims)
            elapsed_ms = round((time.perf_counter() - started) * 1000 / max(1, len(claims)))
        except Exception:
            logger.exception("generator %s failed on %d drawing(s)", name, len(claims))
            for claim in claims:
                await self._give_back(claim)
            return None
        return Drawn(name, claims, pictures, elapsed_ms)

    def _encode(self, drawn: list[Drawn]) -> list[lifecycle.Picture]:
        return encode_pictures(drawn, png_level=self.png_level)

    async def _give_back(self, claim: lifecycle.Claim, **kwargs: Any) -> None:
        await self.threads.db(lifecycle.give_back_drawing, claim=claim, **kwargs)
