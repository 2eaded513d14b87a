"""A child at work: its socket (``Authorization: Bearer``), submitting and waiting for the
``drawing.status`` event, Peek previews, pauses between drawings.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from .families import ChildSession
from .figures import percentile, rounded
from .sketches import small_sketches


@dataclass
class Sample:
    child: int
    category: str
    submitted: float  # perf_counter before the POST
    answered: float | None = None  # the POST's answer
    event: float | None = None  # the done/failed event on the socket
    drawing_id: int | None = None
    status: str = ""
    started_at: str | None = None
    error: str = ""


class Socket:
    """One child's socket: remembers when each drawing's final event came (even one that
    arrives before the POST's answer), and pings as the page does (the server closes a socket
    silent for ``WS_IDLE_TIMEOUT``)."""

    PING_EVERY = 20.0
    PREVIEW_EVERY = 0.5  # as the canvas's Peek sends while the sketch changes

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.final: dict[int, tuple[float, dict[str, Any]]] = {}
        self.waiters: dict[int, asyncio.Future[None]] = {}
        self.closed: str = ""  # why the socket ended, once it has
        self.task = asyncio.create_task(self._read())
        self.pinger = asyncio.create_task(self._ping())
        # Peek: seq -> when it was sent; latencies (ms) of the previews shown; busy answers.
        self.preview_sent: dict[int, float] = {}
        self.preview_ms: list[float] = []
        self.preview_busy: Counter[str] = Counter()
        self.previewer: asyncio.Task[None] | None = None

    def start_previews(self, sketches: Sequence[str], category: str) -> None:
        """Send a preview every PREVIEW_EVERY seconds (the sketches are PNG data URLs)."""
        self.previewer = asyncio.create_task(self._preview(sketches, category))

    def stop_previews(self) -> None:
        if self.previewer is not None:
            self.previewer.cancel()

    async def _preview(self, sketches: Sequence[str], category: str) -> None:
        seq = 0
        with contextlib.suppress(Exception):
            while True:
                seq += 1
                message = {
                    "type": "preview",
                    "seq": seq,
                    "category": category,
                    "sketch": sketches[seq % len(sketches)],
                }
                self.preview_sent[seq] = time.perf_counter()
                await self.connection.send(json.dumps(message))
                await asyncio.sleep(self.PREVIEW_EVERY)

    async def _read(self) -> None:
        try:
            async for raw in self.connection:
                message = json.loads(raw)
                if message.get("type") == "preview":
                    sent = self.preview_sent.pop(int(message.get("seq") or 0), None)
                    if sent is not None:
                        self.preview_ms.append((time.perf_counter() - sent) * 1000)
                    continue
                if message.get("type") == "preview.busy":
                    self.preview_busy[str(message.get("reason"))] += 1
                    continue
                if message.get("type") != "drawing.status":
                    continue
                drawing = message["drawing"]
                if drawing.get("status") not in ("done", "failed"):
                    continue
                arrived = time.perf_counter()
                self.final.setdefault(int(drawing["id"]), (arrived, drawing))
                waiter = self.waiters.pop(int(drawing["id"]), None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(None)
            self.closed = f"closed by the server ({self.connection.close_code})"
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.closed = f"socket error {type(exc).__name__}"
        for waiter in self.waiters.values():
            if not waiter.done():
                waiter.set_result(None)

    async def _ping(self) -> None:
        with contextlib.suppress(Exception):
            while True:
                await asyncio.sleep(self.PING_EVERY)
                await self.connection.send(json.dumps({"type": "ping"}))

    async def wait(self, drawing_id: int, timeout: float) -> tuple[float, dict[str, Any]] | None:
        if drawing_id not in self.final and not self.closed:
            waiter = asyncio.get_running_loop().create_future()
            self.waiters[drawing_id] = waiter
            try:
                await asyncio.wait_for(waiter, timeout)
            except TimeoutError:
                return None
            finally:
                self.waiters.pop(drawing_id, None)
        return self.final.get(drawing_id)

    async def close(self) -> None:
        self.stop_previews()
        for task in (self.pinger, self.task):
            task.cancel()
        with contextlib.suppress(Exception):
            await self.connection.close()
        for task in (self.pinger, self.task):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def submit_and_wait(
    client: httpx.AsyncClient,
    *,
    session: ChildSession,
    socket: Socket,
    sketch: bytes,
    category: str,
    timeout: float,
) -> Sample:
    sample = Sample(child=session.index, category=category, submitted=time.perf_counter())
    try:
        answer = await client.post(
            session.api_url + "/api/v1/drawings/",
            headers={"Authorization": f"Bearer {session.token}"},
            data={"category": category, "client_id": uuid.uuid4().hex},
            files={"sketch": ("sketch.png", sketch, "image/png")},
        )
    except httpx.HTTPError as exc:
        sample.error = f"POST {type(exc).__name__}"
        return sample
    sample.answered = time.perf_counter()
    if answer.status_code not in (200, 201):
        code = ""
        with contextlib.suppress(ValueError, KeyError, TypeError):
            code = str(answer.json()["code"])
        sample.error = f"HTTP {answer.status_code} {code}".strip()
        return sample
    sample.drawing_id = int(answer.json()["id"])
    final = await socket.wait(sample.drawing_id, timeout)
    if final is None:
        sample.error = socket.closed or "timeout waiting for the event"
        return sample
    sample.event, drawing = final
    sample.status = str(drawing["status"])
    sample.started_at = drawing.get("started_at")
    if sample.status != "done":
        sample.error = f"drawing {sample.status}"
    return sample


async def run_child(
    client: httpx.AsyncClient,
    session: ChildSession,
    socket: Socket,
    *,
    sketches: Sequence[bytes],
    categories: Sequence[str],
    count: int,
    timeout: float,
    stop_at: float,
    think: Callable[[], float] | None = None,
) -> list[Sample]:
    samples = []
    for k in range(count):
        if time.perf_counter() > stop_at:
            break
        sketch = sketches[(session.index * 7 + k) % len(sketches)]
        category = categories[(session.index + k) % len(categories)]
        samples.append(
            await submit_and_wait(
                client,
                session=session,
                socket=socket,
                sketch=sketch,
                category=category,
                timeout=timeout,
            )
        )
        if think is not None:
            await asyncio.sleep(think())
    return samples


async def open_sockets(sessions: Sequence[ChildSession]) -> list[Socket]:
    connections = await asyncio.gather(
        *(
            connect(
                s.ws_url,
                additional_headers={"Authorization": f"Bearer {s.token}"},
                open_timeout=30,
                max_size=1 << 20,
            )
            for s in sessions
        )
    )
    return [Socket(c) for c in connections]


def start_previews(
    sessions: Sequence[ChildSession],
    sockets: Sequence[Socket],
    pool: Sequence[bytes],
    category: str,
) -> None:
    """Each child's socket sends a Peek preview every 0.5 s, from its own place in the pool."""
    urls = [
        "data:image/png;base64," + base64.b64encode(p).decode("ascii") for p in small_sketches(pool)
    ]
    for session, sock in zip(sessions, sockets, strict=True):
        sock.start_previews(urls[session.index :] + urls[: session.index], category)


def preview_summary(sockets: Sequence[Socket]) -> dict[str, Any]:
    """How many previews were sent, shown and answered busy, and sent -> shown latency."""
    shown = [ms for sock in sockets for ms in sock.preview_ms]
    busy: Counter[str] = Counter()
    for sock in sockets:
        busy.update(sock.preview_busy)
    return {
        "sent": sum(len(sock.preview_ms) + len(sock.preview_sent) for sock in sockets),
        "shown": len(shown),
        "busy": dict(busy),
        "sent_to_shown_ms": {
            "p50": rounded(percentile(shown, 50)),
            "p95": rounded(percentile(shown, 95)),
            "max": rounded(max(shown) if shown else None),
        },
    }


def thinking(mean: float, seed: int) -> Callable[[], float] | None:
    """A child's pauses between submissions: uniform in [0.5, 1.5] x ``mean`` (None: none)."""
    if mean <= 0:
        return None
    rng = random.Random(seed)
    return lambda: rng.uniform(0.5 * mean, 1.5 * mean)
