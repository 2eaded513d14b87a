"""A web session ends after ``SESSION_IDLE_MINUTES`` (30) with no request, not Django's two
weeks: a family device left alone stops being signed in as the parent. Each request moves the
end on, with at most one write of the session a minute. The clock is moved, never waited for."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.playmode import PLAY_SESSION_KEY
from tests.factories import ChildFactory, UserFactory

pytestmark = pytest.mark.django_db

IDLE = timedelta(minutes=30)


def signed_in() -> tuple[Client, User]:
    parent = UserFactory.create()
    client = Client()
    client.force_login(parent)
    return client, parent


def still_signed_in(client: Client) -> bool:
    answer = client.get(reverse("accounts:family"))
    assert answer.status_code in (200, 302), answer.status_code
    return answer.status_code == 200


def stored_end(client: Client) -> object:
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return Session.objects.get(session_key=key).expire_date


def test_the_default_is_thirty_idle_minutes() -> None:
    assert settings.SESSION_IDLE_MINUTES == 30
    assert IDLE.total_seconds() == settings.SESSION_COOKIE_AGE


def test_a_session_in_use_lives_on_and_one_left_idle_ends(clock: time_machine.Traveller) -> None:
    client, _parent = signed_in()
    for _ in range(3):  # an hour and a half of use, a request every 29 minutes
        clock.shift(IDLE - timedelta(minutes=1))
        assert still_signed_in(client)

    clock.shift(IDLE + timedelta(seconds=1))

    assert not still_signed_in(client)
    assert client.get(reverse("accounts:family"))["Location"].startswith(reverse("accounts:login"))


def test_a_playing_childs_session_ends_idle_too(clock: time_machine.Traveller) -> None:
    client, parent = signed_in()
    child = ChildFactory.create(parent=parent)
    session = client.session
    session[PLAY_SESSION_KEY] = child.pk
    session.save()
    assert client.get(reverse("drawings:canvas")).status_code == 200

    clock.shift(IDLE + timedelta(seconds=1))

    answer = client.get(reverse("drawings:canvas"))
    assert answer.status_code == 302 and reverse("accounts:login") in answer["Location"]


def test_requests_write_the_session_again_at_most_once_a_minute(
    clock: time_machine.Traveller,
) -> None:
    client, _parent = signed_in()
    assert still_signed_in(client)
    end = stored_end(client)

    clock.shift(30)
    assert still_signed_in(client)
    assert stored_end(client) == end  # no write for this request

    clock.shift(31)
    assert still_signed_in(client)
    assert stored_end(client) > end  # type: ignore[operator]


def test_a_stale_cookie_gets_no_new_session(clock: time_machine.Traveller) -> None:
    client, _parent = signed_in()
    clock.shift(IDLE + timedelta(seconds=1))
    sessions = Session.objects.count()

    assert not still_signed_in(client)
    assert Session.objects.count() == sessions
