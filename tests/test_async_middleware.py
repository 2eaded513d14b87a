"""Under ASGI no middleware moves a request into a thread, and play mode works the same there.

Django adapts the chain around a sync-only middleware (and logs it at DEBUG on
``django.request``): the whole chain above it then runs in a thread for every request. Every
middleware here is sync and async capable, so the chain stays on the event loop until the view.
"""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.test import AsyncClient
from django.utils.module_loading import import_string

from accounts.models import Child
from accounts.playmode import PLAY_SESSION_KEY
from tests.factories import ChildFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_middleware_is_async_capable() -> None:
    sync_only = [
        path
        for path in settings.MIDDLEWARE
        if not getattr(import_string(path), "async_capable", False)
    ]
    assert sync_only == []


def _adapted(caplog) -> list[str]:
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="django.request"):
        ASGIHandler()
    return [r.getMessage() for r in caplog.records if "adapted for" in r.getMessage()]


def test_the_asgi_chain_is_built_without_adapting_any_middleware(caplog, settings) -> None:
    settings.DEBUG = True  # Django logs each adaptation only then
    assert _adapted(caplog) == []
    # ... where WhiteNoise's own, sync-only middleware would be adapted (the check can fail).
    settings.MIDDLEWARE = [
        "whitenoise.middleware.WhiteNoiseMiddleware" if "WhiteNoise" in path else path
        for path in settings.MIDDLEWARE
    ]
    assert any("WhiteNoiseMiddleware" in line for line in _adapted(caplog))


async def _playing(child: Child) -> AsyncClient:
    client = AsyncClient()
    await client.aforce_login(child.parent)
    session = await client.asession()
    await session.aset(PLAY_SESSION_KEY, child.pk)
    await session.asave()
    return client


async def test_a_playing_child_draws_over_asgi_and_is_kept_out_of_grown_up_places() -> None:
    parent = await UserFactory._meta.model.objects.acreate(email="p@example.com", is_staff=True)
    child = await Child.objects.acreate(parent=parent, nickname="Mina", birth_year=2019)
    client = await _playing(child)

    assert (await client.get("/draw/")).status_code == 200
    admin = await client.get("/admin/")
    assert (admin.status_code, admin["Location"]) == (302, "/draw/")
    sign_out = await client.post("/logout/")
    assert sign_out["Location"] == "/play/leave/?then=sign-out"


async def test_a_parent_not_playing_and_a_visitor_are_not_children_over_asgi() -> None:
    parent = await UserFactory._meta.model.objects.acreate(email="q@example.com")
    client = AsyncClient()
    await client.aforce_login(parent)
    family = await client.get("/family/")
    assert family.status_code == 200
    assert family.asgi_request.child is None  # type: ignore[attr-defined]
    visitor = await AsyncClient().get("/")
    assert visitor.asgi_request.child is None  # type: ignore[attr-defined]


async def test_a_device_handed_to_a_deleted_child_is_signed_out_over_asgi() -> None:
    child = await Child.objects.acreate(
        parent=await UserFactory._meta.model.objects.acreate(email="r@example.com"),
        nickname="Gone",
        birth_year=2019,
    )
    client = await _playing(child)
    await child.adelete()
    response = await client.get("/draw/")
    assert response.asgi_request.child is None  # type: ignore[attr-defined]
    assert "_auth_user_id" not in await (await client.asession()).akeys()


def test_the_sync_path_still_plays(client) -> None:
    child = ChildFactory.create()
    client.force_login(child.parent)
    session = client.session
    session[PLAY_SESSION_KEY] = child.pk
    session.save()
    assert client.get("/draw/").status_code == 200
    assert client.get("/admin/")["Location"] == "/draw/"
