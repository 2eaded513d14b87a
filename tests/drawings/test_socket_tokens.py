"""/ws/ without cookies: a device token in the Authorization header or the icanvas.bearer.*
subprotocol, never in the address; revoked and expired tokens are turned away."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from accounts import tokens
from accounts.models import ApiToken, Child
from drawings import events, protocol, services
from drawings.consumers import IDLE, TOO_MANY_SOCKETS
from drawings.models import Drawing, DrawingStatus
from drawings.payloads import child_drawing_payload
from drawings.socket_auth import BAD_HANDSHAKE, UNAUTHORISED
from drawings.worker import InferenceWorker
from icanvas_site.asgi import application
from tests.factories import sketch_png
from tests.fixtures.api import TokenClient
from tests.fixtures.live import (
    make_child,
    next_status_message,
    running_worker,
    session_cookie_for,
    socket,
    submit,
)

pytestmark = pytest.mark.django_db(transaction=True)

SITE = (b"origin", b"http://127.0.0.1:8000")
issue_play = database_sync_to_async(tokens.issue_play_token)
issue_parent = database_sync_to_async(tokens.issue_parent_token)


def token_socket(
    token: str, *, via: str = "header", path: str = "/ws/", origin: bool = False
) -> WebsocketCommunicator:
    """A native client's /ws/ connection: the token and, for a browser, its Origin; no cookie."""
    headers = [SITE] if origin else []
    subprotocols = None
    if via == "header":
        headers.append((b"authorization", f"Bearer {token}".encode()))
    else:
        subprotocols = ["icanvas.v1", f"icanvas.bearer.{token}"]
    communicator = WebsocketCommunicator(application, path, headers, subprotocols)
    assert all(name != b"cookie" for name, _ in communicator.scope["headers"])
    return communicator


async def opened(communicator: WebsocketCommunicator) -> WebsocketCommunicator:
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def refusal(communicator: WebsocketCommunicator) -> int:
    connected, code = await communicator.connect()
    assert not connected
    return code


def socket_at(path: str) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, path, headers=[SITE])


async def all_done(worker: InferenceWorker, *drawings: Drawing) -> None:
    """Wait until the running ``worker`` has finished every one of ``drawings`` (checked again
    after each batch it finishes)."""
    ids = [d.pk for d in drawings]
    count = database_sync_to_async(
        lambda: Drawing.objects.filter(pk__in=ids, status=DrawingStatus.DONE).count()
    )

    async def finished() -> bool:
        return await count() == len(ids)

    if not await worker.batch_finished.until(finished, within=30):
        raise AssertionError("the worker did not finish the drawings")


async def drain(communicator: WebsocketCommunicator) -> list[dict]:
    """Every message still waiting on the socket."""
    messages = []
    while not await communicator.receive_nothing(timeout=0.3):
        messages.append(await communicator.receive_json_from())
    return messages


async def status_of(child: Child, drawing_id: int) -> None:
    """What the worker tells a child's pages, sent straight to the child's group."""
    drawing = await database_sync_to_async(Drawing.objects.get)(pk=drawing_id)
    payload = await database_sync_to_async(child_drawing_payload)(drawing)
    await sync_to_async(events.send_to_child)(child.pk, protocol.drawing_status(payload))


async def test_a_play_token_in_the_header_hears_its_child_and_not_a_sibling() -> None:
    alice = await make_child()
    bob = await make_child(parent=alice.parent)
    alice_socket = await opened(token_socket((await issue_play(child=alice)).token))
    mine, _ = await submit(child=alice, category="face", sketch=sketch_png(), client_id="a")
    sibling, _ = await submit(child=bob, category="panda", sketch=sketch_png(), client_id="b")
    skipped: list[dict] = []
    async with running_worker() as worker:
        done = await next_status_message(alice_socket, "done", skipped=skipped)
        await all_done(worker, mine, sibling)
    assert done["drawing"]["id"] == mine.pk
    assert "child_id" not in done  # exactly what the web page hears
    later = skipped + await drain(alice_socket)
    assert {m["drawing"]["id"] for m in later} <= {mine.pk}
    await alice_socket.disconnect()


async def done_as_heard(child: Child, token: str) -> tuple[Drawing, dict]:
    """A drawing of ``child`` drawn by a worker, and its ``done`` payload as the socket that
    ``token`` opened heard it."""
    communicator = await opened(token_socket(token))
    drawing, _ = await submit(child=child, category="face", sketch=sketch_png(), client_id="u")
    async with running_worker():
        done = (await next_status_message(communicator, "done"))["drawing"]
    await communicator.disconnect()
    return drawing, done


