"""An embedded worker takes a just-stored sketch's pixels, the same as its file, once."""

from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np
import pytest
from django.test import TestCase
from PIL import Image

from drawings import services, sketch_handoff
from drawings.models import Drawing
from drawings.worker.pictures import load_sketch
from tests.factories import sketch_png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty() -> Iterator[None]:
    sketch_handoff.forget_all()
    yield
    sketch_handoff.forget_all()


def _submit(child, client_id: str) -> Drawing:
    with TestCase.captureOnCommitCallbacks(execute=True):  # the test's transaction never commits
        drawing, created = services.submit_drawing(
            child=child, category="face", sketch=sketch_png(), client_id=client_id
        )
    assert created
    return drawing


def _from_file(drawing: Drawing) -> np.ndarray:
    with drawing.sketch.open("rb") as handle:
        return np.asarray(Image.open(io.BytesIO(handle.read())).convert("RGB"))


def test_the_worker_takes_the_pixels_once_and_they_are_the_files(
    child, settings, monkeypatch
) -> None:
    settings.INFERENCE_EMBEDDED_WORKER = True
    monkeypatch.setattr(services, "wake_workers", lambda ids: None)
    drawing = _submit(child, "handed")
    handed = sketch_handoff.take(drawing.sketch.name)
    assert handed is not None and handed.mode == "RGB"
    assert np.array_equal(np.asarray(handed), _from_file(drawing))
    sketch_handoff.keep(drawing.sketch.name, handed)
    assert load_sketch(drawing) is handed  # no file read, no decode
    again = load_sketch(drawing)  # taken once: a second attempt reads the file
    assert again is not handed
    assert np.array_equal(np.asarray(again), np.asarray(handed))


def test_nothing_is_kept_with_the_worker_elsewhere_and_at_most_kept_in_all(
    child, settings, monkeypatch
) -> None:
    monkeypatch.setattr(services, "wake_workers", lambda ids: None)
    settings.INFERENCE_EMBEDDED_WORKER = False
    drawing = _submit(child, "elsewhere")
    assert sketch_handoff.take(drawing.sketch.name) is None
    settings.INFERENCE_EMBEDDED_WORKER = True
    blank = Image.new("RGB", (16, 16), "white")
    for n in range(sketch_handoff.KEPT + 5):
        sketch_handoff.keep(f"sketches/{n}.png", blank)
    assert sketch_handoff.take("sketches/0.png") is None  # the oldest went first
    assert sketch_handoff.take(f"sketches/{sketch_handoff.KEPT + 4}.png") is blank
    assert len(sketch_handoff._kept) == sketch_handoff.KEPT - 1
