"""The child's pages: canvas, gallery, detail."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Child
from drawings.models import Drawing, DrawingStatus
from tests.factories import ChildFactory, DrawingFactory

pytestmark = pytest.mark.django_db


def gallery_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/gallery/")
    assert response.status_code == 200
    return len(queries)


def test_gallery_uses_a_constant_number_of_queries(child_client: Client, child: Child) -> None:
    DrawingFactory.create_batch(2, child=child)
    gallery_queries(child_client)  # the minute's first request renews the session (a write)
    few = gallery_queries(child_client)
    DrawingFactory.create_batch(20, child=child)
    assert gallery_queries(child_client) == few


def test_gallery_shows_the_childs_drawings_with_category_labels(
    child_client: Client, child: Child
) -> None:
    mine = DrawingFactory.create(child=child, category="panda")
    DrawingFactory.create(category="panda")  # someone else's
    page = child_client.get("/gallery/").content.decode()
    assert f"/drawings/{mine.pk}/sketch.png" in page
    assert page.count("/sketch.png") == 1
    assert "Panda" in page


def test_gallery_says_just_now_for_a_new_drawing_and_how_long_ago_otherwise(
    child_client: Client, child: Child
) -> None:
    DrawingFactory.create(child=child)
    old = DrawingFactory.create(child=child)
    Drawing.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=3))
    page = child_client.get("/gallery/").content.decode()
    assert "Just now" in page
    assert "3\xa0hours ago" in page
    assert "0\xa0minutes" not in page


def test_canvas_offers_twelve_named_crayons(child_client: Client) -> None:
    page = child_client.get("/draw/").content.decode()
    assert page.count('name="color" value="#') == 12
    for name in ("Black", "Red", "Yellow", "Sky blue", "Pink"):
        assert f'<span class="visually-hidden">{name}</span>' in page


def test_canvas_lists_the_registry_categories(child_client: Client) -> None:
    page = child_client.get("/draw/").content.decode()
    assert 'value="face"' in page
    assert 'value="panda"' in page
    assert "No picture-makers" not in page


def test_canvas_says_clearly_when_no_generator_is_installed(
    child_client: Client, settings, tmp_path
) -> None:
    from inference.serving.runtime import get_runtime

    settings.GENERATORS_DIR = tmp_path / "none"
    get_runtime().reset()
    page = child_client.get("/draw/").content.decode()
    assert "No picture-makers are installed yet" in page
    assert "data-submit" not in page


def test_another_childs_detail_page_is_404(child_client: Client) -> None:
    theirs = DrawingFactory.create()
    assert child_client.get(f"/gallery/{theirs.pk}/").status_code == 404


def test_pages_send_a_parent_without_play_mode_to_choose_a_child(child: Child) -> None:
    parent = Client()
    parent.force_login(child.parent)
    response = parent.get("/draw/")
    assert response.status_code == 302
    assert response["Location"] == "/play/"


def canvas_cards(client: Client) -> list[dict[str, Any]]:
    """The drawings the canvas page embeds for its result cards, as its script reads them."""
    response = client.get("/draw/")
    assert response.status_code == 200
    found = re.search(
        r'<script id="canvas-drawings" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.DOTALL,
    )
    assert found, "the canvas page embeds its cards' drawings"
    return list(json.loads(found.group(1)))


def finished(drawing: Drawing, status: str, ago: timedelta) -> Drawing:
    Drawing.objects.filter(pk=drawing.pk).update(
        status=status, finished_at=timezone.now() - ago, error_message="Oops"
    )
    drawing.refresh_from_db()
    return drawing


def test_canvas_brings_back_the_cards_of_drawings_still_on_their_way(
    child_client: Client, child: Child
) -> None:
    long_done = finished(DrawingFactory.create(child=child), DrawingStatus.DONE, timedelta(hours=1))
    long_failed = finished(
        DrawingFactory.create(child=child), DrawingStatus.FAILED, timedelta(minutes=30)
    )
    just_failed = finished(
        DrawingFactory.create(child=child), DrawingStatus.FAILED, timedelta(minutes=2)
    )
    running = DrawingFactory.create(child=child)
    Drawing.objects.filter(pk=running.pk).update(status=DrawingStatus.RUNNING)
    queued = DrawingFactory.create(child=child)
    sibling = ChildFactory.create(parent=child.parent)
    DrawingFactory.create(child=sibling)  # a sibling's picture on its way: never on this page

    cards = canvas_cards(child_client)

    assert [card["id"] for card in cards] == [queued.pk, running.pk, just_failed.pk]
    assert [card["status"] for card in cards] == ["queued", "running", "failed"]
    assert {long_done.pk, long_failed.pk}.isdisjoint(card["id"] for card in cards)
    # Every field of a card is in REST's answer after a reconnect, with the same value, so both
    # update a card alike (REST adds the two image addresses an app uses with a Bearer token).
    for card in cards:
        rest = child_client.get(f"/api/v1/drawings/{card['id']}/").json()
        assert card == {key: rest[key] for key in card}
        assert set(rest) - set(card) == {"api_sketch_url", "api_picture_url"}


def test_canvas_brings_back_at_most_three_cards_newest_first(
    child_client: Client, child: Child
) -> None:
    drawings = DrawingFactory.create_batch(5, child=child)
    cards = canvas_cards(child_client)
    assert [card["id"] for card in cards] == [d.pk for d in reversed(drawings)][:3]


def test_canvas_brings_back_nothing_for_a_child_with_nothing_on_its_way(
    child_client: Client, child: Child
) -> None:
    finished(DrawingFactory.create(child=child), DrawingStatus.DONE, timedelta(days=1))
    assert canvas_cards(child_client) == []


def test_canvas_uses_a_constant_number_of_queries(child_client: Client, child: Child) -> None:
    def canvas_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert child_client.get("/draw/").status_code == 200
        return len(queries)

    DrawingFactory.create(child=child)
    canvas_queries()  # the minute's first request renews the session (a write)
    few = canvas_queries()
    DrawingFactory.create_batch(10, child=child)
    for drawing in DrawingFactory.create_batch(10, child=child):
        finished(drawing, DrawingStatus.DONE, timedelta(minutes=1))
    assert canvas_queries() == few
