"""django-allauth, fitted to iCanvas: the parents' account life (README "Parents' accounts").

allauth does the account life (email verification, reset by mail, notices, email change, TOTP and
recovery codes, reauthentication) on the web and, headless, for the mobile app. The rest of the
API keeps its knox device tokens: once the app has signed in through the headless API, the
answer carries a knox token for this device (:class:`DeviceTokenStrategy`), which the app sends
as ``Authorization: Bearer`` like any other.
"""

from __future__ import annotations

import smtplib
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.headless.tokens.strategies.sessions import SessionTokenStrategy
from django.http import HttpRequest

from accounts import reauthentication, tokens
from accounts.models import User
from core.client_address import client_address
from core.infrastructure import MailUnavailable

DEVICE_NAME_HEADER = "X-Device-Name"


class ParentAccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        # One notion of the client's address (TRUSTED_PROXIES), for allauth's rate limits too.
        return client_address(request)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's mail; a mail server that cannot take it is the infrastructure being down
        (503 + ``Retry-After``, one log line), never a 500 with a traceback."""
        try:
            super().send_mail(template_prefix, email, context)
        except (smtplib.SMTPException, OSError) as error:
            raise MailUnavailable(f"{type(error).__name__}: {error}") from error

    def login(self, request: HttpRequest, user: User) -> None:
        """Every way in (the site's /login/, the app's headless sign-in, a passkey, a code after
        the password) ends here; the step that proved who the parent is counts as fresh, so
        adding a second factor right after signing in does not ask for the password again."""
        super().login(request, user)
        reauthentication.count_sign_in_as_fresh(request, user)

    def set_password(self, user: User, password: str) -> None:
        """A new password (changed, or reset by mail) ends access everywhere else: every device
        token is revoked and every other web session ends, their sockets close."""
        super().set_password(user, password)
        if user.pk is not None:
            tokens.revoke_all(parent=user)
            tokens.recheck_web_sessions(parent_id=user.pk)


class DeviceTokenStrategy(SessionTokenStrategy):
    """allauth's session token for the account steps; a knox device token once signed in."""

    def create_access_token(self, request: HttpRequest) -> str | None:
        user = request.user
        if not isinstance(user, User):
            return None
        issued = tokens.issue_parent_token(
            parent=user, device_name=request.headers.get(DEVICE_NAME_HEADER, "") or "app"
        )
        return issued.token
