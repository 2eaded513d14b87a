"""Play mode: the parent hands the device to one child.

The session then carries the child's id next to the parent's login. Everything a
child does (draw, see the gallery, receive live events) is scoped to that child,
and the child always belongs to the signed-in parent: a session whose child is
not the parent's own is treated as not playing at all.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest

from accounts.models import Child

PLAY_SESSION_KEY = "play_child_id"


def enter_play_mode(request: HttpRequest, *, child: Child) -> None:
    """Scope this session to ``child``. The session key rotates to stop fixation."""
    request.session.cycle_key()
    request.session[PLAY_SESSION_KEY] = child.pk


def leave_play_mode(request: HttpRequest) -> None:
    request.session.pop(PLAY_SESSION_KEY, None)
    request.session.cycle_key()


def playing_child_id(session: SessionBase | dict[str, Any]) -> int | None:
    value = session.get(PLAY_SESSION_KEY)
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


def child_for(user: Any, session: SessionBase | dict[str, Any]) -> Child | None:
    """The child this signed-in parent's session is playing as, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    child_id = playing_child_id(session)
    if child_id is None:
        return None
    return Child.objects.filter(pk=child_id, parent_id=user.pk).first()
