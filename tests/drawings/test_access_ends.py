"""Access ends everywhere at once: a new password, signing out (here or everywhere), revoking a
device, withdrawing a child's consent and a web session running out close every socket they
affect — the web's session sockets too — within 2 s, and leave every other socket open."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts import tokens
from accounts.models import Child
from drawings.socket_auth import UNAUTHORISED
from icanvas_site.asgi import application
from tests.factories import DEFAULT_PASSWORD
from tests.fixtures.api import TokenClient
from tests.fixtures.live import make_child, session_cookie_for, socket

pytestmark = pytest.mark.django_db(transaction=True)

WITHIN = 2.0  # seconds: "at once"
SESSION_ENDED = {"type": "websocket.close", "code": UNAUTHORISED, "reason": "session_ended"}
TOKEN_REVOKED = {"type": "websocket.close", "code": UNAUTHORISED, "reason": "token_revoked"}

issue_play = database_sync_to_async(tokens.issue_play_token)
issue_parent = database_sync_to_async(tokens.issue_parent_token)


def token_socket(token: str) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application, "/ws/", [(b"authorization", f"Bearer {token}".encode())]
    )


async def opened(communicator: WebsocketCommunicator) -> WebsocketCommunicator:
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def closed_with(communicator: WebsocketCommunicator) -> dict[str, Any]:
    """The socket's next output, which must come within 2 s."""
    return await communicator.receive_output(timeout=WITHIN)


async def still_open(*communicators: WebsocketCommunicator) -> None:
    for communicator in communicators:
        await communicator.send_json_to({"type": "ping"})
        assert await communicator.receive_json_from(timeout=WITHIN) == {"type": "pong"}
        await communicator.disconnect()


def rest(token: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    return sync_to_async(getattr(TokenClient(token), method))(path, body or {}, format="json")


async def test_a_new_password_closes_every_socket_of_the_family() -> None:
    child = await make_child()
    other_family = await make_child()
    playing = await opened(socket(await session_cookie_for(child)))
    play_device = await opened(token_socket((await issue_play(child=child)).token))
    parents_phone = await issue_parent(parent=child.parent)
    phone_socket = await opened(token_socket(parents_phone.token))
    elsewhere = await opened(socket(await session_cookie_for(other_family)))

    changed = await rest(
        parents_phone.token,
        "post",
        "/api/v1/auth/password/",
        {"old_password": DEFAULT_PASSWORD, "new_password": "a-brand-new-secret-42"},
    )

    assert changed.status_code == 201
    assert await closed_with(playing) == SESSION_ENDED
    assert await closed_with(play_device) == TOKEN_REVOKED
    assert await closed_with(phone_socket) == TOKEN_REVOKED
    await still_open(elsewhere)


async def test_a_new_password_in_the_family_admin_closes_the_other_sessions_sockets() -> None:
    child = await make_child()
    playing_elsewhere = await opened(socket(await session_cookie_for(child)))
    play_device = await opened(token_socket((await issue_play(child=child)).token))
    browser = Client()
    await sync_to_async(browser.force_login)(child.parent)

    changed = await sync_to_async(browser.post)(
        "/family/admin/password_change/",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "a-brand-new-secret-42",
            "new_password2": "a-brand-new-secret-42",
        },
    )

    assert changed.status_code == 302
    assert await closed_with(playing_elsewhere) == SESSION_ENDED
    assert await closed_with(play_device) == TOKEN_REVOKED
    assert (await sync_to_async(browser.get)("/family/admin/")).status_code == 200


async def test_leaving_play_mode_and_signing_out_close_that_sessions_socket_only() -> None:
    child = await make_child()
    another_browser = await opened(socket(await session_cookie_for(child)))
    for then in ("", "sign-out"):
        cookie = await session_cookie_for(child)
        playing = await opened(socket(cookie))
        browser = Client()
        name, value = cookie.decode().split("=", 1)
        browser.cookies[name] = value

        left = await sync_to_async(browser.post)(
            "/play/leave/", {"password": DEFAULT_PASSWORD, "then": then}
        )

        assert left.status_code == 302
        assert await closed_with(playing) == SESSION_ENDED
    await still_open(another_browser)


