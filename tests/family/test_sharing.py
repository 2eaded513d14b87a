"""Share links: only a parent makes one; the page shows the picture alone unless the parent
chose more; expired, revoked, reported and guessed tokens answer 404; a report takes the link
down until staff review it in /admin/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from drawings.models import Drawing
from family import services as family_services
from sharing import services
from sharing.models import ShareLink
from tests.factories import UserFactory
from tests.fixtures.family import Family
from tests.fixtures.site import play_as

pytestmark = pytest.mark.django_db

ADD = "/family/admin/sharing/sharelink/add/"


def shared_url(response) -> str:
    match = re.search(rb'value="https?://[^/"]+(/shared/[A-Za-z0-9_-]+/)"', response.content)
    assert match, "the new link is shown on the page"
    return match.group(1).decode()


def make_link(parent_client: Client, family: Family, **choices: str) -> str:
    data = {"drawing": family.drawings[1].pk, "days": "7", **choices}
    response = parent_client.post(ADD, data)
    assert response.status_code == 200, response.content[:400]
    return shared_url(response)


def test_a_parent_makes_a_link_and_a_visitor_sees_the_picture_alone(
    parent_client: Client, mine: Family
) -> None:
    url = make_link(parent_client, mine)
    visitor = Client()
    page = visitor.get(url)

    assert page.status_code == 200
    assert page["X-Robots-Tag"].startswith("noindex")
    assert b'<meta name="robots" content="noindex' in page.content
    assert mine.child.nickname.encode() not in page.content
    assert mine.parent.email.encode() not in page.content
    assert f"{url}picture.png".encode() in page.content
    assert f"{url}sketch.png".encode() not in page.content
    picture = visitor.get(f"{url}picture.png")
    assert picture.status_code == 200
    assert picture.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    assert visitor.get(f"{url}sketch.png").status_code == 404
    # the database keeps a hash, never the token itself
    token = url.split("/")[2]
    link = ShareLink.objects.get(token_hash=services.hash_token(token))
    assert token not in str(ShareLink.objects.filter(pk=link.pk).values().first())
    assert link.expires_at - timezone.now() > timedelta(days=6, hours=23)
    assert link.views == 1


def test_the_sketch_and_nickname_only_when_the_parent_ticks_them(
    parent_client: Client, mine: Family
) -> None:
    url = make_link(parent_client, mine, show_sketch="on", show_nickname="on")
    page = Client().get(url)
    assert mine.child.nickname.encode() in page.content
    assert Client().get(f"{url}sketch.png").status_code == 200


@pytest.mark.parametrize("how", ["expired", "revoked", "reported", "guessed", "picture deleted"])
def test_dead_links_answer_404_everywhere(parent_client: Client, mine: Family, how: str) -> None:
    url = make_link(parent_client, mine, show_sketch="on")
    token = url.split("/")[2]
    links = ShareLink.objects.filter(token_hash=services.hash_token(token))
    if how == "expired":
        links.update(expires_at=timezone.now() - timedelta(seconds=1))
    elif how == "revoked":
        services.revoke_links(links=links)
    elif how == "reported":
        assert services.report_link(token=token, reason="other")
    elif how == "guessed":
        url = url.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    else:
        mine.drawings[1].delete()
    visitor = Client()
    for path in (url, f"{url}picture.png", f"{url}sketch.png", f"{url}report/"):
        assert visitor.get(path).status_code == 404, path


def test_a_report_takes_the_page_down_until_staff_restore_it(
    parent_client: Client, mine: Family
) -> None:
    url = make_link(parent_client, mine)
    visitor = Client()
    reported = visitor.post(f"{url}report/", {"reason": "personal", "details": "a face"})
    assert reported.status_code == 200
    assert visitor.get(url).status_code == 404
    link = ShareLink.objects.get(token_hash=services.hash_token(url.split("/")[2]))
    assert link.report_reason == "personal: a face"

    staff = Client()
    staff.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    waiting = staff.get("/admin/sharing/sharelink/", {"reported": "waiting"})
    assert link.pk in {row.pk for row in waiting.context["cl"].result_list}
    assert staff.get(f"/admin/sharing/sharelink/{link.pk}/picture.png").status_code == 200
    staff.post(
        "/admin/sharing/sharelink/",
        {"action": "restore", "_selected_action": [link.pk]},
    )
    assert visitor.get(url).status_code == 200


def test_only_finished_pictures_of_the_family_can_be_shared(
    parent_client: Client, mine: Family, theirs: Family
) -> None:
    response = parent_client.post(ADD, {"drawing": theirs.drawings[0].pk, "days": "7"})
    assert response.status_code == 200
    assert b"/shared/" not in response.content  # the form refused the choice
    assert response.context["adminform"].form.errors["drawing"]
    with pytest.raises(services.NotShareable):
        services.create_share_link(parent=mine.parent, drawing_id=theirs.drawings[0].pk)
    with pytest.raises(services.NotShareable):
        services.create_share_link(parent=mine.parent, drawing_id=mine.drawings[0].pk, days=90)


def test_a_parent_revokes_a_link_from_the_family_admin(parent_client: Client, mine: Family) -> None:
    url = make_link(parent_client, mine)
    link = ShareLink.objects.get(token_hash=services.hash_token(url.split("/")[2]))
    parent_client.post(
        "/family/admin/sharing/sharelink/",
        {"action": "revoke", "_selected_action": [link.pk]},
    )
    assert Client().get(url).status_code == 404


def test_a_playing_child_cannot_make_a_link(client: Client, mine: Family) -> None:
    play_as(client, mine.child)
    before = ShareLink.objects.count()
    response = client.post(ADD, {"drawing": mine.drawings[1].pk, "days": "7"})
    assert response.status_code == 302
    assert response["Location"] == reverse("drawings:canvas")
    assert ShareLink.objects.count() == before


@pytest.mark.parametrize("how", ["family admin", "REST"])
def test_hiding_a_picture_takes_its_links_down_for_good(
    parent_client: Client, mine: Family, how: str
) -> None:
    url = make_link(parent_client, mine, show_sketch="on")
    drawing = mine.drawings[1]
    if how == "family admin":
        parent_client.post(
            "/family/admin/drawings/drawing/",
            {"action": "hide_from_child", "_selected_action": [drawing.pk]},
        )
    else:
        rest = APIClient()
        rest.force_authenticate(mine.parent)
        assert rest.post(f"/api/v1/family/drawings/{drawing.pk}/hide/").status_code == 200
    drawing.refresh_from_db()
    assert drawing.hidden
    visitor = Client()
    for path in (url, f"{url}picture.png", f"{url}sketch.png", f"{url}report/"):
        assert visitor.get(path).status_code == 404, path
    # showing the picture to the child again does not share it again
    family_services.set_drawings_hidden(
        drawings=Drawing.objects.filter(pk=drawing.pk), hidden=False
    )
    assert visitor.get(url).status_code == 404


def test_no_link_for_a_hidden_picture(parent_client: Client, mine: Family) -> None:
    drawing = mine.drawings[1]
    family_services.set_drawings_hidden(drawings=Drawing.objects.filter(pk=drawing.pk), hidden=True)
    response = parent_client.post(ADD, {"drawing": drawing.pk, "days": "7"})
    assert response.status_code == 200
    assert b"/shared/" not in response.content
    (error,) = response.context["adminform"].form.errors["drawing"]
    assert "hidden from your child" in error
    with pytest.raises(services.NotShareable) as refused:
        services.create_share_link(parent=mine.parent, drawing_id=drawing.pk)
    assert refused.value.code == "hidden_picture"
    assert not ShareLink.objects.filter(drawing=drawing).exists()


def test_the_link_form_offers_no_add_another_and_its_date_ends_in_one_full_stop(
    parent_client: Client, mine: Family
) -> None:
    form = parent_client.get(ADD).content.decode()
    assert 'name="_addanother"' not in form and 'name="_save"' in form
    response = parent_client.post(ADD, {"drawing": mine.drawings[1].pk, "days": "7"})
    text = re.sub(r"<[^>]+>", "", response.content.decode())
    until = re.search(r"It works until ([^\n]*)", text)
    assert until and until[1].endswith(".") and ".." not in until[1], until


def test_admin_pages_name_their_icon(parent_client: Client) -> None:
    for url in ("/family/admin/", ADD):
        assert b'rel="icon"' in parent_client.get(url).content
