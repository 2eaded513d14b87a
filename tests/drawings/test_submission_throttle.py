"""Submissions are throttled per child and per family, in the cache, with a friendly 429."""

from __future__ import annotations

import io
import uuid

import pytest
from django.test import Client
from PIL import Image

from tests.factories import ChildFactory
from tests.fixtures.site import play_as

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    image = Image.new("RGB", (64, 64), "white")
    for x in range(10, 54):
        image.putpixel((x, 32), (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _submit(client: Client):
    upload = io.BytesIO(_png())
    upload.name = "s.png"
    return client.post(
        "/api/v1/drawings/",
        {"category": "face", "client_id": uuid.uuid4().hex, "sketch": upload},
    )


def test_a_child_over_the_limit_is_asked_to_wait(settings, generators_dir) -> None:
    settings.SUBMISSION_RATE_PER_CHILD = "3/min"
    client = play_as(Client(), ChildFactory.create())
    assert [_submit(client).status_code for _ in range(3)] == [201, 201, 201]
    refused = _submit(client)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused.json()["code"] == "throttled" and "wait" in refused.json()["detail"]
    assert client.get("/api/v1/drawings/").status_code == 200  # reading is never throttled


def test_siblings_share_the_familys_limit(settings, generators_dir) -> None:
    settings.SUBMISSION_RATE_PER_CHILD = "5/min"
    settings.SUBMISSION_RATE_PER_FAMILY = "4/min"
    first = ChildFactory.create()
    sibling = ChildFactory.create(parent=first.parent)
    stranger = ChildFactory.create()
    a, b = play_as(Client(), first), play_as(Client(), sibling)
    assert [_submit(a).status_code for _ in range(2)] == [201, 201]
    assert [_submit(b).status_code for _ in range(2)] == [201, 201]
    assert _submit(b).status_code == 429 and _submit(a).status_code == 429
    assert _submit(play_as(Client(), stranger)).status_code == 201
