"""The app's account life over REST (allauth's headless API at /api/v1/auth/app/, knox tokens for
the rest), with every mail sent through a real SMTP server and read from it:

sign up -> confirm the email from the mail -> add a child -> turn on TOTP -> sign out -> reset a
forgotten password by mail -> sign in with the password and a TOTP code.
"""

from __future__ import annotations

import logging
import socket
import time
from urllib.parse import unquote

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ConsentRecord, User
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

APP = "/api/v1/auth/app"
PASSWORD = "crayons-and-kites-42"
NEW_PASSWORD = "paper-boats-at-dawn-7"
CHILD = {
    "nickname": "Dami",
    "avatar": "panda",
    "birth_year": 2018,
    "time_zone": "Asia/Seoul",
    "pin": "2468",
    "consent": True,
}


def totp_code(secret: str, *, at: float | None = None) -> str:
    return format_hotp_value(hotp_value(secret, int(at or time.time()) // 30))


def key_of(link: str) -> str:
    return unquote(link.rstrip("/").rsplit("/", 1)[-1])


def app(session_token: str | None = None, bearer: str | None = None) -> APIClient:
    client = APIClient()
    headers = {}
    if session_token:
        headers["HTTP_X_SESSION_TOKEN"] = session_token
    if bearer:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {bearer}"
    client.credentials(**headers)
    return client


def test_the_app_walks_the_whole_account_life_by_mail_and_totp(mailbox):
    email = "mina.mum@example.com"
    signed_up = app().post(
        f"{APP}/auth/signup", {"email": email, "password": PASSWORD}, format="json"
    )
    assert signed_up.status_code == 401  # not signed in until the address is confirmed
    flows = {flow["id"]: flow for flow in signed_up.json()["data"]["flows"]}
    assert flows["verify_email"]["is_pending"]
    session = signed_up.json()["meta"]["session_token"]

    # The key from the mail the SMTP server received confirms the address and signs in.
    link = mailbox.wait_for(email).link("/accounts/confirm-email/")
    verified = app(session).post(f"{APP}/auth/email/verify", {"key": key_of(link)}, format="json")
    assert verified.status_code == 200, verified.json()
    token = verified.json()["meta"]["access_token"]
    session = verified.json()["meta"]["session_token"]  # signing in gave the session a new key
    assert token.startswith("icp_")  # a knox device token: the rest of the API takes it

    added = app(bearer=token).post("/api/v1/children/", CHILD, format="json")
    assert added.status_code == 201, added.json()
    consent = ConsentRecord.objects.get(child_id=added.json()["id"])
    assert consent.verified_email == email

    # Turn on TOTP (and recovery codes) with the session token, after proving it's the parent.
    again = app(session).post(f"{APP}/auth/reauthenticate", {"password": PASSWORD}, format="json")
    assert again.status_code == 200, again.json()
    offered = app(session).get(f"{APP}/account/authenticators/totp")
    assert offered.status_code == 404  # not on yet: the answer carries a new secret
    secret = offered.json()["meta"]["secret"]
    turned_on = app(session).post(
        f"{APP}/account/authenticators/totp", {"code": totp_code(secret)}, format="json"
    )
    assert turned_on.status_code == 200, turned_on.json()
    codes = app(session).get(f"{APP}/account/authenticators/recovery-codes")
    assert codes.status_code == 200 and codes.json()["data"]["unused_code_count"] > 0

    # Sign out: the session and this device's token.
    assert app(session).delete(f"{APP}/auth/session").status_code == 401
    assert app(bearer=token).post("/api/v1/auth/signout/").status_code == 204
    assert app(bearer=token).get("/api/v1/me/").status_code == 401

    # Forgot the password: a link by mail, a new password with its key.
    mailbox.clear()
    asked = app().post(f"{APP}/auth/password/request", {"email": email}, format="json")
    assert asked.status_code == 200, asked.json()
    reset_link = mailbox.wait_for(email).link("/accounts/password/reset/key/")
    reset = app().post(
        f"{APP}/auth/password/reset",
        {"key": key_of(reset_link), "password": NEW_PASSWORD},
        format="json",
    )
    assert reset.status_code == 401, reset.json()  # the password is new; now sign in
    assert User.objects.get(email=email).check_password(NEW_PASSWORD)

    # Sign in: the password, then the second factor's code (a later 30-second window, so the
    # code is not the one already used to turn TOTP on).
    with time_machine.travel(time.time() + 31, tick=True):
        logged_in = app().post(
            f"{APP}/auth/login", {"email": email, "password": NEW_PASSWORD}, format="json"
        )
        assert logged_in.status_code == 401
        pending = [f["id"] for f in logged_in.json()["data"]["flows"] if f.get("is_pending")]
        assert pending == ["mfa_authenticate"]
        session = logged_in.json()["meta"]["session_token"]
        second = app(session).post(
            f"{APP}/auth/2fa/authenticate", {"code": totp_code(secret)}, format="json"
        )
    assert second.status_code == 200, second.json()
    token = second.json()["meta"]["access_token"]
    me = app(bearer=token).get("/api/v1/me/")
    assert me.status_code == 200 and me.json()["email"] == email


def test_a_parent_who_has_not_confirmed_the_email_cannot_add_a_child(mailbox):
    parent = UserFactory.create(email_verified=False)
    client = APIClient()
    client.force_authenticate(parent)

    refused = client.post("/api/v1/children/", CHILD, format="json")

    assert refused.status_code == 403
    assert refused.json()["code"] == "email_not_verified"
    assert not parent.children.exists()


def test_sign_in_over_rest_refuses_an_unconfirmed_email_and_sends_the_link_again(mailbox):
    parent = UserFactory.create(email_verified=False)

    answer = APIClient().post(
        "/api/v1/auth/signin/",
        {"email": parent.email, "password": DEFAULT_PASSWORD},
        format="json",
    )

    assert answer.status_code == 403 and answer.json()["code"] == "email_not_verified"
    assert "/accounts/confirm-email/" in mailbox.wait_for(parent.email).body


def _with_totp(parent: User) -> str:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(parent, secret)
    return secret


def test_sign_in_over_rest_needs_the_second_factor_when_it_is_on():
    parent = UserFactory.create()
    secret = _with_totp(parent)
    sign_in = {"email": parent.email, "password": DEFAULT_PASSWORD}

    without = APIClient().post("/api/v1/auth/signin/", sign_in, format="json")
    wrong = APIClient().post("/api/v1/auth/signin/", {**sign_in, "code": "000000"}, format="json")
    right = APIClient().post(
        "/api/v1/auth/signin/", {**sign_in, "code": totp_code(secret)}, format="json"
    )

    assert (without.status_code, without.json()["code"]) == (403, "mfa_required")
    assert (wrong.status_code, wrong.json()["code"]) == (400, "wrong_code")
    assert right.status_code == 201


def _signed_in_token(parent: User) -> str:
    answer = APIClient().post(
        "/api/v1/auth/signin/",
        {"email": parent.email, "password": DEFAULT_PASSWORD},
        format="json",
    )
    assert answer.status_code == 201
    return answer.json()["token"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/children/{child}/withdraw-consent/"),
        ("get", "/api/v1/family/export/"),
        ("post", "/api/v1/auth/password/"),
    ],
)
def test_sensitive_actions_need_a_fresh_sign_in(method, path, mailbox):
    parent = UserFactory.create()
    token = _signed_in_token(parent)
    child = app(bearer=token).post("/api/v1/children/", CHILD, format="json").json()["id"]
    body = {
        "confirm": True,
        "old_password": DEFAULT_PASSWORD,
        "new_password": NEW_PASSWORD,
    }
    url = path.format(child=child)

    with time_machine.travel(time.time() + 6 * 60, tick=True):  # the sign-in is not fresh now
        stale = getattr(app(bearer=token), method)(
            url, body if method == "post" else None, format="json"
        )
        assert stale.status_code == 403
        assert stale.json()["code"] == "reauthentication_required"
        wrong = app(bearer=token).post(
            "/api/v1/auth/reauthenticate/", {"password": "not-my-password-1"}, format="json"
        )
        assert wrong.status_code == 400
        again = app(bearer=token).post(
            "/api/v1/auth/reauthenticate/", {"password": DEFAULT_PASSWORD}, format="json"
        )
        assert again.status_code == 204
        fresh = getattr(app(bearer=token), method)(
            url, body if method == "post" else None, format="json"
        )
        assert fresh.status_code in (200, 201), fresh.content[:300]


def test_a_new_password_over_rest_sends_a_notice(mailbox):
    parent = UserFactory.create()
    token = _signed_in_token(parent)

    changed = app(bearer=token).post(
        "/api/v1/auth/password/",
        {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )

    assert changed.status_code == 201
    assert "password" in mailbox.wait_for(parent.email).subject.lower()


def _headless_sign_in(parent: User, secret: str) -> str:
    """The app signs in with the password and the second factor; the session token back."""
    first = app().post(
        f"{APP}/auth/login", {"email": parent.email, "password": DEFAULT_PASSWORD}, format="json"
    )
    session = first.json()["meta"]["session_token"]
    done = app(session).post(
        f"{APP}/auth/2fa/authenticate", {"code": totp_code(secret)}, format="json"
    )
    assert done.status_code == 200, done.json()
    return done.json()["meta"]["session_token"]


def test_turning_the_second_factor_off_needs_a_fresh_sign_in(mailbox, settings):
    parent = UserFactory.create()
    secret = _with_totp(parent)
    session = _headless_sign_in(parent, secret)  # fresh for a few minutes, then no longer

    stale = time.time() + settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1
    with time_machine.travel(stale, tick=False):
        refused = app(session).delete(f"{APP}/account/authenticators/totp")
    assert refused.status_code == 401
    assert "reauthenticate" in [f["id"] for f in refused.json()["data"]["flows"]]
    assert Authenticator.objects.filter(user=parent).exists()

    again = app(session).post(
        f"{APP}/auth/reauthenticate", {"password": DEFAULT_PASSWORD}, format="json"
    )
    assert again.status_code == 200
    assert app(session).delete(f"{APP}/account/authenticators/totp").status_code == 200
    assert not Authenticator.objects.filter(user=parent).exists()
    assert "authenticator" in mailbox.wait_for(parent.email).body.lower()  # the notice


def test_wrong_passwords_through_the_app_sign_in_count_toward_the_lock_out(settings):
    parent = UserFactory.create()
    wrong = {"email": parent.email, "password": "not-the-password-1"}
    answers = [
        app().post(f"{APP}/auth/login", wrong, format="json").status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert answers == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]

    right = app().post(
        f"{APP}/auth/login", {"email": parent.email, "password": DEFAULT_PASSWORD}, format="json"
    )

    # Refused even with the right password: allauth's own limit on failed sign-ins answers first
    # here, django-axes' lock-out (the 429 above, shared with the web and /auth/signin/) too.
    assert right.status_code in (400, 429), right.json()
    assert "access_token" not in right.json().get("meta", {})
    web = Client().post("/login/", {"username": parent.email, "password": DEFAULT_PASSWORD})
    assert web.status_code == 429  # the same account and address, on the web


def test_a_new_password_through_the_app_ends_every_device_token(mailbox):
    parent = UserFactory.create()
    token = _signed_in_token(parent)
    first = app().post(
        f"{APP}/auth/login", {"email": parent.email, "password": DEFAULT_PASSWORD}, format="json"
    )
    session = first.json()["meta"]["session_token"]

    changed = app(session).post(
        f"{APP}/account/password/change",
        {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )

    assert changed.status_code == 200, changed.json()
    assert app(bearer=token).get("/api/v1/me/").status_code == 401
    assert "password" in mailbox.wait_for(parent.email).subject.lower()


def test_a_mail_server_that_cannot_take_the_mail_is_a_503_with_one_log_line(settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _closed_port()
    settings.EMAIL_TIMEOUT = 5
    parent = UserFactory.create()

    answer = app().post(f"{APP}/auth/password/request", {"email": parent.email}, format="json")

    assert answer.status_code == 503 and answer["Retry-After"]
    assert answer.json()["code"] == "unavailable"
    assert not [r for r in caplog.records if r.exc_info]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == [
        f"503 for POST {APP}/auth/password/request: the mail server is unreachable "
        "(MailUnavailable: ConnectionRefusedError: [Errno 111] Connection refused)"
    ]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when this returns
