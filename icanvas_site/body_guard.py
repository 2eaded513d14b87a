"""Refuse oversized and trickling request bodies before Django reads them.

Django's ASGI handler reads a request's whole body before any view (or its size check) runs,
so a client announcing 40 MB, or sending one byte every few seconds, costs the server that
much memory and time. :class:`BodyGuard` wraps the HTTP application and:

* answers **413** from the headers alone when ``Content-Length`` is over the path's limit
  (sketch uploads get the sketch cap plus room for the form; everything else a small one);
* counts a body without ``Content-Length`` (chunked) as it streams and stops it at the limit;
* answers **408** when the body is not complete within ``body_timeout`` seconds;
* answers **400** for a ``Content-Length`` that is not a number.

The answer is a small JSON document with the API's error shape (``code``, ``detail``) in
English and Korean, so the mobile app and the canvas can show it. Nothing is passed to the
application in those cases; an application that already started its response is left alone.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from core import error_codes as codes

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]  # Django's handler types its arguments its own way

MESSAGES = {
    codes.TOO_LARGE: (
        "This is too big to send. Please send a smaller picture.",
        "너무 커서 보낼 수 없어요. 더 작은 그림을 보내 주세요.",
    ),
    codes.TOO_SLOW: (
        "The upload took too long. Please check the connection and try again.",
        "보내는 데 너무 오래 걸렸어요. 연결을 확인하고 다시 시도해 주세요.",
    ),
    codes.BAD_LENGTH: (
        "The request's Content-Length is not a number.",
        "요청의 Content-Length가 숫자가 아니에요.",
    ),
}
STATUS = {codes.TOO_LARGE: 413, codes.TOO_SLOW: 408, codes.BAD_LENGTH: 400}


class _Refused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class _BodyState:
    received: int = 0
    complete: bool = False
    started: bool = False
    refused: str | None = None


class BodyGuard:
    """ASGI middleware for HTTP bodies (see the module's docstring).

    ``limits`` maps path prefixes to byte limits (the longest matching prefix wins);
    ``default`` is the limit elsewhere. Websocket and lifespan scopes pass through untouched.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        limits: Mapping[str, int],
        default: int,
        body_timeout: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.limits = sorted(limits.items(), key=lambda item: -len(item[0]))
        self.default = default
        self.body_timeout = body_timeout
        self.clock = clock

    def limit_for(self, path: str) -> int:
        """The byte limit for a request to ``path``."""
        for prefix, limit in self.limits:
            if path.startswith(prefix):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        length = _content_length(scope)
        if length == "bad":
            await _refuse(send, scope, codes.BAD_LENGTH)
            return
        if isinstance(length, int) and length > limit:
            await _refuse(send, scope, codes.TOO_LARGE)
            return
        await self._guarded(scope, receive, send, limit)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        deadline = self.clock() + self.body_timeout
        state = _BodyState()

        async def guarded_receive() -> Message:
            if state.complete:
                return await receive()  # after the body: waits for a disconnect, no deadline
            remaining = deadline - self.clock()
            try:
                if remaining <= 0:
                    raise TimeoutError
                message = await asyncio.wait_for(receive(), timeout=remaining)
            except TimeoutError:
                state.refused = codes.TOO_SLOW
                raise _Refused(codes.TOO_SLOW) from None
            if message["type"] == "http.request":
                state.received += len(message.get("body", b""))
                if state.received > limit:
                    state.refused = codes.TOO_LARGE
                    raise _Refused(codes.TOO_LARGE)
                if not message.get("more_body", False):
                    state.complete = True
            return message

        async def tracked_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state.started = True
            await send(message)

        try:
            await self.app(scope, guarded_receive, tracked_send)
        except _Refused as refused:
            if not state.started:
                await _refuse(send, scope, refused.code)
            return
        if state.refused and not state.started:
            # The application swallowed our refusal (it saw the body end early): answer it.
            await _refuse(send, scope, state.refused)


def _content_length(scope: Scope) -> int | str | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            if not text.isdigit():
                return "bad"
            return int(text)
    return None


def _language(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name.lower() == b"accept-language":
            return "ko" if value.decode("latin-1").lower().startswith("ko") else "en"
    return "en"


async def _refuse(send: Send, scope: Scope, code: str) -> None:
    english, korean = MESSAGES[code]
    detail = korean if _language(scope) == "ko" else english
    body = json.dumps({"code": code, "detail": detail}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": STATUS[code],
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
