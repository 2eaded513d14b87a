"""A client's garbage on the live server (uvicorn, websockets-sansio): a text frame that is not
UTF-8 closes the socket with 1007 and leaves one line in the log, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.servers import ROOT, asgi_server, manage

pytestmark = pytest.mark.slow

MAKE_PLAY_TOKEN = """
from accounts import tokens
from tests.factories import ChildFactory
print(tokens.issue_play_token(child=ChildFactory.create()).token)
"""


@dataclass
class Server:
    url: str
    log: Path
    token: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("garbage")
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "DJANGO_SETTINGS_MODULE": "icanvas_site.settings",
        "DATABASE_URL": f"sqlite:///{home / 'db.sqlite3'}",
        "MEDIA_ROOT": str(home / "media"),
        "INFERENCE_EMBEDDED_WORKER": "false",
    }
    manage(env, "migrate", "--noinput", "-v", "0")
    made = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", MAKE_PLAY_TOKEN],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    token = made.stdout.strip().splitlines()[-1]
    log = home / "server.log"
    with asgi_server(env, log) as url:
        yield Server(url=url, log=log, token=token)


def test_a_text_frame_that_is_not_utf8_closes_quietly_with_1007(server: Server) -> None:
    address = server.url.replace("http://", "ws://") + "/ws/"
    headers = {"Authorization": f"Bearer {server.token}"}
    with connect(address, additional_headers=headers, open_timeout=10) as socket:
        socket.send('{"type": "ping"}')
        assert socket.recv(timeout=10) == '{"type": "pong"}'
        socket.send(b'{"type": "ping", "x": "\xff\xfe"}', text=True)
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1007
    # the server is fine: the next client is served
    with connect(address, additional_headers=headers, open_timeout=10) as again:
        again.send('{"type": "ping"}')
        assert again.recv(timeout=10) == '{"type": "pong"}'
    log = server.log.read_text()
    assert "Traceback" not in log and "UnicodeDecodeError" not in log, log[-3000:]
    assert log.count("Invalid UTF-8 sequence received from client.") == 1
