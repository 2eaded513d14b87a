"""The base of the site's own middleware: sync and async capable, so under ASGI no middleware
moves a request into a thread (one sync-only middleware would put the whole chain above it in
one, for every request)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse


class AsyncCapableMiddleware:
    """Subclasses write :meth:`respond` (sync) and :meth:`arespond` (async) around
    ``self.get_response``; the chain Django builds decides which of the two runs."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode:
            return self.arespond(request)
        return self.respond(request)

    def respond(self, request: HttpRequest) -> HttpResponse:
        raise NotImplementedError

    async def arespond(self, request: HttpRequest) -> HttpResponse:
        raise NotImplementedError
