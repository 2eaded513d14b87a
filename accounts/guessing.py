"""Counting guesses of a parent's password (accounts.lockout says what is answered).

Sign-in and leaving play mode with a play token both check the parent's password through the
authentication backends, so django-axes counts each wrong one per account and address. An address
that guesses many accounts is slowed down here, never locked out: after
``SIGN_IN_FREE_FAILURES_PER_ADDRESS`` wrong sign-ins each further one makes the address wait
twice as long as the last (from ``SIGN_IN_FIRST_DELAY`` up to ``SIGN_IN_MAX_DELAY`` seconds).
"""

from __future__ import annotations

import enum
import math
import time

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.http import HttpRequest

from accounts.models import User
from core.client_address import client_address


class PasswordCheck(enum.Enum):
    RIGHT = "right"
    WRONG = "wrong"
    LOCKED = "locked"


def check_parent_password(request: HttpRequest, *, parent: User, password: str) -> PasswordCheck:
    """The parent's password sent from a play device (to leave play mode), counted like a sign-in.

    It goes through the authentication backends, so django-axes counts a wrong one toward the
    parent's lock-out (this account, this address) and refuses even the right one while the
    lock-out lasts. Nobody is signed in by it.
    """
    user = authenticate(request, username=parent.email, password=password)
    if getattr(request, "axes_locked_out", False):
        return PasswordCheck.LOCKED
    if isinstance(user, User) and user.pk == parent.pk:
        return PasswordCheck.RIGHT
    return PasswordCheck.WRONG


def _address_key(request: HttpRequest) -> str:
    return f"sign-in-slowdown:{client_address(request)}"


def address_wait_seconds(request: HttpRequest) -> int:
    """Seconds this request's address must wait before its next sign-in (0: now)."""
    state = cache.get(_address_key(request))
    until = state.get("until", 0) if isinstance(state, dict) else 0
    return max(0, math.ceil(until - time.time()))


def record_failed_sign_in(request: HttpRequest) -> None:
    """One more wrong sign-in from this request's address (see the module's docstring)."""
    key = _address_key(request)
    state = cache.get(key)
    failures = (state.get("failures", 0) if isinstance(state, dict) else 0) + 1
    beyond = failures - settings.SIGN_IN_FREE_FAILURES_PER_ADDRESS
    until = 0.0
    if beyond > 0:
        delay = min(settings.SIGN_IN_MAX_DELAY, settings.SIGN_IN_FIRST_DELAY * 2 ** (beyond - 1))
        until = time.time() + delay
    forget_after = int(settings.AXES_COOLOFF_TIME.total_seconds())
    cache.set(key, {"failures": failures, "until": until}, timeout=forget_after)
