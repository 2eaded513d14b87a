from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.api.fields import NewPasswordField, PinField
from accounts.models import ApiToken
from accounts.tokens import DEVICE_NAME_MAX
from core.serializers import JSONBodySerializer


class DeviceNameField(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("max_length", DEVICE_NAME_MAX)
        kwargs.setdefault(
            "help_text", 'What to call this device in "my devices", e.g. "Mina\'s iPad".'
        )
        super().__init__(**kwargs)


class SignUpSerializer(JSONBodySerializer):
    email = serializers.EmailField(max_length=254)
    password = NewPasswordField(write_only=True)
    display_name = serializers.CharField(max_length=60, required=False, allow_blank=True)


class SecondFactorCodeField(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "help_text",
            "With a second factor on: the authenticator app's 6-digit code, or a recovery code.",
        )
        super().__init__(**kwargs)


class SignInSerializer(JSONBodySerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    code = SecondFactorCodeField()
    device_name = DeviceNameField()


class ReauthenticateSerializer(JSONBodySerializer):
    """The password, or (with a second factor on) a code instead."""

    password = serializers.CharField(
        max_length=128, trim_whitespace=False, required=False, allow_blank=True
    )
    code = SecondFactorCodeField()


class PasswordChangeSerializer(JSONBodySerializer):
    old_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = NewPasswordField()
    device_name = DeviceNameField()


class PasswordSerializer(JSONBodySerializer):
    password = serializers.CharField(
        max_length=128, trim_whitespace=False, help_text="The parent's password."
    )


class PlaySerializer(JSONBodySerializer):
    pin = PinField(max_length=8, help_text="The child's secret number (4 digits).")
    device_name = DeviceNameField()


class TokenSerializer(serializers.Serializer):
    """A new token: keep ``token`` secret (send it as ``Authorization: Bearer <token>``); it is
    shown only in this answer."""

    token = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True)
    device = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=["parent", "child"])
    child_id = serializers.IntegerField(allow_null=True)

    def get_device(self, data: dict[str, Any]) -> dict[str, Any]:
        return dict(DeviceSerializer(data["row"], context=self.context).data)


class DeviceSerializer(serializers.ModelSerializer[ApiToken]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = serializers.SerializerMethodField()
    current = serializers.SerializerMethodField()
    child_nickname = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = (
            "id",
            "kind",
            "device_name",
            "child_id",
            "child_nickname",
            "created",
            "expiry",
            "last_used_at",
            "current",
        )
        read_only_fields = fields

    def get_kind(self, row: ApiToken) -> str:
        return "child" if row.child_id else "parent"

    def get_current(self, row: ApiToken) -> bool:
        request = self.context.get("request")
        auth = getattr(request, "auth", None)
        return bool(auth is not None and getattr(auth, "pk", None) == row.pk)

    def get_child_nickname(self, row: ApiToken) -> str | None:
        return row.child.nickname if row.child_id and row.child else None


class MessageSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
