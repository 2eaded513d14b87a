"""The worker itself: its jobs wired together and the loop that hands the generator out."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from channels.layers import BaseChannelLayer, get_channel_layer
from django.conf import settings

from drawings import lifecycle
from drawings.protocol import PreviewRequest
from drawings.worker.maintenance import Maintenance
from drawings.worker.pictures import measured_batch_size, warm_up
from drawings.worker.previews import PreviewDesk
from drawings.worker.scheduling import Batches, Pipeline
from drawings.worker.signals import Milestones
from drawings.worker.threads import WorkerThreads
from drawings.worker_identity import new_worker_id
from inference.serving.loaded_generator import UNMEASURED_BATCH
from inference.serving.runtime import get_runtime

# How long a stopping worker lets its batches in flight finish before cancelling them.
STOP_GRACE_SECONDS = 5.0

logger = logging.getLogger(__name__)


class InferenceWorker:
    """Consumes wake-ups from the channel layer and turns sketches into pictures."""

    def __init__(
        self,
        channel_layer: BaseChannelLayer | None = None,
        *,
        batch_size: int | None = None,
        batch_window_ms: int | None = None,
        reaper_interval: float | None = None,
        heartbeat_interval: float | None = None,
        warm_up: bool | None = None,
    ) -> None:
        self.channel_layer = channel_layer or get_channel_layer()
        self.batch_size = batch_size or settings.INFERENCE_BATCH_SIZE
        # 0: measured at start-up (when warming up), on the machine this worker runs on.
        self.measure_batch = self.batch_size == 0
        self.batch_size = self.batch_size or UNMEASURED_BATCH
        self.batch_window = (
            batch_window_ms if batch_window_ms is not None else settings.INFERENCE_BATCH_WINDOW_MS
        ) / 1000
        self.warm_up = warm_up if warm_up is not None else settings.INFERENCE_WARM_UP
        self.worker_id = new_worker_id()
        self.threads = WorkerThreads()
        self.pipeline = Pipeline()
        self.batches = Batches(
            self.channel_layer,
            self.pipeline,
            self.threads,
            worker_id=self.worker_id,
            batch_size=self.batch_size,
            batch_window=self.batch_window,
            png_level=settings.INFERENCE_PNG_COMPRESS_LEVEL,
        )
        self.previews = PreviewDesk(
            self.channel_layer,
            self.pipeline,
            self.threads,
            saturated=lambda: self.batches.pending.qsize() >= 2 * self.batch_size,
        )
        self.maintenance = Maintenance(
            self.threads,
            worker_id=self.worker_id,
            reaper_interval=(
                reaper_interval
                if reaper_interval is not None
                else settings.INFERENCE_REAPER_INTERVAL_SECONDS
            ),
            heartbeat_interval=(
                heartbeat_interval
                if heartbeat_interval is not None
                else settings.INFERENCE_HEARTBEAT_SECONDS
            ),
            holding=lambda: self.batches.holding,
        )

    @property
    def batch_finished(self) -> Milestones:
        """Announces every batch that leaves the pipeline (finished, given back or failed)."""
        return self.batches.finished

    @property
    def reaper_passes(self) -> Milestones:
        """Announces every finished reaper pass (its sweep included)."""
        return self.maintenance.passes

    @property
    def batch_sizes(self) -> dict[int, int]:
        """How many drawings each batch claimed (size -> batches): the load test reads it."""
        return self.batches.sizes

    @property
    def batches_run(self) -> int:
        return self.batches.run_count

    @property
    def previews_drawn(self) -> int:
        return self.previews.drawn

    async def run(self) -> None:
        """Run until cancelled."""
        await self._warm_up()
        logger.info(
            "inference worker %s started (batch %d, window %.0f ms under load, reaper every "
            "%.1f s)",
            self.worker_id,
            self.batch_size,
            self.batch_window * 1000,
            self.maintenance.reaper_interval,
        )
        tasks = [
            asyncio.create_task(self.batches.listen(), name="inference-listen"),
            asyncio.create_task(self.previews.listen(), name="inference-previews"),
            asyncio.create_task(self.maintenance.reap_forever(), name="inference-reaper"),
            asyncio.create_task(self.maintenance.beat_forever(), name="inference-heartbeat"),
        ]
        try:
            while True:
                await self.pipeline.enter()
                try:
                    batch, wanted = await self.next_job()
                except BaseException:
                    self.pipeline.leave()
                    raise
                if batch:
                    self.batches.start(batch)
                else:  # previews: only ever when no submitted drawing waits
                    self.previews.start(wanted)
        finally:
            for task in tasks:
                task.cancel()
            await self._let_batches_finish()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            self.threads.close()

    async def next_job(self) -> tuple[list[int], list[PreviewRequest]]:
        """The next thing for the generator: a batch of submitted drawings whenever one waits,
        else the waiting previews (never both)."""
        while True:
            if not self.batches.pending.empty():
                return await self.batches.next_batch(), []
            taken = await self.previews.take(self.batch_size)
            if taken:
                return [], taken
            self.pipeline.work.clear()
            if self.batches.pending.empty() and not self.previews.waiting:
                await self.pipeline.work.wait()

    async def process(self, drawing_ids: list[int]) -> None:
        """Claim, draw and finish one batch, waiting for the generator like any batch."""
        await self.pipeline.room.acquire()
        await self.pipeline.generator_free.acquire()
        await self.batches.run(drawing_ids)

    async def reap_once(self, *, resend_all_queued: bool = False) -> lifecycle.Reaped:
        """One reaper pass (see ``drawings.worker.maintenance``)."""
        return await self.maintenance.reap_once(resend_all_queued=resend_all_queued)

    async def sweep_once(self) -> list[str]:
        """Delete stored files no drawing refers to, older than the grace period."""
        return await self.maintenance.sweep_once()

    async def _warm_up(self) -> None:
        """Load every generator (onto the GPU with INFERENCE_DEVICE=cuda, where they stay) and
        draw blank batches of each size this worker forms."""
        if not self.warm_up and get_runtime().device.type != "cuda":
            return
        if self.warm_up and self.measure_batch:
            try:
                measured = await self.threads.on_generator(measured_batch_size)
            except Exception:  # keep the unmeasured batch: a worker that draws beats none
                logger.exception("measuring the batch size failed")
                measured = None
            if measured is not None:
                self.batch_size = self.batches.batch_size = measured
        try:
            warmed = await self.threads.on_generator(
                lambda: warm_up(self.batch_size, blank_batches=self.warm_up)
            )
            for name, seconds in warmed:
                logger.info("warmed %s at batch 1-%d in %.1f s", name, self.batch_size, seconds)
        except Exception:  # a generator that cannot load fails its drawings, not the worker
            logger.exception("warming the generators failed")

    async def _let_batches_finish(self) -> None:
        if not self.batches.in_flight:
            return
        pending = list(self.batches.in_flight)
        _, late = await asyncio.wait(pending, timeout=STOP_GRACE_SECONDS)
        for task in late:  # their rows are taken back by the next reaper (stale heartbeat)
            task.cancel()
        for task in late:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
