"""Who may see a page: the parent (not while a child plays), or a playing child."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

View = Callable[..., HttpResponse]


def parent_required(view: View) -> View:
    """Signed-in parent only; while a child is playing, send them back to the canvas.

    Family management must stay out of a child's reach even though the parent's
    login is still in the session during play mode.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "child", None) is not None:
            return redirect("drawings:canvas")
        return view(request, *args, **kwargs)

    return wrapper


def child_required(view: View) -> View:
    """A child playing (in play mode) only; a parent not in play mode picks a child first."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "child", None) is None:
            return redirect("accounts:play")
        return view(request, *args, **kwargs)

    return wrapper
