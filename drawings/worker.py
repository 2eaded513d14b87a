"""The inference worker: wake-ups in, pictures out.

One worker runs inside the ASGI server by default (embedded mode); in production
any number run as ``manage.py inference_worker`` processes sharing the Redis
channel layer. A worker is a small pipeline:

1. **listen**: drawing ids arrive on the ``inference`` channel and wait in a queue;
2. **form a batch**: when the generator is free, take every id waiting (up to
   ``INFERENCE_BATCH_SIZE``). An idle worker draws a lone child's sketch at once; only
   while an earlier batch is still being finished does a forming batch wait a few
   milliseconds more (``INFERENCE_BATCH_WINDOW_MS``) to fill;
3. **claim** the rows (``lifecycle.claim_drawings``, two queries per batch);
4. **draw**: one generator call per generator, whatever the categories in it (a
   conditioned generator draws each sketch as its own category), on the runtime's fast
   path, in a dedicated torch thread so the event loop — and the site — stays responsive;
5. **encode and finish**: PNG encoding in its own thread and ``lifecycle.finish_drawings``
   (one transaction for the batch: store, mark done, pay, tell the pages) — while the
   next batch is already claimed and drawing.

At most two batches are in the pipeline at once (one drawing, one finishing). A reaper
pass (``lifecycle.reap_drawings``) runs every few seconds and re-wakes rows whose
message or worker was lost. Messages are only hints: the database row is the truth.
The worker computes; every write and every event is the lifecycle's.

Each worker has an id (``drawings.worker_identity``) that its claims record, and
renews a heartbeat on the rows it holds while it draws them. Its first reaper
pass, at start-up, takes back the rows of a worker of this host that was killed
(``kill -9``) instead of waiting out their lease; every hour or so the reaper
also deletes stored files no drawing refers to (``erasure.sweep_unreferenced_files``).
At start-up it loads every generator and draws blank batches of every size it will
form (``INFERENCE_WARM_UP``), so the first child does not wait for kernels.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from channels.db import database_sync_to_async
from channels.layers import BaseChannelLayer, get_channel_layer
from django.conf import settings
from django.db import close_old_connections, connections
from PIL import Image

from drawings import lifecycle, previews
from drawings.erasure import sweep_unreferenced_files
from drawings.events import INFERENCE_CHANNEL
from drawings.models import Drawing
from drawings.worker_identity import new_worker_id
from inference.registry import RegistryError
from inference.runtime import get_runtime
from inference.sketch_files import encode_png

# Batches in the pipeline at once: one drawing on the generator, one being encoded and finished.
MAX_BATCHES_IN_FLIGHT = 2
# How long a stopping worker lets its batches in flight finish before cancelling them.
STOP_GRACE_SECONDS = 5.0

logger = logging.getLogger(__name__)
T = TypeVar("T")


def _load_sketch(drawing: Drawing) -> Image.Image:
    with drawing.sketch.open("rb") as handle:
        data = handle.read()
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB")


@dataclass
class _Drawn:
    """One generator call's output: the claims it drew, their pictures, ms per picture."""

    generator_name: str
    claims: list[lifecycle.Claim]
    pictures: list[Image.Image]
    ms_per_picture: int


