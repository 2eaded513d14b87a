"""The child's REST API with a play token and no cookie: the gallery by cursor, "Try again",
the PNGs, achievements, today's quests, progress, and the submission throttle."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from accounts.models import Child
from accounts.permissions import NOT_PLAYING
from drawings.events import INFERENCE_CHANNEL
from drawings.models import Drawing, DrawingStatus
from gamification import services as gamification
from gamification.models import DailyQuest
from tests.factories import ChildFactory, DrawingFactory, sketch_png
from tests.fixtures.api import TokenClient, parent_token, play_token

pytestmark = pytest.mark.django_db

DRAWINGS = "/api/v1/drawings/"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def anonymous() -> APIClient:
    return APIClient(enforce_csrf_checks=True)


def finished(child: Child) -> Drawing:
    """A done drawing with a sketch and a picture in storage, paid as the worker pays it."""
    drawing = DrawingFactory.create(
        child=child,
        status=DrawingStatus.DONE,
        result=ContentFile(sketch_png(seed=7), name="result.png"),
        finished_at=timezone.now(),
    )
    gamification.pay_for_drawing(drawing=drawing)
    return drawing


def failed(child: Child) -> Drawing:
    return DrawingFactory.create(
        child=child,
        status=DrawingStatus.FAILED,
        attempts=3,
        error_message="Oh no, the picture-maker got stuck on this one.",
        finished_at=timezone.now(),
    )


def next_wake_up() -> dict[str, Any]:
    """What an inference worker would read next on its channel (the real in-memory layer)."""
    layer = get_channel_layer()

    async def receive() -> dict[str, Any]:
        return await asyncio.wait_for(layer.receive(INFERENCE_CHANNEL), timeout=2)

    return async_to_sync(receive)()


def png_bytes(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def submit(api: TokenClient) -> Any:
    upload = io.BytesIO(sketch_png())
    upload.name = "sketch.png"
    return api.post(
        DRAWINGS,
        {"sketch": upload, "category": "face", "client_id": uuid.uuid4().hex},
        format="multipart",
    )


def child_only_requests(drawing: Drawing) -> list[tuple[str, str]]:
    base = f"{DRAWINGS}{drawing.pk}/"
    return [
        ("get", DRAWINGS),
        ("get", base),
        ("post", f"{base}retry/"),
        ("get", f"{base}sketch.png"),
        ("get", f"{base}picture.png"),
        ("get", "/api/v1/achievements/"),
        ("get", "/api/v1/quests/"),
        ("get", "/api/v1/progress/"),
    ]


def test_a_parent_token_is_refused_and_nobody_signed_in_must_sign_in(child: Child) -> None:
    drawing = finished(child)
    parent = parent_token(child.parent)
    for method, url in child_only_requests(drawing):
        refused = getattr(parent, method)(url)
        assert refused.status_code == 403, url
        assert refused.json()["detail"] == str(NOT_PLAYING), url
        stranger = getattr(anonymous(), method)(url)
        assert stranger.status_code == 401, url
        assert stranger.json()["code"] == "not_signed_in", url
    # An image client asking for PNG still gets the error as JSON, not a 406.
    as_image = parent.get(f"{DRAWINGS}{drawing.pk}/picture.png", HTTP_ACCEPT="image/png")
    assert as_image.status_code == 403 and as_image["Content-Type"] == "application/json"


def test_the_gallery_comes_by_cursor_in_two_pages_without_duplicates_or_hidden_ones(
    child: Child,
) -> None:
    start = timezone.now() - timedelta(days=1)
    mine = [DrawingFactory.create(child=child) for _ in range(25)]
    hidden = [DrawingFactory.create(child=child, hidden=True) for _ in range(2)]
    for i, drawing in enumerate([*mine, *hidden]):
        # Pictures made at the same instant (three at a time) must still each appear once.
        Drawing.objects.filter(pk=drawing.pk).update(created_at=start + timedelta(minutes=i // 3))
    DrawingFactory.create(child=ChildFactory.create(parent=child.parent))  # a sibling's
    api = play_token(child)

    first = api.get(DRAWINGS)
    assert first.status_code == 200
    body = first.json()
    assert set(body) == {"next", "previous", "results"} and len(body["results"]) == 20
    second = api.get(body["next"])
    assert second.status_code == 200
    rest = second.json()
    assert rest["next"] is None and len(rest["results"]) == 5

    listed = [d["id"] for d in body["results"] + rest["results"]]
    assert len(set(listed)) == len(listed) == 25
    assert listed == [d.pk for d in reversed(mine)]  # newest first, the id breaks ties
    assert not {d.pk for d in hidden} & set(listed)
    assert api.get(DRAWINGS, {"page_size": 5}).json()["results"][0]["id"] == mine[-1].pk
    assert api.get(DRAWINGS, {"cursor": "not-a-cursor"}).status_code == 404


def test_a_drawing_reads_back_with_addresses_that_work_with_the_token(child: Child) -> None:
    done, waiting = finished(child), DrawingFactory.create(child=child)
    api = play_token(child)
    body = api.get(f"{DRAWINGS}{done.pk}/").json()
    assert body["status"] == "done"
    assert body["api_sketch_url"] == f"{DRAWINGS}{done.pk}/sketch.png"
    assert body["api_picture_url"] == f"{DRAWINGS}{done.pk}/picture.png"
    # The web's own addresses stay as the pages and the live events use them.
    assert body["sketch_url"] == f"/drawings/{done.pk}/sketch.png"
    assert body["result_url"] == f"/drawings/{done.pk}/result.png"
    assert api.get(f"{DRAWINGS}{waiting.pk}/").json()["api_picture_url"] is None


def test_the_sketch_and_the_picture_download_as_real_pngs(child: Child) -> None:
    drawing = finished(child)
    api = play_token(child)
    for which, stored in (("sketch", drawing.sketch), ("picture", drawing.result)):
        response = api.get(f"{DRAWINGS}{drawing.pk}/{which}.png", HTTP_ACCEPT="image/png")
        assert response.status_code == 200, which
        assert response["Content-Type"] == "image/png"
        assert response["Cache-Control"].startswith("private")
        data = png_bytes(response)
        assert data.startswith(PNG_SIGNATURE)
        with stored.open("rb") as handle:
            assert data == handle.read()
        assert Image.open(io.BytesIO(data)).size == (256, 256)

    waiting = DrawingFactory.create(child=child)
    not_yet = api.get(f"{DRAWINGS}{waiting.pk}/picture.png")
    assert not_yet.status_code == 404 and not_yet.json()["code"] == "no_picture"
    assert api.get(f"{DRAWINGS}{waiting.pk}/sketch.png").status_code == 200


def test_a_siblings_another_familys_and_a_hidden_drawing_are_not_found(child: Child) -> None:
    sibling = ChildFactory.create(parent=child.parent)
    others = [
        failed(sibling),
        finished(ChildFactory.create()),
        failed(child),
        finished(child),
    ]
    Drawing.objects.filter(pk__in=[d.pk for d in others[2:]]).update(hidden=True)
    api = play_token(child)
    for drawing in others:
        base = f"{DRAWINGS}{drawing.pk}/"
        for method, url in (
            ("get", base),
            ("post", f"{base}retry/"),
            ("get", f"{base}sketch.png"),
            ("get", f"{base}picture.png"),
        ):
            answer = getattr(api, method)(url)
            assert answer.status_code == 404, url
            assert answer.json()["code"] == "not_found", url
    assert Drawing.objects.filter(status=DrawingStatus.FAILED).count() == 2  # none retried


def test_try_again_requeues_a_failed_drawing_and_refuses_any_other(
    child: Child, django_capture_on_commit_callbacks
) -> None:
    drawing, done = failed(child), finished(child)
    api = play_token(child)
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(f"{DRAWINGS}{drawing.pk}/retry/")
    assert answer.status_code == 200
    assert answer.json()["status"] == "queued" and answer.json()["error_message"] is None
    drawing.refresh_from_db()
    assert drawing.status == DrawingStatus.QUEUED and drawing.attempts == 0
    assert next_wake_up() == {"type": "inference.wake", "ids": [drawing.pk]}

    for not_failed in (drawing, done):  # now queued, and done
        refused = api.post(f"{DRAWINGS}{not_failed.pk}/retry/")
        assert refused.status_code == 409
        assert refused.json()["code"] == "not_failed"
    done.refresh_from_db()
    assert done.status == DrawingStatus.DONE


def test_achievements_list_the_earned_then_the_locked_in_the_readers_language(
    child: Child,
) -> None:
    finished(child)
    api = play_token(child)
    answer = api.get("/api/v1/achievements/", HTTP_ACCEPT_LANGUAGE="ko")
    assert answer.status_code == 200
    items = answer.json()["results"]
    earned = [a for a in items if a["earned"]]
    locked = [a for a in items if not a["earned"]]
    assert earned and locked and items == earned + locked
    first = next(a for a in earned if a["slug"] == "first-picture")
    assert first["title"] == "첫 그림!" and first["icon"] == "🎉" and first["earned_at"]
    assert all(a["earned_at"] is None for a in locked)
    assert any(a["mystery"] and a["slug"] is None and a["icon"] == "❓" for a in locked)
    english = api.get("/api/v1/achievements/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    assert "First picture!" in [a["title"] for a in english]


def test_todays_quests_are_listed_with_progress_and_reward(
    child: Child, generators_dir, ordinary_day
) -> None:
    api = play_token(child)
    before = api.get("/api/v1/quests/").json()["results"]
    assert len(before) == 3 and all(q["progress"] == 0 for q in before)
    finished(child)
    answer = api.get("/api/v1/quests/", HTTP_ACCEPT_LANGUAGE="ko")
    assert answer.status_code == 200
    quests = answer.json()["results"]
    stored = list(DailyQuest.objects.filter(child=child).order_by("position"))
    assert [(q["slug"], q["progress"], q["target"]) for q in quests] == [
        (row.slug, row.progress, row.target) for row in stored
    ]
    assert [q["slug"] for q in quests] == [q["slug"] for q in before]  # the same all day
    assert sum(q["progress"] for q in quests) >= 1 and all(q["reward_xp"] > 0 for q in quests)
    assert all(q["title"] and q["icon"] for q in quests)


def test_progress_answers_a_play_token(child: Child) -> None:
    finished(child)
    body = play_token(child).get("/api/v1/progress/").json()
    assert body["drawings_done"] == 1 and body["xp_total"] > 0
    assert {"streak", "quests", "achievements", "level"} <= set(body)


def test_a_child_over_the_submission_limit_gets_429_with_retry_after(
    child: Child, settings, generators_dir
) -> None:
    settings.SUBMISSION_RATE_PER_CHILD = "2/min"
    api = play_token(child)
    assert [submit(api).status_code for _ in range(2)] == [201, 201]
    refused = submit(api)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused.json()["code"] == "throttled"
    # "Try again" costs a generator run too: it counts against the same limit.
    again = api.post(f"{DRAWINGS}{failed(child).pk}/retry/")
    assert again.status_code == 429 and int(again["Retry-After"]) > 0
    assert api.get(DRAWINGS).status_code == 200  # reading is never throttled
    assert submit(play_token(ChildFactory.create())).status_code == 201  # another family
