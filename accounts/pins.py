"""Play-mode PINs: a child's tries, at most ``PIN_MAX_FAILURES`` wrong ones per lock period,
counted by conditional UPDATEs so concurrent guesses cannot check more."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Child
from accounts.rules import validate_pin


@dataclass(frozen=True)
class PinResult:
    """What happened when a child typed a PIN."""

    accepted: bool
    locked_until: datetime | None = None
    attempts_left: int = 0

    @property
    def locked(self) -> bool:
        return self.locked_until is not None

    @property
    def minutes_to_wait(self) -> int:
        if self.locked_until is None:
            return 0
        seconds = (self.locked_until - timezone.now()).total_seconds()
        return max(1, math.ceil(seconds / 60))

    @property
    def message(self) -> str:
        """A sentence a child (or the grown-up next to them) can act on."""
        if self.accepted:
            return _("Welcome back!")
        if self.locked:
            minutes = self.minutes_to_wait
            return ngettext(
                "Too many tries. Ask a grown-up, or try again in %(minutes)d minute.",
                "Too many tries. Ask a grown-up, or try again in %(minutes)d minutes.",
                minutes,
            ) % {"minutes": minutes}
        return ngettext(
            "That is not your secret number. You have %(count)d more try.",
            "That is not your secret number. You have %(count)d more tries.",
            self.attempts_left,
        ) % {"count": self.attempts_left}


def _lock_result(child_id: int) -> PinResult:
    """The answer for a refused attempt; also repairs a lock an interrupted attempt missed."""
    now = timezone.now()
    Child.objects.filter(
        pk=child_id, pin_locked_until__isnull=True, pin_failures__gte=settings.PIN_MAX_FAILURES
    ).update(pin_locked_until=now + timedelta(seconds=settings.PIN_LOCK_SECONDS))
    locked_until = (
        Child.objects.filter(pk=child_id).values_list("pin_locked_until", flat=True).first()
    )
    return PinResult(
        accepted=False,
        locked_until=locked_until or now + timedelta(seconds=settings.PIN_LOCK_SECONDS),
    )


def pin_locked_until(*, child: Child) -> datetime | None:
    """When the child's PIN lock ends, or None if the child may try now."""
    child.refresh_from_db(fields=["pin_locked_until"])
    if child.pin_locked_until and child.pin_locked_until > timezone.now():
        return child.pin_locked_until
    return None


def verify_pin(*, child: Child, pin: str) -> PinResult:
    """Check a play-mode PIN, allowing at most ``PIN_MAX_FAILURES`` wrong tries per lock period.

    Each attempt first *reserves* a try with one conditional UPDATE, and only then
    compares the (slow, hashed) PIN. Concurrent guesses therefore cannot check more
    than the allowed number of PINs, and no database lock is held while hashing.
    A wrong try that uses the last slot locks the profile for ``PIN_LOCK_SECONDS``;
    while locked even the right PIN is refused. The right PIN resets the counter.
    """
    validate_pin(pin)
    max_failures = settings.PIN_MAX_FAILURES
    now = timezone.now()

    # A lock that has run out gives a fresh set of tries.
    Child.objects.filter(pk=child.pk, pin_locked_until__lte=now).update(
        pin_locked_until=None, pin_failures=0
    )
    reserved = Child.objects.filter(
        pk=child.pk, pin_locked_until__isnull=True, pin_failures__lt=max_failures
    ).update(pin_failures=F("pin_failures") + 1)
    if not reserved:
        return _lock_result(child.pk)

    child.refresh_from_db(fields=["pin_hash"])
    if child.check_pin(pin):
        Child.objects.filter(pk=child.pk).update(pin_failures=0, pin_locked_until=None)
        child.pin_failures, child.pin_locked_until = 0, None
        return PinResult(accepted=True)

    Child.objects.filter(
        pk=child.pk, pin_failures__gte=max_failures, pin_locked_until__isnull=True
    ).update(pin_locked_until=timezone.now() + timedelta(seconds=settings.PIN_LOCK_SECONDS))
    child.refresh_from_db(fields=["pin_failures", "pin_locked_until"])
    if child.pin_locked_until is not None:
        return PinResult(accepted=False, locked_until=child.pin_locked_until)
    return PinResult(accepted=False, attempts_left=max(0, max_failures - child.pin_failures))
