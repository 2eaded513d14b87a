"""Withdrawing consent deletes everything of the child (files too) and keeps the evidence."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.storage import default_storage
from django.test import Client

from accounts import services as accounts
from accounts.models import Child, ConsentRecord
from drawings.models import Drawing
from gamification.models import AchievementAward, ChildProgress, DailyQuest, XPEvent
from tests.fixtures.family import Family, signed_in_again
from tests.fixtures.site import play_as

pytestmark = pytest.mark.django_db


def withdraw_url(child: Child) -> str:
    return f"/family/admin/accounts/child/{child.pk}/withdraw-consent/"


def owned_by(child_id: int) -> dict[str, int]:
    return {
        "drawings": Drawing.objects.filter(child_id=child_id).count(),
        "xp": XPEvent.objects.filter(child_id=child_id).count(),
        "awards": AchievementAward.objects.filter(child_id=child_id).count(),
        "quests": DailyQuest.objects.filter(child_id=child_id).count(),
        "progress": ChildProgress.objects.filter(child_id=child_id).count(),
        "profile": Child.objects.filter(pk=child_id).count(),
    }


def test_the_confirmation_page_says_exactly_what_will_be_deleted(
    parent_client: Client, mine: Family
) -> None:
    counts = owned_by(mine.child.pk)
    assert counts["xp"] and counts["awards"] and counts["quests"]
    page = parent_client.get(withdraw_url(mine.child)).content.decode()
    assert "2 drawings" in page and "4 stored image files" in page
    assert f"{counts['xp']} XP events" in page
    assert f"{counts['awards']} achievement" in page
    assert f"{counts['quests']} daily quest" in page
    assert "Minji" in page and "consent record" in page
    assert owned_by(mine.child.pk) == counts  # looking deletes nothing


def test_withdrawing_deletes_everything_of_the_child_and_keeps_the_evidence(
    parent_client: Client, mine: Family, theirs: Family, django_capture_on_commit_callbacks
) -> None:
    child_id = mine.child.pk
    files = [name for d in mine.drawings for name in (d.sketch.name, d.result.name)]
    parent_client.post(
        f"/family/admin/accounts/child/{child_id}/change/",
        {
            "nickname": "Minji",
            "avatar": "cat",
            "birth_year": 2019,
            "time_zone": "Asia/Seoul",
            "achievement_awards-TOTAL_FORMS": 0,
            "achievement_awards-INITIAL_FORMS": 0,
            "xp_events-TOTAL_FORMS": 0,
            "xp_events-INITIAL_FORMS": 0,
        },
    )  # leaves an admin log entry that names the child
    assert LogEntry.objects.filter(object_repr="Minji").exists()
    parent_client.get("/family/admin/")  # the browser follows the redirect: its message is read
    theirs_before = owned_by(theirs.child.pk)

    with django_capture_on_commit_callbacks(execute=True):
        response = parent_client.post(withdraw_url(mine.child), {"post": "yes"})

    assert response.status_code == 302
    assert set(owned_by(child_id).values()) == {0}
    assert not any(default_storage.exists(name) for name in files)
    (record,) = ConsentRecord.objects.filter(parent=mine.parent)
    assert record.withdrawn_at is not None and record.child_id is None
    assert not LogEntry.objects.filter(object_repr__contains="Minji").exists()
    assert owned_by(theirs.child.pk) == theirs_before
    assert all(default_storage.exists(d.sketch.name) for d in theirs.drawings)
    consents = parent_client.get("/family/admin/accounts/consentrecord/").content.decode()
    assert "profile deleted" in consents and "Minji" not in consents


def test_the_same_nickname_later_starts_from_nothing(
    parent_client: Client, mine: Family, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        parent_client.post(withdraw_url(mine.child), {"post": "yes"})
    again = accounts.add_child(
        parent=mine.parent,
        nickname="Minji",
        avatar="cat",
        birth_year=2019,
        time_zone="Asia/Seoul",
        pin="4321",
        consent_method=ConsentRecord.Method.WEB_FORM,
    )
    assert again.pk != mine.child.pk
    assert set(owned_by(again.pk).values()) == {0, 1}  # only the new profile itself
    assert owned_by(again.pk)["profile"] == 1 and owned_by(again.pk)["progress"] == 0
    assert ConsentRecord.objects.filter(parent=mine.parent).count() == 2


def test_a_device_left_in_play_mode_for_that_child_is_signed_out(
    mine: Family, django_capture_on_commit_callbacks
) -> None:
    device = play_as(Client(), mine.child)
    parent = Client()
    parent.force_login(mine.parent)
    signed_in_again(parent)
    with django_capture_on_commit_callbacks(execute=True):
        parent.post(withdraw_url(mine.child), {"post": "yes"})
    response = device.get("/family/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
