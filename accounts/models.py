"""Parents own the family account; children are profiles inside it.

A child profile deliberately holds no email, real name, photo or location:
only a nickname the child likes, an avatar picked from our own set, a birth
year (for age-appropriate content) and a time zone (so a day is the child's day).
"""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import datetime
from typing import ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]
    """A parent (or guardian): the adult who owns the family account."""

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("name shown to you"), max_length=60, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # When the parent last opened the family gallery: the family page counts what came since.
    gallery_seen_at = models.DateTimeField(null=True, blank=True)
    # "Sign out everywhere" counts this up: every web session signed in before then ends.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("parent")
        verbose_name_plural = _("parents")

    def __str__(self) -> str:
        return self.email

    def get_session_auth_hash(self) -> str:
        """Django's (from the password hash: a new password ends other sessions), mixed with
        ``session_epoch`` once the parent has signed out everywhere (sessions from before
        then no longer match). Unchanged while the epoch is 0, so no one is signed out by it."""
        password_hash = super().get_session_auth_hash()
        if not self.session_epoch:
            return password_hash
        return salted_hmac(
            "accounts.User.session_epoch",
            f"{password_hash}:{self.session_epoch}",
            algorithm="sha256",
        ).hexdigest()


class Avatar(models.TextChoices):
    """Avatars come from our own set: never a photo of the child."""

    CAT = "cat", _("Cat")
    DOG = "dog", _("Dog")
    PANDA = "panda", _("Panda")
    RABBIT = "rabbit", _("Rabbit")
    FOX = "fox", _("Fox")
    PENGUIN = "penguin", _("Penguin")
    LION = "lion", _("Lion")
    UNICORN = "unicorn", _("Unicorn")
    ROBOT = "robot", _("Robot")
    DINOSAUR = "dinosaur", _("Dinosaur")


AVATAR_EMOJI = {
    Avatar.CAT: "🐱",
    Avatar.DOG: "🐶",
    Avatar.PANDA: "🐼",
    Avatar.RABBIT: "🐰",
    Avatar.FOX: "🦊",
    Avatar.PENGUIN: "🐧",
    Avatar.LION: "🦁",
    Avatar.UNICORN: "🦄",
    Avatar.ROBOT: "🤖",
    Avatar.DINOSAUR: "🦖",
}


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Pick a time zone from the list, for example Asia/Seoul."))


class Child(models.Model):  # type: ignore[django-manager-missing]
    """A child's profile inside a family. No personal data beyond what play needs."""

    parent = models.ForeignKey(User, on_delete=models.CASCADE, related_name="children")
    nickname = models.CharField(_("nickname"), max_length=20)
    avatar = models.CharField(
        _("avatar"), max_length=20, choices=Avatar.choices, default=Avatar.CAT
    )
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Seoul", validators=[validate_time_zone]
    )
    pin_hash = models.CharField(max_length=128, editable=False)
    pin_failures = models.PositiveSmallIntegerField(default=0, editable=False)
    pin_locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ("created_at", "id")
        constraints = (
            models.UniqueConstraint(
                fields=["parent", "nickname"], name="unique_nickname_per_family"
            ),
        )

    def __str__(self) -> str:
        return self.nickname

    @property
    def avatar_emoji(self) -> str:
        return AVATAR_EMOJI.get(Avatar(self.avatar), "🙂") if self.avatar in Avatar.values else "🙂"

    def set_pin(self, pin: str) -> None:
        self.pin_hash = make_password(pin)

    def check_pin(self, pin: str) -> bool:
        return bool(self.pin_hash) and check_password(pin, self.pin_hash)


class ConsentRecord(models.Model):
    """A parent's consent for one child: how, when and to which text version.

    Evidence outlives the child's data: withdrawing consent deletes the profile and sets
    ``withdrawn_at``; ``child`` becomes empty, so the record points at nothing personal.
    """

    class Method(models.TextChoices):
        WEB_FORM = "web_form", _("Checked the consent box on the website")
        MOBILE_APP = "mobile_app", _("Confirmed in the mobile app")
        DEMO_SEED = "demo_seed", _("Demo family created by make run")

    parent = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    child = models.ForeignKey(
        Child, on_delete=models.SET_NULL, null=True, blank=True, related_name="consents"
    )
    method = models.CharField(max_length=20, choices=Method.choices)
    version = models.CharField(max_length=20)
    # The parent's email address at the time, verified (consent counts only from a verified
    # parent): the record says who consented, however the account changes later.
    verified_email = models.EmailField(_("verified email of the parent"), blank=True)
    granted_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ("-granted_at",)

    def __str__(self) -> str:
        whom = self.child_id if self.child_id is not None else "a deleted profile"
        return f"consent {self.version} for {whom} ({self.method})"


class ApiToken(AbstractAuthToken):
    """One device's API token (django-rest-knox stores only its hash, and it expires).

    A parent's token (``child`` empty) acts for the parent; a **play token** (``child`` set) is
    made by ``POST /api/v1/children/{id}/play/`` with the child's PIN and acts only as that
    child, like play mode on the web. ``public_id`` names the token in "my devices" without
    revealing any part of the secret.
    """

    # knox ships no type hints, so the model's fields are spelled out for mypy.
    public_id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False
    )
    device_name: models.CharField[str, str] = models.CharField(
        _("device"), max_length=60, blank=True
    )
    child: models.ForeignKey[Child | None, Child | None] = models.ForeignKey(
        Child,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("child"),
    )
    last_used_at: models.DateTimeField[datetime | None, datetime | None] = models.DateTimeField(
        _("last used"), null=True, blank=True
    )
    # When the parent last proved who they are on this device (password, with the second factor
    # if on): sensitive actions need it recent (accounts.reauthentication).
    authenticated_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(
        _("last signed in"), default=timezone.now
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        who = f"child {self.child_id}" if self.child_id else f"parent {self.user_id}"
        return f"token {self.public_id} ({who}, {self.device_name or 'unnamed device'})"
