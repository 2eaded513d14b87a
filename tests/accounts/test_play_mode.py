"""Play mode: a child picks their avatar, types their PIN, and only the parent can leave."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import pins
from accounts.models import Child
from accounts.playmode import PLAY_SESSION_KEY
from tests.factories import DEFAULT_PASSWORD, DEFAULT_PIN, ChildFactory, UserFactory
from tests.fixtures.site import play_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def parent_client(client, child):
    client.force_login(child.parent)
    return client


def _request_child(response):
    """What the middleware set as ``request.child`` for this response's request."""
    return response.wsgi_request.child


def _type_pin(client, child, pin):
    return client.post(reverse("accounts:play_pin", args=[child.pk]), {"pin": pin})


def _wrong_pin(pin: str = DEFAULT_PIN) -> str:
    return "0000" if pin != "0000" else "1111"


# --- choosing a child ------------------------------------------------------------------


def test_play_page_shows_own_children_as_avatars(parent_client, child):
    ChildFactory.create(nickname="Stranger")

    response = parent_client.get(reverse("accounts:play"))

    page = response.content.decode()
    assert response.status_code == 200
    assert child.nickname in page
    assert child.avatar_emoji in page
    assert reverse("accounts:play_pin", args=[child.pk]) in page
    assert "Stranger" not in page


def test_play_without_children_asks_to_add_one(client):
    client.force_login(UserFactory.create())

    response = client.get(reverse("accounts:play"))

    assert response["Location"] == reverse("accounts:child_add")


def test_another_familys_child_is_not_found_on_play_pin(parent_client):
    stranger = ChildFactory.create()

    assert parent_client.get(reverse("accounts:play_pin", args=[stranger.pk])).status_code == 404
    response = _type_pin(parent_client, stranger, DEFAULT_PIN)

    assert response.status_code == 404
    assert PLAY_SESSION_KEY not in parent_client.session


# --- the PIN -------------------------------------------------------------------------


def test_right_pin_enters_play_mode_and_opens_the_canvas(parent_client, child):
    response = _type_pin(parent_client, child, DEFAULT_PIN)

    assert response.status_code == 302
    assert response["Location"] == reverse("drawings:canvas")
    assert parent_client.session[PLAY_SESSION_KEY] == child.pk
    assert parent_client.session[SESSION_KEY] == str(child.parent.pk)


def test_wrong_pin_stays_out_and_says_how_many_tries_are_left(parent_client, child, settings):
    response = _type_pin(parent_client, child, _wrong_pin())

    assert response.status_code == 400
    assert PLAY_SESSION_KEY not in parent_client.session
    assert "not your secret number" in response.content.decode()
    assert f"{settings.PIN_MAX_FAILURES - 1} more tries" in response.content.decode()
    child.refresh_from_db()
    assert child.pin_failures == 1


@pytest.mark.parametrize("pin", ["", "12", "abcd", "12345", "１２３４"])
def test_malformed_pin_is_a_form_error_and_costs_no_try(parent_client, child, pin):
    response = _type_pin(parent_client, child, pin)

    assert response.status_code == 400
    assert response.context["form"].errors["pin"]
    child.refresh_from_db()
    assert child.pin_failures == 0


def test_right_pin_resets_the_failure_count(parent_client, child):
    _type_pin(parent_client, child, _wrong_pin())
    _type_pin(parent_client, child, _wrong_pin())

    _type_pin(parent_client, child, DEFAULT_PIN)

    child.refresh_from_db()
    assert child.pin_failures == 0
    assert child.pin_locked_until is None


def test_too_many_wrong_pins_lock_the_profile_even_for_the_right_pin(
    parent_client, child, settings
):
    settings.PIN_MAX_FAILURES = 3
    settings.PIN_LOCK_SECONDS = 10 * 60

    statuses = [_type_pin(parent_client, child, _wrong_pin()).status_code for _ in range(3)]
    right = _type_pin(parent_client, child, DEFAULT_PIN)

    assert statuses == [400, 400, 429]
    assert right.status_code == 429
    assert "try again in 10 minutes" in right.content.decode()
    assert PLAY_SESSION_KEY not in parent_client.session
    child.refresh_from_db()
    assert child.pin_locked_until > timezone.now() + timedelta(minutes=9)
    # The lock shows as soon as the page opens, too.
    page = parent_client.get(reverse("accounts:play_pin", args=[child.pk]))
    assert "Too many tries" in page.content.decode()


