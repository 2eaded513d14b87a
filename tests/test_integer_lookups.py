"""``id__in`` with numbers no integer column holds (core.lookups): they match nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_numbers_outside_the_columns_range_match_nothing_and_the_others_still_match() -> None:
    parent = UserFactory.create()
    users = get_user_model().objects

    assert list(users.filter(pk__in=[10**30])) == []
    assert list(users.filter(pk__in=[-(10**30), -(2**63) - 1])) == []
    assert list(users.filter(pk__in=[10**30, parent.pk, 2**63])) == [parent]
    assert list(users.exclude(pk__in=[10**30])) == [parent]
