"""A worker killed mid-batch (``kill -9``) leaves no debris and costs no lease's wait.

Its picture file is named after the drawing and attempt, so the retry replaces it; the worker
restarted on the same host takes the dead one's rows back at once; a live worker (one that
renews its heartbeat) keeps its rows; the reaper sweeps files no drawing refers to.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from drawings import lifecycle, services
from drawings.lifecycle import finishing
from drawings.models import Drawing, DrawingStatus
from drawings.worker_identity import new_worker_id, this_host
from tests.factories import DrawingFactory, finish_claim, sketch_png
from tests.fixtures.live import make_child, running_worker, submit, wait_for_status


class Killed(BaseException):
    """``kill -9`` at the worst moment: after the picture is saved, before its row is updated."""


def results_on_disk(settings) -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "results"
    return sorted(f"results/{path.name}" for path in folder.glob("*"))


def dead_worker_id() -> str:
    """The id a worker of this host had before it was killed (its process is gone)."""
    process = subprocess.Popen(["true"])
    process.wait()
    return f"{this_host()}:{process.pid}:deadbeef0001"


@pytest.fixture
def live_worker_id() -> Iterator[str]:
    """Another worker process on this host, alive for the test."""
    process = subprocess.Popen(["sleep", "60"])
    try:
        yield f"{this_host()}:{process.pid}:a11ve0000001"
    finally:
        process.kill()
        process.wait()


@pytest.fixture
def queued(child, monkeypatch) -> Drawing:
    monkeypatch.setattr(services, "wake_workers", lambda ids: None)
    drawing, _ = services.submit_drawing(
        child=child, category="face", sketch=sketch_png(), client_id="crash"
    )
    return drawing


def crash_while_finishing(claim: lifecycle.Claim, monkeypatch) -> None:
    """The process dies after the picture's file is stored, before its row says so."""

    def killed(*_args: object) -> None:
        raise Killed

    with monkeypatch.context() as patched:
        patched.setattr(finishing, "_per_row", killed)
        with pytest.raises(Killed):
            finish_claim(
                claim=claim, picture_png=sketch_png(seed=1), generator_name="g", inference_ms=1
            )


def finish(claim: lifecycle.Claim, on_commit) -> Drawing:
    with on_commit(execute=True):  # what the finish leaves to do once it commits, done
        finished = finish_claim(
            claim=claim, picture_png=sketch_png(seed=2), generator_name="g", inference_ms=1
        )
    assert finished is not None
    finished.drawing.refresh_from_db()
    return finished.drawing


