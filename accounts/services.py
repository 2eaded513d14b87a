"""Every write to a family: parents, child profiles, consent and play-mode PINs.

Views, admin and the REST API call these functions and never write the models
themselves, so each rule (PIN format, age bounds, the PIN lock) lives here once.
A child profile that can't be saved raises :class:`ProfileRejected` (an
``ApplicationError``) with its ``field_errors`` keyed by the argument names, which the API
answers as is and forms of the same field names show next to the right input. The single
checks (``validate_pin``, ``clean_nickname``...) raise Django's ``ValidationError``, as the
form and model validators they also are; so do the parents' sign-up functions.
"""

from __future__ import annotations

import math
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Avatar, Child, ConsentRecord, User
from accounts.verification import email_is_verified
from core import error_codes as codes
from core.errors import ApplicationError

# The version of the consent text parents agree to; bump it when the text changes.
CONSENT_VERSION = "2026-11"

PIN_LENGTH = 4
_PIN_PATTERN = re.compile(rf"^[0-9]{{{PIN_LENGTH}}}$")

# iCanvas is made for children of about 3 to 13. We keep only the birth year, so
# a child born in (this year - 14) may still be 13 and one born in (this year - 3)
# may still be 2: the bounds are deliberately "-ish".
MIN_AGE = 3
MAX_AGE = 13

NICKNAME_MAX_LENGTH = Child._meta.get_field("nickname").max_length or 20


class ProfileRejected(ApplicationError, ValueError):
    """A child profile that can't be saved (nothing was): every field at fault, what to fix."""


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


# --- rules -------------------------------------------------------------------


def birth_year_bounds(*, today: date | None = None) -> tuple[int, int]:
    """The oldest and the youngest birth year a new child profile may have."""
    year = (today or timezone.localdate()).year
    return year - MAX_AGE - 1, year - MIN_AGE


def validate_pin(pin: str) -> None:
    if not isinstance(pin, str) or not _PIN_PATTERN.match(pin):
        raise ValidationError(
            _("The secret number must be exactly %(length)d digits, like 2580.")
            % {"length": PIN_LENGTH},
            code=codes.INVALID_PIN,
        )


def validate_birth_year(birth_year: int) -> None:
    oldest, youngest = birth_year_bounds()
    if not isinstance(birth_year, int) or not oldest <= birth_year <= youngest:
        raise ValidationError(
            _(
                "iCanvas is made for children aged about %(min)d to %(max)d: "
                "pick a birth year from %(oldest)d to %(youngest)d."
            )
            % {"min": MIN_AGE, "max": MAX_AGE, "oldest": oldest, "youngest": youngest},
            code=codes.INVALID_BIRTH_YEAR,
        )


def validate_time_zone(time_zone: str) -> None:
    if time_zone not in zoneinfo.available_timezones():
        raise ValidationError(
            _("Pick a time zone from the list, for example Asia/Seoul."),
            code=codes.INVALID_TIME_ZONE,
        )


def validate_avatar(avatar: str) -> None:
    if avatar not in Avatar.values:
        raise ValidationError(_("Pick one of the avatars."), code=codes.INVALID_AVATAR)


def clean_nickname(*, parent: User, nickname: str, exclude_child_id: int | None = None) -> str:
    """The nickname trimmed, or a ValidationError a parent can act on (empty, long, taken)."""
    return _clean_nickname(parent=parent, nickname=nickname, exclude_child_id=exclude_child_id)


def _clean_nickname(*, parent: User, nickname: str, exclude_child_id: int | None = None) -> str:
    nickname = (nickname or "").strip()
    if not nickname:
        raise ValidationError(_("Give your child a nickname."), code=codes.REQUIRED)
    if len(nickname) > NICKNAME_MAX_LENGTH:
        raise ValidationError(
            _("A nickname can be at most %(max)d characters.") % {"max": NICKNAME_MAX_LENGTH},
            code=codes.MAX_LENGTH,
        )
    siblings = Child.objects.filter(parent=parent, nickname__iexact=nickname)
    if exclude_child_id is not None:
        siblings = siblings.exclude(pk=exclude_child_id)
    if siblings.exists():
        raise ValidationError(
            _("Another child in your family is already called %(nickname)s.")
            % {"nickname": nickname},
            code=codes.DUPLICATE_NICKNAME,
        )
    return nickname


def _collect(
    errors: dict[str, list[str]], field: str, check: Callable[[Any], None], value: object
) -> None:
    try:
        check(value)
    except ValidationError as error:
        errors.setdefault(field, []).extend(error.messages)


# --- parents -------------------------------------------------------------------


@transaction.atomic
def register_parent(*, email: str, password: str, display_name: str = "") -> User:
    """Create a parent's account; the email is their sign-in name (stored lower-case)."""
    email = User.objects.normalize_email((email or "").strip()).lower()
    display_name = (display_name or "").strip()
    if not email:
        raise ValidationError({"email": _("Enter your email address.")})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": _("There is already an account with this email. Sign in instead?")}
        )
    candidate = User(email=email, display_name=display_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email=email, password=password, display_name=display_name
            )
    except IntegrityError as error:  # two sign-ups with one email at the same moment
        raise ValidationError(
            {"email": _("There is already an account with this email. Sign in instead?")}
        ) from error


