"""``Authorization: Bearer <token>``: knox's check, plus who the token acts for.

A parent's token acts for the parent and never as a child, whatever a cookie says; a play
token acts only as its child (``request.child``, the same attribute play mode sets on the web,
so every permission reads one thing). A token in the address is refused outright: addresses end
up in logs, histories and referrers.
"""

from __future__ import annotations

import binascii
from hmac import compare_digest
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions
from rest_framework.request import Request

from accounts import tokens
from accounts.models import ApiToken
from core import error_codes as codes

QUERY_TOKEN_NAMES = ("token", "access_token", "auth", "authorization", "bearer", "key")
TOKEN_IN_ADDRESS = _("Send the token in the Authorization header, never in the address.")


class DeviceTokenAuthentication(TokenAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        if any(name in request.query_params for name in QUERY_TOKEN_NAMES):
            raise exceptions.AuthenticationFailed(TOKEN_IN_ADDRESS, code=codes.TOKEN_IN_ADDRESS)
        found = super().authenticate(request)
        if found is None:
            return None
        user, token = found
        child = None
        if token.child_id is not None:
            child = token.child
            if child is None or child.parent_id != user.pk:
                raise exceptions.AuthenticationFailed(_("Invalid token."))
        # The one attribute every permission reads (accounts.permissions.playing_child).
        request._request.child = child  # type: ignore[attr-defined]
        tokens.touch(token)
        return user, token

    def renew_token(self, auth_token: ApiToken) -> None:
        # A play token lasts PLAY_TOKEN_HOURS from the PIN, however much it is used; only a
        # parent's token is renewed while used (knox's AUTO_REFRESH, capped at its max TTL).
        if auth_token.child_id is None:
            super().renew_token(auth_token)

    def authenticate_credentials(self, token: bytes) -> tuple[Any, ApiToken]:
        """knox's check in one query (the token with its parent and child): a row of this key
        whose digest matches and has not expired. knox also read all the parent's tokens on
        every request to delete the expired ones; that is done when the token's use is
        recorded (``tokens.touch``, at most once a minute), not on every drawing."""
        try:
            text = token.decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        rows = ApiToken.objects.filter(token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH])
        now = timezone.now()
        for row in rows.select_related("user", "child"):
            if row.expiry is not None and row.expiry < now:
                row.delete()
                token_expired.send(
                    sender=self.__class__, username=row.user.get_username(), source="auth_token"
                )
                continue
            try:
                digest = hash_token(text)
            except (TypeError, binascii.Error) as exc:
                raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
            if compare_digest(digest, row.digest):
                if knox_settings.AUTO_REFRESH and row.expiry:
                    self.renew_token(row)
                user, found = self.validate_user(row)
                return user, found
        raise exceptions.AuthenticationFailed(_("Invalid token."))


# The schema extension registers itself on import, next to the class it describes.
from accounts.api import schema as _schema  # noqa: E402, F401
