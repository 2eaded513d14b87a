"""Device tokens (django-rest-knox): sign-up, sign-in per device, devices, sign-out, password
change, play tokens with the PIN, leaving play mode; all without a cookie."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, Child
from tests.factories import DEFAULT_PASSWORD, DEFAULT_PIN, ChildFactory, UserFactory
from tests.fixtures.api import TokenClient, parent_token, play_token

pytestmark = pytest.mark.django_db


def anonymous() -> APIClient:
    return APIClient(enforce_csrf_checks=True)


def sign_in(email: str, password: str = DEFAULT_PASSWORD, device: str = "phone"):
    return anonymous().post(
        "/api/v1/auth/signin/",
        {"email": email, "password": password, "device_name": device},
        format="json",
    )


def test_sign_up_answers_the_same_for_a_new_and_a_taken_email_then_sign_in_works(mailbox) -> None:
    taken = UserFactory.create()
    answers = [
        anonymous().post(
            "/api/v1/auth/signup/",
            {"email": email, "password": "a-long-fresh-password-9"},
            format="json",
        )
        for email in ("new.parent@example.com", taken.email)
    ]
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].json() == answers[1].json()
    unconfirmed = sign_in("new.parent@example.com", "a-long-fresh-password-9")
    assert unconfirmed.status_code == 403 and unconfirmed.json()["code"] == "email_not_verified"
    link = mailbox.wait_for("new.parent@example.com").link("/accounts/confirm-email/")
    key = unquote(link.rstrip("/").rsplit("/", 1)[-1])
    anonymous().post("/api/v1/auth/app/auth/email/verify", {"key": key}, format="json")
    signed_in = sign_in("new.parent@example.com", "a-long-fresh-password-9")
    assert signed_in.status_code == 201
    assert signed_in.json()["token"].startswith("icp_")
    assert not signed_in.cookies.get("sessionid")


def test_tokens_are_stored_hashed_and_work_only_in_the_header() -> None:
    parent = UserFactory.create()
    token = sign_in(parent.email).json()["token"]
    row = ApiToken.objects.get(user=parent)
    assert token not in (row.digest, row.token_key) and len(row.digest) == 128
    assert TokenClient(token).get("/api/v1/auth/devices/").status_code == 200
    in_address = anonymous().get(f"/api/v1/auth/devices/?token={token}")
    assert in_address.status_code == 401
    assert in_address.json()["code"] == "token_in_address"
    tampered = token[:-1] + ("1" if token.endswith("0") else "0")  # one character off
    assert TokenClient(tampered).get("/api/v1/auth/devices/").status_code == 401


def test_wrong_password_and_lock_out_say_what_to_do() -> None:
    parent = UserFactory.create()
    wrong = sign_in(parent.email, "not-it")
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "wrong_credentials"
    for _ in range(5):
        last = sign_in(parent.email, "not-it")
    assert last.status_code == 429
    assert last.json()["code"] == "locked"
    assert int(last["Retry-After"]) > 60
    assert sign_in(parent.email).status_code == 429  # even the right password, for a while


def test_devices_sign_out_one_and_everywhere() -> None:
    parent = UserFactory.create()
    phone, tablet = parent_token(parent, "phone"), parent_token(parent, "tablet")
    listed = phone.get("/api/v1/auth/devices/").json()["results"]
    assert {d["device_name"] for d in listed} == {"phone", "tablet"}
    assert [d["current"] for d in listed if d["device_name"] == "phone"] == [True]
    tablet_id = next(d["id"] for d in listed if d["device_name"] == "tablet")

    assert phone.delete(f"/api/v1/auth/devices/{tablet_id}/").status_code == 204
    assert tablet.get("/api/v1/auth/devices/").status_code == 401
    other = parent_token(UserFactory.create())
    assert other.delete(f"/api/v1/auth/devices/{tablet_id}/").status_code == 404

    play = play_token(ChildFactory.create(parent=parent))
    assert phone.post("/api/v1/auth/signout-everywhere/").status_code == 204
    for client in (phone, play):
        assert client.get("/api/v1/drawings/").status_code == 401


def test_a_password_change_revokes_every_token_and_gives_this_device_a_new_one() -> None:
    parent = UserFactory.create()
    phone, tablet = parent_token(parent), parent_token(parent)
    changed = phone.post(
        "/api/v1/auth/password/",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password": "another-long-one-42",
            "device_name": "phone",
        },
    )
    assert changed.status_code == 201
    assert phone.get("/api/v1/auth/devices/").status_code == 401
    assert tablet.get("/api/v1/auth/devices/").status_code == 401
    assert TokenClient(changed.json()["token"]).get("/api/v1/auth/devices/").status_code == 200
    assert sign_in(parent.email, "another-long-one-42").status_code == 201


def test_a_play_token_needs_the_pin_and_acts_only_as_its_child(child: Child) -> None:
    parent = parent_token(child.parent)
    wrong = parent.post(f"/api/v1/children/{child.pk}/play/", {"pin": "0000"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "wrong_pin"
    made = parent.post(f"/api/v1/children/{child.pk}/play/", {"pin": DEFAULT_PIN})
    assert made.status_code == 201
    body = made.json()
    assert body["kind"] == "child" and body["child_id"] == child.pk
    play = TokenClient(body["token"])
    assert play.get("/api/v1/drawings/").status_code == 200
    for grown_up_only in ("/api/v1/auth/devices/",):
        assert play.get(grown_up_only).status_code == 403
    assert play.post(f"/api/v1/children/{child.pk}/play/", {"pin": DEFAULT_PIN}).status_code == 403
    assert play.post("/api/v1/auth/signout/").status_code == 403  # leaving needs the password

    stranger = parent_token(UserFactory.create())
    assert (
        stranger.post(f"/api/v1/children/{child.pk}/play/", {"pin": DEFAULT_PIN}).status_code == 404
    )


def test_the_pin_lock_is_shared_with_the_web(child: Child) -> None:
    parent = parent_token(child.parent)
    for _ in range(5):
        answer = parent.post(f"/api/v1/children/{child.pk}/play/", {"pin": "0000"})
    assert answer.status_code == 429 and answer.json()["code"] == "locked"
    assert int(answer["Retry-After"]) > 0
    child.refresh_from_db()
    assert child.pin_locked_until is not None  # the web's lock: play mode there is locked too
    assert (
        parent.post(f"/api/v1/children/{child.pk}/play/", {"pin": DEFAULT_PIN}).status_code == 429
    )


def test_leaving_play_mode_on_a_device_needs_the_parents_password(child: Child) -> None:
    play = play_token(child)
    wrong = play.post("/api/v1/play/leave/", {"password": "not-it"})
    assert wrong.status_code == 400
    assert play.get("/api/v1/drawings/").status_code == 200
    assert play.post("/api/v1/play/leave/", {"password": DEFAULT_PASSWORD}).status_code == 204
    assert play.get("/api/v1/drawings/").status_code == 401
    parent = parent_token(child.parent)
    assert parent.post("/api/v1/play/leave/", {"password": DEFAULT_PASSWORD}).status_code == 403


def test_guessing_the_parents_password_from_a_play_device_counts_toward_the_lock_out(
    child: Child,
) -> None:
    play = play_token(child)
    for _ in range(4):
        assert play.post("/api/v1/play/leave/", {"password": "not-it"}).status_code == 400
    locked = play.post("/api/v1/play/leave/", {"password": "not-it"})
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked"
    # even the right password, there and at sign-in from the same address, for a while
    assert play.post("/api/v1/play/leave/", {"password": DEFAULT_PASSWORD}).status_code == 429
    assert sign_in(child.parent.email).status_code == 429
    assert play.get("/api/v1/drawings/").status_code == 200  # still in play mode


def test_a_play_token_is_not_renewed_by_use_but_a_parents_is(child: Child) -> None:
    play, parent = play_token(child), parent_token(child.parent)
    rows = {row.child_id: row for row in ApiToken.objects.filter(user=child.parent)}
    play_expiry = rows[child.pk].expiry
    soon = timezone.now() + timedelta(days=1)
    ApiToken.objects.filter(pk=rows[None].pk).update(expiry=soon)
    assert play.get("/api/v1/drawings/").status_code == 200
    assert parent.get("/api/v1/auth/devices/").status_code == 200
    after = {row.child_id: row for row in ApiToken.objects.filter(user=child.parent)}
    assert after[child.pk].expiry == play_expiry  # 12 hours from the PIN, however used
    assert after[None].expiry > soon + timedelta(days=20)  # renewed to API_TOKEN_DAYS
