""" "New colours" (🎲) and pictures at 512: a done drawing is painted again in another colourway
as a new version, through the real worker, paying nothing; old 256 sketches keep working."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
from channels.db import database_sync_to_async
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image, ImageDraw

from drawings import erasure, lifecycle, services
from drawings.models import Drawing, DrawingStatus, NewColours, PictureVersion
from drawings.payloads import drawing_payload
from gamification.models import XPEvent
from tests.factories import DrawingFactory, finish_claim, sketch_png
from tests.fixtures.live import (
    make_child,
    reload,
    running_worker,
    session_cookie_for,
    socket,
    submit,
    wait_for_status,
)

pytestmark = pytest.mark.django_db(transaction=True)


def canvas_sketch() -> bytes:
    """A 512 px canvas sketch: a black outline with one shape coloured in red by the child."""
    image = Image.new("RGB", (512, 512), "white")
    pen = ImageDraw.Draw(image)
    pen.ellipse((96, 96, 416, 416), outline="black", width=8)
    pen.rectangle((200, 200, 300, 300), outline="black", width=6, fill=(224, 36, 36))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def read_png(name: str) -> np.ndarray:
    with default_storage.open(name, "rb") as handle:
        return np.asarray(Image.open(io.BytesIO(handle.read())).convert("RGB"))


@database_sync_to_async
def xp_of(child) -> int:
    return sum(XPEvent.objects.filter(child=child).values_list("amount", flat=True))


@database_sync_to_async
def versions_of(drawing_id: int) -> list[PictureVersion]:
    return list(PictureVersion.objects.filter(drawing_id=drawing_id).order_by("number"))


async def wait_for_versions(worker, drawing_id: int, count: int) -> Drawing:
    async def reached() -> bool:
        drawing = await reload(drawing_id)
        return drawing.version_count == count and not drawing.painting_new_colours

    await worker.batch_finished.until(reached, within=20)
    return await reload(drawing_id)


async def test_new_colours_make_a_new_version_shown_live_and_pay_nothing(painter_dir) -> None:
    child = await make_child()
    communicator = socket(await session_cookie_for(child))
    assert (await communicator.connect())[0]
    async with running_worker() as worker:
        drawing, _ = await submit(
            child=child, category="face", sketch=canvas_sketch(), client_id="dice-1"
        )
        first = await wait_for_status(worker, drawing.pk, DrawingStatus.DONE)
        assert first.version_count == 1 and first.version == 0
        first_picture = await database_sync_to_async(read_png)(first.result.name)
        assert first_picture.shape == (512, 512, 3)  # the painter paints at the canvas's side
        paid = await xp_of(child)
        assert paid > 0
        payload = await database_sync_to_async(drawing_payload)(first)
        assert payload["can_new_colours"] is True

        asked = await database_sync_to_async(services.ask_for_new_colours)(
            child=child, drawing_id=drawing.pk
        )
        assert asked is not None and asked.new_colours == NewColours.QUEUED
        assert asked.status == DrawingStatus.DONE  # the picture stays shown meanwhile
        # Pressing again while it is on its way changes nothing.
        again = await database_sync_to_async(services.ask_for_new_colours)(
            child=child, drawing_id=drawing.pk
        )
        assert again is not None and again.painting_new_colours

        second = await wait_for_versions(worker, drawing.pk, 2)
    assert second.status == DrawingStatus.DONE and second.version == 1
    assert second.result.name != first.result.name
    rows = await versions_of(drawing.pk)
    assert [v.number for v in rows] == [0, 1]
    assert rows[0].picture.name == first.result.name  # the first picture is kept
    assert rows[1].picture.name == second.result.name
    new_picture = await database_sync_to_async(read_png)(second.result.name)
    assert new_picture.shape == (512, 512, 3)
    # The child's red square keeps its colour in every version.
    for picture in (first_picture, new_picture):
        red = picture[240:260, 240:260].reshape(-1, 3).mean(axis=0)
        assert red[0] > 150 and red[1] < 100 and red[2] < 100, red
    assert await xp_of(child) == paid  # no XP for a re-roll

    # The socket told the page: the same drawing.status shape, still done, the new version.
    events: list[dict[str, Any]] = []
    while not events or events[-1]["drawing"].get("version") != 1:
        events.append(await communicator.receive_json_from(timeout=5))
    mine = [e for e in events if e.get("drawing", {}).get("id") == drawing.pk]
    assert [e["drawing"]["new_colours"] for e in mine][-3:] == ["queued", "running", None]
    assert all(e["drawing"]["status"] == "done" for e in mine[-3:])
    last = mine[-1]
    assert last["drawing"]["version"] == 1 and len(last["drawing"]["versions"]) == 2
    assert "progress" not in last or not last["progress"]
    await communicator.disconnect()

    # The child picks the first colours again; both files stay.
    shown = await database_sync_to_async(services.show_version)(
        child=child, drawing_id=drawing.pk, number=0
    )
    assert shown is not None and shown.version == 0 and shown.result.name == first.result.name

    # Deleting the drawing deletes every version's file.
    names = [v.picture.name for v in rows]

    @database_sync_to_async
    def delete() -> None:
        erasure.delete_drawings(drawings=Drawing.objects.filter(pk=drawing.pk))

    await delete()
    assert not any(default_storage.exists(name) for name in names)


async def test_a_pix2pix_generator_offers_no_new_colours() -> None:
    child = await make_child()
    async with running_worker() as worker:
        drawing, _ = await submit(
            child=child, category="face", sketch=canvas_sketch(), client_id="dice-2"
        )
        done = await wait_for_status(worker, drawing.pk, DrawingStatus.DONE)
    picture = await database_sync_to_async(read_png)(done.result.name)
    assert picture.shape == (256, 256, 3)  # pix2pix draws at 256 from the 512 sketch
    payload = await database_sync_to_async(drawing_payload)(done)
    assert payload["can_new_colours"] is False
    with pytest.raises(services.NewColoursRefused) as refused:
        await database_sync_to_async(services.ask_for_new_colours)(
            child=child, drawing_id=drawing.pk
        )
    assert refused.value.code == "no_new_colours"


@pytest.mark.parametrize("painter", [True, False])
async def test_a_sketch_stored_at_256_before_still_draws(painter: bool, request) -> None:
    if painter:
        request.getfixturevalue("painter_dir")

    @database_sync_to_async
    def old_drawing() -> Drawing:
        # Stored as sketches were before they kept the canvas's side: 256×256.
        return DrawingFactory.create(client_id="old-256")

    drawing = await old_drawing()
    with drawing.sketch.open("rb") as handle:
        assert Image.open(handle).size == (256, 256)
    async with running_worker() as worker:
        await worker.process([drawing.pk])
        done = await wait_for_status(worker, drawing.pk, DrawingStatus.DONE)
    picture = await database_sync_to_async(read_png)(done.result.name)
    assert picture.shape == ((512, 512, 3) if painter else (256, 256, 3))


@pytest.mark.django_db
def test_a_new_colourway_that_cannot_be_painted_leaves_the_picture_as_it_was(
    painter_dir, settings
) -> None:
    drawing = DrawingFactory.create(client_id="dice-fail")
    (claim,) = lifecycle.claim_drawings(drawing_ids=[drawing.pk], worker_id="w")
    finish_claim(
        claim=claim, picture_png=sketch_png((512, 512)), generator_name="g", inference_ms=5
    )
    child = drawing.child
    services.ask_for_new_colours(child=child, drawing_id=drawing.pk)
    for _ in range(settings.INFERENCE_MAX_ATTEMPTS):
        (claim,) = lifecycle.claim_drawings(drawing_ids=[drawing.pk], worker_id="w")
        assert claim.variant == 1
        lifecycle.give_back_drawing(claim=claim)
    drawing.refresh_from_db()
    assert drawing.status == DrawingStatus.DONE and drawing.new_colours == NewColours.FAILED
    assert drawing.version_count == 1 and drawing.version == 0 and drawing.result
    assert drawing_payload(drawing)["can_new_colours"] is True  # 🎲 may be pressed again
    # A lost worker's new colours are taken back by the reaper like any drawing.
    services.ask_for_new_colours(child=child, drawing_id=drawing.pk)
    lifecycle.claim_drawings(drawing_ids=[drawing.pk], worker_id="gone")
    Drawing.objects.filter(pk=drawing.pk).update(lease_until=timezone.now())
    reaped = lifecycle.reap_drawings()
    assert drawing.pk in reaped.resent
    drawing.refresh_from_db()
    assert drawing.new_colours == NewColours.QUEUED and drawing.status == DrawingStatus.DONE
