"""The progress page, the top bar's level badge, the REST endpoint and the admin."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gamification.levels import level_info
from gamification.models import Achievement
from tests.factories import ChildFactory, UserFactory
from tests.fixtures.site import play_as

pytestmark = pytest.mark.django_db


def test_the_progress_page_shows_level_streak_quests_and_achievements(
    child_client, child, pay, generators_dir
) -> None:
    pay(child, category="face")
    response = child_client.get(reverse("gamification:progress"))
    page = response.content.decode()
    assert response.status_code == 200
    info = level_info(child.progress.xp_total)
    assert f"Level {info.level}" in page and info.title_en in page
    assert "First picture!" in page  # earned
    assert "Ten pictures" in page  # locked, still shown
    assert "Early bird" not in page  # a locked mystery keeps its secret
    assert "❓" in page
    assert "Today’s quests" in page
    assert reverse("gamification:progress") in page  # the top bar's badge links here


def test_the_page_speaks_korean(child, pay, generators_dir) -> None:
    pay(child)
    client = play_as(Client(HTTP_ACCEPT_LANGUAGE="ko"), child)
    page = client.get(reverse("gamification:progress")).content.decode()
    title = level_info(child.progress.xp_total).title_ko  # quests may have paid a bonus
    assert "첫 그림!" in page and title in page


def test_the_top_bar_shows_the_level_to_the_playing_child(child_client) -> None:
    page = child_client.get(reverse("drawings:gallery")).content.decode()
    assert 'class="level-badge"' in page and reverse("gamification:progress") in page


def test_only_a_playing_child_sees_progress(client, child) -> None:
    assert client.get(reverse("gamification:progress")).status_code == 302
    client.force_login(child.parent)
    response = client.get(reverse("gamification:progress"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:play")
    api = client.get(reverse("gamification:api-progress"))
    assert api.status_code == 403


def test_the_api_returns_the_playing_childs_progress_only(child_client, child, pay) -> None:
    pay(child)
    sibling = ChildFactory.create(parent=child.parent)
    pay(sibling)
    pay(sibling)
    data = child_client.get(reverse("gamification:api-progress")).json()
    assert data["drawings_done"] == 1
    assert data["xp_total"] == child.progress.xp_total
    earned = [a for a in data["achievements"] if a["earned"]]
    assert [a["slug"] for a in earned] == ["first-picture"]
    mystery = [a for a in data["achievements"] if a["mystery"] and not a["earned"]]
    assert mystery and all(a["slug"] is None and a["name_en"] == "?" for a in mystery)
    assert {"current", "best", "freezes", "max_freezes"} <= set(data["streak"])
    assert 1 <= len(data["quests"]) <= 3
    assert "leaderboard" not in str(data).lower()


def test_staff_edit_the_achievement_catalogue_in_the_admin(client) -> None:
    staff = UserFactory.create(is_staff=True, is_superuser=True)
    client.force_login(staff)
    achievement = Achievement.objects.get(slug="first-picture")
    url = reverse("admin:gamification_achievement_change", args=[achievement.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name_en": "Hooray, a picture!",
            "name_ko": "첫 그림!",
            "description_en": "Finish a picture.",
            "description_ko": "그림을 완성했어요.",
            "icon": "🎉",
            "tier": "bronze",
            "xp_reward": 15,
            "sort_order": 0,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    achievement.refresh_from_db()
    assert achievement.name_en == "Hooray, a picture!" and achievement.xp_reward == 15
    for model in ("xpevent", "achievementaward", "childprogress", "dailyquest"):
        assert client.get(reverse(f"admin:gamification_{model}_changelist")).status_code == 200
