"""The worker serves the fast path, in a pipeline: batching stays invisible, nothing waits that
need not, and a batch costs a bounded number of queries."""

from __future__ import annotations

import asyncio
import io
import random
import time

import numpy as np
import pytest
from channels.db import database_sync_to_async
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image, ImageDraw

from drawings import lifecycle, services
from drawings.models import Drawing, DrawingStatus
from drawings.worker import InferenceWorker
from inference.serving import loaded_generator
from inference.serving.runtime import get_runtime
from tests.factories import finish_claim
from tests.fixtures.live import make_child, running_worker, submit, wait_for_status

pytestmark = pytest.mark.django_db(transaction=True)

CRAYONS = [(0, 0, 0), (230, 40, 40), (40, 120, 230), (250, 200, 30), (40, 170, 80), (240, 130, 30)]


def child_sketch(seed: int) -> bytes:
    """Wobbly strokes in black and crayons, and a scribbled patch: what a child sends."""
    rng = random.Random(seed)
    image = Image.new("RGB", (256, 256), "white")
    pen = ImageDraw.Draw(image)
    for _ in range(rng.randint(3, 7)):
        points = [(rng.randint(10, 246), rng.randint(10, 246)) for _ in range(rng.randint(2, 5))]
        pen.line(points, fill=rng.choice(CRAYONS), width=rng.randint(2, 9))
    x, y = rng.randint(40, 180), rng.randint(40, 180)
    colour = rng.choice(CRAYONS[1:])
    for step in range(0, 50, 6):
        pen.line([(x, y + step), (x + 50, y + step + 3)], fill=colour, width=5)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@database_sync_to_async
def picture_of(drawing_id: int) -> np.ndarray:
    drawing = Drawing.objects.get(pk=drawing_id)
    assert drawing.status == DrawingStatus.DONE, drawing.status
    with drawing.result.open("rb") as handle:
        return np.asarray(Image.open(io.BytesIO(handle.read())).convert("RGB")).astype(np.int16)


@database_sync_to_async
def queue_again(drawing_ids: list[int]) -> None:
    Drawing.objects.filter(pk__in=drawing_ids).update(
        status=DrawingStatus.QUEUED, result="", attempts=0, worker_id=""
    )


@pytest.fixture
def shipped_generators(settings):
    """The generators the product ships (kids7c draws face, animal, food...), fast path."""
    settings.GENERATORS_DIR = django_settings.BASE_DIR / "generators"
    settings.INFERENCE_PATH = "fast"
    get_runtime().reset()
    yield
    get_runtime().reset()


async def submit_mixed(count: int) -> list[Drawing]:
    child = await make_child()
    categories = ["face", "animal", "food", "vehicle", "space", "plant"]
    return [
        (
            await submit(
                child=child,
                category=categories[i % len(categories)],
                sketch=child_sketch(i),
                client_id=f"mix-{i}",
            )
        )[0]
        for i in range(count)
    ]


@pytest.mark.slow
async def test_a_sketch_drawn_alone_and_in_any_batch_differs_by_at_most_two_levels(
    shipped_generators, monkeypatch
) -> None:
    monkeypatch.setattr(services, "wake_workers", lambda ids: None)
    drawings = await submit_mixed(7)
    ids = [d.pk for d in drawings]
    worker = InferenceWorker(batch_size=8)
    for drawing_id in ids:
        await worker.process([drawing_id])
    alone = {i: await picture_of(i) for i in ids}
    assert get_runtime().generator("kids7c").path == "fast"

    worst = 0
    # Mixed categories in one call, each sketch at other positions and beside other sketches.
    for order in (ids, ids[::-1], ids[3:] + ids[:3]):
        await queue_again(ids)
        await worker.process(order)
        for drawing_id in ids:
            difference = np.abs(await picture_of(drawing_id) - alone[drawing_id]).max()
            worst = max(worst, int(difference))
    assert worst <= 2, f"a picture changed by {worst} levels with its batch"
    # The pictures are the sketches' own: batching did not blur them together.
    assert np.abs(alone[ids[0]] - alone[ids[1]]).max() > 20


