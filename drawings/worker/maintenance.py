"""Maintenance: the reaper, the stored-file sweep and the heartbeat of one worker.

A reaper pass (``lifecycle.reap_drawings``) runs every few seconds and re-wakes rows whose
message or worker was lost; the first, at start-up, re-sends every queued row and takes back the
rows of a worker of this host that was killed (``kill -9``) instead of waiting out their lease.
Every hour or so a pass also deletes stored files no drawing refers to
(``erasure.sweep_unreferenced_files``). While the worker holds claimed rows it renews their
heartbeat, so a slow picture is never taken for a dead worker's. Every finished pass is announced
on :attr:`Maintenance.passes`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings

from drawings import lifecycle
from drawings.erasure import sweep_unreferenced_files
from drawings.worker.signals import Milestones
from drawings.worker.threads import WorkerThreads

logger = logging.getLogger(__name__)


class Maintenance:
    """The reaper, the sweep and the heartbeat, each on its own schedule."""

    def __init__(
        self,
        threads: WorkerThreads,
        *,
        worker_id: str,
        reaper_interval: float,
        heartbeat_interval: float,
        holding: Callable[[], int],
    ) -> None:
        self.threads = threads
        self.worker_id = worker_id
        self.reaper_interval = reaper_interval
        self.heartbeat_interval = heartbeat_interval
        self.holding = holding  # how many batches hold claimed rows now
        self.passes = Milestones()
        self._next_sweep = 0.0  # loop time; the first reaper pass sweeps

    async def reap_forever(self) -> None:
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
            self.passes.reached()
            await asyncio.sleep(self.reaper_interval)

    async def reap_once(self, *, resend_all_queued: bool = False) -> lifecycle.Reaped:
        """One reaper pass: wake lost rows, take back dead workers' rows, fail rows out of
        attempts (the lifecycle tells)."""
        return await self.threads.db(lifecycle.reap_drawings, resend_all_queued=resend_all_queued)

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
        return await self.threads.db(sweep_unreferenced_files, older_than=grace)

    async def beat_forever(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_interval)
            if not self.holding():
                continue
            try:
                await self.threads.db(lifecycle.renew_heartbeat, worker_id=self.worker_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("heartbeat failed; retrying", exc_info=True)
