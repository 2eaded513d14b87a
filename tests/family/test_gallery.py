"""Gallery review: hide (everywhere the child looks, reversibly), delete (rows, files, XP kept)."""

from __future__ import annotations

import json
import re
from unittest import mock

import pytest
from django.contrib.admin import helpers
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.test import Client

from drawings import lifecycle
from drawings.models import Drawing, DrawingStatus, FileDeletion
from gamification.models import ChildProgress, XPEvent
from tests.factories import DrawingFactory, finish_claim, sketch_png
from tests.fixtures.events import captured_events
from tests.fixtures.family import Family
from tests.fixtures.site import play_as

pytestmark = pytest.mark.django_db
GALLERY = "/family/admin/drawings/drawing/"


def act(client: Client, action: str, drawings: list[Drawing]):
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [d.pk for d in drawings], "post": "yes"}
    return client.post(GALLERY, data)


def what_the_child_sees(family: Family) -> dict[str, set[int]]:
    child = play_as(Client(), family.child)
    gallery = child.get("/gallery/").content.decode()
    canvas = child.get("/draw/").content.decode()
    embedded = re.search(r'id="canvas-drawings" type="application/json">(.*?)</script>', canvas)
    assert embedded is not None
    return {
        "gallery": {int(pk) for pk in re.findall(r"/drawings/(\d+)/sketch.png", gallery)},
        "rest": {d["id"] for d in child.get("/api/v1/drawings/").json()["results"]},
        "canvas": {d["id"] for d in json.loads(embedded[1])},
        "details": {
            d.pk
            for d in family.drawings
            if child.get(f"/api/v1/drawings/{d.pk}/").status_code == 200
        },
        "images": {
            d.pk
            for d in family.drawings
            if child.get(f"/drawings/{d.pk}/sketch.png").status_code == 200
        },
    }


def test_the_gallery_shows_sketch_and_picture_side_by_side(
    parent_client: Client, mine: Family
) -> None:
    page = parent_client.get(GALLERY).content.decode()
    for drawing in mine.drawings:
        assert f'src="/drawings/{drawing.pk}/sketch.png"' in page
        assert f'src="/drawings/{drawing.pk}/result.png"' in page
    assert "/media/" not in page
    change = parent_client.get(f"{GALLERY}{mine.drawings[0].pk}/change/").content.decode()
    assert "pair-large" in change and "XP" in change


def test_hiding_removes_it_from_every_child_facing_read_and_showing_brings_it_back(
    parent_client: Client, mine: Family, generators_dir
) -> None:
    hidden, kept = mine.drawings
    assert act(parent_client, "hide_from_child", [hidden]).status_code == 302

    seen = what_the_child_sees(mine)
    for where, ids in seen.items():
        assert hidden.pk not in ids, where
    for where, ids in seen.items():
        assert kept.pk in ids, where
    assert f"/drawings/{hidden.pk}/sketch.png" in parent_client.get(GALLERY).content.decode()
    assert parent_client.get(f"/drawings/{hidden.pk}/result.png").status_code == 200

    act(parent_client, "show_to_child", [hidden])
    assert hidden.pk in what_the_child_sees(mine)["rest"]


def test_the_change_page_hides_too(parent_client: Client, mine: Family) -> None:
    drawing = mine.drawings[0]
    response = parent_client.post(f"{GALLERY}{drawing.pk}/change/", {"hidden": "on"})
    assert response.status_code == 302
    drawing.refresh_from_db()
    assert drawing.hidden


def test_a_hidden_drawing_is_never_sent_on_the_childs_socket(mine: Family) -> None:
    drawing = DrawingFactory.create(child=mine.child)
    with captured_events() as sent:
        (claim,) = lifecycle.claim_drawings(drawing_ids=[drawing.pk])
    assert len(sent) == 1
    Drawing.objects.filter(pk=drawing.pk).update(hidden=True)
    with captured_events() as sent:
        finish_claim(claim=claim, picture_png=sketch_png(), generator_name="g", inference_ms=5)
    assert sent == []
    assert Drawing.objects.get(pk=drawing.pk).status == DrawingStatus.DONE


def ledger_total(family: Family) -> int:
    return XPEvent.objects.filter(child=family.child).aggregate(t=Sum("amount"))["t"] or 0


def test_deleting_removes_rows_and_files_and_keeps_the_xp_ledger(
    parent_client: Client, mine: Family, theirs: Family, django_capture_on_commit_callbacks
) -> None:
    doomed, kept = mine.drawings
    files = [doomed.sketch.name, doomed.result.name]
    before = ledger_total(mine)
    with django_capture_on_commit_callbacks(execute=True):
        assert act(parent_client, "delete_selected", [doomed]).status_code == 302
    assert not Drawing.objects.filter(pk=doomed.pk).exists()
    assert not any(default_storage.exists(name) for name in files)
    assert default_storage.exists(kept.sketch.name) and Drawing.objects.filter(pk=kept.pk).exists()
    assert ledger_total(mine) == before  # decision: what a picture paid stays paid
    assert ChildProgress.objects.get(child=mine.child).xp_total == ledger_total(mine)
    assert all(default_storage.exists(d.sketch.name) for d in theirs.drawings)
    assert Drawing.objects.filter(child=theirs.child).count() == 2


def test_the_delete_page_deletes_one(
    parent_client: Client, mine: Family, django_capture_on_commit_callbacks
) -> None:
    drawing = mine.drawings[0]
    with django_capture_on_commit_callbacks(execute=True):
        parent_client.post(f"{GALLERY}{drawing.pk}/delete/", {"post": "yes"})
    assert not Drawing.objects.filter(pk=drawing.pk).exists()
    assert not default_storage.exists(drawing.sketch.name)


def test_a_file_that_fails_to_delete_is_recorded_and_retried(
    parent_client: Client, mine: Family, django_capture_on_commit_callbacks
) -> None:
    drawing = mine.drawings[0]
    with (
        mock.patch.object(default_storage, "delete", side_effect=OSError("storage is down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        act(parent_client, "delete_selected", [drawing])
    assert set(FileDeletion.objects.values_list("name", flat=True)) == {
        drawing.sketch.name,
        drawing.result.name,
    }
    with (
        mock.patch.object(default_storage, "delete", side_effect=OSError("still down")),
        pytest.raises(CommandError, match="2 file"),
    ):
        call_command("retry_file_deletions")
    call_command("retry_file_deletions")
    assert not FileDeletion.objects.exists()
    assert not default_storage.exists(drawing.sketch.name)


def test_by_category_names_the_things_in_the_parents_language(mine: Family) -> None:
    korean = Client(HTTP_ACCEPT_LANGUAGE="ko")
    korean.force_login(mine.parent)
    page = korean.get(GALLERY).content.decode()
    choices = re.findall(r'<a href="\?category=(\w+)"[^>]*>([^<]+)</a>', page)
    named = {slug: label.split()[-1] for slug, label in choices}  # the emoji, then the name
    assert named == {"face": "얼굴", "panda": "판다"}
    only = korean.get(GALLERY, {"category": "panda"}).context["cl"].result_list
    assert {d.category for d in only} == {"panda"}
