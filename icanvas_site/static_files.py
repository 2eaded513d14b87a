"""WhiteNoise, able to sit in an async middleware chain.

WhiteNoise's middleware is sync-only, and one sync-only middleware makes Django run the whole
chain above it in a thread for every ASGI request. This one is sync and async capable: under
ASGI a request for anything but a static file goes straight on, on the event loop; a static
file is looked up the same way and served from a thread (opening a file blocks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponse
from whitenoise.middleware import WhiteNoiseMiddleware


class AsyncWhiteNoiseMiddleware(WhiteNoiseMiddleware):
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any] | None = None, **kwargs: Any):
        super().__init__(get_response, **kwargs)
        self.async_mode = get_response is not None and iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode:
            return self.__acall__(request)
        return super().__call__(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        if self.autorefresh:  # DEBUG: looks on disk, so off the loop
            static_file = await sync_to_async(self.find_file, thread_sensitive=False)(
                request.path_info
            )
        else:
            static_file = self.files.get(request.path_info)
        if static_file is None:
            response: HttpResponse = await self.get_response(request)
            return response
        return await sync_to_async(self.serve, thread_sensitive=False)(static_file, request)