async def assert_pngs(app: TokenClient, *addresses: str) -> None:
    for address in addresses:
        answer = await sync_to_async(app.get)(address)
        assert answer.status_code == 200, address
        assert answer["Content-Type"] == "image/png"


async def test_a_play_token_follows_the_picture_address_its_socket_sent() -> None:
    child = await make_child()
    issued = await issue_play(child=child)
    drawing, done = await done_as_heard(child, issued.token)
    app = TokenClient(issued.token)
    await assert_pngs(
        app, done["api_picture_url"], done["api_sketch_url"], done["versions"][0]["api_url"]
    )
    # The website's address is named as such: it wants the browser's session, not the token.
    assert (await sync_to_async(app.get)(done["result_url"])).status_code != 200
    assert done == await sync_to_async(lambda: app.get(f"/api/v1/drawings/{drawing.pk}/").json())()


async def test_the_subprotocol_form_echoes_only_icanvas_v1() -> None:
    child = await make_child()
    token = (await issue_play(child=child)).token
    communicator = token_socket(token, via="subprotocol", origin=True)
    connected, subprotocol = await communicator.connect()
    assert connected and subprotocol == "icanvas.v1"
    assert token not in str(subprotocol)
    drawing, _ = await submit(child=child, category="face", sketch=sketch_png(), client_id="s")
    await status_of(child, drawing.pk)
    heard = await communicator.receive_json_from(timeout=5)
    assert heard["type"] == "drawing.status" and heard["drawing"]["id"] == drawing.pk
    await communicator.disconnect()


async def test_the_bearer_subprotocol_alone_would_echo_the_token_so_it_is_refused() -> None:
    token = (await issue_play(child=await make_child())).token
    alone = WebsocketCommunicator(application, "/ws/", [SITE], [f"icanvas.bearer.{token}"])
    assert await refusal(alone) == BAD_HANDSHAKE
    both = token_socket(token, via="subprotocol")
    both.scope["headers"].append((b"authorization", f"Bearer {token}".encode()))
    assert await refusal(both) == BAD_HANDSHAKE


@pytest.mark.parametrize("query", ["token={}", "access_token={}", "Authorization=x", "t={}"])
async def test_a_token_in_the_address_is_refused_even_a_valid_one(query: str) -> None:
    token = (await issue_play(child=await make_child())).token
    path = "/ws/?" + query.format(token)
    assert await refusal(token_socket(token, path=path)) == BAD_HANDSHAKE
    assert await refusal(socket_at(path)) == BAD_HANDSHAKE


async def test_a_parent_token_hears_every_child_of_the_family_hidden_ones_too() -> None:
    alice = await make_child()
    bob = await make_child(parent=alice.parent)
    stranger = await make_child()  # another family
    family = await opened(token_socket((await issue_parent(parent=alice.parent)).token))
    bob_socket = await opened(token_socket((await issue_play(child=bob)).token))
    shown, _ = await submit(child=alice, category="face", sketch=sketch_png(), client_id="1")
    hidden, _ = await submit(child=bob, category="panda", sketch=sketch_png(), client_id="2")
    foreign, _ = await submit(child=stranger, category="face", sketch=sketch_png(), client_id="3")
    await database_sync_to_async(services.set_drawings_hidden)(
        drawings=Drawing.objects.filter(pk=hidden.pk), hidden=True
    )
    heard: dict[int, dict] = {}
    async with running_worker() as worker:
        while len(heard) < 2:
            message = await next_status_message(family, "done")
            heard[message["drawing"]["id"]] = message
        await all_done(worker, shown, hidden, foreign)
    assert set(heard) == {shown.pk, hidden.pk}
    assert (heard[shown.pk]["child_id"], heard[shown.pk]["hidden"]) == (alice.pk, False)
    assert (heard[hidden.pk]["child_id"], heard[hidden.pk]["hidden"]) == (bob.pk, True)
    # Nothing of the other family's; Bob's own socket never hears of what his parent hid.
    assert foreign.pk not in {m["drawing"]["id"] for m in await drain(family)}
    assert hidden.pk not in {m["drawing"]["id"] for m in await drain(bob_socket)}
    await family.disconnect()
    await bob_socket.disconnect()


