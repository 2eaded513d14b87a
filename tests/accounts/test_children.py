"""Parents add and edit their children's profiles; consent is recorded with each one."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import rules, services
from accounts.models import Avatar, Child, ConsentRecord
from tests.factories import DEFAULT_PIN, ChildFactory, UserFactory

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year


@pytest.fixture
def parent():
    return UserFactory.create()


@pytest.fixture
def parent_client(client, parent):
    client.force_login(parent)
    return client


def _child_data(**overrides):
    return {
        "nickname": "Mina",
        "avatar": Avatar.PANDA,
        "birth_year": THIS_YEAR - 7,
        "time_zone": "Asia/Seoul",
        "pin": "2580",
        "pin_confirm": "2580",
        "consent": "on",
        **overrides,
    }


def test_add_child_records_consent_and_hashes_pin(parent_client, parent):
    response = parent_client.post(reverse("accounts:child_add"), _child_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:family")
    child = Child.objects.get(parent=parent)
    assert (child.nickname, child.avatar, child.birth_year, child.time_zone) == (
        "Mina",
        "panda",
        THIS_YEAR - 7,
        "Asia/Seoul",
    )
    assert child.pin_hash != "2580"
    assert child.check_pin("2580")
    consent = ConsentRecord.objects.get(child=child)
    assert consent.parent == parent
    assert consent.method == ConsentRecord.Method.WEB_FORM
    assert consent.version == services.CONSENT_VERSION
    assert consent.withdrawn_at is None


def test_add_child_without_consent_is_refused(parent_client):
    data = _child_data()
    del data["consent"]

    response = parent_client.post(reverse("accounts:child_add"), data)

    assert response.status_code == 400
    assert "parent or guardian" in response.content.decode()
    assert not Child.objects.exists()
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"pin": "12a4", "pin_confirm": "12a4"}, "pin"),
        ({"pin": "123", "pin_confirm": "123"}, "pin"),
        ({"pin": "12345", "pin_confirm": "12345"}, "pin"),
        ({"pin_confirm": "2581"}, "pin_confirm"),
        ({"birth_year": THIS_YEAR - 30}, "birth_year"),
        ({"birth_year": THIS_YEAR}, "birth_year"),
        ({"birth_year": "soon"}, "birth_year"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"avatar": "dragon"}, "avatar"),
        ({"nickname": "   "}, "nickname"),
        ({"nickname": "x" * 21}, "nickname"),
    ],
)
def test_add_child_bad_input_is_a_form_error(parent_client, overrides, field):
    response = parent_client.post(reverse("accounts:child_add"), _child_data(**overrides))

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Child.objects.exists()


def test_nickname_is_unique_within_a_family_only(parent_client, parent):
    ChildFactory.create(parent=parent, nickname="Mina")
    ChildFactory.create(nickname="Joon")  # another family

    taken = parent_client.post(reverse("accounts:child_add"), _child_data(nickname="mina"))
    other_family_name = parent_client.post(
        reverse("accounts:child_add"), _child_data(nickname="Joon")
    )

    assert taken.status_code == 400
    assert "already called" in taken.content.decode()
    assert other_family_name.status_code == 302
    assert parent.children.count() == 2


def test_add_child_is_atomic_with_its_consent(parent, monkeypatch):
    def broken_create(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(ConsentRecord.objects, "create", broken_create)

    with pytest.raises(RuntimeError):
        services.add_child(
            parent=parent,
            nickname="Mina",
            avatar=Avatar.PANDA,
            birth_year=THIS_YEAR - 6,
            time_zone="Asia/Seoul",
            pin="2580",
            consent_method=ConsentRecord.Method.WEB_FORM,
        )

    assert not Child.objects.exists()


def test_add_child_service_rejects_unknown_consent_method(parent):
    with pytest.raises(rules.ProfileRejected) as raised:
        services.add_child(
            parent=parent,
            nickname="Mina",
            avatar=Avatar.PANDA,
            birth_year=THIS_YEAR - 6,
            time_zone="Asia/Seoul",
            pin="2580",
            consent_method="nodded",
        )

    assert "consent" in raised.value.field_errors
    assert not Child.objects.exists()


def test_family_page_lists_only_own_children(parent_client, parent):
    ChildFactory.create(
        parent=parent, nickname="Mina", avatar=Avatar.PANDA, birth_year=THIS_YEAR - 7
    )
    ChildFactory.create(nickname="Stranger")

    response = parent_client.get(reverse("accounts:family"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Mina" in page
    assert "🐼" in page
    assert "about 7 years old" in page
    assert "Stranger" not in page
    assert "Start play mode" in page


def test_edit_child_changes_profile_and_pin(parent_client, parent):
    child = ChildFactory.create(parent=parent, nickname="Mina")

    response = parent_client.post(
        reverse("accounts:child_edit", args=[child.pk]),
        {
            "nickname": "Minnie",
            "avatar": Avatar.FOX,
            "birth_year": THIS_YEAR - 8,
            "time_zone": "Europe/London",
            "new_pin": "9876",
            "new_pin_confirm": "9876",
        },
    )

    assert response.status_code == 302
    child.refresh_from_db()
    assert (child.nickname, child.avatar, child.birth_year, child.time_zone) == (
        "Minnie",
        "fox",
        THIS_YEAR - 8,
        "Europe/London",
    )
    assert child.check_pin("9876")
    assert not child.check_pin(DEFAULT_PIN)


def test_edit_child_without_new_pin_keeps_pin(parent_client, parent):
    child = ChildFactory.create(parent=parent)

    response = parent_client.post(
        reverse("accounts:child_edit", args=[child.pk]),
        {
            "nickname": child.nickname,
            "avatar": child.avatar,
            "birth_year": child.birth_year,
            "time_zone": child.time_zone,
            "new_pin": "",
            "new_pin_confirm": "",
        },
    )

    assert response.status_code == 302
    child.refresh_from_db()
    assert child.check_pin(DEFAULT_PIN)


def test_edit_child_new_pin_must_match(parent_client, parent):
    child = ChildFactory.create(parent=parent)

    response = parent_client.post(
        reverse("accounts:child_edit", args=[child.pk]),
        {
            "nickname": child.nickname,
            "avatar": child.avatar,
            "birth_year": child.birth_year,
            "time_zone": child.time_zone,
            "new_pin": "9876",
            "new_pin_confirm": "9875",
        },
    )

    assert response.status_code == 400
    child.refresh_from_db()
    assert child.check_pin(DEFAULT_PIN)


def test_edit_keeps_a_birth_year_that_is_now_out_of_range(parent_client, parent):
    # A child who was 13 when added is still editable years later.
    child = ChildFactory.create(parent=parent, birth_year=THIS_YEAR - 16)

    response = parent_client.post(
        reverse("accounts:child_edit", args=[child.pk]),
        {
            "nickname": "Older",
            "avatar": child.avatar,
            "birth_year": THIS_YEAR - 16,
            "time_zone": child.time_zone,
        },
    )

    assert response.status_code == 302
    child.refresh_from_db()
    assert child.nickname == "Older"


def test_new_pin_lifts_a_pin_lock(parent):
    child = ChildFactory.create(parent=parent, pin_failures=5, pin_locked_until=timezone.now())

    services.update_child(child=child, new_pin="4321")

    child.refresh_from_db()
    assert child.pin_failures == 0
    assert child.pin_locked_until is None
    assert child.check_pin("4321")


def test_another_familys_child_is_not_found_on_edit(parent_client):
    stranger = ChildFactory.create(nickname="Stranger")

    get = parent_client.get(reverse("accounts:child_edit", args=[stranger.pk]))
    post = parent_client.post(
        reverse("accounts:child_edit", args=[stranger.pk]),
        {"nickname": "Mine now", "avatar": "cat", "birth_year": THIS_YEAR - 7},
    )

    assert get.status_code == 404
    assert post.status_code == 404
    stranger.refresh_from_db()
    assert stranger.nickname == "Stranger"
