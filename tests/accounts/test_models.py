"""A child profile holds nothing that identifies the child outside the family."""

from __future__ import annotations

import pytest

from accounts.models import Child
from tests.factories import DEFAULT_PIN, ChildFactory

FORBIDDEN_FRAGMENTS = ("email", "name", "photo", "image", "picture", "location", "address", "phone")


def test_child_profile_has_no_personal_fields():
    field_names = {field.name for field in Child._meta.get_fields() if field.concrete}
    assert field_names == {
        "id",
        "parent",
        "nickname",
        "avatar",
        "birth_year",
        "time_zone",
        "pin_hash",
        "pin_failures",
        "pin_locked_until",
        "created_at",
    }
    for name in field_names - {"nickname"}:
        assert not any(fragment in name for fragment in FORBIDDEN_FRAGMENTS), name


@pytest.mark.django_db
def test_pin_is_stored_hashed():
    child = ChildFactory.create()
    assert child.pin_hash
    assert DEFAULT_PIN not in child.pin_hash
    assert child.check_pin(DEFAULT_PIN)
    assert not child.check_pin("0000")