def test_lock_expires(parent_client, child, settings):
    settings.PIN_MAX_FAILURES = 2
    for _ in range(2):
        _type_pin(parent_client, child, _wrong_pin())
    Child.objects.filter(pk=child.pk).update(pin_locked_until=timezone.now() - timedelta(seconds=1))

    response = _type_pin(parent_client, child, DEFAULT_PIN)

    assert response.status_code == 302
    assert parent_client.session[PLAY_SESSION_KEY] == child.pk
    child.refresh_from_db()
    assert (child.pin_failures, child.pin_locked_until) == (0, None)


def test_an_expired_lock_gives_a_fresh_set_of_tries(child, settings):
    settings.PIN_MAX_FAILURES = 2
    Child.objects.filter(pk=child.pk).update(
        pin_failures=2, pin_locked_until=timezone.now() - timedelta(seconds=1)
    )

    result = pins.verify_pin(child=child, pin=_wrong_pin())

    assert not result.accepted
    assert not result.locked
    assert result.attempts_left == 1


def test_concurrent_guesses_cannot_exceed_the_limit(child, settings, monkeypatch):
    """A guess that arrives while another is being checked finds its try already used."""
    settings.PIN_MAX_FAILURES = 3
    Child.objects.filter(pk=child.pk).update(pin_failures=2)  # one try left
    real_check_pin = Child.check_pin
    checked: list[str] = []
    inner_results = []

    def check_pin_with_a_racing_guess(self, pin):
        checked.append(pin)
        if len(checked) == 1:  # while the first guess is being hashed, a second arrives
            inner_results.append(pins.verify_pin(child=Child.objects.get(pk=self.pk), pin=pin))
        return real_check_pin(self, pin)

    monkeypatch.setattr(Child, "check_pin", check_pin_with_a_racing_guess)

    outer = pins.verify_pin(child=child, pin=_wrong_pin())

    assert checked == [_wrong_pin()]  # the racing guess was never compared
    assert inner_results[0].locked
    assert outer.locked
    child.refresh_from_db()
    assert child.pin_failures == 3
    assert child.pin_locked_until is not None


def test_a_lock_missed_by_an_interrupted_attempt_is_repaired(child, settings):
    settings.PIN_MAX_FAILURES = 3
    Child.objects.filter(pk=child.pk).update(pin_failures=3, pin_locked_until=None)

    result = pins.verify_pin(child=child, pin=DEFAULT_PIN)

    assert result.locked
    child.refresh_from_db()
    assert child.pin_locked_until is not None


# --- while playing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name", ["accounts:family", "accounts:child_add", "accounts:play", "accounts:child_edit"]
)
def test_parent_pages_send_a_playing_child_back_to_the_canvas(child, url_name):
    client = play_as(Client(), child)
    args = [child.pk] if url_name == "accounts:child_edit" else []

    response = client.get(reverse(url_name, args=args))

    assert response.status_code == 302
    assert response["Location"] == reverse("drawings:canvas")


def test_a_playing_child_cannot_switch_to_a_sibling(child):
    sibling = ChildFactory.create(parent=child.parent)
    client = play_as(Client(), child)

    response = _type_pin(client, sibling, DEFAULT_PIN)

    assert response["Location"] == reverse("drawings:canvas")
    assert client.session[PLAY_SESSION_KEY] == child.pk


def test_a_playing_child_cannot_edit_a_profile(child):
    client = play_as(Client(), child)

    client.post(
        reverse("accounts:child_edit", args=[child.pk]),
        {
            "nickname": "Hacked",
            "avatar": "cat",
            "birth_year": child.birth_year,
            "time_zone": child.time_zone,
            "new_pin": "0000",
            "new_pin_confirm": "0000",
        },
    )

    child.refresh_from_db()
    assert child.nickname != "Hacked"
    assert child.check_pin(DEFAULT_PIN)


def test_top_bar_shows_who_is_playing(child):
    client = play_as(Client(), child)

    response = client.get(reverse("accounts:leave_play"))

    assert response.context["playing_child"] == child
    assert _request_child(response) == child
    assert child.nickname in response.content.decode()


