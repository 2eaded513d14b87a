"""Issue 22's account probes, replayed against a running server by ``scripts/attack.py``.

Rows: forwarded addresses trusted by the per-address throttles (sign-up, sign-in, PIN); wrong
sign-ins on made-up emails locking out a real parent from the same address; a share link that
works after its picture is hidden (and a new link for a hidden picture); a disallowed lookup in
the family admin's address; wrong parent passwords on ``/api/v1/play/leave/`` not counted by the
sign-in lock-out. The socket rows are in ``attack_sockets.py``; the order is ``attack.py``'s.
"""

from __future__ import annotations

import re
import time
from contextlib import closing
from typing import Any

import httpx
from attack import DEMO_EMAIL, DEMO_PASSWORD, DEMO_PIN, Row, play_as, signed_in_parent

TEMP_PASSWORD = "probe-temporary-77-words"  # noqa: S105 - set for a moment, then changed back


def api_client(base: str, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=30)


def _sign_in(base: str, password: str = DEMO_PASSWORD) -> httpx.Response:
    with api_client(base) as api:
        return api.post(
            "/auth/signin/",
            json={"email": DEMO_EMAIL, "password": password, "device_name": "attack.py"},
        )


def reauthenticate(api: httpx.Client, password: str) -> int:
    return api.post("/auth/reauthenticate/", json={"password": password}).status_code


def _confirm_if_asked(client: httpx.Client, page: httpx.Response) -> httpx.Response:
    """Answer allauth's "confirm access" page (a sensitive page asks for the password again)
    and return the page it leads back to."""
    if not page.url.path.startswith("/accounts/reauthenticate/"):
        return page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    return client.post(
        str(page.url),
        data={"password": DEMO_PASSWORD, "csrfmiddlewaretoken": token.group(1) if token else ""},
        headers={"Referer": str(page.url)},
    )


def web_play(base: str, child_id: int, pin: str) -> httpx.Client:
    """A browser signed in as the demo parent and playing as ``child_id``."""
    return play_as(signed_in_parent(base), base, child_id, pin)


def probe_lockout_of_others(base: str, rows: list[Row]) -> str | None:
    """Six wrong passwords on made-up emails, then the demo parent's right one: signed in."""
    row = Row("6 wrong sign-ins on made-up emails, then the real parent", "the parent gets 201")
    with api_client(base) as api:
        for i in range(6):
            started = time.monotonic()
            answer = api.post(
                "/auth/signin/",
                json={"email": f"nobody-{i}-{time.time_ns()}@example.org", "password": "wrong-pw"},
            )
            ok = answer.status_code in (400, 429)  # 429: this address is being slowed down
            row.record(ok, answer.status_code, time.monotonic() - started)
    started = time.monotonic()
    answer = _sign_in(base)
    wait = int(answer.headers.get("Retry-After", "0") or 0)
    if answer.status_code == 429 and wait <= 65:
        # An address with many wrong sign-ins (an earlier run) is slowed down, never locked.
        row.notes.append(f"slowed down {wait} s")
        time.sleep(wait)
        answer = _sign_in(base)
    row.record(answer.status_code == 201, answer.status_code, time.monotonic() - started)
    rows.append(row)
    return answer.json().get("token") if answer.status_code == 201 else None


def _throttled_despite_forwarded(
    row: Row, send: Any, count: int, ok_statuses: tuple[int, ...]
) -> None:
    throttled = 0
    for i in range(count):
        forwarded = {"X-Forwarded-For": f"1.2.3.{i + 1}, 10.66.{i + 1}.66"}
        started = time.monotonic()
        answer = send(i, forwarded)
        if answer.status_code == 429 and not throttled:
            row.notes.append(f"first 429 at request {i + 1}")
        throttled += answer.status_code == 429
        ok = answer.status_code in (*ok_statuses, 429)
        row.record(ok, answer.status_code, time.monotonic() - started)
    if not throttled:
        row.as_expected = 0
        row.notes.append("none throttled: X-Forwarded-For trusted")


def probe_forwarded_sign_up(base: str, rows: list[Row]) -> None:
    row = Row("12 sign-ups, X-Forwarded-For varied each", "429 by the 11th (10/hour)")
    with api_client(base) as api:
        _throttled_despite_forwarded(
            row,
            lambda i, h: api.post(
                "/auth/signup/",
                json={"email": f"probe-{time.time_ns()}@example.org", "password": TEMP_PASSWORD},
                headers=h,
            ),
            12,
            (202,),
        )
    rows.append(row)


def probe_forwarded_sign_in_and_pin(base: str, token: str | None, rows: list[Row]) -> None:
    row = Row("33 sign-ins (bad emails), X-Forwarded-For varied", "429 by the 31st (30/min)")
    with api_client(base) as api:
        _throttled_despite_forwarded(
            row,
            lambda i, h: api.post(
                "/auth/signin/", json={"email": f"not-an-email-{i}", "password": "x"}, headers=h
            ),
            33,
            (400,),
        )
    rows.append(row)
    row = Row("12 PINs (not 4 digits), X-Forwarded-For varied", "429 by the 11th (10/min)")
    with api_client(base, token) as api:
        children = api.get("/children/").json().get("results", []) if token else []
        if not children:
            row.notes.append("no parent token or no child")
        else:
            child_id = children[0]["id"]
            _throttled_despite_forwarded(
                row,
                lambda i, h: api.post(f"/children/{child_id}/play/", json={"pin": "x"}, headers=h),
                12,
                (400,),
            )
    rows.append(row)


