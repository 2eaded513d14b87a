"""A fresh sign-in before sensitive actions, and the second factor's codes, over REST.

On the web, allauth keeps when the parent last proved who they are in the session, and its
``reauthentication_required`` asks for the password (or a code) again. A device token has no
session: it keeps ``authenticated_at``, set when the token is made (a sign-in) and by
``POST /api/v1/auth/reauthenticate/``. Either is fresh for ``ACCOUNT_REAUTHENTICATION_TIMEOUT``
seconds; a stale one gets ``403 reauthentication_required``, which the app answers by asking
for the password or a code and calling that endpoint.

Signing in is itself a fresh sign-in: allauth counts only its records marked ``reauthenticated``,
so a parent who had just signed in (at /login/, or the app through allauth's headless API) was
asked for the password again to add a second factor. :func:`count_sign_in_as_fresh` marks the
step that completed the sign-in (the password, or the second factor after it, or a passkey).
"""

from __future__ import annotations

import time
from datetime import timedelta

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.login import (
    AUTHENTICATION_METHODS_SESSION_KEY,
    get_authentication_records,
    record_authentication,
)
from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate
from allauth.mfa.base.forms import BaseAuthenticateForm
from allauth.mfa.utils import is_mfa_enabled
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import ApiToken, User

# The steps that prove who the parent is: a password, or a second factor (a code or a passkey,
# which allauth records as "mfa"). Confirming an email or a reset link is no such proof.
PROOFS = frozenset({"password", "mfa"})


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


def record_password_sign_in(request: HttpRequest, parent: User) -> None:
    """The site's own sign-in form checked this parent's password: recorded in the session as
    allauth's sign-in records it (before its stages: a confirmed email, a second factor)."""
    record_authentication(request, parent, method="password", email=parent.email)


def count_sign_in_as_fresh(request: HttpRequest, parent: User) -> None:
    """The step that has just signed this parent in counts as a fresh sign-in, when it proved
    who they are (a password, a code, a passkey) within the freshness window."""
    records = [dict(record) for record in get_authentication_records(request, parent)]
    if not records or records[-1].get("method") not in PROOFS:
        return
    if time.time() - float(records[-1].get("at", 0)) >= fresh_for().total_seconds():
        return
    records[-1]["reauthenticated"] = True
    request.session[AUTHENTICATION_METHODS_SESSION_KEY] = records


def forget_fresh_sign_in(request: HttpRequest, parent: User) -> None:
    """No step of this session counts as a fresh sign-in any more (the device changed hands)."""
    records = [dict(record) for record in get_authentication_records(request, parent)]
    if any(record.pop("reauthenticated", None) for record in records):
        request.session[AUTHENTICATION_METHODS_SESSION_KEY] = records
