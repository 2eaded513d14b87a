"""The parents' REST API (family/api): the family, its children, their drawings, the export.

Every call here goes with a parent's device token and no cookie at all; a child's play token is
refused everywhere, and another family's ids answer 404 and change nothing.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Child, ConsentRecord
from accounts.services import CONSENT_VERSION
from drawings.models import Drawing, DrawingStatus
from family import services as family_services
from gamification.models import ChildProgress, XPEvent
from tests.factories import DEFAULT_PIN, DrawingFactory
from tests.fixtures.api import parent_token, play_token
from tests.fixtures.family import Family, finished_drawing

pytestmark = pytest.mark.django_db

API = "/api/v1"


def anonymous() -> APIClient:
    return APIClient(enforce_csrf_checks=True)


def endpoints(child_id: int, drawing_id: int) -> list[tuple[str, str, dict[str, Any]]]:
    """Every operation of the parents' API, as (method, path, body)."""
    return [
        ("get", f"{API}/me/", {}),
        ("get", f"{API}/children/", {}),
        ("post", f"{API}/children/", new_child()),
        ("get", f"{API}/children/avatars/", {}),
        *object_endpoints(child_id, drawing_id),
        ("get", f"{API}/family/drawings/", {}),
        ("get", f"{API}/family/export/", {}),
    ]


def object_endpoints(child_id: int, drawing_id: int) -> list[tuple[str, str, dict[str, Any]]]:
    """The operations on one child or one drawing (and the export of one child)."""
    child, drawing = f"{API}/children/{child_id}", f"{API}/family/drawings/{drawing_id}"
    return [
        ("get", f"{child}/", {}),
        ("patch", f"{child}/", {"nickname": "Renamed"}),
        ("post", f"{child}/pin/", {"pin": "9876"}),
        ("post", f"{child}/withdraw-consent/", {"confirm": True}),
        ("get", f"{drawing}/", {}),
        ("post", f"{drawing}/hide/", {}),
        ("post", f"{drawing}/show/", {}),
        ("get", f"{drawing}/sketch/", {}),
        ("get", f"{drawing}/picture/", {}),
        ("delete", f"{drawing}/", {}),
        ("get", f"{API}/family/export/?child={child_id}", {}),
    ]


def new_child(**changes: Any) -> dict[str, Any]:
    return {
        "nickname": "Bora",
        "avatar": "fox",
        "birth_year": timezone.localdate().year - 6,
        "time_zone": "Europe/Berlin",
        "pin": "2580",
        "consent": True,
        **changes,
    }


def ids(response: Any) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


def archive_of(response: Any) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


# --- who may call ----------------------------------------------------------------------------


def test_a_play_token_is_refused_everywhere_and_changes_nothing(mine: Family) -> None:
    child_api = play_token(mine.child)
    drawing = mine.drawings[0]
    for method, path, body in endpoints(mine.child.pk, drawing.pk):
        response = getattr(child_api, method)(path, body)
        assert response.status_code == 403, (method, path)
        assert response.json()["code"] == "permission_denied", (method, path)
        assert "grown-up" in response.json()["detail"], (method, path)
    assert Child.objects.filter(pk=mine.child.pk, nickname="Minji").exists()
    assert Drawing.objects.filter(pk=drawing.pk, hidden=False).exists()
    assert Child.objects.filter(parent=mine.parent).count() == 1


def test_anonymous_calls_are_401_in_the_one_error_shape(mine: Family) -> None:
    for method, path, body in endpoints(mine.child.pk, mine.drawings[0].pk):
        response = getattr(anonymous(), method)(path, body, format="json")
        assert response.status_code == 401, (method, path)
        assert response.json()["code"] == "not_signed_in", (method, path)
        assert set(response.json()) == {"code", "detail"}


def test_another_familys_ids_are_404_on_every_object_endpoint(mine: Family, theirs: Family) -> None:
    parent_api = parent_token(mine.parent)
    for method, path, body in object_endpoints(theirs.child.pk, theirs.drawings[0].pk):
        response = getattr(parent_api, method)(path, body)
        assert response.status_code == 404, (method, path)
        assert response.json()["code"] == "not_found", (method, path)
    their_child = Child.objects.get(pk=theirs.child.pk)
    assert their_child.nickname == "Zzyzx-other" and their_child.check_pin(DEFAULT_PIN)
    assert Drawing.objects.filter(child=theirs.child, hidden=False).count() == 2


