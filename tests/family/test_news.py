"""What a parent sees at a glance: pictures since the last gallery visit, and the pictures a
child asked a grown-up to look at ("Show a grown-up", on the web and over REST)."""

from __future__ import annotations

import pytest
from django.test import Client

from drawings.models import Drawing
from family.selectors import what_is_new
from tests.fixtures.family import Family, finished_drawing
from tests.fixtures.site import play_as

pytestmark = pytest.mark.django_db

GALLERY = "/family/admin/drawings/drawing/"


def test_the_family_page_counts_new_pictures_since_the_last_gallery_visit(
    parent_client: Client, mine: Family
) -> None:
    page = parent_client.get("/family/")
    assert b"2 new pictures since your last visit" in page.content

    assert parent_client.get(GALLERY).status_code == 200
    assert what_is_new(parent=mine.parent).new_pictures == 0
    assert b"No new pictures since your last visit" in parent_client.get("/family/").content

    finished_drawing(mine.child, seed=7)
    assert b"1 new picture since your last visit" in parent_client.get("/family/").content


def test_show_a_grownup_puts_the_picture_in_the_family_admin(
    client: Client, mine: Family, theirs: Family
) -> None:
    asked = mine.drawings[0]
    play_as(client, mine.child)
    response = client.post(f"/gallery/{asked.pk}/show-a-grown-up/")
    assert response.status_code == 302
    assert "A grown-up will look" in client.get(response["Location"]).content.decode()
    # only the child's own pictures
    assert client.post(f"/gallery/{theirs.drawings[0].pk}/show-a-grown-up/").status_code == 404

    parent = Client()
    parent.force_login(mine.parent)
    assert b"1 picture your child wants you to see" in parent.get("/family/").content
    listed = parent.get(GALLERY, {"asked": "yes"}).context["cl"].result_list
    assert [d.pk for d in listed] == [asked.pk]

    # looking at it answers the request
    assert parent.get(f"{GALLERY}{asked.pk}/change/").status_code == 200
    assert Drawing.objects.get(pk=asked.pk).grownup_asked_at is None
    assert what_is_new(parent=mine.parent).asked_to_look == 0


def test_show_a_grownup_over_rest(client: Client, mine: Family, theirs: Family) -> None:
    play_as(client, mine.child)
    drawing = mine.drawings[1]
    response = client.post(f"/api/v1/drawings/{drawing.pk}/show-a-grownup/")
    assert response.status_code == 200
    assert response.json()["grownup_asked"] is True
    assert client.get(f"/api/v1/drawings/{drawing.pk}/").json()["grownup_asked"] is True
    other = client.post(f"/api/v1/drawings/{theirs.drawings[0].pk}/show-a-grownup/")
    assert other.status_code == 404
    assert other.json()["code"] == "not_found"
    # a parent who is not playing is not a child
    parent = Client()
    parent.force_login(mine.parent)
    assert parent.post(f"/api/v1/drawings/{drawing.pk}/show-a-grownup/").status_code == 403
