"""Passkeys (WebAuthn) for the app, over allauth's headless API at /api/v1/auth/app/: the app is
told they are on, the relying party is the host the parent opened, and adding one asks for a
fresh sign-in like every other change to the second factor. (Registering a passkey and signing in
with it run in a real browser: tests/browser/test_passkeys.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

APP = "/api/v1/auth/app"
HOST = "localhost"


def app(session_token: str | None = None) -> APIClient:
    client = APIClient(HTTP_HOST=HOST)
    if session_token:
        client.credentials(HTTP_X_SESSION_TOKEN=session_token)
    return client


def test_the_app_is_told_that_passkeys_sign_in_and_serve_as_a_second_factor() -> None:
    answer = app().get(f"{APP}/config")

    assert answer.status_code == 200
    mfa = answer.json()["data"]["mfa"]
    assert "webauthn" in mfa["supported_types"]
    assert {"totp", "recovery_codes"} <= set(mfa["supported_types"])
    assert mfa["passkey_login_enabled"] is True


def test_pages_may_ask_for_a_passkey_but_other_sites_frames_may_not() -> None:
    policy = app().get("/login/")["Permissions-Policy"]

    assert "publickey-credentials-get=(self)" in policy
    assert "publickey-credentials-create=(self)" in policy
    assert "camera=()" in policy


def test_signing_in_with_a_passkey_asks_for_one_of_this_host() -> None:
    answer = app().get(f"{APP}/auth/webauthn/login")

    assert answer.status_code == 200
    options = answer.json()["data"]["request_options"]["publicKey"]
    assert options["rpId"] == HOST
    assert options["challenge"]


def test_adding_a_passkey_needs_a_fresh_sign_in() -> None:
    parent = UserFactory.create()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        password = {"email": parent.email, "password": DEFAULT_PASSWORD}
        signed_in = app().post(f"{APP}/auth/login", password, format="json")
        assert signed_in.status_code == 200, signed_in.json()
        session = signed_in.json()["meta"]["session_token"]

        clock.shift(timedelta(seconds=settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1))
        refused = app(session).get(f"{APP}/account/authenticators/webauthn")
        assert refused.status_code == 401
        assert "reauthenticate" in [f["id"] for f in refused.json()["data"]["flows"]]

        again = app(session).post(
            f"{APP}/auth/reauthenticate", {"password": DEFAULT_PASSWORD}, format="json"
        )
        assert again.status_code == 200
        offered = app(session).get(f"{APP}/account/authenticators/webauthn")

    assert offered.status_code == 200
    creation = offered.json()["data"]["creation_options"]["publicKey"]
    assert creation["rp"] == {"id": HOST, "name": HOST}
    assert creation["user"]["name"] == parent.email


@pytest.mark.parametrize("field", ["authenticators", "id"])
def test_a_passkey_id_no_column_holds_is_an_unknown_passkey_not_a_server_error(field: str) -> None:
    """Deleting passkeys [10**30] reached SQLite's driver through id__in: OverflowError, a 500
    with a traceback (found by schemathesis on the account document)."""
    parent = UserFactory.create()
    password = {"email": parent.email, "password": DEFAULT_PASSWORD}
    session = app().post(f"{APP}/auth/login", password, format="json").json()["meta"]
    client = app(session["session_token"])
    client.raise_request_exception = True
    too_big = 10**30
    if field == "authenticators":
        answer = client.delete(
            f"{APP}/account/authenticators/webauthn", {field: [too_big, 7]}, format="json"
        )
    else:
        body = {field: too_big, "name": "phone"}
        answer = client.put(f"{APP}/account/authenticators/webauthn", body, format="json")

    assert answer.status_code == 400, answer.content
    assert answer.json()["errors"][0]["param"] == field


@pytest.mark.parametrize("credential", [False, 0, "", [], {}, "{}", True, 7])
def test_a_passkey_without_a_credential_object_is_refused_and_not_stored(credential) -> None:
    """allauth checked the credential only if it was truthy: {"credential": false} stored a
    passkey with no key (a second factor nobody holds) and the lists of it answered 500."""
    from allauth.mfa.models import Authenticator

    parent = UserFactory.create()
    password = {"email": parent.email, "password": DEFAULT_PASSWORD}
    session = app().post(f"{APP}/auth/login", password, format="json").json()["meta"]
    client = app(session["session_token"])
    client.raise_request_exception = True
    assert client.get(f"{APP}/account/authenticators/webauthn").status_code == 200  # a ceremony

    added = client.post(
        f"{APP}/account/authenticators/webauthn",
        {"name": "phone", "credential": credential},
        format="json",
    )

    assert added.status_code == 400, added.content
    assert added.json()["errors"][0]["param"] == "credential"
    assert not Authenticator.objects.filter(user=parent).exists()
    assert client.get(f"{APP}/account/authenticators").status_code == 200


@pytest.mark.parametrize("credential", ["false", "0", "{}", "[]", '"x"'])
def test_the_web_form_refuses_a_passkey_without_a_credential_object_too(credential: str) -> None:
    from allauth.mfa.models import Authenticator
    from django.test import Client

    from tests.fixtures.family import signed_in_again

    parent = UserFactory.create()
    client = Client(HTTP_HOST=HOST)
    client.force_login(parent)
    client = signed_in_again(client)
    assert client.get("/accounts/2fa/webauthn/add/").status_code == 200  # the ceremony begins

    added = client.post("/accounts/2fa/webauthn/add/", {"name": "x", "credential": credential})

    assert added.status_code == 200  # the form again, with its error
    assert not Authenticator.objects.filter(user=parent).exists()
