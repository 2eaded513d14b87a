"""The web side of a drawing, in CPU milliseconds, measured in one process step by step.

    PYTHONPATH=$PWD .venv/bin/python scripts/web_cpu.py [--drawings 64] [--batch 8] [--embedded]
        [--json]

Everything a drawing costs the servers except the generator's own call, without the noise of
a shared machine's other processes (``time.process_time``, this process only): the child's
authenticated multipart ``POST /api/v1/drawings/`` through Django and DRF (the upload checks,
the re-encode, the row and file in one transaction, the wake-up on the in-memory channel
layer), then the worker's side in batches of ``--batch``: the claim, reading each stored sketch
back at the side the generator draws at, the pictures encoded as the worker stores them, the
finish with its payout and the ``drawing.status`` event sent to the child's group. The
generator's call is replaced by pictures it drew once beforehand (the served generator of the
first category, on the first sketch): its CPU is the load test's other half
(``scripts/loadtest.py`` prints both). Runs on a temporary SQLite database and media folder,
with the load test's sketches (the canvas's 512 px RGBA PNG). ``--embedded``: the worker in the
web process, as ``make run`` and the load test run it (the submission hands its pixels over,
``drawings.sketch_handoff``); without it, a worker process of its own reading the stored files.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from asgiref.sync import sync_to_async

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def setup(workdir: Path, *, embedded: bool = False) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'db.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.pop("REDIS_URL", None)
    # Only whom the submission hands its pixels to: no worker is started (no ASGI lifespan).
    os.environ["INFERENCE_EMBEDDED_WORKER"] = "true" if embedded else "false"
    os.environ.setdefault("SECRET_KEY", "web-cpu-benchmark")
    for name, value in {
        "SUBMISSION_RATE_PER_CHILD": "100000/min",
        "SUBMISSION_RATE_PER_FAMILY": "100000/min",
    }.items():
        os.environ[name] = value
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icanvas_site.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def measure(drawings: int, batch: int, children: int) -> dict[str, Any]:
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer
    from django.db import close_old_connections
    from django.test import Client
    from loadtesting.sketches import sketch_pool
    from PIL import Image

    from accounts import tokens
    from drawings import lifecycle
    from drawings.events import child_group
    from drawings.worker import pictures as worker_pictures
    from inference.serving.runtime import get_runtime
    from tests.factories import ChildFactory, UserFactory

    parent = UserFactory.create()
    kids = [ChildFactory.create(parent=parent) for _ in range(children)]
    bearer = {kid.pk: tokens.issue_play_token(child=kid).token for kid in kids}
    pool = sketch_pool(32, 7)
    runtime = get_runtime()
    category = runtime.categories()[0].slug
    name = runtime.active_card_for(category).name
    generator = runtime.generator(name)
    first = worker_pictures.sketch_for(
        generator, worker_pictures.normalise_sketch(pool[0], size=None)
    )
    drawn: Image.Image = generator.draw([first], [category])[0]
    layer = get_channel_layer()
    listening: dict[int, str] = {}
    for kid in kids:  # each child's page is open: the event has somewhere to go
        channel = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(child_group(kid.pk), channel)
        listening[kid.pk] = channel

    client = Client()
    spent: dict[str, float] = defaultdict(float)

    def timed(step: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[step] += time.process_time() - started

    def fake_draw(sketches: Any, categories: Any, **kwargs: Any) -> list[Image.Image]:
        return [drawn.copy() for _ in sketches]

    for start in range(0, drawings, batch):
        ids = []
        for k in range(start, min(drawings, start + batch)):
            kid = kids[k % len(kids)]
            answer = timed(
                "submit (POST)",
                client.post,
                "/api/v1/drawings/",
                {
                    "category": category,
                    "client_id": uuid.uuid4().hex,
                    "sketch": _upload(pool[k % len(pool)]),
                },
                headers={"Authorization": f"Bearer {bearer[kid.pk]}"},
            )
            if answer.status_code != 201:
                raise SystemExit(f"POST answered {answer.status_code}: {answer.content!r}")
            ids.append(answer.json()["id"])
        claims = timed("claim", lifecycle.claim_drawings, drawing_ids=ids, worker_id="bench")
        timed("read sketches", _read_sketches, generator, claims)
        pictures = timed(
            "encode pictures",
            worker_pictures.encode_pictures,
            [worker_pictures.Drawn(name, claims, fake_draw(claims, None), 20)],
            png_level=1,
        )
        timed("finish, pay, event", lifecycle.finish_drawings, pictures=pictures)
        close_old_connections()
        for channel in listening.values():  # the sockets' side of the layer
            while _receive(layer, channel):
                pass
    total = sum(spent.values())
    return {
        "generator": name,
        "drawings": drawings,
        "batch": batch,
        "children": children,
        "embedded": os.environ["INFERENCE_EMBEDDED_WORKER"] == "true",
        "cpu_ms_per_drawing": round(1000 * total / drawings, 1),
        "steps_ms_per_drawing": {k: round(1000 * v / drawings, 2) for k, v in spent.items()},
    }


def _upload(data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("sketch.png", data, content_type="image/png")


def _read_sketches(generator: Any, claims: Any) -> list[Any]:
    from drawings.worker.pictures import load_sketch, sketch_for

    return [sketch_for(generator, load_sketch(claim.drawing)) for claim in claims]


def _receive(layer: Any, channel: str) -> bool:
    from asgiref.sync import async_to_sync

    async def once() -> bool:
        import asyncio

        try:
            await asyncio.wait_for(layer.receive(channel), 0.001)
        except TimeoutError:
            return False
        return True

    return bool(async_to_sync(once)())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drawings", type=int, default=64)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--children", type=int, default=16)
    parser.add_argument("--embedded", action="store_true", help="the worker in the web process")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="icanvas-webcpu-") as workdir:
        setup(Path(workdir), embedded=args.embedded)
        # In a thread beside a running event loop, as the server's requests and worker run:
        # the channel layer's sends hop onto that loop (not a new loop each, as they would
        # from a plain script).
        in_thread = sync_to_async(measure, thread_sensitive=True)
        asyncio.run(in_thread(min(16, args.drawings), args.batch, args.children))  # warm-up
        result = asyncio.run(in_thread(args.drawings, args.batch, args.children))
    if args.json:
        print(json.dumps(result, indent=2))
        return
    worker = "embedded worker" if result["embedded"] else "worker elsewhere"
    print(f"{result['generator']} ({worker}): {result['cpu_ms_per_drawing']} ms of CPU a drawing")
    for step, ms in result["steps_ms_per_drawing"].items():
        print(f"  {step:<22} {ms:6.2f} ms")


if __name__ == "__main__":
    main()
