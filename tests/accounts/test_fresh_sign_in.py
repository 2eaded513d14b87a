"""Signing in is a fresh sign-in (issue 22): a parent who has just signed in, at the site's
/login/ or in the app through allauth's headless API, adds a second factor without being asked
for the password again; once the freshness window has passed, the password is asked for."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import DEFAULT_PASSWORD, DEFAULT_PIN, ChildFactory, UserFactory

pytestmark = pytest.mark.django_db

APP = "/api/v1/auth/app"
WINDOW = timedelta(seconds=settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1)


def _signed_in_at_login_page(parent) -> Client:
    client = Client()
    signed_in = client.post(
        reverse("accounts:login"), {"username": parent.email, "password": DEFAULT_PASSWORD}
    )
    assert signed_in.status_code == 302
    return client


def _asks_to_sign_in_again(answer) -> bool:
    return answer.status_code == 302 and answer["Location"].startswith(
        reverse("account_reauthenticate")
    )


def test_adding_a_second_factor_right_after_signing_in_at_the_login_page_asks_nothing_more():
    parent = UserFactory.create()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = _signed_in_at_login_page(parent)

        offered = client.get(reverse("mfa_activate_totp"))
        assert offered.status_code == 200
        assert not _asks_to_sign_in_again(offered)

        clock.shift(WINDOW)
        assert _asks_to_sign_in_again(client.get(reverse("mfa_activate_totp")))


def test_the_code_after_the_password_is_a_fresh_sign_in_too():
    parent = UserFactory.create()
    secret = generate_totp_secret()
    TOTP.activate(parent, secret)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = _signed_in_at_login_page(parent)
        clock.shift(timedelta(seconds=31))  # a new code, and the password a while ago
        code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
        assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302

        assert client.get(reverse("mfa_generate_recovery_codes")).status_code == 200

        clock.shift(WINDOW)
        assert _asks_to_sign_in_again(client.get(reverse("mfa_generate_recovery_codes")))


def test_handing_the_device_to_a_child_ends_the_fresh_sign_in():
    """Play mode right after signing in: back from it (with the password), sensitive pages
    ask for the password again before anything else."""
    child = ChildFactory.create()
    client = _signed_in_at_login_page(child.parent)
    assert client.get(reverse("mfa_activate_totp")).status_code == 200

    played = client.post(reverse("accounts:play_pin", args=[child.pk]), {"pin": DEFAULT_PIN})
    assert played.status_code == 302
    left = client.post(reverse("accounts:leave_play"), {"password": DEFAULT_PASSWORD})
    assert left.status_code == 302

    assert _asks_to_sign_in_again(client.get(reverse("mfa_activate_totp")))


def test_a_session_signed_in_otherwise_still_signs_in_again():
    """Only a proof of who the parent is counts (here none is recorded): no freshness for free."""
    parent = UserFactory.create()
    client = Client()
    client.force_login(parent)

    assert _asks_to_sign_in_again(client.get(reverse("mfa_activate_totp")))


def test_the_apps_sign_in_is_fresh_for_adding_a_passkey():
    parent = UserFactory.create()
    app = APIClient(HTTP_HOST="localhost")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        password = {"email": parent.email, "password": DEFAULT_PASSWORD}
        signed_in = app.post(f"{APP}/auth/login", password, format="json")
        assert signed_in.status_code == 200, signed_in.json()
        app.credentials(HTTP_X_SESSION_TOKEN=signed_in.json()["meta"]["session_token"])

        offered = app.get(f"{APP}/account/authenticators/webauthn")
        assert offered.status_code == 200, offered.json()
        assert offered.json()["data"]["creation_options"]["publicKey"]["challenge"]

        clock.shift(WINDOW)
        refused = app.get(f"{APP}/account/authenticators/webauthn")
        assert refused.status_code == 401
        assert "reauthenticate" in [f["id"] for f in refused.json()["data"]["flows"]]
