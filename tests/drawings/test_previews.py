"""The magic preview through the real ASGI application, channel layer and worker: a child's
sketch comes back as a faded picture, latest wins, submitted drawings come first, nothing is
stored or paid, and bad or too many requests are answered politely."""

from __future__ import annotations

import asyncio
import base64
import io
import time

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from PIL import Image

from accounts import tokens
from drawings import previews, protocol, services
from drawings.models import Drawing
from drawings.worker import InferenceWorker
from gamification.models import XPEvent
from icanvas_site.asgi import application
from tests.factories import sketch_png
from tests.fixtures.live import make_child, running_worker, session_cookie_for, socket, submit

pytestmark = pytest.mark.django_db(transaction=True)


def preview_message(seq: int, *, category: str = "face", sketch: bytes | None = None) -> dict:
    data = base64.b64encode(sketch if sketch is not None else sketch_png(seed=seq)).decode()
    return {
        "type": "preview",
        "seq": seq,
        "category": category,
        "sketch": f"data:image/png;base64,{data}",
    }


async def next_of(communicator, *types: str, timeout: float = 20) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        remaining = max(0.01, deadline - asyncio.get_running_loop().time())
        message = await communicator.receive_json_from(timeout=remaining)
        if message["type"] in types:
            return message


@database_sync_to_async
def stored_rows() -> tuple[int, int]:
    return Drawing.objects.count(), XPEvent.objects.count()


async def test_a_childs_sketch_comes_back_as_a_preview_and_nothing_is_kept() -> None:
    child = await make_child()
    communicator = socket(await session_cookie_for(child))
    assert (await communicator.connect())[0]
    async with running_worker():
        await communicator.send_json_to(preview_message(1))
        answer = await next_of(communicator, "preview", "preview.busy")
    assert answer["type"] == "preview" and answer["seq"] == 1
    prefix = "data:image/webp;base64,"
    assert answer["image"].startswith(prefix)
    picture = Image.open(io.BytesIO(base64.b64decode(answer["image"][len(prefix) :])))
    assert picture.size == (256, 256)
    assert await stored_rows() == (0, 0)  # no drawing, no XP
    await communicator.disconnect()


async def kept(worker: InferenceWorker, *, seq: int) -> None:
    """Wait until the worker keeps a preview request numbered ``seq`` (its desk wakes the
    worker after each request it keeps)."""
    work = worker.pipeline.work
    while True:
        work.clear()
        if seq in {r.seq for r in worker.previews.waiting.values()}:
            work.set()  # as the desk left it: there is work
            return
        await work.wait()


async def test_only_the_latest_sketch_of_a_socket_is_drawn() -> None:
    worker = InferenceWorker()
    layer = get_channel_layer()
    reply = await layer.new_channel()
    listening = asyncio.create_task(worker.previews.listen())
    try:
        for seq in (1, 2, 3):
            request = protocol.PreviewRequest(
                reply=reply, seq=seq, category="face", sketch_png=sketch_png(), sent=time.time()
            )
            await layer.send(protocol.PREVIEW_CHANNEL, request.to_message())
        await asyncio.wait_for(kept(worker, seq=3), timeout=5)
        drawings, wanted = await worker.next_job()
    finally:
        listening.cancel()
    assert drawings == [] and [r.seq for r in wanted] == [3]  # 1 and 2 were replaced


async def test_submitted_drawings_go_before_previews_and_stale_previews_are_dropped(
    monkeypatch,
) -> None:
    monkeypatch.setattr(services, "wake_workers", lambda ids: None)
    worker = InferenceWorker()
    old = protocol.PreviewRequest(
        reply="a", seq=1, category="face", sketch_png=b"x", sent=time.time() - 60
    )
    fresh = protocol.PreviewRequest(
        reply="b", seq=1, category="face", sketch_png=b"x", sent=time.time()
    )
    worker.previews.waiting = {"a": old, "b": fresh}
    told: list[tuple[int, str, dict]] = []

    async def tell(request, answer):
        fields = {k: v for k, v in answer.items() if k not in ("type", "seq")}
        told.append((request.seq, answer["type"], fields))

    monkeypatch.setattr(worker.previews, "tell", tell)
    child = await make_child()
    drawing, _ = await submit(child=child, category="face", sketch=sketch_png(), client_id="p")
    worker.batches.pending.put_nowait(drawing.pk)
    assert await worker.next_job() == ([drawing.pk], [])
    assert await worker.next_job() == ([], [fresh])
    assert worker.previews.waiting == {}
    assert told == [(1, "preview.busy", {"reason": "stale"})]  # the page sends it again


