"""The OpenAPI schema says exactly what the server does, so that a client generated from it works
with no hand edits: one content type per body (multipart only for the two uploads, whose sketch
is a binary file), binary image and ZIP answers, the one error shape on every 4xx, and the
constraints the server checks declared where a generator and a fuzzer can read them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Child
from accounts.rules import birth_year_bounds
from tests.factories import DEFAULT_PIN
from tests.fixtures.api import parent_token

pytestmark = pytest.mark.django_db

UPLOADS = {("/api/v1/drawings/", "post"), ("/api/v1/suggestions/", "post")}
BINARY_ANSWERS = {
    "/api/v1/drawings/{id}/sketch.png": "image/png",
    "/api/v1/drawings/{id}/picture.png": "image/png",
    "/api/v1/family/drawings/{id}/sketch/": "image/png",
    "/api/v1/family/drawings/{id}/picture/": "image/png",
    "/api/v1/family/export/": "application/zip",
}


@pytest.fixture
def schema() -> dict[str, Any]:
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return dict(json.loads(response.content))


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if isinstance(operation, dict) and "responses" in operation
    ]


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def test_uploads_are_binary_multipart_and_every_other_body_is_json(
    schema: dict[str, Any],
) -> None:
    bodies = [(p, m, o["requestBody"]) for p, m, o in operations(schema) if "requestBody" in o]
    assert bodies
    for path, method, body in bodies:
        if (path, method) in UPLOADS:
            assert list(body["content"]) == ["multipart/form-data"], path
            form = resolve(schema, body["content"]["multipart/form-data"]["schema"])
            assert form["properties"]["sketch"] == {
                **form["properties"]["sketch"],
                "type": "string",
                "format": "binary",
            }, path
        else:
            assert list(body["content"]) == ["application/json"], (path, method)


def test_images_and_the_export_are_declared_binary(schema: dict[str, Any]) -> None:
    for path, media_type in BINARY_ANSWERS.items():
        answer = schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert answer == {media_type: {"schema": {"type": "string", "format": "binary"}}}, path


def test_every_4xx_has_the_one_error_shape(schema: dict[str, Any]) -> None:
    for path, method, operation in operations(schema):
        statuses = [s for s in operation["responses"] if s.startswith("4")]
        assert {"400", "401", "404", "429"} <= set(statuses), (path, method)
        if "requestBody" in operation:
            assert "415" in statuses, (path, method)
        for status in statuses:
            content = operation["responses"][status]["content"]
            assert content == {
                "application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}
            }, (path, method, status)


def test_a_form_body_to_a_json_endpoint_is_refused_in_the_error_shape(child: Child) -> None:
    parent = parent_token(child.parent)
    answer = parent.post(f"/api/v1/children/{child.pk}/pin/", {"pin": "2468"}, format="multipart")
    assert answer.status_code == 415
    assert answer.json()["code"] == "unsupported_media_type"
    assert answer.json()["detail"]


def test_the_services_limits_are_declared(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    child = components["ChildCreateRequest"]["properties"]
    assert child["pin"]["pattern"] == "^[0-9]{4}$"
    assert (child["birth_year"]["minimum"], child["birth_year"]["maximum"]) == (birth_year_bounds())
    assert child["nickname"]["minLength"] == 1 and child["nickname"]["maxLength"] == 20
    assert "Asia/Seoul" in resolve(schema, child["time_zone"]["allOf"][0])["enum"]
    assert resolve(schema, child["consent"]["allOf"][0])["enum"] == [True]
    assert components["SignUpRequest"]["properties"]["password"]["minLength"] == 12
    for path in ("/api/v1/drawings/", "/api/v1/quests/", "/api/v1/children/"):
        (page_size,) = [
            p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "page_size"
        ]
        assert page_size["schema"] == {"type": "integer", "minimum": 1, "maximum": 100}, path


@pytest.mark.parametrize(
    "query",
    ["page_size=", "page_size=0", "page_size=null", "page_size=101", "page_size=5&page_size=5"],
)
def test_paging_outside_the_declared_range_is_a_400_naming_the_parameter(
    child: Child, query: str
) -> None:
    answer = parent_token(child.parent).get(f"/api/v1/children/?{query}")
    assert answer.status_code == 400, answer.content
    assert list(answer.json()["field_errors"]) == [query.split("=", maxsplit=1)[0]]


def test_a_filter_sent_twice_or_not_a_boolean_is_a_400(child: Child) -> None:
    parent = parent_token(child.parent)
    for query in ("asked=true&asked=false", "asked="):
        answer = parent.get(f"/api/v1/family/drawings/?{query}")
        assert answer.status_code == 400, query
        assert list(answer.json()["field_errors"]) == ["asked"]
    assert parent.get("/api/v1/family/drawings/?asked=false").status_code == 200


def test_a_value_of_the_wrong_json_type_is_refused_not_coerced(child: Child) -> None:
    parent = parent_token(child.parent)
    answer = parent.post(f"/api/v1/children/{child.pk}/play/", {"pin": 1234, "device_name": 7})
    assert answer.status_code == 400
    assert set(answer.json()["field_errors"]) == {"pin", "device_name"}
    played = parent.post(f"/api/v1/children/{child.pk}/play/", {"pin": DEFAULT_PIN})
    assert played.status_code == 201
