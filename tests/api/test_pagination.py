"""Every list of the API is paged by cursor, in one envelope: ``{next, previous, results}``.

A client follows ``next`` the same way everywhere, and a page kept between two reads still
starts where it did while the list changes meanwhile (a child added, an achievement earned):
nothing is shown twice and nothing comes back as a page number would shift it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Child
from gamification.models import Achievement, AchievementAward
from tests.factories import ChildFactory
from tests.fixtures.api import TokenClient, parent_token, play_token

pytestmark = pytest.mark.django_db

API = "/api/v1"
PARENTS_LISTS = [f"{API}/children/", f"{API}/children/avatars/", f"{API}/auth/devices/"]
CHILDS_LISTS = [f"{API}/drawings/", f"{API}/achievements/", f"{API}/quests/"]


def every_page(api: TokenClient, path: str, page_size: int) -> list[dict[str, Any]]:
    """Follow ``next`` from the first page to the last."""
    pages = [api.get(path, {"page_size": page_size}).json()]
    while pages[-1]["next"]:
        assert len(pages) < 50, "next never ends"
        pages.append(api.get(pages[-1]["next"]).json())
    return pages


def results(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [item for page in pages for item in page["results"]]


def test_every_list_in_the_schema_is_paged_by_cursor() -> None:
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = json.loads(response.content)
    lists = []
    for path, methods in schema["paths"].items():
        get = methods.get("get")
        if not get or not path.startswith(f"{API}/") or "{id}" in path:
            continue
        answer = get["responses"]["200"].get("content", {}).get("application/json")
        if answer is None:
            continue
        ref = answer["schema"].get("$ref", "")
        body = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else answer["schema"]
        assert body.get("type") != "array", f"{path} answers a bare list, not pages"
        if "results" not in body.get("properties", {}):
            continue
        lists.append(path)
        assert set(body["properties"]) == {"next", "previous", "results"}, path
        names = {p["name"] for p in get["parameters"]}
        assert {"cursor", "page_size"} <= names and "page" not in names, path
    assert sorted(lists) == sorted([*PARENTS_LISTS, *CHILDS_LISTS, f"{API}/family/drawings/"])


def test_children_come_oldest_first_and_one_added_meanwhile_comes_once_at_the_end(
    child: Child,
) -> None:
    second = ChildFactory.create(parent=child.parent)
    parent = parent_token(child.parent)

    first_page = parent.get(f"{API}/children/", {"page_size": 1}).json()
    assert [c["id"] for c in first_page["results"]] == [child.pk]
    assert first_page["previous"] is None and "cursor=" in first_page["next"]
    third = ChildFactory.create(parent=child.parent)  # added while the app pages
    rest = [first_page]
    while rest[-1]["next"]:
        rest.append(parent.get(rest[-1]["next"]).json())

    assert [c["id"] for c in results(rest)] == [child.pk, second.pk, third.pk]


def test_the_avatars_page_forward_and_back_each_once(child: Child) -> None:
    parent = parent_token(child.parent)
    everything = parent.get(f"{API}/children/avatars/").json()
    assert everything["next"] is None and everything["previous"] is None

    pages = every_page(parent, f"{API}/children/avatars/", page_size=4)

    assert [len(page["results"]) for page in pages] == [4, 4, 2]
    assert results(pages) == everything["results"]
    back = parent.get(pages[-1]["previous"]).json()
    assert back["results"] == pages[1]["results"]
    assert parent.get(back["previous"]).json()["results"] == pages[0]["results"]


def test_achievements_page_without_repeats_while_one_is_earned_between_pages(
    child: Child,
) -> None:
    api = play_token(child)
    unpaged = api.get(f"{API}/achievements/").json()["results"]
    assert len(unpaged) > 4

    first = api.get(f"{API}/achievements/", {"page_size": 2}).json()
    # The last one with a name is earned now: it moves up among the earned ones.
    last = Achievement.objects.get(slug=[a["slug"] for a in unpaged if a["slug"]][-1])
    AchievementAward.objects.create(child=child, achievement=last)
    pages = [first]
    while pages[-1]["next"]:
        pages.append(api.get(pages[-1]["next"]).json())

    # Each of the others once, in order; the one that moved up was passed already.
    assert results(pages) == [a for a in unpaged if a["slug"] != last.slug]
    assert api.get(f"{API}/achievements/").json()["results"][0]["slug"] == last.slug
    assert "place" not in first["results"][0]  # the cursor's own key stays out of the answer


def test_todays_quests_page_one_by_one(child: Child) -> None:
    api = play_token(child)
    pages = every_page(api, f"{API}/quests/", page_size=1)
    assert [len(page["results"]) for page in pages] == [1, 1, 1]
    assert results(pages) == api.get(f"{API}/quests/").json()["results"]


@pytest.mark.parametrize("path", PARENTS_LISTS + CHILDS_LISTS)
@pytest.mark.parametrize(
    "cursor", ["not-a-cursor", "eyJhZnRlciI6IjEifQ", "e30", "bnVsbA", "W1tb" * 4000, "é"]
)
def test_a_cursor_the_server_did_not_make_is_a_404(child: Child, path: str, cursor: str) -> None:
    api = play_token(child) if path in CHILDS_LISTS else parent_token(child.parent)
    answer = api.get(path, {"cursor": cursor})
    assert answer.status_code == 404, answer.content
    assert answer.json()["code"] == "not_found" and answer.json()["detail"]
