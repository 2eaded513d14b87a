"""What a parent sees when sign-in is paused after too many wrong passwords (django-axes).

django-axes counts failed sign-ins in the cache (Redis in production), per email and per IP
address; after ``AXES_FAILURE_LIMIT`` it refuses even the right password for
``AXES_COOLOFF_TIME``. This is the answer then: the sign-in page again, status 429 with a
``Retry-After`` header, and a sentence saying when to try again (over the API: the same in the
API's JSON error shape). An operator lifts a lock-out
with ``manage.py axes_reset_username EMAIL`` (and ``axes_reset_ip IP``).
"""

from __future__ import annotations

import math
from typing import Any

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from accounts import forms
from core import error_codes as codes

TOO_MANY_REQUESTS = 429
API_PREFIX = "/api/"  # the mobile app's sign-in gets the API's JSON error shape


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The sign-in page with the lock-out sentence (see the module's docstring)."""
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 15 * 60
    minutes = max(1, math.ceil(seconds / 60))
    message = ngettext(
        "Too many wrong passwords, so signing in is paused for this account. "
        "Please try again in %(minutes)d minute.",
        "Too many wrong passwords, so signing in is paused for this account. "
        "Please try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    if request.path.startswith(API_PREFIX):
        api_response = JsonResponse(
            {"code": codes.LOCKED, "detail": message, "field_errors": {}}, status=TOO_MANY_REQUESTS
        )
        api_response["Retry-After"] = str(seconds)
        return api_response
    form = forms.EmailAuthenticationForm(request)
    response = render(
        request,
        "accounts/login.html",
        {"form": form, "locked_out_message": message},
        status=TOO_MANY_REQUESTS,
    )
    response["Retry-After"] = str(seconds)
    return response
