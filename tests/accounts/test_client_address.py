"""One notion of the client's address: ``X-Forwarded-For`` is believed only from the proxies
named in ``TRUSTED_PROXIES``, by the API's throttles and the sign-in lock-out alike."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from core.client_address import client_address_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _sign_up(n: int, **headers: Any):
    return APIClient().post(
        "/api/v1/auth/signup/",
        {"email": f"parent{n}@example.com", "password": "a-long-fresh-password-9"},
        format="json",
        **headers,
    )


def test_a_made_up_forwarded_for_does_not_escape_the_sign_up_limit(settings) -> None:
    settings.SIGN_UP_RATE_PER_IP = "3/hour"
    answers = [
        _sign_up(n, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 10.66.66.66")
        for n in range(4)
    ]
    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    assert answers[-1].json()["code"] == "throttled"


def test_behind_a_trusted_proxy_each_client_is_counted_on_its_own(settings) -> None:
    settings.SIGN_UP_RATE_PER_IP = "3/hour"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    # a client's own header, left of what our proxy appended, is ignored: one client here
    spoofing = [
        _sign_up(n, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 198.51.100.7")
        for n in range(4)
    ]
    assert [a.status_code for a in spoofing] == [202, 202, 202, 429]
    # another client behind the same proxy has its own count
    other = _sign_up(9, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert other.status_code == 202


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "client"),
    [
        ("203.0.113.9", "1.2.3.4", [], "203.0.113.9"),
        ("203.0.113.9", "1.2.3.4", ["10.0.0.0/8"], "203.0.113.9"),  # not from our proxy
        ("10.0.0.5", "1.2.3.4, 198.51.100.7", ["10.0.0.0/8"], "198.51.100.7"),
        ("10.0.0.5", "198.51.100.7, 10.0.0.9", ["10.0.0.0/8"], "198.51.100.7"),  # two hops
        ("10.0.0.5", "", ["10.0.0.0/8"], "10.0.0.5"),
        ("10.0.0.5", "not-an-address", ["10.0.0.0/8"], "10.0.0.5"),
        ("::1", "2001:db8::7", ["::1"], "2001:db8::7"),
    ],
)
def test_the_client_address(settings, peer, forwarded, trusted, client) -> None:
    settings.TRUSTED_PROXIES = trusted
    meta = {"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": forwarded}
    assert client_address_of(meta) == client


def test_the_sign_in_lock_out_counts_the_real_address_not_a_made_up_one() -> None:
    parent = UserFactory.create()
    for n in range(5):
        Client().post(
            "/login/",
            {"username": parent.email, "password": "wrong"},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}",
        )
    locked = Client().post(
        "/login/",
        {"username": parent.email, "password": "wrong"},
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="1.2.3.99",
    )
    assert locked.status_code == 429
