""" "What did you draw?" with the worker elsewhere: the web process asks a worker over the
channel layer and labels its answer; no answer in time is "no guesses right now"."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers, get_channel_layer
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from drawings.remote_suggestions import (
    SUGGESTIONS_CHANNEL,
    SuggestionResponder,
    ask_a_worker,
)
from inference.lab.testing import write_random_classifier, write_random_generator
from inference.serving.runtime import get_runtime
from inference.serving.sketch_files import encode_png, normalise_sketch
from tests.factories import sketch_png

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/suggestions/"
THINGS = (
    ("panda", "Panda", "판다", "🐼", "animal"),
    ("cat", "Cat", "고양이", "🐱", "animal"),
    ("animal", "Animal", "동물", "🐶", "animal"),
)


@pytest.fixture(autouse=True)
def _in_memory_layer(settings) -> None:
    """The protocol between web and worker, on the in-memory layer even under
    ``make pytest-production``: with channels_redis 4.3 and redis-py 8.1, a responder cancelled
    after it answered never finished cancelling (its receive sat in redis-py's read), which hung
    the event loop's teardown. Redis itself is covered by tests/drawings/test_redis_layer.py."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()


@pytest.fixture
def guessing(generators_dir: Path) -> Path:
    for old in generators_dir.glob("*.*"):
        old.unlink()
    write_random_generator(generators_dir, name="things", categories=THINGS)
    write_random_classifier(generators_dir, categories=("sun", "panda", "car", "cat"))
    get_runtime().reset()
    return generators_dir


@pytest.fixture
def web_only(settings) -> None:
    settings.INFERENCE_EMBEDDED_WORKER = False
    settings.SUGGESTIONS_TIMEOUT_SECONDS = 1.0


@contextlib.asynccontextmanager
async def answering() -> AsyncIterator[SuggestionResponder]:
    responder = SuggestionResponder()
    task = asyncio.create_task(responder.run())
    try:
        yield responder
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def ask(client: Client, **extra: str):
    upload = SimpleUploadedFile("s.png", sketch_png(), "image/png")
    return client.post(URL, {"sketch": upload}, **extra)  # type: ignore[arg-type]


async def test_a_worker_guesses_for_the_web_process_as_the_embedded_one_would(
    guessing: Path, web_only: None, child_client: Client, settings
) -> None:
    async with answering() as responder:
        remote = await sync_to_async(ask)(child_client)
        korean = await sync_to_async(ask)(child_client, HTTP_ACCEPT_LANGUAGE="ko")
    assert remote.status_code == 200, remote.content
    assert responder.answered == 2
    assert "판다" in [s["label"] for s in korean.json()]

    settings.INFERENCE_EMBEDDED_WORKER = True  # the same question, answered in this process
    embedded = await sync_to_async(ask)(child_client)
    assert remote.json() == embedded.json()
    assert sorted(s["slug"] for s in remote.json()) == ["cat", "panda"]


async def test_without_a_worker_the_child_hears_not_now_and_the_canvas_asks_later(
    guessing: Path, web_only: None, child_client: Client, settings
) -> None:
    settings.SUGGESTIONS_TIMEOUT_SECONDS = 0.2
    started = time.monotonic()
    response = await sync_to_async(ask)(child_client)
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response.json()["code"] == "suggestions_busy"
    assert response.json()["detail"].startswith("No guesses right now.")
    assert int(response["Retry-After"]) > 0
    korean = await sync_to_async(ask)(child_client, HTTP_ACCEPT_LANGUAGE="ko")
    assert korean.json()["detail"] != response.json()["detail"]
    assert get_runtime()._classifier is None  # nothing was loaded here


async def test_a_worker_without_a_classifier_says_so_and_the_canvas_stops_asking(
    guessing: Path, web_only: None, child_client: Client
) -> None:
    async with answering():
        # The web's cards offer guessing; this worker's directory has no classifier.
        for path in (guessing / "classifiers").glob("*"):
            path.rename(path.with_suffix(path.suffix + ".gone"))
        try:
            response = await sync_to_async(ask)(child_client)
        finally:
            for path in (guessing / "classifiers").glob("*.gone"):
                path.rename(path.with_suffix(""))
    assert response.status_code == 503
    assert response.json()["code"] == "suggestions_unavailable"
    assert "Retry-After" not in response


async def test_a_request_past_its_deadline_is_dropped_not_answered(guessing: Path) -> None:
    layer = get_channel_layer()
    reply_to = await layer.new_channel("suggestions.reply.")
    png = encode_png(normalise_sketch(sketch_png()))
    async with answering() as responder:
        await layer.send(
            SUGGESTIONS_CHANNEL,
            {
                "type": "suggest",
                "reply_to": reply_to,
                "sketch": png,
                "allowed": ["panda"],
                "deadline": time.time() - 1,
            },
        )
        # A fresh request behind it is answered: the stale one was skipped, not stuck.
        ranked = await ask_a_worker(png, {"panda", "cat"}, within=5)
        assert responder.answered == 1
    assert ranked is not None and {slug for slug, _ in ranked} == {"panda", "cat"}
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(layer.receive(reply_to), 0.2)


async def test_garbage_on_the_channel_does_not_stop_the_answering(guessing: Path) -> None:
    layer = get_channel_layer()
    png = encode_png(normalise_sketch(sketch_png()))
    async with answering():
        for junk in (
            {"type": "suggest"},
            {"type": "suggest", "reply_to": 7, "deadline": time.time() + 9},
            {"type": "suggest", "reply_to": "x!y", "deadline": time.time() + 9, "sketch": "no"},
            {"type": "suggest", "reply_to": "x!y", "deadline": "soon", "sketch": png},
            {
                "type": "suggest",
                "reply_to": await layer.new_channel("suggestions.reply."),
                "deadline": time.time() + 9,
                "sketch": b"GIF89a not a sketch",
                "allowed": ["panda"],
            },
        ):
            await layer.send(SUGGESTIONS_CHANNEL, junk)
        assert await ask_a_worker(png, {"panda"}, within=5) == [("panda", 1.0)]
