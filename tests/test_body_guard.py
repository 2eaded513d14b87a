"""The ASGI body guard refuses oversized and trickling bodies before the application reads them."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from icanvas_site.body_guard import BodyGuard

MB = 1024 * 1024


class Recorder:
    """An ASGI app that reads the whole body, as Django's handler does, then answers 200."""

    def __init__(self) -> None:
        self.called = False
        self.body = b""

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        self.called = True
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            self.body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def _scope(path: str, headers: list[tuple[bytes, bytes]] | None = None) -> dict:
    return {"type": "http", "method": "POST", "path": path, "headers": headers or []}


class Clock:
    """A monotonic clock the test moves: a slow client costs no real waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def _call(
    guard: Any, scope: dict, chunks: list[bytes], delay: float = 0.0, clock: Clock | None = None
) -> tuple[int, Any, int]:
    """Run one request; return (status, body, how many times the client was read). Each read
    of the client takes ``delay`` seconds of ``clock``."""
    reads = 0
    queue = list(chunks)

    async def receive() -> dict:
        nonlocal reads
        reads += 1
        if delay and clock is not None:
            clock.now += delay
        if not queue:
            await asyncio.Event().wait()  # the client sends nothing more
        chunk = queue.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(queue)}

    sent: list[dict] = []

    async def send(message: Any) -> None:
        sent.append(message)

    await guard(scope, receive, send)
    status = sent[0]["status"]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    try:
        return status, json.loads(body), reads
    except ValueError:
        return status, body, reads


def _server_scope(path: str, announced: int) -> dict:
    """A full HTTP scope, as a server would hand a real Django application, announcing a body."""
    return {
        **_scope(path, [(b"content-length", str(announced).encode())]),
        "server": ("127.0.0.1", 80),
        "query_string": b"",
        "scheme": "http",
        "asgi": {"version": "3.0"},
    }


def _guard(app: Any, timeout: float = 5.0, clock: Clock | None = None) -> BodyGuard:
    return BodyGuard(
        app,
        limits={"/api/v1/drawings/": 6 * MB},
        default=256 * 1024,
        body_timeout=timeout,
        **({"clock": clock} if clock is not None else {}),
    )


def test_an_announced_oversized_body_is_refused_from_the_headers_alone() -> None:
    app = Recorder()
    scope = _scope("/api/v1/drawings/", [(b"content-length", str(40 * MB).encode())])
    status, body, reads = asyncio.run(_call(_guard(app), scope, [b"x" * 1024]))
    assert (status, reads, app.called) == (413, 0, False)
    assert body["code"] == "too_large" and "smaller" in body["detail"]


def test_the_limit_is_per_path_and_korean_when_asked() -> None:
    app = Recorder()
    headers = [(b"content-length", str(MB).encode()), (b"accept-language", b"ko-KR,ko;q=0.9")]
    status, body, _ = asyncio.run(_call(_guard(app), _scope("/accounts/login/", headers), [b""]))
    assert status == 413 and "너무" in body["detail"]
    ok = Recorder()
    headers = [(b"content-length", str(MB).encode())]
    status, _, _ = asyncio.run(_call(_guard(ok), _scope("/api/v1/drawings/", headers), [b"x" * MB]))
    assert status == 200 and len(ok.body) == MB


def test_a_chunked_body_is_stopped_at_the_limit_while_it_streams() -> None:
    app = Recorder()
    chunks = [b"x" * MB] * 10  # no Content-Length
    status, _, reads = asyncio.run(_call(_guard(app), _scope("/api/v1/drawings/"), chunks))
    assert status == 413 and reads == 7  # stopped at the 7th MB, the rest never read


def test_a_trickling_body_times_out() -> None:
    app = Recorder()
    chunks, clock = [b"x"] * 100, Clock()
    status, body, reads = asyncio.run(
        _call(
            _guard(app, timeout=0.3, clock=clock),
            _scope("/api/v1/drawings/"),
            chunks,
            delay=0.05,
            clock=clock,
        )
    )
    assert status == 408 and body["code"] == "too_slow" and reads < 100


def test_a_content_length_that_is_not_a_number_is_a_bad_request() -> None:
    app = Recorder()
    scope = _scope("/api/v1/drawings/", [(b"content-length", b"12; drop table")])
    status, _, _ = asyncio.run(_call(_guard(app), scope, [b""]))
    assert status == 400 and not app.called


def test_websockets_and_ordinary_requests_pass_through() -> None:
    seen = []

    async def app(scope: dict, receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    asyncio.run(_guard(app)({"type": "websocket", "path": "/ws/"}, None, None))  # type: ignore[arg-type]
    assert seen == ["websocket"]
    ok = Recorder()
    status, body, _ = asyncio.run(
        _call(_guard(ok), _scope("/", [(b"content-length", b"2")]), [b"hi"])
    )
    assert status == 200 and body == b"ok" and ok.body == b"hi"


@pytest.mark.parametrize("path", ["/api/v1/drawings/", "/"])
def test_the_guard_answers_before_the_real_django_app_reads(path: str) -> None:
    from django.core.asgi import get_asgi_application

    guard = _guard(get_asgi_application())
    scope = _server_scope(path, 50 * MB)
    status, _, reads = asyncio.run(_call(guard, scope, [b"x"]))
    assert status == 413 and reads == 0


def test_the_sites_http_application_is_guarded() -> None:
    from icanvas_site.asgi import application

    scope = _server_scope("/api/v1/drawings/", 40 * MB)
    status, body, reads = asyncio.run(_call(application, scope, [b"x"]))
    assert status == 413 and reads == 0 and body["code"] == "too_large"