# --- leaving ----------------------------------------------------------------------------


def test_leaving_play_mode_needs_the_parents_password(child):
    client = play_as(Client(), child)

    wrong = client.post(reverse("accounts:leave_play"), {"password": "let-me-out"})

    assert wrong.status_code == 400
    assert "not the parent's password" in html.unescape(wrong.content.decode())
    assert client.session[PLAY_SESSION_KEY] == child.pk

    right = client.post(reverse("accounts:leave_play"), {"password": DEFAULT_PASSWORD})

    assert right.status_code == 302
    assert right["Location"] == reverse("accounts:family")
    assert PLAY_SESSION_KEY not in client.session
    assert client.session[SESSION_KEY] == str(child.parent.pk)
    assert client.get(reverse("accounts:family")).status_code == 200


def test_leave_page_without_play_mode_goes_to_the_family(parent_client):
    assert parent_client.get(reverse("accounts:leave_play"))["Location"] == reverse(
        "accounts:family"
    )


# --- request.child ------------------------------------------------------------------------


def test_request_child_is_none_for_anonymous_visitors(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert _request_child(response) is None


def test_request_child_is_none_for_a_parent_not_playing(parent_client):
    response = parent_client.get(reverse("accounts:family"))

    assert _request_child(response) is None


def test_request_child_is_none_for_another_familys_child(client):
    parent = UserFactory.create()
    stranger = ChildFactory.create()
    client.force_login(parent)
    session = client.session
    session[PLAY_SESSION_KEY] = stranger.pk
    session.save()

    response = client.get(reverse("accounts:family"))

    assert response.status_code == 200  # not playing, so the parent page opens
    assert _request_child(response) is None
    assert stranger.nickname not in response.content.decode()


def test_request_child_is_none_after_sign_out(child):
    client = play_as(Client(), child)
    client.post(reverse("accounts:leave_play"), {"password": DEFAULT_PASSWORD, "then": "sign-out"})

    response = client.get(reverse("home"))

    assert _request_child(response) is None
    assert "_auth_user_id" not in client.session


def test_a_playing_child_cannot_sign_out_without_the_password(child):
    client = play_as(Client(), child)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:leave_play')}?then=sign-out"
    assert client.get("/draw/").status_code == 200  # still signed in, still playing
    page = client.get(response["Location"])
    assert "To sign out, type the parent" in page.content.decode()


def test_guessing_the_parents_password_is_slowed_down_but_never_locks_the_parent_out(
    settings,
) -> None:
    settings.LEAVE_PLAY_FREE_TRIES = 3
    settings.LEAVE_PLAY_FIRST_DELAY = 5
    settings.LEAVE_PLAY_MAX_DELAY = 60
    child = ChildFactory.create()
    client = play_as(Client(), child)
    with time_machine.travel(datetime(2026, 5, 4, 10, 0, tzinfo=UTC), tick=False) as clock:
        for _ in range(3):
            assert client.post("/play/leave/", {"password": "wrong guess"}).status_code == 400
        assert client.post("/play/leave/", {"password": "wrong guess"}).status_code == 400
        waiting = client.post("/play/leave/", {"password": DEFAULT_PASSWORD})
        assert waiting.status_code == 429 and waiting["Retry-After"] == "5"
        assert "wait 5 seconds" in waiting.content.decode()
        assert client.get("/draw/").status_code == 200  # still playing
        # A child mashing keys: each wrong try waits twice as long, up to a minute.
        for expected in (10, 20, 40, 60, 60):
            clock.shift(timedelta(seconds=61))
            assert client.post("/play/leave/", {"password": "mash"}).status_code == 400
            assert client.post("/play/leave/", {"password": "mash"})["Retry-After"] == str(expected)
        clock.shift(timedelta(seconds=61))  # the parent waits a minute at most
        right = client.post("/play/leave/", {"password": DEFAULT_PASSWORD})
    assert right.status_code == 302 and right["Location"] == reverse("accounts:family")


def test_a_playing_child_cannot_open_the_admin() -> None:
    parent = UserFactory.create(is_staff=True, is_superuser=True)
    child = ChildFactory.create(parent=parent)
    client = play_as(Client(), child)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/draw/"
