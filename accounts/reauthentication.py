"""A fresh sign-in before sensitive actions, and the second factor's codes, over REST.

On the web, allauth keeps when the parent last proved who they are in the session, and its
``reauthentication_required`` asks for the password (or a code) again. A device token has no
session: it keeps ``authenticated_at``, set when the token is made (a sign-in) and by
``POST /api/v1/auth/reauthenticate/``. Either is fresh for ``ACCOUNT_REAUTHENTICATION_TIMEOUT``
seconds; a stale one gets ``403 reauthentication_required``, which the app answers by asking
for the password or a code and calling that endpoint.
"""

from __future__ import annotations

from datetime import timedelta

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate
from allauth.mfa.base.forms import BaseAuthenticateForm
from allauth.mfa.utils import is_mfa_enabled
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import ApiToken, User


def fresh_for() -> timedelta:
    return timedelta(seconds=account_settings.REAUTHENTICATION_TIMEOUT)


def has_second_factor(*, parent: User) -> bool:
    return is_mfa_enabled(parent)


def code_is_right(*, parent: User, code: str) -> bool:
    """An authenticator app's code or an unused recovery code of the parent (a recovery code
    is used up by this). Wrong codes are rate-limited per parent by allauth."""
    form = BaseAuthenticateForm(user=parent, data={"code": code})
    return form.is_valid()


def token_is_fresh(token: ApiToken) -> bool:
    return token.authenticated_at >= timezone.now() - fresh_for()


def mark_token_fresh(token: ApiToken) -> None:
    token.authenticated_at = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(authenticated_at=token.authenticated_at)


def recently_authenticated(request: HttpRequest, auth: object) -> bool:
    """Whether this request's parent proved who they are within the last few minutes: its
    device token, or (a web session) allauth's record of signing in again."""
    if isinstance(auth, ApiToken):
        return token_is_fresh(auth)
    return did_recently_reauthenticate(request)
