"""Children in the family admin: progress at a glance, profile edits, PIN reset, evidence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Child
from gamification.models import ChildProgress
from tests.fixtures.family import Family

pytestmark = pytest.mark.django_db
CHILDREN = "/family/admin/accounts/child/"


def change_data(**extra: object) -> dict[str, object]:
    return {
        "nickname": "Minji",
        "avatar": "panda",
        "birth_year": 2019,
        "time_zone": "Asia/Seoul",
        "achievement_awards-TOTAL_FORMS": 0,
        "achievement_awards-INITIAL_FORMS": 0,
        "xp_events-TOTAL_FORMS": 0,
        "xp_events-INITIAL_FORMS": 0,
        **extra,
    }


def test_the_list_shows_avatar_level_xp_streak_drawings_and_last_drawn(
    parent_client: Client, mine: Family
) -> None:
    response = parent_client.get(CHILDREN)
    (row,) = response.context["cl"].result_list
    progress = ChildProgress.objects.get(child=mine.child)
    assert row.xp_total == progress.xp_total > 0
    assert row.current_streak == progress.current_streak
    assert row.drawing_count == 2 and row.last_drawn_at == mine.drawings[-1].created_at
    page = response.content.decode()
    assert "🐼" in page and "Minji" in page


def test_a_pin_reset_is_hashed_and_clears_the_lock(parent_client: Client, mine: Family) -> None:
    Child.objects.filter(pk=mine.child.pk).update(
        pin_failures=5, pin_locked_until=timezone.now() + timedelta(minutes=10)
    )
    response = parent_client.post(f"{CHILDREN}{mine.child.pk}/change/", change_data(new_pin="9876"))
    assert response.status_code == 302
    child = Child.objects.get(pk=mine.child.pk)
    assert child.check_pin("9876") and "9876" not in child.pin_hash
    assert child.pin_failures == 0 and child.pin_locked_until is None


def test_a_bad_pin_or_a_siblings_nickname_is_refused_on_the_form(
    parent_client: Client, mine: Family
) -> None:
    url = f"{CHILDREN}{mine.child.pk}/change/"
    assert parent_client.post(url, change_data(new_pin="12")).status_code == 200
    assert Child.objects.get(pk=mine.child.pk).check_pin("1234")
    Child.objects.create(parent=mine.parent, nickname="Sora", birth_year=2018, pin_hash="x")
    response = parent_client.post(url, change_data(nickname="sora"))
    assert response.status_code == 200 and "already called" in response.content.decode()


def test_achievements_and_xp_events_are_shown_read_only(
    parent_client: Client, mine: Family
) -> None:
    page = parent_client.get(f"{CHILDREN}{mine.child.pk}/change/").content.decode()
    assert "Achievements earned" in page and "XP events" in page
    assert 'name="xp_events-0-amount"' not in page  # nothing there is editable
    assert "withdraw-consent" in page
