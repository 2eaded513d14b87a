"""Fixtures shared by every suite (registered once, used everywhere)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from channels.layers import channel_layers
from django.test import Client

from accounts.models import Child
from accounts.playmode import PLAY_SESSION_KEY
from inference.runtime import get_runtime
from inference.testing import write_random_generator
from tests.factories import ChildFactory

TEST_CATEGORIES = (
    ("face", "Face", "얼굴", "🙂"),
    ("panda", "Panda", "판다", "🐼"),
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # Real hashing (PBKDF2) costs ~0.3 s per password and PIN; no behaviour under test
    # depends on the algorithm, only on hashes never equalling the secret.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_channel_layer(settings) -> Iterator[None]:
    """Each test gets a channel layer of its own, so nothing leaks between tests.

    In-memory by default; with REDIS_URL set (``make pytest-production``) the real
    Redis layer, under a prefix no other test uses.
    """
    if settings.REDIS_URL:
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [settings.REDIS_URL], "prefix": f"test-{uuid.uuid4().hex}"},
            }
        }
    else:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


# A Wednesday at noon in Seoul (03:00 UTC): no time-of-day or weekend rule fires by accident.
ORDINARY_MOMENT = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


@pytest.fixture
def ordinary_day() -> Iterator[None]:
    """Pin the wall clock (ticking from a fixed moment) for tests whose outcome depends on it."""
    with time_machine.travel(ORDINARY_MOMENT, tick=True):
        yield


@pytest.fixture
def generators_dir(settings, tmp_path: Path) -> Iterator[Path]:
    """A registry with one small random-weight generator serving 'face' and 'panda'."""
    directory = tmp_path / "generators"
    directory.mkdir()
    write_random_generator(directory, name="test-gen", categories=TEST_CATEGORIES)
    settings.GENERATORS_DIR = directory
    get_runtime().reset()
    yield directory
    get_runtime().reset()


@pytest.fixture
def child(db) -> Child:
    return ChildFactory.create()


def play_as(client: Client, child: Child) -> Client:
    """Sign the child's parent in and enter play mode as ``child``."""
    client.force_login(child.parent)
    session = client.session
    session[PLAY_SESSION_KEY] = child.pk
    session.save()
    return client


@pytest.fixture
def child_client(child: Child) -> Client:
    return play_as(Client(), child)
