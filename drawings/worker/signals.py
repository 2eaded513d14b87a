"""Awaitable news of a worker's own progress: "a batch finished", "a reaper pass finished".

A :class:`Milestones` counts what happened; anyone may wait for the next one, or for a condition
checked after each one — so a test (or the load test) waits on the worker, not on a clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class Milestones:
    """A count that only grows, with waiters for its next step."""

    def __init__(self) -> None:
        self.count = 0
        self._waiters: list[asyncio.Future[None]] = []

    def reached(self) -> None:
        """One more happened: wake everyone waiting."""
        self.count += 1
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def after(self, seen: int) -> int:
        """Wait until the count passes ``seen``; the count then."""
        while self.count <= seen:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            await waiter
        return self.count

    async def until(self, check: Callable[[], Awaitable[bool]], *, within: float) -> bool:
        """Wait until ``check()`` is true, asking it now and after each step; False when
        ``within`` seconds pass first. No step is missed between a check and the wait."""
        try:
            async with asyncio.timeout(within):
                while True:
                    seen = self.count
                    if await check():
                        return True
                    await self.after(seen)
        except TimeoutError:
            return False
