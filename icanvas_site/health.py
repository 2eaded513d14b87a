"""Health for the operator, and a clear answer to everyone while the infrastructure is down.

``/healthz/live``: the process answers (no dependency is touched). ``/healthz/ready``: the
database, the cache and the channel layer each answer within a few seconds; 200 when all do,
otherwise 503 with ``Retry-After`` and which one failed. While the database or Redis cannot be
reached, any request that needs it is answered 503 + ``Retry-After`` (the API's JSON shape under
``/api/``) with one log line, never a 500 with a traceback per request.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import error_codes as codes
from core.infrastructure import INFRASTRUCTURE_ERRORS, RETRY_AFTER_SECONDS, describe
from core.middleware import AsyncCapableMiddleware

logger = logging.getLogger(__name__)
CHECK_TIMEOUT = 3.0  # seconds each dependency may take to answer /healthz/ready


@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "alive"})


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not keep a value")
    cache.delete(key)


async def _channel_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer is configured")
    # Leaving a group nobody is in: one round trip, nothing left behind.
    await asyncio.wait_for(
        layer.group_discard("healthz", "healthz.probe!ready"), timeout=CHECK_TIMEOUT
    )


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Any] = {
        "database": _database,
        "cache": _cache,
        "channel_layer": async_to_sync(_channel_layer),
    }
    answers: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
            answers[name] = "ok"
        except Exception as error:  # each failure is reported, none stops the others
            answers[name] = f"unavailable: {type(error).__name__}"
    if all(answer == "ok" for answer in answers.values()):
        return JsonResponse({"status": "ready", **answers})
    logger.warning("not ready: %s", ", ".join(f"{k} {v}" for k, v in answers.items()))
    response = JsonResponse({"status": "unavailable", **answers}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response._has_been_logged = True  # type: ignore[attr-defined]  # the line above is the log
    return response


class InfrastructureDownMiddleware(AsyncCapableMiddleware):
    """A view that needed the database or Redis while it was unreachable: 503 + ``Retry-After``
    and one warning line (Django would answer 500 and log a traceback for each request)."""

    def respond(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    async def arespond(self, request: HttpRequest) -> HttpResponse:
        return await self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, INFRASTRUCTURE_ERRORS):
            return None
        logger.warning("503 for %s %s: %s", request.method, request.path, describe(exception))
        sentence = _("iCanvas is having a short rest. Please try again in a moment.")
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"code": codes.UNAVAILABLE, "detail": sentence, "field_errors": {}}, status=503
            )
        else:
            response = HttpResponse(
                format_html("<!doctype html><title>{}</title><h1>{}</h1>", sentence, sentence),
                status=503,
            )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response._has_been_logged = True  # type: ignore[attr-defined]  # logged above, once
        return response
