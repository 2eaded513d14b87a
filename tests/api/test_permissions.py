"""Who may call what, for every operation of the generated OpenAPI schema.

Each operation has a row in ``ACCESS`` saying who it is for; an operation without a row fails
the test (a new endpoint must say who may use it). Every operation is then called by each of
anonymous, parent A, parent B, child A1, child A2 (A1's sibling), child B1 and a revoked
token, on family A's objects (child A1's drawing, child A1, parent A's device), each with a
fresh token and no cookie, and the status must be the expected refusal or not a refusal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts import tokens
from accounts.models import ApiToken, Child, User
from drawings.models import Drawing, DrawingStatus
from tests.factories import ChildFactory, UserFactory, sketch_png

pytestmark = pytest.mark.django_db

PUBLIC, PARENT, CHILD, SIGNED_IN = "public", "parent", "child", "signed-in"

# (method, path) -> who the operation is for. "signed-in": a parent or a child, each for
# their own (categories, schema-level reads).
ACCESS: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/auth/signup/"): PUBLIC,
    ("POST", "/api/v1/auth/signin/"): PUBLIC,
    ("POST", "/api/v1/auth/signout/"): PARENT,
    ("POST", "/api/v1/auth/signout-everywhere/"): PARENT,
    ("POST", "/api/v1/auth/password/"): PARENT,
    ("POST", "/api/v1/auth/reauthenticate/"): PARENT,
    ("GET", "/api/v1/auth/devices/"): PARENT,
    ("DELETE", "/api/v1/auth/devices/{public_id}/"): PARENT,
    ("POST", "/api/v1/children/{id}/play/"): PARENT,
    ("POST", "/api/v1/play/leave/"): CHILD,
    ("GET", "/api/v1/categories/"): SIGNED_IN,
    ("GET", "/api/v1/drawings/"): CHILD,
    ("POST", "/api/v1/drawings/"): CHILD,
    ("GET", "/api/v1/drawings/{id}/"): CHILD,
    ("POST", "/api/v1/drawings/{id}/show-a-grownup/"): CHILD,
    ("POST", "/api/v1/suggestions/"): CHILD,
    ("GET", "/api/v1/progress/"): CHILD,
    ("GET", "/api/v1/achievements/"): CHILD,
    ("GET", "/api/v1/quests/"): CHILD,
    ("POST", "/api/v1/drawings/{id}/retry/"): CHILD,
    ("GET", "/api/v1/drawings/{id}/sketch.png"): CHILD,
    ("GET", "/api/v1/drawings/{id}/picture.png"): CHILD,
    ("POST", "/api/v1/drawings/{id}/new-colours/"): CHILD,
    ("POST", "/api/v1/drawings/{id}/show-version/"): CHILD,
    ("GET", "/api/v1/drawings/{id}/versions/{number}.png"): CHILD,
    ("GET", "/api/v1/me/"): PARENT,
    ("GET", "/api/v1/children/"): PARENT,
    ("POST", "/api/v1/children/"): PARENT,
    ("GET", "/api/v1/children/avatars/"): PARENT,
    ("GET", "/api/v1/children/{id}/"): PARENT,
    ("PATCH", "/api/v1/children/{id}/"): PARENT,
    ("POST", "/api/v1/children/{id}/pin/"): PARENT,
    ("POST", "/api/v1/children/{id}/withdraw-consent/"): PARENT,
    ("GET", "/api/v1/family/drawings/"): PARENT,
    ("GET", "/api/v1/family/drawings/{id}/"): PARENT,
    ("DELETE", "/api/v1/family/drawings/{id}/"): PARENT,
    ("POST", "/api/v1/family/drawings/{id}/hide/"): PARENT,
    ("POST", "/api/v1/family/drawings/{id}/show/"): PARENT,
    ("GET", "/api/v1/family/drawings/{id}/sketch/"): PARENT,
    ("GET", "/api/v1/family/drawings/{id}/picture/"): PARENT,
    ("GET", "/api/v1/family/export/"): PARENT,
}

ACTORS = ("anonymous", "revoked", "parent_b", "child_b1", "child_a2", "parent_a", "child_a1")


@dataclass
class World:
    parent_a: User
    parent_b: User
    child_a1: Child
    child_a2: Child
    child_b1: Child
    drawing: Drawing
    device: ApiToken


def make_world() -> World:
    parent_a, parent_b = UserFactory.create(), UserFactory.create()
    child_a1 = ChildFactory.create(parent=parent_a)
    drawing = Drawing.objects.create(
        child=child_a1,
        category="face",
        client_id="matrix",
        sketch=ContentFile(sketch_png(), name="s.png"),
        result=ContentFile(sketch_png(seed=1), name="r.png"),
        status=DrawingStatus.DONE,
    )
    device = tokens.issue_parent_token(parent=parent_a, device_name="spare").row
    return World(
        parent_a=parent_a,
        parent_b=parent_b,
        child_a1=child_a1,
        child_a2=ChildFactory.create(parent=parent_a),
        child_b1=ChildFactory.create(parent=parent_b),
        drawing=drawing,
        device=device,
    )


def client_for(actor: str, world: World) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    token = None
    if actor in ("parent_a", "parent_b"):
        token = tokens.issue_parent_token(parent=getattr(world, actor)).token
    elif actor.startswith("child_"):
        token = tokens.issue_play_token(child=getattr(world, actor)).token
    elif actor == "revoked":
        issued = tokens.issue_parent_token(parent=world.parent_a)
        tokens.revoke(ApiToken.objects.filter(pk=issued.row.pk))
        token = issued.token
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, methods in schema["paths"].items():
        for method in methods:
            if method in ("get", "post", "put", "patch", "delete"):
                found.append((method.upper(), path))
    return sorted(found)


def fill(path: str, world: World) -> str:
    values = {
        "id": world.child_a1.pk if "/children/" in path else world.drawing.pk,
        "public_id": world.device.public_id,
        "number": 0,
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)


def expected_refusal(access: str, actor: str) -> int | None:
    """The status ``actor`` must get, or None: allowed (any status but 401/403/404)."""
    if access == PUBLIC:
        return None
    if actor in ("anonymous", "revoked"):
        return 401
    is_child = actor.startswith("child_")
    if access == PARENT and is_child:
        return 403
    if access == CHILD and not is_child:
        return 403
    if actor in ("parent_a", "child_a1"):
        return None
    return 404  # another family's, or a sibling's, objects


def test_every_operation_has_a_row() -> None:
    missing = [op for op in operations() if op not in ACCESS]
    assert not missing, f"say who may call these in ACCESS: {missing}"
    stale = [op for op in ACCESS if op not in operations()]
    assert not stale, f"no longer in the schema: {stale}"


@pytest.mark.parametrize(("method", "path"), operations())
def test_each_actor_gets_what_the_table_says(method: str, path: str) -> None:
    access = ACCESS.get((method, path))
    assert access is not None, f"no row for {method} {path}"
    world = make_world()
    url = fill(path, world)
    has_object = "{" in path
    for actor in ACTORS:
        response = getattr(client_for(actor, world), method.lower())(url, {}, format="json")
        status: Any = response.status_code
        assert status < 500, (actor, method, path, status)
        assert not response.cookies.get("sessionid"), (actor, method, path)
        refusal = expected_refusal(access, actor)
        if refusal == 404 and not has_object:
            refusal = None  # a list or a create of one's own: nothing of theirs to hide
        if refusal is None:
            assert status not in (401, 403, 404), (
                actor,
                method,
                path,
                status,
                response.content[:200],
            )
        else:
            assert status == refusal, (actor, method, path, status, response.content[:200])
        if response.get("Content-Type", "").startswith("application/json") and status >= 400:
            body = response.json()
            assert {"code", "detail"} <= set(body), (actor, method, path, body)
