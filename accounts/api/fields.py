"""Request fields whose rules live in ``accounts.services`` (one source of truth, one sentence a
parent can act on) but whose shape the OpenAPI schema must still declare, so that a generated
client and a fuzzer know exactly what the server accepts.

Each field carries *described* limits: validators drf-spectacular reads into the schema
(``pattern``, ``minLength``, ``minimum``...) that check nothing themselves, because the service
checks the same limit from the same constant and says it better. The time zones, too many for a
validator's regex, are described by ``accounts.api.schema``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import (
    MinimumLengthValidator,
    get_default_password_validators,
)
from django.core import validators
from rest_framework import serializers
from rest_framework.fields import empty

from accounts.rules import NICKNAME_MAX_LENGTH, PIN_LENGTH, birth_year_bounds

PASSWORD_MAX_LENGTH = 128


class Described:
    """A validator the schema reads and the request never meets (the service checks it)."""

    def __call__(self, value: Any) -> None:
        return None


class DescribedPattern(Described, validators.RegexValidator):
    pass


class DescribedMinLength(Described, validators.MinLengthValidator):
    pass


class DescribedMaxLength(Described, validators.MaxLengthValidator):
    pass


class DescribedMinimum(Described, validators.MinValueValidator):
    pass


class DescribedMaximum(Described, validators.MaxValueValidator):
    pass


def _oldest_birth_year() -> int:
    return birth_year_bounds()[0]


def _youngest_birth_year() -> int:
    return birth_year_bounds()[1]


def _password_min_length() -> int:
    lengths = [
        v.min_length
        for v in get_default_password_validators()
        if isinstance(v, MinimumLengthValidator)
    ]
    return max(lengths, default=1)


class PinField(serializers.CharField):
    """A play-mode PIN: ``accounts.rules.validate_pin`` says whether it is one."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(DescribedPattern(rf"^[0-9]{{{PIN_LENGTH}}}$"))


class NicknameField(serializers.CharField):
    """A child's nickname, trimmed: ``accounts.rules.clean_nickname`` says whether it will do
    (not empty, not too long, not a sibling's)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(DescribedMaxLength(NICKNAME_MAX_LENGTH))
        self.validators.append(DescribedPattern(r"\S"))

    def run_validation(self, data: Any = empty) -> Any:
        # Not blank, says the schema; a blank one still goes to the service, which refuses it
        # in its own words together with the other fields' errors.
        if isinstance(data, str) and not data.strip():
            return ""
        return super().run_validation(data)


class BirthYearField(serializers.IntegerField):
    """A child's birth year: ``accounts.rules.validate_birth_year`` says which are allowed
    (this year's bounds, read when the schema is made)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(DescribedMinimum(_oldest_birth_year))
        self.validators.append(DescribedMaximum(_youngest_birth_year))


class TimeZoneField(serializers.CharField):
    """An IANA time zone name: ``accounts.rules.validate_time_zone`` says which exist."""


class NewPasswordField(serializers.CharField):
    """A password being chosen: Django's password validators (settings) say whether it will do;
    the schema says the minimum length they ask for."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", PASSWORD_MAX_LENGTH)
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)
        self.validators.append(DescribedMinLength(_password_min_length))