async def test_the_exact_path_stays_bit_identical_for_audits(settings, monkeypatch) -> None:
    settings.INFERENCE_PATH = "exact"
    get_runtime().reset()
    monkeypatch.setattr(services, "wake_workers", lambda ids: None)
    child = await make_child()
    drawings = [
        (await submit(child=child, category="face", sketch=child_sketch(i), client_id=f"x{i}"))[0]
        for i in range(4)
    ]
    worker = InferenceWorker()
    await worker.process([drawings[2].pk])
    alone = await picture_of(drawings[2].pk)
    await queue_again([drawings[2].pk])
    await worker.process([d.pk for d in drawings])
    assert np.array_equal(alone, await picture_of(drawings[2].pk))
    assert get_runtime().generator("test-gen").path == "exact"
    get_runtime().reset()


async def test_one_generator_call_draws_a_batch_of_mixed_categories(
    shipped_generators, monkeypatch
) -> None:
    monkeypatch.setattr(services, "wake_workers", lambda ids: None)
    calls: list[list[str]] = []
    real_draw = loaded_generator.LoadedGenerator.draw

    def counting(self, sketches, categories=None, **kwargs):
        calls.append(list(categories or []))
        return real_draw(self, sketches, categories, **kwargs)

    monkeypatch.setattr(loaded_generator.LoadedGenerator, "draw", counting)
    drawings = await submit_mixed(6)
    worker = InferenceWorker()
    await worker.process([d.pk for d in drawings])
    assert len(calls) == 1 and sorted(calls[0]) == sorted(d.category for d in drawings)
    assert worker.batch_sizes == {6: 1}
    for drawing in drawings:
        await picture_of(drawing.pk)


async def test_the_worker_warms_every_batch_size_before_serving(settings, monkeypatch) -> None:
    sizes: list[int] = []
    real_draw = loaded_generator.LoadedGenerator.draw

    def counting(self, sketches, categories=None, **kwargs):
        sizes.append(len(sketches))
        return real_draw(self, sketches, categories, **kwargs)

    monkeypatch.setattr(loaded_generator.LoadedGenerator, "draw", counting)
    monkeypatch.setattr(services, "wake_workers", lambda ids: None)
    child = await make_child()
    drawing, _ = await submit(child=child, category="face", sketch=child_sketch(1), client_id="w")
    async with running_worker(batch_size=4, warm_up=True) as worker:
        await wait_for_status(worker, drawing.pk, DrawingStatus.DONE, within=10)
    # Blank batches of 1, 2, 3 and 4 first; then the child's sketch.
    assert sizes == [1, 2, 3, 4, 1]


async def test_an_idle_worker_draws_a_lone_sketch_without_waiting_for_a_batch(settings) -> None:
    settings.INFERENCE_BATCH_WINDOW_MS = 3000  # a window this long would show
    child = await make_child()
    async with running_worker() as worker:
        started = time.perf_counter()
        drawing, _ = await submit(
            child=child, category="face", sketch=child_sketch(2), client_id="lone"
        )
        fresh = await wait_for_status(worker, drawing.pk, DrawingStatus.DONE, within=4)
        elapsed = time.perf_counter() - started
    assert fresh.status == DrawingStatus.DONE
    assert elapsed < 2.0, f"a lone sketch waited {elapsed:.2f} s"


