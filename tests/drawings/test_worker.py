"""A drawing's life through the real ASGI application, channel layer and worker."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta

import numpy as np
import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.utils import timezone
from PIL import Image

from drawings import lifecycle, services
from drawings.models import Drawing, DrawingStatus
from drawings.payloads import child_drawing_payload
from drawings.worker import InferenceWorker
from icanvas_site.asgi import application
from tests.factories import sketch_png
from tests.fixtures.live import (
    make_child,
    next_status,
    reload,
    running_worker,
    session_cookie_for,
    socket,
    submit,
    wait_for_status,
)

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def read_result(drawing_id: int) -> Image.Image:
    drawing = Drawing.objects.get(pk=drawing_id)
    with drawing.result.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


async def test_submit_worker_event_and_a_256_png_result() -> None:
    child = await make_child()
    communicator = socket(await session_cookie_for(child))
    connected, _ = await communicator.connect()
    assert connected
    async with running_worker():
        drawing, created = await submit(
            child=child, category="face", sketch=sketch_png(), client_id="live-1"
        )
        assert created
        running = await next_status(communicator, "running")
        assert running["id"] == drawing.pk
        done = await next_status(communicator, "done")
    assert done["id"] == drawing.pk
    assert done["result_url"] == f"/drawings/{drawing.pk}/result.png"
    assert done["inference_ms"] is not None and done["attempts"] == 1
    fresh = await reload(drawing.pk)
    assert fresh.status == DrawingStatus.DONE and fresh.generator_name == "test-gen"
    picture = await read_result(drawing.pk)
    assert picture.format == "PNG" and picture.size == (256, 256)
    # The event agrees with a fresh read of the state.
    assert done == await database_sync_to_async(child_drawing_payload)(fresh)
    await communicator.disconnect()


async def test_a_lost_wake_up_is_recovered_by_the_reaper(settings, monkeypatch) -> None:
    settings.INFERENCE_REQUEUE_AFTER_SECONDS = 0.3
    child = await make_child()
    async with running_worker() as worker:
        # The start-up pass is over: only the reaper can find it now.
        await asyncio.wait_for(worker.reaper_passes.after(0), timeout=10)
        monkeypatch.setattr(services, "wake_workers", lambda ids: None)  # the message is lost
        drawing, _ = await submit(
            child=child, category="face", sketch=sketch_png(), client_id="lost"
        )
        await wait_for_status(worker, drawing.pk, DrawingStatus.DONE, within=10)
    assert (await reload(drawing.pk)).status == DrawingStatus.DONE


@database_sync_to_async
def crash_while_running(drawing: Drawing, *, attempts: int) -> None:
    """What a worker that died mid-picture leaves behind."""
    Drawing.objects.filter(pk=drawing.pk).update(
        status=DrawingStatus.RUNNING,
        attempts=attempts,
        lease_until=timezone.now() - timedelta(seconds=1),
    )


async def test_an_expired_lease_is_retried_and_finished(monkeypatch) -> None:
    child = await make_child()
    monkeypatch.setattr(services, "wake_workers", lambda ids: None)
    drawing, _ = await submit(child=child, category="face", sketch=sketch_png(), client_id="crash")
    await crash_while_running(drawing, attempts=1)
    async with running_worker() as worker:
        await wait_for_status(worker, drawing.pk, DrawingStatus.DONE, within=10)
    fresh = await reload(drawing.pk)
    assert fresh.status == DrawingStatus.DONE and fresh.attempts == 2


async def test_after_three_attempts_the_drawing_fails_kindly(monkeypatch) -> None:
    child = await make_child()
    communicator = socket(await session_cookie_for(child))
    assert (await communicator.connect())[0]
    monkeypatch.setattr(services, "wake_workers", lambda ids: None)
    drawing, _ = await submit(child=child, category="face", sketch=sketch_png(), client_id="doomed")
    await crash_while_running(drawing, attempts=3)
    async with running_worker():
        failed = await next_status(communicator, "failed", timeout=10)
    assert failed["id"] == drawing.pk
    assert "sketch is safe" in failed["error_message"]
    await communicator.disconnect()


async def test_a_generator_crash_requeues_then_fails_after_max_attempts(monkeypatch) -> None:
    from inference.serving import loaded_generator

    crashes: list[int] = []

    def broken(self, sketches, categories=None):  # the real signature: the crash is the one below
        crashes.append(len(sketches))
        raise RuntimeError("out of memory")

    monkeypatch.setattr(loaded_generator.LoadedGenerator, "draw", broken)
    child = await make_child()
    drawing, _ = await submit(child=child, category="face", sketch=sketch_png(), client_id="boom")
    async with running_worker() as worker:
        await wait_for_status(worker, drawing.pk, DrawingStatus.FAILED, within=15)
    fresh = await reload(drawing.pk)
    assert fresh.status == DrawingStatus.FAILED
    assert fresh.attempts == django_settings.INFERENCE_MAX_ATTEMPTS
    assert fresh.error_message == lifecycle.FRIENDLY_FAILURE
    # Each attempt reached the generator and crashed there (not on a call it could not take).
    assert crashes == [1] * django_settings.INFERENCE_MAX_ATTEMPTS


async def test_same_sketch_gives_the_same_picture_alone_and_in_a_batch(monkeypatch) -> None:
    monkeypatch.setattr(services, "wake_workers", lambda ids: None)
    child = await make_child()
    alone, _ = await submit(child=child, category="face", sketch=sketch_png(seed=3), client_id="a")
    batch = [
        (await submit(child=child, category="face", sketch=sketch_png(seed=s), client_id=f"b{s}"))[
            0
        ]
        for s in (1, 3, 5, 7)
    ]
    worker = InferenceWorker()
    await worker.process([alone.pk])
    await worker.process([d.pk for d in batch])
    twin = batch[1]
    picture_alone = await read_result(alone.pk)
    picture_in_batch = await read_result(twin.pk)
    # The fast path serves: within 2 levels (tests/drawings/test_fast_serving.py goes further).
    difference = np.abs(
        np.asarray(picture_alone).astype(int) - np.asarray(picture_in_batch).astype(int)
    )
    assert difference.max() <= 2
    other = await read_result(batch[0].pk)
    assert not np.array_equal(np.asarray(other), np.asarray(picture_in_batch))


async def test_a_conditioned_generator_draws_each_drawing_as_its_category(
    monkeypatch, settings, tmp_path
) -> None:
    from inference.lab.testing import write_random_generator
    from inference.serving.runtime import get_runtime
    from tests.fixtures.site import TEST_CATEGORIES

    write_random_generator(tmp_path / "cond", categories=TEST_CATEGORIES, conditioned=True)
    settings.GENERATORS_DIR = tmp_path / "cond"
    get_runtime().reset()
    monkeypatch.setattr(services, "wake_workers", lambda ids: None)
    child = await make_child()
    same = sketch_png(seed=4)
    face, _ = await submit(child=child, category="face", sketch=same, client_id="f")
    panda, _ = await submit(child=child, category="panda", sketch=same, client_id="p")
    panda_alone, _ = await submit(child=child, category="panda", sketch=same, client_id="q")

    await InferenceWorker().process([face.pk, panda.pk])  # one batch, two categories
    await InferenceWorker().process([panda_alone.pk])

    as_face, as_panda = await read_result(face.pk), await read_result(panda.pk)
    assert not np.array_equal(np.asarray(as_face), np.asarray(as_panda))
    alone = np.asarray(await read_result(panda_alone.pk)).astype(int)
    assert np.abs(np.asarray(as_panda).astype(int) - alone).max() <= 2
    get_runtime().reset()


async def test_a_child_only_hears_their_own_drawings(monkeypatch) -> None:
    alice = await make_child()
    bob = await make_child()  # another family
    alice_socket = socket(await session_cookie_for(alice))
    bob_socket = socket(await session_cookie_for(bob))
    assert (await alice_socket.connect())[0] and (await bob_socket.connect())[0]
    async with running_worker():
        await submit(child=alice, category="face", sketch=sketch_png(), client_id="mine")
        await next_status(alice_socket, "done")
    assert await bob_socket.receive_nothing(timeout=0.3)
    await alice_socket.disconnect()
    await bob_socket.disconnect()


async def test_the_socket_refuses_strangers_and_parents_not_in_play_mode() -> None:
    child = await make_child()
    anonymous = socket(None)
    connected, _ = await anonymous.connect()
    assert not connected
    parent_only = socket(await session_cookie_for(None, user=child.parent))
    connected, _ = await parent_only.connect()
    assert not connected
    # A session that claims another family's child is refused too.
    stranger = await make_child()
    forged = await session_cookie_for(child, user=stranger.parent)
    connected, _ = await socket(forged).connect()
    assert not connected


async def test_a_foreign_origin_cannot_open_the_socket() -> None:
    child = await make_child()
    communicator = WebsocketCommunicator(
        application,
        "/ws/",
        headers=[(b"origin", b"http://evil.example"), (b"cookie", await session_cookie_for(child))],
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_ping_pong() -> None:
    child = await make_child()
    communicator = socket(await session_cookie_for(child))
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()


async def test_the_site_stays_responsive_while_a_picture_is_drawn(monkeypatch) -> None:
    import threading
    import time

    from inference.serving import loaded_generator

    real_draw = loaded_generator.LoadedGenerator.draw
    drawing_started, released = threading.Event(), threading.Event()
    held: list[float] = []

    def held_draw(self, sketches, categories=None):
        # A big generator on a slow CPU: the draw holds its thread until the test has seen the
        # site answer during it. A blocked event loop never gets there: the draw gives up
        # waiting after 10 s, and the loop's lag shows it.
        started = time.perf_counter()
        drawing_started.set()
        released.wait(timeout=10)
        held.append(time.perf_counter() - started)
        return real_draw(self, sketches, categories)

    monkeypatch.setattr(loaded_generator.LoadedGenerator, "draw", held_draw)
    child = await make_child()
    communicator = socket(await session_cookie_for(child))
    assert (await communicator.connect())[0]
    worst_lag = 0.0
    beats, beats_wanted = 0, float("inf")
    beaten = asyncio.Event()

    async def heartbeat() -> None:
        # How late does a 20 ms sleep wake up? A blocked event loop shows up here.
        nonlocal worst_lag, beats
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.02)
            worst_lag = max(worst_lag, time.perf_counter() - before - 0.02)
            beats += 1
            if beats >= beats_wanted:
                beaten.set()

    async with running_worker():
        beating = asyncio.create_task(heartbeat())
        await submit(child=child, category="face", sketch=sketch_png(), client_id="slow")
        await next_status(communicator, "running")
        assert await asyncio.to_thread(drawing_started.wait, 10)
        await communicator.send_json_to({"type": "ping"})
        assert await communicator.receive_json_from(timeout=1) == {"type": "pong"}
        beats_wanted = beats + 10  # ten more beats while the draw holds its thread
        await asyncio.wait_for(beaten.wait(), timeout=10)
        released.set()
        done = await next_status(communicator, "done")
        beating.cancel()
    assert done["inference_ms"] >= int(held[0] * 1000)  # the generator's time, all of it
    assert worst_lag < 0.5, f"the event loop was blocked for {worst_lag:.2f}s"
    await communicator.disconnect()
