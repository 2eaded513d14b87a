"""Load test: N children draw back to back over the mobile API, each waiting for its picture on
the websocket; the raw generator is timed in this process before and after, on the same path.

    .venv/bin/python scripts/loadtest.py --start embedded --children 16 --drawings-per-child 8
    .venv/bin/python scripts/loadtest.py --start scaleout --children 16 --drawings-per-child 8
    .venv/bin/python scripts/loadtest.py --base-url http://127.0.0.1:8000 --database-url sqlite:///db.sqlite3

What it does, all over HTTP with no cookie (as the phone app does):

1. signs up ``children / --children-per-family`` parents, signs each in (a knox token), adds the
   children with a PIN and consent, and gets each child a play token with the PIN;
2. opens one socket per child (``Authorization: Bearer <play token>``) and submits one warm-up
   drawing per child (not counted: the workers load the generator on their first batch);
3. times the raw generator here (``raw_rates``, ``drawers``: the very call the worker makes and
   the fast copy of the same weights, at batch sizes 1, 2, 4, 8), then the load segment: every
   child submits a sketch (``POST /api/v1/drawings/``, multipart) and waits for its
   ``drawing.status`` ``done`` event before the next, then times the raw generator again;
4. reads the batches the workers formed from the database (drawings claimed together share the
   worker id and ``started_at``; without ``--database-url`` only the events' ``started_at``).

It prints drawings/s, p50/p95/max submit→event latency, the batch sizes, the raw images/s before
and after, the serving efficiency (drawings/s ÷ raw images/s of the served path at the batch
sizes formed) and every error (non-2xx, timeouts, failed drawings); ``--json`` prints the same as
one JSON object. ``--start embedded|scaleout`` starts the servers itself (embedded: one uvicorn
on port 8043 with the worker inside, its own SQLite database and media in a temporary
directory; scaleout: ``scripts/scaleout.py``'s 2 web + 2 workers on PostgreSQL ``icanvas_load``
and Redis database 7) and raises the sign-up, sign-in, PIN and submission throttles of *those*
servers through their environment variables (``RAISED_LIMITS``), since 16 scripted children
submit far faster than real ones may. Pointed at a running server (``--base-url``), its own
throttles apply, and 429s show up as errors.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import functools
import io
import json
import math
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from PIL import Image, ImageDraw
from websockets.asyncio.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scaleout import (  # the sibling script, found through the path above
    DEFAULT_REDIS_URL,
    PYTHON,
    ROOT,
    UVICORN,
    UVICORN_LIMITS,
    ScaleOut,
    http_ok,
)

PASSWORD = "load-test-password-2468"  # noqa: S105 - accounts made by the load test itself
PIN = "2468"
# Throttles of the servers this script starts: raised, and the report says so.
RAISED_LIMITS = {
    "SIGN_UP_RATE_PER_IP": "100000/hour",
    "SIGN_IN_RATE_PER_IP": "100000/min",
    "SIGN_IN_RATE_PER_EMAIL": "100000/min",
    "PIN_RATE": "100000/min",
    "SUBMISSION_RATE_PER_CHILD": "100000/min",
    "SUBMISSION_RATE_PER_FAMILY": "100000/min",
}
EMBEDDED_PORT = 8043
LOAD_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/icanvas_load"


# Sketches -------------------------------------------------------------------------------------

CRAYONS = ["#e63946", "#f4a261", "#2a9d8f", "#457b9d", "#ffb703", "#8338ec", "#06d6a0"]


def _wobbly(rng: random.Random, points: list[tuple[float, float]], amount: float) -> list[Any]:
    return [(x + rng.uniform(-amount, amount), y + rng.uniform(-amount, amount)) for x, y in points]


def child_sketch(rng: random.Random) -> bytes:
    """A PNG like a child's: a wobbly blob with eyes, a few uneven strokes, sometimes crayon
    scribbles (the colour hints), black lines on white, 256x256."""
    image = Image.new("RGB", (256, 256), "white")
    pen = ImageDraw.Draw(image)
    cx, cy = rng.uniform(90, 166), rng.uniform(90, 166)
    radius = rng.uniform(40, 80)
    squash = rng.uniform(0.6, 1.1)
    outline = [
        (
            cx + radius * (1 + rng.uniform(-0.12, 0.12)) * math.cos(2 * math.pi * k / 28),
            cy + radius * squash * (1 + rng.uniform(-0.12, 0.12)) * math.sin(2 * math.pi * k / 28),
        )
        for k in range(28)
    ]
    gap = rng.randrange(len(outline))  # children leave gaps and overshoot
    closed = outline[gap:] + outline[: gap - 1 if rng.random() < 0.4 else gap + 2]
    pen.line(closed, fill="black", width=rng.randint(2, 4), joint="curve")
    for _ in range(2):  # eyes
        ex = cx + rng.choice((-1, 1)) * radius * rng.uniform(0.2, 0.45)
        ey = cy - radius * squash * rng.uniform(0.1, 0.35)
        r = rng.uniform(3, 8)
        pen.ellipse((ex - r, ey - r, ex + r, ey + r), outline="black", width=2)
    for _ in range(rng.randint(2, 5)):  # legs, wheels' spokes, petals: uneven strokes
        start = (cx + rng.uniform(-radius, radius), cy + rng.uniform(-radius, radius))
        steps = [start]
        for _ in range(rng.randint(2, 5)):
            x, y = steps[-1]
            steps.append((x + rng.uniform(-35, 35), y + rng.uniform(-35, 35)))
        pen.line(_wobbly(rng, steps, 2), fill="black", width=rng.randint(1, 5))
    if rng.random() < 0.6:  # crayon scribbles inside the shape
        colour = rng.choice(CRAYONS)
        for _ in range(rng.randint(3, 8)):
            x = cx + rng.uniform(-radius * 0.6, radius * 0.6)
            y = cy + rng.uniform(-radius * 0.5, radius * 0.5)
            pen.line((x, y, x + rng.uniform(-20, 20), y + rng.uniform(-8, 8)), colour, width=6)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def small_sketches(pool: Sequence[bytes]) -> list[bytes]:
    """The sketches as the canvas's Peek sends them: 256 px PNG."""
    out = []
    for data in pool:
        image = Image.open(io.BytesIO(data)).convert("RGB").resize((256, 256))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        out.append(buffer.getvalue())
    return out


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
            "p50": _round(percentile(shown, 50)),
            "p95": _round(percentile(shown, 95)),
            "max": _round(max(shown) if shown else None),
        },
    }


