"""The body guard measured from outside: a second process on loopback against the live server."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.fixtures.browser import LiveSite, serve_site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    with serve_site(tmp_path_factory, REQUEST_BODY_TIMEOUT="1.5") as live:
        yield live


def _connect(site: LiveSite) -> socket.socket:
    address = urlsplit(site.url)
    return socket.create_connection(
        (address.hostname or "127.0.0.1", address.port or 80), timeout=10
    )


def _status(connection: socket.socket) -> int:
    reply = connection.recv(4096).decode("latin-1")
    return int(reply.split(" ", 2)[1])


def _headers(length: int) -> bytes:
    return (
        "POST /api/v1/drawings/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


def test_an_announced_40_mb_body_is_refused_before_a_byte_of_it_is_sent(site: LiveSite) -> None:
    with _connect(site) as connection:
        started = time.monotonic()
        connection.sendall(_headers(40 * 1024 * 1024))
        assert _status(connection) == 413
        assert time.monotonic() - started < 2.0


def test_a_body_that_never_arrives_is_closed_after_the_timeout(site: LiveSite) -> None:
    with _connect(site) as connection:
        started = time.monotonic()
        connection.sendall(_headers(1000) + b"--x\r\n")
        assert _status(connection) == 408
        assert 1.0 < time.monotonic() - started < 6.0
