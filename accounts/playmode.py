"""Play mode: the parent hands the device to one child.

The session then carries the child's id next to the parent's login. Everything a
child does (draw, see the gallery, receive live events) is scoped to that child,
and the child always belongs to the signed-in parent: a session whose child is
not the parent's own is treated as not playing at all.
"""

from __future__ import annotations

import math
import time
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest

from accounts import reauthentication
from accounts.models import Child

PLAY_SESSION_KEY = "play_child_id"
LEAVE_FAILURES_KEY = "play_leave_failures"
LEAVE_LOCKED_UNTIL_KEY = "play_leave_locked_until"


def enter_play_mode(request: HttpRequest, *, child: Child) -> None:
    """Scope this session to ``child``. The session key rotates to stop fixation. The device is
    in a child's hands now: a recent sign-in no longer counts as fresh, so sensitive pages ask
    for the password again after play mode (leaving it asks for the password too)."""
    request.session.cycle_key()
    reauthentication.forget_fresh_sign_in(request, child.parent)
    request.session[PLAY_SESSION_KEY] = child.pk


def leave_play_mode(request: HttpRequest) -> None:
    for key in (PLAY_SESSION_KEY, LEAVE_FAILURES_KEY, LEAVE_LOCKED_UNTIL_KEY):
        request.session.pop(key, None)
    request.session.cycle_key()


def leave_wait_seconds(session: SessionBase) -> int:
    """Seconds until the parent's password may be tried again on "leave play mode" (0: now).

    Guessing happens inside the playing session, so counting in the session is enough.
    Wrong passwords are slowed down, never locked out: the first
    ``LEAVE_PLAY_FREE_TRIES`` are free, then each one waits twice as long as the last, up to
    ``LEAVE_PLAY_MAX_DELAY`` seconds — a child mashing keys cannot keep the parent out of
    their own device, and the right password always works once the short wait is over.
    """
    locked_until = session.get(LEAVE_LOCKED_UNTIL_KEY)
    if not isinstance(locked_until, int | float):
        return 0
    return max(0, math.ceil(locked_until - time.time()))


def record_failed_leave_attempt(session: SessionBase) -> None:
    failures = int(session.get(LEAVE_FAILURES_KEY, 0)) + 1
    beyond = failures - settings.LEAVE_PLAY_FREE_TRIES
    if beyond > 0:
        delay = min(
            settings.LEAVE_PLAY_MAX_DELAY, settings.LEAVE_PLAY_FIRST_DELAY * 2 ** (beyond - 1)
        )
        session[LEAVE_LOCKED_UNTIL_KEY] = time.time() + delay
    session[LEAVE_FAILURES_KEY] = failures


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
