"""Issue 22's socket probes, replayed against a running server by ``scripts/attack.py``.

Rows: a websocket text frame that is not UTF-8 (closed with 1007, no traceback); a child's play
token and play-mode session sockets after the withdrawal of its consent, and a play session's
and a play token's sockets after a password change (each closed within 2 s of the answer). The
password probe changes the demo parent's password and changes it back.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from typing import Any

import httpx
from attack import DEMO_PASSWORD, DEMO_PIN, Row
from attack_accounts import TEMP_PASSWORD, api_client, play_token, reauthenticate, web_play
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.sync.client import ClientConnection, connect

CLOSE_WITHIN_S = 2.0  # issue 22: access ends everywhere within 2 s


@contextmanager
def _socket(base: str, *, client: httpx.Client | None = None, token: str = "") -> Iterator[Any]:
    """A /ws/ socket opened with the browser's cookies or a token (None when refused)."""
    headers = {"Origin": base}
    if client is not None:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    if token:
        headers["Authorization"] = f"Bearer {token}"
    address = base.replace("http://", "ws://") + "/ws/"
    try:
        ws = connect(address, additional_headers=headers, open_timeout=10)
    except (OSError, InvalidHandshake):
        yield None
        return
    with ws:
        yield ws


def _closed_within(ws: ClientConnection | None, started: float, wait: float = 5.0) -> float | None:
    """Seconds from ``started`` until the server closed ``ws`` (None: still open after
    ``wait`` seconds; events that arrive meanwhile are read and dropped)."""
    if ws is None:
        return None
    while time.monotonic() - started < wait:
        try:
            ws.recv(timeout=max(0.05, wait - (time.monotonic() - started)))
        except ConnectionClosed:
            return time.monotonic() - started
        except TimeoutError:
            break
    return None


def _record_close(row: Row, ws: ClientConnection | None, answered: float, name: str) -> None:
    """One row entry: ``ws`` closed by the server within 2 s of the action's answer."""
    seconds = _closed_within(ws, answered)
    ok = seconds is not None and seconds <= CLOSE_WITHIN_S
    row.sent += 1
    row.as_expected += int(ok)
    row.slowest_s = max(row.slowest_s, seconds or 0.0)
    if ws is None:
        row.notes.append(f"{name}: not opened")
    elif seconds is None:
        row.notes.append(f"{name}: open 5 s after the answer")
    elif not ok:
        row.notes.append(f"{name}: closed {seconds:.1f} s after the answer")


def probe_invalid_utf8(base: str, token: str | None, rows: list[Row]) -> None:
    row = Row("websocket text frame that is not UTF-8 (x3)", "closed with 1007")
    with api_client(base, token) as api:
        children = api.get("/children/").json().get("results", []) if token else []
        play = play_token(api, children[0]["id"], DEMO_PIN) if children else None
    for _ in range(3):
        started = time.monotonic()
        with _socket(base, token=play or "") as ws:
            code = None
            if ws is not None:
                ws.send(b'{"type": "ping", "x": "\xff\xfe"}', text=True)
                try:
                    while True:
                        ws.recv(timeout=10)
                except ConnectionClosed as closed:
                    code = closed.rcvd.code if closed.rcvd else None
                except TimeoutError:
                    code = None
            row.record(code == 1007, None, time.monotonic() - started)
            if code != 1007:
                row.notes.append(f"close code {code}")
    rows.append(row)


def probe_consent_withdrawal(base: str, token: str | None, rows: list[Row]) -> None:
    """A new child with a play-token socket and a play-mode session socket: both close within
    2 s of the withdrawal of its consent."""
    row = Row("withdraw consent; the child's token and session sockets", "both closed within 2 s")
    with api_client(base, token) as api:
        avatars = api.get("/children/avatars/").json()
        avatar = (avatars.get("results", avatars) if isinstance(avatars, dict) else avatars)[0]
        made = api.post(
            "/children/",
            json={
                "nickname": "Probe",
                "avatar": avatar["value"] if isinstance(avatar, dict) else avatar,
                "birth_year": time.gmtime().tm_year - 7,
                "pin": "4321",
                "consent": True,
            },
        )
        if made.status_code != 201:
            row.record(False, made.status_code, 0.0)
            row.notes.append(f"could not add a child: {made.text[:80]}")
            rows.append(row)
            return
        child_id = made.json()["id"]
        play = play_token(api, child_id, "4321") or ""
        with ExitStack() as stack:
            web = stack.enter_context(closing(web_play(base, child_id, "4321")))
            by_token = stack.enter_context(_socket(base, token=play))
            by_session = stack.enter_context(_socket(base, client=web))
            reauthenticate(api, DEMO_PASSWORD)
            started = time.monotonic()
            answer = api.post(f"/children/{child_id}/withdraw-consent/", json={"confirm": True})
            row.record(answer.status_code == 200, answer.status_code, time.monotonic() - started)
            answered = time.monotonic()
            _record_close(row, by_token, answered, "token socket")
            _record_close(row, by_session, answered, "session socket")
    rows.append(row)


def probe_password_change(base: str, token: str | None, rows: list[Row]) -> str | None:
    """A play-mode session's socket and a play token's socket close within 2 s of a password
    change; the password is then changed back (the answer: the parent's newest token)."""
    row = Row("POST /api/v1/auth/password/; play session and token sockets", "closed within 2 s")
    with api_client(base, token) as api:
        children = api.get("/children/").json().get("results", []) if token else []
        if not children:
            row.notes.append("no parent token or no child")
            rows.append(row)
            return token
        play = play_token(api, children[0]["id"], DEMO_PIN) or ""
        with ExitStack() as stack:
            web = stack.enter_context(closing(web_play(base, children[0]["id"], DEMO_PIN)))
            by_session = stack.enter_context(_socket(base, client=web))
            by_token = stack.enter_context(_socket(base, token=play))
            reauthenticate(api, DEMO_PASSWORD)
            started = time.monotonic()
            changed = api.post(
                "/auth/password/",
                json={"old_password": DEMO_PASSWORD, "new_password": TEMP_PASSWORD},
            )
            row.record(changed.status_code == 201, changed.status_code, time.monotonic() - started)
            answered = time.monotonic()
            _record_close(row, by_session, answered, "session socket")
            _record_close(row, by_token, answered, "token socket")
    if changed.status_code != 201:
        rows.append(row)
        return token
    with api_client(base, changed.json()["token"]) as api:
        reauthenticate(api, TEMP_PASSWORD)
        back = api.post(
            "/auth/password/", json={"old_password": TEMP_PASSWORD, "new_password": DEMO_PASSWORD}
        )
    if back.status_code != 201:
        row.notes.append(f"password NOT changed back ({back.status_code}): it is {TEMP_PASSWORD}")
    rows.append(row)
    return back.json().get("token") if back.status_code == 201 else None
