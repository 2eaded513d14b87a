"""Health for the operator and a clear answer while Redis is down: /healthz/live and
/healthz/ready, and 503 + Retry-After with one log line instead of 500 + a traceback."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from rest_framework.test import APIClient

import icanvas_site.asgi  # noqa: F401  (set up before caplog: its django.setup() resets logging)
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.fixtures.live import make_child, session_cookie_for, socket

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
        }
    }
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [UNREACHABLE_REDIS]},
        }
    }
    return settings


def _no_traceback(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.django_db
def test_live_and_ready_when_all_is_well() -> None:
    assert Client().get("/healthz/live").json() == {"status": "alive"}
    ready = Client().get("/healthz/ready")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "database": "ok",
        "cache": "ok",
        "channel_layer": "ok",
    }


@pytest.mark.django_db
def test_ready_says_which_part_is_down(redis_down, caplog) -> None:
    assert Client().get("/healthz/live").status_code == 200
    ready = Client().get("/healthz/ready")
    assert ready.status_code == 503 and int(ready["Retry-After"]) > 0
    body = ready.json()
    assert body["database"] == "ok"
    assert body["cache"].startswith("unavailable") and body["channel_layer"].startswith("unavail")
    assert len(_no_traceback(caplog)) == 1


@pytest.mark.django_db
def test_with_redis_down_sign_in_and_sign_up_answer_503_with_one_log_line(
    redis_down, caplog
) -> None:
    parent = UserFactory.create()
    web = Client().post("/login/", {"username": parent.email, "password": DEFAULT_PASSWORD})
    api = APIClient().post(
        "/api/v1/auth/signin/", {"email": parent.email, "password": DEFAULT_PASSWORD}
    )
    signup = APIClient().post(
        "/api/v1/auth/signup/",
        {"email": "new@example.com", "password": "a-long-fresh-password-9"},
        format="json",
    )
    for response in (web, api, signup):
        assert response.status_code == 503, response.content[:300]
        assert int(response["Retry-After"]) > 0
    assert api.json()["code"] == "unavailable" and signup.json()["code"] == "unavailable"
    assert len(_no_traceback(caplog)) == 3  # one line per request


@pytest.mark.django_db(transaction=True)
async def test_with_redis_down_the_socket_closes_1013_without_a_traceback(
    redis_down, caplog
) -> None:
    child = await make_child()
    communicator = socket(await session_cookie_for(child))
    connected, code = await communicator.connect(timeout=5)
    assert not connected and code == 1013
    await communicator.wait(timeout=5)
    assert len(_no_traceback(caplog)) == 1


@pytest.mark.django_db(transaction=True)
async def test_with_redis_down_a_socket_from_another_site_is_refused_without_a_traceback(
    redis_down, caplog
) -> None:
    from channels.testing import WebsocketCommunicator

    from icanvas_site.asgi import application

    for headers in ([(b"origin", b"https://elsewhere.example")], []):  # no Origin, no token
        communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
        connected, _code = await communicator.connect(timeout=5)
        assert not connected
    assert not [r for r in caplog.records if r.exc_info]