async def test_a_saturated_worker_says_busy_instead_of_queueing_a_preview() -> None:
    worker = InferenceWorker(batch_size=2)
    for drawing_id in range(1, 5):
        worker.batches.pending.put_nowait(drawing_id)
    layer = get_channel_layer()
    reply = await layer.new_channel()
    listening = asyncio.create_task(worker.previews.listen())
    try:
        request = protocol.PreviewRequest(
            reply=reply, seq=9, category="face", sketch_png=sketch_png(), sent=time.time()
        )
        await layer.send(protocol.PREVIEW_CHANNEL, request.to_message())
        answer = await asyncio.wait_for(layer.receive(reply), timeout=5)
    finally:
        listening.cancel()
    assert answer == {"type": "preview.busy", "seq": 9, "reason": "saturated"}
    assert worker.previews.waiting == {}


async def test_previews_are_refused_politely(clock) -> None:
    child = await make_child()
    communicator = socket(await session_cookie_for(child))
    assert (await communicator.connect())[0]
    # Not a PNG, an unknown category, no seq: an error message, the socket stays open.
    await communicator.send_json_to(preview_message(1, sketch=b"not an image"))
    refused = await next_of(communicator, "error")
    assert refused["code"] == "bad_preview"
    clock.shift(previews.PREVIEW_MIN_INTERVAL_SECONDS)  # the wall clock the rate is kept on
    await communicator.send_json_to(preview_message(2, category="dinosaur-robot"))
    assert (await next_of(communicator, "error"))["code"] == "bad_preview"
    # Two at once: the second is too fast.
    clock.shift(previews.PREVIEW_MIN_INTERVAL_SECONDS)  # the wall clock the rate is kept on
    await communicator.send_json_to(preview_message(3))
    await communicator.send_json_to(preview_message(4))
    busy = await next_of(communicator, "preview.busy")
    assert busy == {"type": "preview.busy", "seq": 4, "reason": "too_fast"}
    await communicator.send_json_to({"type": "ping"})
    assert (await next_of(communicator, "pong"))["type"] == "pong"
    await communicator.disconnect()


async def test_the_preview_rate_is_per_child_whatever_the_number_of_sockets(clock) -> None:
    child, sibling = await make_child(), await make_child()
    first, second = socket(await session_cookie_for(child)), socket(await session_cookie_for(child))
    other = socket(await session_cookie_for(sibling))
    for communicator in (first, second, other):
        assert (await communicator.connect())[0]
    await first.send_json_to(preview_message(1, sketch=b"not an image"))
    assert (await next_of(first, "error"))["code"] == "bad_preview"  # read: its turn was taken
    # The same child from a second tab at once: too fast; another child is not held back.
    await second.send_json_to(preview_message(2))
    assert await next_of(second, "preview.busy") == {
        "type": "preview.busy",
        "seq": 2,
        "reason": "too_fast",
    }
    await other.send_json_to(preview_message(3, sketch=b"not an image"))
    assert (await next_of(other, "error"))["code"] == "bad_preview"  # read, not throttled
    clock.shift(previews.PREVIEW_MIN_INTERVAL_SECONDS)  # the wall clock the rate is kept on
    await second.send_json_to(preview_message(4, sketch=b"not an image"))
    assert (await next_of(second, "error"))["code"] == "bad_preview"  # its turn came
    for communicator in (first, second, other):
        await communicator.disconnect()


async def test_a_big_message_is_only_let_through_as_a_childs_preview(settings) -> None:
    child = await make_child()
    parent_socket = socket(await session_cookie_for(None, user=child.parent))
    # A parent's browser session opens no socket; a parent's token does, but asks no preview.
    assert not (await parent_socket.connect())[0]
    communicator = socket(await session_cookie_for(child))
    assert (await communicator.connect())[0]
    padding = "x" * (settings.WS_MAX_MESSAGE_BYTES + 10)
    await communicator.send_json_to({"type": "chat", "text": padding})
    closed = await communicator.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 1009}


async def test_a_parent_token_socket_cannot_ask_for_previews() -> None:
    child = await make_child()
    issued = await database_sync_to_async(tokens.issue_parent_token)(parent=child.parent)
    communicator = WebsocketCommunicator(
        application, "/ws/", [(b"authorization", f"Bearer {issued.token}".encode())]
    )
    assert (await communicator.connect())[0]
    await communicator.send_json_to(preview_message(1))
    refused = await next_of(communicator, "error")
    assert refused["code"] == "children_only"
    await communicator.disconnect()


def test_a_preview_with_no_thing_is_refused_with_its_own_code_or_takes_the_only_one() -> None:
    message = preview_message(1)
    del message["category"]
    with pytest.raises(previews.PreviewRefused) as refused:
        previews.read_request(message, categories={"face", "panda"})
    assert refused.value.code == previews.NEEDS_THING
    assert previews.read_request(message, categories={"face"})[1] == "face"
