"""Every API error has one JSON shape: a stable code and a sentence, never a traceback."""

from __future__ import annotations

import io
import logging

import pytest
from django.test import Client
from PIL import Image

from tests.factories import ChildFactory
from tests.fixtures.site import play_as

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(buffer, "PNG")
    return buffer.getvalue()


def test_anonymous_calls_get_the_sites_sentence_and_a_code() -> None:
    response = Client().get("/api/v1/drawings/")
    assert response.status_code in (401, 403)
    body = response.json()
    assert body["code"] == "not_signed_in" and body["detail"] == "Please sign in first."


def test_too_many_form_fields_is_a_400_in_the_same_shape_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = Client()
    play_as(client, ChildFactory.create())
    fields = {f"f{i}": "x" for i in range(1100)}
    with caplog.at_level(logging.WARNING):
        response = client.post("/api/v1/drawings/", fields)
    assert response.status_code == 400
    assert response.json()["code"] == "unreadable_request"
    assert not [r for r in caplog.records if r.exc_info]


def test_a_very_long_file_name_is_irrelevant(generators_dir) -> None:
    client = Client()
    play_as(client, ChildFactory.create())
    upload = io.BytesIO(_png())
    upload.name = "a" * 1000 + ".png"
    response = client.post(
        "/api/v1/drawings/", {"category": "face", "client_id": "long-name-1", "sketch": upload}
    )
    assert response.status_code == 201, response.content


def test_validation_errors_keep_their_fields_and_gain_a_code() -> None:
    client = Client()
    play_as(client, ChildFactory.create())
    response = client.post("/api/v1/drawings/", {"category": "face"})
    body = response.json()
    assert response.status_code == 400
    assert "sketch" in body["field_errors"] and isinstance(body["code"], str) and body["detail"]
