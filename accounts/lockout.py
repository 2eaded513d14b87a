"""Guessing a parent's password is counted, and cannot be turned into a lock-out of others.

django-axes counts failed sign-ins in the cache (Redis in production) per account *and* address
together (``core.client_address``): after ``AXES_FAILURE_LIMIT`` wrong passwords for one email
from one address, that address gets even the right password refused for ``AXES_COOLOFF_TIME``.
Wrong passwords sent with a play token to leave play mode count the same way, so a play device
cannot guess the parent's password either (the web's play mode slows such guesses down in its
session, ``accounts.playmode``). A family signing in from anywhere else is not locked out, and
an address guessing many made-up emails does not lock out a real parent behind the same address
(a school's shared NAT): it is slowed down instead (``accounts.guessing``).

The answers: the sign-in page again, status 429 with a ``Retry-After`` header and a sentence
saying when to try again (over the API: the same in the API's JSON error shape). An operator
lifts a lock-out with ``manage.py axes_reset_ip_username IP EMAIL`` (``axes_reset`` lifts all).
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


def slow_down_message(seconds: int) -> str:
    return ngettext(
        "Many wrong passwords were typed from this network. Please wait %(seconds)d second, "
        "then try again.",
        "Many wrong passwords were typed from this network. Please wait %(seconds)d seconds, "
        "then try again.",
        seconds,
    ) % {"seconds": seconds}


def slowed_down(request: HttpRequest, seconds: int) -> HttpResponse:
    """The sign-in page with the slow-down sentence, status 429 and ``Retry-After``."""
    form = forms.EmailAuthenticationForm(request)
    response = render(
        request,
        "accounts/login.html",
        {"form": form, "locked_out_message": slow_down_message(seconds)},
        status=TOO_MANY_REQUESTS,
    )
    response["Retry-After"] = str(seconds)
    return response


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


def signed_in_name(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The account a sign-in is for, as django-axes counts it: the web form's ``username`` (the
    email), or the ``email`` allauth's sign-in (the app's headless API) authenticates with."""
    if credentials:
        return credentials.get("username") or credentials.get("email")
    data = getattr(request, "data", None) or request.POST
    return data.get("username") or data.get("email")
