"""The shapes of the parents' REST API: what comes in (checked here for type only; the rules
are the services') and what goes out."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.api.fields import BirthYearField, NicknameField, PinField, TimeZoneField
from accounts.models import AVATAR_EMOJI, Avatar, Child
from accounts.services import CONSENT_VERSION
from core import error_codes as codes
from core.serializers import JSONBodySerializer, MustBeTrueField
from drawings.models import Drawing, DrawingStatus
from drawings.payloads import drawing_payload
from drawings.serializers import DrawingFieldsSerializer
from gamification import streaks
from gamification.levels import level_for
from gamification.selectors import local_today

# --- the parent --------------------------------------------------------------------------


class FamilyCountsSerializer(serializers.Serializer):
    children = serializers.IntegerField()
    drawings = serializers.IntegerField(help_text="Every drawing of the family, hidden included.")
    new_pictures = serializers.IntegerField(
        help_text="Finished pictures since the parent last opened the family gallery."
    )
    asked_to_look = serializers.IntegerField(
        help_text='Pictures a child asked a grown-up to look at ("Show a grown-up").'
    )


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    display_name = serializers.CharField()
    date_joined = serializers.DateTimeField()
    counts = FamilyCountsSerializer()


# --- children ----------------------------------------------------------------------------


class AvatarSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="What to send as a child's `avatar`.")
    emoji = serializers.CharField()
    # A field called "label" shadows Field.label in the stubs; the API name is worth keeping.
    label = serializers.CharField(help_text="The name in the request's language.")  # type: ignore[assignment]


def avatar_choices() -> list[dict[str, str]]:
    """The fixed avatars, labelled in the active language."""
    return [
        {"value": avatar.value, "emoji": AVATAR_EMOJI[avatar], "label": str(avatar.label)}
        for avatar in Avatar
    ]


class ChildSerializer(serializers.Serializer):
    """A child at a glance. Read from ``family.selectors.children_at_a_glance``'s annotations."""

    id = serializers.IntegerField()
    nickname = serializers.CharField()
    avatar = serializers.ChoiceField(choices=Avatar.choices)
    avatar_emoji = serializers.CharField()
    birth_year = serializers.IntegerField()
    age = serializers.IntegerField(help_text="About: only the birth year is kept.")
    time_zone = serializers.CharField()
    level = serializers.IntegerField()
    xp = serializers.IntegerField()
    streak = serializers.IntegerField(help_text="Days in a row, as the child sees it today.")
    drawings_count = serializers.IntegerField(help_text="Hidden drawings included.")
    last_drawn_at = serializers.DateTimeField(allow_null=True)
    pin_locked_until = serializers.DateTimeField(
        allow_null=True, help_text="Too many wrong PINs: play mode is locked until then."
    )
    created_at = serializers.DateTimeField()

    def to_representation(self, instance: Child) -> dict[str, Any]:
        child: Any = instance  # the annotations of children_at_a_glance
        streak = streaks.streak_alive(
            current=child.current_streak,
            freezes=child.streak_freezes,
            last_day=child.last_active_day,
            today=local_today(instance),
        )
        return super().to_representation(
            {
                "id": instance.pk,
                "nickname": instance.nickname,
                "avatar": instance.avatar,
                "avatar_emoji": instance.avatar_emoji,
                "birth_year": instance.birth_year,
                "age": child.age,
                "time_zone": instance.time_zone,
                "level": level_for(child.xp_total),
                "xp": child.xp_total,
                "streak": streak,
                "drawings_count": child.drawing_count,
                "last_drawn_at": child.last_drawn_at,
                "pin_locked_until": instance.pin_locked_until,
                "created_at": instance.created_at,
            }
        )


class ChildCreateSerializer(JSONBodySerializer):
    nickname = NicknameField(help_text="What the child likes to be called (no real name).")
    avatar = serializers.ChoiceField(
        choices=Avatar.choices,
        error_messages={"invalid_choice": _("Pick one of the avatars.")},
        help_text="One of GET /api/v1/children/avatars/.",
    )
    birth_year = BirthYearField(help_text="Only the year: for about 3 to 13 year olds.")
    time_zone = TimeZoneField(
        default="Asia/Seoul", help_text="So a day is the child's day, e.g. Asia/Seoul."
    )
    pin = PinField(help_text="The secret number for play mode: 4 digits.")
    consent = MustBeTrueField(
        help_text=f"The parent or guardian agrees (consent text version {CONSENT_VERSION})."
    )

    def validate_consent(self, value: bool) -> bool:
        if value is not True:
            raise serializers.ValidationError(
                _("A parent or guardian has to agree before a child profile is made."),
                code=codes.CONSENT_REQUIRED,
            )
        return value