async def test_signing_out_everywhere_and_revoking_a_device_close_their_sockets() -> None:
    """Revoking one device closes its sockets; signing out everywhere ends every token and
    every web session of the parent, browsers included."""
    child = await make_child()
    phone = await issue_parent(parent=child.parent)
    tablet = await issue_parent(parent=child.parent, device_name="tablet")
    tablet_socket = await opened(token_socket(tablet.token))
    play_device = await opened(token_socket((await issue_play(child=child)).token))
    cookie = await session_cookie_for(child)
    playing_in_a_browser = await opened(socket(cookie))
    elsewhere = await opened(socket(await session_cookie_for(await make_child())))
    assert (
        await rest(phone.token, "delete", f"/api/v1/auth/devices/{tablet.row.public_id}/")
    ).status_code == 204
    assert await closed_with(tablet_socket) == TOKEN_REVOKED

    assert (await rest(phone.token, "post", "/api/v1/auth/signout-everywhere/")).status_code == 204
    assert await closed_with(play_device) == TOKEN_REVOKED
    assert await closed_with(playing_in_a_browser) == SESSION_ENDED
    # ... and that browser is signed out: its next page asks it to sign in
    browser = Client()
    name, value = cookie.decode().split("=", 1)
    browser.cookies[name] = value
    assert (await sync_to_async(browser.get)("/draw/")).status_code == 302
    await still_open(elsewhere)


async def test_withdrawing_consent_closes_the_childs_sockets_and_no_sibling_s() -> None:
    child = await make_child()
    sibling: Child = await make_child(parent=child.parent)
    playing = await opened(socket(await session_cookie_for(child)))
    play_device = await opened(token_socket((await issue_play(child=child)).token))
    sibling_playing = await opened(socket(await session_cookie_for(sibling)))
    sibling_device = await opened(token_socket((await issue_play(child=sibling)).token))
    phone = await issue_parent(parent=child.parent)

    withdrawn = await rest(
        phone.token,
        "post",
        f"/api/v1/children/{child.pk}/withdraw-consent/",
        {"confirm": True},
    )

    assert withdrawn.status_code == 200
    assert await closed_with(playing) == SESSION_ENDED
    assert await closed_with(play_device) == TOKEN_REVOKED
    await still_open(sibling_playing, sibling_device)


@database_sync_to_async
def expire_session(cookie: bytes, *, after: timedelta) -> None:
    """The session behind ``cookie`` runs out ``after`` from now, as an idle one does when no
    request has renewed it for the session's age."""
    session_key = cookie.decode().split("=", 1)[1]
    Session.objects.filter(session_key=session_key).update(expire_date=timezone.now() + after)


async def test_a_web_session_that_runs_out_closes_its_socket_and_no_other() -> None:
    child = await make_child()
    cookie = await session_cookie_for(child)
    await expire_session(cookie, after=timedelta(seconds=1))
    running_out = await opened(socket(cookie))
    fresh = await opened(socket(await session_cookie_for(child)))
    assert await running_out.receive_output(timeout=1 + WITHIN) == SESSION_ENDED
    await still_open(fresh)


async def test_a_session_renewed_meanwhile_keeps_its_socket() -> None:
    child = await make_child()
    cookie = await session_cookie_for(child)
    await expire_session(cookie, after=timedelta(seconds=1))
    renewed = await opened(socket(cookie))
    # A request saves the session before it would have run out: its new age counts.
    await expire_session(cookie, after=timedelta(days=14))
    assert await renewed.receive_nothing(timeout=1 + WITHIN)
    await still_open(renewed)


def browser_with(cookie: bytes) -> Client:
    browser = Client()
    name, value = cookie.decode().split("=", 1)
    browser.cookies[name] = value
    return browser


async def last_request_idle_minutes_ago(browser: Client, *, but: float) -> None:
    """The browser's last request came ``SESSION_IDLE_MINUTES`` less ``but`` seconds ago: the
    clock is moved back for it, and the session renewed then runs out ``but`` s from now."""
    then = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE - but)
    with time_machine.travel(then, tick=True):
        assert (await sync_to_async(browser.get)("/progress/")).status_code == 200


async def test_a_web_session_left_idle_closes_its_socket_when_it_runs_out() -> None:
    child = await make_child()
    cookie = await session_cookie_for(child)
    await last_request_idle_minutes_ago(browser_with(cookie), but=1)
    left_alone = await opened(socket(cookie))
    fresh = await opened(socket(await session_cookie_for(child)))

    assert await left_alone.receive_output(timeout=1 + WITHIN) == SESSION_ENDED
    await still_open(fresh)
    # ... and the page's next request finds the parent signed out
    assert (await sync_to_async(browser_with(cookie).get)("/progress/")).status_code == 302


async def test_a_request_before_the_idle_end_keeps_the_socket_open() -> None:
    child = await make_child()
    cookie = await session_cookie_for(child)
    browser = browser_with(cookie)
    await last_request_idle_minutes_ago(browser, but=1)
    in_use = await opened(socket(cookie))

    assert (await sync_to_async(browser.get)("/progress/")).status_code == 200  # renews it

    assert await in_use.receive_nothing(timeout=1 + WITHIN)
    await still_open(in_use)
