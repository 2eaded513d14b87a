"""Who may do what: a playing child (play mode) or a signed-in parent, for pages and the API."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.account.decorators import reauthentication_required
from allauth.account.internal.flows.reauthentication import suspend_request
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.models import Child
from accounts.reauthentication import recently_authenticated
from core import error_codes as codes

View = Callable[..., HttpResponse]

NOT_PLAYING = gettext_lazy("Start play mode and choose a child first: drawings belong to a child.")


def playing_child_or_none(request: HttpRequest | Request) -> Child | None:
    """The child playing on this request, or None (a parent, or nobody signed in)."""
    # Set by accounts.middleware.PlayModeMiddleware on every request.
    child = getattr(request, "child", None)
    return child if isinstance(child, Child) else None


def playing_child(request: HttpRequest | Request) -> Child:
    """The child playing on this request; use behind :class:`IsPlayingChild` or ``child_required``.

    Raises ``PermissionDenied`` (403, with a message a person can act on) when nobody plays.
    """
    child = playing_child_or_none(request)
    if child is None:
        raise PermissionDenied(NOT_PLAYING)
    return child


class IsPlayingChild(BasePermission):
    """API access for a child in play mode only."""

    message = NOT_PLAYING

    def has_permission(self, request: Request, view: APIView) -> bool:
        return playing_child_or_none(request) is not None


class IsParent(BasePermission):
    """API access for the parent acting as the parent: a parent's token or the web session not
    in play mode; a child's play token (or play mode) is refused."""

    message = gettext_lazy("This needs a grown-up: sign in as the parent.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated) and (
            playing_child_or_none(request) is None
        )


def child_required(view: View) -> View:
    """Pages for a child in play mode; a stranger signs in first (and comes back), a parent
    not in play mode picks a child first."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if playing_child_or_none(request) is None:
            return redirect("accounts:play")
        return view(request, *args, **kwargs)

    return wrapper


def parent_required(view: View) -> View:
    """Signed-in parent only; while a child is playing, send them back to the canvas.

    Family management must stay out of a child's reach even though the parent's
    login is still in the session during play mode.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if playing_child_or_none(request) is not None:
            return redirect("drawings:canvas")
        return view(request, *args, **kwargs)

    return wrapper


class RecentlySignedIn(BasePermission):
    """Sensitive actions (withdrawing consent, exporting, a new password...) need the parent to
    have proved who they are within minutes (accounts.reauthentication): otherwise
    ``403 reauthentication_required``, and the app calls ``POST /api/v1/auth/reauthenticate/``."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if recently_authenticated(request._request, request.auth):
            return True
        raise PermissionDenied(
            gettext_lazy(
                "For your family's safety, please confirm it's you: sign in again with your "
                "password or a code from your authenticator app, then try again."
            ),
            code=codes.REAUTHENTICATION_REQUIRED,
        )


def fresh_sign_in_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """A page for a sensitive action (withdrawing consent, exporting, a share link): a parent
    who has not proved who they are within minutes is asked to sign in again (allauth's page,
    the password, a second-factor code or a passkey) and comes back here."""
    return reauthentication_required(view)


def ask_to_sign_in_again(request: HttpRequest) -> HttpResponse | None:
    """For an admin action or form: the "sign in again" page (the request is resumed after it)
    when the last proof is too old, else None."""
    if recently_authenticated(request, None):
        return None
    return suspend_request(request, reverse("account_reauthenticate"))