class ChildUpdateSerializer(JSONBodySerializer):
    """Only what is sent changes."""

    nickname = NicknameField(required=False)
    avatar = serializers.ChoiceField(
        choices=Avatar.choices,
        required=False,
        error_messages={"invalid_choice": _("Pick one of the avatars.")},
    )
    birth_year = BirthYearField(required=False)
    time_zone = TimeZoneField(required=False)


class PinSerializer(JSONBodySerializer):
    pin = PinField(help_text="The new secret number: 4 digits. It also unlocks.")


class ConfirmSerializer(JSONBodySerializer):
    confirm = MustBeTrueField(help_text="Must be true: this cannot be undone.")

    def validate_confirm(self, value: bool) -> bool:
        if value is not True:
            raise serializers.ValidationError(
                _("Send confirm: true to delete everything of this child for good."),
                code=codes.CONFIRM_REQUIRED,
            )
        return value


class WithdrawalSerializer(serializers.Serializer):
    drawings = serializers.IntegerField(help_text="Drawings deleted.")
    files = serializers.IntegerField(help_text="Stored sketches and pictures deleted.")
    consent_records = serializers.IntegerField(
        help_text="Consent records kept as evidence, now naming nobody."
    )
    withdrawn_at = serializers.DateTimeField()


# --- drawings ----------------------------------------------------------------------------


ID_MAX = 2**63 - 1  # the largest id a database column holds


ID_MAX = 2**63 - 1  # the largest id a database column holds


class FamilyDrawingFilterSerializer(serializers.Serializer):
    child = serializers.IntegerField(
        required=False, min_value=1, max_value=ID_MAX, help_text="Only this child's drawings."
    )
    category = serializers.SlugField(required=False, help_text="A category slug, e.g. panda.")
    status = serializers.ChoiceField(choices=DrawingStatus.choices, required=False)
    since = serializers.DateTimeField(
        required=False, help_text="Made at or after this moment (ISO 8601)."
    )
    asked = serializers.BooleanField(
        required=False,
        help_text="true: only those a child asked a grown-up to look at; false: the others.",
    )


class FamilyDrawingSerializer(DrawingFieldsSerializer):
    """The drawing as every client sees it (``drawings.payloads.drawing_payload``, the fields
    the child's API declares too), plus what a parent needs: whose it is, whether it is hidden,
    and download addresses that take the parent's token (``sketch_url``/``result_url`` are the
    website's, for a browser session)."""

    sketch_url = serializers.CharField(
        help_text="The website's address (the browser's session); with a token: "
        "`sketch_download_url`."
    )
    result_url = serializers.CharField(
        allow_null=True,
        help_text="The website's address (the browser's session); with a token: "
        "`picture_download_url`.",
    )
    child_id = serializers.IntegerField()
    hidden = serializers.BooleanField(help_text="Hidden from the child's gallery.")
    version = serializers.IntegerField(
        allow_null=True,
        help_text='Which of `versions` the child shows ("New colours"); null until done. '
        "`picture_download_url` is that one.",
    )
    versions = serializers.ListField(
        child=serializers.DictField(),
        help_text="Every colourway the child made, oldest first: `{number, url}` (the website's "
        "address, for the browser's session; the family admin shows them all).",
    )
    sketch_download_url = serializers.URLField()
    picture_download_url = serializers.URLField(
        allow_null=True, help_text="null until the picture is done."
    )

    def to_representation(self, instance: Drawing) -> dict[str, Any]:
        payload = drawing_payload(instance)
        request = self.context["request"]
        sketch = reverse("family_api:drawing-sketch", args=[instance.pk])
        picture = reverse("family_api:drawing-picture", args=[instance.pk])
        return {
            **payload,
            "child_id": instance.child_id,
            "hidden": instance.hidden,
            "sketch_download_url": request.build_absolute_uri(sketch),
            "picture_download_url": (
                request.build_absolute_uri(picture) if payload["result_url"] else None
            ),
        }