# --- the parent and the children ---------------------------------------------------------------


def test_me_tells_who_and_counts_the_family(mine: Family, theirs: Family) -> None:
    Drawing.objects.filter(pk=mine.drawings[0].pk).update(grownup_asked_at=timezone.now())
    response = parent_token(mine.parent).get(f"{API}/me/")
    assert response.status_code == 200
    data = response.json()
    assert data["email"] == mine.parent.email
    assert data["display_name"] == mine.parent.display_name
    assert data["counts"] == {"children": 1, "drawings": 2, "new_pictures": 2, "asked_to_look": 1}
    family_services.mark_gallery_seen(parent=mine.parent)
    counts = parent_token(mine.parent).get(f"{API}/me/").json()["counts"]
    assert counts["new_pictures"] == 0


def test_the_children_list_shows_each_child_at_a_glance(mine: Family, theirs: Family) -> None:
    response = parent_token(mine.parent).get(f"{API}/children/")
    assert response.status_code == 200
    assert response.json()["next"] is None  # paged by cursor, and only this family's
    (child,) = response.json()["results"]
    progress = ChildProgress.objects.get(child=mine.child)
    assert child["id"] == mine.child.pk and child["nickname"] == "Minji"
    assert child["avatar"] == "panda" and child["avatar_emoji"] == "🐼"
    assert child["birth_year"] == 2019
    assert child["age"] == timezone.localdate().year - 2019
    assert child["time_zone"] == "Asia/Seoul"
    assert child["xp"] == progress.xp_total > 0 and child["level"] >= 1
    assert child["streak"] == 1
    assert child["drawings_count"] == 2
    assert child["last_drawn_at"] is not None
    assert parent_token(mine.parent).get(f"{API}/children/{mine.child.pk}/").json() == child


