"""The live socket survives whatever a client sends, closes idle sockets and caps them per child."""

from __future__ import annotations

import asyncio

import pytest

from drawings.consumers import IDLE, MESSAGE_TOO_BIG, TOO_MANY_SOCKETS, json_depth_within
from tests.fixtures.live import make_child, session_cookie_for, socket

pytestmark = pytest.mark.django_db(transaction=True)


async def _open(child=None):
    child = child or await make_child()
    communicator = socket(await session_cookie_for(child))
    connected, _ = await communicator.connect()
    assert connected
    return communicator, child


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"text_data": "not json {"}, "not_json"),
        ({"bytes_data": b"\x00\xff binary"}, "binary_not_supported"),
        ({"text_data": "[" * 100_000 + "]" * 100_000}, "too_deep"),
        ({"text_data": '{"a": ' * 20 + "1" + "}" * 20}, "too_deep"),
    ],
)
async def test_garbage_is_answered_and_the_socket_stays_open(frame: dict, code: str) -> None:
    communicator, _ = await _open()
    if "text_data" in frame and len(frame["text_data"]) > 4096:
        # Over the size cap as well: closed, not crashed.
        await communicator.send_to(**frame)
        closed = await communicator.receive_output(timeout=5)
        assert closed == {"type": "websocket.close", "code": MESSAGE_TOO_BIG}
        return
    await communicator.send_to(**frame)
    reply = await communicator.receive_json_from(timeout=5)
    assert reply["type"] == "error" and reply["code"] == code
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=5) == {"type": "pong"}
    await communicator.disconnect()


async def test_deep_nesting_under_the_size_cap_never_reaches_the_parser() -> None:
    communicator, _ = await _open()
    await communicator.send_to(text_data="[" * 2000 + "]" * 2000)
    reply = await communicator.receive_json_from(timeout=5)
    assert reply["code"] == "too_deep"
    await communicator.disconnect()


async def test_an_idle_socket_is_closed(settings) -> None:
    settings.WS_IDLE_TIMEOUT = 0.5
    communicator, _ = await _open()
    closed = await communicator.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": IDLE}


# Real waits, kept: the idle watchdog sleeps on the event loop's monotonic timers, which
# time-machine does not move (it leaves asyncio's clock alone), so only passing time shows that
# talking keeps a socket open past its idle timeout.
async def test_a_talking_socket_stays_open(settings) -> None:
    settings.WS_IDLE_TIMEOUT = 0.6
    communicator, _ = await _open()
    for _ in range(4):
        await asyncio.sleep(0.3)
        await communicator.send_json_to({"type": "ping"})
        assert await communicator.receive_json_from(timeout=5) == {"type": "pong"}
    await communicator.disconnect()


async def test_a_child_may_hold_only_so_many_sockets(settings) -> None:
    settings.WS_MAX_SOCKETS_PER_CHILD = 2
    first, child = await _open()
    second, _ = await _open(child)
    third = socket(await session_cookie_for(child))
    connected, code = await third.connect()
    assert not connected and code == TOO_MANY_SOCKETS
    await first.disconnect()
    fourth, _ = await _open(child)  # a closed socket frees its place
    await second.disconnect()
    await fourth.disconnect()


def test_the_depth_check_skips_brackets_inside_strings() -> None:
    assert json_depth_within('{"text": "[[[[[[[[[[[[[["}', 2)
    assert not json_depth_within("[[[", 2)
    assert json_depth_within('{"a": "\\\\"}', 1)