def sketch_pool(count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    return [child_sketch(rng) for _ in range(count)]


# Servers --------------------------------------------------------------------------------------


@dataclass
class EmbeddedServer:
    """``make run``'s server (one uvicorn, the worker inside) with its own SQLite and media."""

    port: int = EMBEDDED_PORT
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="icanvas-load-")))
    extra_env: dict[str, str] = field(default_factory=dict)
    popen: subprocess.Popen[bytes] | None = None

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.workdir / 'db.sqlite3'}"

    @property
    def media_root(self) -> Path:
        return self.workdir / "media"

    @property
    def base_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{self.port}"]

    @property
    def log_path(self) -> Path:
        return self.workdir / "server.log"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
        env.update(
            {
                "DATABASE_URL": self.database_url,
                "MEDIA_ROOT": str(self.media_root),
                "INFERENCE_EMBEDDED_WORKER": "true",
                "SECRET_KEY": "embedded-load-test-secret",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 120.0) -> None:
        self.media_root.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=self.env(),
            check=True,
        )
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            [
                UVICORN,
                "icanvas_site.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--lifespan",
                "on",
                "--ws",
                "websockets-sansio",
                *UVICORN_LIMITS,
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while not http_ok(self.base_urls[0] + "/api/schema/"):
            if self.popen.poll() is not None:
                raise RuntimeError(f"the embedded server exited; see {self.log_path}")
            if time.monotonic() > deadline:
                raise TimeoutError("the embedded server did not answer in time")
            time.sleep(0.3)

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


def setup_django(database_url: str | None, extra: dict[str, str] | None = None) -> bool:
    """Configure Django in this process (for the raw generator and the batch read-out)."""
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    for key, value in (extra or {}).items():
        os.environ[key] = value
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icanvas_site.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    return bool(database_url or os.environ.get("DATABASE_URL"))


# Children over HTTP ----------------------------------------------------------------------------


@dataclass
class ChildSession:
    index: int
    child_id: int
    token: str
    ws_url: str
    api_url: str  # submissions go to another web process than the socket when there are two


async def sign_up_family(
    client: httpx.AsyncClient, base_url: str, family: int, children: int, run_tag: str
) -> tuple[str, list[int]]:
    email = f"load-{run_tag}-{family}@example.com"
    answer = await client.post(
        base_url + "/api/v1/auth/signup/", json={"email": email, "password": PASSWORD}
    )
    answer.raise_for_status()
    signed_in = await client.post(
        base_url + "/api/v1/auth/signin/",
        json={"email": email, "password": PASSWORD, "device_name": "Load test"},
    )
    signed_in.raise_for_status()
    parent = signed_in.json()["token"]
    ids = []
    for k in range(children):
        added = await client.post(
            base_url + "/api/v1/children/",
            headers={"Authorization": f"Bearer {parent}"},
            json={
                "nickname": f"Kid {k + 1}",
                "avatar": "panda",
                "birth_year": 2018,
                "time_zone": "Asia/Seoul",
                "pin": PIN,
                "consent": True,
            },
        )
        added.raise_for_status()
        ids.append(int(added.json()["id"]))
    return parent, ids


async def play_token(client: httpx.AsyncClient, base_url: str, parent: str, child_id: int) -> str:
    played = await client.post(
        f"{base_url}/api/v1/children/{child_id}/play/",
        headers={"Authorization": f"Bearer {parent}"},
        json={"pin": PIN, "device_name": "Tablet"},
    )
    played.raise_for_status()
    return str(played.json()["token"])


async def sign_in_children(
    client: httpx.AsyncClient, base_urls: Sequence[str], children: int, per_family: int
) -> list[ChildSession]:
    run_tag = uuid.uuid4().hex[:8]
    families = math.ceil(children / per_family)
    sizes = [min(per_family, children - f * per_family) for f in range(families)]
    made = await asyncio.gather(
        *(
            sign_up_family(client, base_urls[f % len(base_urls)], f, size, run_tag)
            for f, size in enumerate(sizes)
        )
    )
    pairs = [(parent, child_id) for parent, ids in made for child_id in ids]
    tokens = await asyncio.gather(
        *(
            play_token(client, base_urls[i % len(base_urls)], parent, child_id)
            for i, (parent, child_id) in enumerate(pairs)
        )
    )
    sessions = []
    for i, ((_, child_id), token) in enumerate(zip(pairs, tokens, strict=True)):
        ws_base = base_urls[i % len(base_urls)]
        api_base = base_urls[(i + 1) % len(base_urls)]
        sessions.append(
            ChildSession(
                index=i,
                child_id=child_id,
                token=token,
                ws_url=ws_base.replace("http://", "ws://").replace("https://", "wss://") + "/ws/",
                api_url=api_base,
            )
        )
    return sessions


async def categories_of(client: httpx.AsyncClient, session: ChildSession) -> list[str]:
    answer = await client.get(
        session.api_url + "/api/v1/categories/",
        headers={"Authorization": f"Bearer {session.token}"},
    )
    answer.raise_for_status()
    return [c["slug"] for c in answer.json()["categories"]]


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


# The raw generator ----------------------------------------------------------------------------


SERVED_PATH = "runtime"


def drawers(
    category: str, *, compile_fast: bool, names: Sequence[str]
) -> tuple[str, dict[str, Callable[..., Any]]]:
    """The generator serving ``category`` and, for each of ``names``, a function that draws a
    batch of PIL sketches in one call, uint8 pictures out:

    * ``runtime``: ``get_runtime().generator(name).draw(sketches, categories)``, the very call
      the worker makes (``drawings/worker.py``), whichever path the runtime serves (exact fp32
      today; the fast one once the runtime serves it): the serving efficiency is measured
      against this one;
    * ``fast``: ``inference.pix2pix.fast.fast_copy`` of the same weights (bf16 where the CPU has
      it, channels_last, stock kernels; ``torch.compile`` with ``--compile-fast``);
    * ``exact``: the exact fp32 module through ``draw_chunks``, whatever the runtime serves.
    """
    import torch

    from inference.pix2pix.drawing import draw_chunks
    from inference.pix2pix.fast import fast_copy
    from inference.pix2pix.imaging import batch_to_images, images_to_batch
    from inference.pix2pix.networks import condition_labels
    from inference.runtime import SKETCH_SIZE, get_runtime

    runtime = get_runtime()
    card = runtime.active_card_for(category)
    loaded = runtime.generator(card.name)  # as the worker: loaded once, INFERENCE_THREADS applied

    def on(module: Any, sketches: Sequence[Image.Image], cats: Sequence[str]) -> list[Any]:
        labels = condition_labels(loaded.module, cats, strict=True)
        inputs = images_to_batch(list(sketches), size=SKETCH_SIZE)
        chunks = draw_chunks(module, inputs, labels, batch=None, device=loaded.device)
        return batch_to_images(torch.cat(chunks).float().cpu())

    paths: dict[str, Callable[..., Any]] = {}
    for path in names:
        if path == "runtime":
            paths[path] = loaded.draw
        elif path == "fast":
            fast = fast_copy(loaded.module, compile=compile_fast)
            paths[path] = functools.partial(on, fast)
        elif path == "exact":
            paths[path] = functools.partial(on, loaded.module)
        else:
            raise ValueError(f"unknown raw path {path!r} (runtime, fast, exact)")
    return card.name, paths


def served_by_one_generator(categories: Sequence[str]) -> list[str]:
    """The categories the generator of the first one also draws, in order: the raw figure is
    one generator's, so the load draws only what that generator serves."""
    from inference.runtime import get_runtime

    card = get_runtime().active_card_for(categories[0])
    return [c for c in categories if get_runtime().active_card_for(c).name == card.name]


def raw_rates(
    paths: dict[str, Callable[..., Any]],
    sketches: Sequence[Image.Image],
    categories: Sequence[str],
    sizes: Sequence[int],
    *,
    rounds: int,
    seconds: float,
) -> dict[str, dict[int, float]]:
    """Images/s of each path at each batch size: the median over rounds of one timed call per
    size and path (after a warm-up call each, for the kernels each shape picks), sizes and
    paths taking turns so a slow spell on a shared machine hits them all alike. At least
    ``rounds`` rounds and ``seconds`` seconds."""
    batches = {
        size: (
            [sketches[i % len(sketches)] for i in range(size)],
            [categories[i % len(categories)] for i in range(size)],
        )
        for size in sizes
    }
    for batch, cats in batches.values():
        for fn in paths.values():
            fn(batch, cats)
    times: dict[tuple[str, int], list[float]] = defaultdict(list)
    started = time.perf_counter()
    done = 0
    while done < rounds or time.perf_counter() - started < seconds:
        for size, (batch, cats) in batches.items():
            for name, fn in paths.items():
                t0 = time.perf_counter()
                fn(batch, cats)
                times[(name, size)].append(time.perf_counter() - t0)
        done += 1
    rates: dict[str, dict[int, float]] = defaultdict(dict)
    for (name, size), spent in times.items():
        rates[name][size] = size / statistics.median(spent)
    return dict(rates)


def rate_at(rates: dict[int, float], size: int) -> float:
    """Images/s at ``size``, interpolating the per-image time between the sizes measured."""
    known = sorted(rates)
    if size in rates:
        return rates[size]
    if size <= known[0]:
        return rates[known[0]]
    if size >= known[-1]:
        return rates[known[-1]]
    lo = max(k for k in known if k < size)
    hi = min(k for k in known if k > size)
    t_lo, t_hi = 1 / rates[lo], 1 / rates[hi]
    t = t_lo + (t_hi - t_lo) * (size - lo) / (hi - lo)
    return 1 / t


def rate_at_batches(rates: dict[int, float], batch_sizes: Sequence[int]) -> float | None:
    """Raw images/s for the batches formed: their images over the time the raw path needs for
    exactly those batches."""
    if not batch_sizes:
        return None
    images = sum(batch_sizes)
    seconds = sum(size / rate_at(rates, size) for size in batch_sizes)
    return images / seconds


# Batches --------------------------------------------------------------------------------------


def batches_from_database(drawing_ids: Sequence[int]) -> dict[str, Any]:
    """Claims read back from the rows: a worker claims a micro-batch in one UPDATE, so the
    drawings of one claim share ``worker_id`` and ``started_at``; a worker draws a claim in one
    generator call per generator, whatever its categories (``categories_per_claim``: how mixed
    those calls were)."""
    from drawings.models import Drawing

    rows = Drawing.objects.filter(pk__in=list(drawing_ids)).values(
        "pk", "worker_id", "started_at", "category", "attempts", "status", "inference_ms"
    )
    claims: Counter[tuple[str, Any]] = Counter()
    kinds: defaultdict[tuple[str, Any], set[str]] = defaultdict(set)
    workers: Counter[str] = Counter()
    attempts: Counter[int] = Counter()
    drawn_ms: list[int] = []
    for row in rows:
        if row["inference_ms"] is not None:
            drawn_ms.append(row["inference_ms"])
        claims[(row["worker_id"], row["started_at"])] += 1
        kinds[(row["worker_id"], row["started_at"])].add(row["category"])
        workers[row["worker_id"].rsplit(":", 1)[0]] += 1
        attempts[row["attempts"]] += 1
    return {
        "source": "database rows (worker_id, started_at)",
        "claim_sizes": sorted(claims.values()),
        "categories_per_claim": sorted(len(k) for k in kinds.values()),
        "drawings_per_worker_process": dict(workers),
        "attempts": dict(sorted(attempts.items())),
        # The worker's own generator time per picture (its batch's call ÷ its size, whole ms).
        "worker_ms_per_picture": round(statistics.fmean(drawn_ms), 2) if drawn_ms else None,
    }


def batches_from_events(samples: Sequence[Sample]) -> dict[str, Any]:
    claims: Counter[str] = Counter(s.started_at for s in samples if s.started_at)
    return {
        "source": "events' started_at (no database: workers not told apart)",
        "claim_sizes": sorted(claims.values()),
    }


def histogram(sizes: Sequence[int]) -> dict[int, int]:
    return dict(sorted(Counter(sizes).items()))


# The run --------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[rank]


@dataclass
class Options:
    base_urls: list[str]
    children: int
    per_child: int
    per_family: int
    timeout: float
    max_seconds: float
    raw_sizes: list[int]
    raw_seconds: float
    raw_rounds: int
    compile_fast: bool
    raw_paths: list[str]
    use_database: bool
    seed: int
    previews: bool = False
    # Mean seconds a child spends drawing between submissions (0: back to back), each pause
    # drawn uniformly from half to one and a half times it.
    think: float = 0.0
    # The server processes (this script's own, when it started them): their CPU time during the
    # load segment is reported, and ``profile`` records them with py-spy meanwhile.
    server_pids: list[int] = field(default_factory=list)
    profile: Path | None = None


async def load(options: Options) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=4 * options.children + 8, max_keepalive_connections=64)
    async with httpx.AsyncClient(timeout=options.timeout, limits=limits) as client:
        sessions = await sign_in_children(
            client, options.base_urls, options.children, options.per_family
        )
        offered = await categories_of(client, sessions[0])
        categories = await asyncio.to_thread(served_by_one_generator, offered)
        pool = sketch_pool(max(32, options.children * 2), options.seed)
        sockets = await open_sockets(sessions)
        try:
            # Warm-up: one drawing per child, not counted (the workers load the generator).
            warm = await asyncio.gather(
                *(
                    submit_and_wait(
                        client,
                        session=s,
                        socket=sock,
                        sketch=pool[s.index],
                        category=categories[0],
                        timeout=180,
                    )
                    for s, sock in zip(sessions, sockets, strict=True)
                )
            )
            warm_errors = [w.error for w in warm if w.error]
            if warm_errors:
                raise RuntimeError(f"warm-up failed: {Counter(warm_errors)}")

            name, paths = await asyncio.to_thread(
                drawers,
                categories[0],
                compile_fast=options.compile_fast,
                names=[SERVED_PATH, *(p for p in options.raw_paths if p != SERVED_PATH)],
            )
            served = SERVED_PATH
            images = [Image.open(io.BytesIO(p)).convert("RGB") for p in pool]
            before = await asyncio.to_thread(
                raw_rates,
                paths,
                images,
                categories,
                options.raw_sizes,
                rounds=options.raw_rounds,
                seconds=options.raw_seconds,
            )

            if options.previews:  # every child also peeks while drawing
                start_previews(sessions, sockets, pool, categories[0])
            meter = CpuMeter(options.server_pids, options.profile)
            started = time.perf_counter()
            per_child = await asyncio.gather(
                *(
                    run_child(
                        client,
                        s,
                        sock,
                        sketches=pool,
                        categories=categories,
                        count=options.per_child,
                        timeout=options.timeout,
                        stop_at=started + options.max_seconds,
                        think=thinking(options.think, options.seed + s.index),
                    )
                    for s, sock in zip(sessions, sockets, strict=True)
                )
            )
            samples = [sample for child in per_child for sample in child]
            ended = max([s.event for s in samples if s.event] or [time.perf_counter()])
            meter.stop()
            for sock in sockets:
                sock.stop_previews()

            after = await asyncio.to_thread(
                raw_rates,
                paths,
                images,
                categories,
                options.raw_sizes,
                rounds=options.raw_rounds,
                seconds=options.raw_seconds,
            )
        finally:
            for sock in sockets:
                with contextlib.suppress(Exception):
                    await sock.close()

    done = [s for s in samples if s.status == "done" and s.event is not None]
    latencies = [(s.event - s.submitted) * 1000 for s in done if s.event is not None]
    post_ms = [(s.answered - s.submitted) * 1000 for s in samples if s.answered is not None]
    elapsed = ended - started
    ids = [s.drawing_id for s in samples if s.drawing_id is not None]
    if options.use_database:
        batches = await asyncio.to_thread(batches_from_database, ids)
    else:
        batches = batches_from_events(done)
    claim_sizes: list[int] = batches["claim_sizes"]
    drawings_per_s = len(done) / elapsed if elapsed > 0 else 0.0

    raw = raw_report(paths, before, after, claim_sizes, drawings_per_s)
    worker_ms = batches.get("worker_ms_per_picture")
    served_rate = raw[SERVED_PATH]["at_batches_formed"]
    worker_vs_raw = (
        round(worker_ms / (1000 / served_rate), 2) if worker_ms and served_rate else None
    )
    errors = Counter(s.error for s in samples if s.error)
    previews = {"previews": preview_summary(sockets)} if options.previews else {}
    cpu = meter.report(len(done))
    return {
        **previews,
        "cpu": cpu,
        "children": options.children,
        "drawings_per_child": options.per_child,
        "think_seconds": options.think,
        "base_urls": options.base_urls,
        "generator": name,
        "categories": categories,
        "categories_left_out": [c for c in offered if c not in categories],
        "submitted": len(samples),
        "done": len(done),
        "seconds": round(elapsed, 2),
        "drawings_per_s": round(drawings_per_s, 2),
        "latency_ms": {
            "p50": _round(percentile(latencies, 50)),
            "p95": _round(percentile(latencies, 95)),
            "max": _round(max(latencies) if latencies else None),
            "mean": _round(statistics.fmean(latencies) if latencies else None),
        },
        "post_ms_p50": _round(percentile(post_ms, 50)),
        "batches": {
            **batches,
            "claim_sizes": histogram(claim_sizes),
            "mean_claim_size": round(statistics.fmean(claim_sizes), 2) if claim_sizes else None,
            **(
                {"categories_per_claim": histogram(batches["categories_per_claim"])}
                if "categories_per_claim" in batches
                else {}
            ),
        },
        "served_path": served,
        "raw": raw,
        "serving_efficiency": raw[served]["serving_efficiency"],
        # The worker's generator time per picture inside the server ÷ the raw ms per image of
        # the same path at the same batch sizes measured here (target: within 1.3).
        "worker_draw_vs_raw": worker_vs_raw,
        "errors": dict(errors),
        "inference_path_setting": _fast_path_setting(),
        "raw_measured_in": "this process, torch threads "
        f"{_torch_threads()}, batch sizes {options.raw_sizes}, median of >= {options.raw_rounds} "
        f"interleaved rounds and >= {options.raw_seconds:.1f} s",
    }


