"""The Redis channel layer's readers end when they are cancelled, even when redis-py loses it."""

from __future__ import annotations

import asyncio
import random
import time

import pytest
from channels_redis.core import RedisChannelLayer
from django.conf import settings as site_settings

from icanvas_site.channel_layer import CancellableRedisChannelLayer

POP_SECONDS = 0.6  # channels_redis blocks 5 s in a pop; a reader that ended at once took far less


async def test_a_reader_whose_cancellation_redis_py_swallowed_still_ends(monkeypatch) -> None:
    swallowed: list[bool] = []
    pops: list[asyncio.Task | None] = []
    popping = asyncio.Event()

    async def pop_that_swallows_one_cancellation(self, index, channel, timeout):
        pops.append(asyncio.current_task())
        popping.set()
        try:
            await asyncio.Event().wait()  # a blocking pop that nothing ever answers
        except asyncio.CancelledError:
            if swallowed:
                raise
            # What Python 3.11's wait_for does when a cancellation lands as a command completes:
            # the CancelledError never reaches the caller, the blocking read goes on.
            swallowed.append(True)
            await asyncio.Event().wait()
        # Nothing popped (None): channels_redis pops again, for ever.

    monkeypatch.setattr(RedisChannelLayer, "_brpop_with_clean", pop_that_swallows_one_cancellation)
    layer = CancellableRedisChannelLayer(hosts=["redis://127.0.0.1:1"])  # never connected to
    reader = asyncio.ensure_future(layer.receive(await layer.new_channel()))
    await asyncio.wait_for(popping.wait(), timeout=5)  # the reader is inside its pop
    reader.cancel()
    cancelled_at = time.monotonic()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(reader, timeout=5)
    assert time.monotonic() - cancelled_at < POP_SECONDS / 2  # the read was not waited out
    assert (
        swallowed and len(pops) == 1 and pops[0] is not None and pops[0].cancelled()
    )  # and no pop is left running


@pytest.mark.skipif(
    not site_settings.REDIS_URL, reason="needs Redis: set REDIS_URL (make pytest-production does)"
)
async def test_readers_cancelled_at_any_moment_end_at_once_on_real_redis(settings) -> None:
    hosts = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]  # with the site's socket timeout
    layer = CancellableRedisChannelLayer(hosts=hosts, prefix="test-cancel")
    slowest = 0.0
    try:
        for _ in range(300):
            reader = asyncio.ensure_future(layer.receive(await layer.new_channel()))
            await asyncio.sleep(random.uniform(0, 0.004))  # into eval, BZPOPMIN's send or its read
            reader.cancel()
            started = time.monotonic()
            done, _ = await asyncio.wait({reader}, timeout=7)
            assert done, "a cancelled reader kept reading"
            slowest = max(slowest, time.monotonic() - started)
        # A reader that waited out its pop would take the whole pop (channels_redis blocks 5 s);
        # one that ends at once takes milliseconds, up to a few hundred on a loaded CI machine
        # (0.51 s was seen), so the bound sits well between the two.
        assert slowest < 2.0
        # A message sent after all that still arrives.
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "after.cancels"})
        assert await asyncio.wait_for(layer.receive(channel), 5) == {"type": "after.cancels"}
    finally:
        await layer.flush()
        await layer.close_pools()
