"""Under /api/ even Django's own answers (no such path, an id that is not a number) are the
API's JSON shape; the site's pages keep Django's HTML."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing-here/", "/api/v1/drawings/-1/", "/api/v1/drawings/%F0%9F%90%BC/"]
)
def test_an_unknown_api_path_answers_json(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_an_unknown_page_is_still_html() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
