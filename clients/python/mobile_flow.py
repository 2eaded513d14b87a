"""The mobile app's whole flow through the Python client openapi-python-client generated from
/api/schema/ (no hand edits), against a live server:

sign up -> confirm the email (the key from the link in the mail, as the app gets it when the
parent taps it; allauth's headless API) -> sign in -> add a child -> list the children -> play
with the PIN -> what can be drawn -> open the socket (the token in the Authorization header) ->
submit a sketch (a binary multipart part) -> the ``done`` event -> download the picture (the
generated call, and the event's ``api_picture_url``) -> progress, quests and achievements ->
leave play mode -> sign out.

    python mobile_flow.py --url http://127.0.0.1:8000 --sketch sketch.png --mail-dir MAILS

``--mail-dir``: a folder where each mail the server sent is a text file (the tests' SMTP server
writes one); without it the flow stops after sign-up, as the address cannot be confirmed.

Prints one JSON object of timings; exits non-zero, saying which step, on anything unexpected.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import uuid
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
from icanvas_client import AuthenticatedClient, Client
from icanvas_client.api.account import (
    v1_auth_signin_create,
    v1_auth_signout_create,
    v1_auth_signup_create,
    v1_children_play_create,
    v1_play_leave_create,
)
from icanvas_client.api.child import (
    v1_achievements_list,
    v1_categories_retrieve,
    v1_drawings_create,
    v1_drawings_picture_png_retrieve,
    v1_drawings_retrieve,
    v1_progress_retrieve,
    v1_quests_list,
)
from icanvas_client.api.family import v1_children_create, v1_children_list
from icanvas_client.models import (
    ChildCreateRequest,
    DrawingSubmitRequest,
    PasswordRequest,
    PlayRequest,
    SignInRequest,
    SignUpRequest,
)
from icanvas_client.types import UNSET, File, Unset
from websockets.sync.client import connect

PASSWORD = "a-phone-and-a-panda-42"  # noqa: S105 (a new account on a test server)
PIN = "2468"


def expect(step: str, response: Any, status: int) -> Any:
    if response.status_code != status:
        sys.exit(f"{step}: expected {status}, got {response.status_code}: {response.content!r}")
    return response.parsed


CONFIRM_LINK = re.compile(r"/accounts/confirm-email/([^/\s]+)/")


def confirm_email(base_url: str, email: str, mail_dir: Path) -> None:
    """The key from the confirmation mail, sent to allauth's headless API (/api/v1/auth/app/)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for mail in sorted(mail_dir.glob("*.txt")):
            text = mail.read_text(encoding="utf-8")
            found = CONFIRM_LINK.search(text)
            if text.startswith(f"To: {email}") and found:
                answer = httpx.post(
                    f"{base_url}/api/v1/auth/app/auth/email/verify",
                    json={"key": unquote(found.group(1))},
                    timeout=30,
                )
                if answer.status_code not in (200, 401):  # 401: confirmed, not signed in
                    sys.exit(f"confirm the email: got {answer.status_code}: {answer.text}")
                return
        time.sleep(0.2)
    sys.exit(f"confirm the email: no mail to {email} in {mail_dir}")


def download_picture(child: AuthenticatedClient, heard: dict[str, Any]) -> bytes:
    """The finished picture through the generated call, and from the address the socket's
    ``done`` event named (``api_picture_url``, which works with the play token): the same PNG."""
    picture = expect(
        "download the picture",
        v1_drawings_picture_png_retrieve.sync_detailed(id=heard["id"], client=child),
        200,
    )
    png: bytes = picture.payload.read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n", png[:16]
    from_event = child.get_httpx_client().get(heard["api_picture_url"])
    assert from_event.status_code == 200, (heard, from_event.text)
    assert from_event.headers["Content-Type"] == "image/png", from_event.headers
    assert from_event.content == png, "the event's picture is not the one the API serves"
    return png


