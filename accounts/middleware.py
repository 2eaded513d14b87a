"""Every web request: play mode (``request.child`` is the child playing, or None), and the web
session's idle expiry moved on by each request that uses it."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.models import Child
from accounts.playmode import PLAY_SESSION_KEY, child_for, playing_child_id
from core.middleware import AsyncCapableMiddleware

ADMIN_PREFIX = "/admin/"
RENEWED_AT_KEY = "icanvas_renewed_at"
RENEW_AT_MOST_EVERY_SECONDS = 60.0


def renewal_interval() -> float:
    """How often a session in use is saved again: a minute, or a tenth of a shorter age."""
    return min(RENEW_AT_MOST_EVERY_SECONDS, settings.SESSION_COOKIE_AGE / 10)


class SessionRenewalMiddleware(AsyncCapableMiddleware):
    """A web session (a parent's, and a child playing in it) ends ``SESSION_COOKIE_AGE`` after
    the last request that used it (``SESSION_IDLE_MINUTES``); its sockets close then too
    (``drawings.consumers`` reads the session's stored end).

    Django renews a session on every request only with ``SESSION_SAVE_EVERY_REQUEST``: one
    write of the session row a request, each picture of a gallery included. Here a request
    saves the session again only when its last renewal is older than ``renewal_interval()``,
    so the idle limit holds to within a minute for one write a minute. Placed just below
    ``SessionMiddleware``, whose answer then saves the session with its new end. A session
    signed out, run out or never made is left alone (no new session for a stale cookie).
    """

    def respond(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            last = session.get(RENEWED_AT_KEY)
            if session.session_key is not None and _due(last):
                session[RENEWED_AT_KEY] = time.time()
        return response

    async def arespond(self, request: HttpRequest) -> HttpResponse:
        get_response: Callable[[HttpRequest], Awaitable[HttpResponse]] = self.get_response
        response = await get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            last = await session.aget(RENEWED_AT_KEY)
            if session.session_key is not None and _due(last):
                await session.aset(RENEWED_AT_KEY, time.time())
        return response


def _due(last: object) -> bool:
    return not isinstance(last, float) or not 0 <= time.time() - last < renewal_interval()


class PlayModeMiddleware(AsyncCapableMiddleware):
    """Set ``request.child`` from the session (after AuthenticationMiddleware).

    A ``SimpleLazyObject`` wrapping None is not ``None``, so ``request.child is None``
    would lie; instead the cheap part is done eagerly: without the play key in the
    session there is no query at all, and with it one query loads the child, which
    must belong to the signed-in parent (``child_for``) or the request is not playing.

    Sync and async capable, so an async request under ASGI stays on the event loop: the session
    is read with its async API (a request without a play key needs no thread at all), and only
    a playing request runs the child lookup in the request's thread (``sync_to_async``, thread
    sensitive), where the user it loads stays cached for the view.
    """

    def respond(self, request: HttpRequest) -> HttpResponse:
        refused = self._play(request)
        return refused if refused is not None else self.get_response(request)

    async def arespond(self, request: HttpRequest) -> HttpResponse:
        get_response: Callable[[HttpRequest], Awaitable[HttpResponse]] = self.get_response
        session = getattr(request, "session", None)
        if session is None or await session.aget(PLAY_SESSION_KEY) is None:
            request.child = None  # type: ignore[attr-defined]
            return await get_response(request)
        refused = await sync_to_async(self._play)(request)
        return refused if refused is not None else await get_response(request)

    def _play(self, request: HttpRequest) -> HttpResponse | None:
        """Set ``request.child``; a redirect when this request may not go on as it is."""
        session = getattr(request, "session", None)
        child = None
        play_id = playing_child_id(session) if session is not None else None
        if session is not None and play_id is not None:
            child = child_for(getattr(request, "user", None), session)
            if child is None and not Child.objects.filter(pk=play_id).exists():
                # The profile this device was handed to is gone (consent withdrawn): the
                # device must not fall back to the parent's rights without the password.
                logout(request)
        # The one place ``request.child`` is written; code reads it with
        # accounts.permissions.playing_child.
        request.child = child  # type: ignore[attr-defined]
        if child is not None and request.path.startswith(ADMIN_PREFIX):
            # The admin is a grown-up's place: a playing child is sent back to the canvas.
            return redirect("drawings:canvas")
        if child is not None and request.path == reverse("accounts:logout"):
            # Signing out ends play mode too, so it asks for the parent's password first.
            return redirect(f"{reverse('accounts:leave_play')}?then=sign-out")
        return None
