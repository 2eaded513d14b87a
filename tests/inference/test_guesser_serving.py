""" "What did you draw?" on ONNX Runtime: the shipped guesser's exported graph guesses as its
torch module does, alone or in a batch; a changed graph is refused and torch guesses."""

from __future__ import annotations

import io
import json
import logging
import shutil
import sys
from pathlib import Path

import pytest
import torch
from django.core.management import CommandError, call_command
from PIL import Image, ImageDraw
from torch.nn import functional

from inference.lab.pix2pix.evaluation.devset import doodle_items
from inference.lab.testing import write_random_classifier
from inference.serving import registry
from inference.serving.pix2pix.classifier import shrink
from inference.serving.runtime import get_runtime
from inference.serving.suggestions import LoadedClassifier, classifiers_dir, find_classifier
from tests.fixtures.inference import sketch

SHIPPED = "things-sketches"
REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture
def shipped(registry_dir: Path) -> Path:
    """The installed guesser (weights, card and graph as committed), in a registry of its own."""
    source = classifiers_dir(REPOSITORY / "generators")
    target = classifiers_dir(registry_dir)
    target.mkdir()
    for suffix in (".json", ".safetensors", ".onnx"):
        shutil.copy(source / f"{SHIPPED}{suffix}", target)
    return target


def handful() -> list[Image.Image]:
    """Held-out child-like doodles of several things, a line sketch and one coloured in."""
    doodles = doodle_items()
    things = {item.category: item.sketch for item in doodles}  # one doodle of each category
    crayon = sketch(7)
    ImageDraw.Draw(crayon).rectangle((60, 60, 140, 120), fill=(230, 60, 40))
    return [*list(things.values())[:6], sketch(3), crayon]


def assert_same_guesses(
    served: list[list[tuple[str, float]]], torch_ranks: list[list[tuple[str, float]]]
) -> None:
    for graph, module in zip(served, torch_ranks, strict=True):
        assert [slug for slug, _ in graph[:3]] == [slug for slug, _ in module[:3]]
        by_slug = dict(module)
        assert max(abs(p - by_slug[slug]) for slug, p in graph) <= 1e-5


def test_the_shipped_guesser_is_served_by_its_graph_with_the_torch_probabilities(
    shipped: Path,
) -> None:
    loaded = get_runtime().classifier()
    assert loaded.engine == "onnxruntime"
    sketches = handful()
    assert_same_guesses(loaded.rank(sketches), loaded.rank(sketches, exact=True))


def test_a_sketch_alone_and_in_a_batch_gets_the_same_guesses(shipped: Path) -> None:
    loaded = get_runtime().classifier()
    sketches = handful()
    together = loaded.rank(sketches)
    for position in (0, 3, len(sketches) - 1):
        [alone] = loaded.rank([sketches[position]])
        assert_same_guesses([alone], [together[position]])
        assert [slug for slug, _ in alone] == [slug for slug, _ in together[position]]


