"""The app's account steps (allauth's headless API at /api/v1/auth/app/) have a description of
their own, served beside /api/schema/: allauth's OpenAPI document with the paths where this site
serves them, and only the endpoints that are switched on."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

pytestmark = pytest.mark.django_db

SPEC = "/api/v1/auth/app/openapi.json"
MOUNT = "/api/v1/auth/app/"


@pytest.fixture
def spec() -> dict[str, Any]:
    answer = Client().get(SPEC)
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.oai.openapi+json")
    document: dict[str, Any] = answer.json()
    return document


def test_every_path_is_where_this_site_serves_it(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.")
    paths = list(spec["paths"])
    assert paths and all(path.startswith(MOUNT) for path in paths), paths
    for path in paths:
        try:
            match = resolve(path)
        except Resolver404:
            pytest.fail(f"{path} is described but not served")
        assert match.namespaces[0] == "headless", path
    assert "{client}" not in str(spec["paths"])


def test_the_apps_account_steps_are_described(spec: dict[str, Any]) -> None:
    described = set(spec["paths"])
    for step in (
        "auth/signup",
        "auth/email/verify",
        "auth/login",
        "auth/2fa/authenticate",
        "auth/reauthenticate",
        "auth/password/request",
        "auth/password/reset",
        "auth/session",
        "account/email",
        "account/password/change",
        "account/authenticators/totp",
        "account/authenticators/recovery-codes",
        # Passkeys: a second factor, signing in with one alone, and a fresh sign-in with one.
        "account/authenticators/webauthn",
        "auth/webauthn/authenticate",
        "auth/webauthn/login",
        "auth/webauthn/reauthenticate",
    ):
        assert MOUNT + step in described, step
    # What is switched off here is not offered: no social accounts, no browser client.
    assert not [p for p in described if "provider" in p or "browser" in p]
    # Sign-up asks for what this site's sign-up asks for.
    signup = spec["components"]["schemas"]["BaseSignup"]
    assert "email" in signup["required"] and "username" not in signup["properties"]


def test_no_headless_route_answers_any_method_or_body_with_a_server_error() -> None:
    """allauth's phone view answered PUT, PATCH, DELETE, OPTIONS and TRACE with a 500 and a
    traceback: it is not served (parents sign in by email), and no other route does that."""
    import re

    from allauth.headless.constants import Client as HeadlessClient
    from allauth.headless.urls import build_urlpatterns
    from django.urls import URLResolver

    from icanvas_site.urls import _without_phone

    def routes(patterns: list, prefix: str = "") -> list[str]:
        found = []
        for entry in patterns:
            if isinstance(entry, URLResolver):
                found += routes(entry.url_patterns, prefix + str(entry.pattern))
            else:
                found.append(prefix + str(entry.pattern))
        return found

    served = routes(_without_phone(build_urlpatterns(HeadlessClient.APP)[0].url_patterns))
    assert served and not [r for r in served if "phone" in r]
    client = Client(raise_request_exception=False)
    for method in ("PUT", "TRACE"):
        assert client.generic(method, "/api/v1/auth/app/account/phone").status_code == 404
    for route in served:
        url = "/api/v1/auth/app/" + re.sub(r"<[^>]+>", "x", route)
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"):
            for body in ("", "[]", "{}"):
                answer = client.generic(method, url, body, content_type="application/json")
                assert answer.status_code < 500, (method, url, body, answer.status_code)


@pytest.mark.parametrize("key", ["-abc", "--", "ü-1", "!-x", "zzzzzzzzzzzzz-x", "1" * 40 + "-x"])
def test_a_reset_key_without_a_user_id_is_a_wrong_key_not_a_server_error(key: str) -> None:
    """allauth raised a TypeError for "-abc" and the database an overflow for a 13-digit id
    (500s): refused first, as a wrong key."""
    client = Client(raise_request_exception=True)
    path = "/api/v1/auth/app/auth/password/reset"
    as_allauth = client.get(path, HTTP_X_PASSWORD_RESET_KEY="1-not-a-token")  # a wrong key
    checked = client.get(path, HTTP_X_PASSWORD_RESET_KEY=key)
    posted = client.post(path, {"key": key, "password": "a-long-new-password-1"},
                         content_type="application/json")  # fmt: skip
    for answer in (checked, posted):
        assert answer.status_code == as_allauth.status_code == 400
        assert answer.json()["errors"][0]["code"] == as_allauth.json()["errors"][0]["code"]


@pytest.mark.parametrize("key", [-5, -1.5, -0.25, [-1], {"-": 1}, 7, True])
def test_a_reset_key_sent_as_another_json_value_is_read_as_allauth_reads_it(key: object) -> None:
    """allauth's key field makes text of any JSON value: the number -5 became "-5", an id-less
    key that reached base36_to_int(None) (a 500 found by schemathesis at 75 s)."""
    client = Client(raise_request_exception=True)
    path = "/api/v1/auth/app/auth/password/reset"
    posted = client.post(path, {"key": key, "password": "a-long-new-password-1"},
                         content_type="application/json")  # fmt: skip
    assert posted.status_code == 400
    assert posted.json()["errors"][0]["code"] == "invalid_password_reset"
