"""Forms for parents' pages and play mode.

Forms shape the input (choices, confirmations, the consent box); the rules
themselves live in ``accounts.services``, whose ``ValidationError``s use the same
field names so views can attach them to the right input.
"""

from __future__ import annotations

import zoneinfo
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts import rules
from accounts.models import AVATAR_EMOJI, Avatar, Child, User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Shown first in the time zone list: where most of our families live.
COMMON_TIME_ZONES = [
    "Asia/Seoul",
    "Asia/Tokyo",
    "Asia/Shanghai",
    "Asia/Singapore",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Australia/Sydney",
    "UTC",
]
_REGIONS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


def time_zone_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Common zones first, then every other current zone (no legacy aliases)."""
    available = zoneinfo.available_timezones()
    common = [(tz, tz.replace("_", " ")) for tz in COMMON_TIME_ZONES if tz in available]
    others = sorted(
        tz for tz in available if tz.startswith(_REGIONS) and tz not in COMMON_TIME_ZONES
    )
    return [
        (str(_("Common")), common),
        (str(_("All time zones")), [(tz, tz.replace("_", " ")) for tz in others]),
    ]


def birth_year_choices(extra: int | None = None) -> list[tuple[int, str]]:
    oldest, youngest = rules.birth_year_bounds()
    years = set(range(oldest, youngest + 1))
    if extra is not None:
        years.add(extra)
    return [(year, str(year)) for year in sorted(years, reverse=True)]


class AvatarRadioSelect(forms.RadioSelect):
    """Radio buttons that carry their emoji, so templates can draw big avatar buttons."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        option["emoji"] = AVATAR_EMOJI.get(option["value"], "🙂")
        return option


def _pin_field(
    label: StrOrPromise, *, required: bool = True, autocomplete: str = "off"
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        strip=True,
        validators=[rules.validate_pin],
        widget=forms.PasswordInput(
            attrs={
                "inputmode": "numeric",
                "pattern": f"[0-9]{{{rules.PIN_LENGTH}}}",
                "maxlength": rules.PIN_LENGTH,
                "autocomplete": autocomplete,
                "class": "pin-input",
            }
        ),
    )


# --- parents ---------------------------------------------------------------------


class SignupForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    display_name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=60,
        required=False,
        help_text=_("Only you see it, for example “Mum” or “Dad”."),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password_confirm = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        # Whether the email already has an account is never said here (services.sign_up_parent).
        email: str = self.cleaned_data["email"].strip().lower()
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password, confirm = cleaned.get("password"), cleaned.get("password_confirm")
        if password and confirm and password != confirm:
            self.add_error("password_confirm", _("The two passwords are different."))
        elif password:
            candidate = User(
                email=cleaned.get("email", ""), display_name=cleaned.get("display_name", "")
            )
            try:
                password_validation.validate_password(password, user=candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class EmailAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, with the email typed in any case."""

    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.error_messages = {
            **self.error_messages,
            "invalid_login": _(
                "That email and password do not match an account. Check both and try again."
            ),
        }

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().lower()


class LeavePlayForm(forms.Form):
    """The parent's password, so only a grown-up can leave play mode."""

    password = forms.CharField(
        label=_("Parent's password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                _("That is not the parent's password. Play mode is still on.")
            )
        return password


# --- children --------------------------------------------------------------------


class _ChildProfileForm(forms.Form):
    nickname = forms.CharField(
        label=_("Nickname"),
        max_length=rules.NICKNAME_MAX_LENGTH,
        help_text=_("A fun name your child likes. Please don't use their full real name."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    avatar = forms.ChoiceField(
        label=_("Avatar"), choices=Avatar.choices, widget=AvatarRadioSelect, initial=Avatar.CAT
    )
    birth_year = forms.TypedChoiceField(label=_("Birth year"), coerce=int, choices=())
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=(),
        initial="Asia/Seoul",
        help_text=_("So that “today” starts at your child's midnight."),
    )

    def __init__(self, *args: Any, current_birth_year: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["birth_year"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose a year")),
            *birth_year_choices(extra=current_birth_year),
        ]
        self.fields["time_zone"].choices = time_zone_choices()  # type: ignore[attr-defined]


class ChildAddForm(_ChildProfileForm):
    pin = _pin_field(_("Secret number (4 digits)"), autocomplete="new-password")
    pin_confirm = _pin_field(_("Secret number again"), autocomplete="new-password")
    consent = forms.BooleanField(
        label=_(
            "I am this child's parent or guardian and I agree that iCanvas keeps this "
            "profile and the drawings made in it, as described in the privacy notice."
        ),
        error_messages={
            "required": _("Only a parent or guardian can make a child profile: tick the box.")
        },
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        pin, confirm = cleaned.get("pin"), cleaned.get("pin_confirm")
        if pin and confirm and pin != confirm:
            self.add_error("pin_confirm", _("The two secret numbers are different."))
        return cleaned


class ChildEditForm(_ChildProfileForm):
    new_pin = _pin_field(
        _("New secret number (leave empty to keep it)"), required=False, autocomplete="new-password"
    )
    new_pin_confirm = _pin_field(
        _("New secret number again"), required=False, autocomplete="new-password"
    )

    def __init__(self, *args: Any, child: Child, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "nickname": child.nickname,
                "avatar": child.avatar,
                "birth_year": child.birth_year,
                "time_zone": child.time_zone,
            },
        )
        super().__init__(*args, current_birth_year=child.birth_year, **kwargs)
        self.child = child

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        pin, confirm = cleaned.get("new_pin"), cleaned.get("new_pin_confirm")
        if (pin or confirm) and pin != confirm and "new_pin" not in self.errors:
            self.add_error("new_pin_confirm", _("The two secret numbers are different."))
        return cleaned


class PinForm(forms.Form):
    pin = _pin_field(_("Secret number"))
    pin.widget.attrs["autofocus"] = True
