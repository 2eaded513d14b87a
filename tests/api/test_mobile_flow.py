"""A phone app's whole flow against the live ASGI server (uvicorn, the embedded worker, a real
generator), over real HTTP and a real websocket, with no cookies at all:

sign up -> confirm the email from the mail (a real SMTP server) -> sign in -> add a child -> play
token with the PIN -> open the socket -> submit a sketch -> drawing.status "done" on the socket ->
download the picture -> the parent's token lists it -> sign out everywhere: both tokens are refused
and the open socket is closed.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from urllib.parse import unquote

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.factories import sketch_png
from tests.fixtures.browser import LiveSite, serve_site
from tests.fixtures.mail import SmtpServer

PASSWORD = "mobile-app-password-77"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, smtp_server: SmtpServer) -> Iterator[LiveSite]:
    with serve_site(tmp_path_factory, EMAIL_URL=smtp_server.url) as live:
        yield live


def cookieless(url: str) -> httpx.Client:
    # A fresh client per step and an assertion on each answer: no step may rely on a cookie.
    return httpx.Client(base_url=url, timeout=30, cookies=None)


def call(url: str, method: str, path: str, token: str | None = None, **kwargs) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with cookieless(url) as client:
        response = client.request(method, path, headers=headers, **kwargs)
    assert "sessionid" not in response.headers.get("set-cookie", ""), (path, response.headers)
    return response


def ping_until_closed(socket) -> None:
    for _ in range(20):  # pongs keep coming until the server closes the socket
        socket.send(json.dumps({"type": "ping"}))
        socket.recv(timeout=5)


def test_a_phone_does_everything_without_a_cookie(site: LiveSite, smtp_server: SmtpServer) -> None:
    url = site.url
    email = f"phone-{uuid.uuid4().hex[:8]}@example.com"
    assert (
        call(
            url, "POST", "/api/v1/auth/signup/", json={"email": email, "password": PASSWORD}
        ).status_code
        == 202
    )
    link = smtp_server.mailbox.wait_for(email).link("/accounts/confirm-email/")
    key = unquote(link.rstrip("/").rsplit("/", 1)[-1])
    verified = call(url, "POST", "/api/v1/auth/app/auth/email/verify", json={"key": key})
    assert verified.status_code in (200, 401), verified.text  # 401: confirmed, now sign in
    signed_in = call(
        url,
        "POST",
        "/api/v1/auth/signin/",
        json={"email": email, "password": PASSWORD, "device_name": "Phone"},
    )
    assert signed_in.status_code == 201, signed_in.text
    parent = signed_in.json()["token"]

    added = call(
        url,
        "POST",
        "/api/v1/children/",
        parent,
        json={
            "nickname": "Dami",
            "avatar": "panda",
            "birth_year": 2018,
            "time_zone": "Asia/Seoul",
            "pin": "2468",
            "consent": True,
        },
    )
    assert added.status_code == 201, added.text
    child_id = added.json()["id"]
    played = call(
        url,
        "POST",
        f"/api/v1/children/{child_id}/play/",
        parent,
        json={"pin": "2468", "device_name": "Tablet"},
    )
    assert played.status_code == 201, played.text
    child = played.json()["token"]

    categories = call(url, "GET", "/api/v1/categories/", child).json()["categories"]
    ws_url = url.replace("http://", "ws://") + "/ws/"
    with connect(
        ws_url, additional_headers={"Authorization": f"Bearer {child}"}, open_timeout=20
    ) as socket:
        submitted = call(
            url,
            "POST",
            "/api/v1/drawings/",
            child,
            data={"category": categories[0]["slug"], "client_id": uuid.uuid4().hex},
            files={"sketch": ("sketch.png", sketch_png(), "image/png")},
        )
        assert submitted.status_code == 201, submitted.text
        drawing_id = submitted.json()["id"]
        deadline = time.monotonic() + 90
        status = None
        while status != "done" and time.monotonic() < deadline:
            message = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("type") == "drawing.status" and message["drawing"]["id"] == drawing_id:
                status = message["drawing"]["status"]
                assert status != "failed", message
        assert status == "done"

        picture = call(url, "GET", f"/api/v1/drawings/{drawing_id}/picture.png", child)
        assert picture.status_code == 200
        assert picture.content[:8] == b"\x89PNG\r\n\x1a\n"
        listed = call(url, "GET", "/api/v1/family/drawings/", parent).json()["results"]
        assert [d["id"] for d in listed] == [drawing_id]

        assert call(url, "POST", "/api/v1/auth/signout-everywhere/", parent).status_code == 204
        for token in (parent, child):
            refused = call(url, "GET", "/api/v1/categories/", token)
            assert refused.status_code == 401
            assert refused.json()["code"] == "not_signed_in"
        with pytest.raises(ConnectionClosed):
            ping_until_closed(socket)
    assert socket.close_code is not None and socket.close_code >= 4000, socket.close_code
