"""The child's pages: canvas, gallery, detail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Child
from drawings.models import Drawing
from tests.factories import DrawingFactory

pytestmark = pytest.mark.django_db


def gallery_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/gallery/")
    assert response.status_code == 200
    return len(queries)


def test_gallery_uses_a_constant_number_of_queries(child_client: Client, child: Child) -> None:
    DrawingFactory.create_batch(2, child=child)
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
    from inference.runtime import get_runtime

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
