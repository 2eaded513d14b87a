"""Every family-admin URL, probed from the registered ModelAdmins: another family's ids answer
404 (or an empty list), a playing child is sent back to the canvas, a stranger signs in first."""

from __future__ import annotations

import io
import logging
import zipfile
from typing import Any

import pytest
from django.contrib.admin import helpers
from django.test import Client, RequestFactory
from django.urls import reverse

from family.admin import family_site
from tests.fixtures.family import Family
from tests.fixtures.site import play_as

pytestmark = pytest.mark.django_db


def registered() -> list[Any]:
    return list(family_site._registry.values())


def object_of(family: Family, model_admin: Any) -> Any:
    found = model_admin.model.objects.filter(**{model_admin.family_path: family.parent}).first()
    assert found is not None, f"the fixture family needs a {model_admin.model.__name__}"
    return found


def url_names(model_admin: Any, *, with_object: bool) -> list[str]:
    names = []
    for pattern in model_admin.get_urls():
        if not pattern.name:
            continue
        takes_object = "object_id" in pattern.pattern.converters
        if takes_object == with_object:
            names.append(pattern.name)
    return names


def object_urls(family: Family) -> list[str]:
    return [
        reverse(f"family_admin:{name}", args=[object_of(family, model_admin).pk])
        for model_admin in registered()
        for name in url_names(model_admin, with_object=True)
    ]


def list_urls() -> list[str]:
    return [
        reverse(f"family_admin:{name}")
        for model_admin in registered()
        for name in url_names(model_admin, with_object=False)
    ]


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_every_model_admin_is_probed() -> None:
    models = {model_admin.model._meta.label for model_admin in registered()}
    assert {"drawings.Drawing", "accounts.Child", "accounts.ConsentRecord"} <= models
    for model_admin in registered():
        assert url_names(model_admin, with_object=True), model_admin
        assert model_admin.family_path


def test_another_familys_objects_answer_404_on_every_object_url(
    parent_client: Client, mine: Family, theirs: Family
) -> None:
    urls = object_urls(theirs)
    assert len(urls) >= 10  # change, delete, history (x3 models) and the withdrawal page
    for url in urls:
        assert parent_client.get(url).status_code == 404, url
        assert parent_client.post(url, {"post": "yes"}).status_code == 404, url
    theirs.child.refresh_from_db()  # nothing was withdrawn, deleted or changed
    assert theirs.child.drawings.count() == 2


def test_own_objects_open_on_every_object_url(parent_client: Client, mine: Family) -> None:
    for url in object_urls(mine):
        assert parent_client.get(url).status_code in (200, 403), url  # 403: own, not allowed


def test_lists_and_exports_show_nothing_of_another_family(
    parent_client: Client, mine: Family, theirs: Family
) -> None:
    for url in [*list_urls(), reverse("family_admin:index")]:
        response = parent_client.get(url)
        assert response.status_code in (200, 403), url
        content = body(response)
        assert theirs.child.nickname.encode() not in content, url
        if response.get("Content-Type") == "application/zip":
            names = zipfile.ZipFile(io.BytesIO(content)).namelist()
            assert not any(n.startswith(f"{theirs.child.pk}/") for n in names)


def test_search_and_filters_stay_in_the_family(
    parent_client: Client, mine: Family, theirs: Family
) -> None:
    for model_admin in registered():
        url = reverse(
            f"family_admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_changelist"
        )
        target = object_of(theirs, model_admin)
        for query in (
            {"q": theirs.child.nickname},
            {"q": "face"},
            {"child__id__exact": theirs.child.pk},
        ):
            response = parent_client.get(url, query)
            if response.status_code == 302:  # a filter this list does not have: ?e=1
                continue
            changelist = response.context["cl"]
            assert target.pk not in {row.pk for row in changelist.result_list}, (url, query)
            assert f"{url}{target.pk}/change/".encode() not in response.content
            for drawing in theirs.drawings:
                assert f"/drawings/{drawing.pk}/".encode() not in response.content


def test_a_filter_the_list_does_not_offer_is_a_400_with_a_line_not_a_traceback(
    parent_client: Client, mine: Family, theirs: Family, caplog: pytest.LogCaptureFixture
) -> None:
    response = parent_client.get(
        "/family/admin/drawings/drawing/", {"child__parent__id__exact": theirs.parent.pk}
    )
    assert response.status_code == 400
    assert b"cannot be filtered that way" in response.content
    assert str(theirs.child.nickname).encode() not in response.content
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1  # "Bad Request"
    assert any("child__parent__id__exact" in r.getMessage() for r in caplog.records)


def test_every_action_ignores_another_familys_ids(
    parent_client: Client, mine: Family, theirs: Family
) -> None:
    request = RequestFactory().get("/")
    request.user = mine.parent
    for model_admin in registered():
        url = reverse(
            f"family_admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_changelist"
        )
        target = object_of(theirs, model_admin)
        for action in model_admin.get_actions(request):
            data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [target.pk], "post": "yes"}
            response = parent_client.post(url, data)
            assert response.status_code in (200, 302), action
            if response.get("Content-Type") == "application/zip":
                names = zipfile.ZipFile(io.BytesIO(body(response))).namelist()
                assert names == ["manifest.json"], action
    for drawing in theirs.drawings:
        drawing.refresh_from_db()
        assert drawing.hidden is False


def test_thumbnails_and_autocomplete_stay_in_the_family(
    parent_client: Client, mine: Family, theirs: Family
) -> None:
    for drawing in theirs.drawings:
        assert parent_client.get(f"/drawings/{drawing.pk}/sketch.png").status_code == 404
        assert parent_client.get(f"/drawings/{drawing.pk}/result.png").status_code == 404
    for drawing in mine.drawings:
        assert parent_client.get(f"/drawings/{drawing.pk}/sketch.png").status_code == 200
        assert parent_client.get(f"/drawings/{drawing.pk}/result.png").status_code == 200
    autocomplete = reverse("family_admin:autocomplete")
    query = {"app_label": "drawings", "model_name": "drawing", "field_name": "child"}
    found = parent_client.get(autocomplete, {**query, "term": ""}).json()["results"]
    assert [r["text"] for r in found] == [mine.child.nickname]
    assert parent_client.get(autocomplete, {**query, "term": "Zzyzx"}).json()["results"] == []


def test_a_playing_child_is_sent_back_to_the_canvas_everywhere(mine: Family) -> None:
    client = play_as(Client(), mine.child)
    for url in [reverse("family_admin:index"), *list_urls(), *object_urls(mine)]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/draw/", url
    assert client.post(reverse("family_admin:logout")).status_code == 302
    assert client.get("/draw/").status_code == 200  # still playing: no way out without the password


def test_a_stranger_signs_in_first(mine: Family) -> None:
    client = Client()
    for url in [reverse("family_admin:index"), *list_urls(), *object_urls(mine)]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_any_parent_may_enter_and_staff_keep_their_admin(
    parent_client: Client, mine: Family
) -> None:
    assert not mine.parent.is_staff
    assert parent_client.get(reverse("family_admin:index")).status_code == 200
    assert parent_client.get("/admin/").status_code == 302  # the staff admin is still staff-only
