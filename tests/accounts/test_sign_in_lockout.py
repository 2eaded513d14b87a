"""Sign-in is locked per email and address together (django-axes, counted in the cache); an
address guessing many accounts is slowed down, never able to lock out a family elsewhere."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
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
    right = _sign_in(Client(), parent.email, PASSWORD)  # another browser at the same address
    assert right.status_code == 429 and "_auth_user_id" not in right.client.session
    # ... but the guesses cannot lock the family out at home
    assert _sign_in(Client(), parent.email, PASSWORD, ip="10.9.9.9").status_code == 302


def test_guessing_made_up_emails_does_not_lock_out_a_parent_at_the_same_address() -> None:
    client = Client()
    for n in range(10):  # a school's shared address: someone typing made-up emails
        assert _sign_in(client, f"nobody{n}@example.com", "guess").status_code == 400
    parent = _parent()
    assert _sign_in(Client(), parent.email, PASSWORD).status_code == 302


def test_an_address_guessing_many_accounts_is_slowed_down(settings) -> None:
    settings.SIGN_IN_FREE_FAILURES_PER_ADDRESS = 3
    settings.SIGN_IN_FIRST_DELAY = 2
    settings.SIGN_IN_MAX_DELAY = 60
    parent = _parent()
    with time_machine.travel(dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC), tick=False) as clock:
        for n in range(4):
            assert _sign_in(Client(), f"nobody{n}@example.com", "guess").status_code == 400
        waiting = _sign_in(Client(), parent.email, PASSWORD)
        assert waiting.status_code == 429 and waiting["Retry-After"] == "2"
        assert "wait 2 seconds" in waiting.content.decode()
        assert _sign_in(Client(), parent.email, PASSWORD, ip="10.9.9.9").status_code == 302
        for n, expected in enumerate((4, 8, 16, 32, 60, 60)):  # each waits twice as long
            clock.shift(dt.timedelta(seconds=61))
            assert _sign_in(Client(), f"more{n}@example.com", "guess").status_code == 400
            assert _sign_in(Client(), "x@example.com", "guess")["Retry-After"] == str(expected)
        clock.shift(dt.timedelta(seconds=61))  # a parent there waits a minute at most
        assert _sign_in(Client(), parent.email, PASSWORD).status_code == 302


def _wait_out(seconds: float, clock: time_machine.Traveller) -> None:
    """Let ``seconds`` pass for the cache's own expiry. The fake clock moves the in-process
    cache's; Redis (``make pytest-production``) keeps its own time, which no fake clock reaches:
    there every key that would have expired by then (its TTL within ``seconds``) is expired
    now, as passing time would, so the test neither sleeps nor races a short TTL."""
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        from django.core.cache import cache

        redis = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
        due = [key for key in redis.scan_iter() if 0 <= redis.pttl(key) <= seconds * 1000]
        if due:
            redis.delete(*due)
    else:
        clock.shift(seconds)


def test_the_pause_ends_by_itself_and_an_operator_can_lift_it(settings, clock) -> None:
    parent = _parent()
    # A pause of a minute, long enough for any machine to see it: the counts expire in the
    # cache itself (Redis in production), with the time the cache gave them.
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=1)
    for _ in range(5):
        _sign_in(Client(), parent.email, "wrong")
    assert _sign_in(Client(), parent.email, PASSWORD).status_code == 429
    _wait_out(61, clock)
    assert _sign_in(Client(), parent.email, PASSWORD).status_code == 302
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    for _ in range(5):
        _sign_in(Client(), parent.email, "wrong")
    assert _sign_in(Client(), parent.email, PASSWORD).status_code == 429
    call_command("axes_reset_ip_username", "10.0.0.1", parent.email, verbosity=0)
    assert _sign_in(Client(), parent.email, PASSWORD).status_code == 302


def test_a_right_password_resets_the_count() -> None:
    parent = _parent()
    for _ in range(4):
        _sign_in(Client(), parent.email, "wrong")
    assert _sign_in(Client(), parent.email, PASSWORD).status_code == 302
    for _ in range(4):
        _sign_in(Client(), parent.email, "wrong")
    assert _sign_in(Client(), parent.email, PASSWORD).status_code == 302