def test_the_avatars_come_with_emoji_and_a_label_in_the_requests_language(mine: Family) -> None:
    response = parent_token(mine.parent).get(f"{API}/children/avatars/", HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 200
    avatars = response.json()["results"]
    assert {"value": "cat", "emoji": "🐱", "label": "고양이"} in avatars
    assert len(avatars) == 10


def test_adding_a_child_records_the_consent_given_in_the_app(mine: Family) -> None:
    parent_api = parent_token(mine.parent)
    response = parent_api.post(f"{API}/children/", new_child())
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["nickname"] == "Bora" and data["avatar_emoji"] == "🦊" and data["xp"] == 0
    child = Child.objects.get(pk=data["id"], parent=mine.parent)
    assert child.check_pin("2580") and child.pin_hash != "2580"
    consent = ConsentRecord.objects.get(child=child)
    assert consent.method == ConsentRecord.Method.MOBILE_APP
    assert consent.version == CONSENT_VERSION and consent.parent == mine.parent
    assert len(parent_api.get(f"{API}/children/").json()["results"]) == 2


def test_adding_a_child_with_mistakes_says_what_to_fix_field_by_field(mine: Family) -> None:
    parent_api = parent_token(mine.parent)
    no_consent = parent_api.post(f"{API}/children/", new_child(consent=False))
    assert no_consent.status_code == 400
    assert no_consent.json()["code"] == "consent_required"
    assert list(no_consent.json()["field_errors"]) == ["consent"]

    wrong = parent_api.post(
        f"{API}/children/",
        new_child(nickname="minji", birth_year=1990, pin="12", time_zone="Mars/Olympus"),
    )
    assert wrong.status_code == 400
    body = wrong.json()
    assert set(body) == {"code", "detail", "field_errors"}
    assert set(body["field_errors"]) == {"nickname", "birth_year", "pin", "time_zone"}
    assert "already called" in body["field_errors"]["nickname"][0]
    assert any(body["detail"] in texts for texts in body["field_errors"].values())

    bad_avatar = parent_api.post(f"{API}/children/", new_child(avatar="photo"))
    assert bad_avatar.status_code == 400
    assert bad_avatar.json()["field_errors"] == {"avatar": ["Pick one of the avatars."]}
    assert Child.objects.filter(parent=mine.parent).count() == 1
    assert not ConsentRecord.objects.filter(parent=mine.parent, child__isnull=True).exists()


def test_changing_a_profile_changes_only_what_is_sent(mine: Family) -> None:
    parent_api = parent_token(mine.parent)
    path = f"{API}/children/{mine.child.pk}/"
    changed = parent_api.patch(path, {"nickname": "Minji-ya", "avatar": "robot"})
    assert changed.status_code == 200
    assert changed.json()["nickname"] == "Minji-ya" and changed.json()["avatar_emoji"] == "🤖"
    child = Child.objects.get(pk=mine.child.pk)
    assert (child.birth_year, child.time_zone) == (2019, "Asia/Seoul")
    refused = parent_api.patch(path, {"time_zone": "Nowhere/Atlantis", "nickname": ""})
    assert refused.status_code == 400
    assert set(refused.json()["field_errors"]) == {"time_zone", "nickname"}
    assert Child.objects.get(pk=mine.child.pk).nickname == "Minji-ya"


def test_a_new_pin_unlocks_the_profile_and_then_opens_play_mode(mine: Family) -> None:
    parent_api = parent_token(mine.parent)
    play = f"{API}/children/{mine.child.pk}/play/"
    Child.objects.filter(pk=mine.child.pk).update(
        pin_failures=5, pin_locked_until=timezone.now() + timedelta(minutes=15)
    )
    assert parent_api.post(play, {"pin": DEFAULT_PIN}).status_code == 429  # locked

    too_short = parent_api.post(f"{API}/children/{mine.child.pk}/pin/", {"pin": "12"})
    assert too_short.status_code == 400 and list(too_short.json()["field_errors"]) == ["pin"]
    reset = parent_api.post(f"{API}/children/{mine.child.pk}/pin/", {"pin": "8642"})
    assert reset.status_code == 200 and reset.json()["pin_locked_until"] is None
    child = Child.objects.get(pk=mine.child.pk)
    assert child.pin_failures == 0 and child.pin_hash != "8642"

    assert parent_api.post(play, {"pin": DEFAULT_PIN}).status_code == 400  # the old one
    playing = parent_api.post(play, {"pin": "8642"})
    assert playing.status_code == 201 and playing.json()["kind"] == "child"


def test_withdrawing_consent_needs_confirm_then_deletes_everything_of_the_child(
    mine: Family, theirs: Family, django_capture_on_commit_callbacks: Any
) -> None:
    parent_api = parent_token(mine.parent)
    path = f"{API}/children/{mine.child.pk}/withdraw-consent/"
    files = [name for d in mine.drawings for name in (d.sketch.name, d.result.name)]
    unconfirmed = parent_api.post(path, {"confirm": False})
    assert unconfirmed.status_code == 400 and unconfirmed.json()["code"] == "confirm_required"
    assert Child.objects.filter(pk=mine.child.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):  # the files go once it commits
        response = parent_api.post(path, {"confirm": True})
    assert response.status_code == 200
    assert response.json() | {"withdrawn_at": None} == {
        "drawings": 2,
        "files": 4,
        "consent_records": 1,
        "withdrawn_at": None,
    }
    assert not Child.objects.filter(pk=mine.child.pk).exists()
    assert not Drawing.objects.filter(child_id=mine.child.pk).exists()
    assert not XPEvent.objects.filter(child_id=mine.child.pk).exists()
    assert not any(default_storage.exists(name) for name in files)
    assert ConsentRecord.objects.get(parent=mine.parent).withdrawn_at is not None
    assert Drawing.objects.filter(child=theirs.child).count() == 2


# --- drawings ------------------------------------------------------------------------------------


def test_the_familys_drawings_newest_first_with_hidden_ones_and_download_links(
    mine: Family, theirs: Family
) -> None:
    parent_api = parent_token(mine.parent)
    Drawing.objects.filter(pk=mine.drawings[0].pk).update(hidden=True)
    response = parent_api.get(f"{API}/family/drawings/")
    assert response.status_code == 200
    items = response.json()["results"]
    assert [i["id"] for i in items] == [d.pk for d in reversed(mine.drawings)]
    assert [i["hidden"] for i in items] == [False, True]
    item = items[1]
    assert item["child_id"] == mine.child.pk and item["status"] == "done"
    assert item["category"] == mine.drawings[0].category and "client_id" in item
    assert item["sketch_download_url"].startswith("http://testserver/api/v1/family/")

    for key, field in (("sketch_download_url", "sketch"), ("picture_download_url", "result")):
        image = parent_api.get(item[key])
        assert image.status_code == 200 and image["Content-Type"] == "image/png"
        stored = getattr(Drawing.objects.get(pk=item["id"]), field)
        assert b"".join(image.streaming_content) == stored.open("rb").read()
    detail = parent_api.get(f"{API}/family/drawings/{item['id']}/")
    assert detail.status_code == 200 and detail.json() == item


def test_a_drawing_without_a_picture_has_no_picture_link(mine: Family) -> None:
    waiting = DrawingFactory.create(child=mine.child)
    parent_api = parent_token(mine.parent)
    item = parent_api.get(f"{API}/family/drawings/{waiting.pk}/").json()
    assert item["status"] == "queued" and item["picture_download_url"] is None
    missing = parent_api.get(
        f"{API}/family/drawings/{waiting.pk}/picture/", HTTP_ACCEPT="image/png"
    )
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json" and missing.json()["code"] == "not_found"


def test_hiding_takes_it_out_of_the_childs_api_and_showing_brings_it_back(mine: Family) -> None:
    parent_api, child_api = parent_token(mine.parent), play_token(mine.child)
    drawing = mine.drawings[0]
    assert drawing.pk in ids(child_api.get(f"{API}/drawings/"))

    hidden = parent_api.post(f"{API}/family/drawings/{drawing.pk}/hide/")
    assert hidden.status_code == 200 and hidden.json()["hidden"] is True
    assert drawing.pk not in ids(child_api.get(f"{API}/drawings/"))
    assert child_api.get(f"{API}/drawings/{drawing.pk}/").status_code == 404
    assert drawing.pk in ids(parent_api.get(f"{API}/family/drawings/"))

    shown = parent_api.post(f"{API}/family/drawings/{drawing.pk}/show/")
    assert shown.status_code == 200 and shown.json()["hidden"] is False
    assert drawing.pk in ids(child_api.get(f"{API}/drawings/"))


def test_deleting_removes_the_row_and_its_files_and_keeps_the_xp_ledger(
    mine: Family, django_capture_on_commit_callbacks: Any
) -> None:
    drawing = mine.drawings[0]
    files = [drawing.sketch.name, drawing.result.name]
    assert all(default_storage.exists(name) for name in files)
    xp_before = ChildProgress.objects.get(child=mine.child).xp_total

    with django_capture_on_commit_callbacks(execute=True):  # the files go once it commits
        response = parent_token(mine.parent).delete(f"{API}/family/drawings/{drawing.pk}/")
    assert response.status_code == 204
    assert not Drawing.objects.filter(pk=drawing.pk).exists()
    assert not any(default_storage.exists(name) for name in files)
    ledger = sum(XPEvent.objects.filter(child=mine.child).values_list("amount", flat=True))
    assert ChildProgress.objects.get(child=mine.child).xp_total == ledger == xp_before
    assert parent_token(mine.parent).get(f"{API}/family/drawings/{drawing.pk}/").status_code == 404


def test_the_export_is_a_zip_of_this_family_only(mine: Family, theirs: Family) -> None:
    second = Child.objects.create(parent=mine.parent, nickname="Jun", birth_year=2018)
    juns = finished_drawing(second, seed=7)
    parent_api = parent_token(mine.parent)

    response = parent_api.get(f"{API}/family/export/", HTTP_ACCEPT="application/zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    archive = archive_of(response)
    assert archive.testzip() is None
    manifest = json.loads(archive.read("manifest.json"))["drawings"]
    family = sorted([*mine.drawings, juns], key=lambda d: (d.created_at, d.pk))
    assert [e["id"] for e in manifest] == [d.pk for d in family]
    assert len([n for n in archive.namelist() if n.endswith(".png")]) == 2 * len(family)

    only_jun = archive_of(parent_api.get(f"{API}/family/export/?child={second.pk}"))
    assert [e["id"] for e in json.loads(only_jun.read("manifest.json"))["drawings"]] == [juns.pk]
    not_a_number = parent_api.get(f"{API}/family/export/?child=jun")
    assert not_a_number.status_code == 400 and "child" in not_a_number.json()["field_errors"]


def test_the_filters_narrow_the_list(mine: Family, theirs: Family) -> None:
    face, panda = mine.drawings  # make_family: a face, then a panda
    second = Child.objects.create(parent=mine.parent, nickname="Jun", birth_year=2018)
    juns = DrawingFactory.create(child=second, category="panda", status=DrawingStatus.FAILED)
    Drawing.objects.filter(pk=face.pk).update(
        grownup_asked_at=timezone.now(), created_at=timezone.now() - timedelta(days=3)
    )
    parent_api = parent_token(mine.parent)

    def listed(**query: Any) -> list[int]:
        response = parent_api.get(f"{API}/family/drawings/", query)
        assert response.status_code == 200, response.json()
        return ids(response)

    assert listed() == [juns.pk, panda.pk, face.pk]
    assert listed(child=second.pk) == [juns.pk]
    assert listed(child=theirs.child.pk) == []
    assert listed(category="panda") == [juns.pk, panda.pk]
    assert listed(status="failed") == [juns.pk]
    assert listed(status="done", category="panda") == [panda.pk]
    assert listed(asked="true") == [face.pk]
    assert listed(asked="false") == [juns.pk, panda.pk]
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert listed(since=since) == [juns.pk, panda.pk]

    wrong = parent_api.get(f"{API}/family/drawings/", {"status": "lost", "since": "yesterday"})
    assert wrong.status_code == 400
    assert set(wrong.json()["field_errors"]) == {"status", "since"}


def test_the_list_pages_by_cursor_without_duplicates(mine: Family) -> None:
    for _ in range(3):
        DrawingFactory.create(child=mine.child)
    everything = list(Drawing.objects.filter(child=mine.child).values_list("pk", flat=True))
    parent_api = parent_token(mine.parent)

    first = parent_api.get(f"{API}/family/drawings/", {"page_size": 3}).json()
    assert len(first["results"]) == 3 and first["previous"] is None and first["next"]
    assert "cursor=" in first["next"]
    second = parent_api.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None
    paged = [i["id"] for i in first["results"] + second["results"]]
    assert paged == everything  # newest first, each once
    assert len(set(paged)) == 5


def test_the_lists_cost_the_same_queries_however_much_the_family_holds(mine: Family) -> None:
    parent_api = parent_token(mine.parent)
    paths = [f"{API}/family/drawings/", f"{API}/children/", f"{API}/me/"]

    def queries() -> list[int]:
        counts = []
        for path in paths:
            with CaptureQueriesContext(connection) as run:
                assert parent_api.get(path).status_code == 200
            counts.append(len(run))
        return counts

    queries()  # the token's first use records itself once
    few = queries()
    second = Child.objects.create(parent=mine.parent, nickname="Jun", birth_year=2018)
    for seed in range(3):
        finished_drawing(second, seed=seed)
        DrawingFactory.create(child=mine.child)
    assert queries() == few


def test_the_schema_documents_the_family_endpoints(mine: Family) -> None:
    response = parent_token(mine.parent).get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    schema = json.loads(response.content)
    paths = schema["paths"]
    export = paths["/api/v1/family/export/"]["get"]
    assert "application/zip" in export["responses"]["200"]["content"]
    assert export["tags"] == ["family"] and export["summary"]
    for path in ("/api/v1/me/", "/api/v1/children/", "/api/v1/family/drawings/{id}/hide/"):
        for operation in paths[path].values():
            assert operation["tags"] == ["family"] and operation["summary"], path
            assert "403" in operation["responses"], path
