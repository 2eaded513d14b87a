"""A worker while Redis (the channel layer) cannot be reached: it waits longer and longer between
tries, says so in one log line instead of a traceback a try, and picks up again by itself when
Redis is back — against a real Redis server started on a free port of 127.0.0.1 only when the
test wants it up."""

from __future__ import annotations

import asyncio
import logging
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

import icanvas_site.asgi  # noqa: F401  (set up before caplog: its django.setup() resets logging)
from drawings import events, protocol
from drawings.models import DrawingStatus
from icanvas_site.channel_layer import CancellableRedisChannelLayer
from tests.factories import sketch_png
from tests.fixtures.live import make_child, running_worker, submit, wait_for_status
from tests.servers import free_port, reachable

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="needs the redis-server program"
)


@dataclass
class LateRedis:
    """A Redis that is not there until ``start()``: its address is known from the beginning."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        options = [
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        self.process = subprocess.Popen(
            ["redis-server", *options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while not reachable("127.0.0.1", self.port):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)


@pytest.fixture
def late_redis() -> Iterator[LateRedis]:
    redis = LateRedis()
    try:
        yield redis
    finally:
        if redis.process is not None:
            redis.process.terminate()
            redis.process.wait(timeout=20)


def protocol_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "drawings.protocol"]


async def test_a_reader_backs_off_while_redis_is_away_and_recovers_when_it_returns(
    late_redis: LateRedis, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="drawings.protocol")
    reading = CancellableRedisChannelLayer(hosts=[late_redis.url])
    sending = CancellableRedisChannelLayer(hosts=[late_redis.url])
    waits: list[float] = []

    async def pause(seconds: float) -> None:
        # The reader's waits are recorded, not slept; on the seventh, Redis comes back and a
        # worker's wake-up is waiting for it.
        waits.append(seconds)
        if len(waits) == 7:
            await asyncio.to_thread(late_redis.start)
            await sending.send(protocol.INFERENCE_CHANNEL, protocol.wake([7]))

    reader = protocol.receive_forever(
        reading,
        protocol.INFERENCE_CHANNEL,
        name="worker",
        backoff=protocol.Backoff(first=0.5, longest=4.0),
        pause=pause,
    )
    try:
        message = await asyncio.wait_for(anext(reader), timeout=30)
    finally:
        await reader.aclose()
        await reading.flush()
        await sending.flush()
    assert protocol.read_wake(message) == [7]
    assert waits == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0]
    lines = protocol_lines(caplog)
    assert [r.levelno for r in lines] == [logging.WARNING, logging.INFO]  # lost, then back
    assert "ConnectionError" in lines[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info], "no traceback for a known cause"


@pytest.mark.django_db(transaction=True)
async def test_a_worker_started_without_redis_draws_once_redis_is_back(
    late_redis: LateRedis,
    settings,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.INFO)
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "icanvas_site.channel_layer.CancellableRedisChannelLayer",
            "CONFIG": {"hosts": [late_redis.url]},
        }
    }
    # The readers' waits between tries are counted, not slept (a few ms each): once each of
    # the worker's two readers (drawings and previews) has waited three times, it has said its
    # warning and tried twice more, tries which must have stayed quiet.
    pauses: dict[asyncio.Task[object] | None, int] = {}
    retried = asyncio.Event()

    async def pause(seconds: float) -> None:
        task = asyncio.current_task()
        pauses[task] = pauses.get(task, 0) + 1
        if len(pauses) >= 2 and min(pauses.values()) >= 3:
            retried.set()
        await asyncio.sleep(0.005)

    defaults = protocol.receive_forever.__kwdefaults__
    assert defaults is not None
    monkeypatch.setitem(defaults, "pause", pause)
    child = await make_child()
    async with running_worker() as worker:
        await asyncio.wait_for(retried.wait(), timeout=20)
        down = protocol_lines(caplog)
        assert len(down) == 2 and all(r.levelno == logging.WARNING for r in down), down
        await asyncio.to_thread(late_redis.start)
        drawing, _ = await submit(child=child, category="face", sketch=sketch_png(), client_id="r")
        done = await wait_for_status(worker, drawing.pk, DrawingStatus.DONE, within=30)
    assert done.status == DrawingStatus.DONE
    # The drawings' reader says it is back with its first wake-up (previews have had none).
    back = [r.getMessage() for r in protocol_lines(caplog) if r.levelno == logging.INFO]
    assert back == ["channel layer: receiving on 'inference' works again"], back
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]


def test_news_a_worker_cannot_send_while_redis_is_away_is_one_line_each(
    late_redis: LateRedis, settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "icanvas_site.channel_layer.CancellableRedisChannelLayer",
            "CONFIG": {"hosts": [late_redis.url]},  # never started
        }
    }
    events.wake_workers([1, 2])
    events.send_to_child(5, protocol.drawing_status({"id": 1, "status": "done"}))
    lines = [r for r in caplog.records if r.name == "drawings.events"]
    assert len(lines) == 2 and all("Redis is unreachable" in r.getMessage() for r in lines)
    assert not [r for r in caplog.records if r.exc_info], "no traceback for a known cause"
