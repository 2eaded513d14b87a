"""Django's own error answers (no view matched, a crash, a refused request): under ``/api/``
they are the API's one JSON shape, ``{code, detail}``, never an HTML page a phone app cannot
read; elsewhere Django's pages as before."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

from core import error_codes as codes

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
