"""Sign-in is throttled per email and per IP (django-axes, counted in the cache)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.management import call_command
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-family-secret"


def _sign_in(client: Client, email: str, password: str, ip: str = "10.0.0.1"):
    return client.post("/login/", {"username": email, "password": password}, REMOTE_ADDR=ip)


def _parent(email: str = "parent@example.com"):
    user = UserFactory.create(email=email)
    user.set_password(PASSWORD)
    user.save()
    return user


def test_five_wrong_passwords_pause_sign_in_even_with_the_right_one() -> None:
    parent = _parent()
    client = Client()
    for _ in range(4):
        assert _sign_in(client, parent.email, "wrong").status_code == 400
    locked = _sign_in(client, parent.email, "wrong")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 15 * 60
    assert "try again in 15 minutes" in locked.content.decode()
    right = _sign_in(Client(), parent.email, PASSWORD, ip="10.9.9.9")  # another device too
    assert right.status_code == 429 and "_auth_user_id" not in right.client.session


def test_one_address_guessing_many_accounts_is_paused_too() -> None:
    client = Client()
    for n in range(5):
        _sign_in(client, f"nobody{n}@example.com", "guess")
    parent = _parent()
    assert _sign_in(client, parent.email, PASSWORD).status_code == 429
    assert _sign_in(Client(), parent.email, PASSWORD, ip="10.0.0.2").status_code == 302


def test_the_pause_ends_by_itself_and_an_operator_can_lift_it(settings) -> None:
    parent = _parent()
    # A short pause in real seconds: the counts expire in the cache itself (Redis in production).
    settings.AXES_COOLOFF_TIME = dt.timedelta(seconds=2)
    for _ in range(5):
        _sign_in(Client(), parent.email, "wrong")
    assert _sign_in(Client(), parent.email, PASSWORD).status_code == 429
    time.sleep(3)
    assert _sign_in(Client(), parent.email, PASSWORD).status_code == 302
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    for _ in range(5):
        _sign_in(Client(), parent.email, "wrong")
    assert _sign_in(Client(), parent.email, PASSWORD).status_code == 429
    call_command("axes_reset_username", parent.email, verbosity=0)
    assert _sign_in(Client(), parent.email, PASSWORD, ip="10.0.0.7").status_code == 302
    # ... and the address the guesses came from is its own lock, lifted on its own.
    assert _sign_in(Client(), parent.email, PASSWORD).status_code == 429
    call_command("axes_reset_ip", "10.0.0.1", verbosity=0)
    assert _sign_in(Client(), parent.email, PASSWORD).status_code == 302


def test_a_right_password_resets_the_count() -> None:
    parent = _parent()
    for _ in range(4):
        _sign_in(Client(), parent.email, "wrong")
    assert _sign_in(Client(), parent.email, PASSWORD).status_code == 302
    for _ in range(4):
        _sign_in(Client(), parent.email, "wrong")
    assert _sign_in(Client(), parent.email, PASSWORD).status_code == 302
