"""The Redis channel layer as the site configures it (``make pytest-production``)."""

from __future__ import annotations

import asyncio
import time

import pytest
from channels.layers import get_channel_layer
from django.conf import settings

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL, reason="needs Redis: set REDIS_URL (make pytest-production does)"
)


# Redis blocks for real seconds, which no fake clock moves: the test waits them out.
@pytest.mark.slow
async def test_a_socket_waiting_longer_than_the_blocking_read_is_not_cut_off() -> None:
    # channels_redis blocks 5 s on an idle channel; redis-py's own default socket timeout is
    # also 5 s, which used to win and raise TimeoutError inside every quiet socket's consumer.
    layer = get_channel_layer()
    channel = await layer.new_channel()

    async def later() -> None:
        await asyncio.sleep(6.5)
        await layer.send(channel, {"type": "late.news"})

    sender = asyncio.create_task(later())
    started = time.monotonic()
    message = await asyncio.wait_for(layer.receive(channel), timeout=20)
    await sender
    assert message == {"type": "late.news"}
    assert time.monotonic() - started >= 6