def every_achievement(child: AuthenticatedClient) -> list[Any]:
    """The achievements page by page, as every list of the API pages: by the cursor in
    ``next`` (null on the last page; ``next_`` in the generated model, ``next`` being Python's)."""
    found: list[Any] = []
    cursor: str | Unset = UNSET
    while True:
        page = expect(
            "achievements",
            v1_achievements_list.sync_detailed(client=child, cursor=cursor, page_size=4),
            200,
        )
        found += page.results
        if not page.next_:
            return found
        cursor = parse_qs(urlsplit(page.next_).query)["cursor"][0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--sketch", type=Path, required=True)
    parser.add_argument("--mail-dir", type=Path, required=True)
    args = parser.parse_args()
    started = time.monotonic()
    timings: dict[str, float] = {}

    anyone = Client(base_url=args.url, raise_on_unexpected_status=False)
    email = f"phone-{uuid.uuid4().hex[:10]}@example.com"
    expect(
        "sign up",
        v1_auth_signup_create.sync_detailed(
            client=anyone, body=SignUpRequest(email=email, password=PASSWORD)
        ),
        202,
    )
    confirm_email(args.url, email, args.mail_dir)
    signed_in = expect(
        "sign in",
        v1_auth_signin_create.sync_detailed(
            client=anyone,
            body=SignInRequest(email=email, password=PASSWORD, device_name="Python phone"),
        ),
        201,
    )
    parent = AuthenticatedClient(base_url=args.url, token=signed_in.token)

    added = expect(
        "add a child",
        v1_children_create.sync_detailed(
            client=parent,
            body=ChildCreateRequest(
                nickname="Dami",
                avatar="panda",
                birth_year=2018,
                time_zone="Asia/Seoul",
                pin=PIN,
                consent=True,
            ),
        ),
        201,
    )
    children = expect("list children", v1_children_list.sync_detailed(client=parent), 200)
    assert [c.id for c in children.results] == [added.id], children
    played = expect(
        "play with the PIN",
        v1_children_play_create.sync_detailed(
            id=added.id, client=parent, body=PlayRequest(pin=PIN, device_name="Python tablet")
        ),
        201,
    )
    child = AuthenticatedClient(base_url=args.url, token=played.token)
    timings["signed_in_s"] = round(time.monotonic() - started, 3)

    things = expect("categories", v1_categories_retrieve.sync_detailed(client=child), 200)
    category = things.categories[0].slug
    socket_url = args.url.replace("http://", "ws://", 1) + "/ws/"
    with connect(
        socket_url, additional_headers={"Authorization": f"Bearer {played.token}"}
    ) as socket:
        submitted_at = time.monotonic()
        sketch = File(payload=BytesIO(args.sketch.read_bytes()), file_name="sketch.png")
        drawing = expect(
            "submit a sketch",
            v1_drawings_create.sync_detailed(
                client=child,
                body=DrawingSubmitRequest(
                    sketch=sketch, category=category, client_id=uuid.uuid4().hex
                ),
            ),
            201,
        )
        heard: dict[str, Any] = {"status": drawing.status}
        while heard["status"] != "done":
            event = json.loads(socket.recv(timeout=max(0.1, 90 - (time.monotonic() - started))))
            if event.get("type") == "drawing.status" and event["drawing"]["id"] == drawing.id:
                heard = event["drawing"]
                if heard["status"] == "failed":
                    sys.exit(f"the drawing failed: {event}")
        timings["submit_to_done_s"] = round(time.monotonic() - submitted_at, 3)

    fresh = expect(
        "read the drawing", v1_drawings_retrieve.sync_detailed(id=drawing.id, client=child), 200
    )
    assert fresh.api_picture_url == f"/api/v1/drawings/{drawing.id}/picture.png", fresh
    png = download_picture(child, heard)
    progress = expect("progress", v1_progress_retrieve.sync_detailed(client=child), 200)
    assert progress.drawings_done == 1 and progress.xp_total > 0, progress
    quests = expect("quests", v1_quests_list.sync_detailed(client=child), 200)
    assert len(quests.results) == 3 and not quests.next_, quests
    achievements = every_achievement(child)
    assert any(a.slug == "first-picture" and a.earned for a in achievements), achievements

    expect(
        "leave play mode",
        v1_play_leave_create.sync_detailed(client=child, body=PasswordRequest(password=PASSWORD)),
        204,
    )
    expect("sign out", v1_auth_signout_create.sync_detailed(client=parent), 204)
    expect("signed out for good", v1_children_list.sync_detailed(client=parent), 401)
    timings["total_s"] = round(time.monotonic() - started, 3)
    print(
        json.dumps(
            {
                "client": "python",
                "picture_bytes": len(png),
                "xp": progress.xp_total,
                "quests": len(quests.results),
                "achievements": len(achievements),
                **timings,
            }
        )
    )


if __name__ == "__main__":
    main()