async def test_the_next_batch_draws_while_the_last_one_is_finished(monkeypatch) -> None:
    monkeypatch.setattr(services, "wake_workers", lambda ids: None)
    child = await make_child()
    first, _ = await submit(child=child, category="face", sketch=child_sketch(3), client_id="1")
    second, _ = await submit(child=child, category="face", sketch=child_sketch(4), client_id="2")
    events: list[str] = []
    release_finish = asyncio.Event()
    loop = asyncio.get_running_loop()
    real_finish = lifecycle.finish_drawings
    real_draw = loaded_generator.LoadedGenerator.draw

    def slow_finish(*, pictures):
        events.append(f"finish {pictures[0].claim.drawing.pk} starts")
        # Without a pipeline the second batch could not draw until this returns: a deadlock.
        asyncio.run_coroutine_threadsafe(release_finish.wait(), loop).result(timeout=10)
        finished = real_finish(pictures=pictures)
        events.append(f"finish {pictures[0].claim.drawing.pk} ends")
        return finished

    def drawing(self, sketches, categories=None, **kwargs):
        events.append("draw")
        if len([e for e in events if e == "draw"]) == 2:
            loop.call_soon_threadsafe(release_finish.set)  # the 2nd batch drew: let 1st finish
        return real_draw(self, sketches, categories, **kwargs)

    monkeypatch.setattr(lifecycle, "finish_drawings", slow_finish)
    monkeypatch.setattr(loaded_generator.LoadedGenerator, "draw", drawing)
    worker = InferenceWorker()
    await asyncio.wait_for(
        asyncio.gather(worker.process([first.pk]), worker.process([second.pk])), timeout=20
    )
    second_draw = [i for i, event in enumerate(events) if event == "draw"][1]
    assert second_draw < events.index(f"finish {first.pk} ends")
    assert (await picture_of(first.pk)).shape == (await picture_of(second.pk)).shape


@pytest.mark.django_db
def test_a_batch_costs_a_constant_number_of_queries_payout_included(
    child, generators_dir, monkeypatch
) -> None:
    monkeypatch.setattr(services, "wake_workers", lambda ids: None)
    # The child drew today already: the usual case (a first picture ever costs 4 more, once).
    first = services.submit_drawing(
        child=child, category="face", sketch=child_sketch(0), client_id="first"
    )[0]
    (claim,) = lifecycle.claim_drawings(drawing_ids=[first.pk], worker_id="w")
    finish_claim(claim=claim, picture_png=child_sketch(9), generator_name="g", inference_ms=5)
    counts = {}
    for size in (1, 8):
        ids = [
            services.submit_drawing(
                child=child, category="face", sketch=child_sketch(i), client_id=f"q{size}-{i}"
            )[0].pk
            for i in range(size)
        ]
        with CaptureQueriesContext(connection) as claiming:
            claims = lifecycle.claim_drawings(drawing_ids=ids, worker_id="w")
        pictures = [
            lifecycle.Picture(claim=c, png=child_sketch(9), generator_name="g", inference_ms=5)
            for c in claims
        ]
        with CaptureQueriesContext(connection) as finishing:
            finished = lifecycle.finish_drawings(pictures=pictures)
        assert all(f is not None and f.payout is not None for f in finished)
        assert len(finished) == size
        counts[size] = len(claiming) + len(finishing)
    # Claim 2, finish 2 (+ this test's savepoint 2), payout 8 (gamification's own; +2 when an
    # achievement is won, as the 8th picture of the day does), whatever the batch size.
    assert counts[1] <= 14, counts
    assert counts[8] <= counts[1] + 2, counts


async def test_a_cpu_worker_measures_its_batch_size_at_start_up(settings, monkeypatch) -> None:
    settings.INFERENCE_BATCH_SIZE = 0  # the CPU default: measured, not fixed
    measured: list[int] = []
    real_best = loaded_generator.LoadedGenerator.best_batch

    def recording(self, candidates=loaded_generator.BATCH_CANDIDATES, repeats=3):
        measured.append(real_best(self, (1, 2), repeats=1))
        return measured[-1]

    monkeypatch.setattr(loaded_generator.LoadedGenerator, "best_batch", recording)
    monkeypatch.setattr(services, "wake_workers", lambda ids: None)
    child = await make_child()
    drawing, _ = await submit(child=child, category="face", sketch=child_sketch(1), client_id="m")
    async with running_worker(warm_up=True) as worker:
        await wait_for_status(worker, drawing.pk, DrawingStatus.DONE, within=10)
        assert measured and worker.batch_size == max(measured)
        assert worker.batches.batch_size == worker.batch_size
