"""Files left behind by a crash (a saved picture whose row was never updated) are swept."""

from __future__ import annotations

import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from tests.factories import DrawingFactory

pytestmark = pytest.mark.django_db


def _age(name: str, seconds: float) -> None:
    path = default_storage.path(name)
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_an_orphan_result_is_swept_and_referenced_files_are_kept() -> None:
    drawing = DrawingFactory.create()
    kept = [drawing.sketch.name] + ([drawing.result.name] if drawing.result else [])
    orphan = default_storage.save("results/orphan.png", ContentFile(b"\x89PNG leftover"))
    fresh = default_storage.save("results/just-saved.png", ContentFile(b"\x89PNG in flight"))
    for name in [*kept, orphan]:
        _age(name, 3600)

    out = io.StringIO()
    call_command("sweep_stored_files", "--older-than-minutes", "30", stdout=out)

    assert not default_storage.exists(orphan)
    assert default_storage.exists(fresh)  # a worker may be about to record it
    assert all(default_storage.exists(name) for name in kept)
    assert "Deleted 1 file" in out.getvalue()