@pytest.mark.django_db
def test_the_retry_after_a_crash_leaves_one_picture_file(
    queued, settings, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    (doomed,) = lifecycle.claim_drawings(drawing_ids=[queued.pk], worker_id=dead_worker_id())
    crash_while_finishing(doomed, monkeypatch)
    assert len(results_on_disk(settings)) == 1  # the dead worker's picture, no row points at it

    assert [d.pk for d in lifecycle.reap_drawings().requeued] == [queued.pk]
    (retry,) = lifecycle.claim_drawings(drawing_ids=[queued.pk], worker_id=new_worker_id())
    done = finish(retry, django_capture_on_commit_callbacks)

    assert done.status == DrawingStatus.DONE and done.attempts == 2
    assert results_on_disk(settings) == [done.result.name]
    # Named after the drawing and attempt, by a keyed hash: nothing about the child.
    assert re.fullmatch(r"results/[0-9a-f]{32}-a2\.png", done.result.name)


@pytest.mark.django_db
def test_the_same_attempt_overwrites_what_its_crashed_try_left(
    queued, settings, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    # Attempt 1 dies after saving; the row then fails; "Try again" starts over at attempt 1.
    (doomed,) = lifecycle.claim_drawings(drawing_ids=[queued.pk], worker_id=dead_worker_id())
    crash_while_finishing(doomed, monkeypatch)
    Drawing.objects.filter(pk=queued.pk).update(
        status=DrawingStatus.FAILED, error_message=lifecycle.FRIENDLY_FAILURE
    )
    again, created = services.submit_drawing(
        child=queued.child, category="face", sketch=sketch_png(), client_id="crash"
    )
    assert not created and again.status == DrawingStatus.QUEUED

    (retry,) = lifecycle.claim_drawings(drawing_ids=[queued.pk], worker_id=new_worker_id())
    assert retry.attempt == 1
    done = finish(retry, django_capture_on_commit_callbacks)

    assert results_on_disk(settings) == [done.result.name]
    with done.result.open("rb") as handle:
        assert handle.read() == sketch_png(seed=2)  # the retry's picture, not the crashed one


@pytest.mark.django_db
def test_a_dead_workers_drawing_is_taken_back_before_its_lease_ends(queued) -> None:
    (claim,) = lifecycle.claim_drawings(drawing_ids=[queued.pk], worker_id=dead_worker_id())
    queued.refresh_from_db()
    assert queued.lease_until > timezone.now() + timedelta(seconds=60)

    reaped = lifecycle.reap_drawings()

    assert [d.pk for d in reaped.requeued] == [queued.pk]
    queued.refresh_from_db()
    assert queued.status == DrawingStatus.QUEUED and queued.worker_id == ""
    assert (
        finish_claim(claim=claim, picture_png=sketch_png(), generator_name="g", inference_ms=1)
        is None
    )  # the dead worker's claim is void


@pytest.mark.django_db
def test_a_live_workers_drawings_are_not_taken(child, live_worker_id, monkeypatch) -> None:
    monkeypatch.setattr(services, "wake_workers", lambda ids: None)
    holders = {
        "same host, process alive": live_worker_id,
        "this very process": new_worker_id(),
        "another host, heartbeat fresh": "elsewhere.example:4242:0123456789ab",
    }
    held = {}
    for n, (why, worker_id) in enumerate(holders.items()):
        drawing, _ = services.submit_drawing(
            child=child, category="face", sketch=sketch_png(seed=n), client_id=f"live-{n}"
        )
        lifecycle.claim_drawings(drawing_ids=[drawing.pk], worker_id=worker_id)
        held[why] = drawing.pk

    reaped = lifecycle.reap_drawings()

    assert reaped.requeued == [] and reaped.failed == []
    for why, pk in held.items():
        row = Drawing.objects.get(pk=pk)
        assert (row.status, row.worker_id) == (DrawingStatus.RUNNING, holders[why]), why


@pytest.mark.django_db
def test_a_silent_worker_elsewhere_loses_its_drawing_a_beating_one_keeps_it(
    queued, settings
) -> None:
    settings.INFERENCE_HEARTBEAT_STALE_SECONDS = 15
    elsewhere = "elsewhere.example:4242:0123456789ab"
    lifecycle.claim_drawings(drawing_ids=[queued.pk], worker_id=elsewhere)
    silent_since = timezone.now() - timedelta(seconds=20)

    Drawing.objects.filter(pk=queued.pk).update(heartbeat_at=silent_since)
    assert lifecycle.renew_heartbeat(worker_id=elsewhere) == 1  # it is alive after all
    assert lifecycle.reap_drawings().requeued == []

    Drawing.objects.filter(pk=queued.pk).update(heartbeat_at=silent_since)
    assert [d.pk for d in lifecycle.reap_drawings().requeued] == [queued.pk]


@database_sync_to_async
def claimed_by(worker_id: str, drawing: Drawing) -> None:
    assert lifecycle.claim_drawings(drawing_ids=[drawing.pk], worker_id=worker_id)


@pytest.mark.django_db(transaction=True)
async def test_a_restarted_worker_finishes_the_killed_ones_drawing_at_once(monkeypatch) -> None:
    monkeypatch.setattr(services, "wake_workers", lambda ids: None)
    child = await make_child()
    drawing, _ = await submit(child=child, category="face", sketch=sketch_png(), client_id="k9")
    await claimed_by(dead_worker_id(), drawing)  # then kill -9: lease 120 s, heartbeat fresh

    async with running_worker() as worker:
        done = await wait_for_status(worker, drawing.pk, DrawingStatus.DONE, within=5)

    assert done.status == DrawingStatus.DONE, "waited out the lease instead"
    assert done.attempts == 2 and done.worker_id == worker.worker_id


class Calls:
    """Counts the calls of a function from any thread; a thread can wait for more of them."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function, self.count = function, 0
        self.changed = threading.Condition()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        result = self.function(*args, **kwargs)
        with self.changed:
            self.count += 1
            self.changed.notify_all()
        return result

    def wait_for_more(self, calls: int) -> None:
        """Wait until ``calls`` more calls have returned (each started after this one began
        waiting, but for the one under way)."""
        with self.changed:
            wanted = self.count + calls
            assert self.changed.wait_for(lambda: self.count >= wanted, timeout=10)


@pytest.mark.django_db(transaction=True)
async def test_a_slow_picture_keeps_its_worker_alive_by_heartbeat(
    settings, monkeypatch, clock
) -> None:
    from inference.serving import loaded_generator

    real_draw = loaded_generator.LoadedGenerator.draw
    reaps = Calls(lifecycle.reap_drawings)
    beats = Calls(lifecycle.renew_heartbeat)
    monkeypatch.setattr(lifecycle, "reap_drawings", reaps)
    monkeypatch.setattr(lifecycle, "renew_heartbeat", beats)

    def slow_draw(self, sketches, categories=None):
        # 1.2 s pass, longer than a silent worker may last, 0.3 s at a time: after each step
        # the reaper looks at the row, then a heartbeat renews it.
        for _ in range(4):
            clock.shift(0.3)
            reaps.wait_for_more(2)
            beats.wait_for_more(2)
        return real_draw(self, sketches, categories)

    monkeypatch.setattr(loaded_generator.LoadedGenerator, "draw", slow_draw)
    settings.INFERENCE_HEARTBEAT_STALE_SECONDS = 0.6
    child = await make_child()

    # Its own reaper runs every 0.1 s.
    async with running_worker(heartbeat_interval=0.1) as worker:
        drawing, _ = await submit(child=child, category="face", sketch=sketch_png(), client_id="s")
        done = await wait_for_status(worker, drawing.pk, DrawingStatus.DONE, within=10)

    assert done.status == DrawingStatus.DONE and done.attempts == 1


def _age(name: str, seconds: float) -> None:
    past = time.time() - seconds
    os.utime(default_storage.path(name), (past, past))


@database_sync_to_async
def stored_drawing_files() -> list[str]:
    drawing = DrawingFactory.create(
        status=DrawingStatus.DONE, result=ContentFile(sketch_png(), name="result.png")
    )
    return [drawing.sketch.name, drawing.result.name]


@pytest.mark.django_db(transaction=True)
async def test_the_reaper_sweeps_old_orphans_and_keeps_fresh_and_referenced_files(
    settings,
) -> None:
    settings.STORED_FILES_SWEEP_GRACE_MINUTES = 30
    referenced = await stored_drawing_files()
    old_orphan = default_storage.save("results/killed-worker.png", ContentFile(b"\x89PNG old"))
    fresh_orphan = default_storage.save("results/being-recorded.png", ContentFile(b"\x89PNG new"))
    for name in [*referenced, old_orphan]:
        _age(name, 3600)

    async with running_worker() as worker:  # its first reaper pass sweeps
        await asyncio.wait_for(worker.reaper_passes.after(0), timeout=5)

    assert not default_storage.exists(old_orphan)
    assert default_storage.exists(fresh_orphan)  # a worker may be about to record it
    assert all(default_storage.exists(name) for name in referenced)
