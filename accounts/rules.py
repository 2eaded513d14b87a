"""What a child profile may hold: the PIN format, the age bounds, a nickname, an avatar, a time
zone, and the refusal that names every field at fault.

The single checks raise Django's ``ValidationError``, as the form and model validators they
also are; :mod:`accounts.services` gathers them into one :class:`ProfileRejected`.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Avatar, Child, User
from core import error_codes as codes
from core.errors import ApplicationError

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


def collect_errors(
    errors: dict[str, list[str]], field: str, check: Callable[[Any], None], value: object
) -> None:
    """Run one check; what it refuses joins ``errors`` under ``field``."""
    try:
        check(value)
    except ValidationError as error:
        errors.setdefault(field, []).extend(error.messages)