async def test_a_parent_token_follows_the_download_addresses_its_socket_sent() -> None:
    child = await make_child()
    issued = await issue_parent(parent=child.parent)
    drawing, done = await done_as_heard(child, issued.token)
    parent = TokenClient(issued.token)
    await assert_pngs(parent, done["picture_download_url"], done["sketch_download_url"])
    # The child API's addresses would answer 403 to a parent: they are not in its event.
    assert "api_picture_url" not in done
    rest = await sync_to_async(lambda: parent.get(f"/api/v1/family/drawings/{drawing.pk}/"))()
    assert rest.json()["picture_download_url"].endswith(done["picture_download_url"])


async def test_revoking_a_token_closes_its_open_sockets_and_only_those() -> None:
    child = await make_child()
    issued = await issue_play(child=child)
    doomed = await opened(token_socket(issued.token))
    other = await opened(token_socket((await issue_parent(parent=child.parent)).token))
    await database_sync_to_async(tokens.revoke)(
        ApiToken.objects.filter(public_id=issued.row.public_id)
    )
    closed = await doomed.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": UNAUTHORISED, "reason": "token_revoked"}
    assert await refusal(token_socket(issued.token)) == UNAUTHORISED
    await other.send_json_to({"type": "ping"})
    assert await other.receive_json_from(timeout=5) == {"type": "pong"}
    await other.disconnect()


@database_sync_to_async
def expire(issued: tokens.IssuedToken, *, after: timedelta) -> None:
    ApiToken.objects.filter(pk=issued.row.pk).update(expiry=timezone.now() + after)


async def test_an_expired_token_is_refused_and_an_expiring_one_is_closed() -> None:
    child = await make_child()
    stale = await issue_play(child=child)
    await expire(stale, after=timedelta(seconds=-1))
    assert await refusal(token_socket(stale.token)) == UNAUTHORISED
    running_out = await issue_play(child=child)
    await expire(running_out, after=timedelta(seconds=1))
    communicator = await opened(token_socket(running_out.token))
    closed = await communicator.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": UNAUTHORISED, "reason": "token_expired"}


@pytest.mark.parametrize(
    "authorization", [b"Bearer icc_not-a-real-token", b"Bearer", b"Basic dXNlcjpwYXNz"]
)
async def test_an_unknown_or_malformed_token_is_refused(authorization: bytes) -> None:
    communicator = WebsocketCommunicator(application, "/ws/", [(b"authorization", authorization)])
    assert await refusal(communicator) == UNAUTHORISED


async def test_without_a_token_the_origin_check_still_guards_the_cookie() -> None:
    child = await make_child()
    cookie = await session_cookie_for(child)
    no_origin = WebsocketCommunicator(application, "/ws/", [(b"cookie", cookie)])
    connected, _ = await no_origin.connect()
    assert not connected
    token = (await issue_play(child=child)).token
    foreign = token_socket(token)
    foreign.scope["headers"].append((b"origin", b"http://evil.example"))
    connected, _ = await foreign.connect()
    assert not connected


async def test_a_token_outranks_a_cookie_on_the_same_request() -> None:
    child = await make_child()
    parent_token = (await issue_parent(parent=child.parent)).token
    communicator = token_socket(parent_token, origin=True)
    communicator.scope["headers"].append((b"cookie", await session_cookie_for(child)))
    await opened(communicator)
    drawing, _ = await submit(child=child, category="face", sketch=sketch_png(), client_id="c")
    await status_of(child, drawing.pk)  # the child's group: this socket is the family's
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_the_socket_limits_hold_for_token_sockets(settings) -> None:
    settings.WS_MAX_SOCKETS_PER_CHILD = 1
    settings.WS_MAX_SOCKETS_PER_PARENT = 1
    child = await make_child()
    web = await opened(socket(await session_cookie_for(child)))
    play_token = (await issue_play(child=child)).token
    assert await refusal(token_socket(play_token)) == TOO_MANY_SOCKETS  # the child's cap
    parent_token = (await issue_parent(parent=child.parent)).token
    first_device = await opened(token_socket(parent_token))
    assert await refusal(token_socket(parent_token)) == TOO_MANY_SOCKETS  # the parent's cap
    await first_device.send_to(text_data="not json {")
    assert (await first_device.receive_json_from(timeout=5))["code"] == "not_json"
    await web.disconnect()
    await first_device.disconnect()
    settings.WS_IDLE_TIMEOUT = 0.5
    quiet = await opened(token_socket(play_token))
    assert await quiet.receive_output(timeout=5) == {"type": "websocket.close", "code": IDLE}