class _Once:
    """Calls ``action`` the first time it is called, never again (a slot is given up once)."""

    def __init__(self, action: Callable[[], None]) -> None:
        self._action: Callable[[], None] | None = action

    def __call__(self) -> None:
        action, self._action = self._action, None
        if action is not None:
            action()


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
        self.batch_window = (
            batch_window_ms if batch_window_ms is not None else settings.INFERENCE_BATCH_WINDOW_MS
        ) / 1000
        self.reaper_interval = (
            reaper_interval
            if reaper_interval is not None
            else settings.INFERENCE_REAPER_INTERVAL_SECONDS
        )
        self.heartbeat_interval = (
            heartbeat_interval
            if heartbeat_interval is not None
            else settings.INFERENCE_HEARTBEAT_SECONDS
        )
        self.warm_up = warm_up if warm_up is not None else settings.INFERENCE_WARM_UP
        self.png_level = settings.INFERENCE_PNG_COMPRESS_LEVEL
        self.worker_id = new_worker_id()
        self._holding = 0  # batches between claim and finish: their rows need heartbeats
        self._next_sweep = 0.0  # loop time; the first reaper pass sweeps
        self._pending: asyncio.Queue[int] = asyncio.Queue()
        # Torch work runs in its own thread so the event loop never waits on a picture; PNG
        # encoding in another, so the generator draws the next batch meanwhile.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inference")
        self._encoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inference-png")
        # The worker's own database thread: in the embedded server, its writes never queue
        # behind the site's sync views on Django's one shared thread (nor those behind it).
        self._database = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inference-db")
        self._generator_free = asyncio.Semaphore(1)
        self._room = asyncio.Semaphore(MAX_BATCHES_IN_FLIGHT)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._previewing: set[asyncio.Task[None]] = set()
        self._previews: dict[str, previews.PreviewRequest] = {}  # reply channel -> latest
        self._work = asyncio.Event()  # set when ids or previews arrive
        self.previews_drawn = 0
        self.batches_run = 0
        # How many drawings each batch claimed (size -> batches): the load test reads it.
        self.batch_sizes: Counter[int] = Counter()

    async def run(self) -> None:
        """Run until cancelled."""
        await self._warm_up()
        logger.info(
            "inference worker %s started (batch %d, window %.0f ms under load, reaper every "
            "%.1f s)",
            self.worker_id,
            self.batch_size,
            self.batch_window * 1000,
            self.reaper_interval,
        )
        tasks = [
            asyncio.create_task(self._listen(), name="inference-listen"),
            asyncio.create_task(self._listen_for_previews(), name="inference-previews"),
            asyncio.create_task(self._reap_forever(), name="inference-reaper"),
            asyncio.create_task(self._beat_forever(), name="inference-heartbeat"),
        ]
        try:
            while True:
                await self._room.acquire()
                try:
                    await self._generator_free.acquire()
                except BaseException:
                    self._room.release()
                    raise
                try:
                    batch, wanted = await self._next_job()
                except BaseException:
                    self._generator_free.release()
                    self._room.release()
                    raise
                if batch:
                    task = asyncio.create_task(self._run_batch(batch), name="inference-batch")
                    self._in_flight.add(task)
                    task.add_done_callback(self._in_flight.discard)
                else:  # previews: only ever when no submitted drawing waits
                    task = asyncio.create_task(self._run_previews(wanted), name="previews")
                    self._previewing.add(task)
                    task.add_done_callback(self._previewing.discard)
        finally:
            for task in tasks:
                task.cancel()
            await self._let_batches_finish()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._encoder.shutdown(wait=False, cancel_futures=True)
            self._database.submit(connections.close_all)  # its thread's connection, last
            self._database.shutdown(wait=False)

    async def _warm_up(self) -> None:
        """Load every generator (onto the GPU with INFERENCE_DEVICE=cuda, where they stay) and
        draw blank batches of each size this worker forms."""
        runtime = get_runtime()
        if not self.warm_up and runtime.device.type != "cuda":
            return
        loop = asyncio.get_running_loop()
        sizes = list(range(1, self.batch_size + 1)) if self.warm_up else []

        def warm() -> list[tuple[str, float]]:
            return [(g.card.name, g.warm_up(sizes)) for g in runtime.load_all()]

        try:
            for name, seconds in await loop.run_in_executor(self._executor, warm):
                logger.info("warmed %s at batch 1-%d in %.1f s", name, self.batch_size, seconds)
        except Exception:  # a generator that cannot load fails its drawings, not the worker
            logger.exception("warming the generators failed")

    async def _let_batches_finish(self) -> None:
        if not self._in_flight:
            return
        pending = list(self._in_flight)
        _, late = await asyncio.wait(pending, timeout=STOP_GRACE_SECONDS)
        for task in late:  # their rows are taken back by the next reaper (stale heartbeat)
            task.cancel()
        for task in late:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _messages(self, channel: str) -> AsyncIterator[dict[str, Any]]:
        """Every message on ``channel``, for ever; a failed receive is retried a second later."""
        while True:
            try:
                yield await self.channel_layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("channel layer receive failed; retrying", exc_info=True)
                await asyncio.sleep(1)

    async def _listen(self) -> None:
        async for message in self._messages(INFERENCE_CHANNEL):
            try:
                ids = [int(drawing_id) for drawing_id in message.get("ids", [])]
            except (TypeError, ValueError, AttributeError):
                logger.warning("ignored a wake-up that is not a list of ids: %r", message)
                continue
            for drawing_id in ids:
                self._pending.put_nowait(drawing_id)
            self._work.set()

    async def _listen_for_previews(self) -> None:
        """Keep each socket's latest preview request (an older one is dropped: stale)."""
        async for message in self._messages(previews.PREVIEW_CHANNEL):
            request = previews.PreviewRequest.from_message(message)
            if request is None:
                continue
            if self._pending.qsize() >= 2 * self.batch_size:  # children's pictures come first
                await self._tell(request, "preview.busy", reason="saturated")
                continue
            self._previews.pop(request.reply, None)  # re-inserted last: oldest first stays fair
            self._previews[request.reply] = request
            self._work.set()

    async def _next_job(self) -> tuple[list[int], list[previews.PreviewRequest]]:
        """The next thing for the generator: a batch of submitted drawings whenever one waits,
        else the waiting previews (never both)."""
        while True:
            if not self._pending.empty():
                return await self._next_batch(), []
            now = time.time()
            for reply, request in list(self._previews.items()):
                if request.stale(now):  # the child drew on meanwhile; the page sends it again
                    del self._previews[reply]
                    await self._tell(request, "preview.busy", reason="stale")
            if self._previews:
                taken = list(self._previews.values())[: self.batch_size]
                for request in taken:
                    del self._previews[request.reply]
                return [], taken
            self._work.clear()
            if self._pending.empty() and not self._previews:
                await self._work.wait()

    async def _next_batch(self) -> list[int]:
        """Every id waiting, up to the batch size; no wait when idle (see the module doc)."""
        first = await self._pending.get()
        batch = [first]
        while len(batch) < self.batch_size and not self._pending.empty():
            batch.append(self._pending.get_nowait())
        if len(batch) < self.batch_size and self._in_flight and self.batch_window > 0:
            # Busy: an earlier batch is still finishing, so more children are likely waiting.
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.batch_window
            while len(batch) < self.batch_size:
                remaining = deadline - loop.time()
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
            await self._sweep_when_due()
            await asyncio.sleep(self.reaper_interval)

    async def reap_once(self, *, resend_all_queued: bool = False) -> lifecycle.Reaped:
        """One reaper pass: wake lost rows, take back dead workers' rows, fail rows out of
        attempts (the lifecycle tells)."""
        return await self._db(lifecycle.reap_drawings, resend_all_queued=resend_all_queued)

    async def _sweep_when_due(self) -> None:
        loop = asyncio.get_running_loop()
        if loop.time() < self._next_sweep:
            return
        self._next_sweep = loop.time() + settings.STORED_FILES_SWEEP_EVERY_SECONDS
        try:
            await self.sweep_once()
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("stored-file sweep failed")

    async def sweep_once(self) -> list[str]:
        """Delete stored files no drawing refers to, older than the grace period."""
        grace = timedelta(minutes=settings.STORED_FILES_SWEEP_GRACE_MINUTES)
        return await self._db(sweep_unreferenced_files, older_than=grace)

    async def _beat_forever(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_interval)
            if not self._holding:
                continue
            try:
                await self._db(lifecycle.renew_heartbeat, worker_id=self.worker_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("heartbeat failed; retrying", exc_info=True)

    async def process(self, drawing_ids: list[int]) -> None:
        """Claim, draw and finish one batch, waiting for the generator like any batch."""
        await self._room.acquire()
        await self._generator_free.acquire()
        await self._run_batch(drawing_ids)

    async def _run_batch(self, drawing_ids: list[int]) -> None:
        """One batch through the pipeline. Entered holding the generator and a pipeline slot;
        gives the generator up as soon as its pictures are drawn."""
        free_generator = _Once(self._generator_free.release)
        self._holding += 1
        try:
            claims = await self._db(
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
            self.batch_sizes[len(claims)] += 1
            if drawn:
                loop = asyncio.get_running_loop()
                pictures = await loop.run_in_executor(self._encoder, self._encode, drawn)
                await self._db(lifecycle.finish_drawings, pictures=pictures)
            self.batches_run += 1
        except asyncio.CancelledError:
            raise
        except Exception:  # a bad batch must not stop the worker; the reaper retries
            logger.exception("inference batch %s failed", drawing_ids)
        finally:
            free_generator()
            self._holding -= 1
            self._room.release()

    async def _by_generator(
        self, claims: list[lifecycle.Claim]
    ) -> dict[str, list[lifecycle.Claim]]:
        """The batch grouped by the generator serving each category; a category no generator
        draws fails for good (the sketch stays safe)."""
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
            groups[card.name].append(claim)
        return groups

    async def _draw_group(self, name: str, claims: list[lifecycle.Claim]) -> _Drawn | None:
        loop = asyncio.get_running_loop()
        try:
            started = time.perf_counter()
            pictures = await loop.run_in_executor(self._executor, self._draw_sync, name, claims)
            elapsed_ms = round((time.perf_counter() - started) * 1000 / max(1, len(claims)))
        except Exception:
            logger.exception("generator %s failed on %d drawing(s)", name, len(claims))
            for claim in claims:
                await self._give_back(claim)
            return None
        return _Drawn(name, claims, pictures, elapsed_ms)

    def _draw_sync(self, generator_name: str, claims: list[lifecycle.Claim]) -> list[Image.Image]:
        try:
            sketches = [_load_sketch(claim.drawing) for claim in claims]
        finally:
            close_old_connections()
        categories = [claim.drawing.category for claim in claims]
        return get_runtime().generator(generator_name).draw(sketches, categories)

    def _encode(self, drawn: list[_Drawn]) -> list[lifecycle.Picture]:
        return [
            lifecycle.Picture(
                claim=claim,
                png=encode_png(picture, compress_level=self.png_level),
                generator_name=group.generator_name,
                inference_ms=group.ms_per_picture,
            )
            for group in drawn
            for claim, picture in zip(group.claims, group.pictures, strict=True)
        ]

    async def _run_previews(self, wanted: list[previews.PreviewRequest]) -> None:
        """Draw previews on the fast path and answer each socket; nothing is stored or paid.
        Entered holding the generator and a pipeline slot, like a batch."""
        free_generator = _Once(self._generator_free.release)
        loop = asyncio.get_running_loop()
        try:
            groups: dict[str, list[previews.PreviewRequest]] = defaultdict(list)
            for request in wanted:
                try:
                    groups[get_runtime().active_card_for(request.category).name].append(request)
                except RegistryError:
                    await self._tell(request, "preview.busy", reason="no_generator")
            drawn: list[tuple[previews.PreviewRequest, Image.Image]] = []
            for name, group in groups.items():
                try:
                    pictures = await loop.run_in_executor(
                        self._executor, self._draw_previews_sync, name, group
                    )
                except Exception:
                    logger.exception("previews failed on %s", name)
                    continue
                drawn.extend(zip(group, pictures, strict=True))
            free_generator()
            urls = await loop.run_in_executor(
                self._encoder, lambda: [previews.image_data_url(p) for _, p in drawn]
            )
            for (request, _), url in zip(drawn, urls, strict=True):
                await self._tell(request, "preview.ready", image=url)
            self.previews_drawn += len(drawn)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("preview batch failed")
        finally:
            free_generator()
            self._room.release()

    def _draw_previews_sync(
        self, generator_name: str, wanted: list[previews.PreviewRequest]
    ) -> list[Image.Image]:
        sketches = [Image.open(io.BytesIO(r.sketch_png)).convert("RGB") for r in wanted]
        categories = [r.category for r in wanted]
        return get_runtime().generator(generator_name).draw(sketches, categories)

    async def _tell(self, request: previews.PreviewRequest, kind: str, **fields: Any) -> None:
        """Answer the socket that asked (it may have gone: then nobody hears it)."""
        try:
            await self.channel_layer.send(
                request.reply, {"type": kind, "seq": request.seq, **fields}
            )
        except Exception:
            logger.debug("could not answer preview %s", request.reply, exc_info=True)

    async def _db(self, function: Callable[..., T], /, **kwargs: Any) -> T:
        """Run a lifecycle action on the worker's database thread (connections kept fresh).

        On SQLite, which takes one writer at a time anyway, it runs on Django's shared sync
        thread instead, as the site's own database work does: a second connection writing
        beside it would only meet "database is locked".
        """
        if connections["default"].vendor == "sqlite":
            return await database_sync_to_async(function)(**kwargs)

        def call() -> T:
            close_old_connections()
            try:
                return function(**kwargs)
            finally:
                close_old_connections()

        return await asyncio.get_running_loop().run_in_executor(self._database, call)

    async def _give_back(self, claim: lifecycle.Claim, **kwargs: Any) -> None:
        await self._db(lifecycle.give_back_drawing, claim=claim, **kwargs)
