"""submit_drawing and the REST endpoints around it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Child
from drawings.models import Drawing, DrawingStatus
from drawings.services import SubmissionRejected, submit_drawing
from tests.drawings import hostile
from tests.factories import ChildFactory, sketch_png
from tests.fixtures.site import play_as

pytestmark = pytest.mark.django_db

URL = "/api/v1/drawings/"


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def post_sketch(
    client: Client,
    data: bytes,
    *,
    name: str = "sketch.png",
    client_id: str = "c-1",
    category: str = "face",
    content_type: str = "image/png",
):
    upload = SimpleUploadedFile(name, data, content_type=content_type)
    return client.post(URL, {"sketch": upload, "category": category, "client_id": client_id})


def test_submit_stores_a_normalised_png_and_queues_it(child: Child, settings) -> None:
    drawing, created = submit_drawing(
        child=child, category="face", sketch=sketch_png((640, 480)), client_id="abc"
    )
    assert created
    assert drawing.status == DrawingStatus.QUEUED
    assert drawing.sketch.name.startswith("sketches/") and drawing.sketch.name.endswith(".png")
    from PIL import Image

    with drawing.sketch.open("rb") as handle:
        image = Image.open(handle)
        # Kept at the canvas's side (512), so a painter lays the child's lines over crisply.
        assert image.format == "PNG" and image.size == (512, 512)
    assert len(stored_files(settings)) == 1


def test_retry_with_the_same_client_id_returns_the_same_drawing(child: Child, settings) -> None:
    first, created = submit_drawing(
        child=child, category="face", sketch=sketch_png(), client_id="x1"
    )
    again, created_again = submit_drawing(
        child=child, category="face", sketch=sketch_png(), client_id="x1"
    )
    assert created and not created_again
    assert again.pk == first.pk
    assert Drawing.objects.count() == 1
    assert len(stored_files(settings)) == 1


def test_same_client_id_for_another_child_is_a_different_drawing(child: Child) -> None:
    other = ChildFactory.create(parent=child.parent)
    a, _ = submit_drawing(child=child, category="face", sketch=sketch_png(), client_id="same")
    b, created = submit_drawing(child=other, category="face", sketch=sketch_png(), client_id="same")
    assert created and a.pk != b.pk


def test_unknown_category_is_rejected_and_nothing_is_stored(child: Child, settings) -> None:
    with pytest.raises(SubmissionRejected) as caught:
        submit_drawing(child=child, category="spaceship", sketch=sketch_png(), client_id="k")
    assert caught.value.code == "unknown_category"
    assert "face" in caught.value.message
    assert Drawing.objects.count() == 0 and stored_files(settings) == []


def test_no_generator_installed_says_so(child: Child, settings, tmp_path: Path) -> None:
    from inference.serving.runtime import get_runtime

    settings.GENERATORS_DIR = tmp_path / "empty"
    get_runtime().reset()
    with pytest.raises(SubmissionRejected) as caught:
        submit_drawing(child=child, category="face", sketch=sketch_png(), client_id="k")
    assert caught.value.code == "no_generators"


def test_api_submit_then_read_back(child_client: Client) -> None:
    response = post_sketch(child_client, sketch_png(), client_id="api-1")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "queued" and body["category"] == "face"
    assert body["result_url"] is None
    again = post_sketch(child_client, sketch_png(), client_id="api-1")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    detail = child_client.get(f"{URL}{body['id']}/")
    assert detail.status_code == 200 and detail.json() == body
    listing = child_client.get(URL).json()
    assert [d["id"] for d in listing["results"]] == [body["id"]]
    sketch = child_client.get(body["sketch_url"])
    assert sketch.status_code == 200 and sketch["Content-Type"] == "image/png"


@pytest.mark.parametrize("name", sorted(hostile.HOSTILE))
def test_api_hostile_upload_gets_a_clear_4xx_and_stores_nothing(
    child_client: Client, settings, name: str
) -> None:
    make, _code = hostile.HOSTILE[name]
    response = post_sketch(child_client, make(), name="innocent.png")
    assert 400 <= response.status_code < 500, response.content
    body = response.json()
    assert isinstance(body["detail"], str) and len(body["detail"]) > 10
    assert Drawing.objects.count() == 0
    assert stored_files(settings) == []


@pytest.mark.parametrize("name", sorted(hostile.VALID))
def test_api_valid_odd_uploads_are_accepted(child_client: Client, name: str) -> None:
    response = post_sketch(child_client, hostile.VALID[name](), client_id=f"ok-{name}")
    assert response.status_code == 201, response.content


def test_api_oversized_upload_is_413_and_keeps_earlier_drawings(
    child_client: Client, settings
) -> None:
    assert post_sketch(child_client, sketch_png(), client_id="kept").status_code == 201
    big = hostile.png_bytes(hostile.stroke_image()) + b"\0" * (settings.SKETCH_MAX_BYTES + 10)
    response = post_sketch(child_client, big, client_id="big")
    assert response.status_code == 413
    assert "MB" in response.json()["detail"]
    assert list(Drawing.objects.values_list("client_id", flat=True)) == ["kept"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"category": "face", "client_id": "a"}, "sketch"),
        ({"sketch": "x", "client_id": "a"}, "category"),
        ({"category": "face"}, "client_id"),
        ({"category": "face", "client_id": "has spaces!"}, "client_id"),
    ],
)
def test_api_missing_or_bad_fields_name_the_field(child_client: Client, fields, field) -> None:
    data = dict(fields)
    if data.get("sketch") == "x" or ("sketch" not in data and field != "sketch"):
        data["sketch"] = SimpleUploadedFile("s.png", sketch_png(), content_type="image/png")
    response = child_client.post(URL, data)
    assert response.status_code == 400, response.content
    assert field in response.json().get("field_errors", {})


def test_api_requires_play_mode(child: Child) -> None:
    anonymous = Client()
    assert anonymous.post(URL, {}).status_code in (401, 403)
    parent = Client()
    parent.force_login(child.parent)
    response = parent.get(URL)
    assert response.status_code == 403
    assert "play mode" in response.json()["detail"]


def test_child_cannot_see_another_childs_drawing_or_files(child: Child) -> None:
    other_family_child = ChildFactory.create()
    theirs, _ = submit_drawing(
        child=other_family_child, category="face", sketch=sketch_png(), client_id="t"
    )
    Drawing.objects.filter(pk=theirs.pk).update(
        status=DrawingStatus.DONE, result=theirs.sketch.name
    )
    me = play_as(Client(), child)
    assert me.get(f"{URL}{theirs.pk}/").status_code == 404
    assert me.get(f"/drawings/{theirs.pk}/sketch.png").status_code == 404
    assert me.get(f"/drawings/{theirs.pk}/result.png").status_code == 404
    assert me.get(URL).json()["results"] == []
    # Even a sibling (same family, other child) sees only their own drawings in play mode.
    sibling = ChildFactory.create(parent=other_family_child.parent)
    assert play_as(Client(), sibling).get(f"{URL}{theirs.pk}/").status_code == 404
    # The parent (not playing) can open the family's files; another parent cannot.
    parent = Client()
    parent.force_login(theirs.child.parent)
    assert parent.get(f"/drawings/{theirs.pk}/result.png").status_code == 200
    stranger = Client()
    stranger.force_login(child.parent)
    assert stranger.get(f"/drawings/{theirs.pk}/result.png").status_code == 404


def test_categories_endpoint_lists_the_registry(child_client: Client) -> None:
    data = child_client.get("/api/v1/categories/").json()
    assert [c["slug"] for c in data["categories"]] == ["face", "panda"]
    assert [t["categories"] for t in data["themes"]] == [["face"], ["panda"]]


def test_openapi_schema_renders(child_client: Client) -> None:
    response = child_client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/drawings/" in response.content


def test_a_generator_installed_while_running_is_found_without_a_restart(
    child: Child, generators_dir: Path
) -> None:
    from inference.lab.testing import write_random_generator
    from inference.serving.runtime import get_runtime

    assert "car" not in [c.slug for c in get_runtime().categories()]  # cards now cached
    write_random_generator(
        generators_dir, name="cars", categories=(("car", "Car", "자동차", "🚗"),)
    )
    drawing, created = submit_drawing(
        child=child, category="car", sketch=sketch_png(), client_id="new-gen"
    )
    assert created
    assert drawing.category == "car"
