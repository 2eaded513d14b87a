"""Django's own error answers (no view matched, a crash, a refused request): under ``/api/``
they are the API's one JSON shape, ``{code, detail}``, never an HTML page a phone app cannot
read; elsewhere Django's pages as before. A filter an admin list does not allow (a hand-made
``?child__parent__id__exact=3``) is a 400 with a sentence and one log line, not a traceback."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.admin.exceptions import DisallowedModelAdminLookup, DisallowedModelAdminToField
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views import defaults

from core import error_codes as codes
from core.middleware import AsyncCapableMiddleware

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


def _api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _api(request):
        detail = _("There is nothing at this address. Check the path in the API docs.")
        return JsonResponse({"code": codes.NOT_FOUND, "detail": detail}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _api(request):
        detail = _("We couldn't read what was sent. Please try again.")
        return JsonResponse({"code": codes.UNREADABLE_REQUEST, "detail": detail}, status=400)
    return defaults.bad_request(request, exception)  # type: ignore[arg-type]


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _api(request):
        detail = _("You can't do that here. Is the right person signed in?")
        return JsonResponse({"code": codes.NOT_ALLOWED, "detail": detail}, status=403)
    return defaults.permission_denied(request, exception)  # type: ignore[arg-type]


def server_error(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    if _api(request):
        detail = _("Something went wrong on our side. Please try again in a moment.")
        return JsonResponse({"code": codes.SERVER_ERROR, "detail": detail}, status=500)
    return defaults.server_error(request)


class RefusedAdminLookupMiddleware(AsyncCapableMiddleware):
    """An admin list asked for a filter it does not offer: 400 with a sentence and a way back,
    and a line in the log (Django would log the refusal with its traceback)."""

    def respond(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    async def arespond(self, request: HttpRequest) -> HttpResponse:
        return await self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DisallowedModelAdminLookup | DisallowedModelAdminToField):
            return None
        # Django adds its one line for the 400 ("Bad Request: path"); this says why.
        logger.info("refused an admin filter on %s: %s", request.path, exception)
        sentence = _("This list cannot be filtered that way. Use the filters on the page.")
        return HttpResponseBadRequest(
            format_html(
                '<!doctype html><html lang="{}"><title>{}</title><h1>{}</h1>'
                '<p><a href="{}">{}</a></p></html>',
                getattr(request, "LANGUAGE_CODE", "en"),
                _("Bad request"),
                sentence,
                request.path,
                _("Back to the list"),
            )
        )