def sign_up_parent(*, email: str, password: str, display_name: str = "") -> User | None:
    """The sign-up page's registration: like :func:`register_parent`, except that an email
    that already has an account is not revealed — no error, no account, None — after the same
    work (the password is checked and hashed either way), so the answer and its timing are the
    same for a taken email and a new one. The page then sends both to the sign-in page."""
    normalised = User.objects.normalize_email((email or "").strip()).lower()
    if normalised and User.objects.filter(email__iexact=normalised).exists():
        try:
            validate_password(password, user=User(email=normalised, display_name=display_name))
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from error
        make_password(password)  # the cost a new account's hash would have had
        return None
    try:
        return register_parent(email=email, password=password, display_name=display_name)
    except ValidationError as error:
        if "email" in getattr(error, "error_dict", {}) and normalised:
            return None  # taken by a sign-up at the same moment: the same answer
        raise


# --- children ------------------------------------------------------------------


def add_child(
    *,
    parent: User,
    nickname: str,
    avatar: str,
    birth_year: int,
    time_zone: str,
    pin: str,
    consent_method: str,
    consent_version: str = CONSENT_VERSION,
) -> Child:
    """Create a child profile and record the parent's consent for it, together or not at all.

    Consent counts only from a parent whose email is verified; the record keeps that address.
    """
    if not email_is_verified(parent=parent):
        raise ApplicationError(
            _(
                "Please confirm your email address first: open the link in the mail we sent "
                "you. Then you can add your child."
            ),
            code=codes.EMAIL_NOT_VERIFIED,
        )
    errors: dict[str, list[str]] = {}
    try:
        nickname = _clean_nickname(parent=parent, nickname=nickname)
    except ValidationError as error:
        errors["nickname"] = error.messages
    _collect(errors, "avatar", validate_avatar, avatar)
    _collect(errors, "birth_year", validate_birth_year, birth_year)
    _collect(errors, "time_zone", validate_time_zone, time_zone)
    _collect(errors, "pin", validate_pin, pin)
    if consent_method not in ConsentRecord.Method.values or not consent_version:
        errors.setdefault("consent", []).append(
            _("A parent or guardian has to agree before a child profile is made.")
        )
    if errors:
        raise ProfileRejected.for_fields(errors)

    child = Child(
        parent=parent,
        nickname=nickname,
        avatar=avatar,
        birth_year=birth_year,
        time_zone=time_zone,
    )
    child.set_pin(pin)
    try:
        with transaction.atomic():
            child.save()
            ConsentRecord.objects.create(
                parent=parent,
                child=child,
                method=consent_method,
                version=consent_version,
                verified_email=parent.email,
            )
    except IntegrityError as error:  # the same nickname saved twice at once
        raise ProfileRejected(
            _("Another child in your family is already called that."), field="nickname"
        ) from error
    return child


def update_child(
    *,
    child: Child,
    nickname: str | None = None,
    avatar: str | None = None,
    birth_year: int | None = None,
    time_zone: str | None = None,
    new_pin: str | None = None,
) -> Child:
    """Change a child's profile; ``None`` leaves a field as it is.

    A new PIN also lifts any PIN lock: the parent has just chosen it.
    """
    errors: dict[str, list[str]] = {}
    if nickname is not None:
        try:
            nickname = _clean_nickname(
                parent=child.parent, nickname=nickname, exclude_child_id=child.pk
            )
        except ValidationError as error:
            errors["nickname"] = error.messages
    if avatar is not None:
        _collect(errors, "avatar", validate_avatar, avatar)
    # A child who grows past the bounds keeps the birth year they already have.
    if birth_year is not None and birth_year != child.birth_year:
        _collect(errors, "birth_year", validate_birth_year, birth_year)
    if time_zone is not None:
        _collect(errors, "time_zone", validate_time_zone, time_zone)
    if new_pin:
        _collect(errors, "new_pin", validate_pin, new_pin)
    if errors:
        raise ProfileRejected.for_fields(errors)

    changed: list[str] = []
    for field, value in (
        ("nickname", nickname),
        ("avatar", avatar),
        ("birth_year", birth_year),
        ("time_zone", time_zone),
    ):
        if value is not None and getattr(child, field) != value:
            setattr(child, field, value)
            changed.append(field)
    if new_pin:
        child.set_pin(new_pin)
        child.pin_failures = 0
        child.pin_locked_until = None
        changed += ["pin_hash", "pin_failures", "pin_locked_until"]
    if changed:
        try:
            with transaction.atomic():
                child.save(update_fields=changed)
        except IntegrityError as error:
            raise ProfileRejected(
                _("Another child in your family is already called that."), field="nickname"
            ) from error
    return child


def set_child_pin(*, child: Child, pin: str) -> Child:
    """A parent gives a child a new play-mode PIN, which also lifts a PIN lock.

    :func:`update_child` with ``new_pin`` alone, its refusal naming the field ``pin``.
    """
    errors: dict[str, list[str]] = {}
    _collect(errors, "pin", validate_pin, pin)
    if errors:
        raise ProfileRejected.for_fields(errors)
    return update_child(child=child, new_pin=pin)


# --- play-mode PINs --------------------------------------------------------------


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