def thinking(mean: float, seed: int) -> Callable[[], float] | None:
    """A child's pauses between submissions: uniform in [0.5, 1.5] x ``mean`` (None: none)."""
    if mean <= 0:
        return None
    rng = random.Random(seed)
    return lambda: rng.uniform(0.5 * mean, 1.5 * mean)


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds a process (all its threads) has used so far; None if gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_profile(pids: Sequence[int], out: Path) -> list[subprocess.Popen[bytes]]:
    """``py-spy record`` (raw collapsed stacks, 100 Hz, active samples only) of each pid into
    ``out.PID.txt`` until :func:`stop_profile`."""
    spy = Path(PYTHON).with_name("py-spy")
    if not spy.exists():
        raise SystemExit(f"--profile needs py-spy ({spy}): pip install py-spy")
    return [
        subprocess.Popen(
            [
                str(spy),
                "record",
                "--pid",
                str(pid),
                "--rate",
                "100",
                "--format",
                "raw",
                "--output",
                f"{out}.{pid}.txt",
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in pids
    ]


def stop_profile(spies: Sequence[subprocess.Popen[bytes]]) -> None:
    for spy in spies:
        spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
    for spy in spies:
        try:
            spy.wait(timeout=30)
        except subprocess.TimeoutExpired:
            spy.kill()


class CpuMeter:
    """Where the cores go during the load segment: the servers' CPU time and this client's,
    and (``profile``) py-spy recording the servers meanwhile."""

    def __init__(self, pids: Sequence[int], profile: Path | None) -> None:
        self.pids = list(pids)
        self.spies = start_profile(self.pids, profile) if profile else []
        self.before = {pid: cpu_seconds(pid) for pid in self.pids}
        self.own_before = time.process_time()
        self.started = time.perf_counter()
        self.server = self.own = self.elapsed = 0.0

    def stop(self) -> None:
        self.own = time.process_time() - self.own_before
        self.elapsed = time.perf_counter() - self.started
        for pid in self.pids:
            now, then = cpu_seconds(pid), self.before[pid]
            if now is not None and then is not None:
                self.server += now - then
        stop_profile(self.spies)

    def report(self, done: int) -> dict[str, Any]:
        def busy(seconds: float) -> float | None:
            return round(seconds / self.elapsed, 2) if self.elapsed > 0 else None

        def per_drawing(seconds: float) -> float | None:
            return round(1000 * seconds / done, 1) if done else None

        return {
            "cores": os.cpu_count(),
            "server_cpu_s": round(self.server, 2),
            "client_cpu_s": round(self.own, 2),
            "server_cores_busy": busy(self.server),
            "client_cores_busy": busy(self.own),
            "server_cpu_ms_per_drawing": per_drawing(self.server),
            "client_cpu_ms_per_drawing": per_drawing(self.own),
        }


def raw_report(
    paths: Iterable[str],
    before: dict[str, dict[int, float]],
    after: dict[str, dict[int, float]],
    claim_sizes: Sequence[int],
    drawings_per_s: float,
) -> dict[str, Any]:
    """Per raw path: its images/s before and after the load, at the batch sizes the workers
    formed, and the serving efficiency against it."""
    raw: dict[str, Any] = {}
    for path in paths:
        at_before = rate_at_batches(before[path], claim_sizes)
        at_after = rate_at_batches(after[path], claim_sizes)
        mean = (at_before + at_after) / 2 if at_before and at_after else None
        raw[path] = {
            "before_images_per_s": {str(k): round(v, 1) for k, v in before[path].items()},
            "after_images_per_s": {str(k): round(v, 1) for k, v in after[path].items()},
            "at_batches_formed_before": round(at_before, 2) if at_before else None,
            "at_batches_formed_after": round(at_after, 2) if at_after else None,
            "at_batches_formed": round(mean, 2) if mean else None,
            "serving_efficiency": round(drawings_per_s / mean, 3) if mean else None,
            # Against the faster of the two timings: the cautious figure on a noisy machine.
            "serving_efficiency_vs_best": (
                round(drawings_per_s / max(at_before, at_after), 3)
                if at_before and at_after
                else None
            ),
        }
    return raw


def _round(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def _fast_path_setting() -> Any:
    from django.conf import settings

    return getattr(settings, "INFERENCE_PATH", getattr(settings, "INFERENCE_FAST_PATH", None))


def _torch_threads() -> int:
    import torch

    return int(torch.get_num_threads())


def print_table(result: dict[str, Any]) -> None:
    lat = result["latency_ms"]
    batches = result["batches"]
    rows = [
        ("mode", result.get("mode", "external")),
        ("children x drawings", f"{result['children']} x {result['drawings_per_child']}"),
        ("think time between drawings s", result["think_seconds"] or "none (back to back)"),
        ("done / submitted", f"{result['done']} / {result['submitted']}"),
        ("seconds", result["seconds"]),
        ("drawings/s (end to end)", result["drawings_per_s"]),
        ("submit->event p50/p95/max ms", f"{lat['p50']} / {lat['p95']} / {lat['max']}"),
        ("POST answered p50 ms", result["post_ms_p50"]),
        ("claims formed (size: count)", batches["claim_sizes"]),
        ("mean claim size", batches["mean_claim_size"]),
    ]
    if "categories_per_claim" in batches:
        rows.append(("categories in a claim (n: claims)", batches["categories_per_claim"]))
        rows.append(("drawings per worker", batches["drawings_per_worker_process"]))
    for path, figures in result["raw"].items():
        mark = " (served)" if path == result["served_path"] else ""
        rows.append((f"raw {path}{mark} before img/s", figures["before_images_per_s"]))
        rows.append((f"raw {path}{mark} after img/s", figures["after_images_per_s"]))
        rows.append(
            (
                f"raw {path}{mark} at batches formed",
                f"{figures['at_batches_formed_before']} before, "
                f"{figures['at_batches_formed_after']} after",
            )
        )
        rows.append(
            (
                f"serving efficiency vs {path}{mark}",
                f"{figures['serving_efficiency']} (mean of before/after), "
                f"{figures['serving_efficiency_vs_best']} (vs the faster)",
            )
        )
    if "previews" in result:
        peek = result["previews"]
        ms = peek["sent_to_shown_ms"]
        rows.append(("previews sent / shown", f"{peek['sent']} / {peek['shown']}"))
        rows.append(
            ("preview sent->shown p50/p95/max ms", f"{ms['p50']} / {ms['p95']} / {ms['max']}")
        )
        rows.append(("previews answered busy", peek["busy"] or "none"))
    if batches.get("worker_ms_per_picture"):
        rows.append(
            (
                "worker's draw ms/picture vs raw",
                f"{batches['worker_ms_per_picture']} ms, {result['worker_draw_vs_raw']}x raw",
            )
        )
    cpu = result["cpu"]
    if cpu["server_cpu_s"]:
        rows.append(
            (
                "server CPU during the load",
                f"{cpu['server_cpu_s']} s = {cpu['server_cores_busy']} of {cpu['cores']} cores, "
                f"{cpu['server_cpu_ms_per_drawing']} ms a drawing",
            )
        )
    rows.append(
        (
            "load-test client CPU",
            f"{cpu['client_cpu_s']} s = {cpu['client_cores_busy']} cores, "
            f"{cpu['client_cpu_ms_per_drawing']} ms a drawing",
        )
    )
    rows.append(("errors", result["errors"] or "none"))
    if result.get("raised_limits"):
        rows.append(("throttles raised (env)", ", ".join(result["raised_limits"])))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=16)
    parser.add_argument("--drawings-per-child", type=int, default=8)
    parser.add_argument("--children-per-family", type=int, default=4)
    parser.add_argument("--start", choices=["embedded", "scaleout", "none"], default="none")
    parser.add_argument(
        "--base-url", default="", help="comma-separated, for a running server (--start none)"
    )
    parser.add_argument(
        "--database-url", default="", help="the running server's database, to read its batches"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="per drawing, seconds")
    parser.add_argument("--max-seconds", type=float, default=240.0, help="the load segment's cap")
    parser.add_argument("--raw-sizes", default="1,2,4,8")
    parser.add_argument("--raw-rounds", type=int, default=5, help="rounds of the raw timing")
    parser.add_argument("--raw-seconds", type=float, default=3.0, help="raw timing, at least")
    parser.add_argument("--raw-paths", default="runtime,fast", help="runtime (always), fast, exact")
    parser.add_argument("--compile-fast", action="store_true", help="torch.compile the fast copy")
    parser.add_argument("--workers", type=int, default=2, help="--start scaleout")
    parser.add_argument("--worker-threads", type=int, default=1, help="--start scaleout")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--previews",
        action="store_true",
        help="every child also sends a Peek preview every 0.5 s while it draws",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="mean time each child draws between submissions (0: back to back); with "
        "--previews the child peeks all the while, as on the canvas",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="with --start: py-spy records each server process during the load segment into "
        "PROFILE.PID.txt (collapsed stacks; needs py-spy, in the dev extras)",
    )
    args = parser.parse_args(argv)
    if args.children < 1 or args.drawings_per_child < 1:
        parser.error("--children and --drawings-per-child must be at least 1")
    if args.start == "none" and not args.base_url:
        parser.error("--base-url is needed without --start")
    return args


def make_server(args: argparse.Namespace) -> EmbeddedServer | ScaleOut | None:
    """The servers to start (their throttles raised), or None for a running one."""
    if args.start == "embedded":
        return EmbeddedServer(extra_env=RAISED_LIMITS)
    if args.start == "scaleout":
        return ScaleOut(
            database_url=LOAD_DATABASE_URL,
            redis_url=DEFAULT_REDIS_URL,
            workers=args.workers,
            worker_threads=args.worker_threads,
            extra_env=RAISED_LIMITS,
        )
    return None


def start_server(server: EmbeddedServer | ScaleOut | None, args: argparse.Namespace) -> list[str]:
    if isinstance(server, EmbeddedServer):
        server.start()
        return server.base_urls
    if isinstance(server, ScaleOut):
        server.prepare(fresh=True)
        server.start()
        server.wait_ready()
        return server.base_urls
    return [u.rstrip("/") for u in args.base_url.split(",")]


def server_pids(server: EmbeddedServer | ScaleOut | None) -> list[int]:
    """The processes serving the load, where this script started them."""
    if isinstance(server, EmbeddedServer):
        return [server.popen.pid] if server.popen else []
    if isinstance(server, ScaleOut):
        return [p.popen.pid for p in [*server.webs, *server.inference] if p.popen]
    return []


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # so the servers this script started are stopped too


def main() -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    args = parse_args()
    server = make_server(args)
    database_url = server.database_url if server is not None else args.database_url
    try:
        base_urls = start_server(server, args)
        use_database = setup_django(database_url or None)
        options = Options(
            base_urls=base_urls,
            children=args.children,
            per_child=args.drawings_per_child,
            per_family=args.children_per_family,
            timeout=args.timeout,
            max_seconds=args.max_seconds,
            raw_sizes=[int(s) for s in args.raw_sizes.split(",")],
            raw_seconds=args.raw_seconds,
            raw_rounds=args.raw_rounds,
            compile_fast=args.compile_fast,
            raw_paths=args.raw_paths.split(","),
            use_database=use_database,
            seed=args.seed,
            previews=args.previews,
            think=args.think,
            server_pids=server_pids(server),
            profile=args.profile,
        )
        result = asyncio.run(load(options))
    finally:
        if server is not None:
            server.stop()
    result["mode"] = args.start if args.start != "none" else "external"
    result["raised_limits"] = list(RAISED_LIMITS) if server is not None else []
    if isinstance(server, ScaleOut):
        result["scaleout"] = {"web": len(server.webs), "workers": len(server.inference)}
        result["worker_threads"] = args.worker_threads
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    else:
        print_table(result)


if __name__ == "__main__":
    main()
