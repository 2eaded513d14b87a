"""The Redis channel layer, with cancellation that always arrives.

On Python 3.11 ``asyncio.wait_for`` returns the inner result and drops a cancellation that lands
in the same turn as that result (fixed in 3.12, gh-86296). redis-py sends every command through
``wait_for``, and channels_redis reads a channel in a loop of 5 s blocking pops, so a socket's
reader cancelled at that moment (the socket closed, the server stopping) never ended: it polled
Redis every 5 s for a consumer that was gone, and an event loop closing waited for it forever.

Here the pop runs as a task of its own that the reader waits for with ``asyncio.wait``, which
can't lose a cancellation. A cancelled reader cancels its pop, and again every 50 ms until it has
ended: the second cancellation lands in the blocking read, where redis-py drops the connection and
Redis the pop. Nothing is left popping for a consumer that is gone, which matters because every
socket of a process reads through one shared Redis list: a stray pop would take another child's
news into its backup queue and hold it there for up to 5 s.
"""

from __future__ import annotations

import asyncio
from typing import Any

from channels_redis.core import RedisChannelLayer

RECANCEL_EVERY = 0.05
RECANCEL_FOR = 5.0  # a pop that outlives this is left to end by itself


async def cancel_until_done(task: asyncio.Task[Any]) -> None:
    """Cancel ``task`` until it has ended (a swallowed cancellation is sent again).

    Called by a reader that is being cancelled: a further cancellation of the reader (an event
    loop closing cancels every task, the reader's consumer cancels it too) does not cut this
    short, it is raised once the pop has ended.
    """
    cancelled_again = False
    for _ in range(int(RECANCEL_FOR / RECANCEL_EVERY)):
        if task.done():
            break
        task.cancel()
        try:
            await asyncio.wait({task}, timeout=RECANCEL_EVERY)
        except asyncio.CancelledError:
            cancelled_again = True
    task.add_done_callback(_retrieve)
    if cancelled_again:
        raise asyncio.CancelledError


def _retrieve(task: asyncio.Task[Any]) -> None:
    """Read a cancelled pop's outcome: its reader has left, so nobody else will."""
    if not task.cancelled():
        task.exception()


class CancellableRedisChannelLayer(RedisChannelLayer):
    # channels_redis' own signature: its timeout is the Redis pop's, not an asyncio deadline.
    async def _brpop_with_clean(self, index: int, channel: str, timeout: float) -> Any:  # noqa: ASYNC109
        pop = asyncio.ensure_future(super()._brpop_with_clean(index, channel, timeout))
        try:
            await asyncio.wait({pop})
        except asyncio.CancelledError:
            # A message the pop took meanwhile stays in the channel's backup queue, which the
            # next read of the channel puts back first, as for any cancelled read.
            await cancel_until_done(pop)
            raise
        return pop.result()
