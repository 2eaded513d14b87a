""" "New colours" (🎲) over REST: who may ask, what is refused and how, the versions' PNGs."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from accounts.models import Child
from drawings.models import Drawing, DrawingStatus, NewColours, PictureVersion
from tests.factories import ChildFactory, DrawingFactory, sketch_png
from tests.fixtures.api import parent_token, play_token

pytestmark = pytest.mark.django_db
DRAWINGS = "/api/v1/drawings/"


def finished(child: Child) -> Drawing:
    """A done drawing as a worker of before versions left it (version_count 0: one picture)."""
    return DrawingFactory.create(
        child=child,
        status=DrawingStatus.DONE,
        result=ContentFile(sketch_png((512, 512), seed=7), name="result.png"),
        finished_at=timezone.now(),
    )


def test_new_colours_queue_the_next_version_and_keep_the_first(child, painter_dir) -> None:
    drawing = finished(child)
    api = play_token(child).client()
    answer = api.post(f"{DRAWINGS}{drawing.pk}/new-colours/")
    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert body["status"] == "done" and body["new_colours"] == "queued"
    assert body["can_new_colours"] is False  # one at a time
    assert body["version"] == 0 and [v["number"] for v in body["versions"]] == [0]
    assert body["versions"][0]["api_url"] == f"{DRAWINGS}{drawing.pk}/versions/0.png"
    (first,) = PictureVersion.objects.filter(drawing=drawing)
    assert first.number == 0 and first.picture.name == drawing.result.name
    # Pressing again answers the same state; nothing more is queued.
    again = api.post(f"{DRAWINGS}{drawing.pk}/new-colours/")
    assert again.status_code == 202 and again.json()["new_colours"] == "queued"
    assert PictureVersion.objects.filter(drawing=drawing).count() == 1
    png: Any = api.get(f"{DRAWINGS}{drawing.pk}/versions/0.png", HTTP_ACCEPT="image/png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(b"".join(png.streaming_content))).size == (512, 512)
    missing = api.get(f"{DRAWINGS}{drawing.pk}/versions/3.png")
    assert missing.status_code == 404 and missing.json()["code"] == "no_such_version"


def test_what_cannot_have_new_colours_is_refused_clearly(child, painter_dir) -> None:
    api = play_token(child).client()
    waiting = DrawingFactory.create(child=child)
    refused = api.post(f"{DRAWINGS}{waiting.pk}/new-colours/")
    assert refused.status_code == 409 and refused.json()["code"] == "not_done"
    full = finished(child)
    Drawing.objects.filter(pk=full.pk).update(version_count=20)
    refused = api.post(f"{DRAWINGS}{full.pk}/new-colours/")
    assert refused.status_code == 409 and refused.json()["code"] == "too_many_versions"
    # A sibling's, another family's: not found; a parent's token: not a child.
    sibling = finished(ChildFactory.create(parent=child.parent))
    assert api.post(f"{DRAWINGS}{sibling.pk}/new-colours/").status_code == 404
    stranger = finished(ChildFactory.create())
    assert api.post(f"{DRAWINGS}{stranger.pk}/new-colours/").status_code == 404
    assert api.get(f"{DRAWINGS}{stranger.pk}/versions/0.png").status_code == 404
    parent = parent_token(child.parent).client()
    assert parent.post(f"{DRAWINGS}{full.pk}/new-colours/").status_code == 403


def test_a_pix2pix_generator_answers_409_no_new_colours(child, generators_dir) -> None:
    drawing = finished(child)
    api = play_token(child).client()
    assert api.get(f"{DRAWINGS}{drawing.pk}/").json()["can_new_colours"] is False
    refused = api.post(f"{DRAWINGS}{drawing.pk}/new-colours/")
    assert refused.status_code == 409
    assert refused.json()["code"] == "no_new_colours" and refused.json()["detail"]
    assert Drawing.objects.get(pk=drawing.pk).new_colours == NewColours.NONE


def test_the_child_picks_the_version_shown(child, painter_dir) -> None:
    drawing = finished(child)
    api = play_token(child).client()
    api.post(f"{DRAWINGS}{drawing.pk}/new-colours/")
    second = ContentFile(sketch_png((512, 512), seed=3), name="v1.png")
    version = PictureVersion(drawing=drawing, number=1, created_at=timezone.now())
    version.picture.save("v1.png", second, save=False)
    version.save()
    Drawing.objects.filter(pk=drawing.pk).update(
        new_colours="", version=1, version_count=2, result=version.picture.name
    )
    body = api.get(f"{DRAWINGS}{drawing.pk}/").json()
    assert body["version"] == 1 and len(body["versions"]) == 2
    shown = api.post(f"{DRAWINGS}{drawing.pk}/show-version/", {"version": 0}, format="json")
    assert shown.status_code == 200 and shown.json()["version"] == 0
    assert Drawing.objects.get(pk=drawing.pk).result.name != version.picture.name
    bad = api.post(f"{DRAWINGS}{drawing.pk}/show-version/", {"version": 5}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "no_such_version"
    wrong_type = api.post(f"{DRAWINGS}{drawing.pk}/show-version/", {"version": "1"}, format="json")
    assert wrong_type.status_code == 400


def test_new_colours_are_throttled_per_child(child, painter_dir, settings) -> None:
    settings.NEW_COLOURS_RATE = "2/min"
    api = play_token(child).client()
    drawings = [finished(child) for _ in range(3)]
    answers = [api.post(f"{DRAWINGS}{d.pk}/new-colours/").status_code for d in drawings]
    assert answers == [202, 202, 429]