def probe_hidden_share(base: str, token: str | None, rows: list[Row]) -> None:
    """A share link made, its picture hidden: the link must stop, no new link may be made."""
    row = Row("hide a shared picture; share a hidden one", "link 404/410; no new link")
    add = "/family/admin/sharing/sharelink/add/"
    with closing(signed_in_parent(base)) as web, api_client(base, token) as api:
        form = _confirm_if_asked(web, web.get(add)).text
        picture = re.search(r'name="drawing"[^>]*>.*?<option value="(\d+)"', form, re.S)
        if picture is None:
            row.notes.append("no finished picture to share (or no fresh sign-in)")
            rows.append(row)
            return
        drawing_id = picture.group(1)

        def make_link() -> str | None:
            page = _confirm_if_asked(web, web.get(add))
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
            made = web.post(
                add,
                data={
                    "drawing": drawing_id,
                    "days": "1",
                    "csrfmiddlewaretoken": csrf.group(1) if csrf else "",
                    "_save": "1",
                },
                headers={"Referer": f"{base}{add}"},
            )
            row.server_errors += int(made.status_code >= 500)
            link = re.search(r"/shared/([^/\"<\s]+)/", made.text)
            return link.group(1) if link else None

        link = make_link()
        if link is None:
            row.notes.append("could not make a link for a shown picture")
            rows.append(row)
            return
        try:
            started = time.monotonic()
            shown = httpx.get(f"{base}/shared/{link}/", timeout=30)  # the link works at first
            row.record(shown.status_code == 200, shown.status_code, time.monotonic() - started)
            started = time.monotonic()
            hidden = api.post(f"/family/drawings/{drawing_id}/hide/")
            row.record(hidden.status_code == 200, hidden.status_code, time.monotonic() - started)
            for path in (f"/shared/{link}/", f"/shared/{link}/picture.png"):
                started = time.monotonic()
                answer = httpx.get(f"{base}{path}", timeout=30)
                ok = answer.status_code in (404, 410)
                row.record(ok, answer.status_code, time.monotonic() - started)
            started = time.monotonic()
            again = make_link()
            row.record(again is None, None, time.monotonic() - started)
            if again is not None:
                row.notes.append("a link was made for a hidden picture")
        finally:
            api.post(f"/family/drawings/{drawing_id}/show/")
    rows.append(row)


def probe_admin_lookup(base: str, rows: list[Row]) -> None:
    row = Row("family admin ?child__parent__id__exact=3 (and 2 more)", "400, one log line")
    queries = (
        "/family/admin/drawings/drawing/?child__parent__id__exact=3",
        "/family/admin/drawings/drawing/?child__parent__password__startswith=p",
        "/family/admin/sharing/sharelink/?drawing__child__parent__email__contains=a",
    )
    with closing(signed_in_parent(base)) as web:
        for query in queries:
            started = time.monotonic()
            answer = web.get(query)
            row.record(answer.status_code == 400, answer.status_code, time.monotonic() - started)
    rows.append(row)


def play_token(api: httpx.Client, child_id: int, pin: str) -> str | None:
    answer = api.post(f"/children/{child_id}/play/", json={"pin": pin, "device_name": "probe"})
    return answer.json().get("token") if answer.status_code == 201 else None


def probe_leave_play_guessing(base: str, token: str | None, rows: list[Row]) -> None:
    """Wrong parent passwords on /play/leave/ count toward the parent's lock-out: after them
    the right password at sign-in (same address) is answered 429 ``locked``. Locks the demo
    parent out for ``SIGN_IN_LOCKOUT_MINUTES``."""
    row = Row("up to 6 wrong passwords on /api/v1/play/leave/", "counted: sign-in then 429 locked")
    with api_client(base, token) as api:
        children = api.get("/children/").json().get("results", []) if token else []
        play = play_token(api, children[0]["id"], DEMO_PIN) if children else None
    if play is None:
        row.notes.append("no play token")
        rows.append(row)
        return
    deadline = time.monotonic() + 45
    seen: list[str] = []
    with api_client(base, play) as child:
        tries = 0
        while tries < 6 and time.monotonic() < deadline:
            started = time.monotonic()
            answer = child.post("/play/leave/", json={"password": f"guess-{tries}"})
            seen.append(str(answer.status_code))
            row.record(answer.status_code in (400, 429), answer.status_code, 0.0)
            row.slowest_s = max(row.slowest_s, time.monotonic() - started)
            if answer.status_code == 429:
                code = answer.json().get("code")
                if code == "locked" and "signing in is paused" in answer.text:
                    break
                wait = int(answer.headers.get("Retry-After", "5"))
                if time.monotonic() + wait > deadline:
                    break
                time.sleep(wait)
                continue
            tries += 1
    row.notes.append("leave answers " + " ".join(seen))
    started = time.monotonic()
    answer = _sign_in(base)
    locked = answer.status_code == 429 and answer.json().get("code") == "locked"
    row.record(locked, answer.status_code, time.monotonic() - started)
    if not locked:
        row.notes.append(f"sign-in answered {answer.status_code} {answer.text[:60]}")
    rows.append(row)