def test_a_changed_graph_is_refused_and_torch_guesses(
    shipped: Path, caplog: pytest.LogCaptureFixture
) -> None:
    graph = shipped / f"{SHIPPED}.onnx"
    data = bytearray(graph.read_bytes())
    data[len(data) // 2] ^= 0x01
    graph.write_bytes(bytes(data))

    with caplog.at_level(logging.ERROR, logger="inference.serving.suggestions"):
        loaded = get_runtime().classifier()

    assert loaded.engine == "torch"
    [refusal] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert f"{SHIPPED}.onnx has sha256" in refusal.getMessage()
    assert "Refused the ONNX graph; torch guesses" in refusal.getMessage()
    assert refusal.exc_info is None  # one line, no traceback
    [guesses] = [loaded.suggest(sketch(3), {"sun", "cat", "house"})]
    assert {slug for slug, _ in guesses} == {"sun", "cat", "house"}


def test_a_missing_graph_is_refused_like_a_changed_one(
    shipped: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (shipped / f"{SHIPPED}.onnx").unlink()
    with caplog.at_level(logging.ERROR, logger="inference.serving.suggestions"):
        assert get_runtime().classifier().engine == "torch"
    assert f"{SHIPPED}.onnx cannot be read" in caplog.text


def test_the_torch_engine_the_exact_path_and_no_onnxruntime_guess_with_torch(
    shipped: Path,
    settings: object,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.INFERENCE_ENGINE = "torch"  # type: ignore[attr-defined]
    get_runtime().reset()
    assert get_runtime().classifier().engine == "torch"
    settings.INFERENCE_ENGINE, settings.INFERENCE_PATH = "onnx", "exact"  # type: ignore[attr-defined]
    get_runtime().reset()
    assert get_runtime().classifier().engine == "torch"
    settings.INFERENCE_PATH = "fast"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime: ImportError
    get_runtime().reset()
    with caplog.at_level(logging.WARNING, logger="inference.serving.suggestions"):
        assert get_runtime().classifier().engine == "torch"
    assert "onnxruntime is not installed" in caplog.text


def test_a_card_naming_another_graph_file_is_skipped(
    shipped: Path, caplog: pytest.LogCaptureFixture
) -> None:
    card_path = shipped / f"{SHIPPED}.json"
    card = json.loads(card_path.read_text(encoding="utf-8"))
    card["onnx"]["file"] = "../elsewhere.onnx"
    card_path.write_text(json.dumps(card), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="inference.serving.suggestions"):
        assert find_classifier(shipped.parent) is None
    assert f'"onnx" must name the file "{SHIPPED}.onnx"' in caplog.text


def test_installing_exports_and_the_command_exports_the_installed_one(registry_dir: Path) -> None:
    with pytest.raises(CommandError, match="No sketch classifier is installed"):
        call_command("export_classifier", stdout=io.StringIO())
    card_path = write_random_classifier(registry_dir, exported=True)
    card = find_classifier(registry_dir)
    assert card is not None and card.onnx_sha256 is not None
    assert card.onnx_sha256 == registry.file_sha256(card_path.with_suffix(".onnx"))
    recorded = json.loads(card_path.read_text(encoding="utf-8"))["onnx"]
    assert recorded["inputs"] == ["sketch"]
    assert recorded["max_probability_difference_from_torch"] <= 1e-5
    out = io.StringIO()
    call_command("export_classifier", stdout=out)
    assert "test-sketches.onnx sha256" in out.getvalue()
    loaded = get_runtime().classifier()
    assert isinstance(loaded, LoadedClassifier) and loaded.engine == "onnxruntime"
    sketches = [sketch(seed) for seed in range(3)]
    assert_same_guesses(loaded.rank(sketches), loaded.rank(sketches, exact=True))


@pytest.mark.parametrize(
    ("height", "width", "size"), [(256, 256, 48), (256, 256, 64), (90, 70, 32)]
)
def test_shrink_is_antialiased_bilinear_resizing(height: int, width: int, size: int) -> None:
    batch = torch.rand(2, 3, height, width, generator=torch.Generator().manual_seed(size)) * 2 - 1
    expected = functional.interpolate(
        batch, size=(size, size), mode="bilinear", antialias=True, align_corners=False
    )
    assert (shrink(batch, size) - expected).abs().max() <= 1e-5


def test_benchmark_prints_torch_and_onnxruntime_ms_per_guess(shipped: Path) -> None:
    out = io.StringIO()
    call_command("benchmark_guesser", "--json", "--repeats", "2", "--threads", "1", stdout=out)
    result = json.loads(out.getvalue())
    assert result["classifier"] == SHIPPED and result["batch"] == 1
    assert result["torch_ms_per_guess"] > 0 and result["onnxruntime_ms_per_guess"] > 0
    assert result["max_probability_difference"] <= 1e-5 and result["same_top3"] == 1.0
    assert "load_average" in result
