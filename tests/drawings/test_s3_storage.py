"""The production storage, for real: django-storages' S3 backend against moto's S3 server on
127.0.0.1 (tests/fixtures/s3.py), with the options the settings give it.

A drawing's sketch and picture are stored as private objects, served only through the views that
check the family (streamed, never a redirect to the bucket), and gone from the bucket when the
drawing is deleted, when consent is withdrawn, or when nothing refers to them any more; the
family's export reads them back.
"""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from accounts.models import Child
from drawings import services
from drawings.erasure import sweep_unreferenced_files
from drawings.models import Drawing
from tests.factories import ChildFactory, sketch_png
from tests.fixtures.api import parent_token, play_token
from tests.fixtures.family import finished_drawing
from tests.fixtures.s3 import S3Bucket
from tests.fixtures.site import play_as

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def child(s3_bucket: S3Bucket) -> Child:
    return ChildFactory.create()


def stored(drawing: Drawing) -> set[str]:
    return {drawing.sketch.name, drawing.result.name}


def test_a_submitted_sketch_is_a_private_object_in_the_bucket(
    s3_bucket: S3Bucket, child: Child
) -> None:
    drawing, created = services.submit_drawing(
        child=child, category="face", sketch=ContentFile(sketch_png(), name="x.png"), client_id="s3"
    )
    assert created
    assert s3_bucket.names() == {drawing.sketch.name}
    assert s3_bucket.read(drawing.sketch.name)[:8] == b"\x89PNG\r\n\x1a\n"
    grants = s3_bucket.client.get_object_acl(Bucket=s3_bucket.name, Key=drawing.sketch.name)
    assert [g["Permission"] for g in grants["Grants"]] == ["FULL_CONTROL"]  # the owner alone
    assert all(g["Grantee"].get("Type") == "CanonicalUser" for g in grants["Grants"])
    # A stranger who learns the object's address gets nothing from the bucket.
    assert httpx.get(s3_bucket.address(drawing.sketch.name)).status_code == 403


def test_the_family_checked_views_stream_the_pictures_from_the_bucket(
    s3_bucket: S3Bucket, child: Child
) -> None:
    drawing = finished_drawing(child)
    assert s3_bucket.names() == stored(drawing)
    picture, sketch = s3_bucket.read(drawing.result.name), s3_bucket.read(drawing.sketch.name)
    answers = {
        "child api picture": (play_token(child).get(f"{API}/drawings/{drawing.pk}/picture.png")),
        "child api sketch": (play_token(child).get(f"{API}/drawings/{drawing.pk}/sketch.png")),
        "parent api picture": parent_token(child.parent).get(
            f"{API}/family/drawings/{drawing.pk}/picture/"
        ),
        "parent api sketch": parent_token(child.parent).get(
            f"{API}/family/drawings/{drawing.pk}/sketch/"
        ),
    }
    for what, answer in answers.items():
        assert answer.status_code == 200, what  # streamed, never a redirect to the bucket
        body = b"".join(answer.streaming_content)
        assert body == (picture if "picture" in what else sketch), what
        assert s3_bucket.endpoint not in str(answer.headers), what
    # Another family's parent and child get 404s, as with files on disk.
    stranger = ChildFactory.create()
    assert play_token(stranger).get(f"{API}/drawings/{drawing.pk}/picture.png").status_code == 404
    assert (
        parent_token(stranger.parent)
        .get(f"{API}/family/drawings/{drawing.pk}/picture/")
        .status_code
        == 404
    )


def test_a_signed_address_from_the_storage_is_short_lived(
    s3_bucket: S3Bucket, child: Child
) -> None:
    # The site never hands one out (the views stream), but anything that asks the storage for
    # an address gets a signed one that expires within minutes, not the object's plain address.
    drawing = finished_drawing(child)
    address = default_storage.url(drawing.result.name)
    query = parse_qs(urlsplit(address).query)
    if "X-Amz-Expires" in query:  # signature version 4
        assert int(query["X-Amz-Expires"][0]) <= 300
    else:  # version 2: an absolute expiry
        expires = int(query["Expires"][0])
        assert 0 < expires - timezone.now().timestamp() <= 300 + 5
    assert "Signature" in query or "X-Amz-Signature" in query
    assert httpx.get(address).content == s3_bucket.read(drawing.result.name)
    assert httpx.get(address.split("?")[0]).status_code == 403


def test_deleting_a_drawing_deletes_its_objects(
    s3_bucket: S3Bucket, child: Child, django_capture_on_commit_callbacks: Any
) -> None:
    kept, gone = finished_drawing(child), finished_drawing(child, seed=3)
    with django_capture_on_commit_callbacks(execute=True):  # files go once the rows have gone
        answer = parent_token(child.parent).delete(f"{API}/family/drawings/{gone.pk}/")
    assert answer.status_code == 204
    assert s3_bucket.names() == stored(kept)


def test_withdrawing_consent_deletes_every_object_of_the_child(
    s3_bucket: S3Bucket, child: Child, django_capture_on_commit_callbacks: Any
) -> None:
    sibling = ChildFactory.create(parent=child.parent)
    siblings = finished_drawing(sibling)
    for seed in range(3):
        finished_drawing(child, seed=seed)
    with django_capture_on_commit_callbacks(execute=True):
        answer = parent_token(child.parent).post(
            f"{API}/children/{child.pk}/withdraw-consent/", {"confirm": True}
        )
    assert answer.status_code == 200, answer.content
    assert s3_bucket.names() == stored(siblings)


def test_the_family_export_reads_the_pictures_from_the_bucket(
    s3_bucket: S3Bucket, child: Child
) -> None:
    drawing = finished_drawing(child)
    answer = parent_token(child.parent).get(f"{API}/family/export/")
    assert answer.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content)))
    pictures = [archive.read(n) for n in archive.namelist() if n.endswith(".png")]
    assert sorted(pictures) == sorted(s3_bucket.read(name) for name in stored(drawing))


def test_the_sweep_deletes_only_objects_no_drawing_refers_to(
    s3_bucket: S3Bucket, child: Child
) -> None:
    drawing = finished_drawing(child)
    orphan = default_storage.save("results/left-by-a-killed-worker.png", ContentFile(b"png"))
    swept = sweep_unreferenced_files(
        older_than=timedelta(minutes=30), now=timezone.now() + timedelta(hours=1)
    )
    assert swept == [orphan]
    assert s3_bucket.names() == stored(drawing)


def test_the_web_page_serves_the_picture_from_the_bucket(s3_bucket: S3Bucket, child: Child) -> None:
    drawing = finished_drawing(child)
    answer = play_as(Client(), child).get(f"/drawings/{drawing.pk}/result.png")
    assert answer.status_code == 200, answer
    body = b"".join(answer.streaming_content)  # type: ignore[attr-defined]
    assert body == s3_bucket.read(drawing.result.name)
