"""Every write to a family: parents, child profiles and the consent recorded with them.

Views, admin and the REST API call these functions and never write the models
themselves, so each rule lives once: what a profile may hold in :mod:`accounts.rules`, the
play-mode PIN's tries and lock in :mod:`accounts.pins`. A child profile that can't be saved
raises :class:`~accounts.rules.ProfileRejected` (an ``ApplicationError``) with its
``field_errors`` keyed by the argument names, which the API answers as is and forms of the
same field names show next to the right input. The parents' sign-up functions raise Django's
``ValidationError``, as forms expect.
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Child, ConsentRecord, User
from accounts.rules import (
    ProfileRejected,
    clean_nickname,
    collect_errors,
    validate_avatar,
    validate_birth_year,
    validate_pin,
    validate_time_zone,
)
from accounts.verification import email_is_verified
from core import error_codes as codes
from core.errors import ApplicationError

# The version of the consent text parents agree to; bump it when the text changes.
CONSENT_VERSION = "2026-11"


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
        nickname = clean_nickname(parent=parent, nickname=nickname)
    except ValidationError as error:
        errors["nickname"] = error.messages
    collect_errors(errors, "avatar", validate_avatar, avatar)
    collect_errors(errors, "birth_year", validate_birth_year, birth_year)
    collect_errors(errors, "time_zone", validate_time_zone, time_zone)
    collect_errors(errors, "pin", validate_pin, pin)
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
            nickname = clean_nickname(
                parent=child.parent, nickname=nickname, exclude_child_id=child.pk
            )
        except ValidationError as error:
            errors["nickname"] = error.messages
    if avatar is not None:
        collect_errors(errors, "avatar", validate_avatar, avatar)
    # A child who grows past the bounds keeps the birth year they already have.
    if birth_year is not None and birth_year != child.birth_year:
        collect_errors(errors, "birth_year", validate_birth_year, birth_year)
    if time_zone is not None:
        collect_errors(errors, "time_zone", validate_time_zone, time_zone)
    if new_pin:
        collect_errors(errors, "new_pin", validate_pin, new_pin)
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
    collect_errors(errors, "pin", validate_pin, pin)
    if errors:
        raise ProfileRejected.for_fields(errors)
    return update_child(child=child, new_pin=pin)
