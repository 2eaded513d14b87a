"""Export: a ZIP streamed in small chunks, one PNG per sketch and picture, a truthful manifest."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.admin import helpers
from django.test import AsyncClient, Client

from family.export import CHUNK_BYTES
from gamification.models import XPEvent
from tests.factories import ChildFactory
from tests.fixtures.family import Family, finished_drawing, signed_in_again

pytestmark = pytest.mark.django_db
EXPORT = "/family/admin/drawings/drawing/export/"


def archive_of(chunks: list[bytes]) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(chunks)))


def test_export_everything_streams_every_png_and_a_manifest_that_matches_the_database(
    parent_client: Client, mine: Family, theirs: Family
) -> None:
    for seed in range(6):
        finished_drawing(mine.child, seed=seed)
    response: Any = parent_client.get(EXPORT)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    chunks = list(response.streaming_content)
    assert len(chunks) > 8  # sent as it is written, never as one buffer
    assert max(len(c) for c in chunks) < 2 * CHUNK_BYTES

    archive = archive_of(chunks)
    assert archive.testzip() is None
    manifest = json.loads(archive.read("manifest.json"))["drawings"]
    drawings = list(mine.child.drawings.order_by("created_at", "id"))
    assert [e["id"] for e in manifest] == [d.pk for d in drawings]
    pngs = [n for n in archive.namelist() if n.endswith(".png")]
    assert len(pngs) == 2 * len(drawings)
    for entry, drawing in zip(manifest, drawings, strict=True):
        paid = XPEvent.objects.get(source_type="drawing", source_id=str(drawing.pk)).amount
        assert entry["child"] == "Minji" and entry["category"] == drawing.category
        assert entry["xp"] == paid > 0
        assert entry["created_at"] == drawing.created_at.isoformat()
        assert archive.read(entry["sketch"]) == drawing.sketch.open("rb").read()
        assert archive.read(entry["picture"]).startswith(b"\x89PNG")


def test_export_selected_holds_only_the_selection(parent_client: Client, mine: Family) -> None:
    chosen = mine.drawings[0]
    data = {"action": "export_selected", helpers.ACTION_CHECKBOX_NAME: [chosen.pk]}
    response: Any = parent_client.post("/family/admin/drawings/drawing/", data)
    archive = archive_of(list(response.streaming_content))
    manifest = json.loads(archive.read("manifest.json"))["drawings"]
    assert [e["id"] for e in manifest] == [chosen.pk]
    assert len(archive.namelist()) == 3


@pytest.mark.django_db(transaction=True)
async def test_under_asgi_the_zip_is_an_async_stream(mine: Family) -> None:
    client = AsyncClient()
    await client.aforce_login(mine.parent)
    await sync_to_async(signed_in_again)(client)
    response: Any = await client.get(EXPORT)
    assert response.status_code == 200 and response.is_async
    chunks = [chunk async for chunk in response.streaming_content]
    assert len(json.loads(archive_of(chunks).read("manifest.json"))["drawings"]) == 2


def test_the_export_benchmark_measures_and_leaves_nothing_behind(db) -> None:
    from io import StringIO

    from django.core.management import call_command

    from accounts.models import User

    out, err = StringIO(), StringIO()
    call_command("benchmark_export", "--drawings", "3", "6", "--side", "64", stdout=out, stderr=err)
    rows = [line.split() for line in out.getvalue().splitlines()[2:]]
    assert [row[0] for row in rows] == ["3", "6"]
    assert all(float(row[1]) > 0 for row in rows)  # archive MiB
    assert err.getvalue() == ""  # the manifest listed every drawing
    assert not User.objects.filter(email__startswith="benchmark-export-").exists()


def test_each_childs_folder_is_the_nickname_made_safe_and_unique(
    parent_client: Client, mine: Family
) -> None:
    twin = ChildFactory.create(parent=mine.parent, nickname="../Minji")
    finished_drawing(twin, seed=9)
    response: Any = parent_client.get(EXPORT)
    archive = archive_of(list(response.streaming_content))
    folders = {n.split("/")[0] for n in archive.namelist() if n.endswith(".png")}
    assert folders == {"Minji", "Minji (2)"}
    manifest = json.loads(archive.read("manifest.json"))["drawings"]
    assert {e["child"]: e["sketch"].split("/")[0] for e in manifest} == {
        "Minji": "Minji",
        "../Minji": "Minji (2)",
    }


def test_exporting_a_selection_asks_to_sign_in_again_first(mine: Family) -> None:
    client = Client()
    client.force_login(mine.parent)  # signed in, but not within the last few minutes
    data = {"action": "export_selected", helpers.ACTION_CHECKBOX_NAME: [mine.drawings[0].pk]}

    response: Any = client.post("/family/admin/drawings/drawing/", data)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
